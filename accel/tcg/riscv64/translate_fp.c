/*
 * RISC-V F and D translation (unpriv spec chapters 11 and 12): FP loads and
 * stores become plain guest memory ops (with NaN boxing for flw); every
 * OP-FP and fused multiply-add instruction becomes one call of
 * rv_helper_fp(), which runs fp_helpers.c on the register values and
 * accumulates fflags. Compressed FP loads/stores arrive here already
 * expanded to their 32-bit forms by rv_expand_c().
 *
 * The f registers, fflags and frm are plain CPU-struct fields, not JIT
 * globals: this file reads and writes f[] with ld_env/st_env, and the
 * helper touches only fflags/frm, so it is flagged as not reading or
 * writing globals.
 */
#include <stddef.h>

#include "accel/tcg/fpu/softfloat.h"
#include "accel/tcg/riscv64/fp_helpers.h"
#include "accel/tcg/riscv64/translate.h"

#define RV_F_OFF(r) ((int32_t)(offsetof(struct rv_cpu, f) + 8 * (r)))

/*
 * fp(desc, rs1, rs2, rs3) -> rd value; desc = the instruction's bits, and
 * rv_fp_pack() of its decoding in bits 32..43. Raises illegal instruction
 * when rm is DYN and frm holds a reserved value (unpriv spec §11.2).
 */
static uint64_t rv_helper_fp_fn(struct tcg_cpu *c, uint64_t desc, uint64_t a, uint64_t b,
				uint64_t x)
{
	struct rv_cpu *cpu = rv_cpu(c);
	struct rv_fp_insn d;
	uint64_t out = 0;

	rv_fp_unpack((uint32_t)(desc >> 32), &d);
	/* guest-controlled: frm is whatever the guest wrote to fcsr */
	if (rv_fp_exec(&d, cpu->frm, &cpu->fflags, a, b, x, &out))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, (uint32_t)desc);
	return out;
}

static const struct tcg_helper rv_helper_fp =
    TCG_HELPER(rv_helper_fp_fn, 4, TCG_CALL_NO_RG | TCG_CALL_NO_WG);

/*
 * The hot arithmetic (add, sub, mul, div, fmadd in S and D) skips
 * rv_fp_exec()'s dispatch: one helper per operation, desc = rm << 32 | insn.
 * Same semantics as rv_helper_fp_fn() (test_fp_helpers checks both agree).
 */
static enum sf_rm rv_fp_rm(struct tcg_cpu *c, uint64_t desc)
{
	uint32_t rm = (uint32_t)(desc >> 32);

	if (rm == RV_RM_DYN)
		rm = rv_cpu(c)->frm; /* guest-controlled: checked below */
	if (rm > SF_RMM)	     /* unpriv spec §11.2: reserved rounding mode */
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, (uint32_t)desc);
	return (enum sf_rm)rm;
}

#define RV_FP_HELPER2(name, sf_fn)                                                                 \
	static uint64_t rv_helper_##name##_d_fn(struct tcg_cpu *c, uint64_t desc, uint64_t a,      \
						uint64_t b)                                        \
	{                                                                                          \
		enum sf_rm rm = rv_fp_rm(c, desc);                                                 \
		return sf_f64_##sf_fn(a, b, rm, &rv_cpu(c)->fflags);                               \
	}                                                                                          \
	static uint64_t rv_helper_##name##_s_fn(struct tcg_cpu *c, uint64_t desc, uint64_t a,      \
						uint64_t b)                                        \
	{                                                                                          \
		enum sf_rm rm = rv_fp_rm(c, desc);                                                 \
		return rv_fp_box32(sf_f32_##sf_fn(rv_fp_unbox32(a), rv_fp_unbox32(b), rm,          \
						  &rv_cpu(c)->fflags));                            \
	}

RV_FP_HELPER2(fadd, add)
RV_FP_HELPER2(fsub, sub)
RV_FP_HELPER2(fmul, mul)
RV_FP_HELPER2(fdiv, div)

static uint64_t rv_helper_fmadd_d_fn(struct tcg_cpu *c, uint64_t desc, uint64_t a, uint64_t b,
				     uint64_t x)
{
	enum sf_rm rm = rv_fp_rm(c, desc);

	return sf_f64_fma(a, b, x, rm, &rv_cpu(c)->fflags);
}

static uint64_t rv_helper_fmadd_s_fn(struct tcg_cpu *c, uint64_t desc, uint64_t a, uint64_t b,
				     uint64_t x)
{
	enum sf_rm rm = rv_fp_rm(c, desc);

	return rv_fp_box32(sf_f32_fma(rv_fp_unbox32(a), rv_fp_unbox32(b), rv_fp_unbox32(x), rm,
				      &rv_cpu(c)->fflags));
}

