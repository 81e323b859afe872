/*
 * An interpreter-style dispatch loop: a tiny register bytecode VM (16 64-bit
 * registers, 1 Ki words of memory, a switch over the opcode) runs a program
 * with two nested loops: an LCG step, a data-dependent branch, and a load,
 * add and store into a histogram. For a JIT this is the hard case: one
 * indirect jump per bytecode instruction whose target changes every time.
 */
#include "bench.h"

#define BC_REPS	 120000 /* outer loop iterations of the program */
#define BC_INNER 64
#define BC_MEM	 1024

const char bench_name[] = "bytecode";

enum bc_op {
	BC_HALT,
	BC_LI,	 /* r[a] = imm */
	BC_ADD,	 /* r[a] = r[b] + r[c] */
	BC_MUL,	 /* r[a] = r[b] * r[c] */
	BC_XOR,	 /* r[a] = r[b] ^ r[c] */
	BC_ADDI, /* r[a] = r[b] + imm */
	BC_ANDI, /* r[a] = r[b] & imm */
	BC_SHRI, /* r[a] = r[b] >> imm */
	BC_LD,	 /* r[a] = mem[r[b] % BC_MEM] */
	BC_ST,	 /* mem[r[b] % BC_MEM] = r[a] */
	BC_BZ,	 /* if r[a] == 0 goto imm */
	BC_BNZ,	 /* if r[a] != 0 goto imm */
	BC_JMP,	 /* goto imm */
};

struct bc_insn {
	uint8_t op, a, b, c;
	int64_t imm;
};

#define I(op_, a_, b_, c_, imm_)                                                                   \
	{                                                                                          \
		.op = BC_##op_, .a = a_, .b = b_, .c = c_, .imm = imm_                             \
	}

/* r0 = outer count (set before the run), r1 = LCG state, r8/r9 = results. */
static const struct bc_insn bc_prog[] = {
    /* 0 */ I(LI, 1, 0, 0, 0x12345678),
    /* 1 */ I(LI, 2, 0, 0, 6364136223846793005ll),
    /* 2 */ I(LI, 4, 0, 0, 1442695040888963407ll),
    /* 3 outer: */ I(LI, 3, 0, 0, BC_INNER),
    /* 4 inner: */ I(MUL, 1, 1, 2, 0),
    /* 5 */ I(ADD, 1, 1, 4, 0),
    /* 6 */ I(SHRI, 5, 1, 0, 33),
    /* 7 */ I(ANDI, 10, 5, 0, 1),
    /* 8 */ I(BZ, 10, 0, 0, 11),
    /* 9 */ I(ADD, 9, 9, 5, 0),
    /* 10 */ I(JMP, 0, 0, 0, 12),
    /* 11 else: */ I(XOR, 9, 9, 5, 0),
    /* 12 join: */ I(LD, 7, 5, 0, 0),
    /* 13 */ I(ADD, 7, 7, 9, 0),
    /* 14 */ I(ST, 7, 5, 0, 0),
    /* 15 */ I(XOR, 8, 8, 7, 0),
    /* 16 */ I(ADDI, 3, 3, 0, -1),
    /* 17 */ I(BNZ, 3, 0, 0, 4),
    /* 18 */ I(ADDI, 0, 0, 0, -1),
    /* 19 */ I(BNZ, 0, 0, 0, 3),
    /* 20 */ I(HALT, 0, 0, 0, 0),
};

static uint64_t bc_mem[BC_MEM];

/* Runs bc_prog on r; returns the number of instructions executed. */
static uint64_t bc_run(uint64_t *r)
{
	uint64_t pc = 0, n = 0;

	for (;;) {
		const struct bc_insn *i = &bc_prog[pc++];
		n++;
		switch (i->op) {
		case BC_HALT:
			return n;
		case BC_LI:
			r[i->a] = (uint64_t)i->imm;
			break;
		case BC_ADD:
			r[i->a] = r[i->b] + r[i->c];
			break;
		case BC_MUL:
			r[i->a] = r[i->b] * r[i->c];
			break;
		case BC_XOR:
			r[i->a] = r[i->b] ^ r[i->c];
			break;
		case BC_ADDI:
			r[i->a] = r[i->b] + (uint64_t)i->imm;
			break;
		case BC_ANDI:
			r[i->a] = r[i->b] & (uint64_t)i->imm;
			break;
		case BC_SHRI:
			r[i->a] = r[i->b] >> (i->imm & 63);
			break;
		case BC_LD:
			r[i->a] = bc_mem[r[i->b] % BC_MEM];
			break;
		case BC_ST:
			bc_mem[r[i->b] % BC_MEM] = r[i->a];
			break;
		case BC_BZ:
			if (r[i->a] == 0)
				pc = (uint64_t)i->imm;
			break;
		case BC_BNZ:
			if (r[i->a] != 0)
				pc = (uint64_t)i->imm;
			break;
		case BC_JMP:
			pc = (uint64_t)i->imm;
			break;
		default:
			return n; /* not reached: the program is ours */
		}
	}
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t r[16] = {0}, sum = 0;

	r[0] = bench_reps(BC_REPS, scale);
	sum = bench_mix(sum, bc_run(r));
	for (int i = 0; i < 16; i++)
		sum = bench_mix(sum, r[i]);
	for (int i = 0; i < BC_MEM; i++)
		sum = bench_mix(sum, bc_mem[i]);
	return sum;
}
