/*
 * The x86-64 backend: code generation per op (memory ops and helper calls
 * in memop.c), on top of the liveness pass
 * and local register allocator in regalloc.c (guest globals stay in host
 * registers within a block, written back only at block ends, labels,
 * helper calls that need them, and in the out-of-line slow path of a guest
 * memory access).
 *
 * Register use:
 *   rbp       the CPU struct (env), for the whole of generated code
 *   rax rcx rdx  scratch inside one op (division, shifts, TLB probe)
 *   rbx r12-r15  allocatable, preserved across helper calls
 *   rsi rdi r8-r11  allocatable, clobbered by helper calls
 * The stack frame holds spill slots for temps ([rsp + 8 * slot]).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/host/x86_64/x86_64.h"

/* ---- op code generation helpers ---- */

/* Does temp @t hold a constant usable as a sign-extended imm32? */
static bool imm32_ok(const struct x86_gen *g, const struct tcg_op *op, uint32_t t, int32_t *imm)
{
	uint64_t v;

	if (!is_const(g, t))
		return false;
	v = const_val(g, t);
	if (!w64(op)) {
		*imm = (int32_t)(uint32_t)v;
		return true;
	}
	if ((int64_t)v < INT32_MIN || (int64_t)v > INT32_MAX)
		return false;
	*imm = (int32_t)v;
	return true;
}

static enum x86_cc cond_cc(enum tcg_cond c)
{
	static const uint8_t map[TCG_NB_CONDS] = {
	    [TCG_COND_EQ] = X86_CC_E,  [TCG_COND_NE] = X86_CC_NE,  [TCG_COND_LT] = X86_CC_L,
	    [TCG_COND_GE] = X86_CC_GE, [TCG_COND_LE] = X86_CC_LE,  [TCG_COND_GT] = X86_CC_G,
	    [TCG_COND_LTU] = X86_CC_B, [TCG_COND_GEU] = X86_CC_AE, [TCG_COND_LEU] = X86_CC_BE,
	    [TCG_COND_GTU] = X86_CC_A,
	};
	return (enum x86_cc)map[c];
}

/* cmp a, b for args @ia, @ib of @op; registers loaded beforehand by the caller. */
static void emit_cmp(struct x86_gen *g, const struct tcg_op *op, int ra, uint32_t tb_)
{
	int32_t imm;

	if (imm32_ok(g, op, tb_, &imm))
		x86_alu_ri(&g->b, X86_CMP, w64(op), ra, imm);
	else
		x86_alu_rr(&g->b, X86_CMP, w64(op), ra, g->ts[tb_].reg);
}

/* Load compare operands: the second stays an immediate when it fits. */
static int cmp_operands(struct x86_gen *g, const struct tcg_op *op, unsigned ia, unsigned ib)
{
	int32_t imm;
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[ia]);

	if (!imm32_ok(g, op, (uint32_t)op->args[ib], &imm))
		x86_ra_in_reg(g, (uint32_t)op->args[ib]);
	return ra;
}

