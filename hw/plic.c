/*
 * RISC-V PLIC (riscv-plic-1.0.0). All state sits behind one mutex; after
 * every change the outputs of all contexts are recomputed and the ones that
 * changed are signalled (at most 16 contexts x 32 words: cheap).
 */
#include "hw/plic.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "common/log.h"

#define PLIC_WORDS   ((PLIC_MAX_SOURCES + 1 + 31) / 32)
#define PLIC_MAX_CTX (2 * PLIC_MAX_HARTS)

/* riscv-plic-1.0.0 §"Memory Map" */
#define PLIC_PRIORITY_BASE  0x000000
#define PLIC_PENDING_BASE   0x001000
#define PLIC_ENABLE_BASE    0x002000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT_BASE   0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CTX_THRESHOLD  0x0
#define PLIC_CTX_CLAIM	    0x4

struct plic {
	pthread_mutex_t lock;
	struct plic_config cfg;
	unsigned nctx;
	uint32_t priority[PLIC_MAX_SOURCES + 1];
	uint32_t pending[PLIC_WORDS];
	uint32_t claimed[PLIC_WORDS]; /* claimed, not yet completed */
	uint32_t level[PLIC_WORDS];   /* the input line as last driven */
	uint32_t enable[PLIC_MAX_CTX][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CTX];
	bool out[PLIC_MAX_CTX];
	struct plic_counters ctr;
};

static bool plic_bit(const uint32_t *bm, unsigned n)
{
	return bm[n / 32] >> (n % 32) & 1;
}

static void plic_set_bit(uint32_t *bm, unsigned n, bool v)
{
	if (v)
		bm[n / 32] |= 1u << (n % 32);
	else
		bm[n / 32] &= ~(1u << (n % 32));
}

/* Mode of context @ctx in QEMU virt's layout: even = M, odd = S. */
static unsigned plic_ctx_mode(unsigned ctx)
{
	return ctx & 1 ? PLIC_MODE_S : PLIC_MODE_M;
}

/* The best claimable source of @ctx (highest priority, then lowest id), or 0. */
static unsigned plic_best(const struct plic *p, unsigned ctx)
{
	unsigned best = 0, best_prio = p->threshold[ctx];

	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t cand = p->pending[w] & ~p->claimed[w] & p->enable[ctx][w];

		while (cand) {
			unsigned src = w * 32 + (unsigned)__builtin_ctz(cand);

			cand &= cand - 1;
			if (p->priority[src] > best_prio) {
				best = src;
				best_prio = p->priority[src];
			}
		}
	}
	return best;
}

/* Called with the lock held after any state change. */
static void plic_update(struct plic *p)
{
	for (unsigned ctx = 0; ctx < p->nctx; ctx++) {
		bool lvl = plic_best(p, ctx) != 0;

		if (lvl == p->out[ctx])
			continue;
		p->out[ctx] = lvl;
		p->cfg.set_ext_irq(p->cfg.opaque, ctx / 2, plic_ctx_mode(ctx), lvl);
	}
}

struct plic *plic_create(const struct plic_config *cfg)
{
	struct plic *p;

	if (!cfg || !cfg->set_ext_irq || cfg->nharts == 0 || cfg->nharts > PLIC_MAX_HARTS ||
	    cfg->ndev == 0 || cfg->ndev > PLIC_MAX_SOURCES) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	p->cfg = *cfg;
	p->nctx = 2 * cfg->nharts;
	for (unsigned ctx = 0; ctx < p->nctx; ctx++)
		cfg->set_ext_irq(cfg->opaque, ctx / 2, plic_ctx_mode(ctx), false);
	return p;
}

