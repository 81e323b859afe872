/*
 * Queue notifications through eventfds polled by the I/O thread.
 *
 * virtio_kick_attach() gives every queue of a device an eventfd watched by
 * the I/O thread and points dev->kick_hook at it, so a QueueNotify that
 * reaches the MMIO handler (the JIT) becomes an eventfd write, and the
 * machine can hand the same fd to KVM as an ioeventfd (virtio_kick_fd()).
 * Either way the device runs on the I/O thread.
 */
#ifndef VMM_VIRTIO_KICK_H
#define VMM_VIRTIO_KICK_H

#include "common/compiler.h"
#include "virtio/iothread.h"
#include "virtio/virtio.h"

struct virtio_kick_q {
	struct io_watch watch;
	struct virtio_kick *k;
	unsigned q;
};

struct virtio_kick {
	struct virtio_dev *dev;
	struct iothread *t;
	unsigned n;
	struct virtio_kick_q *qs;
};

/* Call before the I/O thread starts (the watches are queued on its ring). */
int virtio_kick_attach(struct virtio_kick *k, struct virtio_dev *dev,
		       struct iothread *t) must_check;
/* On the I/O thread, or with it stopped and its ring still there. */
void virtio_kick_detach(struct virtio_kick *k);

/* The eventfd of queue @q, for KVM_IOEVENTFD. */
int virtio_kick_fd(const struct virtio_kick *k, unsigned q);

#endif
