/*
 * RVC: expand a 16-bit instruction to the 32-bit instruction it stands for
 * (unpriv spec §16, RV64C; the encodings are in §16.8, tables 16.5-16.7),
 * so the translator has one decoder. Reserved encodings give 0, which the
 * translator treats as illegal.
 */
#include "accel/tcg/riscv64/translate.h"

#define OP_LOAD	    0x03
#define OP_LOAD_FP  0x07
#define OP_IMM	    0x13
#define OP_IMM_32   0x1b
#define OP_STORE    0x23
#define OP_STORE_FP 0x27
#define OP_OP	    0x33
#define OP_LUI	    0x37
#define OP_OP_32    0x3b
#define OP_BRANCH   0x63
#define OP_JALR	    0x67
#define OP_JAL	    0x6f

/* Bits [hi:lo] of @c moved to start at bit @to. */
static uint32_t rvc_bits(uint16_t c, unsigned hi, unsigned lo, unsigned to)
{
	return (((uint32_t)c >> lo) & ((1u << (hi - lo + 1)) - 1)) << to;
}

/* Sign-extend the low @n bits of @v. */
static int32_t rvc_sext(uint32_t v, unsigned n)
{
	return (int32_t)(v << (32 - n)) >> (32 - n);
}

static uint32_t enc_i(int32_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_s(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op)
{
	uint32_t u = (uint32_t)imm;
	return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | op;
}

static uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
		      unsigned op)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_b(int32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
	uint32_t u = (uint32_t)imm;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((u >> 1) & 15) << 8 | ((u >> 11) & 1) << 7 | OP_BRANCH;
}

static uint32_t enc_j(int32_t imm, unsigned rd)
{
	uint32_t u = (uint32_t)imm;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | rd << 7 | OP_JAL;
}

/* rd'/rs1'/rs2' fields name x8..x15. */
static unsigned creg(uint16_t c, unsigned lo)
{
	return 8 + ((c >> lo) & 7);
}

static uint32_t rvc_q0(uint16_t c)
{
	unsigned rd = creg(c, 2), rs1 = creg(c, 7);
	uint32_t uw = rvc_bits(c, 12, 10, 3) | rvc_bits(c, 6, 6, 2) | rvc_bits(c, 5, 5, 6);
	uint32_t ud = rvc_bits(c, 12, 10, 3) | rvc_bits(c, 6, 5, 6);

	switch (c >> 13) {
	case 0: { /* c.addi4spn */
		uint32_t imm = rvc_bits(c, 12, 11, 4) | rvc_bits(c, 10, 7, 6) |
			       rvc_bits(c, 6, 6, 2) | rvc_bits(c, 5, 5, 3);
		return imm ? enc_i((int32_t)imm, 2, 0, rd, OP_IMM) : 0;
	}
	case 1: /* c.fld */
		return enc_i((int32_t)ud, rs1, 3, rd, OP_LOAD_FP);
	case 2: /* c.lw */
		return enc_i((int32_t)uw, rs1, 2, rd, OP_LOAD);
	case 3: /* c.ld */
		return enc_i((int32_t)ud, rs1, 3, rd, OP_LOAD);
	case 5: /* c.fsd */
		return enc_s((int32_t)ud, rd, rs1, 3, OP_STORE_FP);
	case 6: /* c.sw */
		return enc_s((int32_t)uw, rd, rs1, 2, OP_STORE);
	case 7: /* c.sd */
		return enc_s((int32_t)ud, rd, rs1, 3, OP_STORE);
	default: /* 100: reserved (Zcb not implemented) */
		return 0;
	}
}

static uint32_t rvc_q1_alu(uint16_t c)
{
	unsigned rd = creg(c, 7), rs2 = creg(c, 2);
	unsigned shamt = rvc_bits(c, 12, 12, 5) | rvc_bits(c, 6, 2, 0);
	static const unsigned f3_op[4] = {0, 4, 6, 7}; /* sub xor or and */

	switch ((c >> 10) & 3) {
	case 0: /* c.srli */
		return enc_i((int32_t)shamt, rd, 5, rd, OP_IMM);
	case 1: /* c.srai */
		return enc_i((int32_t)(shamt | 0x400), rd, 5, rd, OP_IMM);
	case 2: /* c.andi */
		return enc_i(rvc_sext(shamt, 6), rd, 7, rd, OP_IMM);
	default:
		break;
	}
	unsigned f2 = (c >> 5) & 3;
	if (!(c & 0x1000)) /* c.sub c.xor c.or c.and */
		return enc_r(f2 == 0 ? 0x20 : 0, rs2, rd, f3_op[f2], rd, OP_OP);
	if (f2 == 0) /* c.subw */
		return enc_r(0x20, rs2, rd, 0, rd, OP_OP_32);
	if (f2 == 1) /* c.addw */
		return enc_r(0, rs2, rd, 0, rd, OP_OP_32);
	return 0;
}

