/*
 * Seeded random F/D instructions on random operands (NaNs, subnormals,
 * infinities, integer limits, unboxed S values), every frm value and
 * preset fflags, hashed per instruction. The expected hashes below were
 * recorded under QEMU (qemu-system-riscv64 -M virt); vmm must reproduce
 * them bit for bit. After changing the generator, run the program under
 * QEMU and paste the table it prints.
 */
#include "fp_test.h"
/* the instruction list shared with the host-side QEMU cross-check */
#include "../../../accel/tcg/fpu/xcheck_ops.h"

#define ITERATIONS 40000

/* More instructions: moves, sign injection, loads and stores. */
#define EXTRA_OPS(X)                                                                               \
	X(FSGNJ_S, "fsgnj.s ft3, ft0, ft1", FF)                                                    \
	X(FSGNJX_S, "fsgnjx.s ft3, ft0, ft1", FF)                                                  \
	X(FMV_S, "fmv.s ft3, ft0", FF)                                                             \
	X(FSGNJ_D, "fsgnj.d ft3, ft0, ft1", FF)                                                    \
	X(FSGNJN_D, "fsgnjn.d ft3, ft0, ft1", FF)                                                  \
	X(FSGNJX_D, "fsgnjx.d ft3, ft0, ft1", FF)                                                  \
	X(FMV_X_W, "fmv.x.w %[v], ft0", XF)                                                        \
	X(FMV_W_X, "fmv.w.x ft3, %[xa]", FX)                                                       \
	X(FMV_X_D, "fmv.x.d %[v], ft0", XF)                                                        \
	X(FLW, "sw %[xa], 0(%[xb])\n\tflw ft3, 0(%[xb])", MEM)                                     \
	X(FSW, "fsw ft0, 0(%[xb])\n\tld %[v], 0(%[xb])", MEMX)                                     \
	X(FMSUB_D, "fmsub.d ft3, ft0, ft1, ft2, dyn", FF)                                          \
	X(FNMSUB_D, "fnmsub.d ft3, ft0, ft1, ft2, dyn", FF)                                        \
	X(FCVT_D_WU, "fcvt.d.wu ft3, %[xa]", FX)

enum {
#define EX_ENUM(name, text, kind) EX_##name,
	EXTRA_OPS(EX_ENUM)
#undef EX_ENUM
	    EX_NOPS
};

#define NOPS (XC_NOPS + EX_NOPS)

static uint64_t mem_slot[2];

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t rand_float(int fbits, int ebits)
{
	uint64_t emax = (1ULL << ebits) - 1, bias = emax >> 1, e, frac = rnd();
	uint64_t mask = (1ULL << fbits) - 1;

	switch (rnd() % 8) {
	case 0:
		e = rnd() & 1 ? 0 : emax;
		break;
	case 1:
		e = rnd() & 1 ? emax - 1 - rnd() % 3 : 1 + rnd() % 3;
		break;
	case 2:
	case 3:
		e = bias + rnd() % 66;
		break;
	default:
		e = rnd() % emax;
		break;
	}
	if (rnd() % 3 == 0)
		frac &= ~(mask >> (rnd() % 6 + 1));
	return (rnd() & 1) << (fbits + ebits) | e << fbits | (frac & mask);
}

static uint64_t rand_operand(int dbl)
{
	uint64_t v;

	if (dbl)
		return rand_float(52, 11);
	v = rand_float(23, 8);
	return rnd() % 32 ? BOX(v) : v | (rnd() << 32 >> 1);
}

/* Run op @k; a memory op gets the scratch slot's address as b. */
static uint64_t run(unsigned k, uint64_t a, uint64_t b, uint64_t c, unsigned frm, uint64_t *fl)
{
	uint64_t slot = (uint64_t)mem_slot;

	switch (k) {
#define FF(text)   return FPF(text, a, b, c, frm, fl)
#define XF(text)   return FPX(text, a, b, c, frm, fl)
#define FX(text)   return FPF(text, a, b, c, frm, fl)
#define MEM(text)  return FPF(text, a, slot, c, frm, fl)
#define MEMX(text) return FPX(text, a, slot, c, frm, fl)
#define XC_CASE(name, text, kind, dbl, enc)                                                        \
	case XC_##name:                                                                            \
		kind(text);
#define EX_CASE(name, text, kind)                                                                  \
	case XC_NOPS + EX_##name:                                                                  \
		kind(text);
		XCHECK_OPS(XC_CASE)
		EXTRA_OPS(EX_CASE)
	}
	return 0;
}

