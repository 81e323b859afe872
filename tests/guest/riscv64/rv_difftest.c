/*
 * Differential test of the JIT on the RISC-V frontend: a seeded,
 * reproducible generator of random but valid RV64 instruction sequences
 * (I, M, Zba, Zbb, Zbs, C, forward branches and jumps inside the sequence,
 * loads/stores/AMOs into a scratch area), each run block by block on two
 * JIT contexts: the native backend against the interpreter (skipped on a
 * host without a native backend), and the interpreter with the optimizer
 * against the interpreter without it. After every block the pc, all 31
 * registers, mcause and instret must agree, and at the end the scratch
 * memory too.
 *
 *   rv_difftest [count [seed]]     (defaults: 2000 sequences, seed 1; meson runs 10000)
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

#define RAM_BASE    0x80000000ULL
#define RAM_SIZE    (1ULL << 20)
#define SCRATCH	    (RAM_BASE + 0x80000)
#define SCRATCH_LEN 4096
#define MAX_ITEMS   64
#define BASE_REG    31 /* holds SCRATCH; never a destination */

/* --- the generator --- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, reproducible across hosts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static unsigned rnd_n(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
		      unsigned op)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_i(uint32_t imm12, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
	return (imm12 & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_s(uint32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
	return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 |
	       0x23;
}

static uint32_t enc_b(int32_t off, unsigned rs2, unsigned rs1, unsigned f3)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((u >> 1) & 15) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

static uint32_t enc_j(int32_t off, unsigned rd)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

static unsigned rd_reg(void)
{
	return 1 + rnd_n(30); /* x1..x30 */
}

static unsigned rs_reg(void)
{
	return rnd_n(32);
}

/* OP and OP-32 (funct7, funct3) pairs that are valid encodings. */
static const uint16_t op_pairs[] = {
    0x000, 0x001, 0x002, 0x003, 0x004, 0x005, 0x006, 0x007, 0x100, 0x105, 0x104, 0x106,
    0x107, 0x008, 0x009, 0x00a, 0x00b, 0x00c, 0x00d, 0x00e, 0x00f, 0x02c, 0x02d, 0x02e,
    0x02f, 0x082, 0x084, 0x086, 0x181, 0x185, 0x0a1, 0x121, 0x125, 0x1a1,
};
static const uint16_t op32_pairs[] = {
    0x000, 0x001, 0x005, 0x100, 0x105, 0x008, 0x00c, 0x00d,
    0x00e, 0x00f, 0x181, 0x185, 0x020, 0x082, 0x084, 0x086,
};

static uint32_t gen_op_imm(void)
{
	static const unsigned unary[] = {0x600, 0x601, 0x602, 0x604, 0x605};
	unsigned rd = rd_reg(), rs1 = rs_reg(), sh = rnd_n(64);

	switch (rnd_n(12)) {
	case 0:
		return enc_i(0x280 | sh, rs1, 1, rd, 0x13); /* bseti */
	case 1:
		return enc_i(0x480 | sh, rs1, 1, rd, 0x13); /* bclri */
	case 2:
		return enc_i(0x680 | sh, rs1, 1, rd, 0x13); /* binvi */
	case 3:
		return enc_i(0x480 | sh, rs1, 5, rd, 0x13); /* bexti */
	case 4:
		return enc_i(0x600 | sh, rs1, 5, rd, 0x13); /* rori */
	case 5:
		return enc_i(unary[rnd_n(5)], rs1, 1, rd, 0x13);
	case 6:
		return enc_i(rnd_n(2) ? 0x287 : 0x6b8, rs1, 5, rd, 0x13); /* orc.b, rev8 */
	case 7:
		return enc_i(sh, rs1, 1, rd, 0x13); /* slli */
	case 8:
		return enc_i((rnd_n(2) ? 0x400 : 0) | sh, rs1, 5, rd, 0x13); /* srli/srai */
	default: {
		static const unsigned f3s[] = {0, 2, 3, 4, 6, 7};
		return enc_i((uint32_t)rnd(), rs1, f3s[rnd_n(6)], rd, 0x13);
	}
	}
}

