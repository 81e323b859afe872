/*
 * x86-64 instruction encoder. Encodings from the Intel SDM vol. 2
 * (ch. 2: REX prefix, ModR/M and SIB bytes; ch. 3-4: the instructions).
 */
#include <string.h>

#include "accel/tcg/host/x86_64/emit.h"

void x86_u64(struct x86_buf *b, uint64_t v)
{
	x86_u32(b, (uint32_t)v);
	x86_u32(b, (uint32_t)(v >> 32));
}

static bool fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

/* REX (SDM 2.2.1): W = 64-bit operand, R/X/B extend reg/index/base. */
static void rex(struct x86_buf *b, bool w, int reg, int index, int base, bool force)
{
	uint8_t v = 0x40 | (w ? 8 : 0);

	if (reg > 0 && (reg & 8))
		v |= 4;
	if (index > 0 && (index & 8))
		v |= 2;
	if (base > 0 && (base & 8))
		v |= 1;
	if (v != 0x40 || force)
		x86_byte(b, v);
}

static void modrm_rr(struct x86_buf *b, int reg, int rm)
{
	x86_byte(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* ModR/M (+SIB, +disp) for [base + index + disp] (SDM table 2-2, 2-3). */
static void modrm_mem(struct x86_buf *b, int reg, int base, int index, int32_t disp)
{
	unsigned mod = (disp == 0 && (base & 7) != 5) ? 0 : fits8(disp) ? 1 : 2;

	if (index == X86_NOREG && (base & 7) != 4) {
		x86_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	} else {
		x86_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
		x86_byte(b, (uint8_t)(((index == X86_NOREG ? 4 : index) & 7) << 3 | (base & 7)));
	}
	if (mod == 1)
		x86_byte(b, (uint8_t)(int8_t)disp);
	else if (mod == 2)
		x86_u32(b, (uint32_t)disp);
}

/* opcode reg, rm(register) with REX as needed. */
static void op_rr(struct x86_buf *b, bool w, uint32_t opcode, unsigned oplen, int reg, int rm)
{
	rex(b, w, reg, 0, rm, false);
	for (unsigned i = oplen; i-- > 0;)
		x86_byte(b, (uint8_t)(opcode >> (8 * i)));
	modrm_rr(b, reg, rm);
}

static void op_rm(struct x86_buf *b, bool w, uint32_t opcode, unsigned oplen, int reg, int base,
		  int index, int32_t disp)
{
	rex(b, w, reg, index, base, false);
	for (unsigned i = oplen; i-- > 0;)
		x86_byte(b, (uint8_t)(opcode >> (8 * i)));
	modrm_mem(b, reg, base, index, disp);
}

void x86_alu_rr(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int src)
{
	op_rr(b, w64, (uint32_t)(op << 3 | 1), 1, src, dst); /* op r/m, reg */
}

void x86_alu_ri(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int32_t imm)
{
	if (fits8(imm)) {
		op_rr(b, w64, 0x83, 1, (int)op, dst);
		x86_byte(b, (uint8_t)(int8_t)imm);
	} else {
		op_rr(b, w64, 0x81, 1, (int)op, dst);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_alu_mi(struct x86_buf *b, enum x86_alu op, bool w64, int base, int32_t disp, int32_t imm)
{
	if (fits8(imm)) {
		op_rm(b, w64, 0x83, 1, (int)op, base, X86_NOREG, disp);
		x86_byte(b, (uint8_t)(int8_t)imm);
	} else {
		op_rm(b, w64, 0x81, 1, (int)op, base, X86_NOREG, disp);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_alu_rm(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int base, int32_t disp)
{
	op_rm(b, w64, (uint32_t)(op << 3 | 3), 1, dst, base, X86_NOREG, disp);
}

void x86_mov_rr(struct x86_buf *b, bool w64, int dst, int src)
{
	op_rr(b, w64, 0x89, 1, src, dst);
}

void x86_mov_ri(struct x86_buf *b, int dst, uint64_t imm)
{
	if (imm == 0) {
		x86_alu_rr(b, X86_XOR, false, dst, dst);
	} else if (imm <= 0xffffffffULL) {
		rex(b, false, 0, 0, dst, false); /* B8+r id: zero-extends */
		x86_byte(b, (uint8_t)(0xb8 | (dst & 7)));
		x86_u32(b, (uint32_t)imm);
	} else if ((int64_t)imm >= INT32_MIN && (int64_t)imm < 0) {
		op_rr(b, true, 0xc7, 1, 0, dst); /* C7 /0 id: sign-extends */
		x86_u32(b, (uint32_t)imm);
	} else {
		rex(b, true, 0, 0, dst, false);
		x86_byte(b, (uint8_t)(0xb8 | (dst & 7)));
		x86_u64(b, imm);
	}
}

void x86_load(struct x86_buf *b, enum x86_ld kind, int dst, int base, int index, int32_t disp)
{
	static const struct {
		uint32_t op;
		uint8_t len;
		bool w;
	} f[] = {
	    [X86_LD8U] = {0x0fb6, 2, false},  [X86_LD8S] = {0x0fbe, 2, true},
	    [X86_LD16U] = {0x0fb7, 2, false}, [X86_LD16S] = {0x0fbf, 2, true},
	    [X86_LD32U] = {0x8b, 1, false},   [X86_LD32S] = {0x63, 1, true},
	    [X86_LD64] = {0x8b, 1, true},
	};
	op_rm(b, f[kind].w, f[kind].op, f[kind].len, dst, base, index, disp);
}

void x86_store(struct x86_buf *b, unsigned size, int src, int base, int index, int32_t disp)
{
	if (size == 2)
		x86_byte(b, 0x66);
	if (size == 1) {
		/* REX makes sil/dil/spl/bpl addressable instead of dh/bh... */
		rex(b, false, src, index, base, src >= 4);
		x86_byte(b, 0x88);
		modrm_mem(b, src, base, index, disp);
		return;
	}
	op_rm(b, size == 8, 0x89, 1, src, base, index, disp);
}

void x86_lea(struct x86_buf *b, int dst, int base, int index, int32_t disp)
{
	op_rm(b, true, 0x8d, 1, dst, base, index, disp);
}

void x86_lea_scaled(struct x86_buf *b, int dst, int base, int index, unsigned shift, int32_t disp)
{
	unsigned mod = (disp == 0 && (base & 7) != 5) ? 0 : fits8(disp) ? 1 : 2;

	rex(b, true, dst, index, base, false);
	x86_byte(b, 0x8d);
	x86_byte(b, (uint8_t)(mod << 6 | (dst & 7) << 3 | 4));
	x86_byte(b, (uint8_t)(shift << 6 | (index & 7) << 3 | (base & 7)));
	if (mod == 1)
		x86_byte(b, (uint8_t)(int8_t)disp);
	else if (mod == 2)
		x86_u32(b, (uint32_t)disp);
}

void x86_shift_cl(struct x86_buf *b, enum x86_shift op, bool w64, int r)
{
	op_rr(b, w64, 0xd3, 1, (int)op, r);
}

void x86_shift_ri(struct x86_buf *b, enum x86_shift op, bool w64, int r, uint8_t n)
{
	if (n == 1) {
		op_rr(b, w64, 0xd1, 1, (int)op, r);
		return;
	}
	op_rr(b, w64, 0xc1, 1, (int)op, r);
	x86_byte(b, n);
}

void x86_unop(struct x86_buf *b, enum x86_unop op, bool w64, int r)
{
	op_rr(b, w64, 0xf7, 1, (int)op, r);
}

void x86_imul_rr(struct x86_buf *b, bool w64, int dst, int src)
{
	op_rr(b, w64, 0x0faf, 2, dst, src);
}

void x86_cqo(struct x86_buf *b, bool w64)
{
	if (w64)
		x86_byte(b, 0x48);
	x86_byte(b, 0x99);
}

void x86_test_rr(struct x86_buf *b, bool w64, int a, int c)
{
	op_rr(b, w64, 0x85, 1, c, a);
}

void x86_ext_rr(struct x86_buf *b, enum x86_ld kind, int dst, int src)
{
	switch (kind) {
	case X86_LD8U:
	case X86_LD8S:
		/* Byte source: force REX so that sil/dil are encodable. */
		rex(b, kind == X86_LD8S, dst, 0, src, src >= 4);
		x86_byte(b, 0x0f);
		x86_byte(b, kind == X86_LD8U ? 0xb6 : 0xbe);
		modrm_rr(b, dst, src);
		break;
	case X86_LD16U:
		op_rr(b, false, 0x0fb7, 2, dst, src);
		break;
	case X86_LD16S:
		op_rr(b, true, 0x0fbf, 2, dst, src);
		break;
	case X86_LD32U:
		x86_mov_rr(b, false, dst, src);
		break;
	case X86_LD32S:
		op_rr(b, true, 0x63, 1, dst, src);
		break;
	default:
		x86_mov_rr(b, true, dst, src);
		break;
	}
}

void x86_setcc(struct x86_buf *b, enum x86_cc cc, int r)
{
	rex(b, false, 0, 0, r, r >= 4);
	x86_byte(b, 0x0f);
	x86_byte(b, (uint8_t)(0x90 | cc));
	modrm_rr(b, 0, r);
}

void x86_cmov(struct x86_buf *b, enum x86_cc cc, bool w64, int dst, int src)
{
	op_rr(b, w64, 0x0f40u | cc, 2, dst, src);
}

void x86_bitop(struct x86_buf *b, enum x86_bitop op, bool w64, int dst, int src)
{
	x86_byte(b, 0xf3); /* mandatory prefix goes before REX */
	op_rr(b, w64, 0x0f00u | op, 2, dst, src);
}

void x86_bswap(struct x86_buf *b, bool w64, int r)
{
	rex(b, w64, 0, 0, r, false);
	x86_byte(b, 0x0f);
	x86_byte(b, (uint8_t)(0xc8 | (r & 7)));
}

uint8_t *x86_jcc32(struct x86_buf *b, enum x86_cc cc)
{
	x86_byte(b, 0x0f);
	x86_byte(b, (uint8_t)(0x80 | cc));
	x86_u32(b, 0);
	return b->p - 4;
}

uint8_t *x86_jmp32(struct x86_buf *b)
{
	x86_byte(b, 0xe9);
	x86_u32(b, 0);
	return b->p - 4;
}

uint8_t *x86_call32(struct x86_buf *b)
{
	x86_byte(b, 0xe8);
	x86_u32(b, 0);
	return b->p - 4;
}

void x86_jmp8(struct x86_buf *b, int8_t rel)
{
	x86_byte(b, 0xeb);
	x86_byte(b, (uint8_t)rel);
}

void x86_patch_rel32(uint8_t *at, const uint8_t *target)
{
	int32_t rel = (int32_t)(target - (at + 4));
	memcpy(at, &rel, 4);
}

void x86_call_r(struct x86_buf *b, int r)
{
	op_rr(b, false, 0xff, 1, 2, r);
}

void x86_jmp_r(struct x86_buf *b, int r)
{
	op_rr(b, false, 0xff, 1, 4, r);
}

void x86_jmp_m(struct x86_buf *b, int base, int32_t disp)
{
	op_rm(b, false, 0xff, 1, 4, base, X86_NOREG, disp);
}

/* SSE2: the mandatory prefix goes before REX (SDM vol. 2 §2.1). */
static void sse_rr(struct x86_buf *b, uint8_t prefix, bool w, uint8_t op, int reg, int rm)
{
	x86_byte(b, prefix);
	rex(b, w, reg, 0, rm, false);
	x86_byte(b, 0x0f);
	x86_byte(b, op);
	modrm_rr(b, reg, rm);
}

void x86_mov_xr(struct x86_buf *b, bool w64, int xmm, int r)
{
	sse_rr(b, 0x66, w64, 0x6e, xmm, r);
}

void x86_mov_rx(struct x86_buf *b, bool w64, int r, int xmm)
{
	sse_rr(b, 0x66, w64, 0x7e, xmm, r);
}

void x86_sse_scalar(struct x86_buf *b, bool dbl, enum x86_sse_op op, int dst, int src)
{
	sse_rr(b, dbl ? 0xf2 : 0xf3, false, (uint8_t)op, dst, src);
}

void x86_push(struct x86_buf *b, int r)
{
	rex(b, false, 0, 0, r, false);
	x86_byte(b, (uint8_t)(0x50 | (r & 7)));
}

void x86_pop(struct x86_buf *b, int r)
{
	rex(b, false, 0, 0, r, false);
	x86_byte(b, (uint8_t)(0x58 | (r & 7)));
}

void x86_ret(struct x86_buf *b)
{
	x86_byte(b, 0xc3);
}

/*
 * Padding runs in line (before a goto_tb's jmp): one multi-byte nop per
 * three bytes instead of a nop per byte (SDM vol. 2B, NOP: 66 90, 0F 1F 00).
 */
void x86_align(struct x86_buf *b, unsigned align, unsigned skew)
{
	unsigned pad = (unsigned)((align - ((uintptr_t)(b->p + b->rx_delta) + skew) % align) % align);

	for (; pad >= 3 && !b->overflow; pad -= 3) {
		x86_byte(b, 0x0f);
		x86_byte(b, 0x1f);
		x86_byte(b, 0x00);
	}
	if (pad == 2) {
		x86_byte(b, 0x66);
		x86_byte(b, 0x90);
	} else if (pad == 1) {
		x86_byte(b, 0x90);
	}
}
