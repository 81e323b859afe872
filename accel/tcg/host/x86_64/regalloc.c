/*
 * The x86-64 backend's liveness pass and local register allocator: where
 * each temp lives (a host register, its spill slot, or its home in the CPU
 * struct for globals), binding, spilling, and the write-backs that block
 * ends, branches, helper calls and slow paths need. backend.c generates the
 * code per op on top of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/host/x86_64/x86_64.h"

#define ALLOC_ORDER_N 11
static const int8_t alloc_order[ALLOC_ORDER_N] = {
    X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15, X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10, X86_R11,
};

/* ---- x86_ra_liveness: which args die at each op ---- */

static bool needs_globals(const struct tcg_op *op)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];

	if (op->opc == TCG_OP_call)
		return (tcg_op_helper(op)->flags &
			(TCG_CALL_NO_RG | TCG_CALL_NO_WG | TCG_CALL_NO_RAISE)) !=
		       (TCG_CALL_NO_RG | TCG_CALL_NO_WG | TCG_CALL_NO_RAISE);
	return def->flags & (TCG_OPF_BB_END | TCG_OPF_MAY_RAISE);
}

static void mark(uint8_t *live, const uint32_t *temps, uint32_t n, uint8_t v)
{
	for (uint32_t i = 0; i < n; i++)
		live[temps[i]] = v;
}

void x86_ra_liveness(struct x86_gen *g)
{
	uint32_t *list = g->kind_list;
	const struct tcg_ir *ir = g->ir;
	uint8_t *live = g->live;
	uint32_t n_local, n_normal;
	uint32_t *normal = tcg_ir_locals_normals(ir, list, &n_local, &n_normal);

	memset(live, 0, ir->n_temps);
	memset(live, 1, ir->n_globals);
	for (unsigned i = ir->n_ops; i-- > 0;) {
		const struct tcg_op *op = &ir->ops[i];
		unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);
		uint16_t life = 0;

		if (op->opc == TCG_OP_nop)
			continue;
		for (unsigned j = 0; j < no; j++) {
			if (!live[op->args[j]])
				life |= 1u << j;
			live[op->args[j]] = 0;
		}
		if (op->opc == TCG_OP_set_label)
			mark(live, normal, n_normal, 0);
		if (tcg_op_defs[op->opc].flags & TCG_OPF_BB_END)
			mark(live, list, n_local, 1);
		if (needs_globals(op))
			memset(live, 1, ir->n_globals);
		for (unsigned j = no; j < no + ni; j++) {
			if (!live[op->args[j]])
				life |= 1u << j;
		}
		for (unsigned j = no; j < no + ni; j++)
			live[op->args[j]] = 1;
		g->life[i] = life;
	}
}

/* ---- temp locations ---- */

static int slot_of(struct x86_gen *g, uint32_t t)
{
	struct x86_ts *ts = &g->ts[t];

	if (ts->slot < 0) {
		if (g->next_slot >= X86_NB_SLOTS) {
			g->error = -ENOSPC;
			return 0;
		}
		ts->slot = (int16_t)g->next_slot++;
	}
	return ts->slot;
}

/* Store @t's register to its memory home. */
static void store_home(struct x86_gen *g, uint32_t t, int r)
{
	const struct tcg_temp *tp = &g->ir->temps[t];

	if (tp->kind == TCG_TEMP_GLOBAL)
		x86_store(&g->b, tp->type == TCG_TYPE_I32 ? 4 : 8, r, X86_RBP, X86_NOREG,
			  tp->mem_offset);
	else
		x86_store(&g->b, 8, r, X86_RSP, X86_NOREG, 8 * slot_of(g, t));
}

void x86_ra_load_home(struct x86_gen *g, uint32_t t, int r)
{
	const struct tcg_temp *tp = &g->ir->temps[t];

	if (tp->kind == TCG_TEMP_CONST)
		x86_mov_ri(&g->b, r, const_val(g, t));
	else if (tp->kind == TCG_TEMP_GLOBAL)
		x86_load(&g->b, tp->type == TCG_TYPE_I32 ? X86_LD32U : X86_LD64, r, X86_RBP,
			 X86_NOREG, tp->mem_offset);
	else
		x86_load(&g->b, X86_LD64, r, X86_RSP, X86_NOREG, 8 * slot_of(g, t));
}

