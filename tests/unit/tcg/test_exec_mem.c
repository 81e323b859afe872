/*
 * Guest memory through the JIT core end to end (the harness of
 * exec_harness.h): loads and stores of every size and sign through RAM,
 * misaligned and across a page end, MMIO; a frontend with address
 * translation (a virtual window, a physical MMU index); and the native
 * backend's grouped accesses (one TLB check for accesses through one base)
 * with their failure paths. argv[1] = "interp" or "native".
 */
#include "tests/unit/tcg/exec_harness.h"

/* ---- guest memory ---- */

/* r2 = ld(r0); st(r1 -> r0 + 8); r3 = ld64(r0 + 8) with memop r[5]-selected. */
static enum tcg_memop cur_mo;

static void mem_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 a8 = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_ld_i64(b, toy_r[2], toy_r[0], cur_mo, 0);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_addi_i64(b, a8, toy_r[0], 8);
	tcg_gen_guest_st_i64(b, toy_r[1], a8, cur_mo, 0);
	tcg_gen_guest_ld_i64(b, toy_r[3], a8, TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

static void test_memory(bool optimize)
{
	static const struct {
		enum tcg_memop mo;
		uint64_t ld, st;
	} cases[] = {
	    {TCG_MO_UB, 0x88, 0x11},
	    {TCG_MO_SB, 0xffffffffffffff88ULL, 0x11},
	    {TCG_MO_UW, 0x8788, 0x2211},
	    {TCG_MO_SW, 0xffffffffffff8788ULL, 0x2211},
	    {TCG_MO_UL, 0x85868788, 0x44332211},
	    {TCG_MO_SL, 0xffffffff85868788ULL, 0x44332211},
	    {TCG_MO_UQ, 0x8182838485868788ULL, 0x8877665544332211ULL},
	};
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);

	reset_blocks();
	toy_default_fn = mem_block;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t v = 0x8182838485868788ULL;
		uint64_t addr = RAM_BASE + 0x4000 + 64 * i;
		memcpy(&ram[0x4000 + 64 * i], &v, 8);
		memset(&ram[0x4000 + 64 * i + 8], 0xee, 8);
		cur_mo = cases[i].mo;
		c->r[0] = addr;
		c->r[1] = 0x8877665544332211ULL;
		run(c, 0x4000 + 8 * i);
		CHECK_EQ(c->r[2], cases[i].ld);
		uint64_t want = 0xeeeeeeeeeeeeeeeeULL;
		unsigned size = 1u << (cases[i].mo & TCG_MO_SIZE);
		want = size == 8 ? cases[i].st : (want & ~((1ULL << (8 * size)) - 1)) | cases[i].st;
		CHECK_EQ(c->r[3], want);
		/* Misaligned within a page, then across the page end. */
		c->r[0] = addr + 1;
		run(c, 0x4000 + 8 * i);
		c->r[0] = RAM_BASE + 0x5000 - 3;
		memcpy(&ram[0x5000 - 3], &v, 8);
		run(c, 0x4000 + 8 * i);
		CHECK_EQ(c->r[2], cases[i].ld);
	}
	/* MMIO: loads see the device, stores reach it with the right size. */
	cur_mo = TCG_MO_UL;
	c->r[0] = MMIO_BASE + 0x10;
	c->r[1] = 0xcafef00d;
	run(c, 0x4800);
	CHECK_EQ(c->r[2], (0xa5a5a5a5a5a5a5a5ULL ^ 0x10) & 0xffffffff);
	CHECK_EQ(dev_last_off, 0x18);
	CHECK_EQ(dev_last_write, 0xcafef00d);
	CHECK_EQ(dev_last_size, 4);
	CHECK(c->exceptions == 0);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * r2 = ld64(r0 + 8); r3 = ld32(r0 - 8), each add dying at its load: the
 * native backend fuses the adds into the loads, which (no tlb_fill) go
 * through the RAM-window check; it must check the address with the
 * displacement, not r0.
 */
