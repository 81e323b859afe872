/* UART both ways: print a greeting, echo one input line back, exit 42. */
#include "bzhdr.S"
	.text
guest_main:
	lea hello(%rip), %rsi
	call uart_puts
	lea prefix(%rip), %rsi
	call uart_puts
1:	call uart_getc
	cmp $'\n', %al
	je 2f
	movzbl %al, %edi
	call uart_putc
	jmp 1b
2:	lea done(%rip), %rsi
	call uart_puts
	mov $42, %edi
	call guest_exit
	.section .rodata
hello:	.asciz "hello from the guest\r\n"
prefix:	.asciz "echo: "
done:	.asciz "|\r\n"
