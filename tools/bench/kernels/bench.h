/*
 * Compute kernels for tools/bench/jit. Each kernel file defines bench_name and
 * bench_kernel(); the same C is linked with host_main.c (a host program) and
 * with rv_main.c + rv_crt0.S (a bare-metal RISC-V ELF), and both print
 *
 *	bench <name> scale <percent> checksum 0x<16 hex digits>
 *
 * so the runs can be compared for correctness. The kernels use no libc: only
 * fixed-width integer arithmetic and IEEE double +, * (built with
 * -ffp-contract=off, so no fused multiply-add changes a rounding on one side).
 *
 * scale is a percentage of the default amount of work: the buffers keep their
 * size and the number of repetitions scales (at least one).
 */
#ifndef VMM_BENCH_KERNELS_BENCH_H
#define VMM_BENCH_KERNELS_BENCH_H

#include <stddef.h>
#include <stdint.h>

extern const char bench_name[];
uint64_t bench_kernel(unsigned scale);

/* Repetitions for a kernel whose default (scale 100) is @base. */
static inline uint64_t bench_reps(uint64_t base, unsigned scale)
{
	uint64_t r = base * scale / 100;
	return r ? r : 1;
}

/* splitmix64: a small, well-mixed PRNG with a one-word state. */
static inline uint64_t bench_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fold one word into a running checksum (order-dependent). */
static inline uint64_t bench_mix(uint64_t sum, uint64_t v)
{
	sum ^= v + 0x9e3779b97f4a7c15ull + (sum << 6) + (sum >> 2);
	return sum * 0xff51afd7ed558ccdull;
}

#endif
