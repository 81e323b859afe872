/*
 * The IR optimizer. A forward pass over each extended basic block tracks,
 * per temp, a known constant, a copy source, the bits that may be set
 * (z_mask) and how many high bits are copies of the sign (sign width);
 * each op's fold_<op>() uses them to replace the op by a constant, a
 * copy, or a cheaper op. A backward pass then deletes ops whose results
 * are never read (dead-code elimination).
 *
 * Facts are forgotten at labels (several predecessors) and, for globals,
 * at helper calls that may write them.
 */
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/ir.h"

struct temp_info {
	bool is_const;
	uint64_t val;
	uint64_t z_mask;    /* bits that may be 1 */
	uint8_t sign_width; /* value == sext(value, sign_width) */
	uint32_t copy_of;   /* TCG_NONE_IDX if none */
	uint32_t copy_ver;  /* version of copy_of when copied */
	uint32_t version;   /* bumped on every write */
	uint32_t extrl_of;  /* i32 temp = low half of this i64 temp (or NONE_IDX) */
	uint32_t extrl_ver; /* its version then */
	uint32_t shl32_of;  /* i64 temp = this i64 temp << 32 (or NONE_IDX) */
	uint32_t shl32_ver; /* its version then */
	uint32_t epoch;	    /* the facts hold while this is struct opt's epoch */
};

#define NONE_IDX 0xffffffffu

/*
 * CPU-struct fields stored in this extended basic block (st_env) whose
 * value is still in a temp: a later ld_env of the same field becomes a
 * copy. Forgotten at labels and calls (a helper may write any field);
 * guest memory never aliases the CPU struct.
 */
#define OPT_ENV_FWD 8

struct env_fwd {
	int64_t off;
	uint32_t mo;
	uint8_t type;
	uint32_t temp, ver; /* NONE_IDX: unused */
};

#define OPT_CONST_CACHE_BITS 6

struct opt {
	struct tcg_ir *ir;
	struct temp_info *ti;
	/*
	 * Forgetting every temp (at a label) bumps the epoch: a temp's facts
	 * are reset when next looked at (tinfo()), not all at once.
	 */
	uint32_t epoch;
	/* Constants this pass made, by value: reused instead of made again. */
	uint32_t const_cache[1u << OPT_CONST_CACHE_BITS];
	struct env_fwd env[OPT_ENV_FWD];
};

static uint64_t type_mask(enum tcg_type t)
{
	return t == TCG_TYPE_I32 ? 0xffffffffULL : ~0ULL;
}

static unsigned type_bits(enum tcg_type t)
{
	return t == TCG_TYPE_I32 ? 32 : 64;
}

/* Smallest w such that v (as a 64-bit value) is sign-extended from w bits. */
static uint8_t sign_width_of(uint64_t v)
{
	/* 64 minus the redundant copies of the sign bit. */
	return (uint8_t)(64 - __builtin_clrsbll((long long)v));
}

static void info_reset(struct opt *o, uint32_t t)
{
	struct temp_info *ti = &o->ti[t];
	const struct tcg_temp *tp = &o->ir->temps[t];

	ti->epoch = o->epoch;
	ti->copy_of = NONE_IDX;
	ti->extrl_of = NONE_IDX;
	ti->shl32_of = NONE_IDX;
	if (tp->kind == TCG_TEMP_CONST) {
		ti->is_const = true;
		ti->val = (uint64_t)tp->val;
		ti->z_mask = ti->val;
		ti->sign_width = sign_width_of(ti->val);
	} else {
		ti->is_const = false;
		ti->z_mask = type_mask((enum tcg_type)tp->type);
		ti->sign_width = 64;
	}
}

/*
 * The facts about temp @t, forgotten first if the epoch moved on since they
 * were recorded (a write of the temp bumps its version: so does forgetting).
 */
static struct temp_info *tinfo(struct opt *o, uint32_t t)
{
	struct temp_info *ti = &o->ti[t];

	if (ti->epoch != o->epoch) {
		info_reset(o, t);
		ti->version++;
	}
	return ti;
}

static void forget_globals(struct opt *o)
{
	for (uint32_t t = 0; t < o->ir->n_globals; t++) {
		info_reset(o, t);
		o->ti[t].version++;
	}
}

/*
 * Forget everything about every temp (at a label, and at the block's start):
 * a fresh epoch makes all facts stale. Constant temps get theirs back.
 */
