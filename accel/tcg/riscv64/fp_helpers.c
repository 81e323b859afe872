/*
 * RISC-V F and D instruction semantics, see fp_helpers.h. Section numbers
 * are from the unprivileged spec (20191213): chapter 11 is F, 12 is D.
 */
#include <errno.h>
#include <string.h>

#include "accel/tcg/fpu/softfloat.h"
#include "accel/tcg/riscv64/fp_helpers.h"

#define RV_F32_SIGN 0x80000000u
#define RV_F64_SIGN 0x8000000000000000ull

/* OP-FP funct5 values (unpriv spec §34, table 34.2/34.3 RV32F/RV32D/RV64F/RV64D). */
enum rv_fp_funct5 {
	RV_F5_ADD = 0x00,
	RV_F5_SUB = 0x01,
	RV_F5_MUL = 0x02,
	RV_F5_DIV = 0x03,
	RV_F5_SGNJ = 0x04,
	RV_F5_MINMAX = 0x05,
	RV_F5_CVT_FF = 0x08,
	RV_F5_SQRT = 0x0b,
	RV_F5_CMP = 0x14,
	RV_F5_CVT_IF = 0x18,
	RV_F5_CVT_FI = 0x1a,
	RV_F5_MV_XF = 0x1c,
	RV_F5_MV_FX = 0x1e,
};

static void rv_fp_set(struct rv_fp_insn *d, enum rv_fp_op op, unsigned nsrc, int rm)
{
	d->op = op;
	d->nsrc = nsrc;
	d->rm = rm;
}

/* fsgnj*, fmin/fmax, compares: funct3 selects the operation. */
static int rv_fp_decode_f3(struct rv_fp_insn *d, unsigned f5, unsigned f3)
{
	switch (f5) {
	case RV_F5_SGNJ:
		if (f3 > 2)
			return -EINVAL;
		rv_fp_set(d, RV_FP_SGNJ + f3, 2, -1);
		return 0;
	case RV_F5_MINMAX:
		if (f3 > 1)
			return -EINVAL;
		rv_fp_set(d, RV_FP_MIN + f3, 2, -1);
		return 0;
	default: /* RV_F5_CMP: feq = 2, flt = 1, fle = 0 */
		if (f3 > 2)
			return -EINVAL;
		rv_fp_set(d, f3 == 2 ? RV_FP_EQ : f3 == 1 ? RV_FP_LT : RV_FP_LE, 2, -1);
		d->rd_int = true;
		return 0;
	}
}

/* Conversions and moves: rs2 selects a type, or must be zero. */
static int rv_fp_decode_cvt(struct rv_fp_insn *d, unsigned f5, unsigned f3, unsigned rs2)
{
	switch (f5) {
	case RV_F5_CVT_FF: /* rs2 holds the source format: the other one */
		if (rs2 != (unsigned)!d->dbl)
			return -EINVAL;
		rv_fp_set(d, RV_FP_CVT_FF, 1, (int)f3);
		return 0;
	case RV_F5_CVT_IF:
	case RV_F5_CVT_FI:
		if (rs2 > RV_FP_LU)
			return -EINVAL;
		rv_fp_set(d, f5 == RV_F5_CVT_IF ? RV_FP_CVT_IF : RV_FP_CVT_FI, 1, (int)f3);
		d->ity = (enum rv_fp_int)rs2;
		d->rd_int = f5 == RV_F5_CVT_IF;
		d->rs1_int = f5 == RV_F5_CVT_FI;
		return 0;
	case RV_F5_MV_XF:
		if (rs2 || f3 > 1)
			return -EINVAL;
		rv_fp_set(d, f3 ? RV_FP_CLASS : RV_FP_MV_XF, 1, -1);
		d->rd_int = true;
		d->writes_state = false; /* neither flags nor an f register */
		return 0;
	default: /* RV_F5_MV_FX */
		if (rs2 || f3)
			return -EINVAL;
		rv_fp_set(d, RV_FP_MV_FX, 1, -1);
		d->rs1_int = true;
		return 0;
	}
}

