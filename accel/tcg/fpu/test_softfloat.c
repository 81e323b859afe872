/*
 * softfloat unit test: hand-written corner cases for all five rounding
 * modes (expected values worked out from IEEE 754-2019 and the RISC-V unpriv
 * spec chapter 11), and random operands checked against the host's SSE FPU
 * (results and exception flags) in the four rounding modes it supports.
 * The host propagates NaN payloads where RISC-V does not, so a host NaN only
 * asks for our canonical NaN.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "accel/tcg/fpu/softfloat.h"
#include "common/compiler.h"
#include "tests/test.h"

#define CNAN32 SF_F32_CANONICAL_NAN
#define CNAN64 SF_F64_CANONICAL_NAN

enum op {
	ADD32,
	SUB32,
	MUL32,
	DIV32,
	SQRT32,
	FMA32,
	ADD64,
	SUB64,
	MUL64,
	DIV64,
	SQRT64,
	FMA64,
	F32_F64,
	F64_F32,
	F32_I32,
	F32_U32,
	F32_I64,
	F32_U64,
	F64_I32,
	F64_U32,
	F64_I64,
	F64_U64,
	I32_F32,
	U32_F32,
	I64_F32,
	U64_F32,
	I32_F64,
	U32_F64,
	I64_F64,
	U64_F64,
};

/* Integer results are compared as their sign-extended 64-bit pattern. */
static uint64_t run_op(enum op op, uint64_t a, uint64_t b, uint64_t c, enum sf_rm rm, uint32_t *fl)
{
	uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, c32 = (uint32_t)c;

	switch (op) {
	case ADD32:
		return sf_f32_add(a32, b32, rm, fl);
	case SUB32:
		return sf_f32_sub(a32, b32, rm, fl);
	case MUL32:
		return sf_f32_mul(a32, b32, rm, fl);
	case DIV32:
		return sf_f32_div(a32, b32, rm, fl);
	case SQRT32:
		return sf_f32_sqrt(a32, rm, fl);
	case FMA32:
		return sf_f32_fma(a32, b32, c32, rm, fl);
	case ADD64:
		return sf_f64_add(a, b, rm, fl);
	case SUB64:
		return sf_f64_sub(a, b, rm, fl);
	case MUL64:
		return sf_f64_mul(a, b, rm, fl);
	case DIV64:
		return sf_f64_div(a, b, rm, fl);
	case SQRT64:
		return sf_f64_sqrt(a, rm, fl);
	case FMA64:
		return sf_f64_fma(a, b, c, rm, fl);
	case F32_F64:
		return sf_f32_to_f64(a32, fl);
	case F64_F32:
		return sf_f64_to_f32(a, rm, fl);
	case F32_I32:
		return (uint64_t)(int64_t)sf_f32_to_i32(a32, rm, fl);
	case F32_U32:
		return (uint64_t)(int64_t)(int32_t)sf_f32_to_u32(a32, rm, fl);
	case F32_I64:
		return (uint64_t)sf_f32_to_i64(a32, rm, fl);
	case F32_U64:
		return sf_f32_to_u64(a32, rm, fl);
	case F64_I32:
		return (uint64_t)(int64_t)sf_f64_to_i32(a, rm, fl);
	case F64_U32:
		return (uint64_t)(int64_t)(int32_t)sf_f64_to_u32(a, rm, fl);
	case F64_I64:
		return (uint64_t)sf_f64_to_i64(a, rm, fl);
	case F64_U64:
		return sf_f64_to_u64(a, rm, fl);
	case I32_F32:
		return sf_i32_to_f32((int32_t)a, rm, fl);
	case U32_F32:
		return sf_u32_to_f32((uint32_t)a, rm, fl);
	case I64_F32:
		return sf_i64_to_f32((int64_t)a, rm, fl);
	case U64_F32:
		return sf_u64_to_f32(a, rm, fl);
	case I32_F64:
		return sf_i32_to_f64((int32_t)a, rm, fl);
	case U32_F64:
		return sf_u32_to_f64((uint32_t)a, rm, fl);
	case I64_F64:
		return sf_i64_to_f64((int64_t)a, rm, fl);
	case U64_F64:
		return sf_u64_to_f64(a, rm, fl);
	}
	return 0;
}

/* One operation in all five modes: RNE, RTZ, RDN, RUP, RMM. */
struct corner {
	const char *name;
	enum op op;
	uint64_t a, b, c;
	uint64_t r[5];
	uint32_t fl[5];
};

#define ALL5(x)                                                                                    \
	{                                                                                          \
		x, x, x, x, x                                                                      \
	}
#define NX SF_NX
#define UF SF_UF
#define OF SF_OF
#define DZ SF_DZ
#define NV SF_NV

