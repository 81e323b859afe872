/*
 * The JIT core as guest frontends and the machine see it.
 *
 * - A frontend (accel/tcg/<guest>/) provides one const struct
 *   tcg_frontend_ops: its CPU struct size, global registration, the
 *   block translator and the hooks for exceptions, interrupts and memory
 *   faults.
 * - A context (struct tcg_ctx) is one JIT instance: one frontend, one
 *   backend (native or interpreter), the guest memory map, the TB cache
 *   and the code cache. vCPUs of one machine share a context.
 * - Every vCPU's state is a guest CPU struct whose first member is
 *   struct tcg_cpu; the core allocates it (tcg_cpu_new) so that it can put
 *   the TLB and jump cache in front of it.
 *
 * Exceptions. A helper (or a memory-fault hook) raises a guest exception
 * with tcg_raise_exception(): the core first restores precise guest state
 * for the faulting instruction - it writes back the globals the backend
 * held in host registers and calls the frontend's restore_state() with the
 * insn_start data of that instruction (so cpu->pc is the faulting pc), and
 * takes the not-retired instructions off cpu->instret - then siglongjmp()s
 * to the exec loop, which calls the frontend's do_exception(). This works
 * for helpers called without TCG_CALL_NO_RAISE and for guest_ld/guest_st
 * faults; a helper flagged TCG_CALL_NO_RAISE must not raise.
 * Raising outside generated code (from the exec-loop hooks) is allowed: the
 * state is then taken as is.
 *
 * Instruction counting. On entry to a block, generated code adds the
 * block's instruction count to cpu->instret; if an instruction faults, the
 * core subtracts the ones that did not retire (the faulting one included).
 * A helper that reads instret mid-block sees the count as if the whole
 * block had retired: a frontend that needs the exact value ends the block
 * after that instruction and subtracts 1 for it.
 *
 * Memory. Here the guest memory map is flat and physical: RAM regions of
 * struct guest_mem, and everything else is MMIO dispatched to struct
 * io_bus (an access hitting no device calls the frontend's mem_fault()).
 * Every guest load/store probes a per-vCPU, per-MMU-index, direct-mapped
 * TLB inline (tag compare + add of host-minus-guest addend) and takes a
 * slow path on a miss, for MMIO, misaligned access, and writes to pages
 * that hold translated code (those invalidate the page's blocks first).
 * The next issue plugs page tables in through the frontend's tlb_fill().
 *
 * Threads. A vCPU runs on one thread; tcg_cpu_kick() may be called from any
 * thread. Translation and TB invalidation take the context lock. A full
 * flush of the TB cache (code cache full, tcg_request_tb_flush()) happens
 * in the exec loop between blocks, as an exclusive section: the other
 * vCPUs of the context are kicked and park at a block boundary first.
 */
#ifndef VMM_ACCEL_TCG_TCG_H
#define VMM_ACCEL_TCG_TCG_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/tcg/builder.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"

/* --- software TLB --- */

#define TCG_PAGE_BITS	 12
#define TCG_PAGE_SIZE	 (1ULL << TCG_PAGE_BITS)
#define TCG_PAGE_MASK	 (~(TCG_PAGE_SIZE - 1))
#define TCG_TLB_BITS	 11
#define TCG_TLB_SIZE	 (1u << TCG_TLB_BITS)
#define TCG_NB_MMU_MODES 8

/*
 * Flags kept in the low bits of a TLB tag. The inline probe compares
 * (addr & (TCG_PAGE_MASK | (size - 1))) with the tag, so any flag (and any
 * misaligned address) misses and takes the slow path, which reads them.
 */
#define TCG_TLB_INVALID (1ULL << 11) /* empty entry */
#define TCG_TLB_MMIO	(1ULL << 10) /* not RAM: dispatch to the bus */
#define TCG_TLB_CODE	(1ULL << 9)  /* write tag only: page holds translated code */
#define TCG_TLB_FLAGS	(TCG_TLB_INVALID | TCG_TLB_MMIO | TCG_TLB_CODE)

struct tcg_tlb_entry {
	uint64_t addr_read;  /* page address | flags, for loads */
	uint64_t addr_write; /* for stores */
	uint64_t addr_code;  /* for instruction fetch */
	uintptr_t addend;    /* host address = guest address + addend */
};
STATIC_ASSERT(sizeof(struct tcg_tlb_entry) == 32);

struct tcg_tlb {
	struct tcg_tlb_entry e[TCG_NB_MMU_MODES][TCG_TLB_SIZE];
	/* Entry holds a global translation (tcg_tlb_fill.global). */
	uint8_t global[TCG_NB_MMU_MODES][TCG_TLB_SIZE];
};

