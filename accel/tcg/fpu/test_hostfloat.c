/*
 * The host-FPU fast path must agree bit for bit, flags included, with
 * softfloat in round-to-nearest-even: random operands biased towards
 * subnormals, overflow, underflow, cancellation and exact results.
 */
#include "accel/tcg/fpu/hostfloat.h"
#include "accel/tcg/fpu/softfloat.h"
#include "tests/test.h"

static uint64_t rng_state = 0x6a09e667f3bcc909ull;
static int shown;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rand_float(int fbits, int ebits, uint64_t near)
{
	uint64_t emax = (1ull << ebits) - 1, e, mask = (1ull << fbits) - 1, frac = rnd();

	switch (rnd() % 8) {
	case 0:
		e = rnd() % 3; /* zero, subnormal, smallest normals */
		break;
	case 1:
		e = emax - rnd() % 3; /* inf, NaN, largest normals */
		break;
	case 2:
	case 3: /* close to the other operand: cancellation, ties */
		e = ((near >> fbits) & emax) + rnd() % 5;
		e = e >= 2 ? e - 2 : e;
		e = e > emax ? emax : e;
		break;
	case 4: /* products and quotients near the range limits */
		e = rnd() & 1 ? (emax >> 1) + (emax >> 2) + rnd() % 8 : (emax >> 2) - rnd() % 8;
		break;
	default:
		e = rnd() % (emax + 1);
		break;
	}
	if (rnd() % 3 == 0)
		frac &= ~(mask >> (rnd() % 8 + 1));
	return (rnd() & 1) << (fbits + ebits) | e << fbits | (frac & mask);
}

static void report(const char *what, uint64_t a, uint64_t b, uint64_t c, uint64_t hr, uint32_t hfl,
		   uint64_t sr, uint32_t sfl)
{
	test_checks++;
	if (hr == sr && hfl == sfl)
		return;
	test_failures++;
	if (shown++ < 20)
		fprintf(stderr,
			"%s a 0x%" PRIx64 " b 0x%" PRIx64 " c 0x%" PRIx64 ": host 0x%" PRIx64
			"/0x%x soft 0x%" PRIx64 "/0x%x\n",
			what, a, b, c, hr, hfl, sr, sfl);
}

static uint64_t soft64(enum hf_op op, uint64_t a, uint64_t b, uint32_t *fl)
{
	switch (op) {
	case HF_ADD:
		return sf_f64_add(a, b, SF_RNE, fl);
	case HF_SUB:
		return sf_f64_sub(a, b, SF_RNE, fl);
	case HF_MUL:
		return sf_f64_mul(a, b, SF_RNE, fl);
	default:
		return sf_f64_div(a, b, SF_RNE, fl);
	}
}

static uint32_t soft32(enum hf_op op, uint32_t a, uint32_t b, uint32_t *fl)
{
	switch (op) {
	case HF_ADD:
		return sf_f32_add(a, b, SF_RNE, fl);
	case HF_SUB:
		return sf_f32_sub(a, b, SF_RNE, fl);
	case HF_MUL:
		return sf_f32_mul(a, b, SF_RNE, fl);
	default:
		return sf_f32_div(a, b, SF_RNE, fl);
	}
}

static int used; /* how often a fast path applied */