static void forget_all(struct opt *o)
{
	/* After 2^32 epochs an old stamp could match again: clear them all. */
	if (++o->epoch == 0) {
		for (uint32_t t = 0; t < TCG_MAX_TEMPS; t++)
			o->ti[t].epoch = 0;
		o->epoch = 1;
	}
}

/* A constant temp of @type with value @v: reuse a recent one or add one. */
static bool const_temp(struct opt *o, enum tcg_type type, uint64_t v, uint32_t *out)
{
	struct tcg_ir *ir = o->ir;
	uint32_t *slot, t;

	v &= type_mask(type);
	slot = &o->const_cache[(v * 0x9e3779b97f4a7c15ULL + type) >> (64 - OPT_CONST_CACHE_BITS)];
	t = *slot;
	if (t < ir->n_temps && ir->temps[t].kind == TCG_TEMP_CONST && ir->temps[t].type == type &&
	    (uint64_t)ir->temps[t].val == v && tinfo(o, t)->is_const) {
		*out = t;
		return true;
	}
	if (ir->n_temps >= TCG_MAX_TEMPS)
		return false;
	memset(&ir->temps[ir->n_temps], 0, sizeof(ir->temps[0]));
	ir->temps[ir->n_temps].kind = TCG_TEMP_CONST;
	ir->temps[ir->n_temps].type = (uint8_t)type;
	ir->temps[ir->n_temps].val = (int64_t)v;
	*out = *slot = ir->n_temps++;
	memset(&o->ti[*out], 0, sizeof(o->ti[0]));
	info_reset(o, *out);
	return true;
}

/* Record the facts about output @d after @op computed it. */
static void set_output(struct opt *o, uint32_t d, uint64_t z_mask, uint8_t sign_width)
{
	struct temp_info *ti = tinfo(o, d);

	ti->version++;
	ti->is_const = false;
	ti->copy_of = NONE_IDX;
	ti->extrl_of = NONE_IDX;
	ti->shl32_of = NONE_IDX;
	ti->z_mask = z_mask;
	ti->sign_width = sign_width;
}

static void make_mov(struct opt *o, struct tcg_op *op, uint32_t src)
{
	uint32_t d = (uint32_t)op->args[0];
	struct temp_info *s = tinfo(o, src);

	if (d == src) {
		op->opc = TCG_OP_nop; /* d = d */
		return;
	}
	op->opc = TCG_OP_mov;
	op->args[1] = src;
	set_output(o, d, s->z_mask, s->sign_width);
	if (s->is_const) {
		tinfo(o, d)->is_const = true;
		tinfo(o, d)->val = s->val;
	} else {
		tinfo(o, d)->copy_of = src;
		tinfo(o, d)->copy_ver = s->version;
	}
}

/* Replace @op by d = constant @v. False if no temp could be made. */
static bool make_const(struct opt *o, struct tcg_op *op, uint64_t v)
{
	uint32_t c;

	if (!const_temp(o, (enum tcg_type)op->type, v, &c))
		return false;
	make_mov(o, op, c);
	return true;
}

static struct temp_info *arg_info(struct opt *o, const struct tcg_op *op, unsigned i)
{
	return tinfo(o, op->args[i]);
}

static bool arg_is_const(struct opt *o, const struct tcg_op *op, unsigned i, uint64_t v)
{
	const struct temp_info *t = arg_info(o, op, i);
	return t->is_const && t->val == (v & type_mask((enum tcg_type)op->type));
}

/* Fold an op whose inputs are all constants. */
static bool fold_consts(struct opt *o, struct tcg_op *op)
{
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op), nk = tcg_op_nconst(op);
	uint64_t in[4] = {0}, k[2] = {0};

	for (unsigned i = 0; i < ni; i++) {
		const struct temp_info *t = arg_info(o, op, no + i);
		if (!t->is_const)
			return false;
		in[i] = t->val;
	}
	for (unsigned i = 0; i < nk && i < 2; i++)
		k[i] = op->args[no + ni + i];
	return make_const(o, op, tcg_eval_op(op->opc, (enum tcg_type)op->type, in, k));
}

static bool same_arg(const struct tcg_op *op, unsigned i, unsigned j)
{
	return op->args[i] == op->args[j];
}

/* ---- one fold_<op>() per op: true when the op was rewritten/handled ---- */

