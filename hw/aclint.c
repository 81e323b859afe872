/*
 * CLINT/ACLINT: MSWI (msip) and MTIMER (mtimecmp, mtime). One mutex guards
 * the registers; the earliest pending deadline is cached in an atomic so the
 * per-block aclint_update() costs a clock read and a compare.
 */
#include "hw/aclint.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "common/log.h"

#define NS_PER_TICK (1000000000ULL / ACLINT_MTIME_HZ)

struct aclint {
	pthread_mutex_t lock;
	struct aclint_config cfg;
	uint64_t start_ns; /* clock at create: mtime counts from here */
	/* mtime = elapsed ticks + offset; written under the lock, read without. */
	_Atomic uint64_t offset;
	uint64_t mtimecmp[ACLINT_MAX_HARTS];
	bool msip[ACLINT_MAX_HARTS];
	bool mtip[ACLINT_MAX_HARTS];
	_Atomic uint64_t next_ns; /* earliest MTIP rise, ACLINT_NO_DEADLINE if none */
	struct aclint_counters ctr;
};

static uint64_t aclint_now(const struct aclint *a)
{
	return a->cfg.now_ns ? a->cfg.now_ns(a->cfg.clock_opaque) : monotonic_ns();
}

static uint64_t aclint_elapsed_ticks(const struct aclint *a, uint64_t now)
{
	return now >= a->start_ns ? (now - a->start_ns) / NS_PER_TICK : 0;
}

static uint64_t aclint_mtime_at(const struct aclint *a, uint64_t now)
{
	return aclint_elapsed_ticks(a, now) +
	       atomic_load_explicit(&a->offset, memory_order_relaxed);
}

/* When hart @h's MTIP rises, given the clock reads @now (lock held). */
static uint64_t aclint_deadline(const struct aclint *a, unsigned h, uint64_t now)
{
	uint64_t e = aclint_elapsed_ticks(a, now), cur = aclint_mtime_at(a, now), delta, max_ticks;

	if (a->mtip[h])
		return ACLINT_NO_DEADLINE;
	if (cur >= a->mtimecmp[h])
		return now;
	delta = a->mtimecmp[h] - cur;
	max_ticks = (ACLINT_NO_DEADLINE - 1 - a->start_ns) / NS_PER_TICK;
	if (e > max_ticks || delta > max_ticks - e)
		return ACLINT_NO_DEADLINE;
	return a->start_ns + (e + delta) * NS_PER_TICK;
}

/* Recompute every MTIP and the cached deadline (lock held). */
static void aclint_recompute(struct aclint *a, uint64_t now)
{
	uint64_t mtime = aclint_mtime_at(a, now), next = ACLINT_NO_DEADLINE;

	for (unsigned h = 0; h < a->cfg.nharts; h++) {
		bool lvl = mtime >= a->mtimecmp[h];

		if (lvl != a->mtip[h]) {
			a->mtip[h] = lvl;
			a->cfg.set_mtip(a->cfg.opaque, h, lvl);
		}
		next = MIN(next, aclint_deadline(a, h, now));
	}
	atomic_store_explicit(&a->next_ns, next, memory_order_release);
}

struct aclint *aclint_create(const struct aclint_config *cfg)
{
	struct aclint *a;

	if (!cfg || !cfg->set_msip || !cfg->set_mtip || cfg->nharts == 0 ||
	    cfg->nharts > ACLINT_MAX_HARTS) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	a->cfg = *cfg;
	a->start_ns = aclint_now(a);
	for (unsigned h = 0; h < cfg->nharts; h++) {
		a->mtimecmp[h] = UINT64_MAX;
		cfg->set_msip(cfg->opaque, h, false);
		cfg->set_mtip(cfg->opaque, h, false);
	}
	aclint_recompute(a, a->start_ns);
	return a;
}

