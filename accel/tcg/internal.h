/*
 * Structures shared by the JIT core files and the backends; not for
 * frontends (they use tcg.h and builder.h).
 */
#ifndef VMM_ACCEL_TCG_INTERNAL_H
#define VMM_ACCEL_TCG_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>

#include "accel/tcg/tcg.h"

/* A translation block. */
struct tcg_tb {
	uint64_t pc;
	uint32_t flags;
	uint32_t icount;
	/* Guest physical pages holding its code; page[i] == ~0 if unused. */
	uint64_t page[2];
	uint64_t phys_pc;   /* physical address of pc (the hash key with pc, flags) */
	uint64_t phys_lo;   /* start of its code in page[0] (<= phys_pc: jumps followed) */
	uint64_t phys_end;  /* end of its code in page[0] (exclusive), for SMC checks */
	uint64_t phys_end2; /* end of its code in page[1] */
	struct tcg_tb *hash_next;
	struct tcg_tb *page_next[2];
	bool invalid;
	/* Host code entry (native) or the interpreter's program. */
	void *code;
	size_t code_size;
	struct tcg_insn_rec *insns;
	/*
	 * Chaining. jmp_dest[n]: block slot n jumps to (NULL: its exit).
	 * jmp_target[n]: native address of the patchable rel32 (0: none).
	 * Incoming jumps form a list of tagged (tb | slot) values so that an
	 * invalidated block can unpatch everything jumping to it.
	 */
	struct tcg_tb *jmp_dest[TCG_TB_SLOTS];
	uintptr_t jmp_target[TCG_TB_SLOTS];
	uintptr_t jmp_reset[TCG_TB_SLOTS];
	uintptr_t jmp_in;
	uintptr_t jmp_in_next[TCG_TB_SLOTS];
	/* Native: where a jump from the block to itself enters (0: code). */
	uintptr_t loop_entry;
	/*
	 * Native: goto_tb slots that jump to the block itself without writing
	 * its pinned globals back (only their unpatched exit does): they may
	 * be chained to the block itself only.
	 */
	uint8_t loop_slots;
	/*
	 * Native: bytes from code to just after the exit-request check (0:
	 * none). A chained jump to a block at a higher pc enters there: every
	 * cycle of chained blocks has an edge to an equal or lower pc, which
	 * still checks, so a kick still stops any chained loop.
	 */
	uint16_t check_skip;
	/* Interpreter program (host/interp). */
	void *interp;
};

/*
 * Exec return value: (tb | code), code a slot, TCG_EXIT_NOCHAIN or
 * REQUESTED (blocks are malloc'd: 16-byte aligned); tb NULL means "no
 * chaining". Incoming-jump lists tag (tb | slot) in the low 2 bits.
 */
#define TCG_EXITCODE_MASK      7
#define TCG_EXITCODE_REQUESTED 5 /* exit_request seen at block start: pc = tb->pc */
#define TCG_TB_SLOT_MASK       3
STATIC_ASSERT(TCG_TB_SLOTS <= TCG_TB_SLOT_MASK + 1);
STATIC_ASSERT(TCG_EXIT_NOCHAIN >= TCG_TB_SLOTS && TCG_EXIT_NOCHAIN < TCG_EXITCODE_REQUESTED);

struct tcg_ir;

struct tcg_backend_ops {
	const char *name;
	int (*init)(struct tcg_ctx *ctx);
	void (*fini)(struct tcg_ctx *ctx);
	/* Generate @tb's code from @ir. -ENOSPC when the code cache is full. */
	int (*gen)(struct tcg_ctx *ctx, struct tcg_tb *tb, struct tcg_ir *ir);
	/* Run from @tb until generated code exits; returns (tb | code) or 0. */
	uintptr_t (*exec)(struct tcg_cpu *cpu, struct tcg_tb *tb);
	/* Point slot @n of @tb at @dst's code, or back at its exit if NULL. */
	void (*patch)(struct tcg_ctx *ctx, struct tcg_tb *tb, unsigned n, struct tcg_tb *dst);
	/* Drop all generated code (the TBs are freed by the core). */
	void (*flush)(struct tcg_ctx *ctx);
	/* Free per-TB backend data (interp program). */
	void (*tb_free)(struct tcg_tb *tb);
};

