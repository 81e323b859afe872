/*
 * The JIT core end to end with a toy frontend (exec_harness.h): op
 * semantics (edge cases written out by hand), exceptions with precise
 * state and instret, chaining, the jump cache, self-loops with pinned
 * globals, inline FP helpers, single-stepping. Guest memory is
 * test_exec_mem.c's; code that changes (self-modifying code, fences,
 * flushes, two vCPUs) test_exec_code.c's. argv[1] = "interp" or "native"
 * picks the backend.
 */
#include "tests/unit/tcg/exec_harness.h"

/* ---- op semantics ---- */

typedef void (*gen2_64)(struct tcg_builder *, tcg_i64, tcg_i64, tcg_i64);
typedef void (*gen2_32)(struct tcg_builder *, tcg_i32, tcg_i32, tcg_i32);
typedef void (*gen1_64)(struct tcg_builder *, tcg_i64, tcg_i64);
typedef void (*gen1_32)(struct tcg_builder *, tcg_i32, tcg_i32);

struct op_case {
	const char *name;
	gen2_64 g64;
	gen2_32 g32;
	gen1_64 u64;
	gen1_32 u32;
	bool w32;
	uint64_t a, b, expect;
};

#define B64(op, a, b, e)                                                                           \
	{                                                                                          \
#op, tcg_gen_##op##_i64, NULL, NULL, NULL, false, a, b, e                          \
	}
#define B32(op, a, b, e)                                                                           \
	{                                                                                          \
#op "32", NULL, tcg_gen_##op##_i32, NULL, NULL, true, a, b, e                      \
	}
#define U64(op, a, e)                                                                              \
	{                                                                                          \
#op, NULL, NULL, tcg_gen_##op##_i64, NULL, false, a, 0, e                          \
	}
#define U32(op, a, e)                                                                              \
	{                                                                                          \
#op "32", NULL, NULL, NULL, tcg_gen_##op##_i32, true, a, 0, e                      \
	}

static const uint64_t MIN64 = 0x8000000000000000ULL;

