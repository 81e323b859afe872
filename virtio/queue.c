/*
 * Split virtqueues, virtio 1.2 §2.7. Everything read from the rings is
 * guest-controlled: the driver may change a descriptor while we read it, so
 * each one is copied once and only the copy is checked and used.
 */
#include "virtio/queue.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/log.h"

void virtq_reset(struct virtq *q)
{
	_Atomic uint64_t *errors = q->errors;

	memset(q, 0, sizeof(*q));
	q->errors = errors;
}

static uint16_t virtq_avail_idx(struct virtq *q)
{
	return le16toh(__atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE));
}

static uint16_t *virtq_used_event(struct virtq *q)
{
	return &q->avail->ring[q->num];
}

static uint16_t *virtq_avail_event(struct virtq *q)
{
	return (uint16_t *)&q->used->ring[q->num];
}

static bool virtq_ring_ok(const struct guest_mem *gm, uint64_t gpa, uint64_t len, uint64_t align,
			  void **host)
{
	if (gpa & (align - 1))
		return false;
	*host = gm_ptr(gm, gpa, len);
	return *host != NULL;
}

int virtq_enable(struct virtq *q, const struct guest_mem *gm, uint64_t features, unsigned max_size,
		 _Atomic uint64_t *errors)
{
	uint64_t n = q->num; /* guest-controlled */
	void *desc, *avail, *used;

	q->errors = errors;
	/* §2.7: the split queue size is a power of two. */
	if (n == 0 || n > max_size || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	/* §2.7 table "Virtqueue Part Alignment"; used_event / avail_event add 2. */
	if (!virtq_ring_ok(gm, q->desc_gpa, 16 * n, VRING_DESC_ALIGN_SIZE, &desc) ||
	    !virtq_ring_ok(gm, q->avail_gpa, 6 + 2 * n, VRING_AVAIL_ALIGN_SIZE, &avail) ||
	    !virtq_ring_ok(gm, q->used_gpa, 6 + 8 * n, VRING_USED_ALIGN_SIZE, &used))
		return -EINVAL;
	q->gm = gm;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	q->indirect = features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	q->last_avail = 0;
	q->used_idx = 0;
	q->used_pending = 0;
	q->signalled_used = 0;
	q->signalled_valid = false;
	q->broken = false;
	/* The device owns the used ring: start it clean (§2.7.8). */
	__atomic_store_n(&q->used->flags, 0, __ATOMIC_RELAXED);
	if (q->event_idx)
		__atomic_store_n(virtq_avail_event(q), 0, __ATOMIC_RELAXED);
	__atomic_store_n(&q->used->idx, 0, __ATOMIC_RELEASE);
	q->enabled = true;
	return 0;
}

void virtq_disable(struct virtq *q)
{
	q->enabled = false;
	q->desc = NULL;
	q->avail = NULL;
	q->used = NULL;
}

bool virtq_has_avail(struct virtq *q)
{
	return q->enabled && !q->broken && virtq_avail_idx(q) != q->last_avail;
}

static void virtq_break(struct virtq *q)
{
	q->broken = true;
}

/* Append [gpa, gpa+len) to @req, split where it crosses RAM regions. */
static int virtq_map(struct virtq *q, struct virtq_req *req, uint64_t gpa, uint32_t len,
		     bool writable)
{
	uint64_t left = len;

	if (gpa + left < gpa) {
		guest_err(q->errors, "virtq: buffer 0x%llx+0x%x wraps", (unsigned long long)gpa,
			  len);
		return -EBADMSG;
	}
	while (left) {
		const struct gm_region *r = gm_region_of(q->gm, gpa);
		struct iovec *iov;
		uint64_t chunk;

		if (!r) {
			guest_err(q->errors, "virtq: buffer 0x%llx+0x%x outside RAM",
				  (unsigned long long)gpa, len);
			return -EBADMSG;
		}
		if (req->n_out + req->n_in >= req->iov_max) {
			guest_err(q->errors, "virtq: chain has more than %u segments",
				  req->iov_max);
			return -EBADMSG;
		}
		/* Regions adjacent in guest space need not be adjacent on the host. */
		chunk = MIN(left, r->gpa + r->size - gpa);
		iov = &req->iov[req->n_out + req->n_in];
		iov->iov_base = r->host + (gpa - r->gpa);
		iov->iov_len = chunk;
		if (writable) {
			/* The device owns it from now: see "Device writes" in queue.h. */
			gm_dma_written(q->gm, gpa, chunk);
			req->n_in++;
		} else {
			req->n_out++;
		}
		gpa += chunk;
		left -= chunk;
	}
	return 0;
}

/* Account one (non-indirect) descriptor into @req; *@writing tracks order. */
static int virtq_add_desc(struct virtq *q, struct virtq_req *req, const struct vring_desc *d,
			  bool *writing)
{
	bool writable = le16toh(d->flags) & VRING_DESC_F_WRITE;
	uint32_t len = le32toh(d->len); /* guest-controlled */
	int ret;

	/* §2.7.4.2: readable descriptors come before writable ones. */
	if (*writing && !writable) {
		guest_err(q->errors, "virtq: readable descriptor after a writable one");
		return -EBADMSG;
	}
	*writing = writable;
	/* §2.7.5: a chain is at most 2^32 bytes long in total. */
	if ((uint64_t)req->out_len + req->in_len + len > UINT32_MAX) {
		guest_err(q->errors, "virtq: chain longer than 4 GiB");
		return -EBADMSG;
	}
	ret = virtq_map(q, req, le64toh(d->addr), len, writable);
	if (ret)
		return ret;
	if (writable)
		req->in_len += len;
	else
		req->out_len += len;
	return 0;
}

/* Walk an indirect table (§2.7.5.3): @ind is the descriptor pointing to it. */
static int virtq_walk_indirect(struct virtq *q, struct virtq_req *req, const struct vring_desc *ind,
			       bool *writing)
{
	uint64_t gpa = le64toh(ind->addr);
	uint32_t len = le32toh(ind->len); /* guest-controlled */
	const struct vring_desc *table;
	unsigned n, i, seen;

	if (!q->indirect || len == 0 || len % sizeof(struct vring_desc) ||
	    len / sizeof(struct vring_desc) > VIRTQ_MAX_INDIRECT) {
		guest_err(q->errors, "virtq: bad indirect table (len %u, negotiated %d)", len,
			  q->indirect);
		return -EBADMSG;
	}
	/* §2.7.5.3.1: the table must be in one piece of guest RAM, 16-aligned. */
	table = gm_ptr(q->gm, gpa, len);
	if (!table || (gpa & (VRING_DESC_ALIGN_SIZE - 1))) {
		guest_err(q->errors, "virtq: indirect table 0x%llx+0x%x not in RAM",
			  (unsigned long long)gpa, len);
		return -EBADMSG;
	}
	n = len / sizeof(struct vring_desc);
	for (i = 0, seen = 0;; seen++) {
		struct vring_desc d;
		uint16_t flags;
		int ret;

		/* Visiting more entries than the table holds means a loop. */
		if (seen >= n) {
			guest_err(q->errors, "virtq: loop in indirect table");
			return -EBADMSG;
		}
		memcpy(&d, &table[i], sizeof(d));
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			guest_err(q->errors, "virtq: nested indirect table");
			return -EBADMSG;
		}
		ret = virtq_add_desc(q, req, &d, writing);
		if (ret)
			return ret;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
		if (i >= n) {
			guest_err(q->errors, "virtq: indirect next %u >= table size %u", i, n);
			return -EBADMSG;
		}
	}
}

