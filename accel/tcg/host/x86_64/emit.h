/*
 * A small x86-64 instruction encoder (Intel SDM vol. 2): just the forms
 * the JIT backend emits. Every function appends to a struct x86_buf;
 * running out of space sets overflow instead of writing past the end.
 */
#ifndef VMM_ACCEL_TCG_HOST_X86_64_EMIT_H
#define VMM_ACCEL_TCG_HOST_X86_64_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum x86_reg {
	X86_RAX,
	X86_RCX,
	X86_RDX,
	X86_RBX,
	X86_RSP,
	X86_RBP,
	X86_RSI,
	X86_RDI,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
	X86_NOREG = -1,
};

struct x86_buf {
	uint8_t *p;	/* next byte */
	uint8_t *start; /* where this buffer begins (RW view) */
	uint8_t *end;
	intptr_t rx_delta; /* RX address = RW address + rx_delta */
	bool overflow;
};

/* ALU group 1 (opcode /digit): add or adc sbb and sub xor cmp. */
enum x86_alu { X86_ADD, X86_OR, X86_ADC, X86_SBB, X86_AND, X86_SUB, X86_XOR, X86_CMP };
/* Shift group 2. */
enum x86_shift { X86_ROL = 0, X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };
/* Group 3 (F7 /digit). */
enum x86_unop { X86_NOT = 2, X86_NEG = 3, X86_MUL = 4, X86_IMUL1 = 5, X86_DIV = 6, X86_IDIV = 7 };
/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum x86_cc {
	X86_CC_B = 2,
	X86_CC_AE = 3,
	X86_CC_E = 4,
	X86_CC_NE = 5,
	X86_CC_BE = 6,
	X86_CC_A = 7,
	X86_CC_L = 0xc,
	X86_CC_GE = 0xd,
	X86_CC_LE = 0xe,
	X86_CC_G = 0xf,
};
/* Loads: width and extension. */
enum x86_ld { X86_LD8U, X86_LD8S, X86_LD16U, X86_LD16S, X86_LD32U, X86_LD32S, X86_LD64 };
/* Scalar SSE arithmetic (F2 0F xx double, F3 0F xx single): op xmm(dst), xmm(src). */
enum x86_sse_op { X86_SSE_ADD = 0x58, X86_SSE_MUL = 0x59, X86_SSE_SUB = 0x5c, X86_SSE_DIV = 0x5e };
/* F3 0F xx bit counting. */
enum x86_bitop { X86_POPCNT = 0xb8, X86_TZCNT = 0xbc, X86_LZCNT = 0xbd };

/* Inline: the encoders call these for every byte they emit. */
static inline void x86_byte(struct x86_buf *b, uint8_t v)
{
	if (b->p >= b->end) {
		b->overflow = true;
		return;
	}
	*b->p++ = v;
}

static inline void x86_u32(struct x86_buf *b, uint32_t v)
{
	if (b->end - b->p < 4) {
		b->p = b->end;
		b->overflow = true;
		return;
	}
	/* Little-endian bytes, composed first: one 4-byte store. */
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	memcpy(b->p, le, 4);
	b->p += 4;
}
void x86_u64(struct x86_buf *b, uint64_t v);

void x86_alu_rr(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int src);
void x86_alu_ri(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int32_t imm);
/* op [base + disp], imm (32-bit or 64-bit memory operand). */
void x86_alu_mi(struct x86_buf *b, enum x86_alu op, bool w64, int base, int32_t disp, int32_t imm);
/* op reg, [base + disp] */
void x86_alu_rm(struct x86_buf *b, enum x86_alu op, bool w64, int dst, int base, int32_t disp);
void x86_mov_rr(struct x86_buf *b, bool w64, int dst, int src);
/* Shortest encoding of dst = imm (64-bit result). */
void x86_mov_ri(struct x86_buf *b, int dst, uint64_t imm);
/* dst = [base + index + disp]; index may be X86_NOREG. */
void x86_load(struct x86_buf *b, enum x86_ld kind, int dst, int base, int index, int32_t disp);
/* [base + index + disp] = src, @size bytes (1, 2, 4, 8). */
void x86_store(struct x86_buf *b, unsigned size, int src, int base, int index, int32_t disp);
void x86_lea(struct x86_buf *b, int dst, int base, int index, int32_t disp);
/* dst = base + (index << shift) + disp, shift 0..3 (index != rsp). */
void x86_lea_scaled(struct x86_buf *b, int dst, int base, int index, unsigned shift, int32_t disp);
void x86_shift_cl(struct x86_buf *b, enum x86_shift op, bool w64, int r);
void x86_shift_ri(struct x86_buf *b, enum x86_shift op, bool w64, int r, uint8_t n);
void x86_unop(struct x86_buf *b, enum x86_unop op, bool w64, int r);
void x86_imul_rr(struct x86_buf *b, bool w64, int dst, int src);
/* cqo (64) / cdq (32): sign-extend rax into rdx. */
void x86_cqo(struct x86_buf *b, bool w64);
void x86_test_rr(struct x86_buf *b, bool w64, int a, int c);
/* dst = sign/zero extension of the low 8/16/32 bits of src. */
void x86_ext_rr(struct x86_buf *b, enum x86_ld kind, int dst, int src);
void x86_setcc(struct x86_buf *b, enum x86_cc cc, int r);
void x86_cmov(struct x86_buf *b, enum x86_cc cc, bool w64, int dst, int src);
void x86_bitop(struct x86_buf *b, enum x86_bitop op, bool w64, int dst, int src);
void x86_bswap(struct x86_buf *b, bool w64, int r);
/*
 * movq (w64) / movd xmm, r and r, xmm (xmm by number 0-15); dst = dst op
 * src in binary64 (dbl: addsd...) or binary32 (addss...).
 */
void x86_mov_xr(struct x86_buf *b, bool w64, int xmm, int r);
void x86_mov_rx(struct x86_buf *b, bool w64, int r, int xmm);
void x86_sse_scalar(struct x86_buf *b, bool dbl, enum x86_sse_op op, int dst, int src);
/* Jumps with a rel32 to be filled in: return the offset of the rel32. */
uint8_t *x86_jcc32(struct x86_buf *b, enum x86_cc cc);
uint8_t *x86_jmp32(struct x86_buf *b);
uint8_t *x86_call32(struct x86_buf *b);
/* jmp rel8 (a known short distance). */
void x86_jmp8(struct x86_buf *b, int8_t rel);
/* Point the rel32 at @at to the RW-buffer address @target. */
void x86_patch_rel32(uint8_t *at, const uint8_t *target);
void x86_call_r(struct x86_buf *b, int r);
void x86_jmp_r(struct x86_buf *b, int r);
/* jmp [base + disp] */
void x86_jmp_m(struct x86_buf *b, int base, int32_t disp);
void x86_push(struct x86_buf *b, int r);
void x86_pop(struct x86_buf *b, int r);
void x86_ret(struct x86_buf *b);
/* Pad with multi-byte NOPs until (p + @skew) is a multiple of @align. */
void x86_align(struct x86_buf *b, unsigned align, unsigned skew);

#endif
