/*
 * A host-side virtio driver for tests: it plays the guest over fake guest
 * memory, laying out split rings and writing descriptors the way a driver
 * does (virtio 1.2 §2.7.13), and reads the used ring back.
 */
#ifndef VMM_TESTS_UNIT_VIRTIO_VDRV_H
#define VMM_TESTS_UNIT_VIRTIO_VDRV_H

#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_ring.h>

#include "memory/guest_mem.h"

#define VDRV_RAM_GPA  0x100000ULL
#define VDRV_RAM_SIZE (4ULL << 20)

struct vdrv {
	struct guest_mem gm;
	uint8_t *ram;
	uint64_t next; /* bump allocator, gpa */
};

struct vdrv_q {
	uint16_t num;
	uint64_t desc, avail, used;
	uint16_t avail_idx;
	uint16_t last_used;
	uint16_t next_desc;
};

struct vdrv_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

static inline int vdrv_init(struct vdrv *d)
{
	memset(d, 0, sizeof(*d));
	d->ram = aligned_alloc(4096, VDRV_RAM_SIZE);
	if (!d->ram)
		return -1;
	memset(d->ram, 0, VDRV_RAM_SIZE);
	d->next = VDRV_RAM_GPA;
	return gm_add_region(&d->gm, VDRV_RAM_GPA, VDRV_RAM_SIZE, d->ram);
}

static inline void vdrv_fini(struct vdrv *d)
{
	free(d->ram);
	d->ram = NULL;
}

static inline void *vdrv_host(struct vdrv *d, uint64_t gpa)
{
	return d->ram + (gpa - VDRV_RAM_GPA);
}

static inline uint64_t vdrv_alloc(struct vdrv *d, uint64_t len, uint64_t align)
{
	uint64_t gpa = (d->next + align - 1) & ~(align - 1);

	d->next = gpa + len;
	if (d->next > VDRV_RAM_GPA + VDRV_RAM_SIZE)
		abort();
	memset(vdrv_host(d, gpa), 0, len);
	return gpa;
}

static inline void vdrv_q_init(struct vdrv *d, struct vdrv_q *q, uint16_t num)
{
	memset(q, 0, sizeof(*q));
	q->num = num;
	q->desc = vdrv_alloc(d, 16ULL * num, 16);
	q->avail = vdrv_alloc(d, 6 + 2ULL * num, 2);
	q->used = vdrv_alloc(d, 6 + 8ULL * num, 4);
}

static inline struct vring_desc *vdrv_desc(struct vdrv *d, struct vdrv_q *q, uint16_t i)
{
	return (struct vring_desc *)vdrv_host(d, q->desc) + i;
}

static inline void vdrv_set_desc(struct vring_desc *desc, uint64_t addr, uint32_t len,
				 uint16_t flags, uint16_t next)
{
	desc->addr = htole64(addr);
	desc->len = htole32(len);
	desc->flags = htole16(flags);
	desc->next = htole16(next);
}

static inline struct vring_avail *vdrv_avail(struct vdrv *d, struct vdrv_q *q)
{
	return vdrv_host(d, q->avail);
}

static inline struct vring_used *vdrv_used(struct vdrv *d, struct vdrv_q *q)
{
	return vdrv_host(d, q->used);
}

/* Put @head in the avail ring and publish it (§2.7.13.1-3). */
static inline void vdrv_publish(struct vdrv *d, struct vdrv_q *q, uint16_t head)
{
	struct vring_avail *a = vdrv_avail(d, q);

	a->ring[q->avail_idx % q->num] = htole16(head);
	q->avail_idx++;
	__atomic_store_n(&a->idx, htole16(q->avail_idx), __ATOMIC_RELEASE);
}

/* Write @n buffers as a chain of consecutive descriptors; returns the head. */
static inline uint16_t vdrv_chain(struct vdrv *d, struct vdrv_q *q, const struct vdrv_buf *b,
				  unsigned n)
{
	uint16_t head = q->next_desc;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) % q->num);
		uint16_t flags =
		    (b[i].write ? VRING_DESC_F_WRITE : 0) | (i + 1 < n ? VRING_DESC_F_NEXT : 0);

		vdrv_set_desc(vdrv_desc(d, q, idx), b[i].gpa, b[i].len, flags,
			      (uint16_t)((idx + 1) % q->num));
	}
	q->next_desc = (uint16_t)((head + n) % q->num);
	return head;
}

static inline uint16_t vdrv_add(struct vdrv *d, struct vdrv_q *q, const struct vdrv_buf *b,
				unsigned n)
{
	uint16_t head = vdrv_chain(d, q, b, n);

	vdrv_publish(d, q, head);
	return head;
}

/* The same buffers through one indirect table (§2.7.5.3). */
static inline uint16_t vdrv_add_indirect(struct vdrv *d, struct vdrv_q *q, const struct vdrv_buf *b,
					 unsigned n)
{
	uint64_t table = vdrv_alloc(d, 16ULL * n, 16);
	struct vring_desc *t = vdrv_host(d, table);
	uint16_t head = q->next_desc;
	unsigned i;

	for (i = 0; i < n; i++)
		vdrv_set_desc(&t[i], b[i].gpa, b[i].len,
			      (b[i].write ? VRING_DESC_F_WRITE : 0) |
				  (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			      (uint16_t)(i + 1));
	vdrv_set_desc(vdrv_desc(d, q, head), table, 16 * n, VRING_DESC_F_INDIRECT, 0);
	q->next_desc = (uint16_t)((head + 1) % q->num);
	vdrv_publish(d, q, head);
	return head;
}

/* Next used element, if the device published one. */
static inline bool vdrv_get_used(struct vdrv *d, struct vdrv_q *q, uint32_t *id, uint32_t *len)
{
	struct vring_used *u = vdrv_used(d, q);
	uint16_t idx = le16toh(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE));

	if (idx == q->last_used)
		return false;
	*id = le32toh(u->ring[q->last_used % q->num].id);
	*len = le32toh(u->ring[q->last_used % q->num].len);
	q->last_used++;
	return true;
}

/* used_event (driver -> device), avail_event (device -> driver): §2.7.10. */
static inline void vdrv_set_used_event(struct vdrv *d, struct vdrv_q *q, uint16_t v)
{
	vdrv_avail(d, q)->ring[q->num] = htole16(v);
}

static inline uint16_t vdrv_avail_event(struct vdrv *d, struct vdrv_q *q)
{
	return le16toh(*(uint16_t *)&vdrv_used(d, q)->ring[q->num]);
}

#endif