static const struct corner corners[] = {
    /* ties and directed rounding: 1 + 2^-24 is half an ulp above 1 */
    {"f32 tie to even (down)",
     ADD32,
     0x3f800000,
     0x33800000,
     0,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001},
     ALL5(NX)},
    {"f32 negative tie",
     ADD32,
     0xbf800000,
     0xb3800000,
     0,
     {0xbf800000, 0xbf800000, 0xbf800001, 0xbf800000, 0xbf800001},
     ALL5(NX)},
    {"f32 tie to even (up)",
     ADD32,
     0x3f800001,
     0x33800000,
     0,
     {0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002},
     ALL5(NX)},
    {"f32 below half",
     ADD32,
     0x3f800000,
     0x33000000,
     0,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000},
     ALL5(NX)},
    {"f64 tie",
     ADD64,
     0x3ff0000000000000,
     0x3ca0000000000000,
     0,
     {0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000001,
      0x3ff0000000000001},
     ALL5(NX)},
    {"f64 negative tie",
     SUB64,
     0xbff0000000000000,
     0x3ca0000000000000,
     0,
     {0xbff0000000000000, 0xbff0000000000000, 0xbff0000000000001, 0xbff0000000000000,
      0xbff0000000000001},
     ALL5(NX)},
    /* overflow: infinity or the largest finite value by mode */
    {"f32 overflow",
     MUL32,
     0x7f7fffff,
     0x40000000,
     0,
     {0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000},
     ALL5(OF | NX)},
    {"f32 negative overflow",
     MUL32,
     0xff7fffff,
     0x40000000,
     0,
     {0xff800000, 0xff7fffff, 0xff800000, 0xff7fffff, 0xff800000},
     ALL5(OF | NX)},
    {"f64 overflow",
     ADD64,
     0x7fefffffffffffff,
     0x7fefffffffffffff,
     0,
     {0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000,
      0x7ff0000000000000},
     ALL5(OF | NX)},
    {"f64 max + half ulp rounds to inf",
     ADD64,
     0x7fefffffffffffff,
     0x7c90000000000000,
     0,
     {0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000,
      0x7ff0000000000000},
     {OF | NX, NX, NX, OF | NX, OF | NX}},
    /* underflow: 2^-150 is half the smallest subnormal */
    {"f32 half min subnormal", MUL32, 0x00000001, 0x3f000000, 0, {0, 0, 0, 1, 1}, ALL5(UF | NX)},
    {"f32 -half min subnormal",
     MUL32,
     0x80000001,
     0x3f000000,
     0,
     {0x80000000, 0x80000000, 0x80000001, 0x80000000, 0x80000001},
     ALL5(UF | NX)},
    {"f32 exact subnormal: no UF", MUL32, 0x00800000, 0x3f000000, 0, ALL5(0x00400000), ALL5(0)},
    {"f32 subnormal inputs", ADD32, 0x00000003, 0x80000001, 0, ALL5(0x00000002), ALL5(0)},
    {"f32 subnormal to normal", ADD32, 0x007fffff, 0x00000001, 0, ALL5(0x00800000), ALL5(0)},
    /* (1-2^-24) * 2^-126: tiny even after rounding to 24 bits */
    {"f32 tiny, rounds to min normal",
     MUL32,
     0x3f7fffff,
     0x00800000,
     0,
     {0x00800000, 0x007fffff, 0x007fffff, 0x00800000, 0x00800000},
     ALL5(UF | NX)},
    /* (1+2^-23) * (2^-126 - 2^-149) = 2^-126 (1 - 2^-46): not tiny after rounding */
    {"f32 tininess after rounding",
     MUL32,
     0x3f800001,
     0x007fffff,
     0,
     {0x00800000, 0x007fffff, 0x007fffff, 0x00800000, 0x00800000},
     {NX, UF | NX, UF | NX, NX, NX}},
    {"f64 tininess after rounding",
     MUL64,
     0x3ff0000000000001,
     0x000fffffffffffff,
     0,
     {0x0010000000000000, 0x000fffffffffffff, 0x000fffffffffffff, 0x0010000000000000,
      0x0010000000000000},
     {NX, UF | NX, UF | NX, NX, NX}},
    {"f64 underflow to zero",
     MUL64,
     0x0000000000000001,
     0x3fd0000000000000,
     0,
     {0, 0, 0, 1, 0},
     ALL5(UF | NX)},
    {"f64 divide to subnormal", DIV64, 0x0010000000000000, 0x4000000000000000, 0,
     ALL5(0x0008000000000000), ALL5(0)},
    /* signed zeros, IEEE 754-2019 §6.3 */
    {"+0 + -0", ADD32, 0x00000000, 0x80000000, 0, {0, 0, 0x80000000, 0, 0}, ALL5(0)},
    {"-0 + -0", ADD32, 0x80000000, 0x80000000, 0, ALL5(0x80000000), ALL5(0)},
    {"x - x",
     SUB64,
     0x4010000000000000,
     0x4010000000000000,
     0,
     {0, 0, 0x8000000000000000, 0, 0},
     ALL5(0)},
    {"1 * -0", MUL32, 0x3f800000, 0x80000000, 0, ALL5(0x80000000), ALL5(0)},
    {"-0 / 5", DIV64, 0x8000000000000000, 0x4014000000000000, 0, ALL5(0x8000000000000000), ALL5(0)},
    {"sqrt(-0)", SQRT32, 0x80000000, 0, 0, ALL5(0x80000000), ALL5(0)},
    {"fma exact cancellation",
     FMA32,
     0x3f800000,
     0x3f800000,
     0xbf800000,
     {0, 0, 0x80000000, 0, 0},
     ALL5(0)},
    {"fma +0*1 + -0",
     FMA64,
     0,
     0x3ff0000000000000,
     0x8000000000000000,
     {0, 0, 0x8000000000000000, 0, 0},
     ALL5(0)},
    {"fma -0*1 + -0", FMA64, 0x8000000000000000, 0x3ff0000000000000, 0x8000000000000000,
     ALL5(0x8000000000000000), ALL5(0)},
    {"fma 0*x + y is y", FMA32, 0, 0x40000000, 0x00000001, ALL5(0x00000001), ALL5(0)},
    /* NaNs: canonical out, NV only for signaling inputs */
    {"f32 qNaN payload", ADD32, 0x7fc12345, 0x3f800000, 0, ALL5(CNAN32), ALL5(0)},
    {"f32 sNaN", MUL32, 0x3f800000, 0x7f800001, 0, ALL5(CNAN32), ALL5(NV)},
    {"f32 negative qNaN", SUB32, 0xffc00001, 0x3f800000, 0, ALL5(CNAN32), ALL5(0)},
    {"f64 sNaN payload", ADD64, 0x7ff4000000000001, 0, 0, ALL5(CNAN64), ALL5(NV)},
    {"f64 qNaN sqrt", SQRT64, 0xfff8000000000123, 0, 0, ALL5(CNAN64), ALL5(0)},
    {"inf - inf", ADD32, 0x7f800000, 0xff800000, 0, ALL5(CNAN32), ALL5(NV)},
    {"0 * inf", MUL64, 0, 0xfff0000000000000, 0, ALL5(CNAN64), ALL5(NV)},
    {"fma inf*0 + qNaN is NV", FMA32, 0x7f800000, 0, 0x7fc00000, ALL5(CNAN32), ALL5(NV)},
    {"fma qNaN + inf*1", FMA32, 0x7f800000, 0x3f800000, 0x7fc00000, ALL5(CNAN32), ALL5(0)},
    {"fma inf - inf", FMA64, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000,
     ALL5(CNAN64), ALL5(NV)},
    {"fma sNaN addend", FMA64, 0x3ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000001,
     ALL5(CNAN64), ALL5(NV)},
    /* division */
    {"1 / 0", DIV32, 0x3f800000, 0, 0, ALL5(0x7f800000), ALL5(DZ)},
    {"-1 / +0", DIV32, 0xbf800000, 0, 0, ALL5(0xff800000), ALL5(DZ)},
    {"1 / -0", DIV64, 0x3ff0000000000000, 0x8000000000000000, 0, ALL5(0xfff0000000000000),
     ALL5(DZ)},
    {"inf / 0: no DZ", DIV32, 0x7f800000, 0, 0, ALL5(0x7f800000), ALL5(0)},
    {"0 / 0", DIV64, 0, 0, 0, ALL5(CNAN64), ALL5(NV)},
    {"inf / inf", DIV32, 0x7f800000, 0xff800000, 0, ALL5(CNAN32), ALL5(NV)},
    {"1 / 3",
     DIV32,
     0x3f800000,
     0x40400000,
     0,
     {0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab},
     ALL5(NX)},
    {"-1 / 3",
     DIV64,
     0xbff0000000000000,
     0x4008000000000000,
     0,
     {0xbfd5555555555555, 0xbfd5555555555555, 0xbfd5555555555556, 0xbfd5555555555555,
      0xbfd5555555555555},
     ALL5(NX)},
    /* square root */
    {"sqrt(2) f32",
     SQRT32,
     0x40000000,
     0,
     0,
     {0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3},
     ALL5(NX)},
    {"sqrt(2) f64",
     SQRT64,
     0x4000000000000000,
     0,
     0,
     {0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd,
      0x3ff6a09e667f3bcd},
     ALL5(NX)},
    {"sqrt(-1)", SQRT32, 0xbf800000, 0, 0, ALL5(CNAN32), ALL5(NV)},
    {"sqrt(-inf)", SQRT64, 0xfff0000000000000, 0, 0, ALL5(CNAN64), ALL5(NV)},
    {"sqrt(+inf)", SQRT64, 0x7ff0000000000000, 0, 0, ALL5(0x7ff0000000000000), ALL5(0)},
    {"sqrt(min subnormal)", SQRT64, 1, 0, 0, ALL5(0x1e60000000000000), ALL5(0)},
    {"sqrt(4)", SQRT32, 0x40800000, 0, 0, ALL5(0x40000000), ALL5(0)},
    /* fma: one rounding */
    {"fma (1+u)(1-u) - 1", FMA32, 0x3f800001, 0x3f7ffffe, 0xbf800000, ALL5(0xa8800000), ALL5(0)},
    {"fma no intermediate overflow", FMA32, 0x7f7fffff, 0x40000000, 0xff7fffff, ALL5(0x7f7fffff),
     ALL5(0)},
    /* (1+2^-52) * 1.5 is a tie that a tiny negative addend breaks downwards */
    {"fma tie broken by addend",
     FMA64,
     0x3ff0000000000001,
     0x3ff8000000000000,
     0x8000000000000001,
     {0x3ff8000000000001, 0x3ff8000000000001, 0x3ff8000000000001, 0x3ff8000000000002,
      0x3ff8000000000001},
     ALL5(NX)},
    {"fma tiny addend sticky",
     FMA32,
     0x3f800000,
     0x3f800000,
     0x00000001,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000},
     ALL5(NX)},
    {"fma tiny negative addend",
     FMA32,
     0x3f800000,
     0x3f800000,
     0x80000001,
     {0x3f800000, 0x3f7fffff, 0x3f7fffff, 0x3f800000, 0x3f800000},
     ALL5(NX)},
    /* format conversions */
    {"f64->f32 tie",
     F64_F32,
     0x3ff0000010000000,
     0,
     0,
     {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001},
     ALL5(NX)},
    {"f64->f32 overflow",
     F64_F32,
     0x7fefffffffffffff,
     0,
     0,
     {0x7f800000, 0x7f7fffff, 0x7f7fffff, 0x7f800000, 0x7f800000},
     ALL5(OF | NX)},
    {"f64->f32 underflow", F64_F32, 0x3690000000000000, 0, 0, {0, 0, 0, 1, 1}, ALL5(UF | NX)},
    {"f64->f32 sNaN", F64_F32, 0x7ff0000000000001, 0, 0, ALL5(CNAN32), ALL5(NV)},
    {"f64->f32 -0", F64_F32, 0x8000000000000000, 0, 0, ALL5(0x80000000), ALL5(0)},
    {"f32->f64 subnormal", F32_F64, 0x00000001, 0, 0, ALL5(0x36a0000000000000), ALL5(0)},
    {"f32->f64 sNaN", F32_F64, 0xff800001, 0, 0, ALL5(CNAN64), ALL5(NV)},
    {"f32->f64 qNaN payload", F32_F64, 0x7fc0abcd, 0, 0, ALL5(CNAN64), ALL5(0)},
    /* float -> int, unpriv spec §11.7 table 11.4 */
    {"2.5 -> i32", F32_I32, 0x40200000, 0, 0, {2, 2, 2, 3, 3}, ALL5(NX)},
    {"-2.5 -> i32",
     F32_I32,
     0xc0200000,
     0,
     0,
     {(uint64_t)-2, (uint64_t)-2, (uint64_t)-3, (uint64_t)-2, (uint64_t)-3},
     ALL5(NX)},
    {"0.5 -> i64", F64_I64, 0x3fe0000000000000, 0, 0, {0, 0, 0, 1, 1}, ALL5(NX)},
    {"2^31 -> i32", F32_I32, 0x4f000000, 0, 0, ALL5(0x7fffffff), ALL5(NV)},
    {"-2^31 -> i32", F32_I32, 0xcf000000, 0, 0, ALL5((uint64_t)INT32_MIN), ALL5(0)},
    {"below -2^31 -> i32", F32_I32, 0xcf000001, 0, 0, ALL5((uint64_t)INT32_MIN), ALL5(NV)},
    {"NaN -> i32", F32_I32, 0xffc00000, 0, 0, ALL5(0x7fffffff), ALL5(NV)},
    {"+inf -> i32", F64_I32, 0x7ff0000000000000, 0, 0, ALL5(0x7fffffff), ALL5(NV)},
    {"-inf -> i32", F64_I32, 0xfff0000000000000, 0, 0, ALL5((uint64_t)INT32_MIN), ALL5(NV)},
    {"2^31-0.5 -> i32",
     F64_I32,
     0x41dfffffffe00000,
     0,
     0,
     {0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff},
     {NV, NX, NX, NV, NV}},
    {"-2^31-0.5 -> i32",
     F64_I32,
     0xc1e0000000100000,
     0,
     0,
     ALL5((uint64_t)INT32_MIN),
     {NX, NX, NV, NX, NV}},
    {"-1 -> u32", F32_U32, 0xbf800000, 0, 0, ALL5(0), ALL5(NV)},
    {"-0.5 -> u32", F64_U32, 0xbfe0000000000000, 0, 0, ALL5(0), {NX, NX, NV, NX, NV}},
    {"-0 -> u32", F32_U32, 0x80000000, 0, 0, ALL5(0), ALL5(0)},
    {"2^32 -> u32", F32_U32, 0x4f800000, 0, 0, ALL5(0xffffffffffffffff), ALL5(NV)},
    {"2^32-1 -> u32", F64_U32, 0x41efffffffe00000, 0, 0, ALL5(0xffffffffffffffff), ALL5(0)},
    {"NaN -> u32", F64_U32, 0x7ff8000000000000, 0, 0, ALL5(0xffffffffffffffff), ALL5(NV)},
    {"2^63 -> i64", F32_I64, 0x5f000000, 0, 0, ALL5(INT64_MAX), ALL5(NV)},
    {"-2^63 -> i64", F64_I64, 0xc3e0000000000000, 0, 0, ALL5((uint64_t)INT64_MIN), ALL5(0)},
    {"-inf -> i64", F32_I64, 0xff800000, 0, 0, ALL5((uint64_t)INT64_MIN), ALL5(NV)},
    {"NaN -> i64", F64_I64, 0x7ff0000000000001, 0, 0, ALL5(INT64_MAX), ALL5(NV)},
    {"2^64 -> u64", F32_U64, 0x5f800000, 0, 0, ALL5(UINT64_MAX), ALL5(NV)},
    {"max below 2^64 -> u64", F32_U64, 0x5f7fffff, 0, 0, ALL5(0xffffff0000000000), ALL5(0)},
    {"2^63 -> u64", F64_U64, 0x43e0000000000000, 0, 0, ALL5(0x8000000000000000), ALL5(0)},
    {"-inf -> u64", F64_U64, 0xfff0000000000000, 0, 0, ALL5(0), ALL5(NV)},
    {"NaN -> u64", F32_U64, 0x7fc00000, 0, 0, ALL5(UINT64_MAX), ALL5(NV)},
    {"1e30 -> u64", F64_U64, 0x46293e5939a08cea, 0, 0, ALL5(UINT64_MAX), ALL5(NV)},
    {"min subnormal -> i32", F64_I32, 1, 0, 0, {0, 0, 0, 1, 0}, ALL5(NX)},
    {"-min subnormal -> i64", F32_I64, 0x80000001, 0, 0, {0, 0, (uint64_t)-1, 0, 0}, ALL5(NX)},
    /* int -> float */
    {"2^24+1 -> f32",
     I32_F32,
     16777217,
     0,
     0,
     {0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001},
     ALL5(NX)},
    {"-(2^24+1) -> f32",
     I32_F32,
     (uint64_t)-16777217,
     0,
     0,
     {0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001},
     ALL5(NX)},
    {"INT32_MIN -> f32", I32_F32, (uint64_t)INT32_MIN, 0, 0, ALL5(0xcf000000), ALL5(0)},
    {"UINT32_MAX -> f32",
     U32_F32,
     0xffffffff,
     0,
     0,
     {0x4f800000, 0x4f7fffff, 0x4f7fffff, 0x4f800000, 0x4f800000},
     ALL5(NX)},
    {"UINT64_MAX -> f32",
     U64_F32,
     UINT64_MAX,
     0,
     0,
     {0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000},
     ALL5(NX)},
    {"UINT64_MAX -> f64",
     U64_F64,
     UINT64_MAX,
     0,
     0,
     {0x43f0000000000000, 0x43efffffffffffff, 0x43efffffffffffff, 0x43f0000000000000,
      0x43f0000000000000},
     ALL5(NX)},
    {"INT64_MIN -> f64", I64_F64, (uint64_t)INT64_MIN, 0, 0, ALL5(0xc3e0000000000000), ALL5(0)},
    {"2^53+1 -> f64",
     I64_F64,
     (1ull << 53) + 1,
     0,
     0,
     {0x4340000000000000, 0x4340000000000000, 0x4340000000000000, 0x4340000000000001,
      0x4340000000000001},
     ALL5(NX)},
    {"-(2^53+3) -> f64",
     I64_F64,
     (uint64_t) - ((1ll << 53) + 3),
     0,
     0,
     {0xc340000000000002, 0xc340000000000001, 0xc340000000000002, 0xc340000000000001,
      0xc340000000000002},
     ALL5(NX)},
    {"INT32_MIN -> f64", I32_F64, (uint64_t)INT32_MIN, 0, 0, ALL5(0xc1e0000000000000), ALL5(0)},
    {"UINT32_MAX -> f64", U32_F64, 0xffffffff, 0, 0, ALL5(0x41efffffffe00000), ALL5(0)},
    {"0 -> f32 is +0", I64_F32, 0, 0, 0, ALL5(0), ALL5(0)},
};

