/*
 * The x86-64 code cache and backend entry points. The cache is one memfd
 * mapped twice: a read-write view the JIT writes through and a read-execute
 * view the CPU runs, so no page is ever writable and executable at once
 * (and chaining can patch code another vCPU may be running).
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/tcg/fpu/hostfloat.h"
#include "accel/tcg/host/x86_64/x86_64.h"
#include "common/log.h"

/*
 * Under valgrind (callgrind is how JIT performance is measured here), code
 * written through the RW view is not seen as modified in the RX view:
 * without telling valgrind, patched chains would keep running their old
 * exits and reused cache space its stale translations. Outside valgrind
 * the request is a few no-op instructions, and it runs only when code is
 * written.
 */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CACHE_CODE_CHANGED(p, n) VALGRIND_DISCARD_TRANSLATIONS((p), (n))
#endif
#endif
#ifndef CACHE_CODE_CHANGED
#define CACHE_CODE_CHANGED(p, n) ((void)(p), (void)(n))
#endif

#define DEFAULT_CODE_SIZE (64ULL << 20)

struct x86_cache {
	int fd;
	uint8_t *rw, *rx;
	size_t size, used, body_start;
	size_t populated; /* bytes from the start mapped in both views ahead of use */
	bool no_populate; /* the kernel has no MADV_POPULATE_* (before 5.14) */
	uint8_t *epilogue_rw;
	uint8_t *slow_thunk_rw[2]; /* load, store (x86_emit_slow_thunk) */
	uint8_t *fp_thunk_rw;	   /* x86_emit_fp_thunk */
	uint8_t *probe_thunk_rw[TCG_NB_MMU_MODES][4][2]; /* x86_emit_probe_thunk */
	uintptr_t (*enter)(struct tcg_cpu *cpu, void *code);
	struct x86_gen *gen;
};

/* lzcnt (ABM), tzcnt (BMI1) and popcnt are used unconditionally. */
static bool host_features_ok(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 23)))
		return false;
	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(c & (1u << 5)))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 3)))
		return false;
	return true;
}

static const int8_t saved_regs[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};

/*
 * enter(cpu, code): save the callee-saved registers, rbp = cpu, make the
 * frame, jump to the block. Blocks leave through the epilogue with the
 * exit value in rax.
 */
static void emit_trampolines(struct x86_cache *c)
{
	struct x86_buf b = {
	    .p = c->rw, .start = c->rw, .end = c->rw + 8192, .rx_delta = c->rx - c->rw};
	uint8_t *enter = b.p;

	for (unsigned i = 0; i < ARRAY_SIZE(saved_regs); i++)
		x86_push(&b, saved_regs[i]);
	x86_mov_rr(&b, true, X86_RBP, X86_RDI);
	x86_alu_ri(&b, X86_SUB, true, X86_RSP, X86_FRAME_SIZE);
	x86_jmp_r(&b, X86_RSI);
	x86_align(&b, 16, 0);
	c->epilogue_rw = b.p;
	x86_alu_ri(&b, X86_ADD, true, X86_RSP, X86_FRAME_SIZE);
	for (unsigned i = ARRAY_SIZE(saved_regs); i-- > 0;)
		x86_pop(&b, saved_regs[i]);
	x86_ret(&b);
	for (unsigned i = 0; i < 2; i++) {
		x86_align(&b, 16, 0);
		c->slow_thunk_rw[i] = b.p;
		x86_emit_slow_thunk(&b, i == 1);
	}
	x86_align(&b, 16, 0);
	c->fp_thunk_rw = b.p;
	x86_emit_fp_thunk(&b);
	for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
		for (unsigned z = 0; z < 4; z++) {
			for (unsigned st = 0; st < 2; st++) {
				x86_align(&b, 16, 0);
				c->probe_thunk_rw[m][z][st] = b.p;
				x86_emit_probe_thunk(&b, m, 1u << z, st == 1);
			}
		}
	}
	x86_align(&b, 16, 0);
	c->body_start = (size_t)(b.p - c->rw);
	c->used = c->body_start;
	memcpy(&c->enter, &(void *){enter + (c->rx - c->rw)}, sizeof(void *));
}

static int map_cache(struct x86_cache *c)
{
	c->fd = memfd_create("vmm-tcg-code", MFD_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	if (ftruncate(c->fd, (off_t)c->size) < 0)
		return -errno;
	c->rw = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->rw == MAP_FAILED) {
		c->rw = NULL;
		return -errno;
	}
	c->rx = mmap(NULL, c->size, PROT_READ | PROT_EXEC, MAP_SHARED, c->fd, 0);
	if (c->rx == MAP_FAILED) {
		c->rx = NULL;
		return -errno;
	}
	return 0;
}

static void x86_fini(struct tcg_ctx *ctx)
{
	struct x86_cache *c = ctx->be_data;

	if (!c)
		return;
	if (c->rw)
		munmap(c->rw, c->size);
	if (c->rx)
		munmap(c->rx, c->size);
	if (c->fd >= 0)
		close(c->fd);
	free(c->gen);
	free(c);
	ctx->be_data = NULL;
}

