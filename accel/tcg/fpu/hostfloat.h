/*
 * Host-FPU fast paths for softfloat, used only where the host's result and
 * flags are provably the ones softfloat would produce. Included by
 * softfloat.c (and by the x86-64 backend for hf_mxcsr_default_mode(),
 * before it computes the same operations inline); static functions, no
 * link-time dependency. Each
 * function returns false when it does not apply; the caller then runs the
 * software path, which recomputes everything (a fast path never touches
 * *flags when it returns false).
 *
 * x86-64 SSE/FMA implement IEEE 754 binary32/binary64 exactly: same results
 * in round-to-nearest-even, tininess detected after rounding and, with
 * exceptions masked, underflow raised only for tiny inexact results (Intel
 * SDM vol. 1 §4.9.1.5, §11.5.2). Two ways to get the flags right:
 *
 * - hf_*_sqrt: load the MXCSR with its ABI default (RNE, all exceptions
 *   masked, no FTZ/DAZ, flags clear), run the instruction, read the flags
 *   back, all in one asm statement so nothing can be moved between them.
 *   Loading the MXCSR is slow on many cores (about as slow as softfloat's
 *   add), so this pays off only for the square root.
 *
 * - hf_*_nx (add, sub, mul, div, fma): no MXCSR access at all. They apply
 *   when NX is already set in the accumulated flags, all operands are
 *   normal numbers and the result is finite and at least 2^(emin+1): then
 *   the operation cannot be invalid, divide by zero, overflow (that gives
 *   inf in RNE) or underflow, and the only flag it may raise, NX, is
 *   already set. (A result of exactly 2^emin may come from a tiny exact
 *   value rounded up on the subnormal grid, which raises UF: such results
 *   take the software path.) The thread's MXCSR must be in the default
 *   RNE/no-FTZ/no-DAZ state (checked once).
 */
#ifndef VMM_ACCEL_TCG_FPU_HOSTFLOAT_H
#define VMM_ACCEL_TCG_FPU_HOSTFLOAT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "accel/tcg/fpu/softfloat.h"

enum hf_op { HF_ADD, HF_SUB, HF_MUL, HF_DIV };

#if defined(__x86_64__)

/* MXCSR (Intel SDM vol. 1 §10.2.3). */
#define HF_MXCSR_DEFAULT 0x1f80u /* all exceptions masked, RNE, flags clear */
#define HF_MXCSR_MODE	 0xe040u /* FTZ, rounding control, DAZ */

static inline uint32_t hf_flags(uint32_t mxcsr)
{
	/* IE, ZE, OE, UE, PE; DE (denormal operand) has no IEEE counterpart */
	return (mxcsr & 0x01 ? SF_NV : 0) | (mxcsr & 0x04 ? SF_DZ : 0) |
	       (mxcsr & 0x08 ? SF_OF : 0) | (mxcsr & 0x10 ? SF_UF : 0) | (mxcsr & 0x20 ? SF_NX : 0);
}

/*
 * Is the MXCSR in the default mode (RNE, no FTZ/DAZ)? Read once: stmxcsr
 * costs more than the multiply it guards on some cores (on this project's
 * AMD host most of a fast-path fmul.d's time in perf), and nothing in vmm
 * ever changes the mode bits: threads inherit the default from main, the
 * square-root path loads the default, signal handlers get their own state.
 * Threads may race to fill the cache: they all store the same (relaxed
 * atomics, so the race is a defined one).
 */
static inline bool hf_mxcsr_default_mode(void)
{
	static int ok = -1;
	int v = __atomic_load_n(&ok, __ATOMIC_RELAXED);

	if (v < 0) {
		uint32_t m;

		__asm__ volatile("stmxcsr %0" : "=m"(m));
		v = (m & HF_MXCSR_MODE) == 0;
		__atomic_store_n(&ok, v, __ATOMIC_RELAXED);
	}
	return v;
}

static inline bool hf_have_fma(void)
{
	static int have = -1; /* filled once, as in hf_mxcsr_default_mode() */
	int v = __atomic_load_n(&have, __ATOMIC_RELAXED);

	if (v < 0) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("fma") ? 1 : 0;
		__atomic_store_n(&have, v, __ATOMIC_RELAXED);
	}
	return v;
}

/* Normal: neither zero, subnormal, inf nor NaN. */
static inline bool hf_f32_normal(uint32_t a)
{
	uint32_t e = (a >> 23) & 0xff;

	return e != 0 && e != 0xff;
}

static inline bool hf_f64_normal(uint64_t a)
{
	uint64_t e = (a >> 52) & 0x7ff;

	return e != 0 && e != 0x7ff;
}

/* A finite result of magnitude >= 2^(emin+1): not tiny, no overflow. */
static inline bool hf_f32_safe(uint32_t r)
{
	uint32_t e = (r >> 23) & 0xff;

	return e >= 2 && e != 0xff;
}

static inline bool hf_f64_safe(uint64_t r)
{
	uint64_t e = (r >> 52) & 0x7ff;

	return e >= 2 && e != 0x7ff;
}

#define HF_SQRT(insn, x, out)                                                                      \
	__asm__ volatile("ldmxcsr %[in]\n\t" insn " %[x], %[x]\n\tstmxcsr %[o]"                    \
			 : [x] "+x"(x), [o] "=m"(out)                                              \
			 : [in] "m"(csr_in))

