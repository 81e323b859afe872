/*
 * The TB cache: blocks hashed by (pc, flags, physical pc), per-page lists
 * of blocks for self-modifying-code invalidation, chaining bookkeeping and
 * the full flush. Everything here runs under ctx->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/tcg/internal.h"
#include "common/log.h"

static unsigned tb_hash(uint64_t pc, uint32_t flags)
{
	uint64_t h = (pc >> 1) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)flags * 0xc2b2ae3d27d4eb4fULL;
	return (unsigned)(h >> (64 - TCG_HASH_BITS));
}

/* The page map slot of @paddr, or NULL when it is not RAM. */
static struct tcg_tb **page_slot(struct tcg_ctx *ctx, uint64_t paddr)
{
	for (unsigned i = 0; i < ctx->n_page_maps; i++) {
		struct tcg_page_map *m = &ctx->pages[i];
		if (paddr >= m->gpa && ((paddr - m->gpa) >> TCG_PAGE_BITS) < m->npages)
			return &m->first[(paddr - m->gpa) >> TCG_PAGE_BITS];
	}
	return NULL;
}

/* The code extent of the page whose slot is @slot (struct tcg_page_map). */
static uint32_t *page_extent(struct tcg_ctx *ctx, struct tcg_tb **slot)
{
	for (unsigned i = 0; i < ctx->n_page_maps; i++) {
		struct tcg_page_map *m = &ctx->pages[i];
		if (slot >= m->first && slot < m->first + m->npages)
			return &m->extent[slot - m->first];
	}
	return NULL; /* not reached: every slot is in a map */
}

static uint32_t extent_of(const struct tcg_tb *tb, unsigned n)
{
	uint64_t lo = n == 0 ? tb->phys_lo : tb->page[1];
	uint64_t hi = n == 0 ? tb->phys_end : tb->phys_end2;
	uint64_t base = tb->page[n];

	return (uint32_t)(lo - base) | (uint32_t)(hi - base) << 16;
}

static uint32_t extent_union(uint32_t a, uint32_t b)
{
	uint32_t lo = MIN(a & 0xffff, b & 0xffff), hi = MAX(a >> 16, b >> 16);

	return lo | hi << 16;
}

bool tcg_page_has_code(struct tcg_ctx *ctx, uint64_t paddr)
{
	struct tcg_tb **slot = page_slot(ctx, paddr);
	return slot && *slot;
}

static uint64_t code_paddr_of(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags, bool *ok)
{
	uint64_t paddr = pc;

	*ok = tcg_tlb_code_paddr(cpu, pc, tcg_code_mmu_idx(cpu->ctx, flags), &paddr) == 0;
	return paddr;
}

/* A two-page block: does its second virtual page still map to its page[1]? */
static bool second_page_ok(struct tcg_cpu *cpu, const struct tcg_tb *tb)
{
	bool ok;
	uint64_t p = code_paddr_of(cpu, (tb->pc & TCG_PAGE_MASK) + TCG_PAGE_SIZE, tb->flags, &ok);

	return ok && (p & TCG_PAGE_MASK) == tb->page[1];
}

struct tcg_tb *tcg_tb_lookup(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_tb *tb;
	bool ok;
	uint64_t phys = code_paddr_of(cpu, pc, flags, &ok);

	/*
	 * pc is not mapped for execution now: a block translated while it
	 * was must not run. Translating again gives the frontend's fault.
	 */
	if (!ok)
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	for (tb = ctx->hash[tb_hash(pc, flags)]; tb; tb = tb->hash_next) {
		if (tb->pc == pc && tb->flags == flags && tb->phys_pc == phys &&
		    (tb->page[1] == ~0ULL || second_page_ok(cpu, tb)))
			break;
	}
	pthread_mutex_unlock(&ctx->lock);
	return tb;
}

/* Page lists hold tagged pointers: (tb | which page of the tb). */
static struct tcg_tb *tag_tb(uintptr_t v)
{
	return (struct tcg_tb *)(v & ~(uintptr_t)1);
}

