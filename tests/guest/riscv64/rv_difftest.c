/*
 * Differential test of the JIT on the RISC-V frontend: a seeded,
 * reproducible generator of random but valid RV64 instruction sequences
 * (I, M, Zba, Zbb, Zbs, C, forward branches and jumps inside the sequence,
 * loads/stores/AMOs into a scratch area), each run block by block on two
 * JIT contexts: the native backend against the interpreter (skipped on a
 * host without a native backend), and the interpreter with the optimizer
 * against the interpreter without it. After every block the pc, all 31
 * registers, mcause and instret must agree, and at the end the scratch
 * memory too. Each sequence then runs again free (chained blocks, jump
 * cache) up to its final wfi, and the end states must agree.
 *
 *   rv_difftest [count [seed]]     (defaults: 2000 sequences, seed 1; meson runs 5000)
 *
 * A failure prints the seed of the failing sequence, the block's pc and the
 * first differing register; `rv_difftest 1 SEED` replays it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/tcg.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"
#include "rv_gen.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1ULL << 20)
#define SCRATCH	 (RAM_BASE + 0x80000)

/* --- the two machines --- */

struct side {
	const char *name;
	struct guest_mem gm;
	struct io_bus mmio;
	struct tcg_ctx *ctx;
	struct tcg_cpu *cpu;
	uint8_t *ram;
};

static int side_init(struct side *s, const char *name, enum tcg_backend_kind kind, bool no_optimize)
{
	struct gm_region layout = {.gpa = RAM_BASE, .size = RAM_SIZE};
	struct tcg_ctx_config cfg = {
	    .fe = &rv_frontend_ops, .backend = kind, .no_optimize = no_optimize};
	int ret;

	memset(s, 0, sizeof(*s));
	s->name = name;
	ret = guest_mem_alloc(&s->gm, &layout, 1);
	if (ret < 0)
		return ret;
	io_bus_init(&s->mmio, "mmio");
	s->ram = gm_ptr(&s->gm, RAM_BASE, RAM_SIZE);
	cfg.mem = &s->gm;
	cfg.mmio = &s->mmio;
	ret = tcg_ctx_new(&cfg, &s->ctx);
	if (ret < 0)
		return ret;
	return tcg_cpu_new(s->ctx, 0, &s->cpu);
}

static void side_free(struct side *s)
{
	if (s->cpu)
		tcg_cpu_free(s->cpu);
	if (s->ctx)
		tcg_ctx_free(s->ctx);
	guest_mem_free(&s->gm);
}

static void load_sequence(struct side *s, const uint8_t *code, size_t len, const uint64_t *regs,
			  const uint8_t *scratch)
{
	struct rv_cpu *cpu = rv_cpu(s->cpu);

	memcpy(s->ram, code, len + 8);
	memcpy(s->ram + (SCRATCH - RAM_BASE), scratch, RVGEN_SCRATCH_LEN);
	/* The host wrote the code behind the JIT's back: drop stale blocks. */
	tcg_invalidate_phys_range(s->ctx, RAM_BASE, len + 8);
	rv_cpu_reset(cpu, RAM_BASE, 0);
	cpu->mstatus = 0; /* FS Off: FP instructions are not generated */
	memcpy(cpu->x, regs, sizeof(cpu->x));
	cpu->x[0] = 0;
	cpu->x[RVGEN_BASE_REG] = SCRATCH;
	/* Any trap lands on the final self-jump, which stops the run. */
	cpu->mtvec = RAM_BASE + len;
}

static int compare(struct side *a, struct side *b, uint64_t seed, uint64_t block_pc)
{
	struct rv_cpu *x = rv_cpu(a->cpu), *y = rv_cpu(b->cpu);

	if (a->cpu->pc != b->cpu->pc) {
		fprintf(stderr,
			"seed %" PRIu64 ": after block at %#" PRIx64 ": pc native %#" PRIx64
			" interp %#" PRIx64 "\n",
			seed, block_pc, a->cpu->pc, b->cpu->pc);
		return 1;
	}
	for (unsigned r = 1; r < 32; r++) {
		if (x->x[r] != y->x[r]) {
			fprintf(stderr,
				"seed %" PRIu64 ": after block at %#" PRIx64
				": x%u native %#" PRIx64 " interp %#" PRIx64 "\n",
				seed, block_pc, r, x->x[r], y->x[r]);
			return 1;
		}
	}
	if (x->mcause != y->mcause || a->cpu->instret != b->cpu->instret) {
		fprintf(stderr,
			"seed %" PRIu64 ": after block at %#" PRIx64 ": mcause/instret differ\n",
			seed, block_pc);
		return 1;
	}
	return 0;
}

