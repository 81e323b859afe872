/*
 * Privilege levels (priv spec 1.12 §3.1, §3.3, §4.1): the S/U CSR views,
 * ecall causes per mode, trap delegation (medeleg/mideleg), mret/sret,
 * illegal accesses from lower modes, timer (Sstc stimecmp) and software
 * interrupts taken in M and in S, and wfi waking up on a pending interrupt.
 */
#include "rvpriv.h"

static uint64_t ret_arg(uint64_t a)
{
	return a + 1;
}

static uint64_t read_sstatus(uint64_t a)
{
	(void)a;
	return CSR_READ(sstatus);
}

/* Reads mhartid: illegal below M (priv §2.1). */
static uint64_t read_mhartid(uint64_t a)
{
	(void)a;
	return CSR_READ(mhartid);
}

static uint64_t do_wfi(uint64_t a)
{
	(void)a;
	__asm__ volatile("wfi");
	return 7;
}

static uint64_t read_time(uint64_t a)
{
	(void)a;
	return CSR_READ(time);
}

static void test_csrs(void)
{
	uint64_t misa = CSR_READ(misa), ms;

	CHECK(misa & (1UL << ('S' - 'A')));
	CHECK(misa & (1UL << ('U' - 'A')));
	ms = CSR_READ(mstatus);
	CHECK_EQ((ms >> 32) & 15, 0xa); /* UXL = SXL = 64-bit */
	/* sstatus is a view of mstatus (§4.1.1). */
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_SUM));
	CHECK(CSR_READ(mstatus) & MSTATUS_SUM);
	__asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_SUM));
	CHECK(!(CSR_READ(sstatus) & MSTATUS_SUM));
	CHECK(!(CSR_READ(sstatus) & MSTATUS_MPP));
	/* medeleg holds the page faults (§3.1.8; bit 11 "should" be zero: not checked). */
	CSR_WRITE(medeleg, ~0UL);
	CHECK(CSR_READ(medeleg) & (1UL << 13));
	CSR_WRITE(medeleg, 0);
	/* mideleg holds the S interrupts; sie shows mie only where delegated. */
	CSR_WRITE(mideleg, 0x222);
	CHECK_EQ(CSR_READ(mideleg) & 0xaaa, 0x222);
	CSR_WRITE(mie, 0x2aa);
	CHECK_EQ(CSR_READ(sie) & 0xaaa, 0x222);
	CSR_WRITE(mie, 0);
	CSR_WRITE(mideleg, 0);
	/* satp: a write with an unsupported mode has no effect (§4.1.11). */
	CSR_WRITE(satp, 0);
	CSR_WRITE(satp, (5UL << 60) | 0x1234);
	CHECK_EQ(CSR_READ(satp), 0);
}

static void test_modes(void)
{
	CHECK_EQ(rvp_run(RVP_S, ret_arg, 41), 42);
	CHECK_EQ(rvp_run(RVP_U, ret_arg, 1), 2);
	/* S reads sstatus; SPP is whatever, but MPP is never visible. */
	CHECK(!(rvp_run(RVP_S, read_sstatus, 0) & MSTATUS_MPP));
	/* M-only CSR from S, S CSR from U: illegal instruction, to M. */
	rvt_expect_trap();
	rvp_run(RVP_S, read_mhartid, 0);
	CHECK_EQ(rvt_last_trap.cause, 2);
	rvt_expect_trap();
	rvp_run(RVP_U, read_sstatus, 0);
	CHECK_EQ(rvt_last_trap.cause, 2);
	/* wfi in U-mode is illegal (§3.3.3, S-mode implemented). */
	rvt_expect_trap();
	CHECK_EQ(rvp_run(RVP_U, do_wfi, 0), 7);
	CHECK_EQ(rvt_last_trap.cause, 2);
	/* time from U needs mcounteren.TM and scounteren.TM (§3.1.11). */
	CSR_WRITE(mcounteren, 0);
	rvt_expect_trap();
	rvp_run(RVP_S, read_time, 0);
	CHECK_EQ(rvt_last_trap.cause, 2);
	CSR_WRITE(mcounteren, 2);
	CSR_WRITE(scounteren, 0);
	rvt_expect_trap();
	rvp_run(RVP_U, read_time, 0);
	CHECK_EQ(rvt_last_trap.cause, 2);
	CSR_WRITE(scounteren, 2);
	CHECK(rvp_run(RVP_U, read_time, 0) != 0);
	CSR_WRITE(mcounteren, 7UL);
}

static void test_delegation(void)
{
	unsigned before = rvt_last_trap.count;

	/* Illegal instruction delegated: the S vector gets it, M does not. */
	CSR_WRITE(medeleg, 1UL << 2);
	rvp_clear_s_trap();
	rvp_run(RVP_S, read_mhartid, 0);
	CHECK_EQ(rvp_s_trap.count, 1);
	CHECK_EQ(rvp_s_trap.cause, 2);
	CHECK_EQ(rvt_last_trap.count, before);
	/* From U too. */
	rvp_clear_s_trap();
	rvp_run(RVP_U, read_sstatus, 0);
	CHECK_EQ(rvp_s_trap.count, 1);
	CHECK_EQ(rvp_s_trap.cause, 2);
	/* Traps in M-mode are never delegated. */
	rvt_expect_trap();
	__asm__ volatile(".word 0xc0001073"); /* csrrw x0, cycle, x0: illegal */
	CHECK_EQ(rvt_last_trap.count, before + 1);
	CHECK_EQ(rvp_s_trap.count, 1);
	CSR_WRITE(medeleg, 0);
}

