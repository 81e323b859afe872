/*
 * 128x128 matrix product of 32-bit integers (wrapping), i-k-j loop order,
 * repeated with the result fed back into the left operand so no pass repeats.
 * Multiply-accumulate over rows: it measures the JIT on a tight loop of
 * loads, multiplies, adds and stores (a host compiler may vectorise it).
 */
#include "bench.h"

#define MMI_N	 128
#define MMI_REPS 120

const char bench_name[] = "matmul_int";

static uint32_t mmi_a[MMI_N][MMI_N], mmi_b[MMI_N][MMI_N], mmi_c[MMI_N][MMI_N];

static void mmi_multiply(void)
{
	for (int i = 0; i < MMI_N; i++) {
		for (int j = 0; j < MMI_N; j++)
			mmi_c[i][j] = 0;
		for (int k = 0; k < MMI_N; k++) {
			uint32_t aik = mmi_a[i][k];
			for (int j = 0; j < MMI_N; j++)
				mmi_c[i][j] += aik * mmi_b[k][j];
		}
	}
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t seed = 3, reps = bench_reps(MMI_REPS, scale), sum = 0;

	for (int i = 0; i < MMI_N; i++) {
		for (int j = 0; j < MMI_N; j++) {
			mmi_a[i][j] = (uint32_t)bench_rand(&seed);
			mmi_b[i][j] = (uint32_t)bench_rand(&seed);
		}
	}
	for (uint64_t r = 0; r < reps; r++) {
		mmi_multiply();
		/* Feed back: a = c with its bits rotated, so the values stay mixed. */
		for (int i = 0; i < MMI_N; i++)
			for (int j = 0; j < MMI_N; j++)
				mmi_a[i][j] = (mmi_c[i][j] >> 7) | (mmi_c[i][j] << 25);
		sum = bench_mix(sum, mmi_c[r % MMI_N][(r * 7) % MMI_N]);
	}
	for (int i = 0; i < MMI_N; i++)
		for (int j = 0; j < MMI_N; j++)
			sum = bench_mix(sum, mmi_c[i][j]);
	return sum;
}
