/*
 * Translated code that changes under the JIT core (exec_harness.h's toy
 * frontend): self-modifying code and its invalidation, stores beside code
 * (no slow path), chained jumps into invalidated blocks, fences and full
 * flushes, tcg_sync_code, a full code cache, two vCPUs flushing.
 * argv[1] = "interp" or "native" picks the backend.
 */
#include <pthread.h>

#include "tests/unit/tcg/exec_harness.h"

/* ---- self-modifying code, flush, stop ---- */

/* Store r1 to [r0] (64 bits). */
static void store_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_st_i64(b, toy_r[1], toy_r[0], TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

static uint64_t fence_helper(struct tcg_cpu *cpu)
{
	tcg_request_tb_flush(cpu);
	return 0;
}
static const struct tcg_helper h_fence = TCG_HELPER(fence_helper, 0, TCG_CALL_NO_RAISE);

static void fence_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_call0(b, &h_fence, TCG_I64_NONE);
	tcg_gen_movi_i64(b, toy_pc, HALT_PC);
	tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
}

static void test_smc(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);
	struct tcg_stats st;

	reset_blocks();
	toy_block(RAM_BASE + 0x8000, code_block, true);
	toy_block(RAM_BASE + 0x9000, store_block, true);
	toy_block(RAM_BASE + 0xa000, fence_block, true);
	run(c, RAM_BASE + 0x8000);
	run(c, RAM_BASE + 0x8000);
	CHECK_EQ(c->r[5], 2);
	CHECK_EQ(toy_translations, 2); /* code + halt */
	/* A store elsewhere in RAM invalidates nothing. */
	c->r[0] = RAM_BASE + 0x8100;
	c->r[1] = 7;
	run(c, RAM_BASE + 0x9000);
	tcg_ctx_stats(ctx, &st);
	CHECK_EQ(st.tbs_invalidated, 0);
	/* A store over the block's code does, and it is translated again. */
	c->r[0] = RAM_BASE + 0x8000;
	run(c, RAM_BASE + 0x9000);
	tcg_ctx_stats(ctx, &st);
	CHECK_EQ(st.tbs_invalidated, 1);
	CHECK_EQ(ram[0x8000], 7);
	run(c, RAM_BASE + 0x8000);
	CHECK_EQ(c->r[5], 3);
	CHECK_EQ(toy_translations, 4);
	/* fence: everything is translated afresh. */
	run(c, RAM_BASE + 0xa000);
	tcg_ctx_stats(ctx, &st);
	CHECK_EQ(st.tb_flushes, 1);
	run(c, RAM_BASE + 0x8000);
	CHECK_EQ(toy_translations, 7);
	/* A stop request before running returns at once. */
	tcg_cpu_stop(&c->base);
	c->r[5] = 0;
	CHECK_EQ(tcg_cpu_exec(&c->base), TCG_EXEC_STOPPED);
	CHECK_EQ(c->r[5], 0);
	/* Fetching from outside RAM fails the translation cleanly. */
	c->base.pc = 0x7000;
	toy_block(0x7000, code_block, true);
	CHECK_EQ(tcg_cpu_exec(&c->base), TCG_EXEC_ERROR);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * Stores into a page that holds translated code, beside the code: they
 * must not take the slow path (the x86-64 store probe thunk, the
 * interpreter's probe), while one touching a block's bytes still
 * invalidates it, whatever the page's code extent has grown to. The
 * addresses are aligned: the interpreter's probe sends misaligned ones
 * to the slow path.
 */
static void store_sized(struct tcg_builder *b, uint64_t pc, enum tcg_memop mo)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_st_i64(b, toy_r[1], toy_r[0], mo, 0);
	toy_goto(b, 0, HALT_PC);
}

static void store1_block(struct tcg_builder *b, uint64_t pc)
{
	store_sized(b, pc, TCG_MO_UB);
}

static void store2_block(struct tcg_builder *b, uint64_t pc)
{
	store_sized(b, pc, TCG_MO_UW);
}

static void store4_block(struct tcg_builder *b, uint64_t pc)
{
	store_sized(b, pc, TCG_MO_UL);
}

