/*
 * Start-up for the bare-metal kernels: hart 0 only, a stack, the FPU on
 * (mstatus.FS, priv spec §3.1.6.6) and fcsr cleared (round to nearest even),
 * .bss zeroed, a trap vector that reports and fails, then rv_main().
 */
	.section .text.init, "ax"
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, 9f
	la	sp, __stack_top
	la	t0, rv_trap_entry
	csrw	mtvec, t0
	li	t0, 0x6000		/* mstatus.FS = Dirty */
	csrs	mstatus, t0
	csrwi	fcsr, 0
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	rv_main
9:	wfi
	j	9b

	/* mtvec direct mode needs 4-byte alignment (priv spec §3.1.7). */
	.balign	4
rv_trap_entry:
	la	sp, __stack_top
	call	rv_trap
	j	9b
