/* The bare-metal test library (see rvtest.h). */
#include "rvtest.h"

volatile struct rvt_trap_info rvt_last_trap;
int (*volatile rvt_trap_hook)(struct rvt_frame *f, uint64_t cause, uint64_t epc);
static volatile int trap_armed;
static unsigned check_no;

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* ns16550a: wait for THR empty (LSR bit 5), then write THR. */
void rvt_putc(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)RVT_UART;
	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

void rvt_puts(const char *s)
{
	while (*s)
		rvt_putc(*s++);
}

void rvt_puthex(uint64_t v)
{
	rvt_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		rvt_putc("0123456789abcdef"[(v >> i) & 15]);
}

void rvt_putdec(uint64_t v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		rvt_putc(buf[--i]);
}

__attribute__((noreturn)) static void finisher_write(uint32_t v)
{
	*(volatile uint32_t *)RVT_FINISHER = v;
	for (;;)
		__asm__ volatile("wfi");
}

void rvt_exit(int code)
{
	if (code == 0) {
		rvt_puts("PASS\n");
		finisher_write(RVT_PASS);
	}
	rvt_fail((unsigned)code);
}

void rvt_fail(unsigned code)
{
	code = (code - 1) % 255 + 1;
	finisher_write((code << 16) | RVT_FAIL);
}

void rvt_check_eq(unsigned line, uint64_t got, uint64_t want)
{
	check_no++;
	if (got == want)
		return;
	rvt_puts("FAIL check ");
	rvt_putdec(check_no);
	rvt_puts(" line ");
	rvt_putdec(line);
	rvt_puts(": got ");
	rvt_puthex(got);
	rvt_puts(" want ");
	rvt_puthex(want);
	rvt_putc('\n');
	rvt_fail(check_no);
}

void rvt_expect_trap(void)
{
	trap_armed = 1;
}

static unsigned insn_len(uint64_t epc)
{
	uint16_t lo = *(volatile uint16_t *)epc;
	return (lo & 3) == 3 ? 4 : 2;
}

void rvt_trap(struct rvt_frame *f);
void rvt_trap(struct rvt_frame *f)
{
	uint64_t cause = CSR_READ(mcause), epc = CSR_READ(mepc), tval = CSR_READ(mtval);

	if (rvt_trap_hook && rvt_trap_hook(f, cause, epc))
		return;
	if (!trap_armed) {
		rvt_puts("FAIL unexpected trap mcause=");
		rvt_puthex(cause);
		rvt_puts(" mepc=");
		rvt_puthex(epc);
		rvt_puts(" mtval=");
		rvt_puthex(tval);
		rvt_putc('\n');
		rvt_fail(RVT_CODE_TRAP);
	}
	trap_armed = 0;
	rvt_last_trap.cause = cause;
	rvt_last_trap.tval = tval;
	rvt_last_trap.epc = epc;
	rvt_last_trap.count++;
	CSR_WRITE(mepc, epc + insn_len(epc));
}