extern const struct tcg_backend_ops tcg_interp_backend;
extern const struct tcg_backend_ops tcg_x86_64_backend;

#define TCG_HASH_BITS 17
#define TCG_SUSPECTS 64 /* pages, see struct tcg_ctx */
#define TCG_MAX_CPUS  64

struct tcg_page_map {
	uint64_t gpa;
	uint64_t npages;
	struct tcg_tb **first; /* per page: blocks with code there (NULL: no code) */
	/*
	 * Per page, while it has code: the byte range [lo, hi) of the page
	 * that any of its blocks covered since it got code, as lo | hi << 16.
	 * Stores outside it (data sharing a page with code) skip the block walk.
	 */
	uint32_t *extent;
};

struct tcg_ctx {
	struct tcg_ctx_config cfg;
	const struct tcg_frontend_ops *fe;
	const struct tcg_backend_ops *be;
	void *be_data;
	pthread_mutex_t lock;
	struct tcg_temp globals[TCG_MAX_GLOBALS];
	unsigned n_globals;
	struct tcg_tb *hash[1u << TCG_HASH_BITS];
	struct tcg_page_map pages[GM_MAX_REGIONS];
	unsigned n_page_maps;
	/* Every TB allocated since the last flush (for freeing). */
	struct tcg_tb **all;
	size_t n_all, cap_all;
	struct tcg_cpu *cpus[TCG_MAX_CPUS];
	struct tcg_builder *builder; /* used under lock */
	/*
	 * Exclusive sections (full flush): the requester waits until every
	 * other vCPU inside tcg_cpu_exec() has parked at a block boundary.
	 */
	pthread_mutex_t excl_lock;
	pthread_cond_t excl_cond;
	_Atomic bool excl_pending;
	unsigned running; /* vCPUs inside tcg_cpu_exec(), under excl_lock */
	struct tcg_stats stats;
	size_t alloc_size; /* mapped length (tables_alloc) */
	/*
	 * Pages that became code pages while another vCPU may still have
	 * written them through a fast-write TLB entry (tcg_tlb_flush_page_all):
	 * a ring of the last TCG_SUSPECTS, written under lock; suspect_gen
	 * counts them all. tcg_sync_code() re-invalidates the ones its vCPU
	 * has not seen yet (everything, if the ring overflowed).
	 */
	uint64_t suspect[TCG_SUSPECTS];
	_Atomic uint64_t suspect_gen;
};

#define TCG_WPHYS_BITS 20
#define TCG_GRP_SLOTS  8

/* The part of a vCPU allocation in front of the guest CPU struct. */
struct tcg_cpu_priv {
	/* The interpreter's temp slots (untouched pages with the native backend). */
	uint64_t interp_slots[TCG_MAX_TEMPS];
	/*
	 * Native backends: a TLB addend shared by a group of guest accesses
	 * through one base register (x86-64: x86_plan_groups), 0 when the
	 * group's check failed.
	 */
	uint64_t grp_addend[TCG_GRP_SLOTS];
	/*
	 * The code extents (struct tcg_page_map) of the first RAM region,
	 * copied from ctx->pages[0] for the store check that generated code
	 * and the interpreter make inline (tcg_code_store_ok); no region: 0
	 * pages, the check always fails.
	 */
	const uint32_t *code_ext;
	uint64_t code_ext_gpa, code_ext_pages;
	uint64_t slow_accesses; /* tcg_slow_ld/st calls (tcg_stats) */
	struct tcg_tlb tlb;
	struct tcg_jc_entry jc[TCG_JC_SIZE];
	uint64_t tlb_phys[TCG_NB_MMU_MODES][TCG_TLB_SIZE]; /* physical page per entry */
	/* jc[i] holds a block whose page is mapped globally (tcg_tlb_code_global). */
	uint8_t jc_global[TCG_JC_SIZE];
	/*
	 * TLB and jump-cache entries filled since their last flush (bit per
	 * entry): an address-space switch clears only those, not every
	 * entry of every mode.
	 */
	uint64_t tlb_used[TCG_NB_MMU_MODES][TCG_TLB_SIZE / 64];
	uint64_t jc_used[TCG_JC_SIZE / 64];
	/*
	 * jc[i] holds a block whose code runs into a second, translated page
	 * (not tcg_tb_mapping_fixed): every per-page flush drops these, as
	 * the flushed page may be their second one; they are never global.
	 */
	uint64_t jc_two[TCG_JC_SIZE / 64];
	uint64_t seen_suspects; /* ctx->suspect_gen at the last tcg_sync_code() */
	uint64_t lookups, hash_lookups; /* tcg_stats, this vCPU's share */
	sigjmp_buf jmp;
	bool flush_requested;
	/* Set by other threads: flush this vCPU's TLB at the next block boundary. */
	_Atomic bool tlb_flush_pending;
	void *alloc_base;
	size_t alloc_size;
	/*
	 * Physical page frames (modulo 2^20) that a TLB entry since the last
	 * full flush allowed fast writes to: a page that becomes a code page
	 * and is not here needs no scan of the TLB (tcg_tlb_flush_page_all).
	 */
	uint64_t wphys[(1u << TCG_WPHYS_BITS) / 64];
};