static const struct op_case op_cases[] = {
    B64(add, ~0ULL, 1, 0),
    B32(add, 0xffffffff, 2, 1),
    B64(sub, 0, 1, ~0ULL),
    B32(sub, 0, 1, 0xffffffff),
    B64(mul, 0x100000001ULL, 0x100000001ULL, 0x200000001ULL),
    B32(mul, 0x10000, 0x10000, 0),
    B64(mulsh, ~0ULL, ~0ULL, 0),
    B64(mulsh, MIN64, 2, ~0ULL),
    B64(muluh, ~0ULL, ~0ULL, 0xfffffffffffffffeULL),
    B64(mulsuh, ~0ULL, ~0ULL, ~0ULL),
    B64(mulsuh, 2, ~0ULL, 1),
    B32(muluh, 0xffffffff, 0xffffffff, 0xfffffffe),
    B32(mulsh, 0xffffffff, 2, 0xffffffff),
    B32(mulsuh, 0xffffffff, 0xffffffff, 0xffffffff),
    B64(div, 7, 0, ~0ULL),
    B64(div, MIN64, ~0ULL, MIN64),
    B64(div, (uint64_t)-7, 2, (uint64_t)-3),
    B64(divu, 7, 0, ~0ULL),
    B64(divu, ~0ULL, 2, 0x7fffffffffffffffULL),
    B64(rem, 7, 0, 7),
    B64(rem, MIN64, ~0ULL, 0),
    B64(rem, (uint64_t)-7, 2, ~0ULL),
    B64(remu, 7, 0, 7),
    B64(remu, ~0ULL, 10, 5),
    B32(div, 0x80000000, 0xffffffff, 0x80000000),
    B32(div, 5, 0, 0xffffffff),
    B32(divu, 0xffffffff, 2, 0x7fffffff),
    B32(rem, 0xfffffff9, 2, 0xffffffff),
    B32(rem, 0x80000000, 0xffffffff, 0),
    B32(remu, 9, 0, 9),
    B64(and, 0xff00ff00ff00ff00ULL, 0x0ff00ff00ff00ff0ULL, 0x0f000f000f000f00ULL),
    B64(or, 0xf0, 0x0f, 0xff),
    B64(xor, 0xff, 0x0f, 0xf0),
    B64(andc, 0xff, 0x0f, 0xf0),
    B64(orc, 0xf0, ~0x0fULL, 0xff),
    B64(eqv, 0xff, 0x0f, ~0xf0ULL),
    B32(eqv, 0xff, 0x0f, 0xffffff0f),
    B32(orc, 0, 0, 0xffffffff),
    B64(shl, 1, 63, MIN64),
    B64(shl, 1, 64, 1),
    B64(shl, 3, 65, 6),
    B32(shl, 1, 32, 1),
    B32(shl, 1, 31, 0x80000000),
    B64(shr, ~0ULL, 63, 1),
    B32(shr, 0x80000000, 31, 1),
    B64(sar, MIN64, 63, ~0ULL),
    B32(sar, 0x80000000, 31, 0xffffffff),
    B32(sar, 0x80000000, 33, 0xc0000000),
    B64(rotl, 0x8000000000000001ULL, 1, 3),
    B64(rotl, 0x8000000000000001ULL, 64, 0x8000000000000001ULL),
    B64(rotr, 1, 1, MIN64),
    B32(rotr, 1, 1, 0x80000000),
    B32(rotl, 0x80000001, 4, 0x18),
    B64(smin, ~0ULL, 1, ~0ULL),
    B64(smax, ~0ULL, 1, 1),
    B64(umin, ~0ULL, 1, 1),
    B64(umax, ~0ULL, 1, ~0ULL),
    B32(smin, 0x80000000, 1, 0x80000000),
    B32(umax, 0x80000000, 1, 0x80000000),
    B64(clz, 0, 64, 64),
    B64(clz, 1, 64, 63),
    B64(clz, MIN64, 64, 0),
    B32(clz, 1, 32, 31),
    B32(clz, 0, 32, 32),
    B64(ctz, 8, 64, 3),
    B64(ctz, 0, 64, 64),
    B32(ctz, 0, 77, 77),
    B32(ctz, 0x80000000, 32, 31),
    U64(neg, 1, ~0ULL),
    U32(neg, 1, 0xffffffff),
    U64(not, 0, ~0ULL),
    U32(not, 0, 0xffffffff),
    U64(ext8s, 0x80, 0xffffffffffffff80ULL),
    U64(ext8u, 0x1ff, 0xff),
    U64(ext16s, 0x8000, 0xffffffffffff8000ULL),
    U32(ext16s, 0x8000, 0xffff8000),
    U64(ext16u, 0x18000, 0x8000),
    U64(ext32s, 0x80000000, 0xffffffff80000000ULL),
    U64(ext32u, ~0ULL, 0xffffffff),
    U64(bswap, 0x0102030405060708ULL, 0x0807060504030201ULL),
    U32(bswap, 0x01020304, 0x04030201),
    U64(ctpop, ~0ULL, 64),
    U32(ctpop, 0xf0f0f0f0, 16),
    U64(mov, 0x123456789abcdefULL, 0x123456789abcdefULL),
};

static const struct op_case *cur_case;
static bool cur_const;

/* r2 = op(r0, r1), or with constants when cur_const. */
static void op_block(struct tcg_builder *b, uint64_t pc)
{
	const struct op_case *c = cur_case;

	tcg_gen_insn_start(b, pc, 0);
	if (c->w32) {
		tcg_i32 x = tcg_temp_new_i32(b), y = tcg_temp_new_i32(b);
		tcg_i32 d = tcg_temp_new_i32(b);
		if (cur_const) {
			x = tcg_const_i32(b, (uint32_t)c->a);
			y = tcg_const_i32(b, (uint32_t)c->b);
		} else {
			tcg_gen_extrl_i64_i32(b, x, toy_r[0]);
			tcg_gen_extrl_i64_i32(b, y, toy_r[1]);
		}
		if (c->g32)
			c->g32(b, d, x, y);
		else
			c->u32(b, d, x);
		tcg_gen_extu_i32_i64(b, toy_r[2], d);
	} else {
		tcg_i64 x = toy_r[0], y = toy_r[1];
		if (cur_const) {
			x = tcg_const_i64(b, c->a);
			y = tcg_const_i64(b, c->b);
		}
		if (c->g64)
			c->g64(b, toy_r[2], x, y);
		else
			c->u64(b, toy_r[2], x);
	}
	toy_goto(b, 0, HALT_PC);
}