static void win_disp_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 a = tcg_temp_new_i64(b), a2 = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 8);
	tcg_gen_guest_ld_i64(b, toy_r[2], a, TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_addi_i64(b, a2, toy_r[0], (uint64_t)-8);
	tcg_gen_guest_ld_i64(b, toy_r[3], a2, TCG_MO_UL, 0);
	toy_goto(b, 0, HALT_PC);
}

static void test_window_disp(bool optimize)
{
	struct tcg_ctx *ctx = ctx_new(optimize, false);
	struct toy_cpu *c = cpu_new(ctx);
	uint64_t v = 0x0807060504030201ULL, w = 0x44434241;

	reset_blocks();
	toy_block(0x7c00, win_disp_block, false);
	memcpy(&ram[0x108], &v, 8);
	memcpy(&ram[0xf8], &w, 4);
	c->r[0] = RAM_BASE + 0x100;
	run(c, 0x7c00);
	CHECK_EQ(c->exceptions, 0);
	CHECK_EQ(c->r[2], v);
	CHECK_EQ(c->r[3], w);
	/* r0 in RAM, r0 + 8 just past its end: a fault there, not a host read. */
	c->r[0] = RAM_BASE + RAM_SIZE - 8;
	run(c, 0x7c00);
	CHECK_EQ(c->exceptions, 1);
	CHECK_EQ(c->scratch[0], 5);
	CHECK_EQ(c->scratch[1], RAM_BASE + RAM_SIZE);
	CHECK_EQ(c->scratch[2], 0x7c00);
	/* r0 below RAM, r0 + 8 its first byte; r0 - 8 faults. */
	memcpy(&ram[0], &v, 8);
	c->r[0] = RAM_BASE - 8;
	run(c, 0x7c00);
	CHECK_EQ(c->r[2], v);
	CHECK_EQ(c->exceptions, 2);
	CHECK_EQ(c->scratch[1], RAM_BASE - 16);
	CHECK_EQ(c->scratch[2], 0x7c04);
	/* Both in the device. */
	c->r[0] = MMIO_BASE + 0x18;
	run(c, 0x7c00);
	CHECK_EQ(c->exceptions, 2);
	CHECK_EQ(c->r[2], 0xa5a5a5a5a5a5a5a5ULL ^ 0x20);
	CHECK_EQ(c->r[3], (0xa5a5a5a5a5a5a5a5ULL ^ 0x10) & 0xffffffff);
	tcg_cpu_free(&c->base);
	tcg_ctx_free(ctx);
}

/*
 * A frontend with address translation: MMU index 0 maps the virtual window
 * 0x40000000.. onto RAM; index 1 is declared physical (phys_mmu_mask), so
 * the native backend may skip the TLB for it. Both must mean the same.
 */
#define VWIN 0x40000000ULL

static int mmu_tlb_fill(struct tcg_cpu *cpu, uint64_t vaddr, enum tcg_access access,
			unsigned mmu_idx, bool probe, struct tcg_tlb_fill *out)
{
	out->paddr = vaddr;
	if (mmu_idx == 0 && vaddr >= VWIN && vaddr < VWIN + RAM_SIZE)
		out->paddr = RAM_BASE + (vaddr - VWIN);
	out->read = out->write = out->exec = true;
	return 0;
}

static struct tcg_frontend_ops toy_mmu_fe;

/* r2 = ld(r0) via MMU 0; r3 = ld(r1) via MMU 1 (physical). */
static void mmu_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_ld_i64(b, toy_r[2], toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_guest_ld_i64(b, toy_r[3], toy_r[1], TCG_MO_UL, 1);
	toy_goto(b, 0, HALT_PC);
}

/*
 * Accesses through one base (r0) that the native backend checks as a
 * group: if r5 != 0 skip the first; r1 = [r0]; label; r2 = [r0 + 8];
 * [r0 + 16] = r1 + r2; r3 = [r0 + 16]; [r0 + 24] = r2. The label ends the
 * first group (a path from the branch skips its first access).
 */