static inline bool hf_f32_sqrt(uint32_t a, uint32_t *r, uint32_t *flags)
{
	uint32_t csr_in = HF_MXCSR_DEFAULT, csr_out = 0;
	float x;

	/* positive normals and subnormals: never NV, DZ, OF or UF; NX from the host */
	if (a >> 31 || a == 0 || a >= 0x7f800000u)
		return false;
	memcpy(&x, &a, 4);
	HF_SQRT("sqrtss", x, csr_out);
	memcpy(r, &x, 4);
	*flags |= hf_flags(csr_out);
	return true;
}

static inline bool hf_f64_sqrt(uint64_t a, uint64_t *r, uint32_t *flags)
{
	uint32_t csr_in = HF_MXCSR_DEFAULT, csr_out = 0;
	double x;

	if (a >> 63 || a == 0 || a >= 0x7ff0000000000000ull)
		return false;
	memcpy(&x, &a, 8);
	HF_SQRT("sqrtsd", x, csr_out);
	memcpy(r, &x, 8);
	*flags |= hf_flags(csr_out);
	return true;
}

/* The arithmetic itself, opaque to the optimizer like any runtime value. */
#define HF_ARITH(insn, x, y) __asm__(insn " %[y], %[x]" : [x] "+x"(x) : [y] "x"(y))

static inline bool hf_f32_arith_nx(enum hf_op op, uint32_t a, uint32_t b, uint32_t *r,
				   const uint32_t *flags)
{
	float x, y;

	if (!(*flags & SF_NX) || !hf_f32_normal(a) || !hf_f32_normal(b) || !hf_mxcsr_default_mode())
		return false;
	memcpy(&x, &a, 4);
	memcpy(&y, &b, 4);
	switch (op) {
	case HF_ADD:
		HF_ARITH("addss", x, y);
		break;
	case HF_SUB:
		HF_ARITH("subss", x, y);
		break;
	case HF_MUL:
		HF_ARITH("mulss", x, y);
		break;
	default:
		HF_ARITH("divss", x, y);
		break;
	}
	memcpy(r, &x, 4);
	return hf_f32_safe(*r);
}

static inline bool hf_f64_arith_nx(enum hf_op op, uint64_t a, uint64_t b, uint64_t *r,
				   const uint32_t *flags)
{
	double x, y;

	if (!(*flags & SF_NX) || !hf_f64_normal(a) || !hf_f64_normal(b) || !hf_mxcsr_default_mode())
		return false;
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	switch (op) {
	case HF_ADD:
		HF_ARITH("addsd", x, y);
		break;
	case HF_SUB:
		HF_ARITH("subsd", x, y);
		break;
	case HF_MUL:
		HF_ARITH("mulsd", x, y);
		break;
	default:
		HF_ARITH("divsd", x, y);
		break;
	}
	memcpy(r, &x, 8);
	return hf_f64_safe(*r);
}

/* vfmadd231s{s,d} y, x, z: z = x * y + z, rounded once. */
#define HF_FMA(insn, x, y, z)                                                                      \
	__asm__(insn " %[y], %[x], %[z]" : [z] "+x"(z) : [x] "x"(x), [y] "x"(y))

static inline bool hf_f32_fma_nx(uint32_t a, uint32_t b, uint32_t c, uint32_t *r,
				 const uint32_t *flags)
{
	float x, y, z;

	if (!(*flags & SF_NX) || !hf_f32_normal(a) || !hf_f32_normal(b) || !hf_f32_normal(c) ||
	    !hf_have_fma() || !hf_mxcsr_default_mode())
		return false;
	memcpy(&x, &a, 4);
	memcpy(&y, &b, 4);
	memcpy(&z, &c, 4);
	HF_FMA("vfmadd231ss", x, y, z);
	memcpy(r, &z, 4);
	return hf_f32_safe(*r);
}

static inline bool hf_f64_fma_nx(uint64_t a, uint64_t b, uint64_t c, uint64_t *r,
				 const uint32_t *flags)
{
	double x, y, z;

	if (!(*flags & SF_NX) || !hf_f64_normal(a) || !hf_f64_normal(b) || !hf_f64_normal(c) ||
	    !hf_have_fma() || !hf_mxcsr_default_mode())
		return false;
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	memcpy(&z, &c, 8);
	HF_FMA("vfmadd231sd", x, y, z);
	memcpy(r, &z, 8);
	return hf_f64_safe(*r);
}

#else /* no fast path on this host: softfloat does everything */

static inline bool hf_f32_sqrt(uint32_t a, uint32_t *r, uint32_t *flags)
{
	return false;
}

static inline bool hf_f64_sqrt(uint64_t a, uint64_t *r, uint32_t *flags)
{
	return false;
}

static inline bool hf_f32_arith_nx(enum hf_op op, uint32_t a, uint32_t b, uint32_t *r,
				   const uint32_t *flags)
{
	return false;
}

static inline bool hf_f64_arith_nx(enum hf_op op, uint64_t a, uint64_t b, uint64_t *r,
				   const uint32_t *flags)
{
	return false;
}

static inline bool hf_f32_fma_nx(uint32_t a, uint32_t b, uint32_t c, uint32_t *r,
				 const uint32_t *flags)
{
	return false;
}

static inline bool hf_f64_fma_nx(uint64_t a, uint64_t b, uint64_t c, uint64_t *r,
				 const uint32_t *flags)
{
	return false;
}

#endif

#endif