static bool fold_add(struct opt *o, struct tcg_op *op)
{
	if (arg_is_const(o, op, 2, 0))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (arg_is_const(o, op, 1, 0))
		return make_mov(o, op, (uint32_t)op->args[2]), true;
	return false;
}

static bool fold_sub(struct opt *o, struct tcg_op *op)
{
	if (same_arg(op, 1, 2))
		return make_const(o, op, 0);
	if (arg_is_const(o, op, 2, 0))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	return false;
}

static bool fold_mul(struct opt *o, struct tcg_op *op)
{
	if (arg_is_const(o, op, 2, 0) || arg_is_const(o, op, 1, 0))
		return make_const(o, op, 0);
	if (arg_is_const(o, op, 2, 1))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (arg_is_const(o, op, 1, 1))
		return make_mov(o, op, (uint32_t)op->args[2]), true;
	return false;
}

static bool fold_and(struct opt *o, struct tcg_op *op)
{
	const struct temp_info *a = arg_info(o, op, 1), *b = arg_info(o, op, 2);

	if (arg_is_const(o, op, 2, 0) || arg_is_const(o, op, 1, 0))
		return make_const(o, op, 0);
	if (same_arg(op, 1, 2))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	/* Masking bits that are already known zero changes nothing. */
	if (b->is_const && (a->z_mask & ~b->val) == 0)
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (a->is_const && (b->z_mask & ~a->val) == 0)
		return make_mov(o, op, (uint32_t)op->args[2]), true;
	return false;
}

static bool fold_or(struct opt *o, struct tcg_op *op)
{
	if (same_arg(op, 1, 2) || arg_is_const(o, op, 2, 0))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (arg_is_const(o, op, 1, 0))
		return make_mov(o, op, (uint32_t)op->args[2]), true;
	if (arg_is_const(o, op, 2, ~0ULL) || arg_is_const(o, op, 1, ~0ULL))
		return make_const(o, op, ~0ULL);
	return false;
}

static bool fold_xor(struct opt *o, struct tcg_op *op)
{
	if (same_arg(op, 1, 2))
		return make_const(o, op, 0);
	if (arg_is_const(o, op, 2, 0))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (arg_is_const(o, op, 1, 0))
		return make_mov(o, op, (uint32_t)op->args[2]), true;
	return false;
}

static bool fold_andc(struct opt *o, struct tcg_op *op)
{
	if (same_arg(op, 1, 2))
		return make_const(o, op, 0);
	if (arg_is_const(o, op, 2, 0))
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	return false;
}

static bool fold_shift(struct opt *o, struct tcg_op *op)
{
	const struct temp_info *a = arg_info(o, op, 1), *b = arg_info(o, op, 2);

	/* (x << 32) >> 32 (RISC-V's slli+srli/srai idiom): one extension of x. */
	if (op->type == TCG_TYPE_I64 && op->opc != TCG_OP_shl && b->is_const && b->val == 32 &&
	    a->shl32_of != NONE_IDX && tinfo(o, a->shl32_of)->version == a->shl32_ver) {
		op->args[1] = a->shl32_of;
		op->opc = op->opc == TCG_OP_shr ? TCG_OP_ext32u : TCG_OP_ext32s;
		return false; /* compute_output() describes the extension */
	}
	if (b->is_const && (b->val & (type_bits((enum tcg_type)op->type) - 1)) == 0)
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	if (arg_is_const(o, op, 1, 0) && op->opc != TCG_OP_sar)
		return make_const(o, op, 0);
	return false;
}

static bool fold_div(struct opt *o, struct tcg_op *op)
{
	/* x / 1 == x for both signednesses; x % 1 == 0. */
	if (!arg_is_const(o, op, 2, 1))
		return false;
	if (op->opc == TCG_OP_div || op->opc == TCG_OP_divu)
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	return make_const(o, op, 0);
}

/* ext8u/16u/32u: a value whose possibly-set bits fit needs no extension. */
static bool fold_extu(struct opt *o, struct tcg_op *op, unsigned bits)
{
	const struct temp_info *a = arg_info(o, op, 1);

	if ((a->z_mask >> bits) == 0)
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	return false;
}

/* ext8s/16s/32s: a value already sign-extended from <= bits needs none. */
static bool fold_exts(struct opt *o, struct tcg_op *op, unsigned bits)
{
	const struct temp_info *a = arg_info(o, op, 1);

	if (op->type == TCG_TYPE_I64 && a->sign_width <= bits)
		return make_mov(o, op, (uint32_t)op->args[1]), true;
	return false;
}

