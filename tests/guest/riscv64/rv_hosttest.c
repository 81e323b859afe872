/*
 * Host-side tests of the RISC-V frontend that a guest program cannot make
 * itself: exact instret across an exception, faults at unmapped addresses
 * (fetch, load, store) with their mcause/mepc/mtval, MMIO dispatch, wfi
 * halting, and random instruction words (32- and 16-bit), which must trap
 * or execute but never crash the VMM. Runs under every backend available.
 */
#include <errno.h>
#include <string.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/tcg.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"
#include "tests/test.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1ULL << 20)
#define HANDLER	 (RAM_BASE + 0x10000)
#define MMIO_DEV 0x3000ULL

struct fake_dev {
	uint64_t last_off, last_val;
	unsigned last_size, writes;
};

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	return 0xfedcba9876543210ULL >> (8 * (off & 7));
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	struct fake_dev *d = opaque;
	d->last_off = off;
	d->last_val = val;
	d->last_size = size;
	d->writes++;
}

static const struct io_dev_ops dev_ops = {.read = dev_read, .write = dev_write};

struct rig {
	struct guest_mem gm;
	struct io_bus mmio;
	struct fake_dev dev;
	struct tcg_ctx *ctx;
	struct tcg_cpu *cpu;
	uint8_t *ram;
};

static int rig_init(struct rig *r, enum tcg_backend_kind kind)
{
	struct gm_region layout = {.gpa = RAM_BASE, .size = RAM_SIZE};
	struct tcg_ctx_config cfg = {.fe = &rv_frontend_ops, .backend = kind};
	int ret;

	memset(r, 0, sizeof(*r));
	if (guest_mem_alloc(&r->gm, &layout, 1) < 0)
		return -ENOMEM;
	io_bus_init(&r->mmio, "mmio");
	if (io_bus_register(&r->mmio, MMIO_DEV, 0x100, &dev_ops, &r->dev, "fake") < 0)
		return -EINVAL;
	r->ram = gm_ptr(&r->gm, RAM_BASE, RAM_SIZE);
	cfg.mem = &r->gm;
	cfg.mmio = &r->mmio;
	ret = tcg_ctx_new(&cfg, &r->ctx);
	if (ret < 0)
		return ret;
	return tcg_cpu_new(r->ctx, 0, &r->cpu);
}

static void rig_free(struct rig *r)
{
	tcg_cpu_free(r->cpu);
	tcg_ctx_free(r->ctx);
	guest_mem_free(&r->gm);
}

/* Put @n words of code at RAM_BASE and the handler (`j .`), reset the hart. */
static void load(struct rig *r, const uint32_t *code, size_t n)
{
	static const uint32_t self = 0x0000006f; /* jal x0, 0 */

	memset(r->ram, 0, 0x20000);
	memcpy(r->ram, code, n * 4);
	memcpy(r->ram + (HANDLER - RAM_BASE), &self, 4);
	tcg_invalidate_phys_range(r->ctx, RAM_BASE, 0x20000);
	rv_cpu_reset(rv_cpu(r->cpu), RAM_BASE, 0);
	rv_cpu(r->cpu)->mtvec = HANDLER;
}

/* Run blocks until the pc reaches @stop (true) or the budget runs out. */
static bool run_to(struct rig *r, uint64_t stop, unsigned budget)
{
	while (budget--) {
		if (r->cpu->pc == stop)
			return true;
		if (tcg_cpu_exec_tb(r->cpu) < 0)
			return false;
	}
	return r->cpu->pc == stop;
}

static void test_instret(struct rig *r)
{
	/* Handler: csrr a1, minstret; j . */
	static const uint32_t code[] = {
	    0xb0202573,					    /* csrr a0, minstret */
	    0x00000013, 0x00000013, 0x00000013, 0x00000000, /* illegal: does not retire */
	};
	static const uint32_t handler[] = {0xb02025f3, 0x0000006f};
	struct rv_cpu *cpu = rv_cpu(r->cpu);

	load(r, code, 5);
	memcpy(r->ram + (HANDLER - RAM_BASE), handler, sizeof(handler));
	tcg_invalidate_phys_range(r->ctx, HANDLER, sizeof(handler));
	CHECK(run_to(r, HANDLER + 4, 20));
	CHECK_EQ(cpu->mcause, RV_EXCP_ILLEGAL);
	CHECK_EQ(cpu->mepc, RAM_BASE + 16);
	CHECK_EQ(cpu->x[11] - cpu->x[10], 4); /* csrr + 3 nops */
	CHECK_EQ(r->cpu->instret, 5);	      /* the handler's csrr too */
}

