/*
 * Privilege-level helpers for the bare-metal tests (priv spec 1.12):
 * run a function in S- or U-mode and get its result back, an S-mode trap
 * vector that records traps, and the M-mode trap hook behind them.
 *
 *   rvp_init();                         PMP open, hook installed
 *   r = rvp_run(RVP_S, fn, arg);        fn(arg) in S-mode; it returns
 *                                       through an ecall that M catches
 *
 * Traps of the lower mode: an ecall from S/U ends rvp_run(); an expected
 * fetch fault (rvp_expect_fetch_fault) resumes at ra, i.e. returns from the
 * call that jumped to the bad address; interrupts taken in M are recorded in
 * rvp_m_irq and their source silenced (SSIP cleared, stimecmp pushed away); anything else goes to the armed
 * rvt_expect_trap() handling (resume after the instruction). The S-mode
 * vector does the same for delegated traps, recording in rvp_s_trap.
 */
#ifndef RVPRIV_H
#define RVPRIV_H

#include "rvtest.h"

#define RVP_U 0
#define RVP_S 1

#define MSTATUS_SIE  (1UL << 1)
#define MSTATUS_MIE  (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_SPP  (1UL << 8)
#define MSTATUS_MPP  (3UL << 11)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM  (1UL << 18)
#define MSTATUS_MXR  (1UL << 19)
#define MENVCFG_STCE (1UL << 63)
#define IRQ_BIT	     (1UL << 63)

/*
 * A timer deadline that never comes (2^40 ticks from now: 30 hours). Not
 * ~0: QEMU 7.2 mis-arms its Sstc timer for it.
 */
#define RVP_FAR_FUTURE() (CSR_READ(time) + (1UL << 40))

struct rvp_trap {
	uint64_t cause, tval, epc, count;
};

/* Delegated traps seen by the S-mode vector (written by assembly: keep the layout). */
extern volatile struct rvp_trap rvp_s_trap;
/* Interrupts taken in M-mode. */
extern volatile struct rvp_trap rvp_m_irq;
extern volatile uint64_t rvp_fetch_fault_armed;

uint64_t rvp_run(unsigned mode, uint64_t (*fn)(uint64_t), uint64_t arg);
void rvp_s_vector(void);

__asm__(".text\n"
	".balign 4\n"
	".globl rvp_run\n"
	/* a0 = mode, a1 = fn, a2 = arg */
	"rvp_run:\n"
	"	addi sp, sp, -112\n"
	"	sd ra, 0(sp)\n"
	"	sd s0, 8(sp)\n"
	"	sd s1, 16(sp)\n"
	"	sd s2, 24(sp)\n"
	"	sd s3, 32(sp)\n"
	"	sd s4, 40(sp)\n"
	"	sd s5, 48(sp)\n"
	"	sd s6, 56(sp)\n"
	"	sd s7, 64(sp)\n"
	"	sd s8, 72(sp)\n"
	"	sd s9, 80(sp)\n"
	"	sd s10, 88(sp)\n"
	"	sd s11, 96(sp)\n"
	"	la t0, rvp_saved_sp\n"
	"	sd sp, 0(t0)\n"
	"	li t0, 0x1800\n"
	"	csrc mstatus, t0\n"
	"	slli t0, a0, 11\n"
	"	csrs mstatus, t0\n"
	"	csrw mepc, a1\n"
	"	mv a0, a2\n"
	"	la ra, rvp_lower_exit\n"
	"	mret\n"
	".globl rvp_lower_exit\n"
	"rvp_lower_exit:\n"
	"	ecall\n"
	".globl rvp_run_ret\n"
	"rvp_run_ret:\n"
	"	la t0, rvp_saved_sp\n"
	"	ld sp, 0(t0)\n"
	"	ld ra, 0(sp)\n"
	"	ld s0, 8(sp)\n"
	"	ld s1, 16(sp)\n"
	"	ld s2, 24(sp)\n"
	"	ld s3, 32(sp)\n"
	"	ld s4, 40(sp)\n"
	"	ld s5, 48(sp)\n"
	"	ld s6, 56(sp)\n"
	"	ld s7, 64(sp)\n"
	"	ld s8, 72(sp)\n"
	"	ld s9, 80(sp)\n"
	"	ld s10, 88(sp)\n"
	"	ld s11, 96(sp)\n"
	"	addi sp, sp, 112\n"
	"	ret\n"
	/*
	 * S-mode vector: record scause/stval/sepc, count; an interrupt is
	 * silenced (SSIP cleared, stimecmp pushed 2^40 ticks away); an
	 * instruction page fault resumes at ra, others after the instruction.
	 */
	".balign 4\n"
	".globl rvp_s_vector\n"
	"rvp_s_vector:\n"
	"	csrw sscratch, t0\n"
	"	la t0, rvp_s_save\n"
	"	sd t1, 0(t0)\n"
	"	sd t2, 8(t0)\n"
	"	la t0, rvp_s_trap\n"
	"	csrr t1, scause\n"
	"	sd t1, 0(t0)\n"
	"	csrr t1, stval\n"
	"	sd t1, 8(t0)\n"
	"	csrr t1, sepc\n"
	"	sd t1, 16(t0)\n"
	"	ld t1, 24(t0)\n"
	"	addi t1, t1, 1\n"
	"	sd t1, 24(t0)\n"
	"	csrr t1, scause\n"
	"	bgez t1, 1f\n"
	"	csrci sip, 2\n"
	"	csrr t1, time\n"
	"	li t2, 1\n"
	"	slli t2, t2, 40\n"
	"	add t1, t1, t2\n"
	"	csrw 0x14d, t1\n"
	"	j 3f\n"
	"1:	li t2, 12\n"
	"	bne t1, t2, 2f\n"
	"	csrw sepc, ra\n"
	"	j 3f\n"
	"2:	csrr t1, sepc\n"
	"	lhu t2, 0(t1)\n"
	"	andi t2, t2, 3\n"
	"	addi t1, t1, 2\n"
	"	addi t2, t2, -3\n"
	"	bnez t2, 4f\n"
	"	addi t1, t1, 2\n"
	"4:	csrw sepc, t1\n"
	"3:	la t0, rvp_s_save\n"
	"	ld t1, 0(t0)\n"
	"	ld t2, 8(t0)\n"
	"	csrr t0, sscratch\n"
	"	sret\n"
	".data\n"
	".balign 8\n"
	"rvp_saved_sp: .dword 0\n"
	"rvp_s_save: .dword 0, 0\n"
	".globl rvp_s_trap\n"
	"rvp_s_trap: .dword 0, 0, 0, 0\n"
	".text\n");