static int compare_scratch(struct side *a, struct side *b, uint64_t seed)
{
	if (memcmp(a->ram + (SCRATCH - RAM_BASE), b->ram + (SCRATCH - RAM_BASE),
		   RVGEN_SCRATCH_LEN)) {
		fprintf(stderr, "seed %" PRIu64 ": scratch memory differs (%s, %s)\n", seed,
			a->name, b->name);
		return 1;
	}
	return 0;
}

/* Run one sequence on both sides block by block, then free-running. 0 = same, 1 = differ, <0 =
 * error. */
static int run_one(struct side *nat, struct side *itp, uint64_t seed)
{
	static uint8_t code[RVGEN_MAX_CODE];
	static uint8_t scratch[RVGEN_SCRATCH_LEN];
	uint64_t regs[32];
	size_t len;
	int ret;

	rvgen_seed(seed);
	len = rvgen_sequence(code);
	rvgen_regs(regs);
	for (unsigned i = 0; i < RVGEN_SCRATCH_LEN; i++)
		scratch[i] = (uint8_t)rvgen_rand();
	load_sequence(nat, code, len, regs, scratch);
	load_sequence(itp, code, len, regs, scratch);

	/* The last block runs into the wfi (pc = end + 4) unless a branch or trap ended it at the
	 * end. */
	for (unsigned steps = 0;
	     nat->cpu->pc != RAM_BASE + len && nat->cpu->pc != RAM_BASE + len + 4; steps++) {
		uint64_t pc = nat->cpu->pc;

		if (steps > 4 * RVGEN_MAX_ITEMS) {
			fprintf(stderr, "seed %" PRIu64 ": did not finish\n", seed);
			return 1;
		}
		ret = tcg_cpu_exec_tb(nat->cpu);
		if (ret == 0)
			ret = tcg_cpu_exec_tb(itp->cpu);
		if (ret < 0) {
			fprintf(stderr, "seed %" PRIu64 ": translation failed: %d\n", seed, ret);
			return ret;
		}
		if (compare(nat, itp, seed, pc))
			return 1;
	}
	if (compare_scratch(nat, itp, seed))
		return 1;

	/* Again, free-running: chained blocks and the jump cache, up to the wfi. */
	load_sequence(nat, code, len, regs, scratch);
	load_sequence(itp, code, len, regs, scratch);
	if (tcg_cpu_exec(nat->cpu) != TCG_EXEC_HALTED ||
	    tcg_cpu_exec(itp->cpu) != TCG_EXEC_HALTED) {
		fprintf(stderr, "seed %" PRIu64 ": free run did not halt\n", seed);
		return 1;
	}
	if (compare(nat, itp, seed, RAM_BASE))
		return 1;
	return compare_scratch(nat, itp, seed);
}

/* Run @count sequences from @seed0 on the pair; returns the number that differed. */
static unsigned run_pair(struct side *a, struct side *b, unsigned count, uint64_t seed0)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < count && failed < 5; i++)
		if (run_one(a, b, seed0 + i))
			failed++;
	printf("%s vs %s: %u sequences from seed %" PRIu64 ": %u failed\n", a->name, b->name, count,
	       seed0, failed);
	return failed;
}

int main(int argc, char **argv)
{
	unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 2000;
	uint64_t seed0 = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	struct side nat, opt, noopt;
	unsigned failed = 0;
	bool have_native;
	int ret;

	if (side_init(&opt, "interp", TCG_BACKEND_KIND_INTERP, false) < 0 ||
	    side_init(&noopt, "interp-noopt", TCG_BACKEND_KIND_INTERP, true) < 0) {
		fprintf(stderr, "cannot set up the JIT contexts\n");
		return 1;
	}
	ret = side_init(&nat, "native", TCG_BACKEND_KIND_NATIVE, false);
	have_native = ret == 0;
	if (ret < 0 && ret != -ENODEV) {
		fprintf(stderr, "cannot set up the native JIT context: %d\n", ret);
		return 1;
	}
	if (have_native)
		failed += run_pair(&nat, &opt, count, seed0);
	else
		printf("no native JIT backend on this host: native vs interp skipped\n");
	failed += run_pair(&opt, &noopt, count, seed0);
	side_free(&nat);
	side_free(&opt);
	side_free(&noopt);
	return failed ? 1 : 0;
}
