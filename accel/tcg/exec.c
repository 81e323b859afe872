/*
 * Contexts, vCPUs and the exec loop: find (or translate) the block for
 * (pc, tb_flags), chain it to the block that just exited, run it, and
 * handle exit requests, exceptions (siglongjmp back here) and TB flushes
 * between blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "accel/tcg/internal.h"
#include "common/log.h"
#include "common/mapping.h"

static const struct tcg_backend_ops *pick_backend(enum tcg_backend_kind kind)
{
#if defined(__x86_64__) && defined(TCG_HAVE_X86_64)
	if (kind != TCG_BACKEND_KIND_INTERP)
		return &tcg_x86_64_backend;
#endif
	if (kind == TCG_BACKEND_KIND_NATIVE)
		return NULL;
	return &tcg_interp_backend;
}

static int page_maps_init(struct tcg_ctx *ctx)
{
	const struct guest_mem *gm = ctx->cfg.mem;

	for (unsigned i = 0; gm && i < gm->n; i++) {
		struct tcg_page_map *m = &ctx->pages[ctx->n_page_maps];
		m->gpa = gm->r[i].gpa & TCG_PAGE_MASK;
		m->npages =
		    (gm->r[i].gpa + gm->r[i].size - m->gpa + TCG_PAGE_SIZE - 1) >> TCG_PAGE_BITS;
		m->first = calloc(m->npages, sizeof(*m->first));
		m->extent = calloc(m->npages, sizeof(*m->extent));
		if (!m->first || !m->extent) {
			free(m->first);
			free(m->extent);
			return -ENOMEM;
		}
		ctx->n_page_maps++;
	}
	return 0;
}

/*
 * Zeroed memory for the tables every guest access or block lookup touches
 * (a vCPU's TLB and jump cache, the block hash): 2 MiB-aligned and backed
 * by transparent huge pages where the host allows, so they cost few host
 * TLB entries. *@len receives the mapped length for tables_free().
 */
static void *tables_alloc(size_t size, size_t *len)
{
	size_t n = ALIGN_UP(size, HUGE_2M);
	void *p = map_anon_2m(n, 0);

	if (!p)
		return NULL;
	madvise(p, n, MADV_HUGEPAGE);
	*len = n;
	return p;
}

static void tables_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

int tcg_ctx_new(const struct tcg_ctx_config *cfg, struct tcg_ctx **out)
{
	struct tcg_ctx *ctx;
	size_t len;
	int rc;

	if (!cfg->fe || !cfg->fe->translate_block || cfg->fe->cpu_size < sizeof(struct tcg_cpu))
		return -EINVAL;
	ctx = tables_alloc(sizeof(*ctx), &len);
	if (!ctx)
		return -ENOMEM;
	ctx->alloc_size = len;
	ctx->cfg = *cfg;
	ctx->fe = cfg->fe;
	ctx->be = pick_backend(cfg->backend);
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_mutex_init(&ctx->excl_lock, NULL);
	pthread_cond_init(&ctx->excl_cond, NULL);
	ctx->builder = calloc(1, sizeof(*ctx->builder));
	rc = -ENODEV;
	if (!ctx->be)
		goto fail;
	rc = -ENOMEM;
	if (!ctx->builder)
		goto fail;
	rc = tcg_builder_init(ctx->builder, ctx);
	if (rc == 0)
		rc = page_maps_init(ctx);
	if (rc == 0 && ctx->fe->register_globals)
		ctx->fe->register_globals(ctx);
	if (rc == 0)
		rc = ctx->be->init(ctx);
	if (rc == -ENODEV && cfg->backend == TCG_BACKEND_KIND_AUTO) {
		/* This host lacks what the native backend needs: interpret. */
		ctx->be = &tcg_interp_backend;
		rc = ctx->be->init(ctx);
	}
	if (rc < 0)
		goto fail;
	*out = ctx;
	return 0;
fail:
	ctx->be = NULL;
	tcg_ctx_free(ctx);
	return rc;
}

