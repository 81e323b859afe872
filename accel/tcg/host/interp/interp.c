/*
 * The portable backend: each block's IR is compiled into a compact
 * program (operands resolved to frame slots or CPU-struct globals, labels
 * to program indices) and interpreted. It runs anywhere and is the
 * reference the native backend is compared with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/internal.h"

/* Operand: >= 0 frame slot; < 0 global number -(g + 1). */
struct interp_insn {
	uint16_t opc;
	uint8_t type;
	uint8_t n_in;
	int32_t arg[TCG_MAX_CALL_ARGS + 1];
	uint64_t k[2];
	const void *ptr; /* call: helper; insn_start: its record */
};

struct interp_prog {
	struct interp_insn *insn;
	unsigned n_insn;
	unsigned n_slots;
	unsigned n_consts; /* slots [0, n_consts) hold constants */
	uint64_t *const_vals;
};

/*
 * A global operand encodes its CPU-struct offset and width directly, so
 * reading it costs no table lookup: -((offset << 1 | is_i32) + 1).
 */
static int32_t global_operand(const struct tcg_temp *g)
{
	return -(int32_t)(((uint32_t)g->mem_offset << 1 | (g->type == TCG_TYPE_I32)) + 1);
}

static int32_t *slot_map_new(const struct tcg_ir *ir, struct interp_prog *p)
{
	int32_t *map = malloc(ir->n_temps * sizeof(*map));
	unsigned nc = 0, ns;

	if (!map)
		return NULL;
	for (unsigned t = 0; t < ir->n_temps; t++) {
		if (ir->temps[t].kind == TCG_TEMP_CONST)
			map[t] = (int32_t)nc++;
	}
	ns = nc;
	for (unsigned t = 0; t < ir->n_temps; t++) {
		if (ir->temps[t].kind == TCG_TEMP_GLOBAL)
			map[t] = global_operand(&ir->temps[t]);
		else if (ir->temps[t].kind != TCG_TEMP_CONST)
			map[t] = (int32_t)ns++;
	}
	p->n_consts = nc;
	p->n_slots = ns;
	return map;
}

static int consts_fill(const struct tcg_ir *ir, struct interp_prog *p, const int32_t *map)
{
	p->const_vals = malloc((p->n_consts ? p->n_consts : 1) * sizeof(uint64_t));
	if (!p->const_vals)
		return -ENOMEM;
	for (unsigned t = 0; t < ir->n_temps; t++) {
		if (ir->temps[t].kind == TCG_TEMP_CONST)
			p->const_vals[map[t]] = (uint64_t)ir->temps[t].val;
	}
	return 0;
}

static void convert_op(const struct tcg_op *op, struct interp_insn *in, const int32_t *map,
		       struct tcg_tb *tb, unsigned *insn_no)
{
	unsigned no = tcg_op_nout(op), ni = tcg_op_nin(op), nk = tcg_op_nconst(op);

	in->opc = op->opc;
	in->type = op->type;
	in->n_in = (uint8_t)ni;
	for (unsigned i = 0; i < no + ni && i <= TCG_MAX_CALL_ARGS; i++)
		in->arg[i] = map[op->args[i]];
	if (op->opc == TCG_OP_call) {
		in->arg[TCG_MAX_CALL_ARGS] = no ? map[op->args[0]] : INT32_MIN;
		for (unsigned i = 0; i < ni; i++)
			in->arg[i] = map[op->args[no + i]];
		in->ptr = tcg_op_helper(op);
		return;
	}
	for (unsigned i = 0; i < nk && i < 2; i++)
		in->k[i] = op->args[no + ni + i];
	if (op->opc == TCG_OP_insn_start)
		in->ptr = &tb->insns[(*insn_no)++];
}

/* Replace label numbers by program indices. */
static int resolve_labels(struct interp_prog *p, unsigned n_labels)
{
	unsigned *where = malloc((n_labels ? n_labels : 1) * sizeof(*where));

	int rc = 0;

	if (!where)
		return -ENOMEM;
	for (unsigned i = 0; i < n_labels; i++)
		where[i] = UINT32_MAX;
	for (unsigned i = 0; i < p->n_insn; i++) {
		if (p->insn[i].opc == TCG_OP_set_label)
			where[p->insn[i].k[0]] = i;
	}
	for (unsigned i = 0; i < p->n_insn && rc == 0; i++) {
		struct interp_insn *in = &p->insn[i];
		unsigned k = in->opc == TCG_OP_br ? 0 : 1;
		if (in->opc != TCG_OP_br && in->opc != TCG_OP_brcond)
			continue;
		if (where[in->k[k]] == UINT32_MAX)
			rc = -EINVAL; /* a branch to a label never set: frontend bug */
		else
			in->k[k] = where[in->k[k]];
	}
	free(where);
	return rc;
}