/* Walk the chain starting at @head in the descriptor table. */
static int virtq_walk(struct virtq *q, struct virtq_req *req, uint16_t head)
{
	unsigned i = head, seen;
	bool writing = false;

	for (seen = 0;; seen++) {
		struct vring_desc d;
		uint16_t flags;
		int ret;

		/* §2.7.5.2: a chain is no longer than the queue; longer is a loop. */
		if (seen >= q->num) {
			guest_err(q->errors, "virtq: chain from %u loops or exceeds %u", head,
				  q->num);
			return -EBADMSG;
		}
		memcpy(&d, &q->desc[i], sizeof(d));
		flags = le16toh(d.flags);
		if (flags & VRING_DESC_F_INDIRECT) {
			/* §2.7.5.3.1: INDIRECT and NEXT together are not allowed. */
			if (flags & VRING_DESC_F_NEXT) {
				guest_err(q->errors, "virtq: indirect descriptor with NEXT");
				return -EBADMSG;
			}
			return virtq_walk_indirect(q, req, &d, &writing);
		}
		ret = virtq_add_desc(q, req, &d, &writing);
		if (ret)
			return ret;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next); /* guest-controlled */
		if (i >= q->num) {
			guest_err(q->errors, "virtq: next %u >= queue size %u", i, q->num);
			return -EBADMSG;
		}
	}
}

