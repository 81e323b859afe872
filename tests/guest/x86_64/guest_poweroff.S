/* ACPI S5: SLP_TYP 5 in bits 4:2 plus SLP_EN (bit 5) to the sleep control register. */
#include "bzhdr.S"
	.text
guest_main:
	lea msg(%rip), %rsi
	call uart_puts
	mov $0x600, %dx
	mov $((5 << 2) | (1 << 5)), %al
	outb %al, %dx
	/* Not reached: vmm stops the vCPU. Exit 99 tells the test it failed. */
	mov $99, %edi
	call guest_exit
	.section .rodata
msg:	.asciz "powering off\r\n"