static void prog_free(struct interp_prog *p)
{
	if (!p)
		return;
	free(p->insn);
	free(p->const_vals);
	free(p);
}

/*
 * Programs count against the context's code size like native code does,
 * so that a guest rewriting its code forever cannot grow host memory:
 * when the budget is used up the core flushes everything.
 */
struct interp_budget {
	size_t used, limit;
};

static size_t prog_bytes(const struct tcg_ir *ir)
{
	return sizeof(struct interp_prog) + ir->n_ops * sizeof(struct interp_insn) +
	       ir->n_temps * sizeof(uint64_t);
}

static int interp_gen(struct tcg_ctx *ctx, struct tcg_tb *tb, struct tcg_ir *ir)
{
	struct interp_budget *bud = ctx->be_data;
	struct interp_prog *p;
	int32_t *map = NULL;
	unsigned insn_no = 0;
	int rc = -ENOMEM;

	if (bud->used + prog_bytes(ir) > bud->limit)
		return -ENOSPC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->insn = calloc(ir->n_ops ? ir->n_ops : 1, sizeof(*p->insn));
	map = slot_map_new(ir, p);
	if (!p->insn || !map || consts_fill(ir, p, map) < 0)
		goto out;
	for (unsigned i = 0; i < ir->n_ops; i++) {
		if (ir->ops[i].opc != TCG_OP_nop)
			convert_op(&ir->ops[i], &p->insn[p->n_insn++], map, tb, &insn_no);
	}
	rc = resolve_labels(p, ir->n_labels);
	if (rc == 0) {
		tb->interp = p;
		tb->code = p;
		/* Chaining is a pointer store: mark both slots patchable. */
		for (unsigned n = 0; n < TCG_TB_SLOTS; n++)
			tb->jmp_target[n] = 1;
		p = NULL;
		bud->used += prog_bytes(ir);
		ctx->stats.code_used = bud->used;
	}
out:
	free(map);
	prog_free(p);
	return rc;
}

struct frame {
	struct tcg_cpu *cpu;
	const struct interp_prog *p;
	uint64_t *v;
};

