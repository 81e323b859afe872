/*
 * Conversions between floating point and integers (unpriv spec §11.7,
 * table 11.4; §12.5): every rounding mode, the range checked after rounding,
 * saturation with NV (and no NX) for out-of-range, infinite and NaN inputs,
 * the sign extension of 32-bit results (also for fcvt.wu), the low 32 bits
 * of x[rs1] as the W/WU source, and exact or NX integer-to-float results.
 */
#include "fp_test.h"

enum kind {
	W_S,
	WU_S,
	L_S,
	LU_S,
	W_D,
	WU_D,
	L_D,
	LU_D,
	S_W,
	S_WU,
	S_L,
	S_LU,
	D_W,
	D_WU,
	D_L,
	D_LU,
};

static uint64_t run(enum kind k, uint64_t a, unsigned frm, uint64_t *fl)
{
	switch (k) {
	case W_S:
		return FPX("fcvt.w.s %[v], ft0, dyn", a, 0, 0, frm, fl);
	case WU_S:
		return FPX("fcvt.wu.s %[v], ft0, dyn", a, 0, 0, frm, fl);
	case L_S:
		return FPX("fcvt.l.s %[v], ft0, dyn", a, 0, 0, frm, fl);
	case LU_S:
		return FPX("fcvt.lu.s %[v], ft0, dyn", a, 0, 0, frm, fl);
	case W_D:
		return FPX("fcvt.w.d %[v], ft0, dyn", a, 0, 0, frm, fl);
	case WU_D:
		return FPX("fcvt.wu.d %[v], ft0, dyn", a, 0, 0, frm, fl);
	case L_D:
		return FPX("fcvt.l.d %[v], ft0, dyn", a, 0, 0, frm, fl);
	case LU_D:
		return FPX("fcvt.lu.d %[v], ft0, dyn", a, 0, 0, frm, fl);
	/* integer sources: a travels in an x register, the asm names it %[xa] */
	case S_W:
		return FPF("fcvt.s.w ft3, %[xa], dyn", a, 0, 0, frm, fl);
	case S_WU:
		return FPF("fcvt.s.wu ft3, %[xa], dyn", a, 0, 0, frm, fl);
	case S_L:
		return FPF("fcvt.s.l ft3, %[xa], dyn", a, 0, 0, frm, fl);
	case S_LU:
		return FPF("fcvt.s.lu ft3, %[xa], dyn", a, 0, 0, frm, fl);
	case D_W:
		return FPF("fcvt.d.w ft3, %[xa]", a, 0, 0, frm, fl);
	case D_WU:
		return FPF("fcvt.d.wu ft3, %[xa]", a, 0, 0, frm, fl);
	case D_L:
		return FPF("fcvt.d.l ft3, %[xa], dyn", a, 0, 0, frm, fl);
	default:
		return FPF("fcvt.d.lu ft3, %[xa], dyn", a, 0, 0, frm, fl);
	}
}

struct vec {
	enum kind k;
	uint64_t a;
	uint64_t r[5]; /* RNE, RTZ, RDN, RUP, RMM */
	uint8_t fl[5];
};

#define ALL5(x)                                                                                    \
	{                                                                                          \
		x, x, x, x, x                                                                      \
	}
#define N(x)   ((uint64_t)(int64_t)(x))
#define I32MIN N(-2147483648LL)
#define I64MIN 0x8000000000000000ULL
#define I64MAX 0x7fffffffffffffffULL
#define ONES   0xffffffffffffffffULL