/* Kinds of access, for tlb_fill and the fault hooks. */
enum tcg_access { TCG_ACCESS_READ, TCG_ACCESS_WRITE, TCG_ACCESS_EXEC };

/* What tlb_fill() returns for one page. */
struct tcg_tlb_fill {
	uint64_t paddr; /* guest physical page address */
	bool read, write, exec;
	/* The same in every address space: kept by tcg_tlb_flush_nonglobal(). */
	bool global;
};

/* --- jump cache: (pc, flags) -> block, per vCPU, for goto_ptr --- */

#define TCG_JC_BITS 16
#define TCG_JC_SIZE (1u << TCG_JC_BITS)

struct tcg_tb;

struct tcg_jc_entry {
	uint64_t pc;
	struct tcg_tb *tb; /* NULL: empty */
};

/* Index of @pc in the jump cache (instructions are at least 2-byte aligned). */
static inline unsigned tcg_jc_hash(uint64_t pc)
{
	return (unsigned)((pc >> 1) ^ (pc >> (TCG_JC_BITS + 1))) & (TCG_JC_SIZE - 1);
}

/* Per-instruction record of a block: where restore_state() gets its data. */
struct tcg_insn_rec {
	uint64_t data[TCG_INSN_DATA]; /* insn_start's words */
	uint32_t remaining;	      /* instructions from this one to the end of the block */
};

/*
 * The generic part of every vCPU, first member of the guest CPU struct.
 * Generated code reads the fields at the top by fixed offsets.
 */
struct tcg_cpu {
	/* Non-zero: leave generated code at the next block start. */
	_Atomic int32_t exit_request;
	/*
	 * Mode bits of the current state (privilege, FP enabled, XLEN...):
	 * part of the TB cache key. Frontends update it only in helpers or
	 * exec-loop hooks, and end the block (exit_tb NOCHAIN) after a change.
	 */
	uint32_t tb_flags;
	/*
	 * The guest pc. Register it as a global. Valid between blocks, in
	 * the exec-loop hooks, and in a raising helper after restore.
	 */
	uint64_t pc;
	/* Retired guest instructions (see "Instruction counting" above). */
	uint64_t instret;
	/* Set by generated code before a point that may raise (internal). */
	const struct tcg_insn_rec *cur_insn;
	struct tcg_tlb *tlb;	 /* this vCPU's TLB (in front of the struct) */
	struct tcg_jc_entry *jc; /* this vCPU's jump cache */
	struct tcg_ctx *ctx;
	unsigned index; /* vCPU number */
	/* From any thread: make tcg_cpu_exec() return TCG_EXEC_STOPPED. */
	_Atomic uint32_t stop_request;
	/* Frontend: waiting for an interrupt (wfi); tcg_cpu_exec() returns HALTED. */
	bool halted;
	/* The exception being raised (tcg_raise_exception's arguments). */
	int32_t exception;
	uint64_t exception_arg;
	/* Counts of guest errors seen by the core (bad MMIO, fetch faults...). */
	_Atomic uint64_t guest_errors;
	/* Private to the core. */
	void *priv;
};

/* --- the frontend interface --- */

struct tcg_frontend_ops {
	const char *name;
	/* sizeof the guest CPU struct (which starts with struct tcg_cpu). */
	size_t cpu_size;
	/*
	 * Register the globals with tcg_global_i64/_i32, in a fixed order.
	 * Called once per context.
	 */
	void (*register_globals)(struct tcg_ctx *ctx);
	/*
	 * Translate the block at @pc for mode @flags (== cpu->tb_flags when
	 * the block was requested). Fetch code with tcg_fetch_code(); end the
	 * block with goto_tb/exit_tb/goto_ptr. Return 0, or a negative errno
	 * (the builder's sticky error is checked too). Must not raise.
	 */
	int (*translate_block)(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc,
			       uint32_t flags);
	/*
	 * Set the guest state to the start of the instruction whose
	 * insn_start words are @data (at least: cpu->pc = data[0]).
	 */
	void (*restore_state)(struct tcg_cpu *cpu, const uint64_t *data);
	/*
	 * Deliver cpu->exception / cpu->exception_arg (raised by
	 * tcg_raise_exception): update trap CSRs, pc, privilege, tb_flags.
	 */
	void (*do_exception)(struct tcg_cpu *cpu);
	/*
	 * Called by the exec loop when exit_request was seen: take a pending
	 * and enabled interrupt (update pc etc.), clear cpu->halted when an
	 * interrupt is pending. Optional.
	 */
	void (*exec_interrupt)(struct tcg_cpu *cpu);
	/*
	 * Translate @vaddr for @access in @mmu_idx. On success fill *out and
	 * return 0. On a fault: if @probe, return -EFAULT; else raise the
	 * guest's page fault with tcg_raise_exception(). NULL: the identity
	 * map (physical addressing).
	 */
	int (*tlb_fill)(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access,
			unsigned mmu_idx, bool probe, struct tcg_tlb_fill *out);
	/*
	 * An access to a physical address that is neither RAM nor a device.
	 * Must raise (access fault). If it returns anyway, the access is
	 * counted in cpu->guest_errors, reads give all ones, writes are dropped.
	 */
	void (*mem_fault)(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access);
	/* A misaligned access flagged TCG_MO_ALIGN. Must raise. */
	void (*unaligned)(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access);
	/*
	 * Bit i set: accesses with MMU index i are never translated (identity
	 * map, all permissions, e.g. RISC-V M-mode without PMP), whatever
	 * tlb_fill says; the native backend then checks loads against RAM
	 * directly instead of probing the TLB. 0 if unsure.
	 */
	uint32_t phys_mmu_mask;
	/* MMU index used for instruction fetch in mode @tb_flags. Optional: 0. */
	unsigned (*code_mmu_idx)(uint32_t tb_flags);
	/* Print the registers to stderr (crash reports). Optional. */
	void (*dump)(struct tcg_cpu *cpu);
};