static int rv_fp_decode_op(uint32_t insn, struct rv_fp_insn *d)
{
	unsigned f5 = insn >> 27, f3 = (insn >> 12) & 7, rs2 = (insn >> 20) & 31;

	switch (f5) {
	case RV_F5_ADD:
	case RV_F5_SUB:
	case RV_F5_MUL:
	case RV_F5_DIV:
		rv_fp_set(d, RV_FP_ADD + f5, 2, (int)f3);
		return 0;
	case RV_F5_SQRT:
		if (rs2)
			return -EINVAL;
		rv_fp_set(d, RV_FP_SQRT, 1, (int)f3);
		return 0;
	case RV_F5_SGNJ:
	case RV_F5_MINMAX:
	case RV_F5_CMP:
		return rv_fp_decode_f3(d, f5, f3);
	case RV_F5_CVT_FF:
	case RV_F5_CVT_IF:
	case RV_F5_CVT_FI:
	case RV_F5_MV_XF:
	case RV_F5_MV_FX:
		return rv_fp_decode_cvt(d, f5, f3, rs2);
	default:
		return -EINVAL;
	}
}

int rv_fp_decode(uint32_t insn, struct rv_fp_insn *d)
{
	unsigned opc = insn & 0x7f, fmt = (insn >> 25) & 3;
	int err;

	memset(d, 0, sizeof(*d));
	d->writes_state = true;
	/* fmt 2 (H) and 3 (Q) need Zfh/Q, which this hart does not have */
	if (fmt > 1)
		return -EINVAL;
	d->dbl = fmt == 1;
	switch (opc) {
	case RV_OPC_FMADD:
	case RV_OPC_FMSUB:
	case RV_OPC_FNMSUB:
	case RV_OPC_FNMADD:
		rv_fp_set(d, RV_FP_MADD + ((opc - RV_OPC_FMADD) >> 2), 3, (int)((insn >> 12) & 7));
		break;
	case RV_OPC_OP_FP:
		err = rv_fp_decode_op(insn, d);
		if (err)
			return err;
		break;
	default:
		return -EINVAL;
	}
	/* rm 5 and 6 are reserved (unpriv spec §11.2); 7 is checked at run time */
	if (d->rm == 5 || d->rm == 6)
		return -EINVAL;
	return 0;
}

static uint64_t rv_fp_to_int_s(uint32_t x, enum rv_fp_int t, enum sf_rm rm, uint32_t *fl)
{
	/* 32-bit results are sign-extended, even for WU (unpriv spec §11.7) */
	switch (t) {
	case RV_FP_W:
		return (uint64_t)(int64_t)sf_f32_to_i32(x, rm, fl);
	case RV_FP_WU:
		return (uint64_t)(int64_t)(int32_t)sf_f32_to_u32(x, rm, fl);
	case RV_FP_L:
		return (uint64_t)sf_f32_to_i64(x, rm, fl);
	default:
		return sf_f32_to_u64(x, rm, fl);
	}
}

static uint64_t rv_fp_to_int_d(uint64_t x, enum rv_fp_int t, enum sf_rm rm, uint32_t *fl)
{
	switch (t) {
	case RV_FP_W:
		return (uint64_t)(int64_t)sf_f64_to_i32(x, rm, fl);
	case RV_FP_WU:
		return (uint64_t)(int64_t)(int32_t)sf_f64_to_u32(x, rm, fl);
	case RV_FP_L:
		return (uint64_t)sf_f64_to_i64(x, rm, fl);
	default:
		return sf_f64_to_u64(x, rm, fl);
	}
}

