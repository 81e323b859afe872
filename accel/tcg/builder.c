/*
 * The builder: appends IR ops for one translation block. Errors (a limit
 * hit) are sticky in ir.error; emission then becomes a no-op so frontends
 * need not check every call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/internal.h"

int tcg_builder_init(struct tcg_builder *b, struct tcg_ctx *ctx)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	b->icount_temp = TCG_NO_TEMP;
	b->ir.ops = calloc(TCG_MAX_OPS, sizeof(*b->ir.ops));
	b->ir.temps = calloc(TCG_MAX_TEMPS, sizeof(*b->ir.temps));
	b->ir.opt_scratch = tcg_opt_scratch_new();
	if (!b->ir.ops || !b->ir.temps || !b->ir.opt_scratch) {
		tcg_builder_fini(b);
		return -ENOMEM;
	}
	return 0;
}

void tcg_builder_fini(struct tcg_builder *b)
{
	free(b->ir.ops);
	free(b->ir.temps);
	tcg_opt_scratch_free(b->ir.opt_scratch);
	b->ir.ops = NULL;
	b->ir.temps = NULL;
	b->ir.opt_scratch = NULL;
}

struct tcg_ir *tcg_builder_ir(struct tcg_builder *b)
{
	return &b->ir;
}

uint64_t tcg_block_pc(const struct tcg_builder *b)
{
	return b->pc;
}

uint32_t tcg_block_flags(const struct tcg_builder *b)
{
	return b->flags;
}

static uint32_t new_temp(struct tcg_builder *b, enum tcg_temp_kind kind, enum tcg_type type)
{
	struct tcg_temp *t;

	if (b->ir.n_temps >= TCG_MAX_TEMPS) {
		b->ir.error = -ENOSPC;
		return 0; /* a valid index keeps later emission harmless */
	}
	t = &b->ir.temps[b->ir.n_temps];
	memset(t, 0, sizeof(*t));
	t->kind = (uint8_t)kind;
	t->type = (uint8_t)type;
	return b->ir.n_temps++;
}

static uint32_t const_temp(struct tcg_builder *b, enum tcg_type type, uint64_t v)
{
	if (type == TCG_TYPE_I32)
		v = (uint32_t)v;
	/* Intern through a small cache by value: the common repeats, cheaply. */
	uint32_t *slot = &b->const_cache[(v * 0x9e3779b97f4a7c15ULL + type) >>
					 (64 - TCG_BUILDER_CONST_CACHE_BITS)];
	uint32_t idx = *slot;

	if (idx < b->ir.n_temps && idx != b->icount_temp && b->ir.temps[idx].kind == TCG_TEMP_CONST &&
	    b->ir.temps[idx].type == type && (uint64_t)b->ir.temps[idx].val == v)
		return idx;
	idx = new_temp(b, TCG_TEMP_CONST, type);
	b->ir.temps[idx].val = (int64_t)v;
	*slot = idx;
	return idx;
}

tcg_i32 tcg_temp_new_i32(struct tcg_builder *b)
{
	return (tcg_i32){new_temp(b, TCG_TEMP_NORMAL, TCG_TYPE_I32)};
}

tcg_i64 tcg_temp_new_i64(struct tcg_builder *b)
{
	return (tcg_i64){new_temp(b, TCG_TEMP_NORMAL, TCG_TYPE_I64)};
}

tcg_i32 tcg_temp_local_i32(struct tcg_builder *b)
{
	return (tcg_i32){new_temp(b, TCG_TEMP_LOCAL, TCG_TYPE_I32)};
}

tcg_i64 tcg_temp_local_i64(struct tcg_builder *b)
{
	return (tcg_i64){new_temp(b, TCG_TEMP_LOCAL, TCG_TYPE_I64)};
}

tcg_i32 tcg_const_i32(struct tcg_builder *b, uint32_t v)
{
	return (tcg_i32){const_temp(b, TCG_TYPE_I32, v)};
}