void tcg_ctx_free(struct tcg_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->be) {
		tcg_tb_flush_all(ctx);
		ctx->be->fini(ctx);
	} else {
		for (size_t i = 0; i < ctx->n_all; i++)
			free(ctx->all[i]);
	}
	free(ctx->all);
	for (unsigned i = 0; i < ctx->n_page_maps; i++)
	{
		free(ctx->pages[i].first);
		free(ctx->pages[i].extent);
	}
	if (ctx->builder)
		tcg_builder_fini(ctx->builder);
	free(ctx->builder);
	pthread_mutex_destroy(&ctx->lock);
	pthread_mutex_destroy(&ctx->excl_lock);
	pthread_cond_destroy(&ctx->excl_cond);
	tables_free(ctx, ctx->alloc_size);
}

const char *tcg_ctx_backend_name(const struct tcg_ctx *ctx)
{
	return ctx->be->name;
}

void tcg_ctx_stats(const struct tcg_ctx *ctx, struct tcg_stats *out)
{
	*out = ctx->stats;
	for (unsigned c = 0; c < TCG_MAX_CPUS; c++) {
		if (ctx->cpus[c]) {
			out->lookups += tcg_priv(ctx->cpus[c])->lookups;
			out->hash_lookups += tcg_priv(ctx->cpus[c])->hash_lookups;
			out->slow_accesses += tcg_priv(ctx->cpus[c])->slow_accesses;
		}
	}
}

static uint32_t add_global(struct tcg_ctx *ctx, size_t offset, const char *name, enum tcg_type type)
{
	struct tcg_temp *t;

	if (ctx->n_globals >= TCG_MAX_GLOBALS || offset >= ctx->fe->cpu_size) {
		log_err("tcg: bad global %s", name);
		abort(); /* a frontend bug at start-up, never guest-triggered */
	}
	t = &ctx->globals[ctx->n_globals];
	memset(t, 0, sizeof(*t));
	t->kind = TCG_TEMP_GLOBAL;
	t->type = (uint8_t)type;
	t->mem_offset = (int32_t)offset;
	t->name = name;
	return ctx->n_globals++;
}

tcg_i64 tcg_global_i64(struct tcg_ctx *ctx, size_t offset, const char *name)
{
	return (tcg_i64){add_global(ctx, offset, name, TCG_TYPE_I64)};
}

tcg_i32 tcg_global_i32(struct tcg_ctx *ctx, size_t offset, const char *name)
{
	return (tcg_i32){add_global(ctx, offset, name, TCG_TYPE_I32)};
}

int tcg_cpu_new(struct tcg_ctx *ctx, unsigned index, struct tcg_cpu **out)
{
	size_t size = TCG_PRIV_SIZE + ctx->fe->cpu_size;
	struct tcg_cpu_priv *priv;
	struct tcg_cpu *cpu;
	void *base;
	size_t len;

	if (index >= TCG_MAX_CPUS || ctx->cpus[index])
		return -EINVAL;
	base = tables_alloc(size, &len);
	if (!base)
		return -ENOMEM;
	priv = base;
	priv->alloc_size = len;
	cpu = (struct tcg_cpu *)((char *)base + TCG_PRIV_SIZE);
	priv->alloc_base = base;
	cpu->priv = priv;
	cpu->tlb = &priv->tlb;
	cpu->jc = priv->jc;
	cpu->ctx = ctx;
	cpu->index = index;
	cpu->exception = -1;
	if (ctx->n_page_maps) {
		priv->code_ext = ctx->pages[0].extent;
		priv->code_ext_gpa = ctx->pages[0].gpa;
		priv->code_ext_pages = ctx->pages[0].npages;
	}
	tcg_tlb_flush(cpu);
	pthread_mutex_lock(&ctx->lock);
	ctx->cpus[index] = cpu;
	pthread_mutex_unlock(&ctx->lock);
	*out = cpu;
	return 0;
}