/* Integer sources use the low 32 bits of x[rs1] for W and WU. */
static uint32_t rv_fp_from_int_s(uint64_t v, enum rv_fp_int t, enum sf_rm rm, uint32_t *fl)
{
	switch (t) {
	case RV_FP_W:
		return sf_i32_to_f32((int32_t)v, rm, fl);
	case RV_FP_WU:
		return sf_u32_to_f32((uint32_t)v, rm, fl);
	case RV_FP_L:
		return sf_i64_to_f32((int64_t)v, rm, fl);
	default:
		return sf_u64_to_f32(v, rm, fl);
	}
}

static uint64_t rv_fp_from_int_d(uint64_t v, enum rv_fp_int t, enum sf_rm rm, uint32_t *fl)
{
	switch (t) {
	case RV_FP_W:
		return sf_i32_to_f64((int32_t)v, rm, fl);
	case RV_FP_WU:
		return sf_u32_to_f64((uint32_t)v, rm, fl);
	case RV_FP_L:
		return sf_i64_to_f64((int64_t)v, rm, fl);
	default:
		return sf_u64_to_f64(v, rm, fl);
	}
}

/* f32 operations whose result is an f32 in an f register (not boxed yet). */
static uint32_t rv_fp_arith_s(const struct rv_fp_insn *d, enum sf_rm rm, uint32_t *fl, uint32_t x,
			      uint32_t y, uint32_t z)
{
	switch (d->op) {
	case RV_FP_ADD:
		return sf_f32_add(x, y, rm, fl);
	case RV_FP_SUB:
		return sf_f32_sub(x, y, rm, fl);
	case RV_FP_MUL:
		return sf_f32_mul(x, y, rm, fl);
	case RV_FP_DIV:
		return sf_f32_div(x, y, rm, fl);
	case RV_FP_SQRT:
		return sf_f32_sqrt(x, rm, fl);
	/* sign injection is a bit operation: no canonicalization (§11.6) */
	case RV_FP_SGNJ:
		return (x & ~RV_F32_SIGN) | (y & RV_F32_SIGN);
	case RV_FP_SGNJN:
		return (x & ~RV_F32_SIGN) | (~y & RV_F32_SIGN);
	case RV_FP_SGNJX:
		return x ^ (y & RV_F32_SIGN);
	case RV_FP_MIN:
		return sf_f32_min(x, y, fl);
	case RV_FP_MAX:
		return sf_f32_max(x, y, fl);
	/* fused forms (§11.6): negate the product and/or the addend */
	case RV_FP_MADD:
		return sf_f32_fma(x, y, z, rm, fl);
	case RV_FP_MSUB:
		return sf_f32_fma(x, y, z ^ RV_F32_SIGN, rm, fl);
	case RV_FP_NMSUB:
		return sf_f32_fma(x ^ RV_F32_SIGN, y, z, rm, fl);
	default: /* RV_FP_NMADD */
		return sf_f32_fma(x ^ RV_F32_SIGN, y, z ^ RV_F32_SIGN, rm, fl);
	}
}

static uint64_t rv_fp_arith_d(const struct rv_fp_insn *d, enum sf_rm rm, uint32_t *fl, uint64_t x,
			      uint64_t y, uint64_t z)
{
	switch (d->op) {
	case RV_FP_ADD:
		return sf_f64_add(x, y, rm, fl);
	case RV_FP_SUB:
		return sf_f64_sub(x, y, rm, fl);
	case RV_FP_MUL:
		return sf_f64_mul(x, y, rm, fl);
	case RV_FP_DIV:
		return sf_f64_div(x, y, rm, fl);
	case RV_FP_SQRT:
		return sf_f64_sqrt(x, rm, fl);
	case RV_FP_SGNJ:
		return (x & ~RV_F64_SIGN) | (y & RV_F64_SIGN);
	case RV_FP_SGNJN:
		return (x & ~RV_F64_SIGN) | (~y & RV_F64_SIGN);
	case RV_FP_SGNJX:
		return x ^ (y & RV_F64_SIGN);
	case RV_FP_MIN:
		return sf_f64_min(x, y, fl);
	case RV_FP_MAX:
		return sf_f64_max(x, y, fl);
	case RV_FP_MADD:
		return sf_f64_fma(x, y, z, rm, fl);
	case RV_FP_MSUB:
		return sf_f64_fma(x, y, z ^ RV_F64_SIGN, rm, fl);
	case RV_FP_NMSUB:
		return sf_f64_fma(x ^ RV_F64_SIGN, y, z, rm, fl);
	default: /* RV_FP_NMADD */
		return sf_f64_fma(x ^ RV_F64_SIGN, y, z ^ RV_F64_SIGN, rm, fl);
	}
}

