/*
 * The builder: what a guest frontend calls to emit IR for one translation
 * block. A frontend's translate_block() (tcg.h) receives a builder and
 * emits, per guest instruction:
 *
 *   tcg_gen_insn_start(b, pc, 0);
 *   ... ops ...
 *
 * and ends the block with one of
 *   tcg_gen_goto_tb(b, 0); tcg_gen_movi_i64(b, pc_global, next); tcg_gen_exit_tb(b, 0);
 *   tcg_gen_goto_ptr(b, new_pc)       (after writing the pc global itself)
 *   tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN)   (after writing the pc global)
 *
 * Temps:
 * - tcg_temp_new_*: an SSA-ish scratch value. Its value does NOT survive a
 *   tcg_gen_set_label() (it survives the fall-through of brcond). Cheap:
 *   create new ones freely, there is no free.
 * - tcg_temp_local_*: survives labels too (costs a stack slot).
 * - globals (tcg_global_*, registered once per context, see tcg.h): a field
 *   of the CPU struct. Within a block the backend keeps them in host
 *   registers and writes them back only before exits, labels/branches,
 *   helper calls that read or write globals, and (in the slow path) before
 *   a guest memory access that may fault. Global handles are identical in
 *   every context if registered in the same order, so a frontend may keep
 *   them in file-scope variables.
 * - constants: tcg_const_*: interned, free to create.
 *
 * Handles are small structs passed by value, so an i32 cannot be passed
 * where an i64 is expected. Errors (too many ops/temps/labels) are sticky
 * in the builder and make the translation fail cleanly (-ENOSPC): the
 * frontend should stop when tcg_should_stop() says so.
 */
#ifndef VMM_ACCEL_TCG_BUILDER_H
#define VMM_ACCEL_TCG_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "accel/tcg/ir.h"

typedef struct {
	uint32_t idx;
} tcg_i32;
typedef struct {
	uint32_t idx;
} tcg_i64;
typedef struct {
	uint32_t id;
} tcg_label;

/* "no temp", e.g. a call without a result. */
#define TCG_NO_TEMP  0xffffffffu
#define TCG_I64_NONE ((tcg_i64){TCG_NO_TEMP})

struct tcg_builder;

/* --- temps, constants, labels --- */
tcg_i32 tcg_temp_new_i32(struct tcg_builder *b);
tcg_i64 tcg_temp_new_i64(struct tcg_builder *b);
tcg_i32 tcg_temp_local_i32(struct tcg_builder *b);
tcg_i64 tcg_temp_local_i64(struct tcg_builder *b);
tcg_i32 tcg_const_i32(struct tcg_builder *b, uint32_t v);
tcg_i64 tcg_const_i64(struct tcg_builder *b, uint64_t v);
tcg_label tcg_label_new(struct tcg_builder *b);

/* --- block structure --- */

/*
 * Marks the start of a guest instruction. @d0 is the guest pc, @d1 any
 * extra per-insn state the frontend's restore_state() needs (0 if none).
 * These words are what the exec loop hands back to restore_state() when an
 * instruction faults (tcg.h). Emit it before every instruction.
 */
void tcg_gen_insn_start(struct tcg_builder *b, uint64_t d0, uint64_t d1);

/*
 * True when the frontend should end the block before translating the
 * instruction at @next_pc: op/temp budget nearly used, TCG_MAX_INSNS
 * reached, @next_pc on a different guest page than the block start, or
 * the context runs single-instruction blocks. The frontend then ends the
 * block with goto_tb/exit_tb to @next_pc.
 */
bool tcg_should_stop(struct tcg_builder *b, uint64_t next_pc);

/* Guest instructions translated so far in this block (insn_starts emitted). */
unsigned tcg_builder_insns(const struct tcg_builder *b);

/*
 * Superblocks: the block's prologue adds all its instructions to
 * cpu->instret at once. An exit taken before the last one (a side exit)
 * takes back the @n it did not run.
 */
void tcg_gen_uncount_insns(struct tcg_builder *b, unsigned n);

/*
 * Fetch @len (2 or 4) bytes of guest code at @pc for translation, little
 * endian, into *out. Registers the page(s) as holding code of this block
 * (writes there invalidate it). Returns 0, or -EFAULT when @pc is not
 * executable memory: the frontend then emits code that raises its
 * instruction-access fault at run time (and ends the block), so the fault
 * happens only if the block is really reached.
 */