static uint32_t gen_op_imm_32(void)
{
	unsigned rd = rd_reg(), rs1 = rs_reg(), sh = rnd_n(32);

	switch (rnd_n(7)) {
	case 0:
		return enc_i(sh, rs1, 1, rd, 0x1b);
	case 1:
		return enc_i(sh, rs1, 5, rd, 0x1b);
	case 2:
		return enc_i(0x400 | sh, rs1, 5, rd, 0x1b);
	case 3:
		return enc_i(0x600 | sh, rs1, 5, rd, 0x1b); /* roriw */
	case 4:
		return enc_i(0x600 | rnd_n(3), rs1, 1, rd, 0x1b); /* clzw ctzw cpopw */
	case 5:
		return enc_i(0x080 | rnd_n(64), rs1, 1, rd, 0x1b); /* slli.uw */
	default:
		return enc_i((uint32_t)rnd(), rs1, 0, rd, 0x1b); /* addiw */
	}
}

static uint32_t gen_mem(void)
{
	static const unsigned ld_f3[] = {0, 1, 2, 3, 4, 5, 6};
	uint32_t off = rnd_n(SCRATCH_LEN / 2 - 8);

	if (rnd_n(8) == 0) { /* an AMO or LR/SC pair half, naturally aligned */
		static const unsigned f5[] = {0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c};
		unsigned f3 = 2 + rnd_n(2);
		/* rs1 must hold an aligned address: base + 0 (x31) is aligned. */
		return enc_r(f5[rnd_n(9)] << 2, rs_reg(), BASE_REG, f3, rd_reg(), 0x2f);
	}
	if (rnd_n(2))
		return enc_i(off, BASE_REG, ld_f3[rnd_n(7)], rd_reg(), 0x03);
	return enc_s(off, rs_reg(), BASE_REG, rnd_n(4));
}

/* A random compressed ALU instruction (expanded by the frontend). */
static uint16_t gen_c(void)
{
	unsigned rd = rd_reg(), rs = 1 + rnd_n(31), imm = rnd_n(64);
	unsigned crd = rnd_n(8), crs = rnd_n(8);
	uint16_t hi_imm = (uint16_t)((imm >> 5) << 12 | (imm & 31) << 2);

	switch (rnd_n(8)) {
	case 0:
		return (uint16_t)(0x0001 | hi_imm | rd << 7); /* c.addi */
	case 1:
		return (uint16_t)(0x4001 | hi_imm | rd << 7); /* c.li */
	case 2:
		return (uint16_t)(0x2001 | hi_imm | rd << 7); /* c.addiw */
	case 3:
		return (uint16_t)(0x0002 | hi_imm | rd << 7); /* c.slli */
	case 4:
		return (uint16_t)(0x8001 | hi_imm | rnd_n(3) << 10 | crd << 7); /* srli srai andi */
	case 5: { /* c.sub c.xor c.or c.and; c.subw c.addw */
		unsigned w = rnd_n(2);
		return (uint16_t)(0x8c01 | w << 12 | rnd_n(w ? 2 : 4) << 5 | crd << 7 | crs << 2);
	}
	case 6:
		return (uint16_t)(0x8002 | rd << 7 | rs << 2); /* c.mv */
	default:
		return (uint16_t)(0x9002 | rd << 7 | rs << 2); /* c.add */
	}
}

enum item_kind { IT_32, IT_16, IT_BRANCH, IT_JAL };

struct item {
	enum item_kind kind;
	uint32_t insn;
	unsigned skip; /* branches/jumps: items skipped */
	uint64_t off;  /* byte offset in the sequence */
};

