/*
 * Bit-exact IEEE 754-2019 binary32/binary64 arithmetic in portable C.
 *
 * Every function works on raw bit patterns, takes the rounding mode as an
 * argument and ORs the exception flags it raises into *flags; no host FPU
 * state is read or written. The NaN policy is RISC-V's (unpriv spec §11.3):
 * a NaN result is always the canonical quiet NaN, input payloads are not
 * propagated. Tininess is detected after rounding (unpriv spec §11.2,
 * IEEE 754-2019 §7.5), and underflow is raised only when the tiny result is
 * also inexact (IEEE 754-2019 §7.5, default exception handling).
 *
 * Rounding-mode and flag encodings equal RISC-V's frm/fflags fields
 * (unpriv spec §11.2, tables 11.1 and 11.2), so the frontend passes them
 * through unchanged.
 */
#ifndef VMM_ACCEL_TCG_FPU_SOFTFLOAT_H
#define VMM_ACCEL_TCG_FPU_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

enum sf_rm {
	SF_RNE = 0, /* to nearest, ties to even */
	SF_RTZ = 1, /* toward zero */
	SF_RDN = 2, /* toward -inf */
	SF_RUP = 3, /* toward +inf */
	SF_RMM = 4, /* to nearest, ties away from zero */
};

#define SF_NX 0x01u /* inexact */
#define SF_UF 0x02u /* underflow */
#define SF_OF 0x04u /* overflow */
#define SF_DZ 0x08u /* divide by zero */
#define SF_NV 0x10u /* invalid operation */

#define SF_F32_CANONICAL_NAN 0x7fc00000u
#define SF_F64_CANONICAL_NAN 0x7ff8000000000000ull

/* fclass result bits (unpriv spec §11.9, table 11.5). */
#define SF_CLASS_NEG_INF       (1u << 0)
#define SF_CLASS_NEG_NORMAL    (1u << 1)
#define SF_CLASS_NEG_SUBNORMAL (1u << 2)
#define SF_CLASS_NEG_ZERO      (1u << 3)
#define SF_CLASS_POS_ZERO      (1u << 4)
#define SF_CLASS_POS_SUBNORMAL (1u << 5)
#define SF_CLASS_POS_NORMAL    (1u << 6)
#define SF_CLASS_POS_INF       (1u << 7)
#define SF_CLASS_SNAN	       (1u << 8)
#define SF_CLASS_QNAN	       (1u << 9)

/*
 * Let add/sub/mul/div/sqrt/fma in RNE use the host FPU where its result and
 * flags are provably identical (hostfloat.h). On by default; tests turn it
 * off to check the software path alone. Not for use while vCPUs run.
 */
void sf_use_host_fpu(bool on);

uint32_t sf_f32_add(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f32_sub(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f32_mul(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f32_div(uint32_t a, uint32_t b, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f32_sqrt(uint32_t a, enum sf_rm rm, uint32_t *flags);
/* a * b + c with a single rounding. */
uint32_t sf_f32_fma(uint32_t a, uint32_t b, uint32_t c, enum sf_rm rm, uint32_t *flags);
/* IEEE 754-2019 minimumNumber/maximumNumber: -0 < +0, one NaN gives the other. */
uint32_t sf_f32_min(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t sf_f32_max(uint32_t a, uint32_t b, uint32_t *flags);
/* eq is quiet (NV on sNaN only); lt and le signal NV on any NaN. */
bool sf_f32_eq(uint32_t a, uint32_t b, uint32_t *flags);
bool sf_f32_lt(uint32_t a, uint32_t b, uint32_t *flags);
bool sf_f32_le(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t sf_f32_class(uint32_t a);
bool sf_f32_is_nan(uint32_t a);

uint64_t sf_f64_add(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_sub(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_mul(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_div(uint64_t a, uint64_t b, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_sqrt(uint64_t a, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_fma(uint64_t a, uint64_t b, uint64_t c, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_min(uint64_t a, uint64_t b, uint32_t *flags);
uint64_t sf_f64_max(uint64_t a, uint64_t b, uint32_t *flags);
bool sf_f64_eq(uint64_t a, uint64_t b, uint32_t *flags);
bool sf_f64_lt(uint64_t a, uint64_t b, uint32_t *flags);
bool sf_f64_le(uint64_t a, uint64_t b, uint32_t *flags);
uint32_t sf_f64_class(uint64_t a);
bool sf_f64_is_nan(uint64_t a);

/* Format conversions: widening is exact, narrowing rounds. */
uint64_t sf_f32_to_f64(uint32_t a, uint32_t *flags);
uint32_t sf_f64_to_f32(uint64_t a, enum sf_rm rm, uint32_t *flags);

/*
 * Float to integer, RISC-V rules (unpriv spec §11.7, table 11.4): the range
 * is checked after rounding; out of range or NaN raises NV only (never NX)
 * and saturates: NaN and too-large positive give the maximum, too-large
 * negative the minimum (0 for the unsigned forms).
 */
int32_t sf_f32_to_i32(uint32_t a, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f32_to_u32(uint32_t a, enum sf_rm rm, uint32_t *flags);
int64_t sf_f32_to_i64(uint32_t a, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f32_to_u64(uint32_t a, enum sf_rm rm, uint32_t *flags);
int32_t sf_f64_to_i32(uint64_t a, enum sf_rm rm, uint32_t *flags);
uint32_t sf_f64_to_u32(uint64_t a, enum sf_rm rm, uint32_t *flags);
int64_t sf_f64_to_i64(uint64_t a, enum sf_rm rm, uint32_t *flags);
uint64_t sf_f64_to_u64(uint64_t a, enum sf_rm rm, uint32_t *flags);

/* Integer to float: exact or NX. */
uint32_t sf_i32_to_f32(int32_t v, enum sf_rm rm, uint32_t *flags);
uint32_t sf_u32_to_f32(uint32_t v, enum sf_rm rm, uint32_t *flags);
uint32_t sf_i64_to_f32(int64_t v, enum sf_rm rm, uint32_t *flags);
uint32_t sf_u64_to_f32(uint64_t v, enum sf_rm rm, uint32_t *flags);
uint64_t sf_i32_to_f64(int32_t v, enum sf_rm rm, uint32_t *flags);
uint64_t sf_u32_to_f64(uint32_t v, enum sf_rm rm, uint32_t *flags);
uint64_t sf_i64_to_f64(int64_t v, enum sf_rm rm, uint32_t *flags);
uint64_t sf_u64_to_f64(uint64_t v, enum sf_rm rm, uint32_t *flags);

#endif
