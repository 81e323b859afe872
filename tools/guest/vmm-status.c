// SPDX-License-Identifier: MIT
/*
 * vmm-status: report an exit status (0..255) to the vmm from an x86_64 guest
 * by writing it as one byte to I/O port 0x604.
 *
 * usage: vmm-status STATUS
 *
 * /init would do this with dd on /dev/port, but Debian's cloud kernel is
 * built without it (CONFIG_DEVPORT is not set). So this static, libc-free
 * program gets the port with ioperm(2) and writes it with OUTB. Built by
 * tools/mkimages with the host's gcc: no cross compiler is needed.
 */
#include <asm/unistd.h>

#define VMM_STATUS_PORT 0x604

static long vmm_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static void vmm_puts(const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	vmm_syscall3(__NR_write, 2, (long)s, n);
}

static __attribute__((noreturn)) void vmm_exit(int code)
{
	for (;;)
		vmm_syscall3(__NR_exit_group, code, 0, 0);
}

/* Parse a decimal 0..255; return -1 for anything else. */
static int vmm_parse_status(const char *s)
{
	int v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 255)
			return -1;
	}
	return v;
}

void vmm_status_main(long *sp);

void vmm_status_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	int status;

	if (argc != 2 || (status = vmm_parse_status(argv[1])) < 0) {
		vmm_puts("usage: vmm-status STATUS (0..255)\n");
		vmm_exit(2);
	}
	if (vmm_syscall3(__NR_ioperm, VMM_STATUS_PORT, 1, 1) != 0) {
		vmm_puts("vmm-status: ioperm(0x604) failed\n");
		vmm_exit(1);
	}
	__asm__ volatile("outb %b0, %w1" : : "a"(status), "Nd"(VMM_STATUS_PORT));
	vmm_exit(0);
}

/*
 * Entry: the kernel starts us with argc at (%rsp) and argv after it (SysV
 * x86-64 ABI §3.4.1). Align the stack for the call as the ABI requires.
 */
__asm__(".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call vmm_status_main\n"
	"	hlt\n");
