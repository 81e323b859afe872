/*
 * Differential test of the backends: random IR blocks (seeded by their pc,
 * so reproducible) run under the interpreter without the optimizer (the
 * reference), the interpreter with it, and the native backend with and
 * without it. Registers, RAM, exception counts and instret must agree.
 * Blocks mix every op class: arithmetic of both widths with edge-case
 * constants, bit fields, conditions, branches, guest loads/stores
 * (misaligned, across pages, faulting with TCG_MO_ALIGN) and helper calls
 * (pure, global-writing, raising).
 */
#include <stdlib.h>

#include "accel/tcg/tcg.h"
#include "tests/test.h"
#include "tests/unit/tcg/test_fe.h"

#define RAM_BASE	0x80000000ULL
#define RAM_SIZE	8192
#define HALT_PC		0xdead0000ULL
#define NCFG		4
#define NBLOCKS_DEFAULT 6000

struct cfg_state {
	struct tcg_ctx *ctx;
	struct toy_cpu *cpu;
	struct guest_mem gm;
	uint8_t *ram;
	bool skip;
};

static struct cfg_state cfgs[NCFG];
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const uint64_t specials[] = {
    0,
    1,
    2,
    7,
    31,
    32,
    33,
    63,
    64,
    0xff,
    0x80,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ULL,
    0x7fffffffffffffffULL,
    0x8000000000000000ULL,
    ~0ULL,
    ~1ULL,
};

static uint64_t rnd_value(void)
{
	return rn(2) ? specials[rn(ARRAY_SIZE(specials))] : rnd();
}

/* ---- helpers called from the blocks ---- */

static uint64_t h_mix(struct tcg_cpu *cpu, uint64_t a, uint64_t b)
{
	return (a * 0x9e3779b97f4a7c15ULL) ^ (b >> 3);
}

static uint64_t h_set_r7(struct tcg_cpu *cpu, uint64_t a)
{
	((struct toy_cpu *)cpu)->r[7] += a;
	return a ^ ((struct toy_cpu *)cpu)->r[0];
}

static uint64_t h_maybe_raise(struct tcg_cpu *cpu, uint64_t a)
{
	if ((a & 0x1f) == 0x11)
		tcg_raise_exception(cpu, 3, a);
	return a + 1;
}

static const struct tcg_helper hp_mix = TCG_HELPER(h_mix, 2, TCG_CALL_PURE);
static const struct tcg_helper hp_set = TCG_HELPER(h_set_r7, 1, 0);
static const struct tcg_helper hp_raise = TCG_HELPER(h_maybe_raise, 1, TCG_CALL_NO_WG);

/* ---- the random block generator ---- */

typedef void (*g2_64)(struct tcg_builder *, tcg_i64, tcg_i64, tcg_i64);
typedef void (*g2_32)(struct tcg_builder *, tcg_i32, tcg_i32, tcg_i32);
typedef void (*g1_64)(struct tcg_builder *, tcg_i64, tcg_i64);
typedef void (*g1_32)(struct tcg_builder *, tcg_i32, tcg_i32);

#define OP2(n)                                                                                     \
	{                                                                                          \
		tcg_gen_##n##_i64, tcg_gen_##n##_i32                                               \
	}
static const struct {
	g2_64 g64;
	g2_32 g32;
} bin_ops[] = {
    OP2(add),  OP2(sub),  OP2(mul),  OP2(mulsh), OP2(muluh), OP2(mulsuh), OP2(div),
    OP2(divu), OP2(rem),  OP2(remu), OP2(and),	 OP2(or),    OP2(xor),	  OP2(andc),
    OP2(orc),  OP2(eqv),  OP2(shl),  OP2(shr),	 OP2(sar),   OP2(rotl),	  OP2(rotr),
    OP2(smin), OP2(smax), OP2(umin), OP2(umax),	 OP2(clz),   OP2(ctz),
};
static const struct {
	g1_64 g64;
	g1_32 g32;
} un_ops[] = {
    OP2(neg),	 OP2(not ),  OP2(ext8s), OP2(ext8u), OP2(ext16s),
    OP2(ext16u), OP2(bswap), OP2(ctpop), OP2(mov),
};