static void test_corners(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(corners); i++) {
		const struct corner *t = &corners[i];

		for (int rm = 0; rm < 5; rm++) {
			uint32_t fl = 0;
			uint64_t r = run_op(t->op, t->a, t->b, t->c, (enum sf_rm)rm, &fl);

			test_checks++;
			if (r != t->r[rm] || fl != t->fl[rm]) {
				test_failures++;
				fprintf(stderr,
					"corner '%s' rm %d: got 0x%" PRIx64
					" flags 0x%x, want 0x%" PRIx64 " flags 0x%x\n",
					t->name, rm, r, fl, t->r[rm], t->fl[rm]);
			}
		}
	}
}

/* --- random operands against the host FPU --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static int reported;

static uint64_t rnd(void)
{
	/* xorshift64*: seeded, so every run checks the same operands */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rand_frac(int fbits)
{
	uint64_t mask = (1ull << fbits) - 1, r = rnd();

	switch (rnd() % 6) {
	case 0: /* a few leading bits, the rest zero: exact results and ties */
		return r & mask & ~(mask >> (rnd() % 8 + 1));
	case 1:
		return mask;
	case 2: /* all ones below a random bit */
		return mask >> (rnd() % fbits);
	case 3:
		return r & mask & (mask << (rnd() % fbits));
	default:
		return r & mask;
	}
}

