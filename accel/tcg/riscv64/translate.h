/*
 * The RISC-V translator's shared view: the per-block decode context and
 * the small code generators every instruction group uses. translate.c
 * (rvfront) handles I/M/A/C/Zicsr/Zifencei/Zb*; the F/D instructions are
 * handed to rv_translate_fp() in translate_fp.c (helper fpu), which sees
 * only this header, cpu.h and builder.h.
 */
#ifndef VMM_ACCEL_TCG_RISCV64_TRANSLATE_H
#define VMM_ACCEL_TCG_RISCV64_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "accel/tcg/builder.h"
#include "accel/tcg/riscv64/cpu.h"

/* How the current instruction left the block. */
enum rv_dc_end {
	RV_DC_NEXT = 0,	   /* go on with the next instruction */
	RV_DC_ENDED,	   /* the block's exit has been emitted */
	RV_DC_STOP,	   /* end the block after this insn, chained to the next pc */
	RV_DC_STOP_LOOKUP, /* end after this insn, next block looked up by pc and flags */
};

/* Direct jumps followed per block. */
#define RV_MAX_FOLLOW 2

struct rv_dc {
	struct tcg_builder *b;
	uint64_t block_pc; /* the block's first instruction */
	uint64_t pc;	  /* this instruction's address */
	uint64_t next_pc; /* pc + its length (2 or 4) */
	uint32_t flags;	  /* tb_flags of the block */
	unsigned mmu_idx; /* for guest_ld/guest_st */
	uint32_t insn;	  /* the instruction bits as fetched (16 or 32 bits) */
	uint32_t raw;	  /* the 32-bit form (compressed insns expanded) */
	enum rv_dc_end end;
	/* Chaining slots given out (goto_tb), side exits included. */
	unsigned slots;
	/*
	 * Superblock side exits: a conditional branch whose not-taken path
	 * the block goes on translating; its taken path leaves through
	 * @slot after the block's last instruction (emitted at the end).
	 */
	unsigned n_side;
	struct rv_side_exit {
		tcg_label label;
		uint64_t dest;
		unsigned slot;
		unsigned insns; /* instructions run when it is taken */
	} side[TCG_TB_SLOTS];
	/*
	 * Direct jumps (jal x0) within the block's page are followed: the
	 * block goes on at the target. seg[] are the address ranges
	 * translated so far ([0] up to seg_start: finished); a jump into one
	 * of them ends the block instead (no unrolling).
	 */
	uint64_t seg_start;
	unsigned n_seg;
	struct {
		uint64_t start, end;
	} seg[RV_MAX_FOLLOW];
};

/* Register fields of a 32-bit instruction. */
static inline unsigned rv_rd(uint32_t i)
{
	return (i >> 7) & 31;
}
static inline unsigned rv_rs1(uint32_t i)
{
	return (i >> 15) & 31;
}
static inline unsigned rv_rs2(uint32_t i)
{
	return (i >> 20) & 31;
}
static inline unsigned rv_rs3(uint32_t i)
{
	return (i >> 27) & 31;
}
static inline unsigned rv_funct3(uint32_t i)
{
	return (i >> 12) & 7;
}
static inline unsigned rv_funct7(uint32_t i)
{
	return i >> 25;
}
/* I-type and S-type immediates, sign-extended. */
static inline int64_t rv_imm_i(uint32_t i)
{
	return (int64_t)(int32_t)i >> 20;
}
static inline int64_t rv_imm_s(uint32_t i)
{
	return ((int64_t)(int32_t)(i & 0xfe000000) >> 20) | ((i >> 7) & 31);
}

/*
 * Integer registers: a read of x0 gives the constant 0, a write to x0 is
 * dropped (the value is computed into a scratch temp).
 */
tcg_i64 rv_gen_get_gpr(struct rv_dc *dc, unsigned r);
/* A temp to compute rd's new value into; commit it with rv_gen_set_gpr(). */
tcg_i64 rv_gen_dest_gpr(struct rv_dc *dc, unsigned r);
void rv_gen_set_gpr(struct rv_dc *dc, unsigned r, tcg_i64 v);

/* Raise an illegal-instruction trap for this instruction (mtval = its bits). */
void rv_gen_illegal(struct rv_dc *dc);
/* Raise exception @cause with @tval at this instruction; ends the block. */
void rv_gen_exception(struct rv_dc *dc, enum rv_excp cause, uint64_t tval);

/*
 * FP state: if the block was translated with FS != Dirty, set
 * mstatus.FS = Dirty (an instruction that writes f-registers or fflags must
 * call this, priv spec §3.1.6.6). The FS != Off check itself is done by the
 * caller through (dc->flags & RV_TBF_FS_ON).
 */
void rv_gen_set_fs_dirty(struct rv_dc *dc);

/* The F/D extension (translate_fp.c): false means "not an FP encoding". */
bool rv_translate_fp(struct rv_dc *dc, uint32_t insn);

/*
 * RVC: the 32-bit instruction a 16-bit one stands for (unpriv spec §16.8,
 * RV64C), or 0 for a reserved/illegal encoding. Pure.
 */
uint32_t rv_expand_c(uint16_t c);

#endif