static void unbind(struct x86_gen *g, int r)
{
	int32_t t = g->reg_temp[r];

	if (t >= 0 && g->ts[t].pin >= 0)
		return; /* a pinned global keeps its register for the whole block */
	if (t >= 0)
		g->ts[t].reg = -1;
	g->reg_temp[r] = -1;
}

void x86_ra_bind(struct x86_gen *g, uint32_t t, int r, bool in_mem)
{
	if (g->ts[t].reg >= 0 && g->ts[t].reg != r)
		unbind(g, g->ts[t].reg);
	if (g->reg_temp[r] >= 0 && (uint32_t)g->reg_temp[r] != t)
		unbind(g, r);
	g->reg_temp[r] = (int32_t)t;
	g->ts[t].reg = (int8_t)r;
	g->ts[t].in_mem = in_mem;
}

/* Make @t's memory copy current (its register stays). */
static void sync_temp(struct x86_gen *g, uint32_t t)
{
	struct x86_ts *ts = &g->ts[t];

	if (ts->reg >= 0 && !ts->in_mem && !is_const(g, t)) {
		store_home(g, t, ts->reg);
		ts->in_mem = true;
	}
}

void x86_ra_spill_reg(struct x86_gen *g, int r)
{
	int32_t t = g->reg_temp[r];

	if (t < 0)
		return;
	sync_temp(g, (uint32_t)t);
	unbind(g, r);
}

int x86_ra_alloc_reg(struct x86_gen *g, uint32_t avoid)
{
	uint32_t busy = g->locked | g->pinned | avoid;

	for (unsigned i = 0; i < ALLOC_ORDER_N; i++) {
		int r = alloc_order[i];
		if (g->reg_temp[r] < 0 && !(busy & (1u << r)))
			return r;
	}
	/* Evict: prefer a constant (free to rematerialize), else round-robin. */
	for (unsigned i = 0; i < ALLOC_ORDER_N; i++) {
		int r = alloc_order[i];
		if (!(busy & (1u << r)) && is_const(g, (uint32_t)g->reg_temp[r])) {
			unbind(g, r);
			return r;
		}
	}
	for (unsigned n = 0; n < ALLOC_ORDER_N; n++) {
		int r = alloc_order[g->evict_rr++ % ALLOC_ORDER_N];
		if (!(busy & (1u << r))) {
			x86_ra_spill_reg(g, r);
			return r;
		}
	}
	g->error = -EINVAL; /* cannot happen: an op locks at most 6 registers */
	return X86_RBX;
}

/* @t in a register (locked for this op). */
int x86_ra_in_reg(struct x86_gen *g, uint32_t t)
{
	struct x86_ts *ts = &g->ts[t];
	int r;

	if (ts->reg < 0) {
		r = x86_ra_alloc_reg(g, 0);
		x86_ra_load_home(g, t, r);
		x86_ra_bind(g, t, r, true);
	}
	g->locked |= 1u << ts->reg;
	return ts->reg;
}

/* After an op: free the registers of inputs that died there. */
void x86_ra_free_dead_inputs(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);

	for (unsigned j = no; j < no + ni; j++) {
		uint32_t t = (uint32_t)op->args[j];
		if ((life & (1u << j)) && g->ts[t].reg >= 0) {
			/* A dead global's value is superseded before anyone looks. */
			if (is_global(g, t))
				g->ts[t].in_mem = true;
			unbind(g, g->ts[t].reg);
		}
	}
}

/*
 * Output register for @op: an input's register when that input dies here
 * (x86 two-address forms then need no copy), else a fresh one.
 */