static uint64_t rand_float(int fbits, int ebits)
{
	uint64_t emax = (1ull << ebits) - 1, bias = emax >> 1, e, r = rnd();

	switch (r % 16) {
	case 0:
		e = 0;
		break;
	case 1:
		e = emax;
		break;
	case 2:
		e = emax - 1 - rnd() % 4;
		break;
	case 3:
		e = 1 + rnd() % 4;
		break;
	case 4:
		e = bias + fbits + 1 - rnd() % 4; /* near the integer limits */
		break;
	case 5:
	case 6:
	case 7:
	case 8:
	case 9:
		e = bias - 30 + rnd() % 60;
		break;
	default:
		e = 1 + rnd() % (emax - 1);
		break;
	}
	return (r >> 63) << (fbits + ebits) | e << fbits | rand_frac(fbits);
}

/* A second operand close to the first in magnitude: cancellation, ties. */
static uint64_t rand_near(uint64_t a, int fbits, int ebits)
{
	uint64_t e = (a >> fbits) & ((1ull << ebits) - 1);
	uint64_t emax = (1ull << ebits) - 1;

	if (rnd() % 3 == 0)
		return rand_float(fbits, ebits);
	e += rnd() % 5;
	e = e >= 2 ? e - 2 : e;
	if (e >= emax)
		e = emax - 1;
	return (rnd() & 1) << (fbits + ebits) | e << fbits | rand_frac(fbits);
}