static void test_ops(bool optimize, bool consts)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_default_fn = op_block;
	cur_const = consts;
	for (unsigned i = 0; i < ARRAY_SIZE(op_cases); i++) {
		cur_case = &op_cases[i];
		c->r[0] = op_cases[i].a;
		c->r[1] = op_cases[i].b;
		c->r[2] = 0x5555;
		run(c, 0x1000 + 4 * i);
		if (c->r[2] != op_cases[i].expect)
			fprintf(stderr, "op %s(0x%llx, 0x%llx) opt=%d const=%d\n", op_cases[i].name,
				(unsigned long long)op_cases[i].a,
				(unsigned long long)op_cases[i].b, optimize, consts);
		CHECK_EQ(c->r[2], op_cases[i].expect);
	}
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* setcond/movcond over all ten conditions, brcond agrees with setcond. */
static enum tcg_cond cur_cond;

static void cond_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_label l = tcg_label_new(b);
	tcg_i32 x = tcg_temp_new_i32(b), y = tcg_temp_new_i32(b), d = tcg_temp_new_i32(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_setcond_i64(b, cur_cond, toy_r[2], toy_r[0], toy_r[1]);
	tcg_gen_movcond_i64(b, cur_cond, toy_r[3], toy_r[0], toy_r[1], toy_r[4], toy_r[5]);
	tcg_gen_extrl_i64_i32(b, x, toy_r[0]);
	tcg_gen_extrl_i64_i32(b, y, toy_r[1]);
	tcg_gen_setcond_i32(b, cur_cond, d, x, y);
	tcg_gen_extu_i32_i64(b, toy_r[6], d);
	tcg_gen_movi_i64(b, toy_r[7], 0);
	tcg_gen_brcond_i64(b, cur_cond, toy_r[0], toy_r[1], l);
	toy_goto(b, 0, HALT_PC);
	tcg_gen_set_label(b, l);
	tcg_gen_movi_i64(b, toy_r[7], 1);
	toy_goto(b, 1, HALT_PC);
}

