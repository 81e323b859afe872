/* The x86-64 backend's internal state (backend.c, cache.c). */
#ifndef VMM_ACCEL_TCG_HOST_X86_64_X86_64_H
#define VMM_ACCEL_TCG_HOST_X86_64_X86_64_H

#include "accel/tcg/host/x86_64/emit.h"
#include "accel/tcg/internal.h"

/* Spill slots in the frame; FRAME keeps rsp 16-aligned after 6 pushes. */
#define X86_NB_SLOTS   1024
#define X86_FRAME_SIZE (8 * X86_NB_SLOTS + 8)
#define X86_MAX_SLOW   4096
#define X86_MAX_FIXUPS 1024

/* Where a temp's value is. */
struct x86_ts {
	int8_t reg;   /* host register, or -1 */
	bool in_mem;  /* its memory home (env field / stack slot) is current */
	int16_t slot; /* stack slot, or -1 until first spilled */
	int8_t pin;   /* pinned global: its register for the whole block, or -1 */
	bool pin_wr;  /* pinned and written by an op of the block (else never dirty) */
};

/*
 * One guest access's out-of-line slow path, emitted after the block; or
 * (branch) a conditional branch's taken path that writes the globals held
 * dirty in registers back before it jumps to its label.
 */
struct x86_slow {
	uint8_t *jcc; /* the probe's jne rel32 / the branch's jcc rel32 */
	uint8_t *grp_jz; /* grouped access: jz rel32 to its own probe (group check failed) */
	uint8_t *access; /* grouped access, store: the load/store [addr + rax] */
	uint8_t *ret; /* where to continue */
	bool branch;
	uint32_t label; /* branch: its target */
	const struct tcg_insn_rec *rec;
	uint32_t memop_idx;
	int8_t addr_reg, val_reg;
	int32_t addr_disp; /* the guest address is addr_reg + addr_disp */
	bool store, w64;
	uint8_t size, mmu; /* grouped access: for its own probe */
	/*
	 * A struct tcg_fp_fast call computed inline: the helper, its desc,
	 * the operands' registers (addr_reg, fp_b), the result's (val_reg)
	 * and the inline checks' jumps here.
	 */
	const struct tcg_helper *fp_h;
	uint64_t fp_desc;
	int8_t fp_b;
	uint8_t n_fp_jcc;
	uint8_t *fp_jcc[7];
	uint8_t n_dirty;
	int8_t dirty_reg[16];
	uint8_t dirty_size[16];
	int32_t dirty_off[16];
};

/*
 * Guest accesses through one base value (x86_plan_groups): the first
 * checks the TLB once for all of them and leaves the addend in a slot.
 */
#define X86_MAX_GRPS 512
#define X86_GRP_SPAN 1024 /* bytes a group's accesses may span */

struct x86_grp {
	unsigned leader, last; /* op indexes of the first and last access */
	int32_t lo, hi;	       /* the accesses' bytes: [base + lo, base + hi) */
	uint8_t slot, mmu;
	bool ld, st;
	unsigned n;
	int32_t base, ver; /* planning: the base temp and the op that last wrote it */
};

struct x86_fixup {
	uint8_t *at;
	uint32_t label;
};

struct x86_gen {
	struct x86_buf b;
	struct tcg_ir *ir;
	struct tcg_tb *tb;
	uint8_t *epilogue; /* RW address of the shared exit path */
	uint8_t *slow_thunk[2]; /* RW addresses of the slow-path thunks: load, store */
	uint8_t *fp_thunk;	/* RW address of x86_emit_fp_thunk's */
	/* The probe thunks (x86_emit_probe_thunk) by MMU index, log2 size, store. */
	uint8_t *probe_thunk[TCG_NB_MMU_MODES][4][2];
	/* Untranslated loads from this RAM window skip the TLB (0: none). */
	uint64_t win_base, win_size;
	uint8_t *win_host;
	uint32_t win_mmu_mask; /* MMU indexes it applies to */
	/* The MXCSR is in its default mode: struct tcg_fp_fast helpers inline. */
	bool fp_inline;
	struct x86_ts ts[TCG_MAX_TEMPS];
	uint16_t life[TCG_MAX_OPS]; /* bit j: arg j dies at (is dead after) op */
	uint8_t live[TCG_MAX_TEMPS];
	uint32_t kind_list[TCG_MAX_TEMPS]; /* liveness: the temps of one kind */
	int32_t reg_temp[16];
	uint32_t locked;
	uint32_t pinned; /* registers holding pinned globals */
	unsigned next_slot;
	unsigned evict_rr;
	uint8_t *label_pos[TCG_MAX_LABELS];
	struct x86_fixup fixups[X86_MAX_FIXUPS];
	unsigned n_fixups;
	struct x86_slow slow[X86_MAX_SLOW];
	struct x86_grp grps[X86_MAX_GRPS];
	unsigned n_grps;
	int16_t grp_of[TCG_MAX_OPS];  /* guest access op -> group, or -1 */
	int32_t grp_off[TCG_MAX_OPS]; /* its offset from the group's base */
	/*
	 * Planning, per temp, valid where wr_epoch equals plan_epoch (else as
	 * if -1): the op that last wrote it, and base, base version and offset
	 * when that op was `add t, base, const`.
	 */
	uint32_t wr_epoch[TCG_MAX_TEMPS], plan_epoch;
	int32_t wr[TCG_MAX_TEMPS];
	int32_t add_src[TCG_MAX_TEMPS], add_ver[TCG_MAX_TEMPS];
	int32_t add_off[TCG_MAX_TEMPS];
	unsigned n_slow;
	const struct tcg_insn_rec *cur_rec;
	unsigned insn_idx;
	/*
	 * A self-loop whose prologue added icount_n to instret: its back edges
	 * check exit_request and count the next round themselves, and enter
	 * after the prologue's add (loop_counted; see gen_loop_back).
	 */
	int32_t icount_n;
	bool loop_counted;
	int error;
};

