/*
 * The virtio device model shared by every transport (virtio 1.2 §2, §3).
 *
 * A device is a const struct virtio_dev_ops table plus a struct virtio_dev
 * embedded in its own state (reach it with container_of). The transport
 * (mmio.c now, pci.c later) turns register accesses into calls on the
 * virtio_dev_* functions below, and the device raises interrupts through
 * virtio_dev_signal_used() / virtio_dev_config_changed() without knowing
 * which transport carries them. What varies per instance (offered
 * features, number and size of queues, config size: a ro drive, a drive
 * with one queue per vCPU) is given to virtio_dev_init(), so the ops table
 * itself stays const.
 *
 * Locking: dev->lock guards status, features and queue set-up. The
 * transport holds it for register writes; the core holds it around
 * ops->queue_notify(); a device completing work asynchronously takes it
 * with virtio_dev_lock() before touching a queue.
 */
#ifndef VMM_VIRTIO_VIRTIO_H
#define VMM_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "common/compiler.h"
#include "memory/guest_mem.h"
#include "virtio/queue.h"

#define VIRTIO_BIT(f) (1ULL << (f))

struct virtio_dev;

struct virtio_dev_ops {
	const char *name;
	uint32_t device_id; /* VIRTIO_ID_* from linux/virtio_ids.h */
	/* Device-specific config space; @off + @len <= dev->config_size. */
	void (*config_read)(struct virtio_dev *dev, uint32_t off, void *buf, unsigned len);
	/* Optional: the driver wrote config space (writable fields only). */
	void (*config_write)(struct virtio_dev *dev, uint32_t off, const void *buf, unsigned len);
	/* Optional: the driver set DRIVER_OK; negotiated features are final. */
	int (*activate)(struct virtio_dev *dev);
	/* Buffers may be available on queue @q. Called with dev->lock held. */
	void (*queue_notify)(struct virtio_dev *dev, unsigned q);
	/* Device reset (§2.4): forget in-flight requests. dev->lock held. */
	void (*reset)(struct virtio_dev *dev);
};

enum virtio_irq {
	VIRTIO_IRQ_VRING = 1,  /* used buffer notification */
	VIRTIO_IRQ_CONFIG = 2, /* configuration change notification */
};

/* What a transport offers the device core: one way to interrupt. */
struct virtio_transport {
	void (*signal)(void *opaque, enum virtio_irq cause, unsigned q);
	void *opaque;
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const struct guest_mem *gm;
	uint64_t host_features;
	uint64_t driver_features;
	uint32_t config_size;
	unsigned num_queues;
	uint16_t queue_max;
	struct virtq *vq;
	_Atomic uint8_t status;
	_Atomic uint32_t config_generation;
	/* Every guest error on this device (bad registers, bad chains). */
	_Atomic uint64_t guest_errors;
	pthread_mutex_t lock;
	struct virtio_transport tr;
	/* Optional: where QueueNotify goes (an eventfd the I/O thread polls). */
	void (*kick_hook)(void *opaque, unsigned q);
	void *kick_opaque;
};

/*
 * Set up @dev for a device with @num_queues queues of at most @queue_max
 * entries. VIRTIO_F_VERSION_1 is always offered: this is a modern-only VMM.
 */
int virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		    const struct guest_mem *gm, unsigned num_queues, uint16_t queue_max,
		    uint64_t host_features, uint32_t config_size) must_check;
void virtio_dev_fini(struct virtio_dev *dev);

void virtio_dev_lock(struct virtio_dev *dev);
void virtio_dev_unlock(struct virtio_dev *dev);

/* --- called by transports (dev->lock held unless said otherwise) --- */

/* A driver write to the status register: the §3.1.1 handshake and reset. */
void virtio_dev_set_status(struct virtio_dev *dev, uint8_t status);

/* A driver write to the features the driver accepts, 32 bits at @sel. */
void virtio_dev_set_driver_features(struct virtio_dev *dev, unsigned sel, uint32_t val);

/* QueueReady: enable (checks the rings) or disable queue @q. */
void virtio_dev_queue_ready(struct virtio_dev *dev, unsigned q, bool ready);

/* Config space access with bounds checked; out of range reads give 0. */
void virtio_dev_config_read(struct virtio_dev *dev, uint32_t off, void *buf, unsigned len);
void virtio_dev_config_write(struct virtio_dev *dev, uint32_t off, const void *buf, unsigned len);

/*
 * QueueNotify for queue @q (guest-controlled, checked): through kick_hook
 * when set, else straight to virtio_dev_process(). Call without the lock.
 */
void virtio_dev_kick(struct virtio_dev *dev, unsigned q);

/* Run ops->queue_notify for @q under the lock if the device is live. */
void virtio_dev_process(struct virtio_dev *dev, unsigned q);

/* --- called by devices (dev->lock held) --- */

/* After virtq_push(): interrupt the driver if the queue asks for it. */
void virtio_dev_signal_used(struct virtio_dev *dev, unsigned q);

/* Config space changed: bump the generation and tell the driver (§2.5.1). */
void virtio_dev_config_changed(struct virtio_dev *dev);

/* The device hit an error it cannot recover from (§2.1.2). */
void virtio_dev_needs_reset(struct virtio_dev *dev);

static inline bool virtio_dev_has_feature(const struct virtio_dev *dev, unsigned bit)
{
	return dev->driver_features & VIRTIO_BIT(bit);
}

static inline bool virtio_dev_live(const struct virtio_dev *dev)
{
	uint8_t s = atomic_load(&dev->status);

	return (s & VIRTIO_CONFIG_S_DRIVER_OK) && !(s & VIRTIO_CONFIG_S_NEEDS_RESET);
}

#endif