tcg_i64 tcg_const_i64(struct tcg_builder *b, uint64_t v)
{
	return (tcg_i64){const_temp(b, TCG_TYPE_I64, v)};
}

tcg_label tcg_label_new(struct tcg_builder *b)
{
	if (b->ir.n_labels >= TCG_MAX_LABELS) {
		b->ir.error = -ENOSPC;
		return (tcg_label){0};
	}
	return (tcg_label){b->ir.n_labels++};
}

/* Append an op; NULL (and sticky error) when full. */
static struct tcg_op *emit(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type type)
{
	struct tcg_op *op;

	if (b->ir.error)
		return NULL;
	if (b->ir.n_ops >= TCG_MAX_OPS) {
		b->ir.error = -ENOSPC;
		return NULL;
	}
	op = &b->ir.ops[b->ir.n_ops++];
	memset(op, 0, sizeof(*op));
	op->opc = (uint16_t)opc;
	op->type = (uint8_t)type;
	return op;
}

static void emit1(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type t, uint32_t d,
		  uint32_t a)
{
	struct tcg_op *op = emit(b, opc, t);
	if (op) {
		op->args[0] = d;
		op->args[1] = a;
	}
}

static void emit2(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type t, uint32_t d,
		  uint32_t a, uint32_t c)
{
	struct tcg_op *op = emit(b, opc, t);
	if (op) {
		op->args[0] = d;
		op->args[1] = a;
		op->args[2] = c;
	}
}

