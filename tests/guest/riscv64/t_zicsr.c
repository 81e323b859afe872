/* Zicsr: read/write/set/clear and immediate forms; M-mode CSRs; counters. */
#include "rvtest.h"

static void test_rw(void)
{
	uint64_t old;
	CSR_WRITE(mscratch, 0x1234567890abcdef);
	__asm__ volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xf0f0ULL));
	CHECK_EQ(old, 0x1234567890abcdef);
	__asm__ volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x0f00ULL));
	CHECK_EQ(old, 0xf0f0);
	CHECK_EQ(CSR_READ(mscratch), 0xfff0);
	__asm__ volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0xff00ULL));
	CHECK_EQ(old, 0xfff0);
	CHECK_EQ(CSR_READ(mscratch), 0xf0);
	__asm__ volatile("csrrs %0, mscratch, zero" : "=r"(old));
	CHECK_EQ(old, 0xf0);
	__asm__ volatile("csrrwi %0, mscratch, 31" : "=r"(old));
	CHECK_EQ(old, 0xf0);
	CHECK_EQ(CSR_READ(mscratch), 31);
	__asm__ volatile("csrrci %0, mscratch, 5" : "=r"(old));
	CHECK_EQ(old, 31);
	CHECK_EQ(CSR_READ(mscratch), 26);
	__asm__ volatile("csrrsi %0, mscratch, 1" : "=r"(old));
	CHECK_EQ(old, 26);
	CHECK_EQ(CSR_READ(mscratch), 27);
	__asm__ volatile("csrrsi %0, mscratch, 0" : "=r"(old));
	CHECK_EQ(old, 27);
	/* rd = x0 writes without reading. */
	__asm__ volatile("csrrw zero, mscratch, %0" ::"r"(-1ULL));
	CHECK_EQ(CSR_READ(mscratch), 0xffffffffffffffff);
	/* rd == rs1: the old value goes to rd after rs1 was read. */
	uint64_t v = 5;
	__asm__ volatile("csrrw %0, mscratch, %0" : "+r"(v));
	CHECK_EQ(v, 0xffffffffffffffff);
	CHECK_EQ(CSR_READ(mscratch), 5);
}

static void test_machine(void)
{
	uint64_t misa = CSR_READ(misa);
	CHECK_EQ(misa >> 62, 2); /* MXL = 64 */
	for (const char *e = "IMAC"; *e; e++)
		CHECK_EQ((misa >> (*e - 'A')) & 1, 1);
	CHECK_EQ(CSR_READ(mhartid), 0);

	uint64_t old = CSR_READ(mtvec);
	CSR_WRITE(mtvec, 0x80001000);
	CHECK_EQ(CSR_READ(mtvec), 0x80001000);
	CSR_WRITE(mtvec, old);
	CSR_WRITE(mepc, 0x80002000);
	CHECK_EQ(CSR_READ(mepc), 0x80002000);
	CSR_WRITE(mcause, 2);
	CHECK_EQ(CSR_READ(mcause), 2);
	CSR_WRITE(mtval, 0xdead);
	CHECK_EQ(CSR_READ(mtval), 0xdead);

	/* mstatus.FS is WARL-writable, the test crt0 left it Dirty. */
	CHECK_EQ((CSR_READ(mstatus) >> 13) & 3, 3);
	__asm__ volatile("csrc mstatus, %0" ::"r"(0x6000ULL));
	CHECK_EQ((CSR_READ(mstatus) >> 13) & 3, 0);
	__asm__ volatile("csrs mstatus, %0" ::"r"(0x2000ULL));
	CHECK_EQ((CSR_READ(mstatus) >> 13) & 3, 1);
	__asm__ volatile("csrs mstatus, %0" ::"r"(0x6000ULL));
	/* mstatus.SD summarises FS == Dirty. */
	CHECK_EQ(CSR_READ(mstatus) >> 63, 1);

	CSR_WRITE(mie, 0);
	CHECK_EQ(CSR_READ(mie), 0);
	CSR_WRITE(mie, 0x888); /* MSIE, MTIE, MEIE */
	CHECK_EQ(CSR_READ(mie) & 0x888, 0x888);
	CSR_WRITE(mie, 0);
	/* mip is readable; what is pending depends on the machine (QEMU's timer). */
	(void)CSR_READ(mip);
}

static void test_fcsr(void)
{
	CSR_WRITE(fcsr, 0xff);
	CHECK_EQ(CSR_READ(fcsr), 0xff);
	CHECK_EQ(CSR_READ(frm), 7);
	CHECK_EQ(CSR_READ(fflags), 0x1f);
	CSR_WRITE(frm, 3);
	CHECK_EQ(CSR_READ(fcsr), 0x7f);
	CSR_WRITE(fflags, 0x1);
	CHECK_EQ(CSR_READ(fcsr), 0x61);
	CSR_WRITE(fcsr, 0xfff); /* bits above 7 are read-only zero */
	CHECK_EQ(CSR_READ(fcsr), 0xff);
	CSR_WRITE(fflags, 0xff);
	CHECK_EQ(CSR_READ(fflags), 0x1f);
	CSR_WRITE(fcsr, 0);
	CHECK_EQ(CSR_READ(fcsr), 0);
}

static volatile uint64_t sink;

static void test_counters(void)
{
	uint64_t c0 = CSR_READ(cycle), i0 = CSR_READ(instret), t0 = CSR_READ(time);
	uint64_t mc0 = CSR_READ(mcycle), mi0 = CSR_READ(minstret);
	for (int i = 0; i < 200000; i++)
		sink += (uint64_t)i;
	uint64_t c1 = CSR_READ(cycle), i1 = CSR_READ(instret), t1 = CSR_READ(time);
	uint64_t mc1 = CSR_READ(mcycle), mi1 = CSR_READ(minstret);
	CHECK(c1 > c0);
	CHECK(i1 > i0);
	CHECK(t1 > t0);
	CHECK(mc1 > mc0);
	CHECK(mi1 > mi0);
	/* The loop retired at least 4 instructions per iteration. */
	CHECK(i1 - i0 >= 800000);
	CHECK(mi1 - mi0 >= 800000);
}

int main(void)
{
	test_rw();
	test_machine();
	test_fcsr();
	test_counters();
	return 0;
}