struct gen {
	struct tcg_builder *b;
	uint64_t pc;
	tcg_i64 t64[8];
	unsigned n64;
};

static tcg_i64 src64(struct gen *g)
{
	unsigned k = rn(10);

	if (k < 5)
		return toy_r[rn(8)];
	if (k < 7 && g->n64)
		return g->t64[rn(g->n64)];
	return tcg_const_i64(g->b, rnd_value());
}

static tcg_i64 dst64(struct gen *g)
{
	if (rn(3) == 0 && g->n64 < 8) {
		g->t64[g->n64] = tcg_temp_new_i64(g->b);
		return g->t64[g->n64++];
	}
	return toy_r[rn(6)]; /* r6 counts loops, r7 belongs to the helper */
}

static tcg_i32 src32(struct gen *g)
{
	tcg_i32 t = tcg_temp_new_i32(g->b);

	switch (rn(3)) {
	case 0:
		return toy_w0;
	case 1:
		return tcg_const_i32(g->b, (uint32_t)rnd_value());
	default:
		tcg_gen_extrl_i64_i32(g->b, t, src64(g));
		return t;
	}
}

/* An i32 result goes to w0 or, extended, to a 64-bit destination. */
static void put32(struct gen *g, tcg_i32 v)
{
	if (rn(3) == 0)
		tcg_gen_mov_i32(g->b, toy_w0, v);
	else if (rn(2))
		tcg_gen_ext_i32_i64(g->b, dst64(g), v);
	else
		tcg_gen_extu_i32_i64(g->b, dst64(g), v);
}

/* The shape of Zba's shNadd: a shifted temp added once. */
static void gen_shadd(struct gen *g)
{
	tcg_i64 t = tcg_temp_new_i64(g->b), a = src64(g), c = src64(g);

	tcg_gen_shli_i64(g->b, t, a, 1 + rn(3));
	if (rn(2))
		tcg_gen_add_i64(g->b, dst64(g), t, c);
	else
		tcg_gen_add_i64(g->b, dst64(g), c, t);
}

static void gen_arith(struct gen *g)
{
	unsigned i = rn(ARRAY_SIZE(bin_ops));

	if (rn(8) == 0) {
		gen_shadd(g);
		return;
	}

	if (rn(4) == 0) {
		tcg_i32 d = tcg_temp_new_i32(g->b);
		bin_ops[i].g32(g->b, d, src32(g), src32(g));
		put32(g, d);
	} else {
		tcg_i64 a = src64(g), c = src64(g);
		bin_ops[i].g64(g->b, dst64(g), a, c);
	}
}

static void gen_unary(struct gen *g)
{
	unsigned i = rn(ARRAY_SIZE(un_ops));

	if (rn(4) == 0) {
		tcg_i32 d = tcg_temp_new_i32(g->b);
		un_ops[i].g32(g->b, d, src32(g));
		put32(g, d);
	} else if (rn(5) == 0) {
		tcg_gen_ext32s_i64(g->b, dst64(g), src64(g));
	} else if (rn(5) == 0) {
		tcg_gen_ext32u_i64(g->b, dst64(g), src64(g));
	} else {
		tcg_i64 a = src64(g);
		un_ops[i].g64(g->b, dst64(g), a);
	}
}

/* CPU-struct fields that are not globals: scratch[3]. */
static void gen_env(struct gen *g)
{
	static const enum tcg_memop mos[] = {TCG_MO_UB, TCG_MO_SB, TCG_MO_UW, TCG_MO_SW,
					     TCG_MO_UL, TCG_MO_SL, TCG_MO_UQ};
	enum tcg_memop mo = mos[rn(ARRAY_SIZE(mos))];
	int32_t off = (int32_t)(offsetof(struct toy_cpu, scratch) + 3 * 8);

	if ((mo & TCG_MO_SIZE) < TCG_MO_64 && rn(2))
		off += 4; /* the upper half, still inside the field */

	if (rn(2))
		tcg_gen_st_env_i64(g->b, src64(g), off, mo);
	else
		tcg_gen_ld_env_i64(g->b, dst64(g), off, mo);
}