#define TCG_DEF_OP1(name)                                                                          \
	void tcg_gen_##name##_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a)                     \
	{                                                                                          \
		emit1(b, TCG_OP_##name, TCG_TYPE_I32, d.idx, a.idx);                               \
	}                                                                                          \
	void tcg_gen_##name##_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a)                     \
	{                                                                                          \
		emit1(b, TCG_OP_##name, TCG_TYPE_I64, d.idx, a.idx);                               \
	}
#define TCG_DEF_OP2(name)                                                                          \
	void tcg_gen_##name##_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, tcg_i32 c)          \
	{                                                                                          \
		emit2(b, TCG_OP_##name, TCG_TYPE_I32, d.idx, a.idx, c.idx);                        \
	}                                                                                          \
	void tcg_gen_##name##_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)          \
	{                                                                                          \
		emit2(b, TCG_OP_##name, TCG_TYPE_I64, d.idx, a.idx, c.idx);                        \
	}
#define TCG_DEF_OP2I(name)                                                                         \
	void tcg_gen_##name##i_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, uint32_t c)        \
	{                                                                                          \
		emit2(b, TCG_OP_##name, TCG_TYPE_I32, d.idx, a.idx,                                \
		      const_temp(b, TCG_TYPE_I32, c));                                             \
	}                                                                                          \
	void tcg_gen_##name##i_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, uint64_t c)        \
	{                                                                                          \
		emit2(b, TCG_OP_##name, TCG_TYPE_I64, d.idx, a.idx,                                \
		      const_temp(b, TCG_TYPE_I64, c));                                             \
	}

TCG_DEF_OP1(mov)
TCG_DEF_OP1(neg)
TCG_DEF_OP1(not )
TCG_DEF_OP1(ext8s)
TCG_DEF_OP1(ext8u)
TCG_DEF_OP1(ext16s)
TCG_DEF_OP1(ext16u)
TCG_DEF_OP1(bswap)
TCG_DEF_OP1(ctpop)
TCG_DEF_OP2(add)
TCG_DEF_OP2(sub)
TCG_DEF_OP2(mul)
TCG_DEF_OP2(mulsh)
TCG_DEF_OP2(muluh)
TCG_DEF_OP2(mulsuh)
TCG_DEF_OP2(div)
TCG_DEF_OP2(divu)
TCG_DEF_OP2(rem)
TCG_DEF_OP2(remu)
TCG_DEF_OP2(and)
TCG_DEF_OP2(or)
TCG_DEF_OP2(xor)
TCG_DEF_OP2(andc)
TCG_DEF_OP2(orc)
TCG_DEF_OP2(eqv)
TCG_DEF_OP2(shl)
TCG_DEF_OP2(shr)
TCG_DEF_OP2(sar)
TCG_DEF_OP2(rotl)
TCG_DEF_OP2(rotr)
TCG_DEF_OP2(smin)
TCG_DEF_OP2(smax)
TCG_DEF_OP2(umin)
TCG_DEF_OP2(umax)
TCG_DEF_OP2(clz)
TCG_DEF_OP2(ctz)
TCG_DEF_OP2I(add)
TCG_DEF_OP2I(sub)
TCG_DEF_OP2I(mul)
TCG_DEF_OP2I(and)
TCG_DEF_OP2I(or)
TCG_DEF_OP2I(xor)
TCG_DEF_OP2I(shl)
TCG_DEF_OP2I(shr)
TCG_DEF_OP2I(sar)
TCG_DEF_OP2I(rotl)
TCG_DEF_OP2I(rotr)

void tcg_gen_movi_i32(struct tcg_builder *b, tcg_i32 d, uint32_t v)
{
	emit1(b, TCG_OP_mov, TCG_TYPE_I32, d.idx, const_temp(b, TCG_TYPE_I32, v));
}

void tcg_gen_movi_i64(struct tcg_builder *b, tcg_i64 d, uint64_t v)
{
	emit1(b, TCG_OP_mov, TCG_TYPE_I64, d.idx, const_temp(b, TCG_TYPE_I64, v));
}

void tcg_gen_ext32s_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a)
{
	emit1(b, TCG_OP_ext32s, TCG_TYPE_I64, d.idx, a.idx);
}

void tcg_gen_ext32u_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a)
{
	emit1(b, TCG_OP_ext32u, TCG_TYPE_I64, d.idx, a.idx);
}

void tcg_gen_ext_i32_i64(struct tcg_builder *b, tcg_i64 d, tcg_i32 a)
{
	emit1(b, TCG_OP_ext_i32_i64, TCG_TYPE_I64, d.idx, a.idx);
}

void tcg_gen_extu_i32_i64(struct tcg_builder *b, tcg_i64 d, tcg_i32 a)
{
	emit1(b, TCG_OP_extu_i32_i64, TCG_TYPE_I64, d.idx, a.idx);
}

void tcg_gen_extrl_i64_i32(struct tcg_builder *b, tcg_i32 d, tcg_i64 a)
{
	emit1(b, TCG_OP_extrl_i64_i32, TCG_TYPE_I32, d.idx, a.idx);
}

static bool field_ok(struct tcg_builder *b, enum tcg_type t, unsigned pos, unsigned len)
{
	unsigned w = t == TCG_TYPE_I32 ? 32 : 64;

	if (len == 0 || pos >= w || len > w - pos) {
		b->ir.error = -EINVAL; /* a frontend bug, not guest input */
		return false;
	}
	return true;
}

static void emit_field(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type t, uint32_t d,
		       uint32_t a, unsigned pos, unsigned len)
{
	struct tcg_op *op;

	if (!field_ok(b, t, pos, len))
		return;
	op = emit(b, opc, t);
	if (op) {
		op->args[0] = d;
		op->args[1] = a;
		op->args[2] = pos;
		op->args[3] = len;
	}
}

void tcg_gen_extract_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, unsigned pos, unsigned len)
{
	emit_field(b, TCG_OP_extract, TCG_TYPE_I32, d.idx, a.idx, pos, len);
}

void tcg_gen_extract_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, unsigned pos, unsigned len)
{
	emit_field(b, TCG_OP_extract, TCG_TYPE_I64, d.idx, a.idx, pos, len);
}