static void test_conds(bool optimize)
{
	/* Expected for (a, b) = (-1, 1) and, 32-bit, (0x80000000, 1). */
	static const uint8_t e64[TCG_NB_CONDS] = {0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
	static const uint8_t e32[TCG_NB_CONDS] = {0, 1, 1, 0, 1, 0, 0, 1, 0, 1};
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_default_fn = cond_block;
	for (unsigned k = 0; k < TCG_NB_CONDS; k++) {
		cur_cond = (enum tcg_cond)k;
		c->r[0] = ~0ULL;
		c->r[1] = 1;
		c->r[4] = 0x44;
		c->r[5] = 0x55;
		run(c, 0x2000 + 4 * k);
		CHECK_EQ(c->r[2], e64[k]);
		CHECK_EQ(c->r[3], e64[k] ? 0x44 : 0x55);
		CHECK_EQ(c->r[7], e64[k]);
		CHECK_EQ(c->r[6], e64[k]); /* low halves: 0xffffffff vs 1 */
		c->r[0] = 0x80000000;
		run(c, 0x2000 + 4 * k);
		CHECK_EQ(c->r[6], e32[k]);
		CHECK_EQ(c->r[2], tcg_cond_eval(cur_cond, TCG_TYPE_I64, 0x80000000, 1));
		c->r[0] = 1; /* equal */
		run(c, 0x2000 + 4 * k);
		CHECK_EQ(c->r[2], k == TCG_COND_EQ || k == TCG_COND_GE || k == TCG_COND_LE ||
				      k == TCG_COND_GEU || k == TCG_COND_LEU);
	}
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* extract/sextract/deposit and the width conversions. */
static void field_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i32 w = tcg_temp_new_i32(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_extract_i64(b, toy_r[2], toy_r[0], 60, 4);
	tcg_gen_sextract_i64(b, toy_r[3], toy_r[0], 4, 8);
	tcg_gen_deposit_i64(b, toy_r[4], toy_r[0], toy_r[1], 8, 16);
	tcg_gen_extrl_i64_i32(b, w, toy_r[0]);
	tcg_gen_ext_i32_i64(b, toy_r[5], w);
	tcg_gen_extu_i32_i64(b, toy_r[6], w);
	tcg_gen_mov_i32(b, toy_w0, w);
	tcg_gen_sextract_i64(b, toy_r[7], toy_r[1], 0, 64);
	toy_goto(b, 0, HALT_PC);
}

static void test_fields(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x3000, field_block, false);
	c->r[0] = 0xa0000000f0000f80ULL;
	c->r[1] = 0x123456789abcdef0ULL;
	run(c, 0x3000);
	CHECK_EQ(c->r[2], 0xa);
	CHECK_EQ(c->r[3], 0xfffffffffffffff8ULL);
	CHECK_EQ(c->r[4], 0xa0000000f0def080ULL);
	CHECK_EQ(c->r[5], 0xfffffffff0000f80ULL);
	CHECK_EQ(c->r[6], 0xf0000f80ULL);
	CHECK_EQ(c->w0, 0xf0000f80U);
	CHECK_EQ(c->r[7], c->r[1]);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* ---- exceptions ---- */

static uint64_t raise_helper(struct tcg_cpu *cpu, uint64_t arg)
{
	tcg_raise_exception(cpu, 9, arg);
}
static const struct tcg_helper h_raise = TCG_HELPER(raise_helper, 1, 0);

/* insn 0: r1 = 11; insn 1: r2 = 22, raise(r0); insn 2: r3 = 33 */
static void raise_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_movi_i64(b, toy_r[1], 11);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_movi_i64(b, toy_r[2], 22);
	tcg_gen_call1(b, &h_raise, TCG_I64_NONE, toy_r[0]);
	tcg_gen_insn_start(b, pc + 8, 0);
	tcg_gen_movi_i64(b, toy_r[3], 33);
	toy_goto(b, 0, HALT_PC);
}

/* insn 0: r1 = 11; insn 1: r2 = ld(r0, memop r4); insn 2: r3 = 33 */
static void fault_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_movi_i64(b, toy_r[1], 11);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_guest_ld_i64(b, toy_r[2], toy_r[0], TCG_MO_UL | TCG_MO_ALIGN, 0);
	tcg_gen_insn_start(b, pc + 8, 0);
	tcg_gen_movi_i64(b, toy_r[3], 33);
	toy_goto(b, 0, HALT_PC);
}

static void check_fault(struct toy_cpu *c, uint64_t pc, int excp, uint64_t arg)
{
	memset(c->r, 0, sizeof(c->r));
	c->exceptions = 0;
	c->base.instret = 0;
	c->r[0] = arg;
	run(c, pc);
	CHECK_EQ(c->exceptions, 1);
	CHECK_EQ(c->scratch[0], excp);
	CHECK_EQ(c->scratch[1], arg);
	CHECK_EQ(c->scratch[2], pc + 4);  /* the faulting insn's pc */
	CHECK_EQ(c->r[1], 11);		  /* earlier insn's effect is visible */
	CHECK_EQ(c->r[3], 0);		  /* later insn did not run */
	CHECK_EQ(c->base.instret, 1 + 1); /* insn 0, then the halt block */
}

static void test_exceptions(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x5000, raise_block, false);
	toy_block(0x5100, fault_block, false);
	check_fault(c, 0x5000, 9, 0x1234);
	check_fault(c, 0x5000, 9, 0x1234);		/* cached block */
	check_fault(c, 0x5100, 4, RAM_BASE + 2);	/* misaligned + ALIGN */
	check_fault(c, 0x5100, 5, 0x40000000);		/* neither RAM nor device */
	check_fault(c, 0x5100, 5, RAM_BASE + RAM_SIZE); /* just past RAM */
	/* A good access after the faults. */
	c->r[0] = RAM_BASE;
	c->exceptions = 0;
	run(c, 0x5100);
	CHECK_EQ(c->exceptions, 0);
	CHECK_EQ(c->r[3], 33);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* ---- chaining, jump cache, loop exit ---- */

