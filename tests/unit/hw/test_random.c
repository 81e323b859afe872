/*
 * Every device under a hostile guest: long deterministic streams of random
 * accesses (any offset, any size, any value) must never crash or trip the
 * sanitizers, and a few invariants hold throughout. Plus the UART under
 * concurrent vCPU threads and host input.
 */
#include <linux/serial_reg.h>
#include <pthread.h>
#include <string.h>

#include "hw/acpi_pm.h"
#include "hw/exit_dev.h"
#include "hw/i8042.h"
#include "hw/port80.h"
#include "hw/rtc.h"
#include "hw/uart8250.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

#define ROUNDS 200000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64: deterministic, so a failure reproduces. */
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned rng_size(void)
{
	static const unsigned sizes[] = {1, 1, 1, 1, 2, 4, 8};

	return sizes[rng() % ARRAY_SIZE(sizes)];
}

/* One random access; returns the value read, or 0 for a write. */
static uint64_t poke(const struct io_dev_ops *ops, void *opaque, unsigned span)
{
	uint64_t off = rng() % (span + 2);
	unsigned size = rng_size();

	if (rng() & 1)
		return ops->read(opaque, off, size);
	ops->write(opaque, off, rng(), size);
	return 0;
}

struct sink {
	_Atomic size_t bytes;
};

static void sink_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct sink *s = opaque;

	atomic_fetch_add(&s->bytes, len);
}

static const struct uart_backend_ops sink_be = {.write = sink_write};

static void test_uart_random(void)
{
	struct fake_irq fi = {0};
	struct irq_line irq = fake_irq_line(&fi, 4);
	struct sink s = {0};
	struct uart8250 *u = uart8250_create(&irq, &sink_be, &s);
	uint8_t in[32];
	unsigned i, bad_lsr = 0;

	CHECK(u != NULL);
	memset(in, 'r', sizeof(in));
	for (i = 0; i < ROUNDS; i++) {
		poke(&uart8250_io_ops, u, UART8250_REG_LEN);
		if (i % 64 == 0)
			CHECK(uart8250_receive(u, in, rng() % sizeof(in)) <= UART8250_FIFO_SIZE);
		/* LSR always shows an idle transmitter. */
		if (i % 16 == 0 && (uart8250_io_ops.read(u, UART_LSR, 1) & 0x60) != 0x60)
			bad_lsr++;
	}
	CHECK_EQ(bad_lsr, 0);
	uart8250_destroy(u);
}

static void test_others_random(void)
{
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct fake_irq fi = {0};
	struct irq_line irq = fake_irq_line(&fi, 1);
	struct i8042 *k = i8042_create(&irq, &stop);
	struct rtc *r = rtc_create(NULL);
	struct acpi_pm *pm = acpi_pm_create(&stop);
	struct exit_dev *d = exit_dev_create(&stop);
	struct port80 *p = port80_create();
	unsigned i, bad_d = 0;

	CHECK(k && r && pm && d && p);
	for (i = 0; i < ROUNDS; i++) {
		poke(&i8042_data_io_ops, k, 1);
		poke(&i8042_cmd_io_ops, k, 1);
		poke(&rtc_io_ops, r, RTC_LEN);
		poke(&acpi_pm_io_ops, pm, ACPI_PM_LEN);
		poke(&exit_dev_io_ops, d, EXIT_DEV_LEN);
		poke(&port80_io_ops, p, PORT80_LEN);
		if (i % 32 == 0) {
			/* Register D always reports a valid clock. */
			rtc_io_ops.write(r, 0, 0x0d, 1);
			if (rtc_io_ops.read(r, 1, 1) != 0x80)
				bad_d++;
		}
	}
	CHECK_EQ(bad_d, 0);
	CHECK(fs.requests > 0); /* random writes did hit reset/exit */
	i8042_destroy(k);
	rtc_destroy(r);
	acpi_pm_destroy(pm);
	exit_dev_destroy(d);
	port80_destroy(p);
}

#define WRITERS		 2
#define BYTES_PER_WRITER 20000

static void *uart_writer(void *opaque)
{
	struct uart8250 *u = opaque;
	unsigned i;

	for (i = 0; i < BYTES_PER_WRITER; i++) {
		uart8250_io_ops.write(u, UART_TX, 'w', 1);
		uart8250_io_ops.read(u, UART_IIR, 1);
	}
	return NULL;
}

static void *uart_reader(void *opaque)
{
	struct uart8250 *u = opaque;
	unsigned i;

	for (i = 0; i < BYTES_PER_WRITER; i++)
		if (uart8250_io_ops.read(u, UART_LSR, 1) & UART_LSR_DR)
			uart8250_io_ops.read(u, UART_RX, 1);
	return NULL;
}

static void on_ready(void *opaque)
{
	atomic_fetch_add((_Atomic unsigned *)opaque, 1);
}

/* vCPU threads transmit and drain while the main thread feeds input. */
static void test_uart_threads(void)
{
	struct fake_irq fi = {0};
	struct irq_line irq = fake_irq_line(&fi, 4);
	struct sink s = {0};
	struct uart8250 *u = uart8250_create(&irq, &sink_be, &s);
	pthread_t w[WRITERS], rd;
	_Atomic unsigned ready = 0;
	size_t taken = 0;
	uint8_t in[8] = "abcdefgh";
	unsigned i;

	CHECK(u != NULL);
	/* The fake irq sink is only called under the device lock. */
	uart8250_io_ops.write(u, UART_FCR, UART_FCR_ENABLE_FIFO, 1);
	uart8250_set_rx_ready_cb(u, on_ready, (void *)&ready);
	for (i = 0; i < WRITERS; i++)
		CHECK_EQ(pthread_create(&w[i], NULL, uart_writer, u), 0);
	CHECK_EQ(pthread_create(&rd, NULL, uart_reader, u), 0);
	for (i = 0; i < 20000; i++)
		taken += uart8250_receive(u, in, sizeof(in));
	for (i = 0; i < WRITERS; i++)
		pthread_join(w[i], NULL);
	pthread_join(rd, NULL);
	CHECK_EQ(atomic_load(&s.bytes), WRITERS * BYTES_PER_WRITER);
	CHECK_EQ(atomic_load(&uart8250_counters(u)->rx_bytes), taken);
	CHECK(taken <= 20000 * sizeof(in));
	uart8250_destroy(u);
}

int main(void)
{
	test_uart_random();
	test_others_random();
	test_uart_threads();
	return test_result("hw_random");
}