/* The width of an op's float operands: D for names ending in _D, else S. */
static const char *const names[NOPS] = {
#define XC_NAME(name, text, kind, dbl, enc) #name,
#define EX_NAME(name, text, kind)	    #name,
    XCHECK_OPS(XC_NAME) EXTRA_OPS(EX_NAME)};

static int is_double(unsigned k)
{
	const char *n = names[k];
	unsigned len = 0;

	while (n[len])
		len++;
	/* fcvt.d.s reads an S value; fcvt.s.d a D value */
	if (k == XC_FCVT_D_S)
		return 0;
	if (k == XC_FCVT_S_D)
		return 1;
	return n[len - 1] == 'D';
}

static const uint64_t expected[NOPS] = {
    0x97beefbb802c8fe8, 0x17aa1758aa2a054b, 0x602bf0ded960845c, 0x0cd4646d3e5323c3,
    0x0b398580747013e1, 0xe95a9f14266fb54f, 0x9728c363ed36dbb0, 0x0bc9459e756a77c0,
    0x61cc9dff38bedbd8, 0xa6a48ba286b86153, 0xa1208d1b45d02dff, 0x2fc1c3596af47079,
    0x1cea09ac1984058f, 0x9221a4986a0637ec, 0xcddae5f515056b6e, 0x642249211e2f2fc2,
    0x7769976c2b9371fe, 0xdc8a9d4d1df992a6, 0xe4aaa48af8d50aab, 0x7d585d5ea0dfb5f0,
    0x4df6a1d865d1a622, 0x44a6818aab6ce48c, 0x3ddc36403c21a7eb, 0x72f12e0dedc08aee,
    0xbe37cddf4a4fb956, 0x62d6e7089e3c911f, 0x84f256789a679ea2, 0x695a85a7fb83a51a,
    0xf3eceb304df321c0, 0x0cad30d509a50046, 0x09568119d9494772, 0x0f815df55684613b,
    0x8f7a8aed5137bcb1, 0x629706c2ffea5fd6, 0xa647d4e81e6ca461, 0x9bb22cc2ac2fbe12,
    0xa229bda0c41e9f4c, 0x8ca21c96a1bbbf4f, 0xc768ced1c43137b3, 0x8e8c797559f7151c,
    0xd18d9f7c6eedea3a, 0x8c2270708746680a, 0x09d2a9323c0a79a9, 0xc17d0b1777037a51,
    0x45661d2f76dc6fae, 0xfb9d0384a8c674ac, 0x8a94e8604cbe3c09, 0x5b9f7daf2ada8aa9,
    0x5e294c4ca5cddb66, 0x39ce31f5636227ca, 0xd2c4d7119cf26d1e, 0xd72067e935090b02,
    0xf92be13c51df1bb3, 0x2c0c58eb2333fdf7, 0x30ecea01ba27c01e, 0x558b0f88d1b06104,
    0x0c9943b1e9694cd1, 0x5575ab2fd451c670, 0xb729ca23b16274af, 0xf3310d60a65faa2a,
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

int main(void)
{
	static uint64_t hash[NOPS];
	unsigned bad = 0;

	for (unsigned k = 0; k < NOPS; k++)
		hash[k] = 0xcbf29ce484222325ULL;
	for (unsigned i = 0; i < ITERATIONS; i++) {
		unsigned k = (unsigned)(rnd() % NOPS), frm = (unsigned)(rnd() % 5);
		int dbl = is_double(k);
		uint64_t a = rand_operand(dbl), b = rand_operand(dbl), c = rand_operand(dbl), fl;

		if (rnd() % 4 == 0)
			a = rnd() >> (rnd() % 64); /* integer-like x[rs1] for the int sources */
		fp_fflags_preset = rnd() % 3 ? 0 : rnd() & 0x1f;
		hash[k] = mix(mix(hash[k], run(k, a, b, c, frm, &fl)), fl);
	}
	fp_fflags_preset = 0;
	for (unsigned k = 0; k < NOPS; k++) {
		if (hash[k] == expected[k])
			continue;
		bad++;
		rvt_puts(names[k]);
		rvt_puts(" hash ");
		rvt_puthex(hash[k]);
		rvt_putc('\n');
	}
	if (bad) { /* in the form of the table above */
		for (unsigned k = 0; k < NOPS; k++) {
			rvt_puthex(hash[k]);
			rvt_puts(",\n");
		}
	}
	CHECK_EQ(bad, 0);
	return 0;
}
