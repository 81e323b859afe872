/* bzImage wrapper and interrupt stubs for guest_virtio.c. */
#include "bzhdr.S"
	.text
	.globl irq_stub_0x30, irq_stub_0x31, irq_stub_spurious
.macro IRQ_STUB vec
irq_stub_\vec:
	push %rax; push %rcx; push %rdx; push %rsi; push %rdi
	push %r8; push %r9; push %r10; push %r11
	mov $\vec, %edi
	call guest_irq
	pop %r11; pop %r10; pop %r9; pop %r8
	pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rax
	iretq
.endm
	IRQ_STUB 0x30
	IRQ_STUB 0x31
irq_stub_spurious:
	iretq