/* pc = r2 (indirect), r3 += 1 */
static void ptr_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[3], toy_r[3], 1);
	tcg_gen_mov_i64(b, toy_pc, toy_r[2]);
	tcg_gen_goto_ptr(b, toy_r[2]);
}

/* r2 = (r0 -= 1) ? 0x6200 : HALT, then to ptr_block, which jumps to r2. */
static void ptr_loop_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 z = tcg_const_i64(b, 0);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_subi_i64(b, toy_r[0], toy_r[0], 1);
	tcg_gen_movcond_i64(b, TCG_COND_NE, toy_r[2], toy_r[0], z, tcg_const_i64(b, 0x6200),
			    tcg_const_i64(b, HALT_PC));
	toy_goto(b, 0, 0x6100);
}

static void test_chaining(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);
	struct tcg_stats st;

	reset_blocks();
	toy_block(0x6000, loop_block, false);
	toy_block(0x6100, ptr_block, false);
	toy_block(0x6200, ptr_loop_block, false);
	c->r[0] = 100000;
	c->base.instret = 0;
	run(c, 0x6000);
	CHECK_EQ(c->r[0], 0);
	CHECK_EQ(c->r[1], 300000);
	CHECK_EQ(c->base.instret, 100001);
	tcg_ctx_stats(ctx, &st);
	CHECK(st.chains >= 1);
	CHECK_EQ(toy_translations, 2);
	/* 100000 rounds, chained: the exec loop looked blocks up a few times only. */
	uint64_t lookups = st.lookups;
	CHECK(lookups >= 1 && lookups <= 5);
	/* Indirect: 0x6200 -> 0x6100 -> (goto_ptr) 0x6200 ... */
	c->r[0] = 1000;
	c->r[3] = 0;
	c->r[2] = 0x6200;
	run(c, 0x6100);
	CHECK_EQ(c->r[0], 0);
	CHECK_EQ(c->r[3], 1001);
	CHECK_EQ(toy_translations, 4);
	/* 1000 indirect jumps, through the jump cache inline: a few more lookups. */
	tcg_ctx_stats(ctx, &st);
	CHECK(st.lookups > lookups && st.lookups - lookups <= 5);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * A self-loop that uses every global: the native backend pins them in
 * host registers, caller-saved ones too (no helper call in the block).
 * Each round loads from MMIO (a slow path through the shared thunk, which
 * must keep those registers), stores to and loads from RAM, and writes
 * globals with setcond and movcond whose output is also an input.
 */
static void pinned_loop_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_label l = tcg_label_new(b);
	tcg_i64 t = tcg_temp_new_i64(b), a = tcg_temp_new_i64(b);
	tcg_i32 w = tcg_temp_new_i32(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_ld_i64(b, t, toy_r[7], TCG_MO_UQ, 0); /* MMIO */
	tcg_gen_xor_i64(b, toy_r[1], toy_r[1], t);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_add_i64(b, toy_r[2], toy_r[2], toy_r[1]);
	tcg_gen_setcond_i64(b, TCG_COND_LTU, toy_r[3], toy_r[2], toy_r[3]);
	tcg_gen_add_i64(b, toy_r[4], toy_r[4], toy_r[3]);
	tcg_gen_movcond_i64(b, TCG_COND_GT, toy_r[5], toy_r[5], toy_r[4], toy_r[5], toy_r[2]);
	tcg_gen_insn_start(b, pc + 8, 0);
	tcg_gen_andi_i64(b, a, toy_r[0], 0xff8);
	tcg_gen_addi_i64(b, a, a, RAM_BASE + 0x8000);
	tcg_gen_guest_st_i64(b, toy_r[5], a, TCG_MO_UQ, 0);
	tcg_gen_guest_ld_i64(b, t, a, TCG_MO_UQ, 0);
	tcg_gen_add_i64(b, toy_r[6], toy_r[6], t);
	tcg_gen_extrl_i64_i32(b, w, toy_r[6]);
	tcg_gen_add_i32(b, toy_w0, toy_w0, w);
	tcg_gen_insn_start(b, pc + 12, 0);
	tcg_gen_subi_i64(b, toy_r[0], toy_r[0], 1);
	tcg_gen_brcondi_i64(b, TCG_COND_NE, toy_r[0], 0, l);
	toy_goto(b, 1, HALT_PC);
	tcg_gen_set_label(b, l);
	toy_goto(b, 0, pc);
}