/* The _nx paths start from flags with NX set: that is when they apply. */
static void check_one(void)
{
	uint64_t a = rand_float(52, 11, 0), b = rand_float(52, 11, a), c = rand_float(52, 11, a);
	uint32_t a32 = (uint32_t)rand_float(23, 8, 0), b32 = (uint32_t)rand_float(23, 8, a32);
	uint32_t c32 = (uint32_t)rand_float(23, 8, a32), hfl, sfl, h32, s32;
	uint64_t h, s;

	if (rnd() & 1) { /* addend cancelling the product */
		c = sf_f64_mul(a, b, SF_RNE, &sfl) ^ (1ull << 63);
		c32 = sf_f32_mul(a32, b32, SF_RNE, &sfl) ^ 0x80000000u;
	}
	for (int op = HF_ADD; op <= HF_DIV; op++) {
		hfl = sfl = SF_NX;
		if (hf_f64_arith_nx((enum hf_op)op, a, b, &h, &hfl)) {
			used++;
			s = soft64((enum hf_op)op, a, b, &sfl);
			report("f64", a, b, (uint64_t)op, h, hfl, s, sfl);
		}
		hfl = sfl = SF_NX;
		if (hf_f32_arith_nx((enum hf_op)op, a32, b32, &h32, &hfl)) {
			s32 = soft32((enum hf_op)op, a32, b32, &sfl);
			report("f32", a32, b32, (uint64_t)op, h32, hfl, s32, sfl);
		}
	}
	hfl = sfl = 0;
	if (hf_f64_sqrt(a, &h, &hfl)) {
		s = sf_f64_sqrt(a, SF_RNE, &sfl);
		report("sqrt64", a, 0, 0, h, hfl, s, sfl);
	}
	hfl = sfl = 0;
	if (hf_f32_sqrt(a32, &h32, &hfl)) {
		s32 = sf_f32_sqrt(a32, SF_RNE, &sfl);
		report("sqrt32", a32, 0, 0, h32, hfl, s32, sfl);
	}
	hfl = sfl = SF_NX;
	if (hf_f64_fma_nx(a, b, c, &h, &hfl)) {
		s = sf_f64_fma(a, b, c, SF_RNE, &sfl);
		report("fma64", a, b, c, h, hfl, s, sfl);
	}
	hfl = sfl = SF_NX;
	if (hf_f32_fma_nx(a32, b32, c32, &h32, &hfl)) {
		s32 = sf_f32_fma(a32, b32, c32, SF_RNE, &sfl);
		report("fma32", a32, b32, c32, h32, hfl, s32, sfl);
	}
}

/* Cases where a fast path must step aside. */
static void test_declines(void)
{
	uint32_t fl = SF_NX, r32;
	uint64_t r;

	/* (1 - 2^-24) * 2^-126 rounds up to 2^-126 on the subnormal grid, but is tiny: UF */
	CHECK(!hf_f32_arith_nx(HF_MUL, 0x3f7fffff, 0x00800000, &r32, &fl));
	sf_use_host_fpu(true);
	CHECK_EQ(sf_f32_mul(0x3f7fffff, 0x00800000, SF_RNE, &fl), 0x00800000);
	CHECK_EQ(fl, SF_NX | SF_UF);
	sf_use_host_fpu(false);
	fl = 0; /* without NX already set, the _nx paths do not apply */
	CHECK(!hf_f64_arith_nx(HF_ADD, 0x3ff0000000000000ull, 0x3ff0000000000000ull, &r, &fl));
	fl = SF_NX;
	CHECK(!hf_f64_arith_nx(HF_DIV, 0x3ff0000000000000ull, 0, &r, &fl)); /* zero */
	CHECK(!hf_f64_arith_nx(HF_MUL, 0x7fefffffffffffffull, 0x4000000000000000ull, &r,
			       &fl)); /* overflow */
	CHECK(!hf_f64_arith_nx(HF_ADD, 0x7ff8000000000000ull, 0x3ff0000000000000ull, &r, &fl));
	CHECK(!hf_f64_arith_nx(HF_SUB, 0x3ff0000000000000ull, 0x3ff0000000000000ull, &r, &fl));
	CHECK(!hf_f64_sqrt(0xbff0000000000000ull, &r, &fl));
	CHECK(!hf_f32_sqrt(0x7f800000u, &r32, &fl));
	CHECK(!hf_f64_fma_nx(0x3ff0000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
			     &r, &fl)); /* exact zero */
	CHECK_EQ(fl, SF_NX);
}

int main(void)
{
	sf_use_host_fpu(false); /* the reference is the software path */
	for (int i = 0; i < 300000; i++)
		check_one();
#if defined(__x86_64__)
	test_declines();
	CHECK(used > 0);
#else
	if (!used)
		TEST_SKIP("no host fast path on this architecture");
#endif
	return test_result("hostfloat");
}