static void gen_field(struct gen *g)
{
	unsigned w = rn(3) == 0 ? 32 : 64;
	unsigned len = 1 + rn(w), pos = rn(w - len + 1);

	if (w == 32) {
		tcg_i32 d = tcg_temp_new_i32(g->b);
		switch (rn(3)) {
		case 0:
			tcg_gen_extract_i32(g->b, d, src32(g), pos, len);
			break;
		case 1:
			tcg_gen_sextract_i32(g->b, d, src32(g), pos, len);
			break;
		default:
			tcg_gen_deposit_i32(g->b, d, src32(g), src32(g), pos, len);
			break;
		}
		put32(g, d);
		return;
	}
	tcg_i64 a = src64(g), c = src64(g);
	switch (rn(3)) {
	case 0:
		tcg_gen_extract_i64(g->b, dst64(g), a, pos, len);
		break;
	case 1:
		tcg_gen_sextract_i64(g->b, dst64(g), a, pos, len);
		break;
	default:
		tcg_gen_deposit_i64(g->b, dst64(g), a, c, pos, len);
		break;
	}
}

static void gen_cond(struct gen *g)
{
	enum tcg_cond c = (enum tcg_cond)rn(TCG_NB_CONDS);

	if (rn(3) == 0) {
		tcg_i32 d = tcg_temp_new_i32(g->b);
		tcg_gen_setcond_i32(g->b, c, d, src32(g), src32(g));
		put32(g, d);
	} else if (rn(2)) {
		tcg_i64 a = src64(g), b = src64(g);
		tcg_gen_setcond_i64(g->b, c, dst64(g), a, b);
	} else {
		tcg_i64 a = src64(g), b = src64(g), v1 = src64(g), v2 = src64(g);
		tcg_gen_movcond_i64(g->b, c, dst64(g), a, b, v1, v2);
	}
}

static tcg_i64 gen_addr(struct gen *g)
{
	tcg_i64 a = tcg_temp_new_i64(g->b);

	tcg_gen_andi_i64(g->b, a, src64(g), 0x1ff7 - (rn(2) ? 0 : 0x1000));
	tcg_gen_addi_i64(g->b, a, a, RAM_BASE + rn(8));
	return a;
}

static void gen_mem(struct gen *g)
{
	enum tcg_memop mo = (enum tcg_memop)(rn(4) | (rn(2) ? TCG_MO_SIGN : 0));
	tcg_i64 a = gen_addr(g);

	if (rn(16) == 0)
		mo |= TCG_MO_ALIGN; /* may fault: misaligned */
	if ((mo & TCG_MO_SIZE) == TCG_MO_64)
		mo &= ~TCG_MO_SIGN;
	if (rn(2)) {
		tcg_gen_guest_st_i64(g->b, src64(g), a, mo, 0);
	} else if (rn(4) == 0 && (mo & TCG_MO_SIZE) != TCG_MO_64) {
		tcg_i32 d = tcg_temp_new_i32(g->b);
		tcg_gen_guest_ld_i32(g->b, d, a, mo, 0);
		put32(g, d);
	} else {
		tcg_gen_guest_ld_i64(g->b, dst64(g), a, mo, 0);
	}
}

static void gen_call(struct gen *g)
{
	tcg_i64 a = src64(g), c = src64(g);

	switch (rn(3)) {
	case 0:
		tcg_gen_call2(g->b, &hp_mix, dst64(g), a, c);
		break;
	case 1:
		tcg_gen_call1(g->b, &hp_set, dst64(g), a);
		break;
	default:
		tcg_gen_call1(g->b, &hp_raise, rn(2) ? dst64(g) : TCG_I64_NONE, a);
		break;
	}
}

/* A forward branch over a few ops; normal temps die at the label. */
static void gen_body(struct gen *g, unsigned n);