/* Mark entry @i in a used-entries bitmap (tlb_used, jc_used), or unmark it. */
static inline void tcg_used_set(uint64_t *map, unsigned i)
{
	map[i / 64] |= 1ULL << (i % 64);
}

static inline void tcg_used_clear(uint64_t *map, unsigned i)
{
	map[i / 64] &= ~(1ULL << (i % 64));
}

/* The guest struct follows the private part, cache-line aligned. */
#define TCG_PRIV_SIZE ALIGN_UP(sizeof(struct tcg_cpu_priv), (size_t)64)
/* Offsets from the CPU pointer (env) for generated code. */
#define TCG_ENV_TLB_OFF (-(int32_t)TCG_PRIV_SIZE + (int32_t)offsetof(struct tcg_cpu_priv, tlb))
#define TCG_ENV_JC_OFF	(-(int32_t)TCG_PRIV_SIZE + (int32_t)offsetof(struct tcg_cpu_priv, jc))
#define TCG_ENV_PRIV_OFF(field)                                                                    \
	(-(int32_t)TCG_PRIV_SIZE + (int32_t)offsetof(struct tcg_cpu_priv, field))
#define TCG_ENV_GRP_OFF TCG_ENV_PRIV_OFF(grp_addend)

static inline struct tcg_cpu_priv *tcg_priv(struct tcg_cpu *cpu)
{
	return (struct tcg_cpu_priv *)cpu->priv;
}

#define TCG_BUILDER_CONST_CACHE_BITS 6

/* Builder (builder.c): the IR plus the translation's context. */
struct tcg_builder {
	struct tcg_ir ir;
	struct tcg_ctx *ctx;
	struct tcg_cpu *cpu;
	uint64_t pc;
	uint32_t flags;
	uint64_t page[2];
	struct tcg_insn_rec insns[TCG_MAX_INSNS];
	uint64_t phys_pc, phys_lo, phys_end, phys_end2;
	/* The last code page fetched from: virtual page, physical page, host page. */
	uint64_t fetch_vpage, fetch_ppage;
	const uint8_t *fetch_host;
	uint32_t icount_temp; /* the constant patched with the insn count */
	tcg_label exit_label;
	/* Interned constants by value (slots may be stale: checked on use). */
	uint32_t const_cache[1u << TCG_BUILDER_CONST_CACHE_BITS];
};

int tcg_builder_init(struct tcg_builder *b, struct tcg_ctx *ctx);
void tcg_builder_fini(struct tcg_builder *b);
/* Reset for a new block (no prologue: tests build raw IR this way). */
void tcg_builder_reset(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);
/* Reset for a new block and emit the block prologue (exit check, instret). */
void tcg_builder_begin(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);
/* Emit the epilogue and patch the insn count. Returns the sticky error. */
int tcg_builder_end(struct tcg_builder *b);

/* TB cache (tb.c) */
struct tcg_tb *tcg_tb_lookup(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);
int tcg_tb_translate(struct tcg_cpu *cpu, uint64_t pc, uint32_t flags, struct tcg_tb **out);
void tcg_tb_flush_all(struct tcg_ctx *ctx);
void tcg_tb_chain(struct tcg_ctx *ctx, struct tcg_tb *from, unsigned slot, struct tcg_tb *to);
bool tcg_page_has_code(struct tcg_ctx *ctx, uint64_t paddr);

