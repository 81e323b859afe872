/*
 * Bare-metal RISC-V wrapper for one kernel (entered from rv_crt0.S in M-mode):
 * runs the kernel at BENCH_SCALE, prints the result line on the ns16550a UART
 * and exits through the SiFive test finisher. The addresses are QEMU virt's,
 * which vmm's riscv64-virt machine shares.
 */
#include "bench.h"

#define RV_UART	    0x10000000ul /* ns16550a THR at +0, LSR at +5 */
#define RV_FINISHER 0x100000ul	 /* SiFive test: 0x5555 pass, (code << 16) | 0x3333 fail */
#define RV_PASS	    0x5555u
#define RV_FAIL	    0x3333u

#ifndef BENCH_SCALE
#define BENCH_SCALE 100
#endif

/* Volatile so the compiler cannot fold the repetition count into the kernel. */
static volatile unsigned rv_scale = BENCH_SCALE;

void rv_main(void);
void rv_trap(void);
/* GCC may emit calls to these even with -ffreestanding (C17 §5.1.2.1). */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *d, int c, size_t n)
{
	volatile unsigned char *p = d; /* volatile: keep GCC from calling memset here */
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	return memmove(d, s, n);
}

void *memmove(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;
	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

/* ns16550a §8.6: wait for the transmit holding register to be empty (LSR bit 5). */
static void rv_putc(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)RV_UART;
	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

static void rv_puts(const char *s)
{
	while (*s)
		rv_putc(*s++);
}

static void rv_putdec(uint64_t v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		rv_putc(buf[--i]);
}

static void rv_puthex(uint64_t v)
{
	rv_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		rv_putc("0123456789abcdef"[(v >> i) & 15]);
}

__attribute__((noreturn)) static void rv_finish(uint32_t v)
{
	*(volatile uint32_t *)RV_FINISHER = v;
	for (;;)
		__asm__ volatile("wfi");
}

void rv_main(void)
{
	unsigned scale = rv_scale;
	uint64_t sum = bench_kernel(scale);

	rv_puts("bench ");
	rv_puts(bench_name);
	rv_puts(" scale ");
	rv_putdec(scale);
	rv_puts(" checksum ");
	rv_puthex(sum);
	rv_putc('\n');
	rv_finish(RV_PASS);
}

/* Any trap is a bug in the kernel or the emulator: say so and fail with code 3. */
void rv_trap(void)
{
	uint64_t cause, epc;

	__asm__ volatile("csrr %0, mcause" : "=r"(cause));
	__asm__ volatile("csrr %0, mepc" : "=r"(epc));
	rv_puts("bench: unexpected trap mcause=");
	rv_puthex(cause);
	rv_puts(" mepc=");
	rv_puthex(epc);
	rv_putc('\n');
	rv_finish((3u << 16) | RV_FAIL);
}