void tcg_cpu_free(struct tcg_cpu *cpu)
{
	struct tcg_ctx *ctx;

	if (!cpu)
		return;
	ctx = cpu->ctx;
	pthread_mutex_lock(&ctx->lock);
	ctx->cpus[cpu->index] = NULL;
	ctx->stats.lookups += tcg_priv(cpu)->lookups; /* its share outlives it */
	ctx->stats.hash_lookups += tcg_priv(cpu)->hash_lookups;
	ctx->stats.slow_accesses += tcg_priv(cpu)->slow_accesses;
	pthread_mutex_unlock(&ctx->lock);
	tables_free(tcg_priv(cpu)->alloc_base, tcg_priv(cpu)->alloc_size);
}

void tcg_cpu_kick(struct tcg_cpu *cpu)
{
	atomic_store_explicit(&cpu->exit_request, 1, memory_order_release);
}

void tcg_cpu_stop(struct tcg_cpu *cpu)
{
	atomic_store_explicit(&cpu->stop_request, 1, memory_order_release);
	tcg_cpu_kick(cpu);
}

void tcg_request_tb_flush(struct tcg_cpu *cpu)
{
	tcg_priv(cpu)->flush_requested = true;
	tcg_cpu_kick(cpu);
}

void tcg_sync_code(struct tcg_cpu *cpu)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_cpu_priv *priv = tcg_priv(cpu);
	uint64_t pages[TCG_SUSPECTS], gen;
	unsigned n = 0;
	bool all = false;

	if (atomic_load(&ctx->suspect_gen) == priv->seen_suspects)
		return;
	pthread_mutex_lock(&ctx->lock);
	gen = atomic_load(&ctx->suspect_gen);
	if (gen - priv->seen_suspects > TCG_SUSPECTS)
		all = true;
	else
		for (uint64_t g = priv->seen_suspects; g != gen; g++)
			pages[n++] = ctx->suspect[g % TCG_SUSPECTS];
	pthread_mutex_unlock(&ctx->lock);
	priv->seen_suspects = gen;
	if (all) {
		tcg_request_tb_flush(cpu);
		return;
	}
	/* The blocks of those pages may predate a store that missed them. */
	for (unsigned i = 0; i < n; i++)
		tcg_invalidate_phys_range(ctx, pages[i], TCG_PAGE_SIZE);
}

struct tcg_tb *tcg_jc_lookup(struct tcg_cpu *cpu, uint64_t pc)
{
	struct tcg_jc_entry *e = &cpu->jc[tcg_jc_hash(pc)];
	struct tcg_tb *tb = e->tb;

	if (tb && e->pc == pc && tb->flags == cpu->tb_flags)
		return tb;
	return NULL;
}

/* ---- exclusive sections: nobody else in generated code ---- */

static void exec_enter(struct tcg_ctx *ctx)
{
	pthread_mutex_lock(&ctx->excl_lock);
	while (atomic_load(&ctx->excl_pending))
		pthread_cond_wait(&ctx->excl_cond, &ctx->excl_lock);
	ctx->running++;
	pthread_mutex_unlock(&ctx->excl_lock);
}

static void exec_leave(struct tcg_ctx *ctx)
{
	pthread_mutex_lock(&ctx->excl_lock);
	ctx->running--;
	pthread_cond_broadcast(&ctx->excl_cond);
	pthread_mutex_unlock(&ctx->excl_lock);
}

/* At a block boundary: let a pending exclusive section run. */
static void exec_park(struct tcg_ctx *ctx)
{
	exec_leave(ctx);
	exec_enter(ctx);
}

void tcg_cpu_yield_exclusive(struct tcg_cpu *cpu)
{
	if (atomic_load(&cpu->ctx->excl_pending))
		exec_park(cpu->ctx);
}

/* Called from inside tcg_cpu_exec (this vCPU counts as running). */
static void start_exclusive(struct tcg_cpu *self)
{
	struct tcg_ctx *ctx = self->ctx;

	pthread_mutex_lock(&ctx->excl_lock);
	while (atomic_load(&ctx->excl_pending)) {
		/* Someone else first: step aside like any parked vCPU. */
		ctx->running--;
		pthread_cond_broadcast(&ctx->excl_cond);
		while (atomic_load(&ctx->excl_pending))
			pthread_cond_wait(&ctx->excl_cond, &ctx->excl_lock);
		ctx->running++;
	}
	atomic_store(&ctx->excl_pending, true);
	for (unsigned c = 0; c < TCG_MAX_CPUS; c++) {
		if (ctx->cpus[c] && ctx->cpus[c] != self)
			tcg_cpu_kick(ctx->cpus[c]);
	}
	while (ctx->running > 1)
		pthread_cond_wait(&ctx->excl_cond, &ctx->excl_lock);
	pthread_mutex_unlock(&ctx->excl_lock);
}

