/*
 * F/D arithmetic in every rounding mode (rm = DYN, frm = each mode): ties,
 * overflow to inf or max-finite, underflow and tininess after rounding,
 * subnormals in and out, signed zeros, NaN inputs (payloads never
 * propagate: the canonical NaN comes out), fdiv by zero (DZ), fsqrt of a
 * negative number (NV), and fused multiply-add with one rounding.
 * Expected values: IEEE 754-2019 and unpriv spec chapter 11.
 */
#include "fp_test.h"

enum kind {
	ADD_S,
	SUB_S,
	MUL_S,
	DIV_S,
	SQRT_S,
	FMADD_S,
	FNMADD_S,
	ADD_D,
	SUB_D,
	MUL_D,
	DIV_D,
	SQRT_D,
	FMADD_D,
	FMSUB_D,
	FNMSUB_D,
	CVT_S_D,
	CVT_D_S,
};

static uint64_t run(enum kind k, uint64_t a, uint64_t b, uint64_t c, unsigned frm, uint64_t *fl)
{
	switch (k) {
	case ADD_S:
		return FPF("fadd.s ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case SUB_S:
		return FPF("fsub.s ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case MUL_S:
		return FPF("fmul.s ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case DIV_S:
		return FPF("fdiv.s ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case SQRT_S:
		return FPF("fsqrt.s ft3, ft0, dyn", a, b, c, frm, fl);
	case FMADD_S:
		return FPF("fmadd.s ft3, ft0, ft1, ft2, dyn", a, b, c, frm, fl);
	case FNMADD_S:
		return FPF("fnmadd.s ft3, ft0, ft1, ft2, dyn", a, b, c, frm, fl);
	case ADD_D:
		return FPF("fadd.d ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case SUB_D:
		return FPF("fsub.d ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case MUL_D:
		return FPF("fmul.d ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case DIV_D:
		return FPF("fdiv.d ft3, ft0, ft1, dyn", a, b, c, frm, fl);
	case SQRT_D:
		return FPF("fsqrt.d ft3, ft0, dyn", a, b, c, frm, fl);
	case FMADD_D:
		return FPF("fmadd.d ft3, ft0, ft1, ft2, dyn", a, b, c, frm, fl);
	case FMSUB_D:
		return FPF("fmsub.d ft3, ft0, ft1, ft2, dyn", a, b, c, frm, fl);
	case FNMSUB_D:
		return FPF("fnmsub.d ft3, ft0, ft1, ft2, dyn", a, b, c, frm, fl);
	case CVT_S_D:
		return FPF("fcvt.s.d ft3, ft0, dyn", a, b, c, frm, fl);
	default:
		return FPF("fcvt.d.s ft3, ft0", a, b, c, frm, fl);
	}
}

/* S operands are boxed here; an S result is expected boxed. */
static int in_s(enum kind k)
{
	return k <= FNMADD_S || k == CVT_D_S;
}

static int out_s(enum kind k)
{
	return k <= FNMADD_S || k == CVT_S_D;
}

struct vec {
	enum kind k;
	uint64_t a, b, c;
	uint64_t r[5]; /* RNE, RTZ, RDN, RUP, RMM */
	uint8_t fl[5];
};

#define ALL5(x)                                                                                    \
	{                                                                                          \
		x, x, x, x, x                                                                      \
	}

static const struct vec vecs[] = {
    /* 1 + 2^-24 is a tie: RNE keeps the even 1.0, RMM goes away */
    {ADD_S,
     0x3f800000,
     0x33800000,
     0,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001},
     ALL5(NX)},
    {ADD_S,
     0xbf800000,
     0xb3800000,
     0,
     {0xbf800000, 0xbf800000, 0xbf800001, 0xbf800000, 0xbf800001},
     ALL5(NX)},
    {ADD_S,
     0x3f800001,
     0x33800000,
     0,
     {0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002},
     ALL5(NX)},
    {ADD_D,
     0x3ff0000000000000,
     0x3ca0000000000000,
     0,
     {0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000001,
      0x3ff0000000000001},
     ALL5(NX)},
    {SUB_D,
     0xbff0000000000000,
     0x3ca0000000000000,
     0,
     {0xbff0000000000000, 0xbff0000000000000, 0xbff0000000000001, 0xbff0000000000000,
      0xbff0000000000001},
     ALL5(NX)},
    /* overflow: inf, or the largest finite number in the directed modes */
    {MUL_S,
     0x7f7fffff,
     0x40000000,
     0,
     {0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000},
     ALL5(OF | NX)},
    {MUL_S,
     0xff7fffff,
     0x40000000,
     0,
     {0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000},
     ALL5(OF | NX)},
    {ADD_D,
     0x7fefffffffffffff,
     0x7fefffffffffffff,
     0,
     {0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000,
      0x7ff0000000000000},
     ALL5(OF | NX)},
    {ADD_D,
     0x7fefffffffffffff,
     0x7c90000000000000,
     0,
     {0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000,
      0x7ff0000000000000},
     {OF | NX, NX, NX, OF | NX, OF | NX}},
    /* underflow: half the smallest subnormal */
    {MUL_S, 0x00000001, 0x3f000000, 0, {0, 0, 0, 1, 1}, ALL5(UF | NX)},
    {MUL_S,
     0x80000001,
     0x3f000000,
     0,
     {0x80000000, 0x80000000, 0x80000001, 0x80000000, 0x80000001},
     ALL5(UF | NX)},
    {MUL_D, 0x0000000000000001, 0x3fd0000000000000, 0, {0, 0, 0, 1, 0}, ALL5(UF | NX)},
    /* exact subnormal results raise nothing */
    {MUL_S, 0x00800000, 0x3f000000, 0, ALL5(0x00400000), ALL5(0)},
    {ADD_S, 0x00000003, 0x80000001, 0, ALL5(0x00000002), ALL5(0)},
    {ADD_S, 0x007fffff, 0x00000001, 0, ALL5(0x00800000), ALL5(0)},
    {DIV_D, 0x0010000000000000, 0x4000000000000000, 0, ALL5(0x0008000000000000), ALL5(0)},
    /* tiny after rounding: UF; rounds to 2^emin in the unbounded range: no UF */
    {MUL_S,
     0x3f7fffff,
     0x00800000,
     0,
     {0x00800000, 0x007fffff, 0x007fffff, 0x00800000, 0x00800000},
     ALL5(UF | NX)},
    {MUL_S,
     0x3f800001,
     0x007fffff,
     0,
     {0x00800000, 0x007fffff, 0x007fffff, 0x00800000, 0x00800000},
     {NX, UF | NX, UF | NX, NX, NX}},
    {MUL_D,
     0x3ff0000000000001,
     0x000fffffffffffff,
     0,
     {0x0010000000000000, 0x000fffffffffffff, 0x000fffffffffffff, 0x0010000000000000,
      0x0010000000000000},
     {NX, UF | NX, UF | NX, NX, NX}},
    /* signed zeros: x - x is -0 only when rounding down */
    {ADD_S, 0x00000000, 0x80000000, 0, {0, 0, 0x80000000, 0, 0}, ALL5(0)},
    {ADD_S, 0x80000000, 0x80000000, 0, ALL5(0x80000000), ALL5(0)},
    {SUB_D, 0x4010000000000000, 0x4010000000000000, 0, {0, 0, 0x8000000000000000, 0, 0}, ALL5(0)},
    {MUL_S, 0x3f800000, 0x80000000, 0, ALL5(0x80000000), ALL5(0)},
    {SQRT_S, 0x80000000, 0, 0, ALL5(0x80000000), ALL5(0)},
    {FMADD_S, 0x3f800000, 0x3f800000, 0xbf800000, {0, 0, 0x80000000, 0, 0}, ALL5(0)},
    /* NaNs: payloads do not propagate; NV only for signaling inputs */
    {ADD_S, 0x7fc12345, 0x3f800000, 0, ALL5(CNAN_S), ALL5(0)},
    {MUL_S, 0x3f800000, 0x7f800001, 0, ALL5(CNAN_S), ALL5(NV)},
    {SUB_S, 0xffc00001, 0x3f800000, 0, ALL5(CNAN_S), ALL5(0)},
    {ADD_D, 0x7ff4000000000001, 0, 0, ALL5(CNAN_D), ALL5(NV)},
    {SQRT_D, 0xfff8000000000123, 0, 0, ALL5(CNAN_D), ALL5(0)},
    {ADD_S, 0x7f800000, 0xff800000, 0, ALL5(CNAN_S), ALL5(NV)},
    {MUL_D, 0, 0xfff0000000000000, 0, ALL5(CNAN_D), ALL5(NV)},
    /* division */
    {DIV_S, 0x3f800000, 0, 0, ALL5(0x7f800000), ALL5(DZ)},
    {DIV_S, 0xbf800000, 0, 0, ALL5(0xff800000), ALL5(DZ)},
    {DIV_D, 0x3ff0000000000000, 0x8000000000000000, 0, ALL5(0xfff0000000000000), ALL5(DZ)},
    {DIV_S, 0x7f800000, 0, 0, ALL5(0x7f800000), ALL5(0)},
    {DIV_D, 0, 0, 0, ALL5(CNAN_D), ALL5(NV)},
    {DIV_S,
     0x3f800000,
     0x40400000,
     0,
     {0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab},
     ALL5(NX)},
    {DIV_D,
     0xbff0000000000000,
     0x4008000000000000,
     0,
     {0xbfd5555555555555, 0xbfd5555555555555, 0xbfd5555555555556, 0xbfd5555555555555,
      0xbfd5555555555555},
     ALL5(NX)},
    /* square root */
    {SQRT_S,
     0x40000000,
     0,
     0,
     {0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3},
     ALL5(NX)},
    {SQRT_D,
     0x4000000000000000,
     0,
     0,
     {0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd,
      0x3ff6a09e667f3bcd},
     ALL5(NX)},
    {SQRT_S, 0xbf800000, 0, 0, ALL5(CNAN_S), ALL5(NV)},
    {SQRT_D, 0xfff0000000000000, 0, 0, ALL5(CNAN_D), ALL5(NV)},
    {SQRT_D, 1, 0, 0, ALL5(0x1e60000000000000), ALL5(0)},
    /* fused multiply-add: one rounding */
    {FMADD_S, 0x3f800001, 0x3f7ffffe, 0xbf800000, ALL5(0xa8800000), ALL5(0)},
    {FMADD_S, 0x7f7fffff, 0x40000000, 0xff7fffff, ALL5(0x7f7fffff), ALL5(0)},
    {FMADD_D,
     0x3ff0000000000001,
     0x3ff8000000000000,
     0x8000000000000001,
     {0x3ff8000000000001, 0x3ff8000000000001, 0x3ff8000000000001, 0x3ff8000000000002,
      0x3ff8000000000001},
     ALL5(NX)},
    {FMADD_S,
     0x3f800000,
     0x3f800000,
     0x00000001,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000},
     ALL5(NX)},
    {FMADD_S, 0x7f800000, 0, 0x7fc00000, ALL5(CNAN_S), ALL5(NV)},
    {FMADD_D, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, ALL5(CNAN_D), ALL5(NV)},
    {FNMADD_S, 0x40000000, 0x40400000, 0x3f800000, ALL5(0xc0e00000), ALL5(0)},
    {FMSUB_D, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, ALL5(0x4014000000000000),
     ALL5(0)},
    {FNMSUB_D, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, ALL5(0xc014000000000000),
     ALL5(0)},
    /* format conversions */
    {CVT_S_D,
     0x3ff0000010000000,
     0,
     0,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001},
     ALL5(NX)},
    {CVT_S_D,
     0x7fefffffffffffff,
     0,
     0,
     {0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000},
     ALL5(OF | NX)},
    {CVT_S_D, 0x3690000000000000, 0, 0, {0, 0, 0, 1, 1}, ALL5(UF | NX)},
    {CVT_S_D, 0x7ff0000000000001, 0, 0, ALL5(CNAN_S), ALL5(NV)},
    {CVT_D_S, 0x00000001, 0, 0, ALL5(0x36a0000000000000), ALL5(0)},
    {CVT_D_S, 0xff800001, 0, 0, ALL5(CNAN_D), ALL5(NV)},
    {CVT_D_S, 0x7fc0abcd, 0, 0, ALL5(CNAN_D), ALL5(0)},
};

static void test_vectors(uint64_t preset)
{
	for (unsigned i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		uint64_t a = v->a, b = v->b, c = v->c;

		if (in_s(v->k)) {
			a = BOX(a);
			b = BOX(b);
			c = BOX(c);
		}
		for (unsigned rm = RNE; rm <= RMM; rm++) {
			uint64_t fl, got = run(v->k, a, b, c, rm, &fl);
			uint64_t want = out_s(v->k) ? BOX(v->r[rm]) : v->r[rm];

			CHECK_RES(got, fl, want, v->fl[rm] | preset);
		}
	}
}

/* A static rm field overrides frm. */
static void test_static_rm(void)
{
	uint64_t fl, one = BOX(0x3f800000), half_ulp = BOX(0x33800000);

	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rup", one, half_ulp, 0, RNE, &fl), fl, BOX(0x3f800001),
		  NX);
	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rmm", one, half_ulp, 0, RTZ, &fl), fl, BOX(0x3f800001),
		  NX);
	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rne", one, half_ulp, 0, RUP, &fl), fl, BOX(0x3f800000),
		  NX);
	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rdn", BOX(0), BOX(0x80000000), 0, RNE, &fl), fl,
		  BOX(0x80000000), 0);
	CHECK_RES(FPF("fsqrt.d ft3, ft0, rtz", 0x4000000000000000, 0, 0, RUP, &fl), fl,
		  0x3ff6a09e667f3bcc, NX);
	/*
	 * D arithmetic with NX already set (vmm computes RNE ones inline):
	 * 1 + 2^-60 rounds up only in a static RUP, whatever frm says.
	 */
	fp_fflags_preset = NX;
	CHECK_RES(
	    FPF("fadd.d ft3, ft0, ft1, rup", 0x3ff0000000000000, 0x3c30000000000000, 0, RNE, &fl),
	    fl, 0x3ff0000000000001, NX);
	CHECK_RES(
	    FPF("fadd.d ft3, ft0, ft1, rne", 0x3ff0000000000000, 0x3c30000000000000, 0, RUP, &fl),
	    fl, 0x3ff0000000000000, NX);
	CHECK_RES(
	    FPF("fmul.d ft3, ft0, ft1, rdn", 0x3ff0000000000001, 0xbff0000000000001, 0, RNE, &fl),
	    fl, 0xbff0000000000003, NX);
	/* normal operands, tiny inexact results: UF, also when rounded up to 2^emin */
	CHECK_RES(
	    FPF("fmul.d ft3, ft0, ft1, rne", 0x0010000000000001, 0x3fe0000000000000, 0, RNE, &fl),
	    fl, 0x0008000000000000, UF | NX);
	CHECK_RES(
	    FPF("fmul.d ft3, ft0, ft1, rne", 0x001fffffffffffff, 0x3fe0000000000000, 0, RNE, &fl),
	    fl, 0x0010000000000000, UF | NX);
	/* S operands must be NaN-boxed: a bare 1.0f is the canonical NaN */
	CHECK_RES(FPF("fadd.s ft3, ft0, ft1, rne", 0x3f800000, BOX(0x3f800000), 0, RNE, &fl), fl,
		  BOX(CNAN_S), NX);
	CHECK_RES(
	    FPF("fmul.s ft3, ft0, ft1, rne", BOX(0x3f800000), 0x00000000ffffffff, 0, RNE, &fl), fl,
	    BOX(CNAN_S), NX);
	CHECK_RES(FPF("fsub.s ft3, ft0, ft1, dyn", BOX(0x40400000), BOX(0x3f800000), 0, RNE, &fl),
		  fl, BOX(0x40000000), NX);
	CHECK_RES(FPF("fdiv.s ft3, ft0, ft1, rup", BOX(0x3f800000), BOX(0x40400000), 0, RNE, &fl),
		  fl, BOX(0x3eaaaaab), NX);
	fp_fflags_preset = 0;
}