static void test_pinned_loop(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);
	uint64_t r[8] = {1000, 1, 2, 3, 4, 5, 6, MMIO_BASE + 0x40};
	uint32_t w0 = 7;

	reset_blocks();
	toy_block(0x7a00, pinned_loop_block, false);
	memcpy(c->r, r, sizeof(r));
	c->w0 = w0;
	run(c, 0x7a00);
	/* The same rounds in C. */
	while (r[0]) {
		r[1] ^= dev_read(NULL, r[7] - MMIO_BASE, 8);
		r[2] += r[1];
		r[3] = r[2] < r[3];
		r[4] += r[3];
		r[5] = (int64_t)r[5] > (int64_t)r[4] ? r[5] : r[2];
		r[6] += r[5];
		w0 += (uint32_t)r[6];
		r[0]--;
	}
	for (unsigned i = 0; i < 8; i++)
		CHECK_EQ(c->r[i], r[i]);
	CHECK_EQ(c->w0, w0);
	CHECK_EQ(toy_translations, 2);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * A struct tcg_fp_fast helper (binary64 add; flags in scratch[2]'s low
 * half, the dynamic rounding mode in scratch[3]'s): the native backend
 * computes it inline when it may, else calls it out of line with every
 * other value kept. The helper counts its calls.
 */
static unsigned fp_calls;

static uint64_t fp_add_fn(struct tcg_cpu *cpu, uint64_t desc, uint64_t a, uint64_t b)
{
	double x, y;

	fp_calls++;
#if defined(__x86_64__)
	/* what the ABI lets a helper do: the call must keep these itself */
	__asm__ volatile("mov $-1, %%rsi\n\tmov $-1, %%rdi\n\tmov $-1, %%r8\n\t"
			 "mov $-1, %%r9\n\tmov $-1, %%r10\n\tmov $-1, %%r11" ::
			     : "rsi", "rdi", "r8", "r9", "r10", "r11");
#endif
	memcpy(&x, &a, 8);
	memcpy(&y, &b, 8);
	x += y;
	memcpy(&a, &x, 8);
	return a;
}

static const struct tcg_fp_fast fp_add_desc = {
    .op = TCG_FP_ADD_D,
    .flags_off = (int32_t)offsetof(struct toy_cpu, scratch[2]),
    .rm_off = (int32_t)offsetof(struct toy_cpu, scratch[3]),
    .nx_bit = 1,
    .rm_dyn = 7,
};
static const struct tcg_helper h_fp_add =
    TCG_HELPER_FP(fp_add_fn, TCG_CALL_NO_RG | TCG_CALL_NO_WG, &fp_add_desc);

/*
 * r0..r7 += 1; t1 = r0 * 3; t2 = r7 ^ 0x55; r3 = fadd(r1, r2) with a
 * dynamic rounding mode; r0..r7 += 1; r4 += t1; r5 += t2: eleven values
 * live across the call, in every allocatable register.
 */
static void fp_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 t = tcg_temp_new_i64(b), t1 = tcg_temp_new_i64(b), t2 = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	for (unsigned i = 0; i < 8; i++)
		tcg_gen_addi_i64(b, toy_r[i], toy_r[i], 1);
	tcg_gen_muli_i64(b, t1, toy_r[0], 3);
	tcg_gen_xori_i64(b, t2, toy_r[7], 0x55);
	tcg_gen_call3(b, &h_fp_add, t, tcg_const_i64(b, 7ULL << 32), toy_r[1], toy_r[2]);
	for (unsigned i = 0; i < 8; i++)
		tcg_gen_addi_i64(b, toy_r[i], toy_r[i], 1);
	tcg_gen_add_i64(b, toy_r[4], toy_r[4], t1);
	tcg_gen_add_i64(b, toy_r[5], toy_r[5], t2);
	tcg_gen_mov_i64(b, toy_r[3], t);
	toy_goto(b, 0, HALT_PC);
}