int tcg_fetch_code(struct tcg_builder *b, uint64_t pc, unsigned len, uint32_t *out) must_check;

/* The guest pc and mode flags the block is being translated for. */
uint64_t tcg_block_pc(const struct tcg_builder *b);
uint32_t tcg_block_flags(const struct tcg_builder *b);

/* --- moves and arithmetic: one function per op and width --- */
#define TCG_DECL_OP1(name)                                                                         \
	void tcg_gen_##name##_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a);                    \
	void tcg_gen_##name##_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a);
#define TCG_DECL_OP2(name)                                                                         \
	void tcg_gen_##name##_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, tcg_i32 c);         \
	void tcg_gen_##name##_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c);
/* With an immediate second operand. */
#define TCG_DECL_OP2I(name)                                                                        \
	void tcg_gen_##name##i_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, uint32_t c);       \
	void tcg_gen_##name##i_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, uint64_t c);

TCG_DECL_OP1(mov)
TCG_DECL_OP1(neg)
TCG_DECL_OP1(not )
TCG_DECL_OP1(ext8s)
TCG_DECL_OP1(ext8u)
TCG_DECL_OP1(ext16s)
TCG_DECL_OP1(ext16u)
TCG_DECL_OP1(bswap)
TCG_DECL_OP1(ctpop)
TCG_DECL_OP2(add)
TCG_DECL_OP2(sub)
TCG_DECL_OP2(mul)
TCG_DECL_OP2(mulsh)
TCG_DECL_OP2(muluh)
TCG_DECL_OP2(mulsuh)
TCG_DECL_OP2(div)
TCG_DECL_OP2(divu)
TCG_DECL_OP2(rem)
TCG_DECL_OP2(remu)
TCG_DECL_OP2(and)
TCG_DECL_OP2(or)
TCG_DECL_OP2(xor)
TCG_DECL_OP2(andc)
TCG_DECL_OP2(orc)
TCG_DECL_OP2(eqv)
TCG_DECL_OP2(shl)
TCG_DECL_OP2(shr)
TCG_DECL_OP2(sar)
TCG_DECL_OP2(rotl)
TCG_DECL_OP2(rotr)
TCG_DECL_OP2(smin)
TCG_DECL_OP2(smax)
TCG_DECL_OP2(umin)
TCG_DECL_OP2(umax)
/* clz/ctz: d = a ? count(a) : c. */
TCG_DECL_OP2(clz)
TCG_DECL_OP2(ctz)
TCG_DECL_OP2I(add)
TCG_DECL_OP2I(sub)
TCG_DECL_OP2I(mul)
TCG_DECL_OP2I(and)
TCG_DECL_OP2I(or)
TCG_DECL_OP2I(xor)
TCG_DECL_OP2I(shl)
TCG_DECL_OP2I(shr)
TCG_DECL_OP2I(sar)
TCG_DECL_OP2I(rotl)
TCG_DECL_OP2I(rotr)

void tcg_gen_movi_i32(struct tcg_builder *b, tcg_i32 d, uint32_t v);
void tcg_gen_movi_i64(struct tcg_builder *b, tcg_i64 d, uint64_t v);

void tcg_gen_ext32s_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a);
void tcg_gen_ext32u_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a);
void tcg_gen_ext_i32_i64(struct tcg_builder *b, tcg_i64 d, tcg_i32 a);
void tcg_gen_extu_i32_i64(struct tcg_builder *b, tcg_i64 d, tcg_i32 a);
void tcg_gen_extrl_i64_i32(struct tcg_builder *b, tcg_i32 d, tcg_i64 a);

/* Bit fields: see ir.h (extract/sextract/deposit). */
void tcg_gen_extract_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, unsigned pos, unsigned len);
void tcg_gen_extract_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, unsigned pos, unsigned len);
void tcg_gen_sextract_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, unsigned pos, unsigned len);
void tcg_gen_sextract_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, unsigned pos, unsigned len);
void tcg_gen_deposit_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, tcg_i32 c, unsigned pos,
			 unsigned len);
void tcg_gen_deposit_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c, unsigned pos,
			 unsigned len);

/* d = cond(a, c) ? 1 : 0 */
void tcg_gen_setcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 d, tcg_i32 a,
			 tcg_i32 c);
void tcg_gen_setcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 a,
			 tcg_i64 c);
void tcg_gen_setcondi_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 a,
			  uint64_t c);
/* d = cond(c1, c2) ? v1 : v2 */
void tcg_gen_movcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 d, tcg_i32 c1,
			 tcg_i32 c2, tcg_i32 v1, tcg_i32 v2);
