/*
 * 96x96 matrix product of doubles, i-k-j loop order, repeated; each pass
 * multiplies the previous result by B again after scaling it back into
 * [-1, 1], so values stay finite and every rounding counts. The checksum
 * folds the bit patterns: host and guest must round identically (both are
 * IEEE 754 binary64, round to nearest even, no FMA contraction).
 */
#include "bench.h"

#define MMF_N	 96
#define MMF_REPS 64

const char bench_name[] = "matmul_fp";

static double mmf_a[MMF_N][MMF_N], mmf_b[MMF_N][MMF_N], mmf_c[MMF_N][MMF_N];

static uint64_t mmf_bits(double d)
{
	union {
		double d;
		uint64_t u;
	} v = {.d = d};
	return v.u;
}

/* A random double in [-1, 1) with 53 random bits. */
static double mmf_rand(uint64_t *seed)
{
	int64_t r = (int64_t)(bench_rand(seed) >> 10) - (1ll << 53);
	return (double)r * (1.0 / 9007199254740992.0);
}

static void mmf_multiply(void)
{
	for (int i = 0; i < MMF_N; i++) {
		for (int j = 0; j < MMF_N; j++)
			mmf_c[i][j] = 0.0;
		for (int k = 0; k < MMF_N; k++) {
			double aik = mmf_a[i][k];
			for (int j = 0; j < MMF_N; j++)
				mmf_c[i][j] += aik * mmf_b[k][j];
		}
	}
}

/* a = c / max|c| (a division per row keeps the divider busy too). */
static void mmf_feedback(void)
{
	double max = 0.0;

	for (int i = 0; i < MMF_N; i++) {
		for (int j = 0; j < MMF_N; j++) {
			double v = mmf_c[i][j] < 0.0 ? -mmf_c[i][j] : mmf_c[i][j];
			if (v > max)
				max = v;
		}
	}
	if (max == 0.0)
		max = 1.0;
	for (int i = 0; i < MMF_N; i++)
		for (int j = 0; j < MMF_N; j++)
			mmf_a[i][j] = mmf_c[i][j] / max;
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t seed = 4, reps = bench_reps(MMF_REPS, scale), sum = 0;

	for (int i = 0; i < MMF_N; i++) {
		for (int j = 0; j < MMF_N; j++) {
			mmf_a[i][j] = mmf_rand(&seed);
			mmf_b[i][j] = mmf_rand(&seed);
		}
	}
	for (uint64_t r = 0; r < reps; r++) {
		mmf_multiply();
		mmf_feedback();
		sum = bench_mix(sum, mmf_bits(mmf_c[r % MMF_N][(r * 5) % MMF_N]));
	}
	for (int i = 0; i < MMF_N; i++)
		for (int j = 0; j < MMF_N; j++)
			sum = bench_mix(sum, mmf_bits(mmf_c[i][j]));
	return sum;
}