/* Generate one sequence into @code; returns its length in bytes. */
static size_t gen_sequence(uint8_t *code, size_t cap)
{
	struct item it[MAX_ITEMS];
	unsigned n = 8 + rnd_n(MAX_ITEMS - 8), i;
	uint64_t off = 0, end;
	static const unsigned bf3[] = {0, 1, 4, 5, 6, 7};

	for (i = 0; i < n; i++) {
		unsigned k = rnd_n(20);
		it[i].skip = 0;
		if (k < 5) {
			uint16_t p = op_pairs[rnd_n(sizeof(op_pairs) / 2)];
			it[i] = (struct item){
			    .kind = IT_32,
			    .insn = enc_r(p >> 3, rs_reg(), rs_reg(), p & 7, rd_reg(), 0x33)};
		} else if (k < 7) {
			uint16_t p = op32_pairs[rnd_n(sizeof(op32_pairs) / 2)];
			unsigned rs2 = p == 0x020 && rnd_n(2) ? 0 : rs_reg();
			unsigned f3 = (p & 7);
			if (p == 0x020 && rs2 == 0 && rnd_n(2))
				f3 = 4; /* zext.h */
			it[i] =
			    (struct item){.kind = IT_32,
					  .insn = enc_r(p >> 3, rs2, rs_reg(), f3, rd_reg(), 0x3b)};
		} else if (k < 10) {
			it[i] = (struct item){.kind = IT_32, .insn = gen_op_imm()};
		} else if (k < 11) {
			it[i] = (struct item){.kind = IT_32, .insn = gen_op_imm_32()};
		} else if (k < 12) {
			it[i] = (struct item){.kind = IT_32,
					      .insn = (uint32_t)(rnd() & 0xfffff000) |
						      rd_reg() << 7 | (rnd_n(2) ? 0x37 : 0x17)};
		} else if (k < 15) {
			it[i] = (struct item){.kind = IT_32, .insn = gen_mem()};
		} else if (k < 17) {
			it[i] = (struct item){.kind = IT_16, .insn = gen_c()};
		} else if (k < 19) {
			it[i] = (struct item){.kind = IT_BRANCH,
					      .insn = enc_b(0, rs_reg(), rs_reg(), bf3[rnd_n(6)])};
			it[i].skip = 1 + rnd_n(4);
		} else {
			it[i] = (struct item){.kind = IT_JAL,
					      .insn = enc_j(0, rnd_n(2) ? rd_reg() : 0)};
			it[i].skip = 1 + rnd_n(3);
		}
	}
	for (i = 0; i < n; i++) {
		it[i].off = off;
		off += it[i].kind == IT_16 ? 2 : 4;
	}
	end = off;
	for (i = 0; i < n; i++) {
		uint64_t tgt = i + 1 + it[i].skip < n ? it[i + 1 + it[i].skip].off : end;
		int32_t d = (int32_t)(tgt - it[i].off);
		uint32_t w = it[i].insn;

		if (it[i].kind == IT_BRANCH)
			w = enc_b(d, (w >> 20) & 31, (w >> 15) & 31, (w >> 12) & 7);
		else if (it[i].kind == IT_JAL)
			w = enc_j(d, (w >> 7) & 31);
		memcpy(code + it[i].off, &w, it[i].kind == IT_16 ? 2 : 4);
	}
	/* The end: jump to itself; the runner stops when the pc gets here. */
	uint32_t self = enc_j(0, 0);
	memcpy(code + end, &self, 4);
	(void)cap;
	return (size_t)end;
}

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

static const uint64_t interesting[] = {
    0,		1,	    2,		0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000, 0x100000000,	63,
    64,		31,	    32,
};

static void load_sequence(struct side *s, const uint8_t *code, size_t len, const uint64_t *regs,
			  const uint8_t *scratch)
{
	struct rv_cpu *cpu = rv_cpu(s->cpu);

	memcpy(s->ram, code, len + 4);
	memcpy(s->ram + (SCRATCH - RAM_BASE), scratch, SCRATCH_LEN);
	/* The host wrote the code behind the JIT's back: drop stale blocks. */
	tcg_invalidate_phys_range(s->ctx, RAM_BASE, len + 4);
	rv_cpu_reset(cpu, RAM_BASE, 0);
	cpu->mstatus = 0; /* FS Off: FP instructions are not generated */
	memcpy(cpu->x, regs, sizeof(cpu->x));
	cpu->x[0] = 0;
	cpu->x[BASE_REG] = SCRATCH;
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

/* Run one sequence on both sides block by block. 0 = same, 1 = differ, <0 = error. */
static int run_one(struct side *nat, struct side *itp, uint64_t seed)
{
	static uint8_t code[MAX_ITEMS * 4 + 8];
	static uint8_t scratch[SCRATCH_LEN];
	uint64_t regs[32];
	size_t len;
	int ret;

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	len = gen_sequence(code, sizeof(code));
	for (unsigned r = 0; r < 32; r++)
		regs[r] = rnd_n(3) ? rnd() : interesting[rnd_n(sizeof(interesting) / 8)];
	for (unsigned i = 0; i < SCRATCH_LEN; i++)
		scratch[i] = (uint8_t)rnd();
	load_sequence(nat, code, len, regs, scratch);
	load_sequence(itp, code, len, regs, scratch);

	for (unsigned steps = 0; nat->cpu->pc != RAM_BASE + len; steps++) {
		uint64_t pc = nat->cpu->pc;

		if (steps > 4 * MAX_ITEMS) {
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
	if (memcmp(nat->ram + (SCRATCH - RAM_BASE), itp->ram + (SCRATCH - RAM_BASE), SCRATCH_LEN)) {
		fprintf(stderr, "seed %" PRIu64 ": scratch memory differs (%s, %s)\n", seed,
			nat->name, itp->name);
		return 1;
	}
	return 0;
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
