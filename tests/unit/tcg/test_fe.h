/*
 * A toy guest frontend for the JIT core tests: eight 64-bit registers
 * r0..r7, an i32 register w0, and blocks built by hand. The block at guest
 * pc P is produced by the test's builder function registered for P (no
 * instruction decoding); when the test registers code bytes, tcg_fetch_code
 * is called so the block's page counts as code.
 */
#ifndef VMM_TESTS_UNIT_TCG_TEST_FE_H
#define VMM_TESTS_UNIT_TCG_TEST_FE_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "accel/tcg/tcg.h"

struct toy_cpu {
	struct tcg_cpu base;
	uint64_t r[8];
	uint32_t w0;
	uint64_t last_restore_pc;
	uint64_t exceptions;
	uint64_t scratch[4];
};

static tcg_i64 toy_r[8];
static tcg_i64 toy_pc;
static tcg_i32 toy_w0;

typedef void (*toy_block_fn)(struct tcg_builder *b, uint64_t pc);

#define TOY_MAX_BLOCKS 32
static struct {
	uint64_t pc;
	toy_block_fn fn;
	bool fetch; /* call tcg_fetch_code on [pc, pc+4) */
} toy_blocks[TOY_MAX_BLOCKS];
static unsigned toy_nblocks;
static unsigned toy_translations;
/* Blocks at pcs nobody registered: built by this (NULL: -ENOENT). */
static toy_block_fn toy_default_fn;

static inline void toy_block(uint64_t pc, toy_block_fn fn, bool fetch)
{
	toy_blocks[toy_nblocks].pc = pc;
	toy_blocks[toy_nblocks].fn = fn;
	toy_blocks[toy_nblocks].fetch = fetch;
	toy_nblocks++;
}

static void toy_register_globals(struct tcg_ctx *ctx)
{
	static const char *const names[8] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};

	for (unsigned i = 0; i < 8; i++)
		toy_r[i] = tcg_global_i64(ctx, offsetof(struct toy_cpu, r) + 8 * i, names[i]);
	toy_pc = tcg_global_i64(ctx, offsetof(struct tcg_cpu, pc), "pc");
	toy_w0 = tcg_global_i32(ctx, offsetof(struct toy_cpu, w0), "w0");
}

static int toy_translate(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags)
{
	for (unsigned i = 0; i < toy_nblocks; i++) {
		if (toy_blocks[i].pc != pc)
			continue;
		if (toy_blocks[i].fetch) {
			uint32_t insn;
			if (tcg_fetch_code(b, pc, 4, &insn) < 0)
				return -EFAULT;
		}
		toy_translations++;
		toy_blocks[i].fn(b, pc);
		return 0;
	}
	if (!toy_default_fn)
		return -ENOENT;
	toy_translations++;
	toy_default_fn(b, pc);
	return 0;
}

static void toy_restore_state(struct tcg_cpu *cpu, const uint64_t *data)
{
	cpu->pc = data[0];
	((struct toy_cpu *)cpu)->last_restore_pc = data[0];
}

/* Exceptions stop at pc 0xdead0000 (a block the tests register as a halt). */
static void toy_do_exception(struct tcg_cpu *cpu)
{
	struct toy_cpu *t = (struct toy_cpu *)cpu;
	t->exceptions++;
	t->scratch[0] = (uint64_t)cpu->exception;
	t->scratch[1] = cpu->exception_arg;
	t->scratch[2] = cpu->pc;
	cpu->pc = 0xdead0000;
}

static void toy_mem_fault(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access)
{
	tcg_raise_exception(cpu, 5 + (int)access, vaddr);
}

static void toy_unaligned(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access)
{
	tcg_raise_exception(cpu, 4, vaddr);
}

static const struct tcg_frontend_ops toy_fe = {
    .name = "toy",
    .cpu_size = sizeof(struct toy_cpu),
    .register_globals = toy_register_globals,
    .translate_block = toy_translate,
    .restore_state = toy_restore_state,
    .do_exception = toy_do_exception,
    .mem_fault = toy_mem_fault,
    .unaligned = toy_unaligned,
};

/* A block that stops the vCPU: used as the "halt" target. */
static uint64_t toy_stop_helper(struct tcg_cpu *cpu)
{
	tcg_cpu_stop(cpu);
	return 0;
}
static const struct tcg_helper toy_h_stop = TCG_HELPER(toy_stop_helper, 0, TCG_CALL_NO_RAISE);

static inline void toy_halt_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_call0(b, &toy_h_stop, TCG_I64_NONE);
	tcg_gen_movi_i64(b, toy_pc, pc);
	tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
}

/* End a block by jumping (chainable) to @dest. */
static inline void toy_goto(struct tcg_builder *b, unsigned slot, uint64_t dest)
{
	tcg_gen_goto_tb(b, slot);
	tcg_gen_movi_i64(b, toy_pc, dest);
	tcg_gen_exit_tb(b, slot);
}

static inline enum tcg_backend_kind toy_backend_arg(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "native") == 0)
		return TCG_BACKEND_KIND_NATIVE;
	return TCG_BACKEND_KIND_INTERP;
}

#endif