static bool fold_setcond(struct opt *o, struct tcg_op *op)
{
	enum tcg_cond c = (enum tcg_cond)op->args[3];

	if (same_arg(op, 1, 2))
		return make_const(o, op,
				  c == TCG_COND_EQ || c == TCG_COND_GE || c == TCG_COND_LE ||
				      c == TCG_COND_GEU || c == TCG_COND_LEU);
	return false;
}

static bool fold_movcond(struct opt *o, struct tcg_op *op)
{
	const struct temp_info *a = arg_info(o, op, 1), *b = arg_info(o, op, 2);
	enum tcg_cond c = (enum tcg_cond)op->args[5];

	if (same_arg(op, 3, 4))
		return make_mov(o, op, (uint32_t)op->args[3]), true;
	if (a->is_const && b->is_const) {
		bool t = tcg_cond_eval(c, (enum tcg_type)op->type, a->val, b->val);
		return make_mov(o, op, (uint32_t)op->args[t ? 3 : 4]), true;
	}
	return false;
}

static bool fold_brcond(struct opt *o, struct tcg_op *op)
{
	const struct temp_info *a = arg_info(o, op, 0), *b = arg_info(o, op, 1);
	uint64_t label = op->args[3];

	if (!a->is_const || !b->is_const)
		return false;
	if (tcg_cond_eval((enum tcg_cond)op->args[2], (enum tcg_type)op->type, a->val, b->val)) {
		op->opc = TCG_OP_br;
		op->args[0] = label;
	} else {
		op->opc = TCG_OP_nop;
	}
	return true;
}

static bool fold_op(struct opt *o, struct tcg_op *op)
{
	switch (op->opc) {
	case TCG_OP_add:
		return fold_add(o, op);
	case TCG_OP_sub:
		return fold_sub(o, op);
	case TCG_OP_mul:
		return fold_mul(o, op);
	case TCG_OP_and:
		return fold_and(o, op);
	case TCG_OP_or:
		return fold_or(o, op);
	case TCG_OP_xor:
		return fold_xor(o, op);
	case TCG_OP_andc:
		return fold_andc(o, op);
	case TCG_OP_shl:
	case TCG_OP_shr:
	case TCG_OP_sar:
	case TCG_OP_rotl:
	case TCG_OP_rotr:
		return fold_shift(o, op);
	case TCG_OP_div:
	case TCG_OP_divu:
	case TCG_OP_rem:
	case TCG_OP_remu:
		return fold_div(o, op);
	case TCG_OP_ext8u:
		return fold_extu(o, op, 8);
	case TCG_OP_ext16u:
		return fold_extu(o, op, 16);
	case TCG_OP_ext32u:
		return fold_extu(o, op, 32);
	case TCG_OP_ext8s:
		return fold_exts(o, op, 8);
	case TCG_OP_ext16s:
		return fold_exts(o, op, 16);
	case TCG_OP_ext32s:
		return fold_exts(o, op, 32);
	case TCG_OP_setcond:
		return fold_setcond(o, op);
	case TCG_OP_movcond:
		return fold_movcond(o, op);
	default:
		return false;
	}
}