static uint32_t f2u(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static float u2f(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static uint64_t d2u(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

static double u2d(uint64_t u)
{
	double d;

	memcpy(&d, &u, 8);
	return d;
}

static const int host_modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD};

static uint32_t host_flags(void)
{
	int e = fetestexcept(FE_ALL_EXCEPT);

	return (e & FE_INEXACT ? SF_NX : 0) | (e & FE_UNDERFLOW ? SF_UF : 0) |
	       (e & FE_OVERFLOW ? SF_OF : 0) | (e & FE_DIVBYZERO ? SF_DZ : 0) |
	       (e & FE_INVALID ? SF_NV : 0);
}

static void report(const char *what, enum op op, uint64_t a, uint64_t b, uint64_t c, int rm,
		   uint64_t got, uint32_t gfl, uint64_t want, uint32_t wfl)
{
	test_checks++;
	if (got == want && gfl == wfl)
		return;
	test_failures++;
	if (reported++ < 30)
		fprintf(stderr,
			"%s op %d rm %d a 0x%" PRIx64 " b 0x%" PRIx64 " c 0x%" PRIx64
			": got 0x%" PRIx64 "/0x%x want 0x%" PRIx64 "/0x%x\n",
			what, op, rm, a, b, c, got, gfl, want, wfl);
}

/* Host reference operations, called through pointers so nothing folds. */
typedef float (*host32_fn)(float, float, float);
typedef double (*host64_fn)(double, double, double);

static float h_add32(float a, float b, float c)
{
	return a + b;
}
static float h_sub32(float a, float b, float c)
{
	return a - b;
}
static float h_mul32(float a, float b, float c)
{
	return a * b;
}
static float h_div32(float a, float b, float c)
{
	return a / b;
}
static float h_sqrt32(float a, float b, float c)
{
	return sqrtf(a);
}
static float h_fma32(float a, float b, float c)
{
	return fmaf(a, b, c);
}
static double h_add64(double a, double b, double c)
{
	return a + b;
}
static double h_sub64(double a, double b, double c)
{
	return a - b;
}
static double h_mul64(double a, double b, double c)
{
	return a * b;
}
static double h_div64(double a, double b, double c)
{
	return a / b;
}
static double h_sqrt64(double a, double b, double c)
{
	return sqrt(a);
}
static double h_fma64(double a, double b, double c)
{
	return fma(a, b, c);
}

static const struct {
	enum op op;
	host32_fn f32;
	host64_fn f64;
} host_arith[] = {
    {ADD32, h_add32, NULL}, {SUB32, h_sub32, NULL},   {MUL32, h_mul32, NULL},
    {DIV32, h_div32, NULL}, {SQRT32, h_sqrt32, NULL}, {FMA32, h_fma32, NULL},
    {ADD64, NULL, h_add64}, {SUB64, NULL, h_sub64},   {MUL64, NULL, h_mul64},
    {DIV64, NULL, h_div64}, {SQRT64, NULL, h_sqrt64}, {FMA64, NULL, h_fma64},
};

static void check_arith32(enum op op, host32_fn fn, uint32_t a, uint32_t b, uint32_t c, int rm)
{
	uint32_t hfl, fl = 0;
	uint64_t got;
	float r;

	fesetround(host_modes[rm]);
	feclearexcept(FE_ALL_EXCEPT);
	r = fn(u2f(a), u2f(b), u2f(c));
	hfl = host_flags();
	fesetround(FE_TONEAREST);
	got = run_op(op, a, b, c, (enum sf_rm)rm, &fl);
	report("arith32", op, a, b, c, rm, got, fl, isnan(r) ? CNAN32 : f2u(r), hfl);
}

static void check_arith64(enum op op, host64_fn fn, uint64_t a, uint64_t b, uint64_t c, int rm)
{
	uint32_t hfl, fl = 0;
	uint64_t got;
	double r;

	fesetround(host_modes[rm]);
	feclearexcept(FE_ALL_EXCEPT);
	r = fn(u2d(a), u2d(b), u2d(c));
	hfl = host_flags();
	fesetround(FE_TONEAREST);
	got = run_op(op, a, b, c, (enum sf_rm)rm, &fl);
	report("arith64", op, a, b, c, rm, got, fl, isnan(r) ? CNAN64 : d2u(r), hfl);
}

static void test_random_arith(int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t a32 = (uint32_t)rand_float(23, 8);
		uint32_t b32 = (uint32_t)rand_near(a32, 23, 8);
		uint32_t c32 = (uint32_t)rand_float(23, 8);
		uint64_t a64 = rand_float(52, 11), b64 = rand_near(a64, 52, 11);
		uint64_t c64 = rand_float(52, 11);

		/* fma addends near the product exercise cancellation */
		if (rnd() & 1) {
			c32 = f2u(-u2f(a32) * u2f(b32));
			c64 = d2u(-u2d(a64) * u2d(b64));
		}
		for (size_t k = 0; k < ARRAY_SIZE(host_arith); k++) {
			for (int rm = 0; rm < 4; rm++) {
				if (host_arith[k].f32)
					check_arith32(host_arith[k].op, host_arith[k].f32, a32, b32,
						      c32, rm);
				else
					check_arith64(host_arith[k].op, host_arith[k].f64, a64, b64,
						      c64, rm);
			}
		}
	}
}

/* Host float -> int in the current mode; false when |x| is too large. */
static bool host_to_int(double x, int rm, int64_t *out, uint32_t *hfl)
{
	volatile double v = x;

	if (!(fabs(x) < 0x1p62))
		return false;
	fesetround(host_modes[rm]);
	feclearexcept(FE_ALL_EXCEPT);
	*out = llrint(v);
	*hfl = host_flags();
	fesetround(FE_TONEAREST);
	return true;
}

static void check_to_int(uint64_t a, bool is64, int rm)
{
	double x = is64 ? u2d(a) : (double)u2f((uint32_t)a);
	static const enum op ops32[] = {F32_I32, F32_U32, F32_I64, F32_U64};
	static const enum op ops64[] = {F64_I32, F64_U32, F64_I64, F64_U64};
	uint32_t hfl, fl;
	int64_t h;
	uint64_t got;

	if (!host_to_int(x, rm, &h, &hfl))
		return;
	for (int k = 0; k < 4; k++) {
		enum op op = is64 ? ops64[k] : ops32[k];
		bool in_range = k == 0	 ? h >= INT32_MIN && h <= INT32_MAX
				: k == 1 ? h >= 0 && h <= UINT32_MAX
				: k == 2 ? true
					 : h >= 0;
		uint64_t want = k == 1 ? (uint64_t)(int64_t)(int32_t)(uint32_t)h : (uint64_t)h;

		if (!in_range)
			continue;
		fl = 0;
		got = run_op(op, a, 0, 0, (enum sf_rm)rm, &fl);
		report("to_int", op, a, 0, 0, rm, got, fl, want, hfl);
	}
}

/* Host int -> float conversions: v is interpreted per op. */
static uint64_t host_from_int(enum op op, uint64_t v)
{
	volatile uint64_t u = v;

	switch (op) {
	case I32_F32:
		return f2u((float)(int32_t)u);
	case U32_F32:
		return f2u((float)(uint32_t)u);
	case I64_F32:
		return f2u((float)(int64_t)u);
	case U64_F32:
		return f2u((float)u);
	case I32_F64:
		return d2u((double)(int32_t)u);
	case U32_F64:
		return d2u((double)(uint32_t)u);
	case I64_F64:
		return d2u((double)(int64_t)u);
	default:
		return d2u((double)u);
	}
}

static uint64_t rand_int(void)
{
	uint64_t r = rnd();

	switch (rnd() % 4) {
	case 0:
		return r >> (rnd() % 64);
	case 1:
		return -(r >> (rnd() % 64));
	case 2: /* a few significant bits: exact conversions and ties */
		return (r & ~(~0ull >> (rnd() % 32 + 1))) >> (rnd() % 40);
	default:
		return r;
	}
}

static void check_from_int(uint64_t v, int rm)
{
	static const enum op ops[] = {I32_F32, U32_F32, I64_F32, U64_F32,
				      I32_F64, U32_F64, I64_F64, U64_F64};

	for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
		uint32_t hfl, fl = 0;
		uint64_t want, got;

		fesetround(host_modes[rm]);
		feclearexcept(FE_ALL_EXCEPT);
		want = host_from_int(ops[k], v);
		hfl = host_flags();
		fesetround(FE_TONEAREST);
		got = run_op(ops[k], v, 0, 0, (enum sf_rm)rm, &fl);
		report("from_int", ops[k], v, 0, 0, rm, got, fl, want, hfl);
	}
}