void aclint_destroy(struct aclint *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const struct aclint_counters *aclint_counters(const struct aclint *a)
{
	return &a->ctr;
}

uint64_t aclint_mtime(const struct aclint *a)
{
	return aclint_mtime_at(a, aclint_now(a));
}

void aclint_update(struct aclint *a)
{
	uint64_t now = aclint_now(a);

	if (now < atomic_load_explicit(&a->next_ns, memory_order_acquire))
		return;
	pthread_mutex_lock(&a->lock);
	aclint_recompute(a, aclint_now(a));
	pthread_mutex_unlock(&a->lock);
}

uint64_t aclint_next_deadline_ns(struct aclint *a, unsigned hart)
{
	uint64_t v;

	if (hart == ACLINT_ALL_HARTS)
		return atomic_load_explicit(&a->next_ns, memory_order_acquire);
	if (hart >= a->cfg.nharts)
		return ACLINT_NO_DEADLINE;
	pthread_mutex_lock(&a->lock);
	v = aclint_deadline(a, hart, aclint_now(a));
	pthread_mutex_unlock(&a->lock);
	return v;
}

/* Replace bytes [shift/8, shift/8 + size) of @old with @val. */
static uint64_t aclint_merge(uint64_t old, uint64_t val, unsigned size, unsigned shift)
{
	uint64_t mask = io_mask(size) << shift;

	return (old & ~mask) | ((val << shift) & mask);
}

/* Which register an access hits; false for holes and bad sizes. */
static bool aclint_decode(const struct aclint *a, uint64_t off, unsigned size, unsigned *hart,
			  unsigned *shift, int *reg)
{
	if (off < ACLINT_MTIMECMP_BASE) {
		*hart = (unsigned)(off / 4);
		*reg = 0;
		*shift = 0;
		return size == 4 && off % 4 == 0 && *hart < a->cfg.nharts;
	}
	if (off >= ACLINT_MTIME && off < ACLINT_MTIME + 8) {
		*reg = 2;
		*shift = (unsigned)(off - ACLINT_MTIME) * 8;
	} else {
		*reg = 1;
		*hart = (unsigned)((off - ACLINT_MTIMECMP_BASE) / 8);
		*shift = (unsigned)((off - ACLINT_MTIMECMP_BASE) % 8) * 8;
		if (*hart >= a->cfg.nharts)
			return false;
	}
	/* 64-bit registers: one aligned 8-byte access or an aligned 4-byte half. */
	return (size == 8 && *shift == 0) || (size == 4 && *shift % 32 == 0);
}

static uint64_t aclint_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct aclint *a = opaque;
	unsigned hart = 0, shift = 0;
	uint64_t v = 0;
	int reg;

	/* guest-controlled */
	if (offset >= ACLINT_SIZE || !aclint_decode(a, offset, size, &hart, &shift, &reg)) {
		guest_err(&a->ctr.bad_access, "aclint: %u-byte read at +0x%llx", size,
			  (unsigned long long)offset);
		return 0;
	}
	pthread_mutex_lock(&a->lock);
	if (reg == 0)
		v = a->msip[hart];
	else if (reg == 1)
		v = a->mtimecmp[hart] >> shift;
	else
		v = aclint_mtime_at(a, aclint_now(a)) >> shift;
	pthread_mutex_unlock(&a->lock);
	return v & io_mask(size);
}

static void aclint_write_locked(struct aclint *a, int reg, unsigned hart, unsigned shift,
				uint64_t value, unsigned size)
{
	uint64_t now = aclint_now(a);

	if (reg == 0) {
		bool lvl = value & 1; /* MSWI: bits 31:1 are read-only zero */

		if (lvl != a->msip[hart]) {
			a->msip[hart] = lvl;
			a->cfg.set_msip(a->cfg.opaque, hart, lvl);
		}
		return;
	}
	if (reg == 1) {
		a->mtimecmp[hart] = aclint_merge(a->mtimecmp[hart], value, size, shift);
	} else {
		uint64_t mtime = aclint_merge(aclint_mtime_at(a, now), value, size, shift);

		atomic_store_explicit(&a->offset, mtime - aclint_elapsed_ticks(a, now),
				      memory_order_relaxed);
	}
	aclint_recompute(a, now);
}

static void aclint_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct aclint *a = opaque;
	unsigned hart = 0, shift = 0;
	int reg;

	/* guest-controlled */
	if (offset >= ACLINT_SIZE || !aclint_decode(a, offset, size, &hart, &shift, &reg)) {
		guest_err(&a->ctr.bad_access, "aclint: %u-byte write at +0x%llx", size,
			  (unsigned long long)offset);
		return;
	}
	pthread_mutex_lock(&a->lock);
	aclint_write_locked(a, reg, hart, shift, value, size);
	pthread_mutex_unlock(&a->lock);
}

const struct io_dev_ops aclint_io_ops = {
    .read = aclint_mmio_read,
    .write = aclint_mmio_write,
};
