/*
 * The disk image of t_virtio_code: two 512-byte sectors, each holding the
 * same function at the same offset with a different result.
 */
	.text
	.option norvc
	.globl _start
_start:
sector0:
	li	a0, 0x11
	ret
	.balign 512, 0
sector1:
	li	a0, 0x22
	ret
	.balign 512, 0