static inline __attribute__((always_inline)) uint64_t rd(const struct frame *f, int32_t a)
{
	uint32_t v;
	const char *p;

	if (likely(a >= 0))
		return f->v[a];
	v = (uint32_t)(-(a + 1));
	p = (const char *)f->cpu + (v >> 1);
	if (v & 1) {
		uint32_t x;
		memcpy(&x, p, 4);
		return x;
	}
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static inline __attribute__((always_inline)) void wr(const struct frame *f, int32_t a, uint64_t val)
{
	uint32_t v;
	char *p;

	if (likely(a >= 0)) {
		f->v[a] = val;
		return;
	}
	v = (uint32_t)(-(a + 1));
	p = (char *)f->cpu + (v >> 1);
	if (v & 1) {
		uint32_t x = (uint32_t)val;
		memcpy(p, &x, 4);
	} else {
		memcpy(p, &val, 8);
	}
}

static uint64_t sext(uint64_t v, unsigned bits)
{
	return bits >= 64 ? v : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static uint64_t ld_env(struct tcg_cpu *cpu, int64_t off, uint32_t mo)
{
	unsigned size = 1u << (mo & TCG_MO_SIZE);
	uint64_t v = 0;

	memcpy(&v, (char *)cpu + off, size);
	return (mo & TCG_MO_SIGN) ? sext(v, size * 8) : v;
}

static void st_env(struct tcg_cpu *cpu, int64_t off, uint32_t mo, uint64_t v)
{
	memcpy((char *)cpu + off, &v, 1u << (mo & TCG_MO_SIZE));
}

static uint64_t guest_ld(struct tcg_cpu *cpu, const struct interp_insn *in,
			 const struct tcg_insn_rec *rec, uint64_t addr)
{
	uint32_t mo = (uint32_t)in->k[0];
	unsigned size = 1u << (mo & TCG_MO_SIZE);
	void *host = tcg_tlb_probe(cpu, addr, size, false, (unsigned)in->k[1]);
	uint64_t v = 0;

	if (likely(host != NULL)) {
		switch (mo & (TCG_MO_SIZE | TCG_MO_SIGN)) {
		case TCG_MO_UB:
			return *(const uint8_t *)host;
		case TCG_MO_SB:
			return (uint64_t)(int64_t) * (const int8_t *)host;
		case TCG_MO_UW:
			memcpy(&v, host, 2);
			return v;
		case TCG_MO_UL:
			memcpy(&v, host, 4);
			return v;
		case TCG_MO_UQ:
			memcpy(&v, host, 8);
			return v;
		default:
			memcpy(&v, host, size);
			return sext(v, size * 8);
		}
	}
	cpu->cur_insn = rec;
	return tcg_slow_ld(cpu, addr, TCG_MEMOP_IDX(mo, in->k[1]));
}

static void guest_st(struct tcg_cpu *cpu, const struct interp_insn *in,
		     const struct tcg_insn_rec *rec, uint64_t addr, uint64_t val)
{
	uint32_t mo = (uint32_t)in->k[0];
	unsigned size = 1u << (mo & TCG_MO_SIZE);
	void *host = tcg_tlb_probe(cpu, addr, size, true, (unsigned)in->k[1]);

	if (likely(host != NULL)) {
		memcpy(host, &val, size);
		return;
	}
	cpu->cur_insn = rec;
	tcg_slow_st(cpu, addr, val, TCG_MEMOP_IDX(mo, in->k[1]));
}

static uint64_t do_call(const struct frame *f, const struct interp_insn *in,
			const struct tcg_insn_rec *rec)
{
	const struct tcg_helper *h = in->ptr;
	uint64_t a[TCG_MAX_CALL_ARGS] = {0};

	for (unsigned i = 0; i < in->n_in; i++)
		a[i] = rd(f, in->arg[i]);
	if (!(h->flags & TCG_CALL_NO_RAISE))
		f->cpu->cur_insn = rec;
	switch (h->nargs) {
	case 0:
		return ((tcg_helper_fn0)h->func)(f->cpu);
	case 1:
		return ((tcg_helper_fn1)h->func)(f->cpu, a[0]);
	case 2:
		return ((tcg_helper_fn2)h->func)(f->cpu, a[0], a[1]);
	case 3:
		return ((tcg_helper_fn3)h->func)(f->cpu, a[0], a[1], a[2]);
	case 4:
		return ((tcg_helper_fn4)h->func)(f->cpu, a[0], a[1], a[2], a[3]);
	default:
		return ((tcg_helper_fn5)h->func)(f->cpu, a[0], a[1], a[2], a[3], a[4]);
	}
}

/* i32 values are kept zero-extended. */
static uint64_t narrow(const struct interp_insn *in, uint64_t v)
{
	return in->type == TCG_TYPE_I32 ? (uint32_t)v : v;
}

static void enter(struct frame *f, const struct interp_prog *p)
{
	f->p = p;
	memcpy(f->v, p->const_vals, p->n_consts * sizeof(uint64_t));
}

/* The most frequent 32-bit ops (RISC-V W instructions) inline. */
static bool eval_fast32(const struct interp_insn *in, const uint64_t *x, uint64_t *r)
{
	uint32_t a = (uint32_t)x[0], b = (uint32_t)x[1];

	switch (in->opc) {
	case TCG_OP_mov:
	case TCG_OP_extrl_i64_i32:
		*r = a;
		return true;
	case TCG_OP_add:
		*r = (uint32_t)(a + b);
		return true;
	case TCG_OP_sub:
		*r = (uint32_t)(a - b);
		return true;
	case TCG_OP_and:
		*r = a & b;
		return true;
	case TCG_OP_or:
		*r = a | b;
		return true;
	case TCG_OP_xor:
		*r = a ^ b;
		return true;
	case TCG_OP_shl:
		*r = (uint32_t)(a << (b & 31));
		return true;
	case TCG_OP_shr:
		*r = a >> (b & 31);
		return true;
	case TCG_OP_sar:
		*r = (uint32_t)((int32_t)a >> (b & 31));
		return true;
	default:
		return false;
	}
}

/* The most frequent ops inline; false: use tcg_eval_op. */
static bool eval_fast(const struct interp_insn *in, const uint64_t *x, uint64_t *r)
{
	if (in->type != TCG_TYPE_I64)
		return eval_fast32(in, x, r);
	switch (in->opc) {
	case TCG_OP_ext_i32_i64:
		*r = (uint64_t)(int64_t)(int32_t)x[0];
		return true;
	case TCG_OP_extu_i32_i64:
	case TCG_OP_ext32u:
		*r = (uint32_t)x[0];
		return true;
	case TCG_OP_sar:
		*r = (uint64_t)((int64_t)x[0] >> (x[1] & 63));
		return true;
	case TCG_OP_mov:
		*r = x[0];
		return true;
	case TCG_OP_add:
		*r = x[0] + x[1];
		return true;
	case TCG_OP_sub:
		*r = x[0] - x[1];
		return true;
	case TCG_OP_and:
		*r = x[0] & x[1];
		return true;
	case TCG_OP_or:
		*r = x[0] | x[1];
		return true;
	case TCG_OP_xor:
		*r = x[0] ^ x[1];
		return true;
	case TCG_OP_shl:
		*r = x[0] << (x[1] & 63);
		return true;
	case TCG_OP_shr:
		*r = x[0] >> (x[1] & 63);
		return true;
	case TCG_OP_ext32s:
		*r = (uint64_t)(int64_t)(int32_t)x[0];
		return true;
	default:
		return false;
	}
}

static uint64_t eval(const struct frame *f, const struct interp_insn *in)
{
	uint64_t x[4], r;

	for (unsigned i = 0; i < in->n_in && i < 4; i++)
		x[i] = rd(f, in->arg[1 + i]);
	if (eval_fast(in, x, &r))
		return r;
	return tcg_eval_op(in->opc, (enum tcg_type)in->type, x, in->k);
}

static uintptr_t interp_exec(struct tcg_cpu *cpu, struct tcg_tb *tb)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);
	struct frame f = {.cpu = cpu, .v = priv->interp_slots};
	const struct tcg_insn_rec *rec = NULL;
	const struct interp_insn *in;
	unsigned pc = 0;

	enter(&f, tb->interp);
	for (;;) {
		in = &f.p->insn[pc++];
		switch (in->opc) {
		case TCG_OP_insn_start:
			rec = in->ptr;
			break;
		case TCG_OP_set_label:
			break;
		case TCG_OP_ld_env:
			wr(&f, in->arg[0],
			   narrow(in, ld_env(cpu, (int64_t)in->k[0], (uint32_t)in->k[1])));
			break;
		case TCG_OP_st_env:
			st_env(cpu, (int64_t)in->k[0], (uint32_t)in->k[1], rd(&f, in->arg[0]));
			break;
		case TCG_OP_guest_ld:
			wr(&f, in->arg[0], narrow(in, guest_ld(cpu, in, rec, rd(&f, in->arg[1]))));
			break;
		case TCG_OP_guest_st:
			guest_st(cpu, in, rec, rd(&f, in->arg[1]), rd(&f, in->arg[0]));
			break;
		case TCG_OP_br:
			pc = (unsigned)in->k[0];
			break;
		case TCG_OP_brcond:
			if (tcg_cond_eval((enum tcg_cond)in->k[0], (enum tcg_type)in->type,
					  rd(&f, in->arg[0]), rd(&f, in->arg[1])))
				pc = (unsigned)in->k[1];
			break;
		case TCG_OP_call: {
			uint64_t r = do_call(&f, in, rec);
			if (in->arg[TCG_MAX_CALL_ARGS] != INT32_MIN)
				wr(&f, in->arg[TCG_MAX_CALL_ARGS], r);
			break;
		}
		case TCG_OP_goto_tb: {
			struct tcg_tb *next = atomic_load_explicit(
			    (_Atomic(struct tcg_tb *) *)&tb->jmp_dest[in->k[0]],
			    memory_order_acquire);
			if (next) {
				tb = next;
				enter(&f, tb->interp);
				pc = 0;
			}
			break;
		}
		case TCG_OP_exit_tb:
			return (uintptr_t)tb | (uintptr_t)in->k[0];
		case TCG_OP_goto_ptr: {
			struct tcg_tb *next = tcg_jc_lookup(cpu, rd(&f, in->arg[0]));
			if (!next)
				return 0;
			tb = next;
			enter(&f, tb->interp);
			pc = 0;
			break;
		}
		default:
			wr(&f, in->arg[0], eval(&f, in));
			break;
		}
	}
}

