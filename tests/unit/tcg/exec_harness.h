/*
 * The JIT core's end-to-end tests (test_exec.c, test_exec_mem.c,
 * test_exec_code.c) share this harness: a toy frontend (test_fe.h) over
 * 64 KiB of RAM at RAM_BASE and a device at MMIO_BASE that answers
 * 0xa5.. ^ offset and records the last write; contexts on the backend
 * named by argv[1] ("interp" or "native"; native skips on hosts without
 * one); blocks more than one file runs.
 */
#ifndef VMM_TESTS_UNIT_TCG_EXEC_HARNESS_H
#define VMM_TESTS_UNIT_TCG_EXEC_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "accel/tcg/tcg.h"
#include "tests/test.h"
#include "tests/unit/tcg/test_fe.h"

#define RAM_BASE  0x80000000ULL
#define RAM_SIZE  (64 * 1024)
#define MMIO_BASE 0x10000000ULL
#define HALT_PC	  0xdead0000ULL

static enum tcg_backend_kind backend;
static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem gm;
static struct io_bus mmio;
static uint64_t dev_last_write, dev_last_off;
static unsigned dev_last_size;

static inline uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	return 0xa5a5a5a5a5a5a5a5ULL ^ off;
}

static inline void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	dev_last_off = off;
	dev_last_write = val;
	dev_last_size = size;
}

static const struct io_dev_ops dev_ops = {.read = dev_read, .write = dev_write};

static inline struct tcg_ctx *ctx_new(bool optimize, bool single_step)
{
	struct tcg_ctx_config cfg = {
	    .fe = &toy_fe,
	    .backend = backend,
	    .mem = &gm,
	    .mmio = &mmio,
	    .code_size = 4 << 20,
	    .no_optimize = !optimize,
	    .single_step = single_step,
	};
	struct tcg_ctx *ctx = NULL;
	int rc = tcg_ctx_new(&cfg, &ctx);

	if (rc == -ENODEV)
		TEST_SKIP("no native TCG backend on this host");
	CHECK_EQ(rc, 0);
	if (rc)
		exit(1);
	CHECK(strcmp(tcg_ctx_backend_name(ctx),
		     backend == TCG_BACKEND_KIND_NATIVE ? "native" : "interp") == 0);
	return ctx;
}

static inline struct toy_cpu *cpu_new(struct tcg_ctx *ctx)
{
	struct tcg_cpu *cpu = NULL;

	CHECK_EQ(tcg_cpu_new(ctx, 0, &cpu), 0);
	if (!cpu)
		exit(1);
	return (struct toy_cpu *)cpu;
}

static inline void reset_blocks(void)
{
	toy_nblocks = 0;
	toy_default_fn = NULL;
	toy_translations = 0;
	toy_block(HALT_PC, toy_halt_block, false);
}

/* Run from @pc until the halt block stops the vCPU. */
static inline void run(struct toy_cpu *c, uint64_t pc)
{
	c->base.pc = pc;
	CHECK_EQ(tcg_cpu_exec(&c->base), TCG_EXEC_STOPPED);
}

/* RAM and the device, and the backend from argv[1]. */
static inline void harness_init(int argc, char **argv)
{
	backend = toy_backend_arg(argc, argv);
	CHECK_EQ(gm_add_region(&gm, RAM_BASE, RAM_SIZE, ram), 0);
	io_bus_init(&mmio, "mmio");
	CHECK_EQ(io_bus_register(&mmio, MMIO_BASE, 0x1000, &dev_ops, NULL, "dev"), 0);
}

/* r5 += 1, then halt (a block to run, invalidate and translate again). */
static inline void code_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, toy_r[5], toy_r[5], 1);
	toy_goto(b, 0, HALT_PC);
}

/* r0 -= 1; r1 += 3; if r0 != 0 loop else halt. */
static inline void loop_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_label l = tcg_label_new(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_subi_i64(b, toy_r[0], toy_r[0], 1);
	tcg_gen_addi_i64(b, toy_r[1], toy_r[1], 3);
	tcg_gen_brcondi_i64(b, TCG_COND_NE, toy_r[0], 0, l);
	toy_goto(b, 1, HALT_PC);
	tcg_gen_set_label(b, l);
	toy_goto(b, 0, pc);
}

#endif