#define RV_FP_HFLAGS (TCG_CALL_NO_RG | TCG_CALL_NO_WG)
/*
 * The ones a backend may compute inline (struct tcg_fp_fast): their
 * helpers' fast path, sf_f64/f32_*() -> hf_f64/f32_arith_nx(), in
 * generated code (fflags and frm are the CPU struct's; SF_NX is fflags' NX
 * bit; S operands unboxed and results boxed as rv_fp_unbox32/box32 do).
 */
#define RV_FP_FAST(o)                                                                              \
	{                                                                                          \
		.op = (o), .flags_off = (int32_t)offsetof(struct rv_cpu, fflags),                  \
		.rm_off = (int32_t)offsetof(struct rv_cpu, frm), .nx_bit = SF_NX,                  \
		.rm_dyn = RV_RM_DYN                                                                \
	}
static const struct tcg_fp_fast rv_fp_fast[8] = {
    RV_FP_FAST(TCG_FP_ADD_D), RV_FP_FAST(TCG_FP_SUB_D), RV_FP_FAST(TCG_FP_MUL_D),
    RV_FP_FAST(TCG_FP_DIV_D), RV_FP_FAST(TCG_FP_ADD_S), RV_FP_FAST(TCG_FP_SUB_S),
    RV_FP_FAST(TCG_FP_MUL_S), RV_FP_FAST(TCG_FP_DIV_S),
};
_Static_assert(SF_RNE == 0, "desc >> 32 == 0 (rm 000) is round-to-nearest-even");

/* Indexed by op (RV_FP_ADD..RV_FP_DIV, then MADD as 4) and dbl. */
static const struct tcg_helper rv_helper_fp_fast[5][2] = {
    {TCG_HELPER_FP(rv_helper_fadd_s_fn, RV_FP_HFLAGS, &rv_fp_fast[4]),
     TCG_HELPER_FP(rv_helper_fadd_d_fn, RV_FP_HFLAGS, &rv_fp_fast[0])},
    {TCG_HELPER_FP(rv_helper_fsub_s_fn, RV_FP_HFLAGS, &rv_fp_fast[5]),
     TCG_HELPER_FP(rv_helper_fsub_d_fn, RV_FP_HFLAGS, &rv_fp_fast[1])},
    {TCG_HELPER_FP(rv_helper_fmul_s_fn, RV_FP_HFLAGS, &rv_fp_fast[6]),
     TCG_HELPER_FP(rv_helper_fmul_d_fn, RV_FP_HFLAGS, &rv_fp_fast[2])},
    {TCG_HELPER_FP(rv_helper_fdiv_s_fn, RV_FP_HFLAGS, &rv_fp_fast[7]),
     TCG_HELPER_FP(rv_helper_fdiv_d_fn, RV_FP_HFLAGS, &rv_fp_fast[3])},
    {TCG_HELPER(rv_helper_fmadd_s_fn, 4, RV_FP_HFLAGS),
     TCG_HELPER(rv_helper_fmadd_d_fn, 4, RV_FP_HFLAGS)},
};

static tcg_i64 rv_fp_get_freg(struct rv_dc *dc, unsigned r)
{
	tcg_i64 t = tcg_temp_new_i64(dc->b);

	tcg_gen_ld_env_i64(dc->b, t, RV_F_OFF(r), TCG_MO_UQ);
	return t;
}

static void rv_fp_set_freg(struct rv_dc *dc, unsigned r, tcg_i64 v)
{
	tcg_gen_st_env_i64(dc->b, v, RV_F_OFF(r), TCG_MO_UQ);
}

/* flw/fld (unpriv spec §11.5, §12.3): funct3 2 = W, 3 = D; others are V. */
static void rv_trans_fp_load(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned f3 = rv_funct3(i);
	tcg_i64 addr = tcg_temp_new_i64(b), v = tcg_temp_new_i64(b);

	if (f3 != 2 && f3 != 3) {
		rv_gen_illegal(dc);
		return;
	}
	tcg_gen_addi_i64(b, addr, rv_gen_get_gpr(dc, rv_rs1(i)), (uint64_t)rv_imm_i(i));
	tcg_gen_guest_ld_i64(b, v, addr, f3 == 2 ? TCG_MO_UL : TCG_MO_UQ, dc->mmu_idx);
	if (f3 == 2) /* a loaded S value is NaN-boxed (§12.2) */
		tcg_gen_ori_i64(b, v, v, 0xffffffff00000000ull);
	rv_fp_set_freg(dc, rv_rd(i), v);
	/* after the access: a faulting load leaves FS unchanged */
	rv_gen_set_fs_dirty(dc);
}

