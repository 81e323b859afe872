/*
 * Reset: the i8042 pulse-reset command (0xFE to port 0x64), or, when the
 * kernel command line starts with 'a' ("acpi"), the ACPI reset register.
 */
#include "bzhdr.S"
	.text
guest_main:
	mov %rsi, %rbx                /* the zero page */
	lea msg(%rip), %rsi
	call uart_puts
	mov 0x228(%rbx), %ecx         /* boot_params.hdr.cmd_line_ptr */
	cmpb $'a', (%rcx)
	je 1f
	mov $0x64, %dx
	mov $0xfe, %al
	outb %al, %dx
	jmp 2f
1:	mov $0x602, %dx
	mov $0x01, %al
	outb %al, %dx
2:	mov $99, %edi                 /* not reached when the reset works */
	call guest_exit
	.section .rodata
msg:	.asciz "resetting\r\n"
