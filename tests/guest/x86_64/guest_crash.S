/* A triple fault: an empty IDT makes #UD a double fault, then a shutdown. */
#include "bzhdr.S"
	.text
guest_main:
	lea msg(%rip), %rsi
	call uart_puts
	lidt empty_idt(%rip)
	ud2
	.section .rodata
	.balign 8
empty_idt:
	.word 0
	.quad 0
msg:	.asciz "crashing\r\n"
