/*
 * RISC-V F/D semantics layer (accel/tcg/riscv64/fp_helpers.c): decode
 * legality, NaN boxing, rm/frm handling, fflags accumulation and the
 * per-instruction details that softfloat itself does not know about.
 */
#include <errno.h>

#include "accel/tcg/fpu/softfloat.h"
#include "accel/tcg/riscv64/fp_helpers.h"
#include "tests/test.h"

#define BOX(v) rv_fp_box32(v)
#define ONE32  0x3f800000u
#define TWO32  0x40000000u
#define ONE64  0x3ff0000000000000ull

static uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
		      unsigned opc)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}

/* OP-FP with funct5 and fmt (0 = S, 1 = D). */
static uint32_t enc_op(unsigned f5, unsigned fmt, unsigned rs2, unsigned f3)
{
	return enc_r(f5 << 2 | fmt, rs2, 2, f3, 1, RV_OPC_OP_FP);
}

static uint32_t enc_fused(unsigned opc, unsigned fmt, unsigned f3)
{
	return 4u << 27 | fmt << 25 | 3u << 20 | 2u << 15 | f3 << 12 | 1u << 7 | opc;
}

/* Decode and execute; a failure counts as a failed check and returns ~0. */
static uint64_t run(uint32_t insn, uint32_t frm, uint32_t *fl, uint64_t a, uint64_t b, uint64_t c)
{
	struct rv_fp_insn d;
	uint64_t out = ~0ull;

	if (rv_fp_decode(insn, &d)) {
		CHECK(!"decode failed");
		return out;
	}
	if (rv_fp_exec(&d, frm, fl, a, b, c, &out))
		CHECK(!"exec failed");
	return out;
}

static bool illegal(uint32_t insn)
{
	struct rv_fp_insn d;

	return rv_fp_decode(insn, &d) == -EINVAL;
}

static void test_boxing(void)
{
	uint32_t fl = 0;

	CHECK_EQ(run(enc_op(0x00, 0, 0, 0), 0, &fl, BOX(ONE32), BOX(TWO32), 0), BOX(0x40400000));
	/* unpriv spec §12.2: an improperly boxed S input is the canonical NaN */
	CHECK_EQ(run(enc_op(0x00, 0, 0, 0), 0, &fl, 0x3f800000, BOX(ONE32), 0), BOX(0x7fc00000));
	CHECK_EQ(run(enc_op(0x00, 0, 0, 0), 0, &fl, 0xfffffffe3f800000, BOX(ONE32), 0),
		 BOX(0x7fc00000));
	CHECK_EQ(fl, 0);
	/* fclass of an unboxed value: quiet NaN */
	CHECK_EQ(run(enc_op(0x1c, 0, 0, 1), 0, &fl, ONE64, 0, 0), SF_CLASS_QNAN);
	CHECK_EQ(run(enc_op(0x1c, 1, 0, 1), 0, &fl, 0x8000000000000000, 0, 0), SF_CLASS_NEG_ZERO);
	/* transfers: fmv.x.w takes the raw low bits and sign-extends */
	CHECK_EQ(run(enc_op(0x1c, 0, 0, 0), 0, &fl, 0x1234567880000000, 0, 0), 0xffffffff80000000);
	CHECK_EQ(run(enc_op(0x1c, 0, 0, 0), 0, &fl, BOX(0x7fc00001), 0, 0), 0x7fc00001);
	CHECK_EQ(run(enc_op(0x1e, 0, 0, 0), 0, &fl, 0x123456789abcdef0, 0, 0), 0xffffffff9abcdef0);
	CHECK_EQ(run(enc_op(0x1c, 1, 0, 0), 0, &fl, 0x7ff0000000000001, 0, 0), 0x7ff0000000000001);
	CHECK_EQ(run(enc_op(0x1e, 1, 0, 0), 0, &fl, 0x7ff0000000000001, 0, 0), 0x7ff0000000000001);
	CHECK_EQ(fl, 0);
	/* fcvt.d.s of an unboxed value: canonical NaN, quiet so no NV */
	CHECK_EQ(run(enc_op(0x08, 1, 0, 0), 0, &fl, 0x3f800000, 0, 0), SF_F64_CANONICAL_NAN);
	CHECK_EQ(fl, 0);
	CHECK_EQ(run(enc_op(0x08, 1, 0, 0), 0, &fl, BOX(ONE32), 0, 0), ONE64);
	CHECK_EQ(run(enc_op(0x08, 0, 1, 0), 0, &fl, ONE64, 0, 0), BOX(ONE32));
}

static void test_sign_injection(void)
{
	uint32_t fl = 0;

	/* bit operations: sNaN payloads kept, no flags (§11.6) */
	CHECK_EQ(run(enc_op(0x04, 0, 0, 0), 0, &fl, BOX(0x7f800001), BOX(0x80000000), 0),
		 BOX(0xff800001));
	CHECK_EQ(run(enc_op(0x04, 0, 0, 1), 0, &fl, BOX(ONE32), BOX(ONE32), 0), BOX(0xbf800000));
	CHECK_EQ(run(enc_op(0x04, 0, 0, 2), 0, &fl, BOX(0xbf800000), BOX(0xc0000000), 0),
		 BOX(ONE32));
	CHECK_EQ(run(enc_op(0x04, 0, 0, 0), 0, &fl, 0x0000000012345678, BOX(0x80000000), 0),
		 BOX(0xffc00000));
	CHECK_EQ(run(enc_op(0x04, 1, 0, 1), 0, &fl, 0x7ff0000000000001, 0x8000000000000000, 0),
		 0x7ff0000000000001);
	CHECK_EQ(run(enc_op(0x04, 1, 0, 2), 0, &fl, 0xbff0000000000000, 0x8000000000000000, 0),
		 ONE64);
	CHECK_EQ(fl, 0);
}

static void test_convert(void)
{
	uint32_t fl = 0;

	/* fcvt.wu.s: the 32-bit result is sign-extended (§11.7) */
	CHECK_EQ(run(enc_op(0x18, 0, 1, 1), 0, &fl, BOX(0x4f32d05e), 0, 0), 0xffffffffb2d05e00);
	CHECK_EQ(fl, 0);
	CHECK_EQ(run(enc_op(0x18, 1, 0, 1), 0, &fl, SF_F64_CANONICAL_NAN, 0, 0), 0x7fffffff);
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK_EQ(run(enc_op(0x18, 1, 3, 1), 0, &fl, 0xbff0000000000000, 0, 0), 0);
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK_EQ(run(enc_op(0x18, 0, 2, 1), 0, &fl, BOX(0xcf000000), 0, 0), 0xffffffff80000000);
	/* W and WU sources use the low 32 bits of x[rs1] */
	CHECK_EQ(run(enc_op(0x1a, 0, 0, 0), 0, &fl, 0x00000000ffffffff, 0, 0), BOX(0xbf800000));
	CHECK_EQ(run(enc_op(0x1a, 0, 1, 0), 0, &fl, 0x0000000100000001, 0, 0), BOX(ONE32));
	CHECK_EQ(run(enc_op(0x1a, 1, 2, 0), 0, &fl, (uint64_t)-2, 0, 0), 0xc000000000000000);
	CHECK_EQ(run(enc_op(0x1a, 1, 3, 0), 0, &fl, (uint64_t)-1, 0, 1), 0x43f0000000000000);
	CHECK_EQ(fl, SF_NX);
}

static void test_rounding_mode(void)
{
	uint32_t fl = 0, insn = enc_op(0x18, 0, 0, RV_RM_DYN); /* fcvt.w.s, rm = DYN */
	struct rv_fp_insn d;
	uint64_t out = 0;

	/* 2.5 under every frm value: DYN follows fcsr.frm */
	CHECK_EQ(run(insn, SF_RNE, &fl, BOX(0x40200000), 0, 0), 2);
	CHECK_EQ(run(insn, SF_RTZ, &fl, BOX(0x40200000), 0, 0), 2);
	CHECK_EQ(run(insn, SF_RDN, &fl, BOX(0xc0200000), 0, 0), (uint64_t)-3);
	CHECK_EQ(run(insn, SF_RUP, &fl, BOX(0x40200000), 0, 0), 3);
	CHECK_EQ(run(insn, SF_RMM, &fl, BOX(0x40200000), 0, 0), 3);
	/* a static rm wins over frm */
	CHECK_EQ(run(enc_op(0x18, 0, 0, SF_RUP), SF_RTZ, &fl, BOX(0x40200000), 0, 0), 3);
	/* frm 5..7 with DYN: illegal at run time, nothing computed */
	CHECK_EQ(rv_fp_decode(insn, &d), 0);
	for (uint32_t frm = 5; frm <= 7; frm++)
		CHECK_EQ(rv_fp_exec(&d, frm, &fl, BOX(ONE32), 0, 0, &out), -EINVAL);
	/* ops without an rm field ignore frm */
	CHECK_EQ(rv_fp_decode(enc_op(0x04, 0, 0, 0), &d), 0);
	CHECK_EQ(rv_fp_exec(&d, 7, &fl, BOX(ONE32), BOX(ONE32), 0, &out), 0);
	/* static rm 5 and 6 are reserved */
	CHECK(illegal(enc_op(0x00, 0, 0, 5)));
	CHECK(illegal(enc_op(0x00, 1, 0, 6)));
	CHECK(illegal(enc_fused(RV_OPC_FMADD, 0, 5)));
	CHECK(illegal(enc_op(0x1a, 1, 0, 6)));
	CHECK_EQ(fl, SF_NX);
}

static void test_flags_and_fused(void)
{
	uint32_t fl = 0;
	uint64_t three = 0x4008000000000000, two = 0x4000000000000000;

	CHECK_EQ(run(enc_op(0x03, 0, 0, 0), 0, &fl, BOX(ONE32), BOX(0x40400000), 0),
		 BOX(0x3eaaaaab));
	CHECK_EQ(fl, SF_NX);
	CHECK_EQ(run(enc_op(0x03, 1, 0, 0), 0, &fl, ONE64, 0, 0), 0x7ff0000000000000);
	CHECK_EQ(fl, SF_NX | SF_DZ); /* accumulated */
	CHECK_EQ(run(enc_op(0x0b, 1, 0, 0), 0, &fl, 0xbff0000000000000, 0, 0),
		 SF_F64_CANONICAL_NAN);
	CHECK_EQ(fl, SF_NX | SF_DZ | SF_NV);
	fl = 0;
	/* 2 * 3 + 1 in the four fused forms (§11.6) */
	CHECK_EQ(run(enc_fused(RV_OPC_FMADD, 1, 0), 0, &fl, two, three, ONE64), 0x401c000000000000);
	CHECK_EQ(run(enc_fused(RV_OPC_FMSUB, 1, 0), 0, &fl, two, three, ONE64), 0x4014000000000000);
	CHECK_EQ(run(enc_fused(RV_OPC_FNMSUB, 1, 0), 0, &fl, two, three, ONE64),
		 0xc014000000000000);
	CHECK_EQ(run(enc_fused(RV_OPC_FNMADD, 1, 0), 0, &fl, two, three, ONE64),
		 0xc01c000000000000);
	CHECK_EQ(
	    run(enc_fused(RV_OPC_FNMADD, 0, 0), 0, &fl, BOX(TWO32), BOX(0x40400000), BOX(ONE32)),
	    BOX(0xc0e00000));
	/* an unboxed addend is the canonical NaN */
	CHECK_EQ(run(enc_fused(RV_OPC_FMADD, 0, 0), 0, &fl, BOX(TWO32), BOX(TWO32), ONE32),
		 BOX(0x7fc00000));
	CHECK_EQ(fl, 0);
	/* compares write an x register */
	CHECK_EQ(run(enc_op(0x14, 0, 0, 2), 0, &fl, BOX(0x80000000), BOX(0), 0), 1);
	CHECK_EQ(run(enc_op(0x14, 1, 0, 1), 0, &fl, SF_F64_CANONICAL_NAN, ONE64, 0), 0);
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK_EQ(run(enc_op(0x05, 0, 0, 0), 0, &fl, BOX(0x80000000), BOX(0), 0), BOX(0x80000000));
	CHECK_EQ(run(enc_op(0x05, 0, 0, 1), 0, &fl, 0x1234, BOX(ONE32), 0), BOX(ONE32));
	CHECK_EQ(fl, 0);
}

static void test_decode(void)
{
	struct rv_fp_insn d;

	CHECK(illegal(enc_op(0x00, 2, 0, 0))); /* H */
	CHECK(illegal(enc_op(0x00, 3, 0, 0))); /* Q */
	CHECK(illegal(enc_fused(RV_OPC_FMSUB, 3, 0)));
	CHECK(illegal(enc_op(0x0b, 0, 1, 0))); /* fsqrt with rs2 != 0 */
	CHECK(illegal(enc_op(0x04, 0, 0, 3)));
	CHECK(illegal(enc_op(0x05, 1, 0, 2)));
	CHECK(illegal(enc_op(0x14, 0, 0, 3)));
	CHECK(illegal(enc_op(0x08, 0, 0, 0))); /* fcvt.s.s */
	CHECK(illegal(enc_op(0x08, 1, 1, 0))); /* fcvt.d.d */
	CHECK(illegal(enc_op(0x18, 0, 4, 0)));
	CHECK(illegal(enc_op(0x1a, 1, 5, 0)));
	CHECK(illegal(enc_op(0x1c, 0, 0, 2)));
	CHECK(illegal(enc_op(0x1c, 0, 1, 0)));
	CHECK(illegal(enc_op(0x1e, 0, 0, 1)));
	CHECK(illegal(enc_op(0x06, 0, 0, 0)));
	CHECK(illegal(enc_op(0x1f, 1, 0, 0)));
	CHECK(illegal(0x00000013)); /* not an FP opcode */
	CHECK_EQ(rv_fp_decode(enc_op(0x14, 1, 0, 0), &d), 0);
	CHECK(d.rd_int && !d.rs1_int && d.nsrc == 2 && d.op == RV_FP_LE && d.dbl);
	CHECK_EQ(rv_fp_decode(enc_op(0x1a, 0, 3, 7), &d), 0);
	CHECK(!d.rd_int && d.rs1_int && d.ity == RV_FP_LU && d.rm == 7);
	CHECK_EQ(rv_fp_decode(enc_op(0x1c, 0, 0, 0), &d), 0);
	CHECK(d.rd_int && !d.writes_state && d.op == RV_FP_MV_XF);
	CHECK_EQ(rv_fp_decode(enc_fused(RV_OPC_FNMSUB, 0, 7), &d), 0);
	CHECK(d.op == RV_FP_NMSUB && d.nsrc == 3 && d.writes_state && d.rm == 7);
	CHECK_EQ(rv_fp_decode(enc_op(0x1e, 1, 0, 0), &d), 0);
	CHECK(d.rs1_int && !d.rd_int && d.writes_state && d.dbl);
}

/* rv_fp_pack/unpack keep everything rv_fp_exec() uses, for every valid encoding. */
static void test_pack(void)
{
	static const unsigned opcodes[] = {RV_OPC_OP_FP, RV_OPC_FMADD, RV_OPC_FMSUB, RV_OPC_FNMSUB,
					   RV_OPC_FNMADD};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned valid = 0;

	for (unsigned n = 0; n < 200000; n++) {
		struct rv_fp_insn d, u;
		uint64_t r1 = 0, r2 = 0;
		uint32_t f1 = 0, f2 = 0, insn;
		int e1, e2;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		insn = (uint32_t)(seed >> 32);
		/* funct5 from the used range, opcode from the FP ones */
		insn = (insn & ~0x7fu) | opcodes[n % 5];
		if (rv_fp_decode(insn, &d))
			continue;
		valid++;
		rv_fp_unpack(rv_fp_pack(&d), &u);
		CHECK(u.op == d.op && u.dbl == d.dbl && u.rm == d.rm &&
		      (u.ity == d.ity || (d.op != RV_FP_CVT_IF && d.op != RV_FP_CVT_FI)));
		e1 = rv_fp_exec(&d, n % 8, &f1, seed, seed >> 7, seed << 3, &r1);
		e2 = rv_fp_exec(&u, n % 8, &f2, seed, seed >> 7, seed << 3, &r2);
		CHECK(e1 == e2 && r1 == r2 && f1 == f2);
	}
	CHECK(valid > 1000);
}

int main(void)
{
	test_boxing();
	test_sign_injection();
	test_convert();
	test_rounding_mode();
	test_flags_and_fused();
	test_decode();
	test_pack();
	return test_result("fp_helpers");
}
