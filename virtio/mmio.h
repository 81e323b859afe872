/*
 * The virtio-mmio transport, version 2 (virtio 1.2 §4.2). One instance
 * wraps one struct virtio_dev and is registered on the MMIO bus with
 * virtio_mmio_io_ops and VIRTIO_MMIO_WINDOW bytes.
 *
 * QueueNotify: under KVM the machine registers an ioeventfd on
 * base + VIRTIO_MMIO_QUEUE_NOTIFY (datamatch = queue index) so those writes
 * never reach this code; under the JIT the write arrives here and goes to
 * dev->kick_hook (an eventfd write) or straight to the device.
 *
 * Interrupts: InterruptStatus is kept here and drives @irq as a level.
 */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdint.h>

#include <linux/virtio_mmio.h>

#include "common/irq.h"
#include "memory/io_bus.h"
#include "virtio/virtio.h"

/* Registers end at 0x100; device config follows. 0x200 is the usual window. */
#define VIRTIO_MMIO_WINDOW 0x200u

/* "vmm" as a little-endian vendor id; §4.2.2 leaves the value to the device. */
#define VIRTIO_MMIO_VENDOR 0x006d6d76u

struct virtio_mmio {
	struct virtio_dev *dev;
	struct irq_line irq;
	pthread_mutex_t irq_lock;
	uint32_t isr;
	uint32_t dev_features_sel;
	uint32_t drv_features_sel;
	uint32_t queue_sel;
};

extern const struct io_dev_ops virtio_mmio_io_ops;

/* Bind @m to @dev and @irq (copied); sets dev->tr. */
void virtio_mmio_init(struct virtio_mmio *m, struct virtio_dev *dev, const struct irq_line *irq);
void virtio_mmio_fini(struct virtio_mmio *m);

/* Current InterruptStatus (tests, and a machine re-checking a level). */
uint32_t virtio_mmio_isr(struct virtio_mmio *m);

#endif