void tcg_gen_sextract_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, unsigned pos, unsigned len)
{
	emit_field(b, TCG_OP_sextract, TCG_TYPE_I32, d.idx, a.idx, pos, len);
}

void tcg_gen_sextract_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, unsigned pos, unsigned len)
{
	emit_field(b, TCG_OP_sextract, TCG_TYPE_I64, d.idx, a.idx, pos, len);
}

static void emit_deposit(struct tcg_builder *b, enum tcg_type t, uint32_t d, uint32_t a, uint32_t c,
			 unsigned pos, unsigned len)
{
	struct tcg_op *op;

	if (!field_ok(b, t, pos, len))
		return;
	op = emit(b, TCG_OP_deposit, t);
	if (op) {
		op->args[0] = d;
		op->args[1] = a;
		op->args[2] = c;
		op->args[3] = pos;
		op->args[4] = len;
	}
}

void tcg_gen_deposit_i32(struct tcg_builder *b, tcg_i32 d, tcg_i32 a, tcg_i32 c, unsigned pos,
			 unsigned len)
{
	emit_deposit(b, TCG_TYPE_I32, d.idx, a.idx, c.idx, pos, len);
}

void tcg_gen_deposit_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c, unsigned pos,
			 unsigned len)
{
	emit_deposit(b, TCG_TYPE_I64, d.idx, a.idx, c.idx, pos, len);
}

static void emit_setcond(struct tcg_builder *b, enum tcg_type t, enum tcg_cond cond, uint32_t d,
			 uint32_t a, uint32_t c)
{
	struct tcg_op *op = emit(b, TCG_OP_setcond, t);
	if (op) {
		op->args[0] = d;
		op->args[1] = a;
		op->args[2] = c;
		op->args[3] = cond;
	}
}

void tcg_gen_setcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 d, tcg_i32 a, tcg_i32 c)
{
	emit_setcond(b, TCG_TYPE_I32, cond, d.idx, a.idx, c.idx);
}

void tcg_gen_setcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	emit_setcond(b, TCG_TYPE_I64, cond, d.idx, a.idx, c.idx);
}

void tcg_gen_setcondi_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 a,
			  uint64_t c)
{
	emit_setcond(b, TCG_TYPE_I64, cond, d.idx, a.idx, const_temp(b, TCG_TYPE_I64, c));
}

static void emit_movcond(struct tcg_builder *b, enum tcg_type t, enum tcg_cond cond,
			 const uint32_t *x)
{
	struct tcg_op *op = emit(b, TCG_OP_movcond, t);
	if (op) {
		for (unsigned i = 0; i < 5; i++)
			op->args[i] = x[i];
		op->args[5] = cond;
	}
}

void tcg_gen_movcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 d, tcg_i32 c1,
			 tcg_i32 c2, tcg_i32 v1, tcg_i32 v2)
{
	emit_movcond(b, TCG_TYPE_I32, cond,
		     (const uint32_t[]){d.idx, c1.idx, c2.idx, v1.idx, v2.idx});
}

void tcg_gen_movcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 d, tcg_i64 c1,
			 tcg_i64 c2, tcg_i64 v1, tcg_i64 v2)
{
	emit_movcond(b, TCG_TYPE_I64, cond,
		     (const uint32_t[]){d.idx, c1.idx, c2.idx, v1.idx, v2.idx});
}

static void emit_env(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type t, uint32_t v,
		     int32_t off, enum tcg_memop mo)
{
	struct tcg_op *op = emit(b, opc, t);
	if (op) {
		op->args[0] = v;
		op->args[1] = (uint64_t)(int64_t)off;
		op->args[2] = mo & (TCG_MO_SIZE | TCG_MO_SIGN);
	}
}

void tcg_gen_ld_env_i32(struct tcg_builder *b, tcg_i32 d, int32_t off, enum tcg_memop mo)
{
	emit_env(b, TCG_OP_ld_env, TCG_TYPE_I32, d.idx, off, mo);
}