static void page_add(struct tcg_cpu *cpu, struct tcg_tb *tb, unsigned n)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_tb **slot = page_slot(ctx, tb->page[n]);
	uint32_t *ext;
	bool first;

	if (!slot)
		return;
	ext = page_extent(ctx, slot);
	first = !*slot;
	/* read without the lock: outside_code(), tcg_code_store_ok() */
	__atomic_store_n(ext, first ? extent_of(tb, n) : extent_union(*ext, extent_of(tb, n)),
			 __ATOMIC_RELAXED);
	tb->page_next[n] = *slot;
	/* Published as code first: tcg_tlb_flush_page_all relies on the order. */
	__atomic_store_n(slot, (struct tcg_tb *)((uintptr_t)tb | n), __ATOMIC_SEQ_CST);
	if (first)
		tcg_tlb_flush_page_all(cpu, tb->page[n]);
}

static void page_remove(struct tcg_ctx *ctx, struct tcg_tb *tb, unsigned n)
{
	struct tcg_tb **slot = page_slot(ctx, tb->page[n]);
	uintptr_t want = (uintptr_t)tb | n;

	while (slot && *slot) {
		uintptr_t v = (uintptr_t)*slot;
		if (v == want) {
			*slot = tb->page_next[n];
			return;
		}
		slot = &tag_tb(v)->page_next[v & 1];
	}
}

/* Remove (from, slot) from to's incoming list. */
static void jmp_in_remove(struct tcg_tb *to, struct tcg_tb *from, unsigned slot)
{
	uintptr_t *p = &to->jmp_in, want = (uintptr_t)from | slot;

	while (*p) {
		if (*p == want) {
			*p = from->jmp_in_next[slot];
			return;
		}
		p = &((struct tcg_tb *)(*p & ~(uintptr_t)TCG_TB_SLOT_MASK))
			 ->jmp_in_next[*p & TCG_TB_SLOT_MASK];
	}
}

bool tcg_tb_mapping_fixed(const struct tcg_ctx *ctx, const struct tcg_tb *tb)
{
	if (tb->page[1] == ~0ULL || !ctx->fe->tlb_fill)
		return true;
	return (ctx->fe->phys_mmu_mask >> tcg_code_mmu_idx(ctx, tb->flags)) & 1;
}

void tcg_tb_chain(struct tcg_ctx *ctx, struct tcg_tb *from, unsigned slot, struct tcg_tb *to)
{
	/*
	 * Not to a block whose second page is translated: a jump straight
	 * into it would not see that page remapped (the lookup checks it).
	 */
	if (!tcg_tb_mapping_fixed(ctx, to))
		return;
	pthread_mutex_lock(&ctx->lock);
	if (!from->invalid && !to->invalid && !from->jmp_dest[slot] && from->jmp_target[slot]) {
		from->jmp_dest[slot] = to;
		from->jmp_in_next[slot] = to->jmp_in;
		to->jmp_in = (uintptr_t)from | slot;
		ctx->be->patch(ctx, from, slot, to);
		ctx->stats.chains++;
	}
	pthread_mutex_unlock(&ctx->lock);
}

static void jc_remove(struct tcg_ctx *ctx, struct tcg_tb *tb)
{
	unsigned h = tcg_jc_hash(tb->pc);

	for (unsigned c = 0; c < TCG_MAX_CPUS; c++) {
		if (ctx->cpus[c] && ctx->cpus[c]->jc[h].tb == tb)
			ctx->cpus[c]->jc[h].tb = NULL;
	}
}

static void hash_remove(struct tcg_ctx *ctx, struct tcg_tb *tb)
{
	struct tcg_tb **p = &ctx->hash[tb_hash(tb->pc, tb->flags)];

	while (*p && *p != tb)
		p = &(*p)->hash_next;
	if (*p)
		*p = tb->hash_next;
}