static void check_formats(uint32_t a32, uint64_t a64, int rm)
{
	volatile float f = u2f(a32);
	volatile double d = u2d(a64);
	uint32_t hfl, fl = 0;
	uint64_t want, got;
	double wd;
	float wf;

	feclearexcept(FE_ALL_EXCEPT);
	wd = (double)f; /* exact: the mode does not matter */
	hfl = host_flags();
	want = isnan(wd) ? CNAN64 : d2u(wd);
	got = run_op(F32_F64, a32, 0, 0, (enum sf_rm)rm, &fl);
	report("f32->f64", F32_F64, a32, 0, 0, rm, got, fl, want, hfl);
	fl = 0;
	fesetround(host_modes[rm]);
	feclearexcept(FE_ALL_EXCEPT);
	wf = (float)d;
	hfl = host_flags();
	fesetround(FE_TONEAREST);
	want = isnan(wf) ? CNAN32 : f2u(wf);
	got = run_op(F64_F32, a64, 0, 0, (enum sf_rm)rm, &fl);
	report("f64->f32", F64_F32, a64, 0, 0, rm, got, fl, want, hfl);
}

static void test_random_convert(int n)
{
	for (int i = 0; i < n; i++) {
		uint32_t a32 = (uint32_t)rand_float(23, 8);
		uint64_t a64 = rand_float(52, 11), v = rand_int();

		/* doubles that narrow to f32's subnormal and overflow ranges */
		if (rnd() % 4 == 0)
			a64 = (a64 & 0x800fffffffffffffull) | (uint64_t)(1023 - 160 + rnd() % 300)
								  << 52;
		for (int rm = 0; rm < 4; rm++) {
			check_to_int(a32, false, rm);
			check_to_int(a64, true, rm);
			check_from_int(v, rm);
			check_formats(a32, a64, rm);
		}
	}
}