void tcg_gen_ld_env_i64(struct tcg_builder *b, tcg_i64 d, int32_t off, enum tcg_memop mo)
{
	emit_env(b, TCG_OP_ld_env, TCG_TYPE_I64, d.idx, off, mo);
}

void tcg_gen_st_env_i32(struct tcg_builder *b, tcg_i32 v, int32_t off, enum tcg_memop mo)
{
	emit_env(b, TCG_OP_st_env, TCG_TYPE_I32, v.idx, off, mo);
}

void tcg_gen_st_env_i64(struct tcg_builder *b, tcg_i64 v, int32_t off, enum tcg_memop mo)
{
	emit_env(b, TCG_OP_st_env, TCG_TYPE_I64, v.idx, off, mo);
}

static void emit_guest(struct tcg_builder *b, enum tcg_opcode opc, enum tcg_type t, uint32_t v,
		       uint32_t addr, enum tcg_memop mo, unsigned mmu_idx)
{
	struct tcg_op *op;

	if (mmu_idx >= TCG_NB_MMU_MODES || (t == TCG_TYPE_I32 && (mo & TCG_MO_SIZE) == TCG_MO_64)) {
		b->ir.error = -EINVAL;
		return;
	}
	op = emit(b, opc, t);
	if (op) {
		op->args[0] = v;
		op->args[1] = addr;
		op->args[2] = mo;
		op->args[3] = mmu_idx;
	}
}

void tcg_gen_guest_ld_i32(struct tcg_builder *b, tcg_i32 d, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx)
{
	emit_guest(b, TCG_OP_guest_ld, TCG_TYPE_I32, d.idx, addr.idx, mo, mmu_idx);
}

void tcg_gen_guest_ld_i64(struct tcg_builder *b, tcg_i64 d, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx)
{
	emit_guest(b, TCG_OP_guest_ld, TCG_TYPE_I64, d.idx, addr.idx, mo, mmu_idx);
}

void tcg_gen_guest_st_i32(struct tcg_builder *b, tcg_i32 v, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx)
{
	emit_guest(b, TCG_OP_guest_st, TCG_TYPE_I32, v.idx, addr.idx, mo, mmu_idx);
}

void tcg_gen_guest_st_i64(struct tcg_builder *b, tcg_i64 v, tcg_i64 addr, enum tcg_memop mo,
			  unsigned mmu_idx)
{
	emit_guest(b, TCG_OP_guest_st, TCG_TYPE_I64, v.idx, addr.idx, mo, mmu_idx);
}

void tcg_gen_set_label(struct tcg_builder *b, tcg_label l)
{
	struct tcg_op *op = emit(b, TCG_OP_set_label, TCG_TYPE_I64);
	if (op)
		op->args[0] = l.id;
}

void tcg_gen_br(struct tcg_builder *b, tcg_label l)
{
	struct tcg_op *op = emit(b, TCG_OP_br, TCG_TYPE_I64);
	if (op)
		op->args[0] = l.id;
}

static void emit_brcond(struct tcg_builder *b, enum tcg_type t, enum tcg_cond cond, uint32_t a,
			uint32_t c, tcg_label l)
{
	struct tcg_op *op = emit(b, TCG_OP_brcond, t);
	if (op) {
		op->args[0] = a;
		op->args[1] = c;
		op->args[2] = cond;
		op->args[3] = l.id;
	}
}

void tcg_gen_brcond_i32(struct tcg_builder *b, enum tcg_cond cond, tcg_i32 a, tcg_i32 c,
			tcg_label l)
{
	emit_brcond(b, TCG_TYPE_I32, cond, a.idx, c.idx, l);
}

void tcg_gen_brcond_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 a, tcg_i64 c,
			tcg_label l)
{
	emit_brcond(b, TCG_TYPE_I64, cond, a.idx, c.idx, l);
}

