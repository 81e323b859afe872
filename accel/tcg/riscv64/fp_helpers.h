/*
 * RISC-V F and D semantics on top of softfloat (unpriv spec chapters 11
 * and 12): decode of the OP-FP and fused multiply-add encodings, NaN boxing,
 * the rm field with DYN = frm, fflags accumulation, and the per-instruction
 * operation. Pure functions over values: translate_fp.c moves registers in
 * and out and wraps rv_fp_exec() in a JIT helper.
 */
#ifndef VMM_ACCEL_TCG_RISCV64_FP_HELPERS_H
#define VMM_ACCEL_TCG_RISCV64_FP_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/compiler.h"

/* Major opcodes (unpriv spec §34, table 34.1). */
#define RV_OPC_LOAD_FP	0x07
#define RV_OPC_STORE_FP 0x27
#define RV_OPC_FMADD	0x43
#define RV_OPC_FMSUB	0x47
#define RV_OPC_FNMSUB	0x4b
#define RV_OPC_FNMADD	0x4f
#define RV_OPC_OP_FP	0x53

/* rm field value meaning "use fcsr.frm" (unpriv spec §11.2, table 11.1). */
#define RV_RM_DYN 7

enum rv_fp_op {
	RV_FP_ADD,
	RV_FP_SUB,
	RV_FP_MUL,
	RV_FP_DIV,
	RV_FP_SQRT,
	RV_FP_SGNJ,
	RV_FP_SGNJN,
	RV_FP_SGNJX,
	RV_FP_MIN,
	RV_FP_MAX,
	RV_FP_CVT_FF, /* fcvt.s.d / fcvt.d.s */
	RV_FP_EQ,
	RV_FP_LT,
	RV_FP_LE,
	RV_FP_CVT_IF, /* float -> integer: fcvt.{w,wu,l,lu}.{s,d} */
	RV_FP_CVT_FI, /* integer -> float: fcvt.{s,d}.{w,wu,l,lu} */
	RV_FP_MV_XF,  /* fmv.x.w / fmv.x.d */
	RV_FP_CLASS,
	RV_FP_MV_FX, /* fmv.w.x / fmv.d.x */
	RV_FP_MADD,
	RV_FP_MSUB,
	RV_FP_NMSUB,
	RV_FP_NMADD,
};

/* Integer operand of fcvt: the rs2 field (unpriv spec §11.7). */
enum rv_fp_int { RV_FP_W = 0, RV_FP_WU = 1, RV_FP_L = 2, RV_FP_LU = 3 };

/* A decoded OP-FP or fused instruction. */
struct rv_fp_insn {
	enum rv_fp_op op;
	bool dbl;	    /* the operation's format is D (else S) */
	bool rd_int;	    /* rd is an x register (compare, fcvt to int, fmv.x, fclass) */
	bool rs1_int;	    /* rs1 is an x register (fcvt from int, fmv to f) */
	unsigned nsrc;	    /* f/x sources used: rs1, rs2, rs3 in that order */
	int rm;		    /* rounding-mode field, or -1 if the op has none */
	enum rv_fp_int ity; /* integer type of fcvt between float and int */
	bool writes_state;  /* may set fflags or write an f register: FS = Dirty */
};

/*
 * Decode @insn (major opcode OP-FP or one of the four fused ones). Returns 0,
 * or -EINVAL for an encoding that must raise illegal instruction: unknown
 * funct fields, H/Q formats, a reserved static rm (5 or 6).
 */
int rv_fp_decode(uint32_t insn, struct rv_fp_insn *d) must_check;

/*
 * Execute a decoded instruction. @a, @b, @c are the raw values of rs1, rs2,
 * rs3 (64-bit f registers, NaN-boxed for S; or x[rs1]); @frm is fcsr.frm;
 * flags raised are ORed into *@fflags. The result is the new rd value:
 * NaN-boxed for an S result in an f register, sign-extended as the spec
 * says for an x register. Returns 0, or -EINVAL when the rounding mode is
 * invalid (DYN with frm >= 5): illegal instruction, nothing written.
 */
int rv_fp_exec(const struct rv_fp_insn *d, uint32_t frm, uint32_t *fflags, uint64_t a, uint64_t b,
	       uint64_t c, uint64_t *out) must_check;

/*
 * What rv_fp_exec() needs of a decoded instruction (op, format, rm, integer
 * type) in 12 bits, so that translated code can hand it to a helper as a
 * constant instead of having the instruction decoded again at run time.
 */
static inline uint32_t rv_fp_pack(const struct rv_fp_insn *d)
{
	return (uint32_t)d->op | (uint32_t)d->dbl << 5 | (uint32_t)d->ity << 6 |
	       (uint32_t)(d->rm + 1) << 8;
}

static inline void rv_fp_unpack(uint32_t v, struct rv_fp_insn *d)
{
	d->op = (enum rv_fp_op)(v & 31);
	d->dbl = (v >> 5) & 1;
	d->ity = (enum rv_fp_int)((v >> 6) & 3);
	d->rm = (int)((v >> 8) & 15) - 1;
}

/* NaN boxing (unpriv spec §12.2): an S value in a 64-bit f register. */
static inline uint64_t rv_fp_box32(uint32_t v)
{
	return 0xffffffff00000000ull | v;
}

/* An improperly boxed input reads as the canonical NaN. */
static inline uint32_t rv_fp_unbox32(uint64_t r)
{
	return (r >> 32) == 0xffffffffu ? (uint32_t)r : 0x7fc00000u;
}

#endif
