/*
 * An S-mode program in the Linux Image format (boot-image-header.rst),
 * checking the SBI (spec 2.0) the way a kernel uses it: base probing, TIME
 * with the timer interrupt, IPI, RFENCE, HSM start/status/stop of hart 1,
 * DBCN and legacy console output, and SRST shutdown to end the run (exit
 * status 0). Runs under vmm (its own SBI, --cpus 2) and under QEMU virt
 * with OpenSBI (-smp 2). Failures end through the test finisher.
 */
#include "rvsbi.h"
#include "rvtest.h"

#define IRQ	       (1UL << 63)

__asm__(RVSBI_IMAGE_HEADER
	"1:	la sp, __stack_top\n"
	"	la t0, s_vector\n"
	"	csrw stvec, t0\n"
	"	la t0, __bss_start\n"
	"	la t1, __bss_end\n"
	"2:	bgeu t0, t1, 3f\n"
	"	sd zero, 0(t0)\n"
	"	addi t0, t0, 8\n"
	"	j 2b\n"
	"3:	call s_main\n"
	"4:	wfi\n"
	"	j 4b\n"
	/* Hart 1 after hart_start: a0 = hart id, a1 = opaque. */
	".globl secondary\n"
	"secondary:\n"
	"	la sp, __stack2_top\n"
	"	call s_secondary\n"
	"5:	wfi\n"
	"	j 5b\n"
	/* Interrupts only: record scause, silence the source, return. */
	".balign 4\n"
	"s_vector:\n"
	"	addi sp, sp, -128\n"
	"	sd ra, 0(sp)\n"
	"	sd a0, 8(sp)\n"
	"	sd a1, 16(sp)\n"
	"	sd a2, 24(sp)\n"
	"	sd a3, 32(sp)\n"
	"	sd a4, 40(sp)\n"
	"	sd a5, 48(sp)\n"
	"	sd a6, 56(sp)\n"
	"	sd a7, 64(sp)\n"
	"	sd t0, 72(sp)\n"
	"	sd t1, 80(sp)\n"
	"	sd t2, 88(sp)\n"
	"	sd t3, 96(sp)\n"
	"	sd t4, 104(sp)\n"
	"	sd t5, 112(sp)\n"
	"	sd t6, 120(sp)\n"
	"	call s_trap\n"
	"	ld ra, 0(sp)\n"
	"	ld a0, 8(sp)\n"
	"	ld a1, 16(sp)\n"
	"	ld a2, 24(sp)\n"
	"	ld a3, 32(sp)\n"
	"	ld a4, 40(sp)\n"
	"	ld a5, 48(sp)\n"
	"	ld a6, 56(sp)\n"
	"	ld a7, 64(sp)\n"
	"	ld t0, 72(sp)\n"
	"	ld t1, 80(sp)\n"
	"	ld t2, 88(sp)\n"
	"	ld t3, 96(sp)\n"
	"	ld t4, 104(sp)\n"
	"	ld t5, 112(sp)\n"
	"	ld t6, 120(sp)\n"
	"	addi sp, sp, 128\n"
	"	sret\n"
	".text\n");

static volatile uint64_t irq_cause, irq_count;
/* The boot hart (OpenSBI's lottery may pick either) and the other one. */
static uint64_t self, other;
static volatile uint64_t hart1_id, hart1_opaque, hart1_ran;
extern char secondary[];

void s_trap(void);
void s_trap(void)
{
	uint64_t cause = CSR_READ(scause);

	if (!(cause & IRQ)) {
		rvt_puts("FAIL unexpected exception scause=");
		rvt_puthex(cause);
		rvt_puts(" sepc=");
		rvt_puthex(CSR_READ(sepc));
		rvt_putc('\n');
		rvt_fail(RVT_CODE_TRAP);
	}
	irq_cause = cause;
	irq_count++;
	if ((cause & 63) == 5) /* SBI §6.1: a new timer clears the pending one */
		sbi(SBI_EXT_TIME, 0, CSR_READ(time) + (1UL << 40), 0, 0);
	if ((cause & 63) == 1)
		__asm__ volatile("csrc sip, %0" ::"r"(2UL));
}