void tcg_gen_movcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 c1,
			 tcg_i64 c2, tcg_i64 v1, tcg_i64 v2);

/*
 * --- CPU struct access (never faults); @off from the start of the CPU struct ---
 * Not for fields registered as globals: the optimizer and the register
 * allocator assume a global changes only through IR writes to it and
 * through helpers whose flags allow it.
 */
void tcg_gen_ld_env_i32(struct tcg_builder *b, tcg_i32 d, int32_t off, enum tcg_memop mo);
void tcg_gen_ld_env_i64(struct tcg_builder *b, tcg_i64 d, int32_t off, enum tcg_memop mo);
void tcg_gen_st_env_i32(struct tcg_builder *b, tcg_i32 v, int32_t off, enum tcg_memop mo);
void tcg_gen_st_env_i64(struct tcg_builder *b, tcg_i64 v, int32_t off, enum tcg_memop mo);

/*
 * --- guest memory through the TLB ---
 * @addr is the full 64-bit guest virtual address; @mmu_idx < TCG_NB_MMU_MODES
 * selects the TLB (privilege/translation regime). Misaligned accesses are
 * completed (split) unless @mo has TCG_MO_ALIGN, in which case the
 * frontend's unaligned() hook raises. Faults call the frontend hooks
 * (tcg.h), which raise a guest exception at this instruction.
 */
void tcg_gen_guest_ld_i32(struct tcg_builder *b, tcg_i32 d, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx);
void tcg_gen_guest_ld_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx);
void tcg_gen_guest_st_i32(struct tcg_builder *b, tcg_i32 v, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx);
void tcg_gen_guest_st_i64(struct tcg_builder *b, tcg_i64 v, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx);

/* --- control flow inside the block --- */
void tcg_gen_set_label(struct tcg_builder *b, tcg_label l);
void tcg_gen_br(struct tcg_builder *b, tcg_label l);
void tcg_gen_brcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 a, tcg_i32 c,
			tcg_label l);
void tcg_gen_brcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 a, tcg_i64 c,
			tcg_label l);
void tcg_gen_brcondi_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 a, uint64_t c,
			 tcg_label l);

/*
 * --- helper calls ---
 * Call @h with the CPU pointer and @n i64 arguments; the result goes to
 * @ret (TCG_I64_NONE for none). See struct tcg_helper and TCG_CALL_* in
 * ir.h for the C signature and flags.
 */
void tcg_gen_call(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, unsigned n,
		  const tcg_i64 *args);
void tcg_gen_call0(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret);
void tcg_gen_call1(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1);
void tcg_gen_call2(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2);
void tcg_gen_call3(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2, tcg_i64 a3);
void tcg_gen_call4(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2, tcg_i64 a3, tcg_i64 a4);

/*
 * --- leaving the block ---
 * goto_tb(slot), slot 0 or 1, at most once each per block: a direct jump
 * that the exec loop patches to the next block once known. It must be
 * followed by code that writes the next pc into the pc global and by
 * exit_tb(slot) (the path taken until patched):
 *
 *   tcg_gen_goto_tb(b, 0);
 *   tcg_gen_movi_i64(b, cpu_pc, dest);
 *   tcg_gen_exit_tb(b, 0);
 *
 * exit_tb(TCG_EXIT_NOCHAIN): return to the exec loop, which looks up
 * cpu->pc (write the pc global first). Use it after anything that changed
 * tb_flags, requested an exit, or must not chain.
 *
 * goto_ptr(pc): indirect jump (jalr): the pc global must already hold @pc;
 * jumps straight to the block found in the vCPU's jump cache for
 * (pc, tb_flags), else returns to the exec loop.
 */
void tcg_gen_goto_tb(struct tcg_builder *b, unsigned slot);
void tcg_gen_exit_tb(struct tcg_builder *b, unsigned slot_or_nochain);
void tcg_gen_goto_ptr(struct tcg_builder *b, tcg_i64 pc);

/* Chaining slots per block (goto_tb / exit_tb 0 .. TCG_TB_SLOTS - 1). */
#define TCG_TB_SLOTS 4

/* Value for tcg_gen_exit_tb(): return to the loop, no chaining. */
#define TCG_EXIT_NOCHAIN 4

/* The builder's IR (for the core, tests and debugging dumps). */
struct tcg_ir *tcg_builder_ir(struct tcg_builder *b);

#endif