/* --- contexts --- */

enum tcg_backend_kind {
	TCG_BACKEND_KIND_AUTO,	 /* native where available, else interp */
	TCG_BACKEND_KIND_NATIVE, /* x86-64 hosts */
	TCG_BACKEND_KIND_INTERP, /* the portable IR interpreter */
};

struct tcg_ctx_config {
	const struct tcg_frontend_ops *fe;
	enum tcg_backend_kind backend;
	const struct guest_mem *mem;
	struct io_bus *mmio;
	/* Code cache bytes (0: default 64 MiB). */
	size_t code_size;
	/*
	 * Differential testing: one guest instruction per block and no
	 * chaining / jump-cache following, so tcg_cpu_exec_tb() runs exactly
	 * one block.
	 */
	bool single_step;
	/* Skip the optimizer (debugging, tests). */
	bool no_optimize;
};

struct tcg_ctx;

/* Create a context. -ENODEV if the native backend was asked for on a host without one. */
int tcg_ctx_new(const struct tcg_ctx_config *cfg, struct tcg_ctx **out) must_check;
void tcg_ctx_free(struct tcg_ctx *ctx);
/* "native" or "interp". */
const char *tcg_ctx_backend_name(const struct tcg_ctx *ctx);

/* Register a global (only inside register_globals): a CPU struct field. */
tcg_i64 tcg_global_i64(struct tcg_ctx *ctx, size_t offset, const char *name);
tcg_i32 tcg_global_i32(struct tcg_ctx *ctx, size_t offset, const char *name);

/* --- vCPUs --- */

/* Allocate a zeroed guest CPU struct (fe->cpu_size bytes) with TLB and jump cache. */
int tcg_cpu_new(struct tcg_ctx *ctx, unsigned index, struct tcg_cpu **out) must_check;
void tcg_cpu_free(struct tcg_cpu *cpu);

enum tcg_exec_result {
	TCG_EXEC_STOPPED, /* stop_request was set (tcg_cpu_stop) */
	TCG_EXEC_HALTED,  /* cpu->halted: wait for an interrupt, then call again */
	TCG_EXEC_ERROR,	  /* internal error (translation failed...): state dumped */
};

/* Run guest code on the calling thread until stopped or halted. */
enum tcg_exec_result tcg_cpu_exec(struct tcg_cpu *cpu);

/*
 * Run one block at cpu->pc (translating it if needed), without chaining
 * (use a single_step context for one instruction). Exceptions are
 * delivered (do_exception) and count as the block. Returns 0, or a negative
 * errno if translation failed. Caveat: a block ending in goto_ptr (an
 * indirect jump) goes on into the next block when the jump cache holds it,
 * so two contexts whose jump caches differ (e.g. one had a full flush) may
 * run different numbers of blocks in one call.
 *
 * Differential testing: make two contexts over two copies of guest memory,
 * one with backend TCG_BACKEND_KIND_INTERP and one NATIVE (both
 * single_step, or both not), a vCPU in each with the same state, then
 * alternate tcg_cpu_exec_tb() on both and compare the guest CPU structs
 * (beyond struct tcg_cpu) and memory after every block.
 */
int tcg_cpu_exec_tb(struct tcg_cpu *cpu) must_check;

/* From any thread: leave generated code soon (interrupt pending, stop...). */
void tcg_cpu_kick(struct tcg_cpu *cpu);
/* From any thread: make tcg_cpu_exec() return TCG_EXEC_STOPPED. */
void tcg_cpu_stop(struct tcg_cpu *cpu);

/*
 * Raise guest exception @excp with an argument (e.g. trap value) from a
 * helper or hook. Does not return. See "Exceptions" above.
 */
