/*
 * PIO and MMIO exits of every width. The host test's device at port 0x500
 * and MMIO 0xd0000000 records writes and answers reads with a pattern the
 * guest checks; the guest's exit status says which check failed (0 = all).
 */
#include "bzhdr.S"
	.equ TEST_PORT, 0x500
	.equ TEST_MMIO, 0xd0000000
	.text
guest_main:
	mov $TEST_PORT, %dx
	mov $0x11, %al
	outb %al, %dx
	mov $0x2222, %ax
	outw %ax, %dx
	mov $0x33333333, %eax
	outl %eax, %dx
	/* Reads: the device answers 0xa0 + size on port reads. */
	inb %dx, %al
	mov $1, %edi
	cmp $0xa1, %al
	jne fail
	inw %dx, %ax
	mov $2, %edi
	cmp $0xa2, %ax
	jne fail
	inl %dx, %eax
	mov $3, %edi
	cmp $0xa4, %eax
	jne fail
	/* MMIO: writes of 1, 2, 4, 8 bytes at offsets 0, 8, 16, 24. */
	mov $TEST_MMIO, %rbx
	movb $0x44, (%rbx)
	movw $0x5555, 8(%rbx)
	movl $0x66666666, 16(%rbx)
	mov $0x7777777777777777, %rax
	mov %rax, 24(%rbx)
	/* MMIO reads: the device answers 0xb0 + offset. */
	movzbl 1(%rbx), %eax
	mov $4, %edi
	cmp $0xb1, %eax
	jne fail
	mov 32(%rbx), %rax
	mov $5, %edi
	cmp $0xd0, %rax
	jne fail
	xor %edi, %edi
fail:
	call guest_exit