static int interp_init(struct tcg_ctx *ctx)
{
	struct interp_budget *bud = calloc(1, sizeof(*bud));

	if (!bud)
		return -ENOMEM;
	bud->limit = ctx->cfg.code_size ? ctx->cfg.code_size : 64ULL << 20;
	ctx->be_data = bud;
	return 0;
}

static void interp_fini(struct tcg_ctx *ctx)
{
	free(ctx->be_data);
	ctx->be_data = NULL;
}

static void interp_flush(struct tcg_ctx *ctx)
{
	struct interp_budget *bud = ctx->be_data;

	bud->used = 0;
	ctx->stats.code_used = 0;
}

static void interp_patch(struct tcg_ctx *ctx, struct tcg_tb *tb, unsigned n, struct tcg_tb *dst)
{
	/* goto_tb reads jmp_dest, which the core has already updated. */
}

static void interp_tb_free(struct tcg_tb *tb)
{
	prog_free(tb->interp);
	tb->interp = NULL;
}

const struct tcg_backend_ops tcg_interp_backend = {
    .name = "interp",
    .init = interp_init,
    .fini = interp_fini,
    .gen = interp_gen,
    .exec = interp_exec,
    .patch = interp_patch,
    .flush = interp_flush,
    .tb_free = interp_tb_free,
};