/* softmmu (tlb.c): slow paths called by generated code and the interpreter. */
uint64_t tcg_slow_ld(struct tcg_cpu *cpu, uint64_t addr, uint32_t memop_idx);
void tcg_slow_st(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, uint32_t memop_idx);
/* memop_idx = memop | mmu_idx << 8 */
#define TCG_MEMOP_IDX(mo, idx) ((uint32_t)(mo) | ((uint32_t)(idx) << 8))
/* A page became a code page (called by @self, translating). */
void tcg_tlb_flush_page_all(struct tcg_cpu *self, uint64_t paddr);
/*
 * Is @tb (just looked up for @cpu) in one page whose code mapping is a
 * global TLB entry? Its jump-cache entry then survives address-space
 * switches (tcg_tlb_flush_nonglobal).
 */
bool tcg_tlb_code_global(struct tcg_cpu *cpu, const struct tcg_tb *tb);

/* The MMU mode instruction fetches of blocks with @tb_flags use. */
static inline unsigned tcg_code_mmu_idx(const struct tcg_ctx *ctx, uint32_t tb_flags)
{
	const struct tcg_frontend_ops *fe = ctx->fe;

	return (fe->code_mmu_idx ? fe->code_mmu_idx(tb_flags) : 0) & (TCG_NB_MMU_MODES - 1);
}
/*
 * Can @tb be entered without looking its pc up (chained, or from the jump
 * cache)? Yes unless it runs into a second page through a translated
 * mapping, which only the lookup re-checks.
 */
bool tcg_tb_mapping_fixed(const struct tcg_ctx *ctx, const struct tcg_tb *tb);
/* Translate @pc for execution: guest physical address, or -EFAULT. */
int tcg_tlb_code_paddr(struct tcg_cpu *cpu, uint64_t pc, unsigned mmu_idx, uint64_t *paddr);
/* Host pointer for code fetch at guest physical @paddr (RAM only). */
const void *tcg_code_host_ptr(struct tcg_ctx *ctx, uint64_t paddr, unsigned len);

/* The jump-cache lookup used by goto_ptr (exec.c). NULL: miss. */
struct tcg_tb *tcg_jc_lookup(struct tcg_cpu *cpu, uint64_t pc);

/*
 * A store of @size bytes at @addr through TLB entry @idx of @mmu_idx,
 * whose write tag says its page holds translated code (TCG_TLB_CODE):
 * may it go ahead without the slow path? Yes when it misses the bytes the
 * page's blocks cover (its extent; pages of the first RAM region only),
 * as tcg_invalidate_phys_range would find. Read without the lock, as
 * outside_code() in tb.c does. The x86-64 store probe thunk makes the
 * same test.
 */
static inline bool tcg_code_store_ok(struct tcg_cpu *cpu, unsigned mmu_idx, unsigned idx,
				     uint64_t addr, unsigned size)
{
	const struct tcg_cpu_priv *p = tcg_priv(cpu);
	uint64_t pfn = (p->tlb_phys[mmu_idx][idx] - p->code_ext_gpa) >> TCG_PAGE_BITS;
	uint32_t ext, off = (uint32_t)(addr & ~TCG_PAGE_MASK);

	if (pfn >= p->code_ext_pages)
		return false;
	ext = __atomic_load_n(&p->code_ext[pfn], __ATOMIC_RELAXED);
	return off >= ext >> 16 || off + size <= (ext & 0xffff);
}

/* Inline TLB probe, the same test the native backend emits. */
static inline void *tcg_tlb_probe(struct tcg_cpu *cpu, uint64_t addr, unsigned size, bool write,
				  unsigned mmu_idx)
{
	unsigned idx = (unsigned)(addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);
	const struct tcg_tlb_entry *e = &cpu->tlb->e[mmu_idx][idx];
	uint64_t tag = write ? e->addr_write : e->addr_read,
		 want = addr & (TCG_PAGE_MASK | (size - 1));

	if (likely(want == tag))
		return (void *)(uintptr_t)(addr + e->addend);
	if (write && (want | TCG_TLB_CODE) == tag &&
	    tcg_code_store_ok(cpu, mmu_idx, idx, addr, size))
		return (void *)(uintptr_t)(addr + e->addend);
	return NULL;
}

#endif
