/*
 * Every I/O port below 0x1000 written (all widths) and read back, except
 * the ones that stop the VM (i8042 command 0x64, the ACPI sleep/reset and
 * exit registers 0x600-0x607): no access may crash or hang vmm. Then the
 * same for a page of MMIO in the hole. Exit 0.
 */
#include "bzhdr.S"
	.text
guest_main:
	xor %ebx, %ebx                 /* port */
1:	cmp $0x64, %bx
	je 2f
	mov %bx, %ax
	and $0xfff8, %ax
	cmp $0x600, %ax
	je 2f
	mov %bx, %dx
	mov $0x5a, %al
	outb %al, %dx
	mov $0xa55a, %ax
	outw %ax, %dx
	mov $0xdeadbeef, %eax
	outl %eax, %dx
	inb %dx, %al
	inw %dx, %ax
	inl %dx, %eax
2:	inc %ebx
	cmp $0x1000, %ebx
	jb 1b
	/* MMIO: a page at the start of the virtio window (no device there). */
	mov $0xd0000000, %rbx
	xor %ecx, %ecx
3:	movl $0x12345678, (%rbx,%rcx)
	mov (%rbx,%rcx), %eax
	add $4, %ecx
	cmp $0x1000, %ecx
	jb 3b
	lea msg(%rip), %rsi
	call uart_puts
	xor %edi, %edi
	call guest_exit
	.section .rodata
msg:	.asciz "sweep done\r\n"