/* fma differs from fmul then fadd: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly. */
static void test_fma_exact(void)
{
	uint64_t fl, a = BOX(0x3f800001), b = BOX(0x3f7ffffe), c = BOX(0xbf800000);
	uint64_t fused = FPF("fmadd.s ft3, ft0, ft1, ft2, rne", a, b, c, RNE, &fl);
	uint64_t split =
	    FPF("fmul.s ft3, ft0, ft1, rne\n\tfadd.s ft3, ft3, ft2, rne", a, b, c, RNE, &fl);

	CHECK_EQ(fused, BOX(0xa8800000));
	CHECK_EQ(split, BOX(0));
	CHECK_EQ(fl, NX); /* the product alone was inexact */
}

/* fflags accumulate until cleared; fcsr is frm << 5 | fflags. */
static void test_flag_accumulation(void)
{
	uint64_t fl, fcsr;

	__asm__ volatile("csrw fcsr, zero\n\t"
			 "fmv.d.x ft0, %[one]\n\t"
			 "fmv.d.x ft1, zero\n\t"
			 "fdiv.d ft2, ft0, ft1\n\t" /* DZ */
			 "fsqrt.d ft2, ft1\n\t"	    /* sqrt(+0) = +0: nothing */
			 "fmv.d.x ft1, %[three]\n\t"
			 "fdiv.d ft2, ft0, ft1\n\t" /* NX */
			 "csrwi frm, 3\n\t"
			 "frflags %[fl]\n\t"
			 "frcsr %[fcsr]"
			 : [fl] "=&r"(fl), [fcsr] "=&r"(fcsr)
			 : [one] "r"(0x3ff0000000000000ULL), [three] "r"(0x4008000000000000ULL)
			 : "ft0", "ft1", "ft2");
	CHECK_EQ(fl, DZ | NX);
	CHECK_EQ(fcsr, 3 << 5 | DZ | NX);
	/* fsflags swaps in new flags and returns the old ones */
	__asm__ volatile("fsflags %0, %1" : "=r"(fl) : "r"(0x1fULL));
	CHECK_EQ(fl, DZ | NX);
	CHECK_EQ(CSR_READ(fflags), 0x1f);
	CSR_WRITE(fcsr, 0);
}

int main(void)
{
	test_vectors(0);
	/*
	 * Again with NX already set, as in most FP code (fflags are sticky):
	 * an implementation may take shortcuts then (vmm's host fast path
	 * does), and every result and the other flags must stay the same.
	 */
	fp_fflags_preset = NX;
	test_vectors(NX);
	fp_fflags_preset = 0;
	test_static_rm();
	test_fma_exact();
	test_flag_accumulation();
	return 0;
}