volatile struct rvp_trap rvp_m_irq;
volatile uint64_t rvp_fetch_fault_armed;
extern char rvp_run_ret[];

static int rvp_hook(struct rvt_frame *f, uint64_t cause, uint64_t epc)
{
	(void)epc;
	if (cause == 8 || cause == 9) {
		/* The lower mode is done: back to rvp_run's epilogue in M, a0 = result. */
		CSR_WRITE(mepc, (uint64_t)rvp_run_ret);
		__asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MPP));
		/* M goes on with MIE = 0, whatever the lower mode left in MPIE. */
		__asm__ volatile("csrc mstatus, %0" ::"r"(1UL << 7));
		return 1;
	}
	if (cause & IRQ_BIT) {
		rvp_m_irq.cause = cause;
		rvp_m_irq.epc = epc;
		rvp_m_irq.count++;
		__asm__ volatile("csrc mip, %0" ::"r"(2UL));
		CSR_WRITE(0x14d, RVP_FAR_FUTURE());
		return 1;
	}
	if (cause == 12 && rvp_fetch_fault_armed) {
		rvp_fetch_fault_armed = 0;
		rvt_last_trap.cause = cause;
		rvt_last_trap.tval = CSR_READ(mtval);
		rvt_last_trap.epc = epc;
		rvt_last_trap.count++;
		CSR_WRITE(mepc, f->x[1]);
		return 1;
	}
	return 0;
}

/* PMP: one NAPOT entry over everything, RWX, so S/U may access memory (priv §3.7). */
static inline void rvp_init(void)
{
	CSR_WRITE(pmpaddr0, ~0UL >> 10);
	CSR_WRITE(pmpcfg0, 0x1fUL);
	CSR_WRITE(stvec, (uint64_t)rvp_s_vector);
	/* Sstc on and the counters readable below M: the vectors use stimecmp. */
	CSR_WRITE(menvcfg, MENVCFG_STCE);
	CSR_WRITE(mcounteren, 7UL);
	CSR_WRITE(scounteren, 7UL);
	rvt_trap_hook = rvp_hook;
}

static inline void rvp_clear_s_trap(void)
{
	rvp_s_trap.cause = rvp_s_trap.tval = rvp_s_trap.epc = rvp_s_trap.count = 0;
}

#endif