/* fsw/fsd: transfers, so fsw stores the low 32 bits whatever the boxing. */
static void rv_trans_fp_store(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned f3 = rv_funct3(i);
	tcg_i64 addr = tcg_temp_new_i64(b);

	if (f3 != 2 && f3 != 3) {
		rv_gen_illegal(dc);
		return;
	}
	tcg_gen_addi_i64(b, addr, rv_gen_get_gpr(dc, rv_rs1(i)), (uint64_t)rv_imm_s(i));
	tcg_gen_guest_st_i64(b, rv_fp_get_freg(dc, rv_rs2(i)), addr,
			     f3 == 2 ? TCG_MO_UL : TCG_MO_UQ, dc->mmu_idx);
}

/* Source @n (0 = rs1, 1 = rs2, 2 = rs3) of a decoded instruction. */
static tcg_i64 rv_fp_source(struct rv_dc *dc, const struct rv_fp_insn *d, uint32_t i, unsigned n)
{
	static const unsigned shift[3] = {15, 20, 27};
	unsigned r = (i >> shift[n]) & 31;

	if (n >= d->nsrc)
		return tcg_const_i64(dc->b, 0);
	if (n == 0 && d->rs1_int)
		return rv_gen_get_gpr(dc, r);
	return rv_fp_get_freg(dc, r);
}

/*
 * An S operand as a boxed 64-bit value: itself if properly NaN-boxed, else
 * the boxed canonical NaN (unpriv spec §12.2).
 */
static tcg_i64 rv_fp_gen_unbox(struct rv_dc *dc, tcg_i64 v)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 hi = tcg_temp_new_i64(b), r = tcg_temp_new_i64(b);

	tcg_gen_shri_i64(b, hi, v, 32);
	tcg_gen_movcond_i64(b, TCG_COND_EQ, r, hi, tcg_const_i64(b, 0xffffffffull), v,
			    tcg_const_i64(b, rv_fp_box32(0x7fc00000u)));
	return r;
}

/*
 * Sign injection (§11.6, §12.6): bit operations, no flags, no
 * canonicalization beyond the NaN-box check; fmv.s/fneg/fabs are its
 * rs1 == rs2 forms, so it is common enough to stay out of helpers.
 */
static void rv_fp_gen_sgnj(struct rv_dc *dc, const struct rv_fp_insn *d, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	uint64_t sign = d->dbl ? 1ull << 63 : 1ull << 31;
	tcg_i64 x = rv_fp_get_freg(dc, rv_rs1(i)), y = rv_fp_get_freg(dc, rv_rs2(i));
	tcg_i64 r = tcg_temp_new_i64(b), t = tcg_temp_new_i64(b);

	if (!d->dbl) {
		x = rv_fp_gen_unbox(dc, x);
		y = rv_fp_gen_unbox(dc, y);
	}
	if (d->op == RV_FP_SGNJ && rv_rs1(i) == rv_rs2(i)) { /* fmv.s / fmv.d */
		rv_fp_set_freg(dc, rv_rd(i), x);
		return;
	}
	if (d->op == RV_FP_SGNJN)
		tcg_gen_not_i64(b, t, y);
	else
		tcg_gen_mov_i64(b, t, y);
	tcg_gen_andi_i64(b, t, t, sign);
	if (d->op == RV_FP_SGNJX) {
		tcg_gen_xor_i64(b, r, x, t);
	} else {
		tcg_gen_andi_i64(b, r, x, ~sign);
		tcg_gen_or_i64(b, r, r, t);
	}
	rv_fp_set_freg(dc, rv_rd(i), r);
}

/* fmv.x.w/fmv.x.d and fmv.w.x/fmv.d.x: transfers, raw bits (§11.10, §12.7). */
static void rv_fp_gen_move(struct rv_dc *dc, const struct rv_fp_insn *d, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 t;

	if (d->op == RV_FP_MV_XF) {
		t = rv_gen_dest_gpr(dc, rv_rd(i));
		tcg_gen_ld_env_i64(b, t, RV_F_OFF(rv_rs1(i)), TCG_MO_UQ);
		if (!d->dbl) /* the low word, sign-extended */
			tcg_gen_ext32s_i64(b, t, t);
		rv_gen_set_gpr(dc, rv_rd(i), t);
		return;
	}
	t = tcg_temp_new_i64(b);
	if (d->dbl)
		tcg_gen_mov_i64(b, t, rv_gen_get_gpr(dc, rv_rs1(i)));
	else
		tcg_gen_ori_i64(b, t, rv_gen_get_gpr(dc, rv_rs1(i)), 0xffffffff00000000ull);
	rv_fp_set_freg(dc, rv_rd(i), t);
}