/* Comparisons against the host: == is quiet, < and <= signal on NaN. */
static void check_compare(uint64_t a, uint64_t b, bool is64)
{
	volatile double x = is64 ? u2d(a) : u2f((uint32_t)a);
	volatile double y = is64 ? u2d(b) : u2f((uint32_t)b);
	bool (*ours32[3])(uint32_t, uint32_t, uint32_t *) = {sf_f32_eq, sf_f32_lt, sf_f32_le};
	bool (*ours64[3])(uint64_t, uint64_t, uint32_t *) = {sf_f64_eq, sf_f64_lt, sf_f64_le};

	for (int k = 0; k < 3; k++) {
		uint32_t hfl, fl = 0;
		bool want, got;

		/* f32 -> f64 keeps NaN-ness and signaling-ness is checked by hand */
		if (!is64 && (isnan(x) || isnan(y)))
			return;
		feclearexcept(FE_ALL_EXCEPT);
		want = k == 0 ? x == y : k == 1 ? x < y : x <= y;
		hfl = host_flags();
		got = is64 ? ours64[k](a, b, &fl) : ours32[k]((uint32_t)a, (uint32_t)b, &fl);
		report("compare", (enum op)k, a, b, 0, 0, got, fl, want, hfl);
	}
}

/* fmin/fmax on non-NaN operands that are not both zero match C's fmin/fmax. */
static void check_minmax(uint64_t a, uint64_t b)
{
	double x = u2d(a), y = u2d(b);
	uint32_t fl = 0;
	uint64_t mn, mx;

	if (isnan(x) || isnan(y) || (x == 0 && y == 0))
		return;
	mn = sf_f64_min(a, b, &fl);
	mx = sf_f64_max(a, b, &fl);

	report("min", 0, a, b, 0, 0, mn, fl, d2u(fmin(x, y)), 0);
	report("max", 0, a, b, 0, 0, mx, fl, d2u(fmax(x, y)), 0);
}

static void test_random_compare(int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t a = rand_float(52, 11), b = rnd() % 4 ? rand_near(a, 52, 11) : a;
		uint32_t a32 = (uint32_t)rand_float(23, 8), b32 = (uint32_t)rand_near(a32, 23, 8);

		check_compare(a, b, true);
		check_compare(a32, b32, false);
		check_minmax(a, b);
	}
}

/*
 * RMM has no host counterpart: for operations whose exact result fits in a
 * binary128 the expected value is picked by hand from the RTZ and
 * away-from-zero results (IEEE 754-2019 §4.3.1: ties go away from zero).
 */
typedef __float128 f128;

static f128 to_f128(uint64_t bits, bool is64)
{
	return is64 ? (f128)u2d(bits) : (f128)u2f((uint32_t)bits);
}

static bool is_finite_bits(uint64_t bits, bool is64)
{
	return is64 ? isfinite(u2d(bits)) : isfinite(u2f((uint32_t)bits));
}

static void check_rmm(enum op op, uint64_t a, uint64_t b, uint64_t c, f128 exact, bool is64)
{
	uint32_t fl = 0;
	uint64_t t, w, want, got;
	f128 tv, wv, mid, mag;

	if (exact == 0)
		return;
	t = run_op(op, a, b, c, SF_RTZ, &fl);
	w = run_op(op, a, b, c, exact < 0 ? SF_RDN : SF_RUP, &fl);
	if (!is_finite_bits(w, is64))
		return; /* overflow is covered by the corner cases */
	tv = to_f128(t, is64);
	wv = to_f128(w, is64);
	mid = (tv + wv) / 2;
	mag = exact < 0 ? -exact : exact;
	want = t == w ? t : mag >= (mid < 0 ? -mid : mid) ? w : t;
	fl = 0;
	got = run_op(op, a, b, c, SF_RMM, &fl);
	report("rmm", op, a, b, c, 4, got, 0, want, 0);
}

/* x + y when it is exact in binary128 (TwoSum error term is zero). */
static bool exact_sum(f128 x, f128 y, f128 *s)
{
	f128 bb;

	*s = x + y;
	bb = *s - x;
	return (x - (*s - bb)) + (y - bb) == 0;
}

static void test_random_rmm(int n)
{
	for (int i = 0; i < n; i++) {
		bool is64 = i & 1;
		int fb = is64 ? 52 : 23, eb = is64 ? 11 : 8;
		uint64_t a = rand_float(fb, eb), b = rand_near(a, fb, eb), c = rand_float(fb, eb);
		f128 x = to_f128(a, is64), y = to_f128(b, is64), z = to_f128(c, is64), s;

		if (!is_finite_bits(a, is64) || !is_finite_bits(b, is64) ||
		    !is_finite_bits(c, is64))
			continue;
		check_rmm(is64 ? MUL64 : MUL32, a, b, 0, x * y, is64);
		if (exact_sum(x, y, &s))
			check_rmm(is64 ? ADD64 : ADD32, a, b, 0, s, is64);
		if (exact_sum(x * y, z, &s))
			check_rmm(is64 ? FMA64 : FMA32, a, b, c, s, is64);
	}
}