/* Known bits of an op's result from its inputs (after no fold applied). */
static void compute_output(struct opt *o, struct tcg_op *op)
{
	enum tcg_type t = (enum tcg_type)op->type;
	uint64_t m = type_mask(t), z = m;
	uint8_t sw = 64;
	const struct temp_info *a = NULL, *b = NULL;

	if (tcg_op_nin(op) >= 1 && op->opc != TCG_OP_call)
		a = arg_info(o, op, 1);
	if (tcg_op_nin(op) >= 2 && op->opc != TCG_OP_call)
		b = arg_info(o, op, 2);
	switch (op->opc) {
	case TCG_OP_and:
		z = a->z_mask & b->z_mask;
		sw = MAX(a->sign_width, b->sign_width);
		break;
	case TCG_OP_or:
	case TCG_OP_xor:
		z = a->z_mask | b->z_mask;
		sw = MAX(a->sign_width, b->sign_width);
		break;
	/* Bitwise ops keep the sign copies both inputs have (sext W-op results). */
	case TCG_OP_andc:
	case TCG_OP_orc:
	case TCG_OP_eqv:
	case TCG_OP_smin:
	case TCG_OP_smax:
		sw = MAX(a->sign_width, b->sign_width);
		break;
	case TCG_OP_not:
		sw = a->sign_width;
		break;
	case TCG_OP_sar:
		if (b->is_const && b->val < 64)
			sw = (uint8_t)MAX(1, (int)a->sign_width - (int)b->val);
		break;
	case TCG_OP_ext8u:
		z = a->z_mask & 0xff;
		break;
	case TCG_OP_ext16u:
		z = a->z_mask & 0xffff;
		break;
	case TCG_OP_ext32u:
	case TCG_OP_extu_i32_i64:
		z = a->z_mask & 0xffffffff;
		break;
	case TCG_OP_ext8s:
		sw = 8;
		break;
	case TCG_OP_ext16s:
		sw = 16;
		break;
	case TCG_OP_ext32s:
	case TCG_OP_ext_i32_i64:
		sw = 32;
		break;
	case TCG_OP_setcond:
		z = 1;
		break;
	case TCG_OP_extract:
		z = op->args[3] >= 64 ? ~0ULL : (1ULL << op->args[3]) - 1;
		break;
	case TCG_OP_sextract:
		sw = (uint8_t)op->args[3];
		break;
	case TCG_OP_clz:
	case TCG_OP_ctz:
		z = b->z_mask | 127;
		break;
	case TCG_OP_ctpop:
		z = 127;
		break;
	case TCG_OP_ld_env:
	case TCG_OP_guest_ld: {
		uint32_t mo = (uint32_t)op->args[2]; /* both: [d, off|addr, memop] */
		unsigned bits = 8u << (mo & TCG_MO_SIZE);
		if (bits < 64 && !(mo & TCG_MO_SIGN))
			z = (1ULL << bits) - 1;
		else if (bits < 64)
			sw = (uint8_t)bits;
		break;
	}
	default:
		break;
	}
	z &= m;
	if (t == TCG_TYPE_I32)
		sw = 64; /* i32 slots are zero-extended: no sign copies above bit 31 */
	/* A value that cannot be negative is sign-extended from its top bit + 1. */
	if (z == 0)
		sw = 1;
	else if (!(z >> 63))
		sw = MIN(sw, (uint8_t)(64 - __builtin_clzll(z) + 1));
	for (unsigned i = 0; i < tcg_op_nout(op); i++)
		set_output(o, (uint32_t)op->args[i], z, sw);
}

/* Replace inputs by known constants or the temps they are still copies of. */
static void propagate_copies(struct opt *o, struct tcg_op *op)
{
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);

	for (unsigned i = no; i < no + ni; i++) {
		const struct temp_info *t = tinfo(o, op->args[i]);
		const struct tcg_temp *tp = &o->ir->temps[op->args[i]];
		uint32_t c;
		if (t->is_const && tp->kind != TCG_TEMP_CONST) {
			if (const_temp(o, (enum tcg_type)tp->type, t->val, &c))
				op->args[i] = c;
			continue;
		}
		if (t->copy_of != NONE_IDX && tinfo(o, t->copy_of)->version == t->copy_ver)
			op->args[i] = t->copy_of;
	}
}

static bool foldable(const struct tcg_op *op)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];

	return def->n_out == 1 && !(def->flags & (TCG_OPF_SIDE | TCG_OPF_VARARGS)) &&
	       op->opc != TCG_OP_ld_env;
}

/*
 * Widening the low half of an i64 back to i64 (what W instructions do):
 * ext_i32_i64(extrl_i64_i32(x)) == ext32s(x), extu... == ext32u(x).
 */
static void canonicalize_ext(struct opt *o, struct tcg_op *op)
{
	const struct temp_info *t;

	if (op->opc != TCG_OP_ext_i32_i64 && op->opc != TCG_OP_extu_i32_i64)
		return;
	t = arg_info(o, op, 1);
	if (t->extrl_of == NONE_IDX || tinfo(o, t->extrl_of)->version != t->extrl_ver)
		return;
	op->opc = op->opc == TCG_OP_ext_i32_i64 ? TCG_OP_ext32s : TCG_OP_ext32u;
	op->args[1] = t->extrl_of;
}