/* The instructions that are pure bit moves: emitted inline, no helper. */
static bool rv_fp_gen_inline(struct rv_dc *dc, const struct rv_fp_insn *d, uint32_t i)
{
	switch (d->op) {
	case RV_FP_SGNJ:
	case RV_FP_SGNJN:
	case RV_FP_SGNJX:
		rv_fp_gen_sgnj(dc, d, i);
		return true;
	case RV_FP_MV_XF:
	case RV_FP_MV_FX:
		rv_fp_gen_move(dc, d, i);
		return true;
	default:
		return false;
	}
}

/* fadd/fsub/fmul/fdiv/fmadd: a dedicated helper each (see rv_helper_fp_fast). */
static bool rv_fp_gen_fast(struct rv_dc *dc, const struct rv_fp_insn *d, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned k = d->op == RV_FP_MADD ? 4 : (unsigned)d->op;
	uint64_t desc = (uint64_t)(uint32_t)d->rm << 32 | i;
	tcg_i64 res, args[3];

	if (d->op > RV_FP_DIV && d->op != RV_FP_MADD)
		return false;
	res = tcg_temp_new_i64(b);
	args[0] = tcg_const_i64(b, desc);
	args[1] = rv_fp_source(dc, d, i, 0);
	args[2] = rv_fp_source(dc, d, i, 1);
	if (k == 4)
		tcg_gen_call4(b, &rv_helper_fp_fast[k][d->dbl], res, args[0], args[1], args[2],
			      rv_fp_source(dc, d, i, 2));
	else
		tcg_gen_call3(b, &rv_helper_fp_fast[k][d->dbl], res, args[0], args[1], args[2]);
	rv_fp_set_freg(dc, rv_rd(i), res);
	rv_gen_set_fs_dirty(dc); /* priv spec §3.1.6.6 */
	return true;
}

/* OP-FP and the fused forms. */
static void rv_trans_fp_op(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	struct rv_fp_insn d;
	uint64_t desc;
	tcg_i64 res;

	if (rv_fp_decode(i, &d)) {
		rv_gen_illegal(dc);
		return;
	}
	if (rv_fp_gen_inline(dc, &d, i)) {
		if (d.writes_state)
			rv_gen_set_fs_dirty(dc);
		return;
	}
	if (rv_fp_gen_fast(dc, &d, i))
		return;
	res = d.rd_int ? rv_gen_dest_gpr(dc, rv_rd(i)) : tcg_temp_new_i64(b);
	desc = (uint64_t)rv_fp_pack(&d) << 32 | i;
	tcg_gen_call4(b, &rv_helper_fp, res, tcg_const_i64(b, desc), rv_fp_source(dc, &d, i, 0),
		      rv_fp_source(dc, &d, i, 1), rv_fp_source(dc, &d, i, 2));
	if (d.rd_int)
		rv_gen_set_gpr(dc, rv_rd(i), res);
	else
		rv_fp_set_freg(dc, rv_rd(i), res);
	/* priv spec §3.1.6.6: writing f registers or fflags makes FS Dirty */
	if (d.writes_state)
		rv_gen_set_fs_dirty(dc);
}

bool rv_translate_fp(struct rv_dc *dc, uint32_t insn)
{
	unsigned op = insn & 0x7f;

	switch (op) {
	case RV_OPC_LOAD_FP:
	case RV_OPC_STORE_FP:
	case RV_OPC_FMADD:
	case RV_OPC_FMSUB:
	case RV_OPC_FNMSUB:
	case RV_OPC_FNMADD:
	case RV_OPC_OP_FP:
		break;
	default:
		return false;
	}
	/* priv spec §3.1.6.6: with FS = Off every FP instruction is illegal */
	if (!(dc->flags & RV_TBF_FS_ON)) {
		rv_gen_illegal(dc);
		return true;
	}
	if (op == RV_OPC_LOAD_FP)
		rv_trans_fp_load(dc, insn);
	else if (op == RV_OPC_STORE_FP)
		rv_trans_fp_store(dc, insn);
	else
		rv_trans_fp_op(dc, insn);
	return true;
}