void plic_destroy(struct plic *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const struct plic_counters *plic_counters(const struct plic *p)
{
	return &p->ctr;
}

void plic_set_irq(struct plic *p, unsigned src, bool level)
{
	if (src == 0 || src > p->cfg.ndev) {
		atomic_fetch_add_explicit(&p->ctr.bad_source, 1, memory_order_relaxed);
		log_err("plic: source %u out of range 1..%u", src, p->cfg.ndev);
		return;
	}
	pthread_mutex_lock(&p->lock);
	plic_set_bit(p->level, src, level);
	/* Gateway: a claimed source forwards no new request until completed. */
	if (!plic_bit(p->claimed, src))
		plic_set_bit(p->pending, src, level);
	plic_update(p);
	pthread_mutex_unlock(&p->lock);
}

bool plic_output(struct plic *p, unsigned hart, unsigned mode)
{
	unsigned ctx = 2 * hart + (mode == PLIC_MODE_S);
	bool v;

	if (hart >= p->cfg.nharts)
		return false;
	pthread_mutex_lock(&p->lock);
	v = p->out[ctx];
	pthread_mutex_unlock(&p->lock);
	return v;
}

static void plic_irq_sink_set_level(void *opaque, unsigned gsi, bool level)
{
	plic_set_irq(opaque, gsi, level);
}

const struct irq_sink_ops plic_irq_sink_ops = {.set_level = plic_irq_sink_set_level};

/* Claim (§"Interrupt Claim Process"): take the best source, clear its pending bit. */
static uint32_t plic_claim(struct plic *p, unsigned ctx)
{
	unsigned src = plic_best(p, ctx);

	if (!src)
		return 0;
	plic_set_bit(p->pending, src, false);
	plic_set_bit(p->claimed, src, true);
	atomic_fetch_add_explicit(&p->ctr.claims, 1, memory_order_relaxed);
	return src;
}

/*
 * Complete (§"Interrupt Completion"): an id not enabled for the context is
 * silently ignored by the spec; we also count it, as it is a guest bug.
 */
static void plic_complete(struct plic *p, unsigned ctx, uint64_t id)
{
	/* guest-controlled */
	if (id == 0 || id > p->cfg.ndev || !plic_bit(p->enable[ctx], (unsigned)id)) {
		guest_err(&p->ctr.bad_access, "plic: context %u completes bad id %llu", ctx,
			  (unsigned long long)id);
		return;
	}
	plic_set_bit(p->claimed, (unsigned)id, false);
	/* Level-triggered: a line still high is a new request. */
	if (plic_bit(p->level, (unsigned)id))
		plic_set_bit(p->pending, (unsigned)id, true);
}

/* Mask of the enable/pending bits of word @w that name real sources. */
static uint32_t plic_valid_mask(const struct plic *p, unsigned w)
{
	uint32_t m = ~0u;

	if (w == 0)
		m &= ~1u; /* source 0 does not exist */
	if (p->cfg.ndev < w * 32 + 31) {
		unsigned keep = p->cfg.ndev >= w * 32 ? p->cfg.ndev - w * 32 + 1 : 0;

		m &= keep >= 32 ? ~0u : (1u << keep) - 1;
	}
	return m;
}

/* Decode @off into a register; returns false for holes. */
static bool plic_read_reg(struct plic *p, uint64_t off, uint32_t *val)
{
	if (off < PLIC_PENDING_BASE) {
		unsigned src = (unsigned)(off / 4);

		*val = src <= p->cfg.ndev ? p->priority[src] : 0;
		return true;
	}
	if (off < PLIC_ENABLE_BASE) {
		unsigned w = (unsigned)((off - PLIC_PENDING_BASE) / 4);

		*val = w < PLIC_WORDS ? p->pending[w] : 0;
		return w < PLIC_WORDS;
	}
	if (off < PLIC_CONTEXT_BASE) {
		uint64_t rel = off - PLIC_ENABLE_BASE;
		unsigned ctx = (unsigned)(rel / PLIC_ENABLE_STRIDE);
		unsigned w = (unsigned)(rel % PLIC_ENABLE_STRIDE / 4);

		if (ctx >= p->nctx || w >= PLIC_WORDS)
			return false;
		*val = p->enable[ctx][w];
		return true;
	}
	uint64_t rel = off - PLIC_CONTEXT_BASE;
	unsigned ctx = (unsigned)(rel / PLIC_CONTEXT_STRIDE);

	if (ctx >= p->nctx)
		return false;
	switch (rel % PLIC_CONTEXT_STRIDE) {
	case PLIC_CTX_THRESHOLD:
		*val = p->threshold[ctx];
		return true;
	case PLIC_CTX_CLAIM:
		*val = plic_claim(p, ctx);
		return true;
	}
	return false;
}

static bool plic_write_reg(struct plic *p, uint64_t off, uint32_t val)
{
	if (off < PLIC_PENDING_BASE) {
		unsigned src = (unsigned)(off / 4);

		/* WARL: source 0 and absent sources read 0; wide values are clipped. */
		if (src != 0 && src <= p->cfg.ndev)
			p->priority[src] = MIN(val, (uint32_t)PLIC_MAX_PRIORITY);
		return true;
	}
	if (off < PLIC_ENABLE_BASE)
		return false; /* pending bits are read-only */
	if (off < PLIC_CONTEXT_BASE) {
		uint64_t rel = off - PLIC_ENABLE_BASE;
		unsigned ctx = (unsigned)(rel / PLIC_ENABLE_STRIDE);
		unsigned w = (unsigned)(rel % PLIC_ENABLE_STRIDE / 4);

		if (ctx >= p->nctx || w >= PLIC_WORDS)
			return false;
		p->enable[ctx][w] = val & plic_valid_mask(p, w);
		return true;
	}
	uint64_t rel = off - PLIC_CONTEXT_BASE;
	unsigned ctx = (unsigned)(rel / PLIC_CONTEXT_STRIDE);

	if (ctx >= p->nctx)
		return false;
	switch (rel % PLIC_CONTEXT_STRIDE) {
	case PLIC_CTX_THRESHOLD:
		p->threshold[ctx] = MIN(val, (uint32_t)PLIC_MAX_PRIORITY);
		return true;
	case PLIC_CTX_CLAIM:
		plic_complete(p, ctx, val);
		return true;
	}
	return false;
}

static uint64_t plic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct plic *p = opaque;
	uint32_t val = 0;
	bool ok;

	/* guest-controlled: the spec defines naturally aligned 32-bit accesses only */
	if (size != 4 || offset % 4 || offset >= PLIC_SIZE) {
		guest_err(&p->ctr.bad_access, "plic: %u-byte read at +0x%llx", size,
			  (unsigned long long)offset);
		return 0;
	}
	pthread_mutex_lock(&p->lock);
	ok = plic_read_reg(p, offset, &val);
	plic_update(p);
	pthread_mutex_unlock(&p->lock);
	if (!ok)
		guest_err(&p->ctr.bad_access, "plic: read of reserved +0x%llx",
			  (unsigned long long)offset);
	return val;
}

static void plic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct plic *p = opaque;
	bool ok;

	/* guest-controlled */
	if (size != 4 || offset % 4 || offset >= PLIC_SIZE) {
		guest_err(&p->ctr.bad_access, "plic: %u-byte write at +0x%llx", size,
			  (unsigned long long)offset);
		return;
	}
	pthread_mutex_lock(&p->lock);
	ok = plic_write_reg(p, offset, (uint32_t)value);
	plic_update(p);
	pthread_mutex_unlock(&p->lock);
	if (!ok)
		guest_err(&p->ctr.bad_access, "plic: write of reserved +0x%llx",
			  (unsigned long long)offset);
}

const struct io_dev_ops plic_io_ops = {
    .read = plic_mmio_read,
    .write = plic_mmio_write,
};