/* Generate @tb's code from @ir into g->b. 0, -ENOSPC (buffer full), or -errno. */
int x86_gen_tb(struct x86_gen *g, struct tcg_ir *ir, struct tcg_tb *tb);

static inline bool w64(const struct tcg_op *op)
{
	return op->type == TCG_TYPE_I64;
}

/* ---- memop.c: CPU-struct and guest memory ops, helper calls ---- */

void x86_gen_ld_env(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
void x86_gen_st_env(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
void x86_gen_guest_ld(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
void x86_gen_guest_st(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
/* The same with the guest address in @ra + @disp (fused with its add). */
void x86_gen_guest_ld_at(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int ra,
			 int32_t disp);
void x86_gen_guest_st_at(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int ra,
			 int32_t disp);
void x86_gen_call(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
/* Group the block's guest accesses by base value (before code generation). */
void x86_plan_groups(struct x86_gen *g);
/* The out-of-line slow path of one guest access (after the block's code). */
void x86_emit_slow(struct x86_gen *g, const struct x86_slow *s);
/* The shared part of the slow paths (once, beside the entry trampoline). */
void x86_emit_slow_thunk(struct x86_buf *b, bool store);
/* The same for the helper calls of inline FP operations (x86_gen_call). */
void x86_emit_fp_thunk(struct x86_buf *b);
/*
 * A shared TLB probe: rcx = guest address in, rax = the entry's addend out,
 * or 0 when the access of @size bytes (@store) through @mmu_idx misses.
 * Clobbers rcx. For grouped accesses whose group check failed.
 */
void x86_emit_probe_thunk(struct x86_buf *b, unsigned mmu_idx, unsigned size, bool store);

/*
 * The globals held dirty in registers, into @s for an out-of-line path to
 * write back. @branch (a branch stub): pinned globals stay out (they live
 * in their registers across the block's labels), and a dirty local makes
 * it fail (false): only the inline write-back handles locals.
 */
bool x86_dirty_globals(struct x86_gen *g, struct x86_slow *s, bool branch);
/* Write back what x86_dirty_globals() collected. */
void x86_store_dirty(struct x86_gen *g, const struct x86_slow *s);


/* ---- regalloc.c: liveness and register allocation ---- */

#define CALLER_SAVED                                                                               \
	((1u << X86_RSI) | (1u << X86_RDI) | (1u << X86_R8) | (1u << X86_R9) | (1u << X86_R10) |   \
	 (1u << X86_R11))

static inline bool is_global(const struct x86_gen *g, uint32_t t)
{
	return g->ir->temps[t].kind == TCG_TEMP_GLOBAL;
}

static inline bool is_const(const struct x86_gen *g, uint32_t t)
{
	return g->ir->temps[t].kind == TCG_TEMP_CONST;
}

static inline uint64_t const_val(const struct x86_gen *g, uint32_t t)
{
	return (uint64_t)g->ir->temps[t].val;
}

void x86_ra_liveness(struct x86_gen *g);
void x86_ra_load_home(struct x86_gen *g, uint32_t t, int r);
void x86_ra_bind(struct x86_gen *g, uint32_t t, int r, bool in_mem);
void x86_ra_spill_reg(struct x86_gen *g, int r);
int x86_ra_alloc_reg(struct x86_gen *g, uint32_t avoid);
int x86_ra_in_reg(struct x86_gen *g, uint32_t t);
void x86_ra_free_dead_inputs(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
int x86_ra_out_reg(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int reuse_arg);
int x86_ra_out_reg_late(struct x86_gen *g, const struct tcg_op *op, uint16_t life);
void x86_ra_set_out(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int r);
void x86_ra_sync_globals(struct x86_gen *g, bool drop);
void x86_ra_free_all(struct x86_gen *g);
void x86_ra_sync_all(struct x86_gen *g, bool drop);
void x86_ra_sync_branch(struct x86_gen *g, bool drop);
void x86_ra_pinned_dirty(struct x86_gen *g);

#endif