/* Unlink @tb from everything; its code stays until the next flush. */
static void tb_invalidate(struct tcg_ctx *ctx, struct tcg_tb *tb)
{
	tb->invalid = true;
	hash_remove(ctx, tb);
	for (unsigned n = 0; n < 2; n++) {
		if (tb->page[n] != ~0ULL)
			page_remove(ctx, tb, n);
	}
	jc_remove(ctx, tb);
	/* Blocks jumping here go back to their exits. */
	while (tb->jmp_in) {
		struct tcg_tb *from = (struct tcg_tb *)(tb->jmp_in & ~(uintptr_t)TCG_TB_SLOT_MASK);
		unsigned slot = tb->jmp_in & TCG_TB_SLOT_MASK;
		tb->jmp_in = from->jmp_in_next[slot];
		from->jmp_dest[slot] = NULL;
		ctx->be->patch(ctx, from, slot, NULL);
	}
	for (unsigned n = 0; n < TCG_TB_SLOTS; n++) {
		if (tb->jmp_dest[n]) {
			jmp_in_remove(tb->jmp_dest[n], tb, n);
			tb->jmp_dest[n] = NULL;
		}
	}
	ctx->stats.tbs_invalidated++;
}

static bool tb_overlaps(const struct tcg_tb *tb, unsigned n, uint64_t start, uint64_t end)
{
	uint64_t lo = n == 0 ? tb->phys_lo : tb->page[1];
	uint64_t hi = n == 0 ? tb->phys_end : tb->phys_end2;

	return start < hi && lo < end;
}

/* Does [start, end) meet the code extent @ext of @page? */
static bool extent_hit(uint32_t ext, uint64_t page, uint64_t start, uint64_t end)
{
	return start < page + (ext >> 16) && page + (ext & 0xffff) < end;
}

/*
 * Without the lock: a range within one page that misses the page's code
 * (the common store to data beside code). Racing with another vCPU's
 * translation is no worse than with the lock: cross-vCPU code writes are
 * ordered by the guest's fence.i (see README, self-modifying code).
 */
static bool outside_code(struct tcg_ctx *ctx, uint64_t paddr, uint64_t end)
{
	uint64_t page = paddr & TCG_PAGE_MASK;
	struct tcg_tb **slot;

	if (end - page > TCG_PAGE_SIZE)
		return false;
	slot = page_slot(ctx, page);
	if (!slot || !__atomic_load_n(slot, __ATOMIC_RELAXED))
		return true;
	return !extent_hit(__atomic_load_n(page_extent(ctx, slot), __ATOMIC_RELAXED), page, paddr,
			   end);
}

void tcg_invalidate_phys_range(struct tcg_ctx *ctx, uint64_t paddr, uint64_t len)
{
	uint64_t end = paddr + len;

	if (len == 0 || end < paddr)
		return;
	if (outside_code(ctx, paddr, end))
		return;
	pthread_mutex_lock(&ctx->lock);
	for (uint64_t page = paddr & TCG_PAGE_MASK; page < end; page += TCG_PAGE_SIZE) {
		struct tcg_tb **slot = page_slot(ctx, page);
		uintptr_t v = slot ? (uintptr_t)*slot : 0;
		if (v && !extent_hit(*page_extent(ctx, slot), page, paddr, end))
			v = 0;
		while (v) {
			struct tcg_tb *tb = tag_tb(v);
			unsigned n = v & 1;
			v = (uintptr_t)tb->page_next[n];
			if (tb_overlaps(tb, n, paddr, end))
				tb_invalidate(ctx, tb);
		}
		if (page + TCG_PAGE_SIZE < page)
			break;
	}
	pthread_mutex_unlock(&ctx->lock);
}

static void tb_free(struct tcg_ctx *ctx, struct tcg_tb *tb)
{
	if (ctx->be->tb_free)
		ctx->be->tb_free(tb);
	free(tb->insns);
	free(tb);
}

/* Caller holds the lock. */
static void flush_locked(struct tcg_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_all; i++)
		tb_free(ctx, ctx->all[i]);
	ctx->n_all = 0;
	memset(ctx->hash, 0, sizeof(ctx->hash));
	for (unsigned i = 0; i < ctx->n_page_maps; i++)
		memset(ctx->pages[i].first, 0, ctx->pages[i].npages * sizeof(struct tcg_tb *));
	for (unsigned c = 0; c < TCG_MAX_CPUS; c++) {
		if (ctx->cpus[c])
			memset(ctx->cpus[c]->jc, 0, TCG_JC_SIZE * sizeof(struct tcg_jc_entry));
	}
	if (ctx->be->flush)
		ctx->be->flush(ctx);
	ctx->stats.tb_flushes++;
}