_Noreturn void tcg_raise_exception(struct tcg_cpu *cpu, int32_t excp, uint64_t arg);

/*
 * Leave generated code from a helper after the current instruction, with
 * the state as it is (the helper has written pc itself, e.g. a trap
 * return). The helper must be called without TCG_CALL_NO_RAISE (so that
 * the instructions after this one are taken off instret). Does not return.
 */
_Noreturn void tcg_cpu_loop_exit(struct tcg_cpu *cpu);

/*
 * Throw away every translated block (fence.i): done by the exec loop
 * before the next block, so the current one finishes; end the block
 * after the requesting instruction (exit_tb NOCHAIN).
 */
void tcg_request_tb_flush(struct tcg_cpu *cpu);
/*
 * An instruction-fetch fence (RISC-V fence.i, remote fence.i). Stores
 * through the CPU and device writes invalidate the code they hit, so
 * usually nothing is left to do; but while a page was becoming a code page
 * another vCPU may have written it through a stale TLB entry before its
 * requested flush (tcg_tlb_flush_page_all). The blocks of the pages where
 * that can have happened since @cpu's last fence are dropped (all blocks,
 * before @cpu's next one, if there were too many such pages).
 */
void tcg_sync_code(struct tcg_cpu *cpu);
/*
 * For a frontend that waits inside tcg_cpu_exec (outside generated code)
 * for other vCPUs: if one of them wants an exclusive section (it waits
 * for every vCPU to park), park here until it is done.
 */
void tcg_cpu_yield_exclusive(struct tcg_cpu *cpu);

/* Invalidate the blocks holding code in [paddr, paddr+len) (e.g. after DMA). */
void tcg_invalidate_phys_range(struct tcg_ctx *ctx, uint64_t paddr, uint64_t len);

/*
 * Drop every TLB entry of @cpu (satp/sfence.vma/privilege changes later).
 * Only from @cpu's own thread (helpers, exec-loop hooks): TLB entries are
 * written by their vCPU alone.
 */
void tcg_tlb_flush(struct tcg_cpu *cpu);
/*
 * The same, but entries filled with tcg_tlb_fill.global survive, and so do
 * jump-cache entries whose block lies in one page that such an entry maps
 * for execution (an address-space switch: RISC-V satp, sfence.vma x0, asid).
 */
void tcg_tlb_flush_nonglobal(struct tcg_cpu *cpu);
/*
 * Drop the jump-cache entries of blocks starting in virtual page @vpage,
 * and of every block that runs into a second page (@vpage may be it): a
 * frontend's TLB flush of one page; the TLB entries are its job. From
 * @cpu's own thread.
 */
void tcg_jc_flush_vpage(struct tcg_cpu *cpu, uint64_t vpage);
/*
 * From any thread (remote sfence.vma, ...): @cpu flushes its TLB before
 * it runs its next block.
 */
void tcg_tlb_flush_request(struct tcg_cpu *cpu);

/*
 * --- guest memory from C (helpers: AMOs, LR/SC, FP...) ---
 * Same semantics as guest_ld/guest_st (TLB, MMIO, faults raise). Sizes by memop.
 */
uint64_t tcg_mem_ld(struct tcg_cpu *cpu, uint64_t addr, enum tcg_memop mo, unsigned mmu_idx);
void tcg_mem_st(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, enum tcg_memop mo,
		unsigned mmu_idx);
/*
 * Host pointer for an aligned @size-byte access at @addr that is RAM, for
 * atomics: raises the guest's fault if unmapped; invalidates translated
 * code in the page for TCG_ACCESS_WRITE; returns NULL for MMIO (the caller
 * then falls back to tcg_mem_ld/st). @addr must be @size-aligned (check
 * and raise misaligned yourself first).
 */
void *tcg_mem_host_ptr(struct tcg_cpu *cpu, uint64_t addr, unsigned size, enum tcg_access access,
		       unsigned mmu_idx);

/* Statistics, for tests and benchmarks. */
struct tcg_stats {
	uint64_t tbs_translated;
	uint64_t tb_flushes;
	uint64_t tbs_invalidated;
	uint64_t chains;
	size_t code_used;
	/* Summed over the vCPUs, live or freed (read live ones once they stopped): */
	uint64_t lookups;      /* blocks looked up by the exec loop (a return to it) */
	uint64_t hash_lookups; /* of those, missed in the jump cache, found in the hash */
	/*
	 * Guest loads/stores of generated code (or the interpreter) that took
	 * the C slow path: TLB miss, MMIO, a store onto translated code, a
	 * page-crossing access. Helpers' own accesses (tcg_mem_ld/st) not.
	 */
	uint64_t slow_accesses;
};
void tcg_ctx_stats(const struct tcg_ctx *ctx, struct tcg_stats *out);

#endif