static void end_exclusive(struct tcg_ctx *ctx)
{
	pthread_mutex_lock(&ctx->excl_lock);
	atomic_store(&ctx->excl_pending, false);
	pthread_cond_broadcast(&ctx->excl_cond);
	pthread_mutex_unlock(&ctx->excl_lock);
}

/* Throw every block away while no other vCPU runs generated code. */
static void exclusive_flush(struct tcg_cpu *cpu)
{
	start_exclusive(cpu);
	tcg_tb_flush_all(cpu->ctx);
	end_exclusive(cpu->ctx);
}

/* The block for cpu->pc, translated if needed. NULL on failure (logged). */
static struct tcg_tb *find_tb(struct tcg_cpu *cpu)
{
	uint64_t pc = cpu->pc;
	uint32_t flags = cpu->tb_flags;
	struct tcg_tb *tb = tcg_jc_lookup(cpu, pc);
	unsigned h;
	int rc;

	tcg_priv(cpu)->lookups++;
	if (tb)
		return tb;
	tb = tcg_tb_lookup(cpu, pc, flags);
	if (tb) {
		tcg_priv(cpu)->hash_lookups++;
	} else {
		rc = tcg_tb_translate(cpu, pc, flags, &tb);
		if (rc == -ENOSPC) { /* code cache full: start afresh */
			exclusive_flush(cpu);
			rc = tcg_tb_translate(cpu, pc, flags, &tb);
		}
		if (rc < 0) {
			log_err("tcg: translating the block at 0x%llx failed: %s",
				(unsigned long long)pc, strerror(-rc));
			return NULL;
		}
	}
	/*
	 * The lookup above checked the current mapping of every page of the
	 * block. A block running into a second, translated page is marked
	 * in jc_two: any per-page flush drops it (the flushed page may be its
	 * second one; the jump cache only knows its first), and so does any
	 * address-space switch (never global).
	 */
	h = tcg_jc_hash(pc);
	cpu->jc[h] = (struct tcg_jc_entry){.pc = pc, .tb = tb};
	tcg_used_set(tcg_priv(cpu)->jc_used, h);
	if (tcg_tb_mapping_fixed(cpu->ctx, tb)) {
		tcg_priv(cpu)->jc_global[h] = tcg_tlb_code_global(cpu, tb);
		tcg_used_clear(tcg_priv(cpu)->jc_two, h);
	} else {
		tcg_priv(cpu)->jc_global[h] = false;
		tcg_used_set(tcg_priv(cpu)->jc_two, h);
	}
	return tb;
}

static void apply_state(struct tcg_cpu *cpu, bool restore_pc)
{
	const struct tcg_insn_rec *rec = cpu->cur_insn;

	if (!rec)
		return;
	if (restore_pc)
		cpu->ctx->fe->restore_state(cpu, rec->data);
	/* Exception: the faulting insn did not retire; loop exit: it did. */
	cpu->instret -= rec->remaining - (restore_pc ? 0 : 1);
	cpu->cur_insn = NULL;
}

_Noreturn void tcg_raise_exception(struct tcg_cpu *cpu, int32_t excp, uint64_t arg)
{
	cpu->exception = excp;
	cpu->exception_arg = arg;
	apply_state(cpu, true);
	siglongjmp(tcg_priv(cpu)->jmp, 1);
}

_Noreturn void tcg_cpu_loop_exit(struct tcg_cpu *cpu)
{
	cpu->exception = -1;
	apply_state(cpu, false);
	siglongjmp(tcg_priv(cpu)->jmp, 1);
}