static int x86_init(struct tcg_ctx *ctx)
{
	struct x86_cache *c;
	int rc;

	if (!host_features_ok())
		return -ENODEV;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ctx->be_data = c;
	c->fd = -1;
	c->size = ALIGN_UP(ctx->cfg.code_size ? ctx->cfg.code_size : DEFAULT_CODE_SIZE,
			   (size_t)TCG_PAGE_SIZE);
	c->gen = calloc(1, sizeof(*c->gen));
	if (c->gen)
		c->gen->fp_inline = hf_mxcsr_default_mode(); /* the vCPU threads inherit it */
	rc = c->gen ? map_cache(c) : -ENOMEM;
	if (rc < 0) {
		log_err("tcg: code cache: %s", strerror(-rc));
		x86_fini(ctx);
		return rc;
	}
	emit_trampolines(c);
	return 0;
}

/* The largest RAM region, for the MMU indexes whose addresses are physical. */
static void pick_window(struct tcg_ctx *ctx, struct x86_gen *g)
{
	const struct guest_mem *gm = ctx->cfg.mem;

	g->win_size = 0;
	g->win_mmu_mask = ctx->fe->tlb_fill ? ctx->fe->phys_mmu_mask : ~0u;
	if (!gm || !g->win_mmu_mask)
		return;
	for (unsigned i = 0; i < gm->n; i++) {
		if (gm->r[i].size > g->win_size) {
			g->win_base = gm->r[i].gpa;
			g->win_size = gm->r[i].size;
			g->win_host = gm->r[i].host;
		}
	}
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

/*
 * Map the cache's pages ahead of the allocator, a chunk per madvise, in
 * the RW view (allocating them) and the RX view: otherwise each new 4 KiB
 * page costs two page faults, one when written and one when first run
 * (a Linux boot writes about 32 MiB of code). Best effort.
 */
#define POPULATE_CHUNK (512u * 1024)

static void populate_ahead(struct x86_cache *c)
{
	size_t n;

	if (c->no_populate || c->used + POPULATE_CHUNK / 2 < c->populated ||
	    c->populated >= c->size)
		return;
	n = MIN((size_t)POPULATE_CHUNK, c->size - c->populated);
	if (madvise(c->rw + c->populated, n, MADV_POPULATE_WRITE) < 0 ||
	    madvise(c->rx + c->populated, n, MADV_POPULATE_READ) < 0) {
		c->no_populate = true;
		return;
	}
	c->populated += n;
}

static int x86_gen(struct tcg_ctx *ctx, struct tcg_tb *tb, struct tcg_ir *ir)
{
	struct x86_cache *c = ctx->be_data;
	struct x86_gen *g = c->gen;
	int rc;

	populate_ahead(c);
	g->b = (struct x86_buf){.p = c->rw + c->used,
				.start = c->rw + c->used,
				.end = c->rw + c->size,
				.rx_delta = c->rx - c->rw};
	g->epilogue = c->epilogue_rw;
	g->slow_thunk[0] = c->slow_thunk_rw[0];
	g->slow_thunk[1] = c->slow_thunk_rw[1];
	g->fp_thunk = c->fp_thunk_rw;
	memcpy(g->probe_thunk, c->probe_thunk_rw, sizeof(g->probe_thunk));
	pick_window(ctx, g);
	tb->code = c->rx + c->used;
	memset(tb->jmp_target, 0, sizeof(tb->jmp_target));
	tb->loop_entry = 0;
	tb->loop_slots = 0;
	tb->check_skip = 0;
	rc = x86_gen_tb(g, ir, tb);
	if (rc < 0)
		return rc;
	tb->code_size = (size_t)(g->b.p - g->b.start);
	CACHE_CODE_CHANGED(tb->code, tb->code_size);
	c->used = ALIGN_UP((size_t)(g->b.p - c->rw), (size_t)16);
	ctx->stats.code_used = c->used;
	return 0;
}

static uintptr_t x86_exec(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	struct x86_cache *c = cpu->ctx->be_data;

	return c->enter(cpu, tb->code);
}

/* Repoint a goto_tb: one aligned 32-bit store, atomic for running vCPUs. */
static void x86_patch(struct tcg_ctx *ctx, struct tcg_tb *tb, unsigned n, struct tcg_tb *dst)
{
	struct x86_cache *c = ctx->be_data;
	uintptr_t at = tb->jmp_target[n];
	uintptr_t to = dst ? (uintptr_t)dst->code : tb->jmp_reset[n];

	/* A self-loop skips the loads of the globals pinned in registers. */
	if (dst == tb && tb->loop_entry)
		to = tb->loop_entry;
	else if (dst && (tb->loop_slots & (1u << n)))
		to = tb->jmp_reset[n]; /* same pc, other flags: needs the write-back */
	else if (dst && dst->pc > tb->pc && dst->check_skip)
		to += dst->check_skip;
	int32_t rel = (int32_t)(to - (at + 4));

	__atomic_store_n((int32_t *)(at - (uintptr_t)(c->rx - c->rw)), rel, __ATOMIC_RELEASE);
	CACHE_CODE_CHANGED(at, 4);
}

static void x86_flush(struct tcg_ctx *ctx)
{
	struct x86_cache *c = ctx->be_data;

	c->used = c->body_start;
	ctx->stats.code_used = c->used;
}

const struct tcg_backend_ops tcg_x86_64_backend = {
    .name = "native",
    .init = x86_init,
    .fini = x86_fini,
    .gen = x86_gen,
    .exec = x86_exec,
    .patch = x86_patch,
    .flush = x86_flush,
};
