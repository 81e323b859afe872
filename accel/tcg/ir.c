/*
 * The op table, condition helpers, constant evaluation of ops (shared by
 * the interpreter and the optimizer) and the canonical IR printer.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "accel/tcg/ir.h"

const struct tcg_op_def tcg_op_defs[TCG_NB_OPS] = {
#define TCG_OP_DEF(nm, o, i, c, f)                                                                 \
	[TCG_OP_##nm] = {.name = #nm, .n_out = o, .n_in = i, .n_const = c, .flags = f},
    TCG_OPS(TCG_OP_DEF)
#undef TCG_OP_DEF
};

static const char *const cond_names[TCG_NB_CONDS] = {
    "eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu",
};

enum tcg_cond tcg_cond_invert(enum tcg_cond c)
{
	static const uint8_t inv[TCG_NB_CONDS] = {
	    [TCG_COND_EQ] = TCG_COND_NE,   [TCG_COND_NE] = TCG_COND_EQ,
	    [TCG_COND_LT] = TCG_COND_GE,   [TCG_COND_GE] = TCG_COND_LT,
	    [TCG_COND_LE] = TCG_COND_GT,   [TCG_COND_GT] = TCG_COND_LE,
	    [TCG_COND_LTU] = TCG_COND_GEU, [TCG_COND_GEU] = TCG_COND_LTU,
	    [TCG_COND_LEU] = TCG_COND_GTU, [TCG_COND_GTU] = TCG_COND_LEU,
	};
	return (enum tcg_cond)inv[c];
}

enum tcg_cond tcg_cond_swap(enum tcg_cond c)
{
	static const uint8_t sw[TCG_NB_CONDS] = {
	    [TCG_COND_EQ] = TCG_COND_EQ,   [TCG_COND_NE] = TCG_COND_NE,
	    [TCG_COND_LT] = TCG_COND_GT,   [TCG_COND_GE] = TCG_COND_LE,
	    [TCG_COND_LE] = TCG_COND_GE,   [TCG_COND_GT] = TCG_COND_LT,
	    [TCG_COND_LTU] = TCG_COND_GTU, [TCG_COND_GEU] = TCG_COND_LEU,
	    [TCG_COND_LEU] = TCG_COND_GEU, [TCG_COND_GTU] = TCG_COND_LTU,
	};
	return (enum tcg_cond)sw[c];
}

bool tcg_cond_eval(enum tcg_cond c, enum tcg_type type, uint64_t a, uint64_t b)
{
	int64_t sa, sb;

	if (type == TCG_TYPE_I32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
		sa = (int32_t)a;
		sb = (int32_t)b;
	} else {
		sa = (int64_t)a;
		sb = (int64_t)b;
	}
	switch (c) {
	case TCG_COND_EQ:
		return a == b;
	case TCG_COND_NE:
		return a != b;
	case TCG_COND_LT:
		return sa < sb;
	case TCG_COND_GE:
		return sa >= sb;
	case TCG_COND_LE:
		return sa <= sb;
	case TCG_COND_GT:
		return sa > sb;
	case TCG_COND_LTU:
		return a < b;
	case TCG_COND_GEU:
		return a >= b;
	case TCG_COND_LEU:
		return a <= b;
	case TCG_COND_GTU:
		return a > b;
	default:
		return false;
	}
}

/* High 64 bits of 128-bit products. */
static uint64_t mulu_hi(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t muls_hi(uint64_t a, uint64_t b)
{
	return (uint64_t)((__int128)(int64_t)a * (int64_t)b >> 64);
}

static uint64_t mulsu_hi(uint64_t a, uint64_t b)
{
	return (uint64_t)((__int128)(int64_t)a * (__int128)(unsigned __int128)b >> 64);
}

static uint64_t eval_mulh(unsigned opc, bool w32, uint64_t a, uint64_t b)
{
	if (w32) {
		int64_t sa = (int32_t)a;
		uint64_t ua = (uint32_t)a, ub = (uint32_t)b;
		if (opc == TCG_OP_mulsh)
			return (uint64_t)(sa * (int64_t)(int32_t)b) >> 32;
		if (opc == TCG_OP_muluh)
			return (ua * ub) >> 32;
		return (uint64_t)(sa * (int64_t)ub) >> 32;
	}
	if (opc == TCG_OP_mulsh)
		return muls_hi(a, b);
	if (opc == TCG_OP_muluh)
		return mulu_hi(a, b);
	return mulsu_hi(a, b);
}

/* unpriv spec §13.2: division by zero and overflow have defined results. */
static uint64_t eval_div(unsigned opc, bool w32, uint64_t a, uint64_t b)
{
	int64_t smin = w32 ? INT32_MIN : INT64_MIN;
	int64_t sa = w32 ? (int32_t)a : (int64_t)a, sb = w32 ? (int32_t)b : (int64_t)b;
	uint64_t ua = w32 ? (uint32_t)a : a, ub = w32 ? (uint32_t)b : b;

	switch (opc) {
	case TCG_OP_div:
		if (sb == 0)
			return ~0ULL;
		if (sa == smin && sb == -1)
			return (uint64_t)smin;
		return (uint64_t)(sa / sb);
	case TCG_OP_divu:
		return ub == 0 ? ~0ULL : ua / ub;
	case TCG_OP_rem:
		if (sb == 0)
			return (uint64_t)sa;
		if (sa == smin && sb == -1)
			return 0;
		return (uint64_t)(sa % sb);
	default: /* remu */
		return ub == 0 ? ua : ua % ub;
	}
}

static uint64_t eval_bits(unsigned opc, unsigned w, uint64_t a, uint64_t b)
{
	uint64_t m = w == 32 ? 0xffffffffULL : ~0ULL;

	a &= m;
	switch (opc) {
	case TCG_OP_clz:
		return a ? (uint64_t)(__builtin_clzll(a) - (64 - w)) : b;
	case TCG_OP_ctz:
		return a ? (uint64_t)__builtin_ctzll(a) : b;
	case TCG_OP_ctpop:
		return (uint64_t)__builtin_popcountll(a);
	default: /* bswap */
		return w == 32 ? __builtin_bswap32((uint32_t)a) : __builtin_bswap64(a);
	}
}

static uint64_t eval_shift(unsigned opc, unsigned w, uint64_t a, uint64_t b)
{
	unsigned n = (unsigned)b & (w - 1);
	uint64_t m = w == 32 ? 0xffffffffULL : ~0ULL;

	a &= m;
	switch (opc) {
	case TCG_OP_shl:
		return a << n;
	case TCG_OP_shr:
		return a >> n;
	case TCG_OP_sar:
		return w == 32 ? (uint64_t)((int32_t)a >> n) : (uint64_t)((int64_t)a >> n);
	case TCG_OP_rotl:
		return n ? (a << n) | (a >> (w - n)) : a;
	default: /* rotr */
		return n ? (a >> n) | (a << (w - n)) : a;
	}
}

static uint64_t field_mask(unsigned len)
{
	return len >= 64 ? ~0ULL : (1ULL << len) - 1;
}

static uint64_t eval_field(unsigned opc, uint64_t a, uint64_t b, const uint64_t *k)
{
	unsigned pos = (unsigned)k[0], len = (unsigned)k[1];
	uint64_t m = field_mask(len);

	switch (opc) {
	case TCG_OP_extract:
		return (a >> pos) & m;
	case TCG_OP_sextract:
		return (uint64_t)((int64_t)((a >> pos) << (64 - len)) >> (64 - len));
	default: /* deposit */
		return (a & ~(m << pos)) | ((b & m) << pos);
	}
}

static uint64_t eval_minmax(unsigned opc, bool w32, uint64_t a, uint64_t b)
{
	int64_t sa = w32 ? (int32_t)a : (int64_t)a, sb = w32 ? (int32_t)b : (int64_t)b;
	uint64_t ua = w32 ? (uint32_t)a : a, ub = w32 ? (uint32_t)b : b;

	switch (opc) {
	case TCG_OP_smin:
		return sa < sb ? a : b;
	case TCG_OP_smax:
		return sa > sb ? a : b;
	case TCG_OP_umin:
		return ua < ub ? a : b;
	default:
		return ua > ub ? a : b;
	}
}

static uint64_t eval_ext(unsigned opc, uint64_t a)
{
	switch (opc) {
	case TCG_OP_ext8s:
		return (uint64_t)(int64_t)(int8_t)a;
	case TCG_OP_ext8u:
		return (uint8_t)a;
	case TCG_OP_ext16s:
		return (uint64_t)(int64_t)(int16_t)a;
	case TCG_OP_ext16u:
		return (uint16_t)a;
	case TCG_OP_ext32s:
	case TCG_OP_ext_i32_i64:
		return (uint64_t)(int64_t)(int32_t)a;
	default: /* ext32u, extu_i32_i64, extrl_i64_i32 */
		return (uint32_t)a;
	}
}

static uint64_t eval_raw(unsigned opc, enum tcg_type type, const uint64_t *in, const uint64_t *k)
{
	bool w32 = type == TCG_TYPE_I32;
	unsigned w = w32 ? 32 : 64;
	uint64_t a = in[0], b = in[1];

	switch (opc) {
	case TCG_OP_mov:
		return a;
	case TCG_OP_add:
		return a + b;
	case TCG_OP_sub:
		return a - b;
	case TCG_OP_mul:
		return a * b;
	case TCG_OP_mulsh:
	case TCG_OP_muluh:
	case TCG_OP_mulsuh:
		return eval_mulh(opc, w32, a, b);
	case TCG_OP_div:
	case TCG_OP_divu:
	case TCG_OP_rem:
	case TCG_OP_remu:
		return eval_div(opc, w32, a, b);
	case TCG_OP_and:
		return a & b;
	case TCG_OP_or:
		return a | b;
	case TCG_OP_xor:
		return a ^ b;
	case TCG_OP_andc:
		return a & ~b;
	case TCG_OP_orc:
		return a | ~b;
	case TCG_OP_eqv:
		return ~(a ^ b);
	case TCG_OP_shl:
	case TCG_OP_shr:
	case TCG_OP_sar:
	case TCG_OP_rotl:
	case TCG_OP_rotr:
		return eval_shift(opc, w, a, b);
	case TCG_OP_smin:
	case TCG_OP_smax:
	case TCG_OP_umin:
	case TCG_OP_umax:
		return eval_minmax(opc, w32, a, b);
	case TCG_OP_neg:
		return -a;
	case TCG_OP_not:
		return ~a;
	case TCG_OP_clz:
	case TCG_OP_ctz:
	case TCG_OP_ctpop:
	case TCG_OP_bswap:
		return eval_bits(opc, w, a, b);
	case TCG_OP_extract:
	case TCG_OP_sextract:
	case TCG_OP_deposit:
		return eval_field(opc, w32 ? (uint32_t)a : a, b, k);
	case TCG_OP_setcond:
		return tcg_cond_eval((enum tcg_cond)k[0], type, a, b);
	case TCG_OP_movcond:
		return tcg_cond_eval((enum tcg_cond)k[0], type, a, b) ? in[2] : in[3];
	default:
		return eval_ext(opc, a);
	}
}

uint64_t tcg_eval_op(unsigned opc, enum tcg_type type, const uint64_t *in, const uint64_t *k)
{
	uint64_t r = eval_raw(opc, type, in, k);

	/* i32 values are canonically zero-extended. */
	return type == TCG_TYPE_I32 ? (uint32_t)r : r;
}

static void print_temp(const struct tcg_ir *ir, uint64_t t, FILE *f)
{
	const struct tcg_temp *tp;

	if (t >= ir->n_temps) {
		fprintf(f, "?%" PRIu64, t);
		return;
	}
	tp = &ir->temps[t];
	switch (tp->kind) {
	case TCG_TEMP_GLOBAL:
		fputs(tp->name ? tp->name : "g?", f);
		break;
	case TCG_TEMP_CONST:
		fprintf(f, "$0x%" PRIx64, (uint64_t)tp->val);
		break;
	case TCG_TEMP_LOCAL:
		fprintf(f, "loc%" PRIu64, t - ir->n_globals);
		break;
	default:
		fprintf(f, "tmp%" PRIu64, t - ir->n_globals);
		break;
	}
}

static void print_consts(const struct tcg_op *op, unsigned first, FILE *f, bool comma)
{
	const struct tcg_op_def *def = &tcg_op_defs[op->opc];
	unsigned nk = tcg_op_nconst(op);

	for (unsigned i = 0; i < nk; i++) {
		uint64_t k = op->args[first + i];
		fputs(comma ? ", " : " ", f);
		comma = true;
		if (i == 0 && (def->flags & TCG_OPF_COND) && k < TCG_NB_CONDS)
			fputs(cond_names[k], f);
		else if (i == nk - 1 && (def->flags & TCG_OPF_LABEL))
			fprintf(f, "L%" PRIu64, k);
		else if (op->opc == TCG_OP_call)
			fputs(tcg_op_helper(op)->name, f);
		else
			fprintf(f, "0x%" PRIx64, k);
	}
}

static void print_op(const struct tcg_ir *ir, const struct tcg_op *op, FILE *f)
{
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op);
	bool comma = false;

	fputs(tcg_op_defs[op->opc].name, f);
	if (op->opc != TCG_OP_call && op->opc != TCG_OP_insn_start &&
	    op->opc != TCG_OP_ext_i32_i64 && op->opc != TCG_OP_extu_i32_i64 &&
	    op->opc != TCG_OP_extrl_i64_i32 && !(tcg_op_defs[op->opc].flags & (TCG_OPF_BB_END)))
		fputs(op->type == TCG_TYPE_I32 ? "_i32" : "_i64", f);
	for (unsigned i = 0; i < no + ni; i++) {
		fputs(comma ? ", " : " ", f);
		print_temp(ir, op->args[i], f);
		comma = true;
	}
	print_consts(op, no + ni, f, comma);
	fputc('\n', f);
}

uint32_t *tcg_ir_locals_normals(const struct tcg_ir *ir, uint32_t *out, uint32_t *n_local,
				uint32_t *n_normal)
{
	uint32_t nl = 0, nn = 0, end = ir->n_temps;

	for (uint32_t t = ir->n_globals; t < end; t++) {
		if (ir->temps[t].kind == TCG_TEMP_LOCAL)
			out[nl++] = t;
		else if (ir->temps[t].kind == TCG_TEMP_NORMAL)
			out[end - ++nn] = t;
	}
	*n_local = nl;
	*n_normal = nn;
	return out + end - nn;
}

void tcg_ir_print(const struct tcg_ir *ir, FILE *f)
{
	for (unsigned i = 0; i < ir->n_ops; i++) {
		if (ir->ops[i].opc != TCG_OP_nop)
			print_op(ir, &ir->ops[i], f);
	}
}

char *tcg_ir_to_string(const struct tcg_ir *ir)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	tcg_ir_print(ir, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