static void test_fp_inline(bool optimize)
{
	static const struct {
		uint64_t a, b, flags, rm;
		bool inline_ok;
	} cases[] = {
	    {0x3ff0000000000000, 0x4000000000000000, 1, 0, true},  /* 1 + 2 */
	    {0x3ff0000000000000, 0x4000000000000000, 0, 0, false}, /* NX clear */
	    {0x3ff0000000000000, 0x4000000000000000, 1, 1, false}, /* frm not RNE */
	    {0x0000000000000001, 0x4000000000000000, 1, 0, false}, /* subnormal operand */
	    {0x7fefffffffffffff, 0x7fefffffffffffff, 1, 0, false}, /* overflows */
	    {0x8010000000000000, 0x0018000000000000, 1, 0, false}, /* tiny result */
	    {0xc008000000000000, 0x3ff0000000000000, 1, 0, true},  /* -3 + 1 */
	};
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x6c00, fp_block, false);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		double x, y;
		uint64_t want;
		unsigned before = fp_calls;

		memcpy(&x, &cases[i].a, 8);
		memcpy(&y, &cases[i].b, 8);
		x += y;
		memcpy(&want, &x, 8);
		for (unsigned r = 0; r < 8; r++)
			c->r[r] = 1000 * r;
		c->r[1] = cases[i].a - 1; /* the block adds 1 first */
		c->r[2] = cases[i].b - 1;
		c->scratch[2] = cases[i].flags;
		c->scratch[3] = cases[i].rm;
		run(c, 0x6c00);
		CHECK_EQ(c->r[3], want);
		CHECK_EQ(c->r[0], 2);
		CHECK_EQ(c->r[1], cases[i].a + 1);
		CHECK_EQ(c->r[2], cases[i].b + 1);
		CHECK_EQ(c->r[4], 4002 + 3);
		CHECK_EQ(c->r[5], 5002 + (7001 ^ 0x55));
		CHECK_EQ(c->r[6], 6002);
		CHECK_EQ(c->r[7], 7002);
		/* the interpreter always calls; the native backend only when it must */
		CHECK_EQ(fp_calls - before,
			 backend == TCG_BACKEND_KIND_NATIVE && cases[i].inline_ok ? 0u : 1u);
	}
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* Frontend bugs fail the translation, never the host. */
static void bad_label_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_brcondi_i64(b, TCG_COND_EQ, toy_r[0], 0, tcg_label_new(b));
	toy_goto(b, 0, HALT_PC);
}

static void bad_field_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_extract_i64(b, toy_r[0], toy_r[1], 60, 8);
	toy_goto(b, 0, HALT_PC);
}

static void test_bad_ir(void)
{
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x7100, bad_label_block, false);
	toy_block(0x7200, bad_field_block, false);
	c->base.pc = 0x7100;
	CHECK_EQ(tcg_cpu_exec(&c->base), TCG_EXEC_ERROR);
	c->base.pc = 0x7200;
	CHECK_EQ(tcg_cpu_exec(&c->base), TCG_EXEC_ERROR);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* The jump cache only serves blocks translated for the current tb_flags. */
static void jump_r2_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_mov_i64(b, toy_pc, toy_r[2]);
	tcg_gen_goto_ptr(b, toy_r[2]);
}

/* The same to a constant pc (the x86-64 backend finds its slot at translation). */
static uint64_t jump_const_target;

static void jump_const_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 t = tcg_const_i64(b, jump_const_target);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_mov_i64(b, toy_pc, t);
	tcg_gen_goto_ptr(b, t);
}

static void add_flags_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[3], toy_r[3], 1 + tcg_block_flags(b) * 10);
	toy_goto(b, 0, HALT_PC);
}

static void test_jc_flags(void)
{
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x6800, jump_r2_block, false);
	toy_block(0x6900, add_flags_block, false);
	c->r[2] = 0x6900;
	c->r[3] = 0;
	run(c, 0x6800);
	run(c, 0x6800);
	CHECK_EQ(c->r[3], 2);
	CHECK_EQ(toy_translations, 3);
	c->base.tb_flags = 1; /* a mode change: blocks for mode 0 must not run */
	run(c, 0x6800);
	CHECK_EQ(c->r[3], 13);
	CHECK_EQ(toy_translations, 6);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * A goto_ptr to a constant pc: a hit enters the target without the exec
 * loop, a miss or a block of other tb_flags goes through it. Targets whose
 * pc is a sign-extended imm32 (low, and kernel-like high) and one that is
 * not (at 2 GiB).
 */