/* d = x << 32 with x a variable: remember x for fold_shift(). */
static void record_shl32(struct opt *o, const struct tcg_op *op)
{
	struct temp_info *d = tinfo(o, op->args[0]);
	const struct temp_info *b = arg_info(o, op, 2);
	uint32_t src = (uint32_t)op->args[1];

	if (op->type != TCG_TYPE_I64 || !b->is_const || b->val != 32 || src == op->args[0] ||
	    o->ir->temps[src].kind == TCG_TEMP_CONST)
		return;
	d->shl32_of = src;
	d->shl32_ver = tinfo(o, src)->version;
}

static void record_extrl(struct opt *o, const struct tcg_op *op)
{
	struct temp_info *d = tinfo(o, op->args[0]);
	uint32_t src = (uint32_t)op->args[1];

	if (o->ir->temps[src].kind == TCG_TEMP_CONST)
		return;
	d->extrl_of = src;
	d->extrl_ver = tinfo(o, src)->version;
}

static void env_forget(struct opt *o)
{
	for (unsigned i = 0; i < OPT_ENV_FWD; i++)
		o->env[i].temp = NONE_IDX;
}

static unsigned env_size(uint32_t mo)
{
	return 1u << (mo & TCG_MO_SIZE);
}

/* st_env [val, off, mo]: drop overlapping entries, remember this one. */
static void env_store(struct opt *o, const struct tcg_op *op)
{
	int64_t off = (int64_t)op->args[1];
	uint32_t mo = (uint32_t)op->args[2], val = (uint32_t)op->args[0];
	struct env_fwd *free_e = NULL;

	for (unsigned i = 0; i < OPT_ENV_FWD; i++) {
		struct env_fwd *e = &o->env[i];
		if (e->temp != NONE_IDX && e->off < off + env_size(mo) && off < e->off + env_size(e->mo))
			e->temp = NONE_IDX;
		if (e->temp == NONE_IDX && !free_e)
			free_e = e;
	}
	/* only full-width stores: a narrower one keeps part of the temp */
	if (!free_e || o->ir->temps[val].kind == TCG_TEMP_CONST ||
	    env_size(mo) != type_bits((enum tcg_type)op->type) / 8)
		return;
	*free_e = (struct env_fwd){
	    .off = off, .mo = mo, .type = op->type, .temp = val, .ver = tinfo(o, val)->version};
}

/* ld_env [d, off, mo] of a field stored earlier with the same memop: a copy. */
static bool env_load(struct opt *o, struct tcg_op *op)
{
	for (unsigned i = 0; i < OPT_ENV_FWD; i++) {
		const struct env_fwd *e = &o->env[i];
		if (e->temp != NONE_IDX && e->off == (int64_t)op->args[1] &&
		    e->mo == (uint32_t)op->args[2] && e->type == op->type &&
		    tinfo(o, e->temp)->version == e->ver) {
			make_mov(o, op, e->temp);
			return true;
		}
	}
	return false;
}

/*
 * Constants second in commutative ops ("add x, $c"), as the rules and the
 * backends' immediate forms expect: RISC-V code often builds a constant
 * first (li a5, 0x800; add a5, a5, a4).
 */
static void canonicalize_commutative(struct opt *o, struct tcg_op *op)
{
	switch (op->opc) {
	case TCG_OP_add:
	case TCG_OP_mul:
	case TCG_OP_mulsh:
	case TCG_OP_muluh:
	case TCG_OP_and:
	case TCG_OP_or:
	case TCG_OP_xor:
	case TCG_OP_eqv:
	case TCG_OP_smin:
	case TCG_OP_smax:
	case TCG_OP_umin:
	case TCG_OP_umax:
		if (arg_info(o, op, 1)->is_const && !arg_info(o, op, 2)->is_const) {
			uint64_t t = op->args[1];

			op->args[1] = op->args[2];
			op->args[2] = t;
		}
		break;
	default:
		break;
	}
}

static void forward_op(struct opt *o, struct tcg_op *op)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];

	if (op->opc == TCG_OP_nop || op->opc == TCG_OP_insn_start)
		return;
	propagate_copies(o, op);
	if (op->opc == TCG_OP_set_label) {
		forget_all(o);
		env_forget(o);
		return;
	}
	if (op->opc == TCG_OP_ld_env && env_load(o, op))
		return;
	if (op->opc == TCG_OP_st_env)
		env_store(o, op);
	if (op->opc == TCG_OP_mov) {
		make_mov(o, op, (uint32_t)op->args[1]);
		return;
	}
	if (op->opc == TCG_OP_brcond) {
		fold_brcond(o, op);
		return;
	}
	canonicalize_ext(o, op);
	canonicalize_commutative(o, op);
	if (foldable(op) && (fold_consts(o, op) || fold_op(o, op)))
		return;
	compute_output(o, op);
	if (op->opc == TCG_OP_extrl_i64_i32 && tinfo(o, op->args[1])->copy_of == NONE_IDX)
		record_extrl(o, op);
	if (op->opc == TCG_OP_shl)
		record_shl32(o, op);
	if ((def->flags & TCG_OPF_VARARGS) && !(tcg_op_helper(op)->flags & TCG_CALL_NO_WG))
		forget_globals(o);
	if (def->flags & TCG_OPF_VARARGS)
		env_forget(o);
}