int virtq_pop(struct virtq *q, struct virtq_req *req)
{
	uint16_t avail, head;
	int ret;

	if (!q->enabled || q->broken)
		return -EIO;
	avail = virtq_avail_idx(q); /* guest-controlled; acquire orders ring reads */
	if (avail == q->last_avail) {
		if (!q->event_idx)
			return 0;
		/*
		 * Empty. The avail_event we stored in the last pop must be
		 * visible to the driver before our final look at avail->idx:
		 * otherwise (a store-load reordering, allowed even on x86) the
		 * driver may read the old avail_event, skip its kick, and we
		 * stop here with its buffer unseen (§2.7.10). Callers stop
		 * polling on 0, so this is the last look.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail = virtq_avail_idx(q);
		if (avail == q->last_avail)
			return 0;
	}
	/* §2.7.6: the driver can be at most a queue's worth ahead of us. */
	if ((uint16_t)(avail - q->last_avail) > q->num) {
		guest_err(q->errors, "virtq: avail idx %u is %u ahead of %u", avail,
			  (uint16_t)(avail - q->last_avail), q->num);
		virtq_break(q);
		return -EIO;
	}
	head = le16toh(
	    __atomic_load_n(&q->avail->ring[q->last_avail & (q->num - 1)], __ATOMIC_RELAXED));
	q->last_avail++;
	if (q->event_idx) {
		/* Ask to be kicked for the next buffer after this one (§2.7.10). */
		__atomic_store_n(virtq_avail_event(q), htole16(q->last_avail), __ATOMIC_RELAXED);
	}
	req->head = head;
	req->n_out = req->n_in = 0;
	req->out_len = req->in_len = 0;
	if (head >= q->num) { /* guest-controlled */
		guest_err(q->errors, "virtq: head %u >= queue size %u", head, q->num);
		virtq_break(q);
		return -EBADMSG;
	}
	ret = virtq_walk(q, req, head);
	if (ret) {
		virtq_break(q);
		return ret;
	}
	return 1;
}

void virtq_fill(struct virtq *q, uint16_t head, uint32_t len)
{
	vring_used_elem_t *e;

	if (!q->enabled)
		return;
	e = &q->used->ring[(uint16_t)(q->used_idx + q->used_pending) & (q->num - 1)];
	e->id = htole32(head);
	e->len = htole32(len);
	gm_dma_written(q->gm, q->used_gpa + ((uint8_t *)e - (uint8_t *)q->used), sizeof(*e));
	q->used_pending++;
}

void virtq_flush(struct virtq *q)
{
	if (!q->enabled || !q->used_pending)
		return;
	q->used_idx += q->used_pending;
	q->used_pending = 0;
	/* §2.7.8.2: the elements are visible before the index that publishes them. */
	__atomic_store_n(&q->used->idx, htole16(q->used_idx), __ATOMIC_RELEASE);
	gm_dma_written(q->gm, q->used_gpa + offsetof(struct vring_used, idx), sizeof(q->used->idx));
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	virtq_fill(q, head, len);
	virtq_flush(q);
}

void virtq_unpop(struct virtq *q, uint16_t n)
{
	/* Elements filled for these chains and not flushed are forgotten. */
	q->used_pending -= MIN(q->used_pending, n);
	q->last_avail -= n;
	if (q->enabled && q->event_idx)
		__atomic_store_n(virtq_avail_event(q), htole16(q->last_avail), __ATOMIC_RELAXED);
}

bool virtq_need_notify(struct virtq *q)
{
	uint16_t old, event;
	bool valid;

	if (!q->enabled)
		return false;
	/* Our used->idx store must be visible before we read the driver's flag. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(le16toh(__atomic_load_n(&q->avail->flags, __ATOMIC_RELAXED)) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	old = q->signalled_used;
	valid = q->signalled_valid;
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	event = le16toh(__atomic_load_n(virtq_used_event(q), __ATOMIC_RELAXED));
	return !valid || vring_need_event(event, q->used_idx, old);
}

void virtq_disable_notify(struct virtq *q)
{
	if (!q->enabled || q->event_idx)
		return;
	__atomic_store_n(&q->used->flags, htole16(VRING_USED_F_NO_NOTIFY), __ATOMIC_RELAXED);
}

bool virtq_enable_notify(struct virtq *q)
{
	if (!q->enabled || q->broken)
		return false;
	if (q->event_idx)
		__atomic_store_n(virtq_avail_event(q), htole16(q->last_avail), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&q->used->flags, 0, __ATOMIC_RELAXED);
	/* The flag store must be visible before we look at avail->idx again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_avail_idx(q) != q->last_avail;
}

static size_t virtq_iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
			     bool to_iov)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < n && done < len; i++) {
		size_t chunk;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		chunk = MIN(iov[i].iov_len - off, len - done);
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, (uint8_t *)buf + done, chunk);
		else
			memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t virtq_req_read(const struct virtq_req *req, size_t off, void *dst, size_t len)
{
	return virtq_iov_copy(req->iov, req->n_out, off, dst, len, false);
}

size_t virtq_req_write(const struct virtq_req *req, size_t off, const void *src, size_t len)
{
	return virtq_iov_copy(req->iov + req->n_out, req->n_in, off, (void *)src, len, true);
}