static void test_jc_const(void)
{
	static const uint64_t targets[] = {0x6900, 0xffffffff80006900ULL, 0x80006900};

	for (unsigned i = 0; i < ARRAY_SIZE(targets); i++) {
		struct tcg_ctx *ctx = ctx_new(true, false);
		struct toy_cpu *c = cpu_new(ctx);
		struct tcg_stats st;
		uint64_t before;

		reset_blocks();
		jump_const_target = targets[i];
		toy_block(0x6800, jump_const_block, false);
		toy_block(targets[i], add_flags_block, false);
		c->r[3] = 0;
		run(c, 0x6800); /* the target is not in the jump cache yet */
		tcg_ctx_stats(ctx, &st);
		before = st.lookups;
		run(c, 0x6800);
		tcg_ctx_stats(ctx, &st);
		CHECK_EQ(c->r[3], 2);
		CHECK_EQ(toy_translations, 3);
		/* 0x6800 only: the target came from the cache, the halt block chained */
		CHECK_EQ(st.lookups - before, 1);
		c->base.tb_flags = 1;
		run(c, 0x6800);
		CHECK_EQ(c->r[3], 13);
		CHECK_EQ(toy_translations, 6);
		tcg_cpu_free(&c->base);
		tcg_ctx_free(ctx);
	}
}

static void add_100_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[3], toy_r[3], 100);
	toy_goto(b, 0, HALT_PC);
}

/*
 * Two pcs with the same jump-cache slot and the same low 32 bits: the
 * constant's check compares all 64 (bits above 32 do not enter the hash).
 */
static void test_jc_const_alias(void)
{
	const uint64_t alias = 0x200006900ULL;
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct toy_cpu *c = cpu_new(ctx);

	CHECK_EQ(tcg_jc_hash(alias), tcg_jc_hash(0x6900));
	reset_blocks();
	jump_const_target = 0x6900;
	toy_block(0x6800, jump_const_block, false);
	toy_block(0x6a00, jump_r2_block, false);
	toy_block(0x6900, add_flags_block, false);
	toy_block(alias, add_100_block, false);
	c->r[2] = alias;
	c->r[3] = 0;
	run(c, 0x6a00);
	run(c, 0x6a00); /* the slot now holds the alias's block */
	CHECK_EQ(c->r[3], 200);
	run(c, 0x6800);
	run(c, 0x6800);
	CHECK_EQ(c->r[3], 202);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* Single-step contexts run exactly one block per tcg_cpu_exec_tb. */
static void test_single_step(void)
{
	struct tcg_ctx *ctx = ctx_new(true, true);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_block(0x6000, loop_block, false);
	c->r[0] = 3;
	c->base.pc = 0x6000;
	CHECK_EQ(tcg_cpu_exec_tb(&c->base), 0);
	CHECK_EQ(c->r[0], 2);
	CHECK_EQ(c->base.pc, 0x6000);
	CHECK_EQ(tcg_cpu_exec_tb(&c->base), 0);
	CHECK_EQ(tcg_cpu_exec_tb(&c->base), 0);
	CHECK_EQ(c->r[0], 0);
	CHECK_EQ(c->base.pc, HALT_PC);
	CHECK_EQ(c->base.instret, 3);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	harness_init(argc, argv);
	for (int opt = 0; opt < 2; opt++) {
		test_ops(opt, false);
		test_ops(opt, true);
		test_conds(opt);
		test_fields(opt);
		test_exceptions(opt);
		test_chaining(opt);
		test_pinned_loop(opt);
		test_fp_inline(opt);
	}
	test_single_step();
	test_bad_ir();
	test_jc_flags();
	test_jc_const();
	test_jc_const_alias();
	return test_result(argc > 1 ? argv[1] : "interp");
}
