/*
 * Exact instret counts across the JIT's superblocks: a conditional branch
 * in the middle of a block leaves through a side exit when taken, and the
 * instructions after it that did not run must not count. csrr reads
 * instret before it retires itself (priv spec §3.3.1 counters: the count
 * of instructions retired before this one).
 *
 * vmm only: QEMU 7.2 without -icount reads its counters from host ticks.
 * Also where interrupts land relative to the blocks' ends.
 */
#include "rvtest.h"

/* Taken branch in mid-block: csrr and beq retire between the two reads. */
static uint64_t taken(void)
{
	uint64_t a, b;

	__asm__ volatile("csrr %0, instret\n\t"
			 "beq zero, zero, 1f\n\t"
			 "addi x0, x0, 0\n\t"
			 "addi x0, x0, 0\n\t"
			 "addi x0, x0, 0\n\t"
			 "1: csrr %1, instret"
			 : "=&r"(a), "=&r"(b));
	return b - a;
}

/* Not taken: csrr, bne and one nop retire. */
static uint64_t not_taken(void)
{
	uint64_t a, b;

	__asm__ volatile("csrr %0, instret\n\t"
			 "bne zero, zero, 1f\n\t"
			 "addi x0, x0, 0\n\t"
			 "1: csrr %1, instret"
			 : "=&r"(a), "=&r"(b));
	return b - a;
}

/* A counted loop, its back edge a side exit to the block itself: 1 + 2 * n. */
static uint64_t loop(uint64_t n)
{
	uint64_t a, b;

	__asm__ volatile("csrr %0, instret\n\t"
			 "1: addi %2, %2, -1\n\t"
			 "bnez %2, 1b\n\t"
			 "csrr %1, instret"
			 : "=&r"(a), "=&r"(b), "+r"(n));
	return b - a;
}

/* Two side exits in one block, the second taken: csrr, bltu, bgeu. */
static uint64_t second_exit(uint64_t x)
{
	uint64_t a, b;

	__asm__ volatile("csrr %0, instret\n\t"
			 "bltu %2, zero, 1f\n\t"
			 "bgeu %2, zero, 1f\n\t"
			 "addi x0, x0, 0\n\t"
			 "addi x0, x0, 0\n\t"
			 "1: csrr %1, instret"
			 : "=&r"(a), "=&r"(b)
			 : "r"(x));
	return b - a;
}

/*
 * An interrupt in the middle of a long self-loop: the JIT leaves the loop
 * at its back edge's exit check, so the count of the round that did not
 * start must come off. The M-mode vector below retires two instructions
 * (csrw, mret) and disables the interrupt, so it runs once.
 */
void instret_irq(void);
__asm__(".text\n"
	".balign 4\n"
	"instret_irq:\n"
	"	csrw mie, zero\n"
	"	mret\n");

static uint64_t loop_interrupted(uint64_t n)
{
	uint64_t mtvec = CSR_READ(mtvec), d = 0;

	CSR_WRITE(menvcfg, 1UL << 63); /* Sstc: stimecmp drives STIP */
	CSR_WRITE(mtvec, (uint64_t)instret_irq);
	/*
	 * The deadline is 1 ms away, the loop runs for tens of ms; a host
	 * too busy to deliver it in time shows as the handler running after
	 * the loop (only the loop counted): try again then.
	 */
	for (int tries = 0; tries < 5; tries++) {
		CSR_WRITE(0x14d, CSR_READ(time) + 10000); /* 1 ms at 10 MHz */
		CSR_WRITE(mie, 1UL << 5);
		__asm__ volatile("csrs mstatus, %0" ::"r"(1UL << 3));
		d = loop(n);
		__asm__ volatile("csrc mstatus, %0" ::"r"(1UL << 3));
		if (CSR_READ(mie) != 0)
			CSR_WRITE(mie, 0); /* not even after the loop: try again */
		else if (d != 1 + 2 * n)
			break;
	}
	CSR_WRITE(0x14d, ~0UL);
	CSR_WRITE(mtvec, mtvec);
	CSR_WRITE(menvcfg, 0);
	return d;
}

/*
 * A CSR write that makes a pending interrupt deliverable: it is taken
 * before the next instruction (mepc = that instruction, which has not
 * run). The block ends at the write and the next block is found through
 * the inline jump cache; its exit check must still see the kick.
 */
void precise_irq(void);
__asm__(".text\n"
	".balign 4\n"
	"precise_irq:\n"
	"	csrw mie, zero\n"
	"	csrr t1, mepc\n"
	"	mret\n");

static void csr_write_irq(void)
{
	uint64_t mtvec = CSR_READ(mtvec), ran, epc, next;

	CSR_WRITE(menvcfg, 1UL << 63);
	CSR_WRITE(mtvec, (uint64_t)precise_irq);
	CSR_WRITE(0x14d, 0); /* STIP pending from now on */
	CSR_WRITE(mie, 1UL << 5);
	__asm__ volatile("li t0, 0\n\t"
			 "li t1, 0\n\t"
			 "la %2, 1f\n\t"
			 "csrs mstatus, %3\n\t"
			 "1: addi t0, t0, 1\n\t"
			 "mv %0, t0\n\t"
			 "mv %1, t1"
			 : "=&r"(ran), "=&r"(epc), "=&r"(next)
			 : "r"(1UL << 3)
			 : "t0", "t1");
	__asm__ volatile("csrc mstatus, %0" ::"r"(1UL << 3));
	CHECK_EQ(CSR_READ(mie), 0);
	CHECK_EQ(epc, next);
	CHECK_EQ(ran, 1);
	CSR_WRITE(0x14d, ~0UL);
	CSR_WRITE(mtvec, mtvec);
	CSR_WRITE(menvcfg, 0);
}

int main(void)
{
	CHECK_EQ(taken(), 2);
	CHECK_EQ(not_taken(), 3);
	CHECK_EQ(loop(1), 3);
	CHECK_EQ(loop(100), 201);
	CHECK_EQ(second_exit(7), 3);
	CHECK_EQ(loop_interrupted(50000000), 1 + 2 * 50000000 + 2);
	csr_write_irq();
	return 0;
}
