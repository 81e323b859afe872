/*
 * SBI console input (SBI 2.0 §12.1.2 DBCN console_read, §5.3 legacy
 * console_getchar), in the Linux Image format like t_sbi. The runner pipes
 * INPUT below into vmm's stdin: the first byte is read with the legacy
 * getchar, the second straight from the UART's receive register (the UART
 * and the SBI share one input stream; each byte goes to one reader only),
 * the rest with DBCN reads, which return what is there (possibly 0 bytes)
 * and never block. Then stdin is at EOF: both calls report "nothing". Also
 * the checks on the guest buffer (not RAM, base_hi set, partly outside RAM:
 * SBI_ERR_INVALID_PARAM) and that an empty read leaves the buffer alone.
 * Success is an SRST shutdown (exit 0); a failed check ends through the test
 * finisher.
 */
#include "rvsbi.h"
#include "rvtest.h"

#define SBI_LEGACY_GETCHAR	0x02
#define UART_RBR		0
#define UART_LSR		5
#define UART_LSR_DR		0x01
#define TIMEBASE_HZ		10000000UL /* QEMU virt and vmm */
#define INPUT_TIMEOUT		(20 * TIMEBASE_HZ)

/* What the runner pipes in: meson.build passes the one string to both. */
static const char input[] = SBI_INPUT;

__asm__(RVSBI_IMAGE_HEADER
	"1:	la sp, __stack_top\n"
	"	la t0, s_vector\n"
	"	csrw stvec, t0\n"
	"	call s_main\n"
	"2:	wfi\n"
	"	j 2b\n"
	".balign 4\n"
	"s_vector:\n"
	"	call s_trap\n"
	".text\n");

void s_trap(void);
void s_trap(void)
{
	rvt_puts("FAIL unexpected trap scause=");
	rvt_puthex(CSR_READ(scause));
	rvt_puts(" sepc=");
	rvt_puthex(CSR_READ(sepc));
	rvt_putc('\n');
	rvt_fail(RVT_CODE_TRAP);
}

static void check_timeout(uint64_t start)
{
	if (CSR_READ(time) - start > INPUT_TIMEOUT) {
		rvt_puts("FAIL no console input within 20 s\n");
		rvt_fail(250);
	}
}

static char legacy_getchar(void)
{
	uint64_t t0 = CSR_READ(time);
	long c;

	/* The legacy call returns the byte in a0, or -1 when there is none. */
	while ((c = sbi(SBI_LEGACY_GETCHAR, 0, 0, 0, 0).error) == -1)
		check_timeout(t0);
	CHECK(c >= 0 && c < 256);
	return (char)c;
}

static char uart_getchar(void)
{
	volatile uint8_t *u = (volatile uint8_t *)RVT_UART;
	uint64_t t0 = CSR_READ(time);

	while (!(u[UART_LSR] & UART_LSR_DR))
		check_timeout(t0);
	return (char)u[UART_RBR];
}

static char buf[64];

/* DBCN reads until @len bytes are in buf[]; each call may return fewer. */
static void dbcn_read_all(unsigned long len)
{
	uint64_t t0 = CSR_READ(time);
	unsigned long got = 0;

	while (got < len) {
		struct sbiret r = sbi(SBI_EXT_DBCN, 1, len - got, (unsigned long)buf + got, 0);

		CHECK_EQ(r.error, 0);
		CHECK(r.value <= len - got);
		got += r.value;
		check_timeout(t0);
	}
}

static void test_bad_buffers(void)
{
	/* §12.1.2: the buffer must be memory the SBI can write. */
	CHECK_EQ(sbi(SBI_EXT_DBCN, 1, 8, 0x1000, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi(SBI_EXT_DBCN, 1, 8, (unsigned long)buf, 1).error, SBI_ERR_INVALID_PARAM);
	/* Starts below RAM (0x8000_0000) and ends inside it. */
	CHECK_EQ(sbi(SBI_EXT_DBCN, 1, 16, 0x7ffffff8UL, 0).error, SBI_ERR_INVALID_PARAM);
	CHECK_EQ(sbi(SBI_EXT_DBCN, 1, 0, 0x1000, 0).error, 0); /* nothing to read: fine */
}

void s_main(uint64_t hartid, uint64_t dtb);
void s_main(uint64_t hartid, uint64_t dtb)
{
	unsigned long rest = sizeof(input) - 1 - 2;
	struct sbiret r;

	(void)hartid;
	(void)dtb;
	CHECK_EQ(sbi(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0).value, 1);
	test_bad_buffers();
	CHECK_EQ(legacy_getchar(), input[0]);
	CHECK_EQ(uart_getchar(), input[1]);
	dbcn_read_all(rest);
	for (unsigned long i = 0; i < rest; i++)
		CHECK_EQ(buf[i], input[2 + i]);
	/* stdin is at EOF: no more bytes, and an empty read writes nothing. */
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < 1000; i++) {
		r = sbi(SBI_EXT_DBCN, 1, sizeof(buf), (unsigned long)buf, 0);
		CHECK_EQ(r.error, 0);
		CHECK_EQ(r.value, 0);
	}
	CHECK_EQ(buf[0], 0x5a);
	CHECK_EQ(buf[sizeof(buf) - 1], 0x5a);
	CHECK_EQ(sbi(SBI_LEGACY_GETCHAR, 0, 0, 0, 0).error, -1);
	rvt_puts("PASS\n");
	sbi(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown: exit status 0 */
	rvt_fail(201);
}