/* --- hand-written min/max, compare and classify cases --- */

static void test_minmax_nan_zero(void)
{
	uint32_t fl = 0;

	/* unpriv spec §11.6: -0 < +0; one NaN gives the other operand */
	CHECK_EQ(sf_f32_min(0x80000000, 0x00000000, &fl), 0x80000000);
	CHECK_EQ(sf_f32_min(0x00000000, 0x80000000, &fl), 0x80000000);
	CHECK_EQ(sf_f32_max(0x80000000, 0x00000000, &fl), 0x00000000);
	CHECK_EQ(sf_f64_max(0, 0x8000000000000000, &fl), 0);
	CHECK_EQ(sf_f64_min(0, 0x8000000000000000, &fl), 0x8000000000000000);
	CHECK_EQ(fl, 0);
	CHECK_EQ(sf_f32_min(0x7fc00001, 0x3f800000, &fl), 0x3f800000);
	CHECK_EQ(sf_f32_max(0xbf800000, 0xffc00000, &fl), 0xbf800000);
	CHECK_EQ(fl, 0);
	CHECK_EQ(sf_f32_min(0x7f800001, 0x3f800000, &fl), 0x3f800000);
	CHECK_EQ(fl, SF_NV); /* a signaling input raises NV even with a number out */
	fl = 0;
	CHECK_EQ(sf_f64_max(0x7ff8000000000001, 0xfff8000000000000, &fl), CNAN64);
	CHECK_EQ(fl, 0);
	CHECK_EQ(sf_f64_min(0x7ff0000000000001, 0x7ff8000000000000, &fl), CNAN64);
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK_EQ(sf_f64_min(0xfff0000000000000, 0x7ff0000000000000, &fl), 0xfff0000000000000);
	CHECK_EQ(sf_f32_max(0x00000001, 0x80000001, &fl), 0x00000001);
	CHECK_EQ(fl, 0);
}

static void test_compare_nan(void)
{
	uint32_t fl = 0;

	CHECK(!sf_f32_eq(0x7fc00000, 0x7fc00000, &fl));
	CHECK_EQ(fl, 0); /* feq is quiet on qNaN */
	CHECK(!sf_f32_eq(0x7f800001, 0x3f800000, &fl));
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK(!sf_f32_lt(0x7fc00000, 0x3f800000, &fl));
	CHECK_EQ(fl, SF_NV); /* flt/fle signal on any NaN */
	fl = 0;
	CHECK(!sf_f64_le(0x3ff0000000000000, 0xfff8000000000000, &fl));
	CHECK_EQ(fl, SF_NV);
	fl = 0;
	CHECK(sf_f32_eq(0x80000000, 0x00000000, &fl));
	CHECK(!sf_f32_lt(0x80000000, 0x00000000, &fl));
	CHECK(sf_f32_le(0x00000000, 0x80000000, &fl));
	CHECK(sf_f64_lt(0xfff0000000000000, 0x7ff0000000000000, &fl));
	CHECK(sf_f64_lt(0x8000000000000001, 0x0000000000000000, &fl));
	CHECK(!sf_f64_lt(0x0000000000000000, 0x8000000000000001, &fl));
	CHECK(sf_f64_le(0x8000000000000002, 0x8000000000000001, &fl));
	CHECK(!sf_f64_le(0x8000000000000001, 0x8000000000000002, &fl));
	CHECK_EQ(fl, 0);
}

static void test_class(void)
{
	static const struct {
		uint64_t f64;
		uint32_t f32;
		uint32_t want;
	} t[] = {
	    {0xfff0000000000000, 0xff800000, SF_CLASS_NEG_INF},
	    {0xbff0000000000000, 0xbf800000, SF_CLASS_NEG_NORMAL},
	    {0xffefffffffffffff, 0xff7fffff, SF_CLASS_NEG_NORMAL},
	    {0x800fffffffffffff, 0x807fffff, SF_CLASS_NEG_SUBNORMAL},
	    {0x8000000000000001, 0x80000001, SF_CLASS_NEG_SUBNORMAL},
	    {0x8000000000000000, 0x80000000, SF_CLASS_NEG_ZERO},
	    {0x0000000000000000, 0x00000000, SF_CLASS_POS_ZERO},
	    {0x0000000000000001, 0x00000001, SF_CLASS_POS_SUBNORMAL},
	    {0x0010000000000000, 0x00800000, SF_CLASS_POS_NORMAL},
	    {0x7ff0000000000000, 0x7f800000, SF_CLASS_POS_INF},
	    {0x7ff0000000000001, 0x7f800001, SF_CLASS_SNAN},
	    {0xfff4000000000000, 0xffa00000, SF_CLASS_SNAN},
	    {0x7ff8000000000000, 0x7fc00000, SF_CLASS_QNAN},
	    {0xfffc000000000001, 0xffc00001, SF_CLASS_QNAN},
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		CHECK_EQ(sf_f64_class(t[i].f64), t[i].want);
		CHECK_EQ(sf_f32_class(t[i].f32), t[i].want);
		CHECK_EQ(sf_f64_is_nan(t[i].f64), t[i].want >= SF_CLASS_SNAN);
		CHECK_EQ(sf_f32_is_nan(t[i].f32), t[i].want >= SF_CLASS_SNAN);
	}
}

int main(void)
{
	/* the software path alone, then with the host fast path (hostfloat.h) */
	for (int host = 0; host < 2; host++) {
		sf_use_host_fpu(host);
		rng_state = 0x9e3779b97f4a7c15ull;
		test_corners();
		test_minmax_nan_zero();
		test_compare_nan();
		test_class();
		test_random_arith(20000);
		test_random_convert(10000);
		test_random_compare(20000);
		test_random_rmm(50000);
	}
	return test_result("softfloat");
}