static void gen_branch(struct gen *g)
{
	tcg_label l = tcg_label_new(g->b);
	tcg_i64 a = src64(g), c = src64(g);

	tcg_gen_brcond_i64(g->b, (enum tcg_cond)rn(TCG_NB_CONDS), a, c, l);
	gen_body(g, 1 + rn(4));
	tcg_gen_set_label(g->b, l);
	g->n64 = 0;
}

static void gen_body(struct gen *g, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		switch (rn(16)) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
			gen_arith(g);
			break;
		case 5:
		case 6:
			gen_unary(g);
			break;
		case 7:
			if (rn(3))
				gen_field(g);
			else
				gen_env(g);
			break;
		case 8:
		case 9:
			gen_cond(g);
			break;
		case 10:
		case 11:
		case 12:
			gen_mem(g);
			break;
		case 13:
			gen_call(g);
			break;
		default:
			if (g->n64 < 2 && n > 1)
				gen_branch(g);
			else
				gen_arith(g);
			break;
		}
	}
}

#define LOOP_OFFSET 0x100000

static void random_insns(struct gen *g, uint64_t pc, unsigned insns)
{
	for (unsigned i = 0; i < insns; i++) {
		tcg_gen_insn_start(g->b, pc + 4 * i, 0);
		g->n64 = 0; /* keep temps within one insn, as frontends do */
		gen_body(g, 1 + rn(6));
	}
}

/*
 * Odd blocks are loops: the block at pc sets a count in r6 and jumps to
 * pc + LOOP_OFFSET, a random body that counts r6 down and jumps (chained)
 * to itself, so backends get self-loops with globals live around them.
 */
static void random_block(struct tcg_builder *b, uint64_t pc)
{
	struct gen g = {.b = b, .pc = pc};
	unsigned insns = 1 + (unsigned)(pc % 7);
	tcg_label again;

	rng = pc * 0x2545f4914f6cdd1dULL + 1;
	if (pc >= 0x10000 + LOOP_OFFSET) {
		random_insns(&g, pc, insns);
		again = tcg_label_new(b);
		tcg_gen_insn_start(b, pc + 4 * insns, 0);
		tcg_gen_subi_i64(b, toy_r[6], toy_r[6], 1);
		tcg_gen_brcondi_i64(b, TCG_COND_NE, toy_r[6], 0, again);
		toy_goto(b, 0, HALT_PC);
		tcg_gen_set_label(b, again);
		toy_goto(b, 1, pc);
		return;
	}
	if ((pc >> 2) & 1) {
		tcg_gen_insn_start(b, pc, 0);
		tcg_gen_andi_i64(b, toy_r[6], toy_r[6], 63);
		tcg_gen_addi_i64(b, toy_r[6], toy_r[6], 1);
		toy_goto(b, 0, pc + LOOP_OFFSET);
		return;
	}
	random_insns(&g, pc, insns);
	toy_goto(b, 0, HALT_PC);
}

/* ---- running and comparing ---- */

static void setup(struct cfg_state *s, enum tcg_backend_kind be, bool opt)
{
	struct tcg_ctx_config cfg = {
	    .fe = &toy_fe, .backend = be, .mem = &s->gm, .code_size = 8 << 20, .no_optimize = !opt};
	struct tcg_cpu *cpu = NULL;
	int rc;

	s->ram = aligned_alloc(4096, RAM_SIZE);
	CHECK(s->ram != NULL);
	CHECK_EQ(gm_add_region(&s->gm, RAM_BASE, RAM_SIZE, s->ram), 0);
	rc = tcg_ctx_new(&cfg, &s->ctx);
	if (rc == -ENODEV) {
		s->skip = true;
		return;
	}
	CHECK_EQ(rc, 0);
	CHECK_EQ(tcg_cpu_new(s->ctx, 0, &cpu), 0);
	s->cpu = (struct toy_cpu *)cpu;
}

static bool same(const struct cfg_state *a, const struct cfg_state *b)
{
	const struct toy_cpu *x = a->cpu, *y = b->cpu;

	return memcmp(x->r, y->r, sizeof(x->r)) == 0 && x->w0 == y->w0 &&
	       x->exceptions == y->exceptions && x->base.instret == y->base.instret &&
	       x->scratch[0] == y->scratch[0] && x->scratch[2] == y->scratch[2] &&
	       x->scratch[3] == y->scratch[3] && memcmp(a->ram, b->ram, RAM_SIZE) == 0;
}

