/*
 * Start-up benchmark guest (tools/bench/startup): the first instruction
 * writes port 0x80, the next ones one serial byte, then exit status 0.
 */
#include "bzhdr.S"
	.text
guest_main:
	mov $0x80, %dx
	mov $1, %al
	outb %al, %dx
	mov $COM1, %dx
	mov $'!', %al
	outb %al, %dx
	xor %edi, %edi
	call guest_exit