void tcg_gen_brcondi_i64(struct tcg_builder *b, enum tcg_cond cond, tcg_i64 a, uint64_t c,
			 tcg_label l)
{
	emit_brcond(b, TCG_TYPE_I64, cond, a.idx, const_temp(b, TCG_TYPE_I64, c), l);
}

void tcg_gen_call(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, unsigned n,
		  const tcg_i64 *args)
{
	struct tcg_op *op;
	unsigned k = 0;

	if (n != h->nargs || n > TCG_MAX_CALL_ARGS) {
		b->ir.error = -EINVAL;
		return;
	}
	op = emit(b, TCG_OP_call, TCG_TYPE_I64);
	if (!op)
		return;
	op->n_out = ret.idx != TCG_NO_TEMP;
	op->n_in = (uint8_t)n;
	if (op->n_out)
		op->args[k++] = ret.idx;
	for (unsigned i = 0; i < n; i++)
		op->args[k++] = args[i].idx;
	op->args[k] = (uint64_t)(uintptr_t)h;
}

void tcg_gen_call0(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret)
{
	tcg_gen_call(b, h, ret, 0, NULL);
}

void tcg_gen_call1(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1)
{
	tcg_gen_call(b, h, ret, 1, (const tcg_i64[]){a1});
}

void tcg_gen_call2(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2)
{
	tcg_gen_call(b, h, ret, 2, (const tcg_i64[]){a1, a2});
}

void tcg_gen_call3(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2, tcg_i64 a3)
{
	tcg_gen_call(b, h, ret, 3, (const tcg_i64[]){a1, a2, a3});
}

void tcg_gen_call4(struct tcg_builder *b, const struct tcg_helper *h, tcg_i64 ret, tcg_i64 a1,
		   tcg_i64 a2, tcg_i64 a3, tcg_i64 a4)
{
	tcg_gen_call(b, h, ret, 4, (const tcg_i64[]){a1, a2, a3, a4});
}

void tcg_gen_insn_start(struct tcg_builder *b, uint64_t d0, uint64_t d1)
{
	struct tcg_op *op;

	if (b->ir.n_insns >= TCG_MAX_INSNS) {
		b->ir.error = -ENOSPC;
		return;
	}
	op = emit(b, TCG_OP_insn_start, TCG_TYPE_I64);
	if (!op)
		return;
	op->args[0] = d0;
	op->args[1] = d1;
	b->insns[b->ir.n_insns].data[0] = d0;
	b->insns[b->ir.n_insns].data[1] = d1;
	b->ir.n_insns++;
}

bool tcg_should_stop(struct tcg_builder *b, uint64_t next_pc)
{
	if (b->ir.error || b->ir.n_insns >= TCG_MAX_INSNS)
		return true;
	if (b->ctx && b->ctx->cfg.single_step && b->ir.n_insns >= 1)
		return true;
	/* Leave room for one more insn's worth of ops and temps. */
	if (b->ir.n_ops + 256 > TCG_MAX_OPS || b->ir.n_temps + 256 > TCG_MAX_TEMPS)
		return true;
	return (next_pc & TCG_PAGE_MASK) != (b->pc & TCG_PAGE_MASK);
}

void tcg_gen_goto_tb(struct tcg_builder *b, unsigned slot)
{
	struct tcg_op *op;

	if (slot >= TCG_TB_SLOTS) {
		b->ir.error = -EINVAL;
		return;
	}
	op = emit(b, TCG_OP_goto_tb, TCG_TYPE_I64);
	if (op)
		op->args[0] = slot;
}

void tcg_gen_exit_tb(struct tcg_builder *b, unsigned slot_or_nochain)
{
	struct tcg_op *op;

	if (slot_or_nochain >= TCG_TB_SLOTS && slot_or_nochain != TCG_EXIT_NOCHAIN) {
		b->ir.error = -EINVAL;
		return;
	}
	op = emit(b, TCG_OP_exit_tb, TCG_TYPE_I64);
	if (op)
		op->args[0] = slot_or_nochain;
}