static void deliver(struct tcg_cpu *cpu)
{
	cpu->cur_insn = NULL;
	if (cpu->exception >= 0 && cpu->ctx->fe->do_exception)
		cpu->ctx->fe->do_exception(cpu);
	cpu->exception = -1;
}

/* Between blocks: requests from other threads, flushes, interrupts. */
static bool handle_requests(struct tcg_cpu *cpu, enum tcg_exec_result *res)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);

	atomic_store_explicit(&cpu->exit_request, 0, memory_order_relaxed);
	if (atomic_load(&cpu->ctx->excl_pending))
		exec_park(cpu->ctx);
	if (atomic_exchange(&priv->tlb_flush_pending, false))
		tcg_tlb_flush(cpu);
	if (priv->flush_requested) {
		priv->flush_requested = false;
		exclusive_flush(cpu);
	}
	if (cpu->ctx->fe->exec_interrupt)
		cpu->ctx->fe->exec_interrupt(cpu);
	if (atomic_exchange(&cpu->stop_request, 0)) {
		*res = TCG_EXEC_STOPPED;
		return true;
	}
	if (cpu->halted) {
		*res = TCG_EXEC_HALTED;
		return true;
	}
	return false;
}

static void crash_dump(struct tcg_cpu *cpu)
{
	if (cpu->ctx->fe->dump)
		cpu->ctx->fe->dump(cpu);
}

/*
 * Run blocks; @once: just one, without chaining. The exit value names
 * the block that exited and how (internal.h), so the next block can be
 * chained to it.
 */
static enum tcg_exec_result exec_loop(struct tcg_cpu *cpu, bool once)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_tb *last = NULL, *tb;
	enum tcg_exec_result res;
	unsigned code = 0;
	uint64_t flushes;

	for (;;) {
		if (atomic_load_explicit(&cpu->exit_request, memory_order_acquire) || cpu->halted) {
			last = NULL;
			if (handle_requests(cpu, &res))
				return res;
		}
		flushes = ctx->stats.tb_flushes;
		tb = find_tb(cpu);
		if (!tb) {
			crash_dump(cpu);
			return TCG_EXEC_ERROR;
		}
		if (last && code < TCG_TB_SLOTS && !once && !ctx->cfg.single_step &&
		    flushes == ctx->stats.tb_flushes)
			tcg_tb_chain(ctx, last, code, tb);
		uintptr_t ret = ctx->be->exec(cpu, tb);
		cpu->cur_insn = NULL;
		last = (struct tcg_tb *)(ret & ~(uintptr_t)TCG_EXITCODE_MASK);
		code = ret & TCG_EXITCODE_MASK;
		if (code == TCG_EXITCODE_REQUESTED) {
			cpu->pc = last->pc;
			last = NULL;
		}
		if (once)
			return TCG_EXEC_STOPPED;
	}
}

static enum tcg_exec_result exec_protected(struct tcg_cpu *cpu)
{
	if (sigsetjmp(tcg_priv(cpu)->jmp, 0) != 0)
		deliver(cpu);
	return exec_loop(cpu, false);
}

enum tcg_exec_result tcg_cpu_exec(struct tcg_cpu *cpu)
{
	enum tcg_exec_result r;

	exec_enter(cpu->ctx);
	r = exec_protected(cpu);
	exec_leave(cpu->ctx);
	return r;
}

static int exec_tb_protected(struct tcg_cpu *cpu)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);

	if (sigsetjmp(priv->jmp, 0) != 0) {
		deliver(cpu);
		return 0;
	}
	if (priv->flush_requested) {
		priv->flush_requested = false;
		exclusive_flush(cpu);
	}
	atomic_store_explicit(&cpu->exit_request, 0, memory_order_relaxed);
	return exec_loop(cpu, true) == TCG_EXEC_ERROR ? -EFAULT : 0;
}

int tcg_cpu_exec_tb(struct tcg_cpu *cpu)
{
	int rc;

	exec_enter(cpu->ctx);
	rc = exec_tb_protected(cpu);
	exec_leave(cpu->ctx);
	return rc;
}