/* [r0] = r1, [r0 + 8] = r2: one base, a grouped pair (x86-64). */
static void store_pair_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 a = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_st_i64(b, toy_r[1], toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 8);
	tcg_gen_guest_st_i64(b, toy_r[2], a, TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

static uint64_t slow_accesses(struct tcg_ctx *ctx)
{
	struct tcg_stats st;

	tcg_ctx_stats(ctx, &st);
	return st.slow_accesses;
}

/* Invalidated blocks so far. */
static uint64_t invalidated(struct tcg_ctx *ctx)
{
	struct tcg_stats st;

	tcg_ctx_stats(ctx, &st);
	return st.tbs_invalidated;
}

static uint64_t ram_u64(uint64_t off)
{
	uint64_t v;

	memcpy(&v, &ram[off], 8);
	return v;
}

/* Run the store block at @pc with r0 = RAM_BASE + @off: slow paths taken. */
static uint64_t store_at(struct toy_cpu *c, uint64_t pc, uint64_t off, uint64_t val)
{
	uint64_t before = slow_accesses(c->base.ctx);

	c->r[0] = RAM_BASE + off;
	c->r[1] = val;
	c->r[2] = ~val;
	run(c, pc);
	return slow_accesses(c->base.ctx) - before;
}

static void test_smc_beside_code(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);
	const uint64_t st8 = RAM_BASE + 0x9000, st1 = RAM_BASE + 0x9100, st2 = RAM_BASE + 0x9200,
		       st4 = RAM_BASE + 0x9300, pair = RAM_BASE + 0x9400;

	reset_blocks();
	toy_block(RAM_BASE + 0xb100, code_block, true); /* code bytes 0x100..0x104 */
	toy_block(RAM_BASE + 0xb800, code_block, true);
	toy_block(st8, store_block, true);
	toy_block(st1, store1_block, true);
	toy_block(st2, store2_block, true);
	toy_block(st4, store4_block, true);
	toy_block(pair, store_pair_block, true);
	c->r[5] = 0;
	run(c, RAM_BASE + 0xb100);
	CHECK_EQ(c->r[5], 1);
	/* The first store to the page fills the TLB (slow); the rest are fast. */
	CHECK_EQ(store_at(c, st8, 0xb200, 1), 1);
	CHECK_EQ(store_at(c, st8, 0xb200, 2), 0);
	CHECK_EQ(ram_u64(0xb200), 2);
	CHECK_EQ(store_at(c, st4, 0xb104, 3), 0); /* right after the code */
	CHECK_EQ((uint32_t)ram_u64(0xb104), 3);
	CHECK_EQ(store_at(c, st8, 0xb0f8, 4), 0); /* ends where the code starts */
	CHECK_EQ(ram_u64(0xb0f8), 4);
	CHECK_EQ(store_at(c, st1, 0xb0ff, 0x55), 0);
	CHECK_EQ(ram[0xb0ff], 0x55);
	CHECK_EQ(store_at(c, st2, 0xb106, 0x1234), 0);
	CHECK_EQ(ram[0xb106] | ram[0xb107] << 8, 0x1234);
	CHECK_EQ(store_at(c, st4, 0xbffc, 0x89abcdef), 0); /* the page's last bytes */
	CHECK_EQ(ram_u64(0xbff8) >> 32, 0x89abcdef);
	CHECK_EQ(store_at(c, pair, 0xb300, 6), 0);
	CHECK_EQ(ram_u64(0xb300), 6);
	CHECK_EQ(ram_u64(0xb308), ~6ULL);
	CHECK_EQ(invalidated(ctx), 0);
	/* Stores that touch the code take the slow path and invalidate it. */
	CHECK_EQ(store_at(c, st1, 0xb103, 0x77), 1);
	CHECK_EQ(invalidated(ctx), 1);
	run(c, RAM_BASE + 0xb100);
	CHECK_EQ(c->r[5], 2);
	CHECK_EQ(store_at(c, st8, 0xb0fc, 5), 1); /* straddles the code's start */
	CHECK_EQ(invalidated(ctx), 2);
	run(c, RAM_BASE + 0xb100);
	CHECK_EQ(c->r[5], 3);
	/* A second block grows the extent to 0x100..0x804: stores inside it are slow. */
	run(c, RAM_BASE + 0xb800);
	CHECK_EQ(c->r[5], 4);
	CHECK_EQ(store_at(c, st8, 0xb400, 7), 1);
	CHECK_EQ(invalidated(ctx), 2);
	CHECK_EQ(store_at(c, st4, 0xb804, 8), 0);
	CHECK_EQ(store_at(c, st2, 0xb802, 9), 1);
	CHECK_EQ(invalidated(ctx), 3);
	run(c, RAM_BASE + 0xb800);
	CHECK_EQ(c->r[5], 5);
	CHECK_EQ(store_at(c, pair, 0xb7f8, 10), 2); /* the second store hits the block */
	CHECK_EQ(invalidated(ctx), 4);
	CHECK_EQ(ram_u64(0xb7f8), 10);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * A chained jump into a block that gets invalidated is reset to its exit,
 * so the next run reaches the new translation, not the stale code.
 */
static uint64_t b_version = 1;

static void chain_a_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[4], toy_r[4], 1);
	toy_goto(b, 0, RAM_BASE + 0xe000);
}