static void gen_alu(struct x86_gen *g, const struct tcg_op *op, uint16_t life, enum x86_alu alu)
{
	uint32_t c = (uint32_t)op->args[2];
	int32_t imm;
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	bool use_imm = imm32_ok(g, op, c, &imm);
	int rc = use_imm ? -1 : x86_ra_in_reg(g, c);
	int rd = x86_ra_out_reg(g, op, life, 1);

	if (alu == X86_ADD && w64(op) && rd != ra && rd != rc) {
		/* three-operand add: one lea instead of mov + add */
		x86_lea(&g->b, rd, ra, use_imm ? X86_NOREG : rc, use_imm ? imm : 0);
		x86_ra_free_dead_inputs(g, op, life);
		x86_ra_set_out(g, op, life, rd);
		return;
	}
	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	if (use_imm)
		x86_alu_ri(&g->b, alu, w64(op), rd, imm);
	else
		x86_alu_rr(&g->b, alu, w64(op), rd, rc);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

/* andc/orc/eqv: a op ~b via rax. */
static void gen_alu_not(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rc = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	x86_mov_rr(&g->b, true, X86_RAX, rc);
	x86_unop(&g->b, X86_NOT, w64(op), X86_RAX);
	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	x86_alu_rr(&g->b,
		   op->opc == TCG_OP_andc  ? X86_AND
		   : op->opc == TCG_OP_orc ? X86_OR
					   : X86_XOR,
		   w64(op), rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_mul(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rc = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	x86_imul_rr(&g->b, w64(op), rd, rc);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_shift(struct x86_gen *g, const struct tcg_op *op, uint16_t life, enum x86_shift sh)
{
	uint32_t c = (uint32_t)op->args[2];
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	int rc = is_const(g, c) ? -1 : x86_ra_in_reg(g, c);
	int rd = x86_ra_out_reg(g, op, life, 1);
	unsigned mask = w64(op) ? 63 : 31;

	if (rc >= 0)
		x86_mov_rr(&g->b, false, X86_RCX, rc);
	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	if (rc >= 0)
		x86_shift_cl(&g->b, sh, w64(op), rd); /* the CPU masks the count too */
	else if (const_val(g, c) & mask)
		x86_shift_ri(&g->b, sh, w64(op), rd, (uint8_t)(const_val(g, c) & mask));
	else if (!w64(op))
		x86_mov_rr(&g->b, false, rd, rd);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_unary(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	if (op->opc == TCG_OP_bswap)
		x86_bswap(&g->b, w64(op), rd);
	else
		x86_unop(&g->b, op->opc == TCG_OP_neg ? X86_NEG : X86_NOT, w64(op), rd);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_ext(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	static const uint8_t kinds[TCG_NB_OPS] = {
	    [TCG_OP_ext8s] = X86_LD8S,		[TCG_OP_ext8u] = X86_LD8U,
	    [TCG_OP_ext16s] = X86_LD16S,	[TCG_OP_ext16u] = X86_LD16U,
	    [TCG_OP_ext32s] = X86_LD32S,	[TCG_OP_ext32u] = X86_LD32U,
	    [TCG_OP_ext_i32_i64] = X86_LD32S,	[TCG_OP_extu_i32_i64] = X86_LD32U,
	    [TCG_OP_extrl_i64_i32] = X86_LD32U, [TCG_OP_mov] = X86_LD64,
	};
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	if (rd != ra || kinds[op->opc] != X86_LD64)
		x86_ext_rr(&g->b, (enum x86_ld)kinds[op->opc], rd, ra);
	if (!w64(op) && (op->opc == TCG_OP_ext8s || op->opc == TCG_OP_ext16s))
		x86_mov_rr(&g->b, false, rd, rd); /* i32: keep the slot zero-extended */
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_mov(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	uint32_t s = (uint32_t)op->args[1];
	int rd;

	if (is_const(g, s)) {
		rd = x86_ra_out_reg(g, op, life, -1);
		x86_mov_ri(&g->b, rd, const_val(g, s));
		x86_ra_set_out(g, op, life, rd);
		return;
	}
	gen_ext(g, op, life);
}

/* Division with RISC-V results for /0 and overflow (ir.h). */
static void gen_div(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	bool sign = op->opc == TCG_OP_div || op->opc == TCG_OP_rem;
	bool rem = op->opc == TCG_OP_rem || op->opc == TCG_OP_remu;
	bool w = w64(op);
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rc = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, -1);
	uint8_t *jz, *jn1 = NULL, *jdone1, *jdone2 = NULL;

	x86_mov_rr(&g->b, true, X86_RAX, ra);
	x86_test_rr(&g->b, w, rc, rc);
	jz = x86_jcc32(&g->b, X86_CC_E);
	if (sign) {
		/* b == -1: the quotient is -a (MIN stays MIN), the remainder 0. */
		x86_alu_ri(&g->b, X86_CMP, w, rc, -1);
		jn1 = x86_jcc32(&g->b, X86_CC_NE);
		if (rem)
			x86_alu_rr(&g->b, X86_XOR, false, X86_RAX, X86_RAX);
		else
			x86_unop(&g->b, X86_NEG, w, X86_RAX);
		jdone2 = x86_jmp32(&g->b);
		x86_patch_rel32(jn1, g->b.p);
		x86_cqo(&g->b, w);
		x86_unop(&g->b, X86_IDIV, w, rc);
	} else {
		x86_alu_rr(&g->b, X86_XOR, false, X86_RDX, X86_RDX);
		x86_unop(&g->b, X86_DIV, w, rc);
	}
	if (rem)
		x86_mov_rr(&g->b, true, X86_RAX, X86_RDX);
	jdone1 = x86_jmp32(&g->b);
	x86_patch_rel32(jz, g->b.p);
	if (!rem) /* x / 0 = all ones; x % 0 = x (already in rax) */
		x86_mov_ri(&g->b, X86_RAX, w ? ~0ULL : 0xffffffffULL);
	x86_patch_rel32(jdone1, g->b.p);
	if (jdone2)
		x86_patch_rel32(jdone2, g->b.p);
	x86_mov_rr(&g->b, w, rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_mulh(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rc = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, -1);

	if (!w64(op)) {
		/* 32x32 -> 64 in one register, then take the high half. */
		x86_ext_rr(&g->b, op->opc == TCG_OP_muluh ? X86_LD32U : X86_LD32S, X86_RAX, ra);
		x86_ext_rr(&g->b, op->opc == TCG_OP_mulsh ? X86_LD32S : X86_LD32U, X86_RCX, rc);
		x86_imul_rr(&g->b, true, X86_RAX, X86_RCX);
		x86_shift_ri(&g->b, X86_SHR, true, X86_RAX, 32);
		x86_mov_rr(&g->b, false, rd, X86_RAX);
	} else {
		x86_mov_rr(&g->b, true, X86_RAX, ra);
		x86_unop(&g->b, op->opc == TCG_OP_mulsh ? X86_IMUL1 : X86_MUL, true, rc);
		if (op->opc == TCG_OP_mulsuh) {
			/* signed(a) * b = unsigned(a) * b - (a < 0 ? b << 64 : 0) */
			x86_mov_rr(&g->b, true, X86_RAX, ra);
			x86_shift_ri(&g->b, X86_SAR, true, X86_RAX, 63);
			x86_alu_rr(&g->b, X86_AND, true, X86_RAX, rc);
			x86_alu_rr(&g->b, X86_SUB, true, X86_RDX, X86_RAX);
		}
		x86_mov_rr(&g->b, true, rd, X86_RDX);
	}
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_minmax(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	static const uint8_t cc[TCG_NB_OPS] = {
	    /* keep a when a <cc> b fails -> take b */
	    [TCG_OP_smin] = X86_CC_G,
	    [TCG_OP_smax] = X86_CC_L,
	    [TCG_OP_umin] = X86_CC_A,
	    [TCG_OP_umax] = X86_CC_B,
	};
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rc = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, -1);

	x86_mov_rr(&g->b, true, X86_RAX, ra);
	x86_alu_rr(&g->b, X86_CMP, w64(op), ra, rc);
	x86_cmov(&g->b, (enum x86_cc)cc[op->opc], w64(op), X86_RAX, rc);
	x86_mov_rr(&g->b, w64(op), rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

/* clz/ctz: lzcnt/tzcnt set CF for a zero source; then take b. */
static void gen_count(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	int rc = op->opc == TCG_OP_ctpop ? -1 : x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, -1);

	if (op->opc == TCG_OP_ctpop) {
		x86_bitop(&g->b, X86_POPCNT, w64(op), rd, ra);
	} else {
		x86_bitop(&g->b, op->opc == TCG_OP_clz ? X86_LZCNT : X86_TZCNT, w64(op), X86_RAX,
			  ra);
		x86_cmov(&g->b, X86_CC_B, w64(op), X86_RAX, rc);
		x86_mov_rr(&g->b, w64(op), rd, X86_RAX);
	}
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

/* extract/sextract as a shift pair (or one zero-extension). */
static void gen_extract(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	unsigned pos = (unsigned)op->args[2], len = (unsigned)op->args[3];
	unsigned w = w64(op) ? 64 : 32;
	bool sign = op->opc == TCG_OP_sextract;
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	if (w - pos - len)
		x86_shift_ri(&g->b, X86_SHL, w64(op), rd, (uint8_t)(w - pos - len));
	if (w - len)
		x86_shift_ri(&g->b, sign ? X86_SAR : X86_SHR, w64(op), rd, (uint8_t)(w - len));
	else if (!w64(op))
		x86_mov_rr(&g->b, false, rd, rd);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_deposit(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	unsigned pos = (unsigned)op->args[3], len = (unsigned)op->args[4];
	unsigned w = w64(op) ? 64 : 32;
	uint64_t mask = (len >= 64 ? ~0ULL : ((1ULL << len) - 1)) << pos;
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[1]),
	    rb = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rd = x86_ra_out_reg(g, op, life, 1);

	/* rax = field of b in place; rcx = ~mask */
	x86_mov_rr(&g->b, true, X86_RAX, rb);
	if (w - len)
		x86_shift_ri(&g->b, X86_SHL, w64(op), X86_RAX, (uint8_t)(w - len));
	if (w - len - pos)
		x86_shift_ri(&g->b, X86_SHR, w64(op), X86_RAX, (uint8_t)(w - len - pos));
	x86_mov_ri(&g->b, X86_RCX, w64(op) ? ~mask : (uint32_t)~mask);
	if (rd != ra)
		x86_mov_rr(&g->b, true, rd, ra);
	x86_alu_rr(&g->b, X86_AND, w64(op), rd, X86_RCX);
	x86_alu_rr(&g->b, X86_OR, w64(op), rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_setcond(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = cmp_operands(g, op, 1, 2);
	int rd = x86_ra_out_reg_late(g, op, life);

	emit_cmp(g, op, ra, (uint32_t)op->args[2]);
	x86_setcc(&g->b, cond_cc((enum tcg_cond)op->args[3]), X86_RAX);
	x86_ext_rr(&g->b, X86_LD8U, rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

static void gen_movcond(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = cmp_operands(g, op, 1, 2);
	int r1 = x86_ra_in_reg(g, (uint32_t)op->args[3]),
	    r2 = x86_ra_in_reg(g, (uint32_t)op->args[4]);
	int rd = x86_ra_out_reg_late(g, op, life);

	x86_mov_rr(&g->b, true, X86_RAX, r2);
	emit_cmp(g, op, ra, (uint32_t)op->args[2]);
	x86_cmov(&g->b, cond_cc((enum tcg_cond)op->args[5]), true, X86_RAX, r1);
	x86_mov_rr(&g->b, w64(op), rd, X86_RAX);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

/* ---- control flow ---- */

static void add_fixup(struct x86_gen *g, uint8_t *at, uint64_t label)
{
	if (g->n_fixups >= X86_MAX_FIXUPS) {
		g->error = -ENOSPC;
		return;
	}
	g->fixups[g->n_fixups].at = at;
	g->fixups[g->n_fixups].label = (uint32_t)label;
	g->n_fixups++;
}

/*
 * A label expects the globals in memory (x86_ra_sync_branch). Rather than
 * writing the dirty ones back before every conditional branch, a branch
 * whose registers hold dirty globals jumps to a stub after the block that
 * writes them back and goes on to the label: the not-taken path (a
 * superblock's hot path past its side exits) keeps them in registers.
 * NULL: write back inline (dirty locals, or no room for a stub).
 */
static struct x86_slow *branch_stub(struct x86_gen *g)
{
	struct x86_slow *s;

	if (g->n_slow >= X86_MAX_SLOW)
		return NULL;
	s = &g->slow[g->n_slow];
	/* No stub when nothing is dirty: the branch goes straight to its label. */
	if (!x86_dirty_globals(g, s, true) || !s->n_dirty)
		return NULL;
	s->branch = true;
	g->n_slow++;
	return s;
}

static void gen_brcond(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int ra = cmp_operands(g, op, 0, 1);
	struct x86_slow *s = branch_stub(g);
	uint8_t *jcc;

	if (!s)
		x86_ra_sync_branch(g, false);
	emit_cmp(g, op, ra, (uint32_t)op->args[1]);
	jcc = x86_jcc32(&g->b, cond_cc((enum tcg_cond)op->args[2]));
	if (s) {
		s->jcc = jcc;
		s->label = (uint32_t)op->args[3];
	} else {
		add_fixup(g, jcc, op->args[3]);
	}
	x86_ra_free_dead_inputs(g, op, life);
}

static void emit_branch_stub(struct x86_gen *g, const struct x86_slow *s)
{
	x86_patch_rel32(s->jcc, g->b.p);
	x86_store_dirty(g, s);
	add_fixup(g, x86_jmp32(&g->b), s->label);
}

static void exit_with(struct x86_gen *g, uintptr_t value)
{
	x86_mov_ri(&g->b, X86_RAX, value);
	x86_patch_rel32(x86_jmp32(&g->b), g->epilogue);
}

static bool goto_tb_is_self(const struct x86_gen *g, const struct tcg_op *op);
static void gen_loop_back(struct x86_gen *g, const struct tcg_op *op, int32_t adj);

/* The patchable jmp rel32 of chaining slot @slot; unpatched, it falls through. */
static void emit_chain_jmp(struct x86_gen *g, unsigned slot)
{
	uint8_t *rel;

	/* The rel32 must not straddle 4 bytes: it is patched atomically. */
	x86_align(&g->b, 4, 1);
	rel = x86_jmp32(&g->b);
	x86_patch_rel32(rel, g->b.p);
	g->tb->jmp_target[slot] = (uintptr_t)(rel + g->b.rx_delta);
	g->tb->jmp_reset[slot] = (uintptr_t)(g->b.p + g->b.rx_delta);
}

/*
 * goto_tb: a patchable jmp rel32. In a self-loop the slot that jumps back
 * to the block keeps the pinned globals in registers: their write-back
 * follows the jump, on the unpatched exit path only.
 */
static void gen_goto_tb(struct x86_gen *g, const struct tcg_op *op)
{
	unsigned slot = (unsigned)op->args[0];
	bool loop = g->pinned && goto_tb_is_self(g, op);

	if (loop && g->loop_counted) {
		gen_loop_back(g, op, 0);
		return;
	}
	if (loop)
		x86_ra_sync_branch(g, true);
	else
		x86_ra_sync_all(g, true);
	emit_chain_jmp(g, slot);
	if (loop) {
		g->tb->loop_slots |= (uint8_t)(1u << slot);
		x86_ra_sync_globals(g, false);
	}
}

/*
 * The back edge of a self-loop whose prologue counted icount_n (@adj: the
 * count of the round's instructions that did not run, negated). The
 * prologue's exit check and count are done here, so that a round costs one
 * read-modify-write of instret, not two (they form a dependency chain
 * through memory in tight loops):
 *
 *	cmp [exit_request], 0; jne .exit
 *	add [instret], icount_n + adj	; this round's end, the next one's count
 *	jmp rel32			; patched: after the prologue's count
 *	add [instret], -icount_n	; unpatched: the next round is not entered
 *	jmp .wb
 * .exit: add [instret], adj
 * .wb:	 (write-back of the pinned globals, then the IR's pc = self; exit_tb)
 */
static void gen_loop_back(struct x86_gen *g, const struct tcg_op *op, int32_t adj)
{
	const int32_t instret = (int32_t)offsetof(struct tcg_cpu, instret);
	const int64_t next = (int64_t)g->icount_n + adj;
	unsigned slot = (unsigned)op->args[0];
	uint8_t *exit, *wb;

	x86_ra_sync_branch(g, true);
	x86_alu_mi(&g->b, X86_CMP, false, X86_RBP, (int32_t)offsetof(struct tcg_cpu, exit_request),
		   0);
	exit = x86_jcc32(&g->b, X86_CC_NE);
	if (next)
		x86_alu_mi(&g->b, X86_ADD, true, X86_RBP, instret, (int32_t)next);
	emit_chain_jmp(g, slot);
	g->tb->loop_slots |= (uint8_t)(1u << slot);
	x86_alu_mi(&g->b, X86_ADD, true, X86_RBP, instret, -g->icount_n);
	if (adj) {
		wb = x86_jmp32(&g->b);
		x86_patch_rel32(exit, g->b.p);
		x86_alu_mi(&g->b, X86_ADD, true, X86_RBP, instret, adj);
		x86_patch_rel32(wb, g->b.p);
	} else {
		x86_patch_rel32(exit, g->b.p);
	}
	x86_ra_sync_globals(g, false);
}

/*
 * goto_ptr: look the pc up in the vCPU's jump cache inline
 * (tcg_jc_hash), check the block's flags, jump to its code; else exit 0.
 * A constant pc (a direct jump to another page, which cannot be chained:
 * the page's mapping may change) has its entry found at translation.
 */
static void gen_goto_ptr(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	uint32_t t = (uint32_t)op->args[0];
	uint8_t *miss1, *miss2, *miss3;

	_Static_assert(sizeof(struct tcg_jc_entry) == 16, "jump cache entry size");
	if (is_const(g, t)) {
		uint64_t pc = const_val(g, t);
		int32_t e = TCG_ENV_JC_OFF + (int32_t)(16 * tcg_jc_hash(pc));

		x86_ra_sync_all(g, false);
		if ((int64_t)pc == (int32_t)pc) {
			x86_alu_mi(&g->b, X86_CMP, true, X86_RBP,
				   e + (int32_t)offsetof(struct tcg_jc_entry, pc), (int32_t)pc);
		} else {
			x86_mov_ri(&g->b, X86_RCX, pc);
			x86_alu_rm(&g->b, X86_CMP, true, X86_RCX, X86_RBP,
				   e + (int32_t)offsetof(struct tcg_jc_entry, pc));
		}
		miss1 = x86_jcc32(&g->b, X86_CC_NE);
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RBP, X86_NOREG,
			 e + (int32_t)offsetof(struct tcg_jc_entry, tb));
	} else {
		int rp = x86_ra_in_reg(g, t);

		x86_ra_sync_all(g, false);
		/*
		 * 16 * tcg_jc_hash(pc) = 8 * ((pc ^ pc >> BITS) & (SIZE - 1) << 1):
		 * the hash's >> 1 and the entry size's << 4 fold into a scaled lea.
		 */
		x86_mov_rr(&g->b, true, X86_RAX, rp);
		x86_mov_rr(&g->b, true, X86_RCX, rp);
		x86_shift_ri(&g->b, X86_SHR, true, X86_RCX, TCG_JC_BITS);
		x86_alu_rr(&g->b, X86_XOR, true, X86_RAX, X86_RCX);
		x86_alu_ri(&g->b, X86_AND, false, X86_RAX, (TCG_JC_SIZE - 1) << 1);
		x86_lea_scaled(&g->b, X86_RAX, X86_RBP, X86_RAX, 3, TCG_ENV_JC_OFF);
		x86_alu_rm(&g->b, X86_CMP, true, rp, X86_RAX, offsetof(struct tcg_jc_entry, pc));
		miss1 = x86_jcc32(&g->b, X86_CC_NE);
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RAX, X86_NOREG,
			 offsetof(struct tcg_jc_entry, tb));
	}
	x86_test_rr(&g->b, true, X86_RAX, X86_RAX);
	miss2 = x86_jcc32(&g->b, X86_CC_E);
	x86_load(&g->b, X86_LD32U, X86_RCX, X86_RAX, X86_NOREG, offsetof(struct tcg_tb, flags));
	x86_alu_rm(&g->b, X86_CMP, false, X86_RCX, X86_RBP, offsetof(struct tcg_cpu, tb_flags));
	miss3 = x86_jcc32(&g->b, X86_CC_NE);
	x86_jmp_m(&g->b, X86_RAX, offsetof(struct tcg_tb, code));
	x86_patch_rel32(miss1, g->b.p);
	x86_patch_rel32(miss2, g->b.p);
	x86_patch_rel32(miss3, g->b.p);
	exit_with(g, 0);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_free_all(g);
}

static void gen_control(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	switch (op->opc) {
	case TCG_OP_set_label:
		x86_ra_sync_branch(g, true);
		x86_ra_pinned_dirty(g);
		g->label_pos[op->args[0]] = g->b.p;
		break;
	case TCG_OP_br:
		x86_ra_sync_branch(g, true);
		add_fixup(g, x86_jmp32(&g->b), op->args[0]);
		break;
	case TCG_OP_brcond:
		gen_brcond(g, op, life);
		break;
	case TCG_OP_goto_tb:
		gen_goto_tb(g, op);
		break;
	case TCG_OP_exit_tb:
		x86_ra_sync_all(g, true);
		exit_with(g, (uintptr_t)g->tb | (uintptr_t)op->args[0]);
		break;
	default: /* goto_ptr */
		gen_goto_ptr(g, op, life);
		break;
	}
}

static bool gen_arith(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	switch (op->opc) {
	case TCG_OP_add:
		gen_alu(g, op, life, X86_ADD);
		return true;
	case TCG_OP_sub:
		gen_alu(g, op, life, X86_SUB);
		return true;
	case TCG_OP_and:
		gen_alu(g, op, life, X86_AND);
		return true;
	case TCG_OP_or:
		gen_alu(g, op, life, X86_OR);
		return true;
	case TCG_OP_xor:
		gen_alu(g, op, life, X86_XOR);
		return true;
	case TCG_OP_andc:
	case TCG_OP_orc:
	case TCG_OP_eqv:
		gen_alu_not(g, op, life);
		return true;
	case TCG_OP_mul:
		gen_mul(g, op, life);
		return true;
	case TCG_OP_mulsh:
	case TCG_OP_muluh:
	case TCG_OP_mulsuh:
		gen_mulh(g, op, life);
		return true;
	case TCG_OP_div:
	case TCG_OP_divu:
	case TCG_OP_rem:
	case TCG_OP_remu:
		gen_div(g, op, life);
		return true;
	case TCG_OP_shl:
		gen_shift(g, op, life, X86_SHL);
		return true;
	case TCG_OP_shr:
		gen_shift(g, op, life, X86_SHR);
		return true;
	case TCG_OP_sar:
		gen_shift(g, op, life, X86_SAR);
		return true;
	case TCG_OP_rotl:
		gen_shift(g, op, life, X86_ROL);
		return true;
	case TCG_OP_rotr:
		gen_shift(g, op, life, X86_ROR);
		return true;
	default:
		return false;
	}
}

static void gen_op(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	g->locked = 0;
	if (gen_arith(g, op, life))
		return;
	switch (op->opc) {
	case TCG_OP_insn_start:
		g->cur_rec = &g->tb->insns[g->insn_idx++];
		break;
	case TCG_OP_mov:
		gen_mov(g, op, life);
		break;
	case TCG_OP_smin:
	case TCG_OP_smax:
	case TCG_OP_umin:
	case TCG_OP_umax:
		gen_minmax(g, op, life);
		break;
	case TCG_OP_neg:
	case TCG_OP_not:
	case TCG_OP_bswap:
		gen_unary(g, op, life);
		break;
	case TCG_OP_ext8s:
	case TCG_OP_ext8u:
	case TCG_OP_ext16s:
	case TCG_OP_ext16u:
	case TCG_OP_ext32s:
	case TCG_OP_ext32u:
	case TCG_OP_ext_i32_i64:
	case TCG_OP_extu_i32_i64:
	case TCG_OP_extrl_i64_i32:
		gen_ext(g, op, life);
		break;
	case TCG_OP_clz:
	case TCG_OP_ctz:
	case TCG_OP_ctpop:
		gen_count(g, op, life);
		break;
	case TCG_OP_extract:
	case TCG_OP_sextract:
		gen_extract(g, op, life);
		break;
	case TCG_OP_deposit:
		gen_deposit(g, op, life);
		break;
	case TCG_OP_setcond:
		gen_setcond(g, op, life);
		break;
	case TCG_OP_movcond:
		gen_movcond(g, op, life);
		break;
	case TCG_OP_ld_env:
		x86_gen_ld_env(g, op, life);
		break;
	case TCG_OP_st_env:
		x86_gen_st_env(g, op, life);
		break;
	case TCG_OP_guest_ld:
		x86_gen_guest_ld(g, op, life);
		break;
	case TCG_OP_guest_st:
		x86_gen_guest_st(g, op, life);
		break;
	case TCG_OP_call:
		x86_gen_call(g, op, life);
		break;
	default:
		gen_control(g, op, life);
		break;
	}
}

static void gen_init_state(struct x86_gen *g)
{
	for (uint32_t t = 0; t < g->ir->n_temps; t++) {
		g->ts[t].reg = -1;
		g->ts[t].slot = -1;
		g->ts[t].in_mem = true;
		g->ts[t].pin = -1;
		g->ts[t].pin_wr = false;
	}
	for (int r = 0; r < 16; r++)
		g->reg_temp[r] = -1;
	g->pinned = 0;
	g->next_slot = 0;
	g->n_fixups = 0;
	g->n_slow = 0;
	g->insn_idx = 0;
	g->cur_rec = NULL;
	g->icount_n = 0;
	g->loop_counted = false;
	g->evict_rr = 0;
	g->error = 0;
}

static void resolve_fixups(struct x86_gen *g)
{
	for (unsigned i = 0; i < g->n_fixups; i++) {
		const uint8_t *to = g->label_pos[g->fixups[i].label];
		if (!to) {
			g->error = -EINVAL; /* branch to a label never set: a frontend bug */
			return;
		}
		x86_patch_rel32(g->fixups[i].at, to);
	}
}

/* ---- peepholes over a few ops (the block prologue's shape) ---- */

static unsigned next_op(const struct tcg_ir *ir, unsigned i)
{
	while (i < ir->n_ops && ir->ops[i].opc == TCG_OP_nop)
		i++;
	return i;
}

static bool dies_at(const struct x86_gen *g, unsigned i, unsigned arg)
{
	return g->life[i] & (1u << arg);
}

/* ld_env t; brcond t, imm -> cmp [env + off], imm; jcc (the exit check). */
static unsigned fuse_env_brcond(struct x86_gen *g, unsigned i)
{
	const struct tcg_op *ld = &g->ir->ops[i];
	unsigned j = next_op(g->ir, i + 1);
	const struct tcg_op *br = &g->ir->ops[j];
	int32_t imm;

	if (j >= g->ir->n_ops || br->opc != TCG_OP_brcond || br->args[0] != ld->args[0] ||
	    br->type != ld->type || (ld->args[2] & TCG_MO_SIZE) != (w64(ld) ? 3 : 2) ||
	    !dies_at(g, j, 0) || !imm32_ok(g, br, (uint32_t)br->args[1], &imm))
		return 0;
	x86_ra_sync_branch(g, false);
	x86_alu_mi(&g->b, X86_CMP, w64(ld), X86_RBP, (int32_t)ld->args[1], imm);
	add_fixup(g, x86_jcc32(&g->b, cond_cc((enum tcg_cond)br->args[2])), br->args[3]);
	/* The block's first op: the exit-request check (see tcg_tb.check_skip). */
	if (i == next_op(g->ir, 0) && !g->pinned &&
	    ld->args[1] == offsetof(struct tcg_cpu, exit_request))
		g->tb->check_skip = (uint16_t)(g->b.p - g->b.start);
	return j - i + 1;
}

/*
 * ld_env t; add/sub t, t, imm; st_env t (same field) -> add [env + off], imm:
 * the instruction count of the block's prologue and of its early exits.
 * An early exit that is a self-loop's back edge goes to gen_loop_back.
 */
static unsigned fuse_env_add(struct x86_gen *g, unsigned i)
{
	const struct tcg_op *ld = &g->ir->ops[i];
	unsigned j = next_op(g->ir, i + 1), k = next_op(g->ir, j + 1), n;
	const struct tcg_op *add = &g->ir->ops[j], *st = &g->ir->ops[k];
	bool instret = ld->args[1] == offsetof(struct tcg_cpu, instret);
	int32_t imm;

	if (k >= g->ir->n_ops || (add->opc != TCG_OP_add && add->opc != TCG_OP_sub) ||
	    st->opc != TCG_OP_st_env || add->args[1] != ld->args[0] ||
	    st->args[0] != add->args[0] || st->args[1] != ld->args[1] ||
	    st->args[2] != ld->args[2] || !w64(ld) || !w64(add) ||
	    (ld->args[2] & TCG_MO_SIZE) != TCG_MO_64 || !dies_at(g, j, 1) || !dies_at(g, k, 0) ||
	    !imm32_ok(g, add, (uint32_t)add->args[2], &imm) ||
	    (add->opc == TCG_OP_sub && imm == INT32_MIN))
		return 0;
	if (add->opc == TCG_OP_sub)
		imm = -imm;
	n = next_op(g->ir, k + 1);
	if (instret && g->loop_counted && n < g->ir->n_ops && goto_tb_is_self(g, &g->ir->ops[n])) {
		gen_loop_back(g, &g->ir->ops[n], imm);
		return n - i + 1;
	}
	x86_alu_mi(&g->b, X86_ADD, true, X86_RBP, (int32_t)ld->args[1], imm);
	/* The prologue of a self-loop with pinned globals: its back edges enter here. */
	if (instret && g->pinned && g->insn_idx == 0 && !g->loop_counted) {
		g->icount_n = imm;
		g->loop_counted = true;
		g->tb->loop_entry = (uintptr_t)(g->b.p + g->b.rx_delta);
	}
	return k - i + 1;
}

/*
 * shl t, a, 1..3; add d, t, c (t used nowhere else) -> lea d, [c + a * 2^k]:
 * the address arithmetic of Zba's shNadd and of indexed accesses. t may
 * be a guest register (even a itself) when the add overwrites it: RISC-V
 * code computes a table address in place (slli a5,a5,2; add a5,a5,a6).
 */
static unsigned fuse_shl_add(struct x86_gen *g, unsigned i)
{
	const struct tcg_op *sh = &g->ir->ops[i];
	unsigned j = next_op(g->ir, i + 1);

	/* Across an instruction boundary too: neither op can fault. */
	while (j < g->ir->n_ops && g->ir->ops[j].opc == TCG_OP_insn_start)
		j = next_op(g->ir, j + 1);
	const struct tcg_op *add = &g->ir->ops[j];
	uint32_t t = (uint32_t)sh->args[0], k = (uint32_t)sh->args[2], other;
	bool overwritten;
	int ra, rc, rd;

	if (j >= g->ir->n_ops || add->opc != TCG_OP_add || !w64(sh) || !w64(add) ||
	    !is_const(g, k) || const_val(g, k) < 1 || const_val(g, k) > 3 ||
	    (add->args[1] == t) == (add->args[2] == t))
		return 0;
	overwritten = add->args[0] == t;
	if (!overwritten && (g->ir->temps[t].kind != TCG_TEMP_NORMAL || sh->args[1] == t))
		return 0;
	other = (uint32_t)(add->args[1] == t ? add->args[2] : add->args[1]);
	if (!overwritten && !dies_at(g, j, add->args[1] == t ? 1 : 2))
		return 0;
	ra = x86_ra_in_reg(g, (uint32_t)sh->args[1]);
	rc = x86_ra_in_reg(g, other);
	if (overwritten && sh->args[1] == t)
		rd = ra; /* lea a, [c + a * 2^k] reads before it writes */
	else
		rd = x86_ra_out_reg(g, add, g->life[j], -1);
	x86_lea_scaled(&g->b, rd, rc, ra, (unsigned)const_val(g, k), 0);
	x86_ra_free_dead_inputs(g, sh, g->life[i]);
	x86_ra_free_dead_inputs(g, add, g->life[j]);
	x86_ra_set_out(g, add, g->life[j], rd);
	for (unsigned m = i + 1; m < j; m++) /* keep the per-instruction records in step */
		if (g->ir->ops[m].opc == TCG_OP_insn_start)
			gen_op(g, &g->ir->ops[m], g->life[m]);
	return j - i + 1;
}

/*
 * add a, base, c; guest_ld/st through a (a dying there): the access, its
 * TLB probe or RAM-window check and its slow path address [base + c]
 * themselves, no register holds a. Not when the access writes base or a
 * (the add's base, dying there, is dropped after the access).
 */
static unsigned fuse_add_access(struct x86_gen *g, unsigned i)
{
	const struct tcg_op *add = &g->ir->ops[i];
	unsigned j = next_op(g->ir, i + 1);
	const struct tcg_op *acc = &g->ir->ops[j];
	uint32_t a = (uint32_t)add->args[0], base = (uint32_t)add->args[1];
	int32_t c;
	int rb;

	if (j >= g->ir->n_ops || (acc->opc != TCG_OP_guest_ld && acc->opc != TCG_OP_guest_st) ||
	    !w64(add) || acc->args[1] != a || a == base || acc->args[0] == a ||
	    acc->args[0] == base || g->ir->temps[a].kind != TCG_TEMP_NORMAL || is_const(g, base) ||
	    !dies_at(g, j, 1) || !imm32_ok(g, add, (uint32_t)add->args[2], &c))
		return 0;
	rb = x86_ra_in_reg(g, base);
	if (acc->opc == TCG_OP_guest_ld)
		x86_gen_guest_ld_at(g, acc, g->life[j], rb, c);
	else
		x86_gen_guest_st_at(g, acc, g->life[j], rb, c);
	/* base's last use was the add's (a later op may overwrite it) */
	g->locked = 0;
	x86_ra_free_dead_inputs(g, add, g->life[i] & ~1u);
	return j - i + 1;
}

static unsigned fuse(struct x86_gen *g, unsigned i)
{
	unsigned n;

	g->locked = 0;
	if (g->ir->ops[i].opc == TCG_OP_shl)
		return fuse_shl_add(g, i);
	if (g->ir->ops[i].opc == TCG_OP_add)
		return fuse_add_access(g, i);
	if (g->ir->ops[i].opc != TCG_OP_ld_env)
		return 0;
	n = fuse_env_brcond(g, i);
	return n ? n : fuse_env_add(g, i);
}

/* ---- self-loops: globals pinned in host registers ---- */

static bool is_pc_global(const struct x86_gen *g, uint32_t t)
{
	return g->ir->temps[t].kind == TCG_TEMP_GLOBAL &&
	       g->ir->temps[t].mem_offset == (int32_t)offsetof(struct tcg_cpu, pc);
}

/* Is @op a goto_tb followed by pc = the block's own pc? */
static bool goto_tb_is_self(const struct x86_gen *g, const struct tcg_op *op)
{
	unsigned j;
	const struct tcg_op *mv;

	if (op->opc != TCG_OP_goto_tb)
		return false;
	j = next_op(g->ir, (unsigned)(op - g->ir->ops) + 1);
	mv = &g->ir->ops[j];
	return j < g->ir->n_ops && mv->opc == TCG_OP_mov &&
	       is_pc_global(g, (uint32_t)mv->args[0]) && is_const(g, (uint32_t)mv->args[1]) &&
	       const_val(g, (uint32_t)mv->args[1]) == g->tb->pc;
}

/* Does the block end with goto_tb; pc = its own pc (a loop to itself)? */
static bool is_self_loop(const struct x86_gen *g)
{
	for (unsigned i = 0; i < g->ir->n_ops; i++) {
		if (goto_tb_is_self(g, &g->ir->ops[i]))
			return true;
	}
	return false;
}

/* The label an op jumps to (br, brcond), or -1. */
static int64_t branch_label(const struct tcg_op *op)
{
	if (op->opc == TCG_OP_br)
		return (int64_t)op->args[0];
	if (op->opc == TCG_OP_brcond)
		return (int64_t)op->args[3];
	return -1;
}

/*
 * The last op of a self-loop's round: the goto_tb back to the block when
 * the code falls into it, or the last branch to the label in front of it
 * (with only straight-line code between label and goto_tb).
 * Ops after it (the code after the loop) run once per exit, not per round.
 */
static unsigned loop_round_end(const struct x86_gen *g)
{
	const struct tcg_ir *ir = g->ir;
	int64_t label = -1, back[2] = {-1, -1};
	unsigned end = 0, nb = 0;

	for (unsigned i = 0; i < ir->n_ops; i++) {
		const struct tcg_op *op = &ir->ops[i];
		if (op->opc == TCG_OP_nop)
			continue;
		if (goto_tb_is_self(g, op)) {
			if (label < 0)
				end = i;
			else if (nb < 2)
				back[nb++] = label;
		}
		if (op->opc == TCG_OP_set_label)
			label = (int64_t)op->args[0];
		else if (tcg_op_defs[op->opc].flags & TCG_OPF_BB_END)
			label = -1; /* straight-line code (instret fix-ups) keeps it */
	}
	for (unsigned i = 0; i < ir->n_ops; i++) {
		int64_t l = branch_label(&ir->ops[i]);
		if (l >= 0 && (l == back[0] || l == back[1]))
			end = i;
	}
	return end;
}

/*
 * Registers an op of the block needs at once besides the pinned ones: its
 * operands that are not pinned (constants too: an op may load one).
 */
static unsigned reg_demand(const struct x86_gen *g, const bool *pin)
{
	unsigned most = 0;

	for (unsigned i = 0; i < g->ir->n_ops; i++) {
		const struct tcg_op *op = &g->ir->ops[i];
		unsigned n = 0, na = tcg_op_nout(op) + tcg_op_nin(op);

		for (unsigned j = 0; op->opc != TCG_OP_nop && j < na; j++) {
			uint32_t t = (uint32_t)op->args[j];
			n += !(t < g->ir->n_globals && pin[t]);
		}
		most = MAX(most, n);
	}
	return most;
}

/*
 * Pin the globals a self-loop uses most in host registers, load them once
 * on entry; the loop's back edge enters after these loads. Uses inside a
 * round weigh 16 times those after the loop. The callee-saved registers
 * come first; without helper calls in the block (which clobber the others
 * and take their arguments there) the caller-saved ones follow, as long
 * as every op keeps enough free registers (X86_PIN_FREE at least) for its
 * other operands. Slow paths keep caller-saved registers (their thunks
 * save them).
 */
#define X86_PIN_CALLEE_SAVED 5 /* pin_regs[] starts with these */
#define X86_PIN_FREE	     4 /* registers left for temps at least */

static void pin_globals(struct x86_gen *g)
{
	static const int8_t pin_regs[] = {X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15, X86_RSI,
					  X86_RDI, X86_R8,  X86_R9,  X86_R10, X86_R11};
	unsigned uses[TCG_MAX_GLOBALS] = {0}, n_pin = ARRAY_SIZE(pin_regs);
	bool written[TCG_MAX_GLOBALS] = {false}, pin[TCG_MAX_GLOBALS] = {false};
	unsigned n = g->ir->n_globals, round_end = loop_round_end(g);

	for (unsigned i = 0; i < g->ir->n_ops; i++) {
		const struct tcg_op *op = &g->ir->ops[i];
		if (op->opc == TCG_OP_call)
			n_pin = X86_PIN_CALLEE_SAVED;
		for (unsigned j = 0; j < tcg_op_nout(op) + tcg_op_nin(op); j++) {
			if (op->opc != TCG_OP_nop && op->args[j] < n) {
				uses[op->args[j]] += i <= round_end ? 16 : 1;
				written[op->args[j]] |= j < tcg_op_nout(op);
			}
		}
	}
	for (unsigned k = 0; k < n_pin; k++) {
		uint32_t best = n;
		for (uint32_t t = 0; t < n; t++) {
			if (uses[t] > 0 && !is_pc_global(g, t) && !pin[t] &&
			    (best == n || uses[t] > uses[best]))
				best = t;
		}
		if (best == n)
			break;
		pin[best] = true;
		/* a caller-saved register: are enough left free for every op? */
		if (k >= X86_PIN_CALLEE_SAVED &&
		    ARRAY_SIZE(pin_regs) - (k + 1) < MAX(reg_demand(g, pin), X86_PIN_FREE))
			break;
		g->ts[best].pin = pin_regs[k];
		g->pinned |= 1u << pin_regs[k];
		x86_ra_load_home(g, best, pin_regs[k]);
		/*
		 * Entered by the back edge, a register the block writes is newer
		 * than memory: dirty. One it only reads always equals memory.
		 */
		g->ts[best].pin_wr = written[best];
		x86_ra_bind(g, best, pin_regs[k], !written[best]);
	}
	if (g->pinned)
		g->tb->loop_entry = (uintptr_t)(g->b.p + g->b.rx_delta);
}

int x86_gen_tb(struct x86_gen *g, struct tcg_ir *ir, struct tcg_tb *tb)
{
	g->ir = ir;
	g->tb = tb;
	gen_init_state(g);
	memset(g->label_pos, 0, ir->n_labels * sizeof(g->label_pos[0]));
	x86_ra_liveness(g);
	x86_plan_groups(g);
	if (is_self_loop(g))
		pin_globals(g);
	for (unsigned i = 0; i < ir->n_ops && !g->b.overflow && !g->error;) {
		unsigned n = fuse(g, i);
		if (n) {
			i += n;
			continue;
		}
		if (ir->ops[i].opc != TCG_OP_nop)
			gen_op(g, &ir->ops[i], g->life[i]);
		i++;
	}
	for (unsigned i = 0; i < g->n_slow && !g->b.overflow; i++) {
		if (g->slow[i].branch)
			emit_branch_stub(g, &g->slow[i]);
		else
			x86_emit_slow(g, &g->slow[i]);
	}
	if (g->b.overflow)
		return -ENOSPC;
	resolve_fixups(g);
	return g->error;
}