static uint64_t rv_fp_exec_s(const struct rv_fp_insn *d, enum sf_rm rm, uint32_t *fl, uint64_t a,
			     uint64_t b, uint64_t c)
{
	/* every S operand except a transfer's is checked for NaN boxing (§12.2) */
	uint32_t x = rv_fp_unbox32(a), y = rv_fp_unbox32(b);

	switch (d->op) {
	case RV_FP_CVT_FF: /* fcvt.s.d: rs1 is a D value */
		return rv_fp_box32(sf_f64_to_f32(a, rm, fl));
	case RV_FP_EQ:
		return sf_f32_eq(x, y, fl);
	case RV_FP_LT:
		return sf_f32_lt(x, y, fl);
	case RV_FP_LE:
		return sf_f32_le(x, y, fl);
	case RV_FP_CVT_IF:
		return rv_fp_to_int_s(x, d->ity, rm, fl);
	case RV_FP_CVT_FI:
		return rv_fp_box32(rv_fp_from_int_s(a, d->ity, rm, fl));
	case RV_FP_MV_XF: /* a transfer: the raw low 32 bits, sign-extended (§11.10) */
		return (uint64_t)(int64_t)(int32_t)(uint32_t)a;
	case RV_FP_CLASS:
		return sf_f32_class(x);
	case RV_FP_MV_FX:
		return rv_fp_box32((uint32_t)a);
	default:
		return rv_fp_box32(rv_fp_arith_s(d, rm, fl, x, y, rv_fp_unbox32(c)));
	}
}

static uint64_t rv_fp_exec_d(const struct rv_fp_insn *d, enum sf_rm rm, uint32_t *fl, uint64_t a,
			     uint64_t b, uint64_t c)
{
	switch (d->op) {
	case RV_FP_CVT_FF: /* fcvt.d.s: rs1 is a boxed S value */
		return sf_f32_to_f64(rv_fp_unbox32(a), fl);
	case RV_FP_EQ:
		return sf_f64_eq(a, b, fl);
	case RV_FP_LT:
		return sf_f64_lt(a, b, fl);
	case RV_FP_LE:
		return sf_f64_le(a, b, fl);
	case RV_FP_CVT_IF:
		return rv_fp_to_int_d(a, d->ity, rm, fl);
	case RV_FP_CVT_FI:
		return rv_fp_from_int_d(a, d->ity, rm, fl);
	case RV_FP_MV_XF:
	case RV_FP_MV_FX: /* fmv.x.d / fmv.d.x: raw bits (§12.7) */
		return a;
	case RV_FP_CLASS:
		return sf_f64_class(a);
	default:
		return rv_fp_arith_d(d, rm, fl, a, b, c);
	}
}

int rv_fp_exec(const struct rv_fp_insn *d, uint32_t frm, uint32_t *fflags, uint64_t a, uint64_t b,
	       uint64_t c, uint64_t *out)
{
	uint32_t rm = SF_RNE;

	if (d->rm >= 0) {
		rm = d->rm == RV_RM_DYN ? frm : (uint32_t)d->rm;
		/* guest-controlled: frm >= 5 makes the instruction illegal (§11.2) */
		if (rm > SF_RMM)
			return -EINVAL;
	}
	if (d->dbl)
		*out = rv_fp_exec_d(d, (enum sf_rm)rm, fflags, a, b, c);
	else
		*out = rv_fp_exec_s(d, (enum sf_rm)rm, fflags, a, b, c);
	return 0;
}