/* ---- dead-code elimination ---- */

static bool op_removable(const struct tcg_op *op)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];

	if (op->opc == TCG_OP_call)
		return (tcg_op_helper(op)->flags & TCG_CALL_PURE) == TCG_CALL_PURE;
	return !(def->flags & TCG_OPF_SIDE) && op->opc != TCG_OP_nop;
}

/*
 * Where is guest state observable? At block ends, labels and branches,
 * and at ops that may raise or call out: all globals must be in place.
 */
static bool globals_needed(const struct tcg_op *op)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];

	if (op->opc == TCG_OP_call)
		return (tcg_op_helper(op)->flags & (TCG_CALL_NO_RG | TCG_CALL_NO_RAISE)) !=
		       (TCG_CALL_NO_RG | TCG_CALL_NO_RAISE);
	return def->flags & (TCG_OPF_BB_END | TCG_OPF_MAY_RAISE);
}

static void set_live(uint8_t *live, const uint32_t *temps, uint32_t n, uint8_t v)
{
	for (uint32_t i = 0; i < n; i++)
		live[temps[i]] = v;
}

/* @list: room for ir->n_temps indexes. */
static void dce(struct tcg_ir *ir, uint8_t *live, uint32_t *list)
{
	uint32_t n_local, n_normal;
	uint32_t *normal = tcg_ir_locals_normals(ir, list, &n_local, &n_normal);

	memset(live, 0, ir->n_temps);
	memset(live, 1, ir->n_globals);
	set_live(live, list, n_local, 1);
	for (unsigned i = ir->n_ops; i-- > 0;) {
		struct tcg_op *op = &ir->ops[i];
		unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);
		bool any_live = false;

		if (op->opc == TCG_OP_nop)
			continue;
		for (unsigned j = 0; j < no; j++)
			any_live |= live[op->args[j]] != 0;
		if (no && !any_live && op_removable(op)) {
			op->opc = TCG_OP_nop;
			continue;
		}
		for (unsigned j = 0; j < no; j++)
			live[op->args[j]] = 0;
		if (tcg_op_defs[op->opc].flags & TCG_OPF_BB_END) {
			/* Normal temps never live across a block boundary we can see. */
			if (op->opc == TCG_OP_set_label)
				set_live(live, normal, n_normal, 0);
			set_live(live, list, n_local, 1);
		}
		if (globals_needed(op))
			memset(live, 1, ir->n_globals);
		for (unsigned j = no; j < no + ni; j++)
			live[op->args[j]] = 1;
	}
}

struct tcg_opt_scratch {
	struct temp_info ti[TCG_MAX_TEMPS]; /* epoch 0: never valid */
	uint8_t live[TCG_MAX_TEMPS];
	uint32_t list[TCG_MAX_TEMPS];
	uint32_t epoch; /* the last one used, carried from block to block */
};

struct tcg_opt_scratch *tcg_opt_scratch_new(void)
{
	return calloc(1, sizeof(struct tcg_opt_scratch));
}

void tcg_opt_scratch_free(struct tcg_opt_scratch *s)
{
	free(s);
}

void tcg_optimize(struct tcg_ir *ir)
{
	struct tcg_opt_scratch *sc = ir->opt_scratch;
	struct temp_info *ti = sc->ti;
	uint8_t *live = sc->live;
	uint32_t *list = sc->list;
	struct opt o = {.ir = ir, .ti = ti, .epoch = sc->epoch};

	memset(o.const_cache, 0xff, sizeof(o.const_cache));
	forget_all(&o); /* facts of earlier blocks */
	env_forget(&o);
	for (unsigned i = 0; i < ir->n_ops; i++)
		forward_op(&o, &ir->ops[i]);
	sc->epoch = o.epoch;
	dce(ir, live, list);
}