static void test_faults(struct rig *r)
{
	struct rv_cpu *cpu = rv_cpu(r->cpu);
	/* li a1, 0x2000; ld a0, 8(a1) */
	static const uint32_t ld[] = {0x000025b7, 0x0085b503};
	/* li a1, 0x2000; sd a0, 16(a1) */
	static const uint32_t sd[] = {0x000025b7, 0x00a5b823};

	load(r, ld, 2);
	CHECK(run_to(r, HANDLER, 10));
	CHECK_EQ(cpu->mcause, RV_EXCP_LOAD_ACCESS);
	CHECK_EQ(cpu->mepc, RAM_BASE + 4);
	CHECK_EQ(cpu->mtval, 0x2008);
	CHECK_EQ(r->cpu->instret, 1);

	load(r, sd, 2);
	CHECK(run_to(r, HANDLER, 10));
	CHECK_EQ(cpu->mcause, RV_EXCP_STORE_ACCESS);
	CHECK_EQ(cpu->mtval, 0x2010);

	/* Fetch from an address with nothing there. */
	load(r, ld, 0);
	r->cpu->pc = 0x1000;
	CHECK(run_to(r, HANDLER, 10));
	CHECK_EQ(cpu->mcause, RV_EXCP_INSN_ACCESS);
	CHECK_EQ(cpu->mepc, 0x1000);
	CHECK_EQ(cpu->mtval, 0x1000);
}

static void test_mmio(struct rig *r)
{
	struct rv_cpu *cpu = rv_cpu(r->cpu);
	static const uint32_t code[] = {
	    0x000035b7, /* lui a1, 0x3 */
	    0x00c5a223, /* sw a2, 4(a1) */
	    0x0045a503, /* lw a0, 4(a1) */
	    0x0005c683, /* lbu a3, 0(a1) */
	    0x0000006f,
	};

	load(r, code, 5);
	cpu->x[12] = 0x1122334455667788ULL;
	CHECK(run_to(r, RAM_BASE + 16, 10));
	CHECK_EQ(r->dev.writes, 1);
	CHECK_EQ(r->dev.last_off, 4);
	CHECK_EQ(r->dev.last_size, 4);
	CHECK_EQ(r->dev.last_val & 0xffffffff, 0x55667788);
	CHECK_EQ(cpu->x[10], 0xfffffffffedcba98ULL); /* lw sign-extends */
	CHECK_EQ(cpu->x[13], 0x10);
}

static void test_wfi(struct rig *r)
{
	static const uint32_t code[] = {0x10500073, 0x0000006f}; /* wfi; j . */

	load(r, code, 2);
	CHECK_EQ(tcg_cpu_exec(r->cpu), TCG_EXEC_HALTED);
	CHECK_EQ(r->cpu->pc, RAM_BASE + 4);
	CHECK(r->cpu->halted);
}

/* ctzw/clzw look at the low word only (QEMU 7.2 gets ctzw(1 << 63) wrong: 63). */
static void test_zbb_w(struct rig *r)
{
	struct rv_cpu *cpu = rv_cpu(r->cpu);
	static const uint32_t code[] = {
	    0x6015951b, /* ctzw a0, a1 */
	    0x6005961b, /* clzw a2, a1 */
	    0x6025969b, /* cpopw a3, a1 */
	    0x0000006f,
	};

	load(r, code, 4);
	cpu->x[11] = 0x8000000000000000ULL;
	CHECK(run_to(r, RAM_BASE + 12, 10));
	CHECK_EQ(cpu->x[10], 32);
	CHECK_EQ(cpu->x[12], 32);
	CHECK_EQ(cpu->x[13], 0);
}

/* Random words: each must execute or trap; the run must not crash or fail. */
static void test_random_words(struct rig *r, unsigned n)
{
	uint64_t s = 0x243f6a8885a308d3ULL;
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t w[2];

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		w[0] = (uint32_t)s;
		if (i & 1)
			w[0] = (w[0] & 0xffff) | 0x00010000; /* a 16-bit insn, then c.nop */
		w[1] = 0x0000006f;
		load(r, w, 2);
		if (i & 2) { /* FP on for half of them, so F/D decoding is exercised too */
			rv_cpu(r->cpu)->mstatus = RV_MSTATUS_FS;
			r->cpu->tb_flags = rv_cpu_tb_flags(rv_cpu(r->cpu));
		}
		/* Either the trap handler or the next instruction is reached. */
		for (unsigned k = 0; k < 8; k++) {
			if (tcg_cpu_exec_tb(r->cpu) < 0)
				break;
			uint64_t pc = r->cpu->pc;
			if (pc == HANDLER || (pc >= RAM_BASE + 2 && pc <= RAM_BASE + 6)) {
				ok++;
				break;
			}
		}
	}
	/* Jumps and branches may leave elsewhere; most words must end at one of the two. */
	CHECK(ok > n / 2);
}

static void run_all(enum tcg_backend_kind kind, const char *name)
{
	struct rig r;
	int ret = rig_init(&r, kind);

	if (ret == -ENODEV) {
		fprintf(stderr, "%s backend not available here: skipped\n", name);
		return;
	}
	CHECK_EQ(ret, 0);
	if (ret < 0)
		return;
	test_instret(&r);
	test_faults(&r);
	test_mmio(&r);
	test_wfi(&r);
	test_zbb_w(&r);
	test_random_words(&r, 40000);
	rig_free(&r);
}

int main(void)
{
	run_all(TCG_BACKEND_KIND_INTERP, "interp");
	run_all(TCG_BACKEND_KIND_NATIVE, "native");
	return test_result("rv_hosttest");
}