static void chain_b_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[5], toy_r[5], b_version);
	toy_goto(b, 0, HALT_PC);
}

static void test_unchain(void)
{
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct toy_cpu *c = cpu_new(ctx);
	struct tcg_stats st;

	reset_blocks();
	toy_block(RAM_BASE + 0xd000, chain_a_block, true);
	toy_block(RAM_BASE + 0xe000, chain_b_block, true);
	toy_block(RAM_BASE + 0x9000, store_block, true);
	b_version = 1;
	run(c, RAM_BASE + 0xd000);
	run(c, RAM_BASE + 0xd000); /* now A -> B is chained */
	tcg_ctx_stats(ctx, &st);
	CHECK(st.chains >= 1);
	CHECK_EQ(c->r[5], 2);
	/* Guest store over B: B goes, A's jump to it is reset. */
	b_version = 100;
	c->r[0] = RAM_BASE + 0xe000;
	c->r[1] = 0;
	run(c, RAM_BASE + 0x9000);
	run(c, RAM_BASE + 0xd000);
	CHECK_EQ(c->r[5], 102);
	CHECK_EQ(c->r[4], 3);
	run(c, RAM_BASE + 0xd000);
	CHECK_EQ(c->r[5], 202);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/* A tiny code cache: translation fills it, the core flushes and goes on. */
static void counter_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[0], toy_r[0], pc & 0xffff);
	tcg_gen_addi_i64(b, toy_r[1], toy_r[1], 1);
	/* Each block jumps to the next; the last one halts. */
	toy_goto(b, 0, pc + 4 >= 0x20000 + 4 * 3000 ? HALT_PC : pc + 4);
}

static void test_cache_full(void)
{
	struct tcg_ctx_config cfg = {
	    .fe = &toy_fe, .backend = backend, .mem = &gm, .code_size = 64 << 10};
	struct tcg_ctx *ctx = NULL;
	struct tcg_stats st;
	struct toy_cpu *c;
	uint64_t sum = 0;

	CHECK_EQ(tcg_ctx_new(&cfg, &ctx), 0);
	if (!ctx)
		return;
	c = cpu_new(ctx);
	reset_blocks();
	toy_default_fn = counter_block;
	for (int round = 0; round < 2; round++) {
		c->r[0] = c->r[1] = 0;
		run(c, 0x20000);
		CHECK_EQ(c->r[1], 3000);
	}
	for (unsigned i = 0; i < 3000; i++)
		sum += (0x20000 + 4 * i) & 0xffff;
	CHECK_EQ(c->r[0], sum);
	tcg_ctx_stats(ctx, &st);
	CHECK(st.tb_flushes >= 2);
	CHECK(st.code_used <= (64 << 10));
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * Two vCPUs on two threads share a context; one keeps requesting full
 * flushes (fence.i), which must wait until the other is out of generated
 * code. Both loops must still count exactly.
 */
static uint64_t maybe_fence_helper(struct tcg_cpu *cpu, uint64_t n)
{
	if ((n & 255) == 0)
		tcg_request_tb_flush(cpu);
	return 0;
}
static const struct tcg_helper h_maybe_fence = TCG_HELPER(maybe_fence_helper, 1, TCG_CALL_NO_RAISE);

/* r0 -= 1; maybe flush; loop until 0 (returns to the loop every time). */
static void fence_loop_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_label l = tcg_label_new(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_subi_i64(b, toy_r[0], toy_r[0], 1);
	tcg_gen_call1(b, &h_maybe_fence, TCG_I64_NONE, toy_r[0]);
	tcg_gen_brcondi_i64(b, TCG_COND_NE, toy_r[0], 0, l);
	toy_goto(b, 1, HALT_PC);
	tcg_gen_set_label(b, l);
	tcg_gen_movi_i64(b, toy_pc, pc);
	tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
}

static void *vcpu_thread(void *arg)
{
	struct toy_cpu *c = arg;

	return (void *)(uintptr_t)tcg_cpu_exec(&c->base);
}

static void test_two_vcpus(void)
{
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct tcg_cpu *c1 = NULL;
	struct toy_cpu *c0 = cpu_new(ctx);
	struct tcg_stats st;
	pthread_t t0, t1;
	void *r0, *r1;

	CHECK_EQ(tcg_cpu_new(ctx, 1, &c1), 0);
	reset_blocks();
	/* Code in RAM: each retranslation marks code pages, asking the other
	 * vCPU to flush its TLB. */
	toy_block(RAM_BASE + 0xc000, loop_block, true);
	toy_block(RAM_BASE + 0xb000, fence_loop_block, true);
	c0->r[0] = 20000;
	c0->base.pc = RAM_BASE + 0xb000;
	((struct toy_cpu *)c1)->r[0] = 3000000;
	((struct toy_cpu *)c1)->r[1] = 0;
	c1->pc = RAM_BASE + 0xc000;
	CHECK_EQ(pthread_create(&t0, NULL, vcpu_thread, c0), 0);
	CHECK_EQ(pthread_create(&t1, NULL, vcpu_thread, c1), 0);
	pthread_join(t0, &r0);
	pthread_join(t1, &r1);
	CHECK_EQ((uintptr_t)r0, TCG_EXEC_STOPPED);
	CHECK_EQ((uintptr_t)r1, TCG_EXEC_STOPPED);
	CHECK_EQ(c0->r[0], 0);
	CHECK_EQ(((struct toy_cpu *)c1)->r[0], 0);
	CHECK_EQ(((struct toy_cpu *)c1)->r[1], 9000000);
	tcg_ctx_stats(ctx, &st);
	CHECK(st.tb_flushes >= 20000 / 256);
	tcg_cpu_free(c1);
	tcg_cpu_free(&c0->base);
	tcg_ctx_free(ctx);
}

static void halt_jump_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	toy_goto(b, 0, HALT_PC);
}