static uint32_t rvc_q1(uint16_t c)
{
	unsigned rd = (c >> 7) & 31;
	int32_t imm6 = rvc_sext(rvc_bits(c, 12, 12, 5) | rvc_bits(c, 6, 2, 0), 6);

	switch (c >> 13) {
	case 0: /* c.addi (rd = 0: c.nop / hint) */
		return enc_i(imm6, rd, 0, rd, OP_IMM);
	case 1: /* c.addiw */
		return rd ? enc_i(imm6, rd, 0, rd, OP_IMM_32) : 0;
	case 2: /* c.li */
		return enc_i(imm6, 0, 0, rd, OP_IMM);
	case 3:
		if (rd == 2) { /* c.addi16sp */
			uint32_t v = rvc_bits(c, 12, 12, 9) | rvc_bits(c, 6, 6, 4) |
				     rvc_bits(c, 5, 5, 6) | rvc_bits(c, 4, 3, 7) |
				     rvc_bits(c, 2, 2, 5);
			return v ? enc_i(rvc_sext(v, 10), 2, 0, 2, OP_IMM) : 0;
		}
		/* c.lui: nzimm[17:12] into the U-type immediate. */
		if (imm6 == 0)
			return 0;
		return ((uint32_t)imm6 & 0xfffff) << 12 | rd << 7 | OP_LUI;
	case 4:
		return rvc_q1_alu(c);
	case 5: { /* c.j */
		uint32_t v = rvc_bits(c, 12, 12, 11) | rvc_bits(c, 11, 11, 4) |
			     rvc_bits(c, 10, 9, 8) | rvc_bits(c, 8, 8, 10) | rvc_bits(c, 7, 7, 6) |
			     rvc_bits(c, 6, 6, 7) | rvc_bits(c, 5, 3, 1) | rvc_bits(c, 2, 2, 5);
		return enc_j(rvc_sext(v, 12), 0);
	}
	default: { /* c.beqz, c.bnez */
		uint32_t v = rvc_bits(c, 12, 12, 8) | rvc_bits(c, 11, 10, 3) |
			     rvc_bits(c, 6, 5, 6) | rvc_bits(c, 4, 3, 1) | rvc_bits(c, 2, 2, 5);
		return enc_b(rvc_sext(v, 9), 0, creg(c, 7), (c >> 13) == 6 ? 0 : 1);
	}
	}
}

static uint32_t rvc_q2_jr_mv(uint16_t c)
{
	unsigned rs1 = (c >> 7) & 31, rs2 = (c >> 2) & 31;

	if (!(c & 0x1000)) {
		if (rs2 == 0) /* c.jr; rs1 = 0 reserved */
			return rs1 ? enc_i(0, rs1, 0, 0, OP_JALR) : 0;
		return enc_r(0, rs2, 0, 0, rs1, OP_OP); /* c.mv */
	}
	if (rs2 == 0) {
		if (rs1 == 0)
			return 0x00100073;	     /* c.ebreak */
		return enc_i(0, rs1, 0, 1, OP_JALR); /* c.jalr */
	}
	return enc_r(0, rs2, rs1, 0, rs1, OP_OP); /* c.add */
}

static uint32_t rvc_q2(uint16_t c)
{
	unsigned rd = (c >> 7) & 31, rs2 = (c >> 2) & 31;
	uint32_t lw = rvc_bits(c, 12, 12, 5) | rvc_bits(c, 6, 4, 2) | rvc_bits(c, 3, 2, 6);
	uint32_t ld = rvc_bits(c, 12, 12, 5) | rvc_bits(c, 6, 5, 3) | rvc_bits(c, 4, 2, 6);
	uint32_t sw = rvc_bits(c, 12, 9, 2) | rvc_bits(c, 8, 7, 6);
	uint32_t sd = rvc_bits(c, 12, 10, 3) | rvc_bits(c, 9, 7, 6);

	switch (c >> 13) {
	case 0: /* c.slli (rd = 0: hint) */
		return enc_i((int32_t)(rvc_bits(c, 12, 12, 5) | rvc_bits(c, 6, 2, 0)), rd, 1, rd,
			     OP_IMM);
	case 1: /* c.fldsp */
		return enc_i((int32_t)ld, 2, 3, rd, OP_LOAD_FP);
	case 2: /* c.lwsp; rd = 0 reserved */
		return rd ? enc_i((int32_t)lw, 2, 2, rd, OP_LOAD) : 0;
	case 3: /* c.ldsp; rd = 0 reserved */
		return rd ? enc_i((int32_t)ld, 2, 3, rd, OP_LOAD) : 0;
	case 4:
		return rvc_q2_jr_mv(c);
	case 5: /* c.fsdsp */
		return enc_s((int32_t)sd, rs2, 2, 3, OP_STORE_FP);
	case 6: /* c.swsp */
		return enc_s((int32_t)sw, rs2, 2, 2, OP_STORE);
	default: /* c.sdsp */
		return enc_s((int32_t)sd, rs2, 2, 3, OP_STORE);
	}
}

uint32_t rv_expand_c(uint16_t c)
{
	switch (c & 3) {
	case 0:
		return rvc_q0(c);
	case 1:
		return rvc_q1(c);
	case 2:
		return rvc_q2(c);
	default:
		return 0; /* not a compressed instruction */
	}
}
