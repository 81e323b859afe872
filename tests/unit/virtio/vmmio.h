/*
 * The test driver's side of virtio-mmio: register accesses through the
 * io_dev_ops the machine would register, and the §3.1.1 / §4.2.3
 * initialisation sequence a Linux driver performs.
 */
#ifndef VMM_TESTS_UNIT_VIRTIO_VMMIO_H
#define VMM_TESTS_UNIT_VIRTIO_VMMIO_H

#include <stdbool.h>

#include "tests/unit/virtio/vdrv.h"
#include "virtio/mmio.h"

static inline uint32_t vmmio_rd(struct virtio_mmio *m, uint64_t off)
{
	return (uint32_t)virtio_mmio_io_ops.read(m, off, 4);
}

static inline void vmmio_wr(struct virtio_mmio *m, uint64_t off, uint32_t v)
{
	virtio_mmio_io_ops.write(m, off, v, 4);
}

static inline uint64_t vmmio_device_features(struct virtio_mmio *m)
{
	uint64_t f;

	vmmio_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)vmmio_rd(m, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	vmmio_wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | vmmio_rd(m, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; true if accepted. */
static inline bool vmmio_negotiate(struct virtio_mmio *m, uint64_t features)
{
	vmmio_wr(m, VIRTIO_MMIO_STATUS, 0);
	vmmio_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vmmio_wr(m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	vmmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vmmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vmmio_wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vmmio_wr(m, VIRTIO_MMIO_STATUS,
		 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK);
	return vmmio_rd(m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK;
}

/* §4.2.3.2: select, size, ring addresses, ready. */
static inline void vmmio_queue(struct virtio_mmio *m, unsigned q, const struct vdrv_q *dq)
{
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_SEL, q);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_NUM, dq->num);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)dq->desc);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(dq->desc >> 32));
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)dq->avail);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(dq->avail >> 32));
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)dq->used);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(dq->used >> 32));
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline void vmmio_driver_ok(struct virtio_mmio *m)
{
	vmmio_wr(m, VIRTIO_MMIO_STATUS,
		 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Read the interrupt status and acknowledge it, like the driver's handler. */
static inline uint32_t vmmio_take_irq(struct virtio_mmio *m)
{
	uint32_t isr = vmmio_rd(m, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (isr)
		vmmio_wr(m, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

#endif