/* Flushes so far. */
static uint64_t flushes(struct tcg_ctx *ctx)
{
	struct tcg_stats st;

	tcg_ctx_stats(ctx, &st);
	return st.tb_flushes;
}

/*
 * tcg_sync_code (fence.i): a page that became a code page while another
 * vCPU held a fast-write TLB entry for it is a suspect; that vCPU's next
 * fence drops the page's blocks once. Without such an entry (or with one
 * vCPU) nothing happens.
 */
static void test_sync_code(void)
{
	struct tcg_ctx *ctx = ctx_new(true, false);
	struct toy_cpu *c0 = cpu_new(ctx);
	struct tcg_cpu *c1 = NULL;
	struct toy_cpu *t1;

	reset_blocks();
	toy_block(RAM_BASE + 0xd000, halt_jump_block, true);
	toy_block(RAM_BASE + 0xe000, halt_jump_block, true);
	toy_block(RAM_BASE + 0xf000, halt_jump_block, true);
	toy_block(0x5000, store_block, false);
	run(c0, RAM_BASE + 0xd000); /* a new code page, no other vCPU */
	tcg_sync_code(&c0->base);
	run(c0, HALT_PC);
	CHECK_EQ(flushes(ctx), 0);
	CHECK_EQ(invalidated(ctx), 0);

	CHECK_EQ(tcg_cpu_new(ctx, 1, &c1), 0);
	t1 = (struct toy_cpu *)c1;
	/* c1 never wrote 0xf000: its becoming code is no suspect. */
	run(c0, RAM_BASE + 0xf000);
	/* c1 writes into 0xe000 (a fast-write entry), then c0 runs code there. */
	t1->r[0] = RAM_BASE + 0xe800;
	t1->r[1] = 7;
	c1->pc = 0x5000;
	CHECK_EQ(tcg_cpu_exec(c1), TCG_EXEC_STOPPED);
	run(c0, RAM_BASE + 0xe000);
	CHECK_EQ(invalidated(ctx), 0);
	tcg_sync_code(c1); /* drops the suspect page's block */
	CHECK_EQ(invalidated(ctx), 1);
	tcg_sync_code(c1); /* nothing new since */
	tcg_sync_code(&c0->base); /* c0 had not seen it either: already gone */
	CHECK_EQ(invalidated(ctx), 1);
	CHECK_EQ(flushes(ctx), 0);
	tcg_cpu_free(c1);
	tcg_cpu_free(&c0->base);
	tcg_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	harness_init(argc, argv);
	for (int opt = 0; opt < 2; opt++) {
		test_smc(opt);
		test_smc_beside_code(opt);
	}
	test_unchain();
	test_sync_code();
	test_cache_full();
	test_two_vcpus();
	return test_result(argc > 1 ? argv[1] : "interp");
}