void tcg_gen_goto_ptr(struct tcg_builder *b, tcg_i64 pc)
{
	struct tcg_op *op;

	/* Single-step contexts must return after every block. */
	if (b->ctx && b->ctx->cfg.single_step) {
		tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
		return;
	}
	op = emit(b, TCG_OP_goto_ptr, TCG_TYPE_I64);
	if (op)
		op->args[0] = pc.idx;
}

static void copy_globals(struct tcg_builder *b)
{
	unsigned n = b->ctx ? b->ctx->n_globals : 0;

	for (unsigned i = 0; i < n; i++)
		b->ir.temps[i] = b->ctx->globals[i];
	b->ir.n_globals = n;
	b->ir.n_temps = n;
}

/*
 * Block prologue: leave at once when an exit was requested (so chained
 * loops stay interruptible), then count the block's instructions as
 * retired (the count is patched in at the end; tcg.h "Instruction
 * counting").
 */
void tcg_builder_reset(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags)
{
	b->cpu = cpu;
	b->pc = pc;
	b->flags = flags;
	b->page[0] = b->page[1] = ~0ULL;
	b->fetch_vpage = ~0ULL;
	b->ir.n_ops = 0;
	b->ir.n_labels = 0;
	b->ir.n_insns = 0;
	b->ir.error = 0;
	b->icount_temp = TCG_NO_TEMP;
	memset(b->const_cache, 0xff, sizeof(b->const_cache));
	copy_globals(b);
}

void tcg_builder_begin(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags)
{
	tcg_i32 req;
	tcg_i64 n;

	tcg_builder_reset(b, cpu, pc, flags);
	b->exit_label = tcg_label_new(b);
	req = tcg_temp_new_i32(b);
	tcg_gen_ld_env_i32(b, req, offsetof(struct tcg_cpu, exit_request), TCG_MO_UL);
	tcg_gen_brcond_i32(b, TCG_COND_NE, req, tcg_const_i32(b, 0), b->exit_label);
	/* A private constant: patched below, so never interned. */
	b->icount_temp = new_temp(b, TCG_TEMP_CONST, TCG_TYPE_I64);
	n = tcg_temp_new_i64(b);
	tcg_gen_ld_env_i64(b, n, offsetof(struct tcg_cpu, instret), TCG_MO_UQ);
	tcg_gen_add_i64(b, n, n, (tcg_i64){b->icount_temp});
	tcg_gen_st_env_i64(b, n, offsetof(struct tcg_cpu, instret), TCG_MO_UQ);
}

void tcg_gen_uncount_insns(struct tcg_builder *b, unsigned n)
{
	tcg_i64 t;

	if (!n)
		return;
	t = tcg_temp_new_i64(b);
	tcg_gen_ld_env_i64(b, t, offsetof(struct tcg_cpu, instret), TCG_MO_UQ);
	tcg_gen_subi_i64(b, t, t, n);
	tcg_gen_st_env_i64(b, t, offsetof(struct tcg_cpu, instret), TCG_MO_UQ);
}

unsigned tcg_builder_insns(const struct tcg_builder *b)
{
	return b->ir.n_insns;
}

int tcg_builder_end(struct tcg_builder *b)
{
	struct tcg_op *op;

	tcg_gen_set_label(b, b->exit_label);
	op = emit(b, TCG_OP_exit_tb, TCG_TYPE_I64);
	if (op)
		op->args[0] = TCG_EXITCODE_REQUESTED;
	b->ir.temps[b->icount_temp].val = b->ir.n_insns;
	for (unsigned i = 0; i < b->ir.n_insns; i++)
		b->insns[i].remaining = b->ir.n_insns - i;
	if (!b->ir.error && b->ir.n_insns == 0)
		return -EINVAL;
	return b->ir.error;
}