void tcg_tb_flush_all(struct tcg_ctx *ctx)
{
	pthread_mutex_lock(&ctx->lock);
	flush_locked(ctx);
	pthread_mutex_unlock(&ctx->lock);
}

static int remember(struct tcg_ctx *ctx, struct tcg_tb *tb)
{
	if (ctx->n_all == ctx->cap_all) {
		size_t cap = ctx->cap_all ? ctx->cap_all * 2 : 1024;
		/*
		 * Not realloc(): glibc grows large blocks with mremap, which
		 * the vCPU threads' seccomp filter does not allow.
		 */
		struct tcg_tb **n = malloc(cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		if (ctx->n_all)
			memcpy(n, ctx->all, ctx->n_all * sizeof(*n));
		free(ctx->all);
		ctx->all = n;
		ctx->cap_all = cap;
	}
	ctx->all[ctx->n_all++] = tb;
	return 0;
}

static struct tcg_tb *tb_alloc(struct tcg_builder *b)
{
	struct tcg_tb *tb = calloc(1, sizeof(*tb));

	if (!tb)
		return NULL;
	tb->insns = malloc(b->ir.n_insns * sizeof(*tb->insns));
	if (!tb->insns) {
		free(tb);
		return NULL;
	}
	memcpy(tb->insns, b->insns, b->ir.n_insns * sizeof(*tb->insns));
	tb->pc = b->pc;
	tb->flags = b->flags;
	tb->icount = b->ir.n_insns;
	tb->page[0] = b->page[0];
	tb->page[1] = b->page[1];
	tb->phys_pc = b->page[0] == ~0ULL ? b->pc : b->phys_pc;
	tb->phys_lo = b->page[0] == ~0ULL ? b->pc : b->phys_lo;
	tb->phys_end = b->phys_end;
	tb->phys_end2 = b->phys_end2;
	return tb;
}

static void tb_insert(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	struct tcg_ctx *ctx = cpu->ctx;
	unsigned h = tb_hash(tb->pc, tb->flags);

	/*
	 * A block that fetched no code only raises a fetch fault: keep it out
	 * of the hash, so that it is never found once the page is mapped.
	 */
	if (tb->page[0] != ~0ULL) {
		tb->hash_next = ctx->hash[h];
		ctx->hash[h] = tb;
	}
	for (unsigned n = 0; n < 2; n++) {
		if (tb->page[n] != ~0ULL)
			page_add(cpu, tb, n);
	}
	ctx->stats.tbs_translated++;
}

/* Generate code; -ENOSPC (cache full) makes the exec loop flush and retry. */
static int tb_gen(struct tcg_ctx *ctx, struct tcg_tb *tb, struct tcg_builder *b)
{
	return ctx->be->gen(ctx, tb, &b->ir);
}

/*
 * Debugging aid: VMM_TCG_DUMP=<prefix> prints each block's optimized IR to
 * stderr and writes its host code to <prefix>.<pc>.bin (for objdump -D -b
 * binary -mi386:x86-64).
 */
static void debug_dump(struct tcg_tb *tb, struct tcg_builder *b)
{
	static const char *prefix;
	static bool checked;
	char path[512];
	FILE *f;

	if (!checked) {
		prefix = getenv("VMM_TCG_DUMP");
		checked = true;
	}
	if (!prefix)
		return;
	fprintf(stderr, "---- block 0x%llx flags 0x%x, %u insns, %zu code bytes\n",
		(unsigned long long)tb->pc, tb->flags, tb->icount, tb->code_size);
	tcg_ir_print(&b->ir, stderr);
	snprintf(path, sizeof(path), "%s.%llx.bin", prefix, (unsigned long long)tb->pc);
	f = tb->code_size ? fopen(path, "wb") : NULL;
	if (f) {
		fwrite(tb->code, 1, tb->code_size, f);
		fclose(f);
	}
}

/*
 * Profiling aid: VMM_TCG_PERFMAP=1 appends each native block to
 * /tmp/perf-<pid>.map ("start size name", perf's JIT map format) so that
 * `perf report` names samples in generated code by guest pc.
 */
static void perf_map(const struct tcg_tb *tb)
{
	static FILE *f;
	static bool checked;
	char path[64];

	if (!checked) {
		checked = true;
		if (getenv("VMM_TCG_PERFMAP")) {
			snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
			f = fopen(path, "w");
		}
	}
	if (f && tb->code_size) {
		fprintf(f, "%lx %zx g_%llx\n", (unsigned long)(uintptr_t)tb->code, tb->code_size,
			(unsigned long long)tb->pc);
		fflush(f);
	}
}

static int translate_locked(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags, struct tcg_tb **out)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_builder *b = ctx->builder;
	struct tcg_tb *tb;
	int rc;

	tcg_builder_begin(b, cpu, pc, flags);
	rc = ctx->fe->translate_block(b, cpu, pc, flags);
	if (rc == 0)
		rc = tcg_builder_end(b);
	if (rc < 0)
		return rc;
	if (!ctx->cfg.no_optimize)
		tcg_optimize(&b->ir);
	tb = tb_alloc(b);
	if (!tb)
		return -ENOMEM;
	rc = tb_gen(ctx, tb, b);
	if (rc == 0)
		rc = remember(ctx, tb);
	if (rc < 0) {
		tb_free(ctx, tb);
		return rc;
	}
	tb_insert(cpu, tb);
	debug_dump(tb, b);
	perf_map(tb);
	*out = tb;
	return 0;
}

