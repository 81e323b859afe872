/*
 * A minimal bzImage wrapper for tiny 64-bit test guests: one setup sector
 * holding the boot-protocol header (Documentation/arch/x86/boot.rst), then
 * the "protected-mode kernel", whose 64-bit entry point is at offset 0x200.
 * The loader puts it at 1 MiB (not relocatable) with identity paging for
 * the first 4 GiB; rsi points at the zero page.
 *
 * Each test guest includes this file and defines `guest_main` (64-bit code,
 * stack already set up).
 */
	.set SETUP_SECTS, 1

	.section .setup, "a"
	.code16
setup_start:
	.fill 0x1f1, 1, 0
	.byte SETUP_SECTS             /* 0x1f1 setup_sects */
	.word 0                       /* 0x1f2 root_flags */
	.long syssize                 /* 0x1f4 syssize: 16-byte paragraphs */
	.word 0                       /* 0x1f8 ram_size */
	.word 0xffff                  /* 0x1fa vid_mode */
	.word 0                       /* 0x1fc root_dev */
	.word 0xaa55                  /* 0x1fe boot_flag */
	.byte 0xeb, hdr_end - 0x202   /* 0x200 jump over the header */
	.ascii "HdrS"                 /* 0x202 header magic */
	.word 0x020f                  /* 0x206 protocol 2.15 */
	.long 0                       /* 0x208 realmode_swtch */
	.word 0                       /* 0x20c start_sys_seg */
	.word 0                       /* 0x20e kernel_version */
	.byte 0                       /* 0x210 type_of_loader */
	.byte 0x01                    /* 0x211 loadflags: LOADED_HIGH */
	.word 0                       /* 0x212 setup_move_size */
	.long 0x100000                /* 0x214 code32_start */
	.long 0                       /* 0x218 ramdisk_image */
	.long 0                       /* 0x21c ramdisk_size */
	.long 0                       /* 0x220 bootsect_kludge */
	.word 0                       /* 0x224 heap_end_ptr */
	.byte 0                       /* 0x226 ext_loader_ver */
	.byte 0                       /* 0x227 ext_loader_type */
	.long 0                       /* 0x228 cmd_line_ptr */
	.long 0x7fffffff              /* 0x22c initrd_addr_max */
	.long 0x200000                /* 0x230 kernel_alignment */
	.byte 0                       /* 0x234 relocatable_kernel */
	.byte 21                      /* 0x235 min_alignment */
	.word 0x0001                  /* 0x236 xloadflags: XLF_KERNEL_64 */
	.long 255                     /* 0x238 cmdline_size */
	.long 0                       /* 0x23c hardware_subarch */
	.quad 0                       /* 0x240 hardware_subarch_data */
	.long 0                       /* 0x248 payload_offset */
	.long 0                       /* 0x24c payload_length */
	.quad 0                       /* 0x250 setup_data */
	.quad 0x100000                /* 0x258 pref_address */
	.long 0x100000                /* 0x260 init_size */
	.long 0                       /* 0x264 handover_offset */
	.long 0                       /* 0x268 kernel_info_offset */
hdr_end:
	.fill 512 * (SETUP_SECTS + 1) - (hdr_end - setup_start), 1, 0

	.section .text, "ax"
	.code64
	.globl pm_start
pm_start:
	/* 0x000: the 32-bit entry, unused: stop dead if someone takes it. */
	hlt
	jmp pm_start
	.fill 0x200 - (. - pm_start), 1, 0xcc
	/* 0x200: the 64-bit entry. */
startup_64:
	lea stack_top(%rip), %rsp
	mov %rsi, zero_page(%rip)
	call guest_main
1:	hlt
	jmp 1b

/* Helpers shared by the test guests (uart_putc and guest_exit follow the C ABI). */
	.equ COM1, 0x3f8
	.equ EXIT_PORT, 0x604
	.globl uart_putc, guest_exit, zero_page

	/* uart_putc(%dil): wait for THRE, then write. */
uart_putc:
	mov $COM1 + 5, %dx
1:	inb %dx, %al
	test $0x20, %al
	jz 1b
	mov $COM1, %dx
	mov %dil, %al
	outb %al, %dx
	ret

	/* uart_puts(%rsi = NUL-terminated string) */
uart_puts:
	push %rsi
1:	movzbl (%rsi), %edi
	test %dil, %dil
	jz 2f
	call uart_putc
	inc %rsi
	jmp 1b
2:	pop %rsi
	ret

	/* uart_getc() -> %al: wait for DR. */
uart_getc:
	mov $COM1 + 5, %dx
1:	inb %dx, %al
	test $0x01, %al
	jz 1b
	mov $COM1, %dx
	inb %dx, %al
	ret

	/* guest_exit(%dil = status): the exit device ends vmm with it. */
guest_exit:
	mov $EXIT_PORT, %dx
	mov %dil, %al
	outb %al, %dx
1:	hlt
	jmp 1b

	.section .bss
	.balign 16
zero_page:
	.skip 8
stack:
	.skip 16384
stack_top:
