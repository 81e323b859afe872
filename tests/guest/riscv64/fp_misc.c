/*
 * F/D beyond arithmetic: NaN boxing (unpriv spec §12.2), sign injection,
 * moves, fclass of every class (§11.9), fmin/fmax (§11.6: -0 < +0, one NaN
 * gives the other operand, sNaN raises NV), quiet and signaling compares
 * (§11.8), FP loads and stores incl. the compressed forms, the rm field
 * (reserved static values and an invalid frm with DYN are illegal, §11.2)
 * and mstatus.FS (Off traps, writes make it Dirty; priv spec §3.1.6.6).
 */
#include "fp_test.h"

#define ONE_S 0x3f800000ULL
#define ONE_D 0x3ff0000000000000ULL

static void test_boxing(void)
{
	uint64_t fl;

	/* an improperly boxed S input reads as the canonical NaN */
	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rne", ONE_S, BOX(ONE_S), 0, RNE, &fl), fl, BOX(CNAN_S),
		  0);
	CHECK_RES(FPF("fmul.s ft3, ft0, ft1, rne", BOX(ONE_S), 0xfffffffe3f800000, 0, RNE, &fl), fl,
		  BOX(CNAN_S), 0);
	CHECK_RES(FPF("fcvt.d.s ft3, ft0", 0x000000003f800000, 0, 0, RNE, &fl), fl, CNAN_D, 0);
	CHECK_RES(FPX("fclass.s %[v], ft0", ONE_D, 0, 0, RNE, &fl), fl, 1 << 9, 0);
	CHECK_RES(FPX("feq.s %[v], ft0, ft0", ONE_S, 0, 0, RNE, &fl), fl, 0, 0);
	/* results of S operations are boxed */
	CHECK_RES(FPF("fcvt.s.d ft3, ft0, rne", ONE_D, 0, 0, RNE, &fl), fl, BOX(ONE_S), 0);
	CHECK_RES(FPF("fmv.w.x ft3, %[xa]", 0x123456789abcdef0, 0, 0, RNE, &fl), fl,
		  BOX(0x9abcdef0), 0);
	/* fmv.x.w is a transfer: raw low bits, sign-extended, boxing unchecked */
	CHECK_RES(FPX("fmv.x.w %[v], ft0", 0x1234567880000001, 0, 0, RNE, &fl), fl,
		  0xffffffff80000001, 0);
	CHECK_RES(FPX("fmv.x.w %[v], ft0", BOX(0x7fc00001), 0, 0, RNE, &fl), fl, 0x7fc00001, 0);
	CHECK_RES(FPX("fmv.x.d %[v], ft0", 0x7ff0000000000001, 0, 0, RNE, &fl), fl,
		  0x7ff0000000000001, 0);
	CHECK_RES(FPF("fmv.d.x ft3, %[xa]", 0xfff4000000000123, 0, 0, RNE, &fl), fl,
		  0xfff4000000000123, 0);
}

static void test_sign_injection(void)
{
	uint64_t fl;

	/* bit operations: NaN payloads kept, sNaN raises nothing */
	CHECK_RES(FPF("fsgnj.s ft3, ft0, ft1", BOX(0x7f800001), BOX(0x80000000), 0, RNE, &fl), fl,
		  BOX(0xff800001), 0);
	CHECK_RES(FPF("fsgnjn.s ft3, ft0, ft1", BOX(ONE_S), BOX(ONE_S), 0, RNE, &fl), fl,
		  BOX(0xbf800000), 0);
	CHECK_RES(FPF("fsgnjx.s ft3, ft0, ft1", BOX(0xbf800000), BOX(0xc0000000), 0, RNE, &fl), fl,
		  BOX(ONE_S), 0);
	CHECK_RES(FPF("fsgnj.d ft3, ft0, ft1", 0x7ff4000000000001, 0x8000000000000000, 0, RNE, &fl),
		  fl, 0xfff4000000000001, 0);
	CHECK_RES(FPF("fsgnjn.d ft3, ft0, ft1", 0, 0, 0, RNE, &fl), fl, 0x8000000000000000, 0);
	CHECK_RES(
	    FPF("fsgnjx.d ft3, ft0, ft1", 0x8000000000000000, 0x8000000000000000, 0, RNE, &fl), fl,
	    0, 0);
	/* fneg/fabs are fsgnjn/fsgnjx with rs1 == rs2 */
	CHECK_RES(FPF("fneg.d ft3, ft0", ONE_D, 0, 0, RNE, &fl), fl, 0xbff0000000000000, 0);
	CHECK_RES(FPF("fabs.s ft3, ft0", BOX(0xff800001), 0, 0, RNE, &fl), fl, BOX(0x7f800001), 0);
	/* fmv.s/fmv.d are fsgnj with rs1 == rs2: a plain copy, except the boxing check */
	CHECK_RES(FPF("fmv.s ft3, ft0", BOX(0x7f800001), 0, 0, RNE, &fl), fl, BOX(0x7f800001), 0);
	CHECK_RES(FPF("fmv.s ft3, ft0", 0x7f800001, 0, 0, RNE, &fl), fl, BOX(CNAN_S), 0);
	CHECK_RES(FPF("fmv.d ft3, ft0", 0x7ff0000000000001, 0, 0, RNE, &fl), fl, 0x7ff0000000000001,
		  0);
	CHECK_RES(FPF("fneg.s ft3, ft0", 0x3f800000, 0, 0, RNE, &fl), fl, BOX(0xffc00000), 0);
	/* an unboxed rs1 is the canonical NaN, then takes rs2's sign */
	CHECK_RES(FPF("fsgnj.s ft3, ft0, ft1", 0x12345678, BOX(0x80000000), 0, RNE, &fl), fl,
		  BOX(0xffc00000), 0);
}

static void test_class(void)
{
	static const struct {
		uint64_t d;
		uint32_t s;
	} v[10] = {
	    {0xfff0000000000000, 0xff800000}, /* -inf */
	    {0xbff0000000000000, 0xbf800000}, /* -normal */
	    {0x800fffffffffffff, 0x807fffff}, /* -subnormal */
	    {0x8000000000000000, 0x80000000}, /* -0 */
	    {0x0000000000000000, 0x00000000}, /* +0 */
	    {0x0000000000000001, 0x00000001}, /* +subnormal */
	    {0x7fefffffffffffff, 0x7f7fffff}, /* +normal */
	    {0x7ff0000000000000, 0x7f800000}, /* +inf */
	    {0x7ff4000000000000, 0x7fa00000}, /* sNaN */
	    {0xfff8000000000001, 0xffc00001}, /* qNaN */
	};
	uint64_t fl;

	for (unsigned i = 0; i < 10; i++) {
		CHECK_RES(FPX("fclass.d %[v], ft0", v[i].d, 0, 0, RNE, &fl), fl, 1u << i, 0);
		CHECK_RES(FPX("fclass.s %[v], ft0", BOX(v[i].s), 0, 0, RNE, &fl), fl, 1u << i, 0);
	}
}

static void test_minmax(void)
{
	uint64_t fl;

	CHECK_RES(FPF("fmin.s ft3, ft0, ft1", BOX(0x80000000), BOX(0), 0, RNE, &fl), fl,
		  BOX(0x80000000), 0);
	CHECK_RES(FPF("fmin.s ft3, ft0, ft1", BOX(0), BOX(0x80000000), 0, RNE, &fl), fl,
		  BOX(0x80000000), 0);
	CHECK_RES(FPF("fmax.d ft3, ft0, ft1", 0x8000000000000000, 0, 0, RNE, &fl), fl, 0, 0);
	CHECK_RES(FPF("fmax.d ft3, ft0, ft1", 0, 0x8000000000000000, 0, RNE, &fl), fl, 0, 0);
	/* one quiet NaN: the other operand, no flags */
	CHECK_RES(FPF("fmin.d ft3, ft0, ft1", 0x7ff8000000000001, ONE_D, 0, RNE, &fl), fl, ONE_D,
		  0);
	CHECK_RES(FPF("fmax.s ft3, ft0, ft1", BOX(0xbf800000), BOX(0xffc00000), 0, RNE, &fl), fl,
		  BOX(0xbf800000), 0);
	/* a signaling NaN: still the other operand, but NV */
	CHECK_RES(FPF("fmin.s ft3, ft0, ft1", BOX(0x7f800001), BOX(ONE_S), 0, RNE, &fl), fl,
		  BOX(ONE_S), NV);
	/* both NaN: the canonical NaN */
	CHECK_RES(FPF("fmax.d ft3, ft0, ft1", 0x7ff8000000000001, 0xfff8000000000002, 0, RNE, &fl),
		  fl, CNAN_D, 0);
	CHECK_RES(FPF("fmin.d ft3, ft0, ft1", 0x7ff0000000000001, 0x7ff8000000000000, 0, RNE, &fl),
		  fl, CNAN_D, NV);
	CHECK_RES(FPF("fmin.d ft3, ft0, ft1", 0xfff0000000000000, 0x7ff0000000000000, 0, RNE, &fl),
		  fl, 0xfff0000000000000, 0);
	CHECK_RES(FPF("fmax.s ft3, ft0, ft1", BOX(0x00000001), BOX(0x80000001), 0, RNE, &fl), fl,
		  BOX(0x00000001), 0);
}

static void test_compare(void)
{
	uint64_t fl, qnan = BOX(0x7fc00000), snan = BOX(0x7f800001), one = BOX(ONE_S);

	/* feq is quiet: NV only for a signaling NaN */
	CHECK_RES(FPX("feq.s %[v], ft0, ft1", qnan, qnan, 0, RNE, &fl), fl, 0, 0);
	CHECK_RES(FPX("feq.s %[v], ft0, ft1", snan, one, 0, RNE, &fl), fl, 0, NV);
	/* flt and fle signal on any NaN */
	CHECK_RES(FPX("flt.s %[v], ft0, ft1", qnan, one, 0, RNE, &fl), fl, 0, NV);
	CHECK_RES(FPX("fle.d %[v], ft0, ft1", ONE_D, 0xfff8000000000000, 0, RNE, &fl), fl, 0, NV);
	/* -0 == +0 */
	CHECK_RES(FPX("feq.d %[v], ft0, ft1", 0x8000000000000000, 0, 0, RNE, &fl), fl, 1, 0);
	CHECK_RES(FPX("flt.s %[v], ft0, ft1", BOX(0x80000000), BOX(0), 0, RNE, &fl), fl, 0, 0);
	CHECK_RES(FPX("fle.s %[v], ft0, ft1", BOX(0), BOX(0x80000000), 0, RNE, &fl), fl, 1, 0);
	CHECK_RES(FPX("flt.d %[v], ft0, ft1", 0xfff0000000000000, 0x7ff0000000000000, 0, RNE, &fl),
		  fl, 1, 0);
	CHECK_RES(FPX("flt.d %[v], ft0, ft1", 0x8000000000000001, 0, 0, RNE, &fl), fl, 1, 0);
	CHECK_RES(FPX("fle.d %[v], ft0, ft1", 0x8000000000000002, 0x8000000000000001, 0, RNE, &fl),
		  fl, 1, 0);
	CHECK_RES(FPX("fle.d %[v], ft0, ft1", 0x8000000000000001, 0x8000000000000002, 0, RNE, &fl),
		  fl, 0, 0);
}

static void test_load_store(void)
{
	volatile uint64_t mem[4] = {0x1122334455667788, 0, 0, 0};
	volatile uint64_t *p = mem;
	uint64_t boxed, raw, c_raw;

	/* flw boxes; fsw stores the low 32 bits of whatever the register holds */
	__asm__ volatile("flw ft0, 0(%[p])\n\t"
			 "fmv.x.d %[boxed], ft0\n\t"
			 "fld ft1, 0(%[p])\n\t"
			 "fsw ft1, 8(%[p])\n\t"
			 "fmv.x.d %[raw], ft1\n\t"
			 "fsd ft0, 16(%[p])"
			 : [boxed] "=&r"(boxed), [raw] "=&r"(raw)
			 : [p] "r"(p)
			 : "ft0", "ft1", "memory");
	CHECK_EQ(boxed, BOX(0x55667788));
	CHECK_EQ(raw, 0x1122334455667788);
	CHECK_EQ(mem[1], 0x55667788);
	CHECK_EQ(mem[2], BOX(0x55667788));
	/* compressed forms (expanded to fld/fsd) */
	__asm__ volatile(".option push\n\t.option rvc\n\t"
			 "mv a0, %[p]\n\t" /* x10: addressable by c.fld */
			 "c.fld fa0, 0(a0)\n\t"
			 "c.fsd fa0, 24(a0)\n\t"
			 "addi sp, sp, -16\n\t"
			 "c.fsdsp fa0, 8(sp)\n\t"
			 "c.fldsp fa1, 8(sp)\n\t"
			 "addi sp, sp, 16\n\t"
			 "fmv.x.d %[r], fa1\n\t"
			 ".option pop"
			 : [r] "=&r"(c_raw)
			 : [p] "r"(p)
			 : "a0", "fa0", "fa1", "memory");
	CHECK_EQ(mem[3], 0x1122334455667788);
	CHECK_EQ(c_raw, 0x1122334455667788);
}

static uint64_t insn_at(uint64_t pc)
{
	return *(volatile uint32_t *)pc;
}

/* Run @insn expecting an illegal-instruction trap with the bits in mtval. */
#define EXPECT_ILLEGAL(insn)                                                                       \
	do {                                                                                       \
		uint64_t pc_;                                                                      \
		unsigned n_ = rvt_last_trap.count;                                                 \
		rvt_expect_trap();                                                                 \
		__asm__ volatile(".option push\n\t.option norvc\n\t"                               \
				 "lla %0, 1f\n"                                                    \
				 "1:\t" insn "\n\t"                                                \
				 ".option pop"                                                     \
				 : "=&r"(pc_)                                                      \
				 :                                                                 \
				 : "ft3", "a0", "memory");                                         \
		CHECK_EQ(rvt_last_trap.count, n_ + 1);                                             \
		CHECK_EQ(rvt_last_trap.cause, 2);                                                  \
		CHECK_EQ(rvt_last_trap.epc, pc_);                                                  \
		CHECK_EQ(rvt_last_trap.tval, insn_at(pc_));                                        \
	} while (0)

static void test_rounding_mode_field(void)
{
	uint64_t fl;

	/* static rm 5 and 6 are reserved */
	EXPECT_ILLEGAL(".insn r 0x53, 5, 0x01, ft3, ft0, ft1");	   /* fadd.d, rm = 5 */
	EXPECT_ILLEGAL(".insn r 0x53, 6, 0x00, ft3, ft0, ft1");	   /* fadd.s, rm = 6 */
	EXPECT_ILLEGAL(".insn r4 0x43, 5, 1, ft3, ft0, ft1, ft2"); /* fmadd.d, rm = 5 */
	/* DYN with an invalid frm is illegal; ops without rm do not care */
	for (unsigned frm = 5; frm <= 7; frm++) {
		CSR_WRITE(frm, frm);
		EXPECT_ILLEGAL("fadd.d ft3, ft0, ft1, dyn");
		EXPECT_ILLEGAL("fcvt.w.s a0, ft0, dyn");
		EXPECT_ILLEGAL("fmadd.s ft3, ft0, ft1, ft2, dyn");
		CHECK_EQ(CSR_READ(frm), frm);
		CHECK_RES(FPF("fsgnj.d ft3, ft0, ft1", ONE_D, 0, 0, frm, &fl), fl, ONE_D, 0);
		CHECK_RES(FPF("fadd.d ft3, ft0, ft1, rtz", ONE_D, ONE_D, 0, frm, &fl), fl,
			  0x4000000000000000, 0);
		CHECK_RES(FPX("fmv.x.d %[v], ft0", ONE_D, 0, 0, frm, &fl), fl, ONE_D, 0);
	}
	CSR_WRITE(frm, 0);
}

#define MSTATUS_FS	 0x6000ULL
#define MSTATUS_FS_CLEAN 0x4000ULL
#define MSTATUS_SD	 (1ULL << 63)

static void test_fs(void)
{
	uint64_t ms, v;

	/* Clean: a transfer out leaves it alone, a write makes it Dirty (with SD) */
	__asm__ volatile("csrc mstatus, %0\n\tcsrs mstatus, %1" ::"r"(MSTATUS_FS),
			 "r"(MSTATUS_FS_CLEAN));
	__asm__ volatile("fmv.x.d %0, ft0" : "=r"(v));
	ms = CSR_READ(mstatus);
	CHECK_EQ(ms & MSTATUS_FS, MSTATUS_FS_CLEAN);
	CHECK_EQ(ms & MSTATUS_SD, 0);
	__asm__ volatile("fadd.d ft3, ft0, ft0" ::: "ft3");
	ms = CSR_READ(mstatus);
	CHECK_EQ(ms & MSTATUS_FS, MSTATUS_FS);
	CHECK_EQ(ms & MSTATUS_SD, MSTATUS_SD);
	/* a load into an f register dirties too */
	__asm__ volatile("csrc mstatus, %0\n\tcsrs mstatus, %1\n\tfld ft3, 0(sp)" ::"r"(MSTATUS_FS),
			 "r"(MSTATUS_FS_CLEAN)
			 : "ft3");
	CHECK_EQ(CSR_READ(mstatus) & MSTATUS_FS, MSTATUS_FS);
	/* Off: every FP instruction is illegal */
	__asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_FS));
	EXPECT_ILLEGAL("fadd.d ft3, ft0, ft1");
	EXPECT_ILLEGAL("fld ft3, 0(sp)");
	EXPECT_ILLEGAL("fsw ft0, -8(sp)");
	EXPECT_ILLEGAL("fmv.x.d a0, ft0");
	EXPECT_ILLEGAL("fmadd.d ft3, ft0, ft1, ft2");
	EXPECT_ILLEGAL("fcvt.d.w ft3, a0");
	__asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_FS));
	(void)v;
}

int main(void)
{
	test_boxing();
	test_sign_injection();
	test_class();
	test_minmax();
	test_compare();
	test_load_store();
	test_rounding_mode_field();
	test_fs();
	return 0;
}