void s_secondary(uint64_t hartid, uint64_t opaque);
void s_secondary(uint64_t hartid, uint64_t opaque)
{
	hart1_id = hartid;
	hart1_opaque = opaque;
	__asm__ volatile("fence rw, rw" ::: "memory");
	hart1_ran = 1;
	sbi(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: does not return */
	rvt_fail(200);
}

static void test_base(void)
{
	CHECK_EQ(sbi(SBI_EXT_BASE, 0, 0, 0, 0).error, 0);
	CHECK(sbi(SBI_EXT_BASE, 0, 0, 0, 0).value >= (1UL << 24)); /* at least 1.0 */
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_TIME, 0, 0).value, 1);
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_IPI, 0, 0).value, 1);
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_RFENCE, 0, 0).value, 1);
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_HSM, 0, 0).value, 1);
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0).value, 1);
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, 0x12345678, 0, 0).value, 0);
	CHECK_EQ(sbi(0x12345678, 0, 0, 0, 0).error, -2); /* SBI_ERR_NOT_SUPPORTED */
}

static void test_timer(void)
{
	uint64_t t0 = CSR_READ(time);

	irq_count = 0;
	__asm__ volatile("csrs sie, %0" ::"r"(1UL << 5));
	__asm__ volatile("csrs sstatus, %0" ::"r"(2UL));
	CHECK_EQ(sbi(SBI_EXT_TIME, 0, t0 + 20000, 0, 0).error, 0);
	while (!irq_count)
		__asm__ volatile("wfi");
	__asm__ volatile("csrc sstatus, %0" ::"r"(2UL));
	CHECK_EQ(irq_cause, IRQ | 5);
	CHECK(CSR_READ(time) >= t0 + 20000);
}

static void test_ipi(void)
{
	irq_count = 0;
	__asm__ volatile("csrs sie, %0" ::"r"(2UL));
	__asm__ volatile("csrs sstatus, %0" ::"r"(2UL));
	CHECK_EQ(sbi(SBI_EXT_IPI, 0, 1, self, 0).error, 0); /* this hart (mask 1, base self) */
	while (!irq_count)
		__asm__ volatile("wfi");
	__asm__ volatile("csrc sstatus, %0" ::"r"(2UL));
	CHECK_EQ(irq_cause, IRQ | 1);
	CHECK_EQ(sbi(SBI_EXT_IPI, 0, 1, 64, 0).error, -3); /* no hart 64 */
}

static void test_rfence(void)
{
	CHECK_EQ(sbi(SBI_EXT_RFENCE, 0, 0, ~0UL, 0).error, 0);
	CHECK_EQ(sbi(SBI_EXT_RFENCE, 1, 0, ~0UL, 0).error, 0);
}

static void test_hsm(void)
{
	CHECK_EQ(sbi(SBI_EXT_HSM, 2, self, 0, 0).value, 0);  /* started */
	CHECK_EQ(sbi(SBI_EXT_HSM, 2, other, 0, 0).value, 1); /* stopped */
	CHECK_EQ(sbi(SBI_EXT_HSM, 0, other, (uint64_t)secondary, 0x1234).error, 0);
	while (!hart1_ran)
		;
	CHECK_EQ(hart1_id, other);
	CHECK_EQ(hart1_opaque, 0x1234);
	while (sbi(SBI_EXT_HSM, 2, other, 0, 0).value != 1) /* stopped again */
		;
	CHECK_EQ(sbi(SBI_EXT_HSM, 0, self, (uint64_t)secondary, 0).error, -6); /* already available */
	CHECK_EQ(sbi(SBI_EXT_HSM, 2, 99, 0, 0).error, -3);
}

static void test_console(void)
{
	static const char msg[] = "dbcn write\n";

	sbi(0x01, 0, 'L', 0, 0); /* legacy putchar */
	sbi(0x01, 0, '\n', 0, 0);
	if (sbi(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0).value) {
		CHECK_EQ(sbi(SBI_EXT_DBCN, 0, sizeof(msg) - 1, (uint64_t)msg, 0).value,
			 sizeof(msg) - 1);
		CHECK_EQ(sbi(SBI_EXT_DBCN, 0, 8, 0x1000, 0).error, -3); /* not RAM */
		CHECK_EQ(sbi(SBI_EXT_DBCN, 0, 8, 0, 1).error, -3);      /* base_hi set */
		CHECK_EQ(sbi(SBI_EXT_DBCN, 2, '!', 0, 0).error, 0);
		sbi(SBI_EXT_DBCN, 2, '\n', 0, 0);
	}
}

void s_main(uint64_t hartid, uint64_t dtb);
void s_main(uint64_t hartid, uint64_t dtb)
{
	CHECK(hartid < 2);
	self = hartid;
	other = hartid ^ 1;
	CHECK_EQ(*(volatile uint32_t *)dtb, 0xedfe0dd0); /* FDT magic, big-endian */
	test_base();
	test_timer();
	test_ipi();
	test_rfence();
	test_hsm();
	test_console();
	rvt_puts("PASS\n");
	sbi(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown: exit status 0 */
	rvt_fail(201);
}