static void report(unsigned blk, const struct cfg_state *ref, const struct cfg_state *s, unsigned c)
{
	fprintf(stderr, "block %u (pc 0x%x): config %u differs\n", blk, 0x10000 + 4 * blk, c);
	for (unsigned i = 0; i < 8; i++)
		if (ref->cpu->r[i] != s->cpu->r[i])
			fprintf(stderr, "  r%u: 0x%llx vs 0x%llx\n", i,
				(unsigned long long)ref->cpu->r[i],
				(unsigned long long)s->cpu->r[i]);
	if (ref->cpu->w0 != s->cpu->w0)
		fprintf(stderr, "  w0: 0x%x vs 0x%x\n", ref->cpu->w0, s->cpu->w0);
	if (ref->cpu->exceptions != s->cpu->exceptions)
		fprintf(stderr, "  exceptions differ\n");
	if (memcmp(ref->ram, s->ram, RAM_SIZE) != 0)
		fprintf(stderr, "  RAM differs\n");
}

static unsigned nblocks = NBLOCKS_DEFAULT;

int main(void)
{
	uint64_t init[8];
	unsigned bad = 0;
	const char *env = getenv("TCG_DIFF_BLOCKS"); /* longer soak runs by hand */

	if (env && atoi(env) > 0)
		nblocks = (unsigned)atoi(env);

	toy_nblocks = 0;
	toy_block(HALT_PC, toy_halt_block, false);
	toy_default_fn = random_block;
	setup(&cfgs[0], TCG_BACKEND_KIND_INTERP, false);
	setup(&cfgs[1], TCG_BACKEND_KIND_INTERP, true);
	setup(&cfgs[2], TCG_BACKEND_KIND_NATIVE, false);
	setup(&cfgs[3], TCG_BACKEND_KIND_NATIVE, true);
	for (unsigned blk = 0; blk < nblocks && bad < 5; blk++) {
		rng = blk * 77 + 5;
		for (unsigned i = 0; i < 8; i++)
			init[i] = rnd_value();
		for (unsigned c = 0; c < NCFG; c++) {
			struct cfg_state *s = &cfgs[c];
			if (s->skip)
				continue;
			memcpy(s->cpu->r, init, sizeof(init));
			if (blk == 0) {
				for (unsigned i = 0; i < RAM_SIZE; i++)
					s->ram[i] = (uint8_t)(i * 13 + 7);
			}
			s->cpu->w0 = (uint32_t)init[3];
			s->cpu->base.pc = 0x10000 + 4 * blk;
			CHECK_EQ(tcg_cpu_exec(&s->cpu->base), TCG_EXEC_STOPPED);
		}
		for (unsigned c = 1; c < NCFG; c++) {
			if (cfgs[c].skip)
				continue;
			bool ok = same(&cfgs[0], &cfgs[c]);
			if (!ok) {
				report(blk, &cfgs[0], &cfgs[c], c);
				bad++;
			}
			CHECK(ok);
		}
	}
	/* The generator must really exercise faults and translation. */
	struct tcg_stats st;
	tcg_ctx_stats(cfgs[0].ctx, &st);
	fprintf(stderr, "exceptions %llu, blocks %llu, chains %llu\n",
		(unsigned long long)cfgs[0].cpu->exceptions, (unsigned long long)st.tbs_translated,
		(unsigned long long)st.chains);
	CHECK(cfgs[0].cpu->exceptions > nblocks / 50);
	CHECK(st.tbs_translated >= nblocks * 3 / 2);
	for (unsigned c = 0; c < NCFG; c++) {
		if (cfgs[c].cpu)
			tcg_cpu_free(&cfgs[c].cpu->base);
		if (cfgs[c].ctx)
			tcg_ctx_free(cfgs[c].ctx);
		free(cfgs[c].ram);
	}
	return test_result("tcg_diff");
}