int tcg_tb_translate(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags, struct tcg_tb **out)
{
	int rc;

	pthread_mutex_lock(&cpu->ctx->lock);
	rc = translate_locked(cpu, pc, flags, out);
	pthread_mutex_unlock(&cpu->ctx->lock);
	return rc;
}

/* Record that the block uses [paddr, paddr+len) (one page). */
static int add_code_range(struct tcg_builder *b, uint64_t paddr, unsigned len)
{
	uint64_t page = paddr & TCG_PAGE_MASK;

	if (b->page[0] == ~0ULL) {
		b->page[0] = page;
		b->phys_pc = b->phys_lo = paddr;
		b->phys_end = paddr + len;
	} else if (b->page[0] == page) {
		b->phys_lo = MIN(b->phys_lo, paddr);
		b->phys_end = MAX(b->phys_end, paddr + len);
	} else if (b->page[1] == ~0ULL) {
		b->page[1] = page;
		b->phys_end2 = paddr + len;
	} else if (b->page[1] == page) {
		b->phys_end2 = MAX(b->phys_end2, paddr + len);
	} else {
		return -E2BIG; /* a third page: the frontend ignored tcg_should_stop() */
	}
	return 0;
}

/* @len bytes at @pc, within one page. */
static int fetch_part(struct tcg_builder *b, uint64_t pc, unsigned len, uint8_t *dst)
{
	uint64_t vpage = pc & TCG_PAGE_MASK, off = pc & ~TCG_PAGE_MASK;
	bool ok;

	/* A block's instructions mostly come from one page: translate it once. */
	if (vpage != b->fetch_vpage) {
		uint64_t paddr = code_paddr_of(b->cpu, pc, b->flags, &ok);
		const uint8_t *host;

		if (!ok)
			return -EFAULT;
		/* guest-controlled pc: the whole page must be RAM */
		host = tcg_code_host_ptr(b->ctx, paddr & TCG_PAGE_MASK, TCG_PAGE_SIZE);
		if (!host)
			return -EFAULT;
		b->fetch_vpage = vpage;
		b->fetch_ppage = paddr & TCG_PAGE_MASK;
		b->fetch_host = host;
	}
	memcpy(dst, b->fetch_host + off, len);
	return add_code_range(b, b->fetch_ppage + off, len);
}

int tcg_fetch_code(struct tcg_builder *b, uint64_t pc, unsigned len, uint32_t *out)
{
	uint8_t buf[4] = {0};
	unsigned first;
	int rc;

	if (len != 2 && len != 4)
		return -EINVAL;
	first = (unsigned)MIN((uint64_t)len, TCG_PAGE_SIZE - (pc & ~TCG_PAGE_MASK));
	rc = fetch_part(b, pc, first, buf);
	if (rc == 0 && first < len)
		rc = fetch_part(b, pc + first, len - first, buf + first);
	if (rc < 0)
		return rc;
	*out = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
	       (uint32_t)buf[3] << 24;
	return 0;
}