static const struct vec vecs[] = {
    /* rounding of halves and quarters */
    {W_S, 0x40200000, {2, 2, 2, 3, 3}, ALL5(NX)},		      /* 2.5 */
    {W_S, 0xc0200000, {N(-2), N(-2), N(-3), N(-2), N(-3)}, ALL5(NX)}, /* -2.5 */
    {W_S, 0x3fc00000, {2, 1, 1, 2, 2}, ALL5(NX)},		      /* 1.5 */
    {L_D, 0x3fe0000000000000, {0, 0, 0, 1, 1}, ALL5(NX)},	      /* 0.5 */
    {L_D, 0xbfd0000000000000, {0, 0, N(-1), 0, 0}, ALL5(NX)},	      /* -0.25 */
    {W_D, 1, {0, 0, 0, 1, 0}, ALL5(NX)},			      /* min subnormal */
    {L_S, 0x80000001, {0, 0, N(-1), 0, 0}, ALL5(NX)},
    {W_S, 0x80000000, ALL5(0), ALL5(0)}, /* -0 */
    /* int32 limits: the range is checked after rounding */
    {W_S, 0x4f000000, ALL5(0x7fffffff), ALL5(NV)},		       /* 2^31 */
    {W_S, 0xcf000000, ALL5(I32MIN), ALL5(0)},			       /* -2^31 */
    {W_S, 0xcf000001, ALL5(I32MIN), ALL5(NV)},			       /* below -2^31 */
    {W_D, 0x41dfffffffc00000, ALL5(0x7fffffff), ALL5(0)},	       /* 2^31 - 1 */
    {W_D, 0x41dfffffffe00000, ALL5(0x7fffffff), {NV, NX, NX, NV, NV}}, /* 2^31 - 0.5 */
    {W_D, 0xc1e0000000100000, ALL5(I32MIN), {NX, NX, NV, NX, NV}},     /* -2^31 - 0.5 */
    /* fcvt.wu: results sign-extended from bit 31 */
    {WU_S, 0x4f32d05e, ALL5(0xffffffffb2d05e00), ALL5(0)},     /* 3e9 */
    {WU_D, 0x41efffffffe00000, ALL5(ONES), ALL5(0)},	       /* 2^32 - 1 */
    {WU_S, 0x4f800000, ALL5(ONES), ALL5(NV)},		       /* 2^32 */
    {WU_S, 0xbf800000, ALL5(0), ALL5(NV)},		       /* -1 */
    {WU_D, 0xbfe0000000000000, ALL5(0), {NX, NX, NV, NX, NV}}, /* -0.5 */
    {WU_D, 0x41efffffffffffff, {ONES, ONES, ONES, ONES, ONES}, {NV, NX, NX, NV, NV}},
    /* int64 and uint64 limits */
    {L_S, 0x5f000000, ALL5(I64MAX), ALL5(NV)},	      /* 2^63 */
    {L_D, 0xc3e0000000000000, ALL5(I64MIN), ALL5(0)}, /* -2^63 */
    {L_D, 0x43dfffffffffffff, ALL5(0x7ffffffffffffc00), ALL5(0)},
    {LU_S, 0x5f800000, ALL5(ONES), ALL5(NV)}, /* 2^64 */
    {LU_S, 0x5f7fffff, ALL5(0xffffff0000000000), ALL5(0)},
    {LU_D, 0x43e0000000000000, ALL5(I64MIN), ALL5(0)}, /* 2^63 */
    {LU_D, 0x46293e5939a08cea, ALL5(ONES), ALL5(NV)},  /* 1e30 */
    {LU_D, 0xbff0000000000000, ALL5(0), ALL5(NV)},
    /* infinities and NaNs: NaN converts like +inf */
    {W_S, 0x7f800000, ALL5(0x7fffffff), ALL5(NV)},
    {W_D, 0xfff0000000000000, ALL5(I32MIN), ALL5(NV)},
    {W_S, 0x7fc00000, ALL5(0x7fffffff), ALL5(NV)},
    {W_D, 0xfff8000000000000, ALL5(0x7fffffff), ALL5(NV)}, /* negative NaN too */
    {WU_S, 0xff800000, ALL5(0), ALL5(NV)},
    {WU_D, 0x7ff0000000000001, ALL5(ONES), ALL5(NV)},
    {L_S, 0xff800000, ALL5(I64MIN), ALL5(NV)},
    {L_D, 0x7ff8000000000000, ALL5(I64MAX), ALL5(NV)},
    {LU_S, 0x7fa00000, ALL5(ONES), ALL5(NV)},
    {LU_D, 0xfff0000000000000, ALL5(0), ALL5(NV)},
    /* integer to float */
    {S_W, 16777217, {0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001}, ALL5(NX)},
    {S_W, N(-16777217), {0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001}, ALL5(NX)},
    {S_W, 0x1234567880000000, ALL5(0xcf000000), ALL5(0)}, /* low 32 bits: INT32_MIN */
    {S_WU, 0xffffffff, {0x4f800000, 0x4f7fffff, 0x4f7fffff, 0x4f800000, 0x4f800000}, ALL5(NX)},
    {S_WU, 0xffffffff00000003, ALL5(0x40400000), ALL5(0)}, /* low 32 bits: 3 */
    {S_LU, ONES, {0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000}, ALL5(NX)},
    {S_L, I64MIN, ALL5(0xdf000000), ALL5(0)},
    {S_L, 0, ALL5(0), ALL5(0)},
    {D_W, 0xffffffff80000000, ALL5(0xc1e0000000000000), ALL5(0)},
    {D_WU, 0xffffffff, ALL5(0x41efffffffe00000), ALL5(0)},
    {D_L,
     (1ULL << 53) + 1,
     {0x4340000000000000, 0x4340000000000000, 0x4340000000000000, 0x4340000000000001,
      0x4340000000000001},
     ALL5(NX)},
    {D_L,
     N(-((1LL << 53) + 3)),
     {0xc340000000000002, 0xc340000000000001, 0xc340000000000002, 0xc340000000000001,
      0xc340000000000002},
     ALL5(NX)},
    {D_LU,
     ONES,
     {0x43f0000000000000, 0x43efffffffffffff, 0x43efffffffffffff, 0x43f0000000000000,
      0x43f0000000000000},
     ALL5(NX)},
};

static int in_s(enum kind k)
{
	return k <= LU_S;
}

static int out_s(enum kind k)
{
	return k >= S_W && k <= S_LU;
}

static void test_vectors(void)
{
	for (unsigned i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		uint64_t a = in_s(v->k) ? BOX(v->a) : v->a;

		for (unsigned rm = RNE; rm <= RMM; rm++) {
			uint64_t fl, got = run(v->k, a, rm, &fl);
			uint64_t want = out_s(v->k) ? BOX(v->r[rm]) : v->r[rm];

			CHECK_RES(got, fl, want, v->fl[rm]);
		}
	}
}

/* An improperly boxed S source is the canonical NaN: saturates with NV. */
static void test_unboxed_source(void)
{
	uint64_t fl;

	CHECK_RES(FPX("fcvt.w.s %[v], ft0, rtz", 0x00000000bf800000, 0, 0, RNE, &fl), fl,
		  0x7fffffff, NV);
	CHECK_RES(FPX("fcvt.lu.s %[v], ft0, rtz", 0x0000000040000000, 0, 0, RNE, &fl), fl, ONES,
		  NV);
}

int main(void)
{
	test_vectors();
	test_unboxed_source();
	return 0;
}
