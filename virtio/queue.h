/*
 * Split virtqueues, virtio 1.2 §2.7 (modern only: little-endian rings,
 * VIRTIO_F_VERSION_1). This is the only code in vmm that reads descriptors.
 *
 * The transport fills num and the three ring addresses from driver writes,
 * then calls virtq_enable(), which checks them once and caches host pointers
 * (guest RAM never moves while the machine runs). A device then loops on
 * virtq_pop(), does the work, and answers with virtq_push() followed by
 * virtq_need_notify() to decide whether to interrupt the driver.
 *
 * Threading: one thread at a time per queue (the device serialises pop/push,
 * normally on the I/O thread); the driver runs concurrently on other CPUs,
 * so every ring field it writes is read exactly once and ordered with fences.
 */
#ifndef VMM_VIRTIO_QUEUE_H
#define VMM_VIRTIO_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

#include "common/compiler.h"
#include "memory/guest_mem.h"

/* virtio 1.2 §2.7: a split queue holds at most 32768 descriptors. */
#define VIRTQ_MAX_SIZE 32768u

/*
 * Longest indirect table accepted (descriptors). The spec bounds a chain by
 * the queue size (§2.7.5.3.1), but Linux sizes indirect tables by the number
 * of segments, so a small queue may legitimately carry a longer table.
 */
#define VIRTQ_MAX_INDIRECT 1024u

struct virtq {
	/* Written by the transport (driver register writes), read at enable. */
	uint16_t num;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;

	/* Valid between virtq_enable() and virtq_disable(). */
	bool enabled;
	bool broken;
	bool event_idx;
	bool indirect;
	const struct guest_mem *gm;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;	 /* next avail ring slot the device reads */
	uint16_t used_idx;	 /* device's copy of used->idx */
	uint16_t used_pending;	 /* filled by virtq_fill(), not yet published */
	uint16_t signalled_used; /* used_idx when the driver was last notified */
	bool signalled_valid;

	/* Guest errors found in this queue are counted here (not owned). */
	_Atomic uint64_t *errors;
};

/*
 * One descriptor chain as the device sees it. The caller provides @iov with
 * room for @iov_max entries; virtq_pop() fills the driver-readable buffers
 * first (n_out entries), then the device-writable ones (n_in entries).
 * A buffer that crosses from one guest RAM region into an adjacent one is
 * split into two iovecs (the regions need not be adjacent on the host);
 * one that leaves RAM is refused. Zero-length buffers yield no iovec.
 */
struct virtq_req {
	uint16_t head;
	unsigned n_out;
	unsigned n_in;
	uint32_t out_len;
	uint32_t in_len;
	unsigned iov_max;
	struct iovec *iov;
};

/* Driver-writable fields back to their reset values (virtio 1.2 §2.4). */
void virtq_reset(struct virtq *q);

/*
 * Check num (a power of two, 1..@max_size), the ring addresses (alignment
 * per §2.7: desc 16, avail 2, used 4) and that each ring lies in RAM, then
 * start the queue at index 0. @features are the negotiated ones (EVENT_IDX,
 * INDIRECT_DESC). -EINVAL on a bad configuration: the transport reports it.
 */
int virtq_enable(struct virtq *q, const struct guest_mem *gm, uint64_t features, unsigned max_size,
		 _Atomic uint64_t *errors) must_check;

/* Stop using the rings (device reset). */
void virtq_disable(struct virtq *q);

/* True when the driver has made buffers available that were not popped. */
bool virtq_has_avail(struct virtq *q);

/*
 * Take the next available chain.
 *   1         @req holds the chain
 *   0         nothing available
 *   -EBADMSG  the chain is malformed (loop, bad address or length, bad
 *             indirect table, readable after writable, too many segments):
 *             @req->head is set, the queue is now broken, and the caller
 *             marks the device NEEDS_RESET (virtio 1.2 §2.1.2)
 *   -EIO      the queue is broken or not enabled
 */
int virtq_pop(struct virtq *q, struct virtq_req *req) must_check;

/*
 * Return chain @head to the driver with @len bytes written into its
 * writable buffers (§2.7.8). The used index is published with release order.
 */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/*
 * Write a used element without publishing it; virtq_flush() publishes every
 * filled element at once, so the driver sees a multi-buffer answer (a
 * mergeable rx packet, §5.1.6.4) whole or not at all.
 */
void virtq_fill(struct virtq *q, uint16_t head, uint32_t len);
void virtq_flush(struct virtq *q);

/*
 * Give back the last @n chains popped and not yet used, so they are popped
 * again later (a packet that did not fit in what the driver had posted).
 * Elements filled for them with virtq_fill() and not yet flushed are dropped.
 */
void virtq_unpop(struct virtq *q, uint16_t n);

/*
 * After one or more virtq_push(): should the driver be interrupted?
 * Honours VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX (§2.7.10).
 */
bool virtq_need_notify(struct virtq *q);

/*
 * Ask the driver not to notify (used->flags, when EVENT_IDX is not
 * negotiated; with EVENT_IDX nothing is needed since avail_event only moves
 * when the device pops).
 */
void virtq_disable_notify(struct virtq *q);

/*
 * Ask for notifications again and report whether buffers arrived meanwhile,
 * so the caller can go on popping instead of missing a kick (§2.7.10).
 */
bool virtq_enable_notify(struct virtq *q) must_check;

/*
 * Device writes. Whatever the device writes into guest RAM is reported
 * through gm_dma_written() (memory/guest_mem.h), so that an accelerator
 * that caches RAM contents (the JIT's translated code) can drop them:
 * every device-writable buffer of a chain when virtq_pop() hands it to
 * the device, and the used element and index virtq_fill()/virtq_flush()
 * write. Buffers are reported when the device takes them, not when it
 * completes: from then on the driver must not use them until they come
 * back in the used ring, so nothing can be translated from
 * them in between, and the guest sees the completion only after the
 * report. Devices need not do anything themselves.
 */

/* Copy helpers over a popped request's readable / writable buffers. */
size_t virtq_req_read(const struct virtq_req *req, size_t off, void *dst, size_t len);
size_t virtq_req_write(const struct virtq_req *req, size_t off, const void *src, size_t len);

#endif
