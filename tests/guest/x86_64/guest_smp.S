/*
 * Two vCPUs both running (started by the host test in 64-bit mode): each
 * reports its local APIC ID (LAPIC register 0x20, bits 31:24; read from
 * the in-kernel LAPIC, since this host's nested KVM ignores CPUID edits) to
 * the test device at port 0x500; the BSP waits for the AP, then reports
 * 0xff and exits 0.
 */
#include "bzhdr.S"
	.equ TEST_PORT, 0x500
	.text
guest_main:
	mov $0xfee00020, %ebx
	mov (%rbx), %ebx
	shr $24, %ebx
	mov %ebx, %eax
	mov $TEST_PORT, %dx
	outl %eax, %dx
	test %ebx, %ebx
	jnz ap
	/* BSP: wait for the AP's flag (bounded: the host test has a timeout too). */
1:	pause
	cmpl $0, ap_seen(%rip)
	je 1b
	mov $0xff, %eax
	mov $TEST_PORT, %dx
	outl %eax, %dx
	xor %edi, %edi
	call guest_exit
ap:
	lock incl ap_seen(%rip)
2:	hlt
	jmp 2b
	.data
	.balign 4
ap_seen: .long 0
