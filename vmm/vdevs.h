/*
 * The machine's virtio devices (--drive, --net, --rng) on virtio-mmio
 * transports, served by one I/O thread (virtio/iothread.h). Arch-neutral:
 * the machine gives each device slot its MMIO base and interrupt number and
 * describes the devices to the guest (ACPI DSDT, device tree).
 *
 * Notifications: where the accelerator has ioeventfds (KVM), a guest write
 * to QueueNotify signals the queue's eventfd in the kernel, without an exit;
 * otherwise the MMIO handler signals the same eventfd. Interrupts: where the
 * accelerator has irqfds (KVM), each new interrupt is an edge through the
 * device's irqfd; otherwise the machine's level-triggered line.
 */
#ifndef VMM_VMM_VDEVS_H
#define VMM_VMM_VDEVS_H

#include <stdbool.h>

#include "common/compiler.h"
#include "common/irq.h"
#include "virtio/blk.h"
#include "virtio/iothread.h"
#include "virtio/kick.h"
#include "virtio/mmio.h"
#include "virtio/net.h"
#include "virtio/rng.h"
#include "vmm/config.h"

struct machine;

enum vdev_kind { VDEV_BLK, VDEV_NET, VDEV_RNG };

struct vdev {
	enum vdev_kind kind;
	union {
		struct virtio_blk blk;
		struct virtio_net net;
		struct virtio_rng rng;
	};
	struct virtio_dev *dev;
	bool inited, kick_attached;
	struct virtio_mmio mmio;
	struct virtio_kick kick;
	struct irq_line irq;
	int irqfd; /* -1: the machine's line */
	char *spec; /* mutable copy of the option value */
	uint64_t base;
	unsigned gsi;
	bool edge; /* the interrupt is an edge per event (irqfd) */
};

struct vdev_slot {
	uint64_t base;
	unsigned gsi;
};

struct vdevs {
	struct iothread io;
	bool io_inited, io_started;
	unsigned n;
	struct vdev d[CONFIG_MAX_VIRTIO];
};

/* How many devices the config asks for (so the machine can plan slots). */
unsigned vdevs_count(const struct vmm_config *cfg);

/*
 * Create the devices of @m->cfg in @slots (at least vdevs_count() of them)
 * and register their transports on @m->mmio. Bad option values and images
 * get one clear message. Call after the VM exists (for irqfds).
 */
int vdevs_create(struct vdevs *v, struct machine *m, const struct vdev_slot *slots) must_check;

/* Wire ioeventfds and start the I/O thread: after every vdevs_create(). */
int vdevs_start(struct vdevs *v, struct machine *m) must_check;

/*
 * With the vCPUs stopped: stop the I/O thread, let in-flight requests
 * complete (writes the guest saw as done are on the host), free everything.
 */
void vdevs_destroy(struct vdevs *v);

#endif