/* S-mode: sret with SPP = U drops to U at sepc (§3.3.2). */
static uint64_t sret_to_u(uint64_t a)
{
	(void)a;
	__asm__ volatile("csrc sstatus, %0\n"
			 "la t0, 1f\n"
			 "csrw sepc, t0\n"
			 "sret\n"
			 "1: li a0, 99\n"
			 "ecall\n" ::"r"(MSTATUS_SPP)
			 : "t0", "a0");
	return 0;
}

static void test_sret(void)
{
	/* The ecall after sret comes from U: cause 8 (rvp_run counts both). */
	CHECK_EQ(rvp_run(RVP_S, sret_to_u, 0), 99);
}

static void wait_ticks(uint64_t n)
{
	uint64_t t = CSR_READ(time);
	while (CSR_READ(time) - t < n)
		;
}

static void test_software_irq(void)
{
	/* M-mode: mip.SSIP set by M software, not delegated, MIE on: taken now. */
	rvp_m_irq.count = 0;
	CSR_WRITE(mie, 2);
	__asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE));
	__asm__ volatile("csrs mip, %0" ::"r"(2UL));
	wait_ticks(10);
	__asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_MIE));
	CHECK_EQ(rvp_m_irq.count, 1);
	CHECK_EQ(rvp_m_irq.cause, IRQ_BIT | 1);
	/* Pending but MIE off: not taken; it stays pending. */
	__asm__ volatile("csrs mip, %0" ::"r"(2UL));
	wait_ticks(10);
	CHECK_EQ(rvp_m_irq.count, 1);
	CHECK(CSR_READ(mip) & 2);
	__asm__ volatile("csrc mip, %0" ::"r"(2UL));
	CSR_WRITE(mie, 0);
}

/* S-mode with SIE: raise SSIP itself; the delegated interrupt hits the S vector. */
static uint64_t s_self_ipi(uint64_t a)
{
	(void)a;
	__asm__ volatile("csrs sie, %0" ::"r"(2UL));
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_SIE));
	__asm__ volatile("csrs sip, %0" ::"r"(2UL));
	wait_ticks(10);
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_SIE));
	return rvp_s_trap.count;
}

static void test_delegated_irq(void)
{
	CSR_WRITE(mideleg, 2);
	rvp_clear_s_trap();
	rvp_m_irq.count = 0;
	CHECK_EQ(rvp_run(RVP_S, s_self_ipi, 0), 1);
	CHECK_EQ(rvp_s_trap.cause, IRQ_BIT | 1);
	CHECK_EQ(rvp_m_irq.count, 0);
	CSR_WRITE(mideleg, 0);
	CSR_WRITE(mie, 0);
}

/* Sstc: stimecmp drives STIP; wfi wakes on it even with MIE off (§3.3.3). */
static void test_timer_wfi(void)
{
	uint64_t t0, target;

	CSR_WRITE(menvcfg, MENVCFG_STCE);
	CSR_WRITE(mcounteren, 2);
	CSR_WRITE(0x14d, RVP_FAR_FUTURE());
	CHECK(!(CSR_READ(mip) & (1UL << 5)));
	t0 = CSR_READ(time);
	target = t0 + 20000; /* 2 ms at 10 MHz */
	CSR_WRITE(0x14d, target);
	CSR_WRITE(mie, 1UL << 5);
	rvp_m_irq.count = 0;
	while (!(CSR_READ(mip) & (1UL << 5)))
		__asm__ volatile("wfi");
	CHECK(CSR_READ(time) >= target);
	CHECK_EQ(rvp_m_irq.count, 0);
	/* Now enable: the pending timer interrupt is taken in M (not delegated). */
	__asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE));
	wait_ticks(10);
	__asm__ volatile("csrc mstatus, %0" ::"r"(MSTATUS_MIE));
	CHECK_EQ(rvp_m_irq.count, 1);
	CHECK_EQ(rvp_m_irq.cause, IRQ_BIT | 5);
	CHECK(!(CSR_READ(mip) & (1UL << 5))); /* the hook moved stimecmp away */
	CSR_WRITE(mie, 0);
}

/* A delegated timer interrupt wakes S-mode wfi and enters the S vector. */
static uint64_t s_timer(uint64_t a)
{
	CSR_WRITE(0x14d, CSR_READ(time) + a);
	__asm__ volatile("csrs sie, %0" ::"r"(1UL << 5));
	__asm__ volatile("csrs sstatus, %0" ::"r"(MSTATUS_SIE));
	while (!rvp_s_trap.count)
		__asm__ volatile("wfi");
	__asm__ volatile("csrc sstatus, %0" ::"r"(MSTATUS_SIE));
	return rvp_s_trap.cause;
}

static void test_s_timer(void)
{
	CSR_WRITE(mideleg, 1UL << 5);
	rvp_clear_s_trap();
	CHECK_EQ(rvp_run(RVP_S, s_timer, 10000), IRQ_BIT | 5);
	CSR_WRITE(mideleg, 0);
	CSR_WRITE(mie, 0);
}

#define RUN(t)                                                                                     \
	do {                                                                                       \
		rvt_puts(#t "\n");                                                                 \
		t();                                                                               \
	} while (0)

int main(void)
{
	rvp_init();
	RUN(test_csrs);
	RUN(test_modes);
	RUN(test_delegation);
	RUN(test_sret);
	RUN(test_software_irq);
	RUN(test_delegated_irq);
	RUN(test_timer_wfi);
	RUN(test_s_timer);
	return 0;
}