static void grp_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_label l = tcg_label_new(b);
	tcg_i64 a = tcg_temp_new_i64(b), t = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_brcondi_i64(b, TCG_COND_NE, toy_r[5], 0, l);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_guest_ld_i64(b, toy_r[1], toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_set_label(b, l);
	tcg_gen_insn_start(b, pc + 8, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 8);
	tcg_gen_guest_ld_i64(b, toy_r[2], a, TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 12, 0);
	tcg_gen_add_i64(b, t, toy_r[1], toy_r[2]);
	tcg_gen_addi_i64(b, a, toy_r[0], 16);
	tcg_gen_guest_st_i64(b, t, a, TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 16, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 16);
	tcg_gen_guest_ld_i64(b, toy_r[3], a, TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 20, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 24);
	tcg_gen_guest_st_i64(b, toy_r[2], a, TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

/*
 * Loads that overwrite their own base: t = [r0]; t = [t + 8]; r1 = t (a
 * temp that dies at the add), then r0 = [r0 + 8] (a global, kept live
 * for a fault). The add must not be fused into such a load.
 */
static void ld_base_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 a = tcg_temp_new_i64(b), t = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_ld_i64(b, t, toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_addi_i64(b, a, t, 8);
	tcg_gen_guest_ld_i64(b, t, a, TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_mov_i64(b, toy_r[1], t);
	tcg_gen_addi_i64(b, a, toy_r[0], 8);
	tcg_gen_guest_ld_i64(b, toy_r[0], a, TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

/* [r0] = r1; [r0 + 8] = r1 (two stores, one group). */
static void store2_block(struct tcg_builder *b, uint64_t pc)
{
	tcg_i64 a = tcg_temp_new_i64(b);

	tcg_gen_insn_start(b, pc, 0);
	tcg_gen_guest_st_i64(b, toy_r[1], toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_insn_start(b, pc + 4, 0);
	tcg_gen_addi_i64(b, a, toy_r[0], 8);
	tcg_gen_guest_st_i64(b, toy_r[1], a, TCG_MO_UQ, 0);
	toy_goto(b, 0, HALT_PC);
}

static void grp_check_ram(struct toy_cpu *c, unsigned off)
{
	uint64_t v0 = 0x0102030405060708ULL, v1 = 0x1000000000000001ULL, got;

	memcpy(&ram[off], &v0, 8);
	memcpy(&ram[off + 8], &v1, 8);
	c->r[0] = VWIN + off;
	c->r[5] = 0;
	run(c, 0x7a80);
	CHECK_EQ(c->exceptions, 0);
	CHECK_EQ(c->r[1], v0);
	CHECK_EQ(c->r[2], v1);
	CHECK_EQ(c->r[3], v0 + v1);
	memcpy(&got, &ram[off + 16], 8);
	CHECK_EQ(got, v0 + v1);
	memcpy(&got, &ram[off + 24], 8);
	CHECK_EQ(got, v1);
}

static void test_groups(struct tcg_ctx *ctx, struct toy_cpu *c)
{
	struct tcg_stats st;
	uint64_t inval;

	toy_block(0x7a80, grp_block, false);
	toy_block(0x7b00, ld_base_block, false);
	toy_block(RAM_BASE + 0x9000, store2_block, true);
	toy_block(RAM_BASE + 0x8000, code_block, true);
	/* Inside one page; then across a page end (each access probes alone). */
	grp_check_ram(c, 0x3000);
	grp_check_ram(c, 0x3ff0);
	grp_check_ram(c, 0x3000);
	/* MMIO, the first load skipped: the rest must not use the last addend. */
	c->r[0] = MMIO_BASE + 0x40;
	c->r[1] = 5;
	c->r[5] = 1;
	run(c, 0x7a80);
	CHECK_EQ(c->exceptions, 0);
	CHECK_EQ(c->r[2], 0xa5a5a5a5a5a5a5a5ULL ^ 0x48);
	CHECK_EQ(c->r[3], 0xa5a5a5a5a5a5a5a5ULL ^ 0x50);
	CHECK_EQ(dev_last_off, 0x58);
	CHECK_EQ(dev_last_write, c->r[2]);
	/* A fault inside a group is precise: first the skipped-to load's. */
	c->r[0] = 0x20000000;
	run(c, 0x7a80);
	CHECK_EQ(c->exceptions, 1);
	CHECK_EQ(c->scratch[1], 0x20000008); /* r0 + 8: the add fused into the load */
	CHECK_EQ(c->scratch[2], 0x7a88);
	c->r[5] = 0;
	run(c, 0x7a80);
	CHECK_EQ(c->exceptions, 2);
	CHECK_EQ(c->scratch[2], 0x7a84);
	/* Across the end of RAM: the loads work, the store beyond faults. */
	memset(&ram[RAM_SIZE - 16], 0x3c, 16);
	c->r[0] = VWIN + RAM_SIZE - 16;
	run(c, 0x7a80);
	CHECK_EQ(c->exceptions, 3);
	CHECK_EQ(c->scratch[2], 0x7a8c);
	CHECK_EQ(c->r[1], 0x3c3c3c3c3c3c3c3cULL);
	CHECK_EQ(c->r[2], 0x3c3c3c3c3c3c3c3cULL);
	/* Loads that overwrite their base: a pointer chase through RAM. */
	{
		uint64_t p = VWIN + 0x3100, v = 0x5a5a5a5a5a5a5a5aULL;

		memcpy(&ram[0x3000], &p, 8);
		memcpy(&ram[0x3108], &v, 8);
		memset(&ram[0x3008], 0x77, 8);
		c->r[0] = VWIN + 0x3000;
		run(c, 0x7b00);
		CHECK_EQ(c->r[1], v);
		CHECK_EQ(c->r[0], 0x7777777777777777ULL);
	}
	/* Grouped stores over translated code invalidate it. */
	run(c, RAM_BASE + 0x8000);
	tcg_ctx_stats(ctx, &st);
	inval = st.tbs_invalidated;
	c->r[0] = VWIN + 0x8000;
	c->r[1] = 0;
	run(c, RAM_BASE + 0x9000);
	tcg_ctx_stats(ctx, &st);
	CHECK_EQ(st.tbs_invalidated, inval + 1);
	c->r[0] = VWIN + 0x8000;
	run(c, RAM_BASE + 0x9000);
	tcg_ctx_stats(ctx, &st);
	CHECK_EQ(st.tbs_invalidated, inval + 1);
}

static void test_mmu(void)
{
	struct tcg_ctx_config cfg = {
	    .fe = &toy_mmu_fe, .backend = backend, .mem = &gm, .mmio = &mmio};
	struct tcg_ctx *ctx = NULL;
	struct tcg_cpu *cpu = NULL;
	struct toy_cpu *c;
	uint64_t v = 0x1122334455667788ULL;

	toy_mmu_fe = toy_fe;
	toy_mmu_fe.tlb_fill = mmu_tlb_fill;
	toy_mmu_fe.phys_mmu_mask = 1u << 1;
	CHECK_EQ(tcg_ctx_new(&cfg, &ctx), 0);
	if (!ctx)
		return;
	CHECK_EQ(tcg_cpu_new(ctx, 0, &cpu), 0);
	c = (struct toy_cpu *)cpu;
	reset_blocks();
	toy_block(0x7800, mmu_block, false);
	memcpy(&ram[0x3010], &v, 8);
	c->r[0] = VWIN + 0x3010;
	c->r[1] = RAM_BASE + 0x3010;
	run(c, 0x7800);
	CHECK_EQ(c->exceptions, 0);
	CHECK_EQ(c->r[2], v);
	CHECK_EQ(c->r[3], 0x55667788);
	/* The virtual window means nothing to the physical index: a fault. */
	c->r[1] = VWIN + 0x3010;
	run(c, 0x7800);
	CHECK_EQ(c->exceptions, 1);
	CHECK_EQ(c->scratch[0], 5);
	CHECK_EQ(c->scratch[1], VWIN + 0x3010);
	CHECK_EQ(c->scratch[2], 0x7804);
	c->exceptions = 0;
	test_groups(ctx, c);
	tcg_cpu_free(cpu);
	tcg_ctx_free(ctx);
}

int main(int argc, char **argv)
{
	harness_init(argc, argv);
	for (int opt = 0; opt < 2; opt++) {
		test_memory(opt);
		test_window_disp(opt);
	}
	test_mmu();
	return test_result(argc > 1 ? argv[1] : "interp");
}