int x86_ra_out_reg(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int reuse_arg)
{
	const struct x86_ts *d = &g->ts[op->args[0]];

	/* A pinned output goes straight to its register unless an input is there. */
	if (d->pin >= 0 && !(g->locked & (1u << d->pin)))
		return d->pin;
	if (reuse_arg >= 0 && (life & (1u << reuse_arg))) {
		uint32_t t = (uint32_t)op->args[reuse_arg];
		if (g->ts[t].reg >= 0 && !is_const(g, t) && (g->ts[t].pin < 0 || t == op->args[0]))
			return g->ts[t].reg;
	}
	return x86_ra_alloc_reg(g, 0);
}

/*
 * Output register for an op that writes it only after reading all its
 * inputs (setcond, movcond): the output's pinned register even when an
 * input is there, or the register of any input that dies here.
 */
int x86_ra_out_reg_late(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	const struct x86_ts *d = &g->ts[op->args[0]];
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);

	if (d->pin >= 0)
		return d->pin;
	for (unsigned j = no; j < no + ni; j++) {
		uint32_t t = (uint32_t)op->args[j];
		if ((life & (1u << j)) && g->ts[t].reg >= 0 && !is_const(g, t) && g->ts[t].pin < 0)
			return g->ts[t].reg;
	}
	return x86_ra_alloc_reg(g, 0);
}

/* Bind the op's output to @r; a dead output is dropped at once. */
void x86_ra_set_out(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int r)
{
	uint32_t d = (uint32_t)op->args[0];

	if (g->ts[d].pin >= 0 && r != g->ts[d].pin) {
		x86_mov_rr(&g->b, true, g->ts[d].pin, r);
		r = g->ts[d].pin;
	}
	x86_ra_bind(g, d, r, false);
	if (life & 1) {
		if (is_global(g, d))
			g->ts[d].in_mem = true; /* overwritten before observed */
		unbind(g, r);
	}
}

/*
 * Write back dirty globals; @drop also forgets their registers. Only temps
 * held in registers can be dirty: this and the other write-backs walk the
 * 16 registers, not the globals or every temp of the block.
 */
void x86_ra_sync_globals(struct x86_gen *g, bool drop)
{
	for (int r = 0; r < 16; r++) {
		int32_t t = g->reg_temp[r];

		if (t < 0 || (uint32_t)t >= g->ir->n_globals)
			continue;
		sync_temp(g, (uint32_t)t);
		if (drop)
			unbind(g, r);
	}
}

static void sync_locals(struct x86_gen *g)
{
	for (int r = 0; r < 16; r++) {
		int32_t t = g->reg_temp[r];

		if (t >= 0 && g->ir->temps[t].kind == TCG_TEMP_LOCAL)
			sync_temp(g, (uint32_t)t);
	}
}

void x86_ra_free_all(struct x86_gen *g)
{
	for (int r = 0; r < 16; r++)
		unbind(g, r);
}

/* Block boundary: everything that outlives it goes to memory. */
void x86_ra_sync_all(struct x86_gen *g, bool drop)
{
	x86_ra_sync_globals(g, false);
	sync_locals(g);
	if (drop)
		x86_ra_free_all(g);
}

/*
 * Branches and labels inside a self-loop: the pinned globals stay in their
 * registers for the whole block, so they are written back only where the
 * block is left (exit_tb, goto_tb to another block, goto_ptr), before
 * helpers and in slow paths - not on every iteration. After a label they
 * count as dirty (any path may have changed them).
 */
void x86_ra_sync_branch(struct x86_gen *g, bool drop)
{
	for (int r = 0; r < 16; r++) {
		int32_t t = g->reg_temp[r];

		if (t >= 0 && (uint32_t)t < g->ir->n_globals && g->ts[t].pin < 0)
			sync_temp(g, (uint32_t)t);
	}
	sync_locals(g);
	if (drop)
		x86_ra_free_all(g);
}

void x86_ra_pinned_dirty(struct x86_gen *g)
{
	for (uint32_t t = 0; t < g->ir->n_globals; t++) {
		if (g->ts[t].pin >= 0 && g->ts[t].pin_wr)
			g->ts[t].in_mem = false;
	}
}
