/* 16550A UART driven through its io_dev_ops, as a guest driver would. */
#include <linux/serial_reg.h>
#include <string.h>

#include "hw/uart8250.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

struct fake_out {
	uint8_t buf[256];
	size_t len;
};

static void fake_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct fake_out *o = opaque;

	if (o->len + len <= sizeof(o->buf)) {
		memcpy(o->buf + o->len, buf, len);
		o->len += len;
	}
}

static const struct uart_backend_ops fake_be = {.write = fake_write};

static struct fake_irq irq_state;
static struct fake_out out;

static struct uart8250 *setup(void)
{
	struct irq_line irq;
	struct uart8250 *u;

	memset(&irq_state, 0, sizeof(irq_state));
	memset(&out, 0, sizeof(out));
	irq = fake_irq_line(&irq_state, 4);
	u = uart8250_create(&irq, &fake_be, &out);
	CHECK(u != NULL);
	return u;
}

static uint8_t rd(struct uart8250 *u, unsigned reg)
{
	return (uint8_t)uart8250_io_ops.read(u, reg, 1);
}

static void wr(struct uart8250 *u, unsigned reg, uint8_t v)
{
	uart8250_io_ops.write(u, reg, v, 1);
}

/* The checks Linux's autoconfig() makes before trusting a 16550A. */
static void test_probe(void)
{
	struct uart8250 *u = setup();

	CHECK_EQ(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(u, UART_IIR), UART_IIR_NO_INT);
	wr(u, UART_IER, 0);
	CHECK_EQ(rd(u, UART_IER) & 0x0f, 0);
	wr(u, UART_IER, 0xff);
	CHECK_EQ(rd(u, UART_IER), 0x0f); /* upper bits read 0 */
	wr(u, UART_IER, 0);
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO);
	CHECK_EQ(rd(u, UART_IIR) >> 6, 3); /* 16550A: FIFOs on */
	CHECK_EQ(rd(u, UART_IIR) & 0x30, 0);
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	CHECK_EQ(rd(u, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	wr(u, UART_MCR, 0);
	CHECK_EQ(rd(u, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	wr(u, UART_SCR, 0xa5);
	CHECK_EQ(rd(u, UART_SCR), 0xa5);
	uart8250_destroy(u);
}

static void test_divisor_latch(void)
{
	struct uart8250 *u = setup();

	wr(u, UART_IER, UART_IER_RDI);
	wr(u, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	wr(u, UART_DLL, 0x0c);
	wr(u, UART_DLM, 0x01);
	CHECK_EQ(rd(u, UART_DLL), 0x0c);
	CHECK_EQ(rd(u, UART_DLM), 0x01);
	CHECK_EQ(out.len, 0); /* the DLL write did not transmit */
	wr(u, UART_LCR, UART_LCR_WLEN8);
	CHECK_EQ(rd(u, UART_LCR), UART_LCR_WLEN8);
	CHECK_EQ(rd(u, UART_IER), UART_IER_RDI); /* DLM write left IER alone */
	wr(u, UART_TX, 'h');
	wr(u, UART_TX, 'i');
	CHECK_EQ(out.len, 2);
	CHECK(memcmp(out.buf, "hi", 2) == 0);
	CHECK_EQ(atomic_load(&uart8250_counters(u)->tx_bytes), 2);
	wr(u, UART_LCR, UART_LCR_DLAB);
	CHECK_EQ(rd(u, UART_DLL), 0x0c); /* unchanged by THR writes */
	uart8250_destroy(u);
}

static void test_loopback(void)
{
	struct uart8250 *u = setup();
	uint8_t one = 'z';

	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	/* CTS and DCD fell (idle inputs -> MCR), RI rose: no TERI yet. */
	CHECK_EQ(rd(u, UART_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS | UART_MSR_DDCD);
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	CHECK_EQ(rd(u, UART_MSR), UART_MSR_DSR | UART_MSR_TERI); /* RI trailing edge */
	wr(u, UART_TX, 'A');
	CHECK_EQ(out.len, 0);
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	CHECK_EQ(rd(u, UART_RX), 'A');
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, 0);
	/* Host input is disconnected in loopback. */
	CHECK_EQ(uart8250_receive(u, &one, 1), 0);
	wr(u, UART_MCR, 0);
	CHECK_EQ(uart8250_receive(u, &one, 1), 1);
	CHECK_EQ(rd(u, UART_RX), 'z');
	wr(u, UART_TX, 'B');
	CHECK_EQ(out.len, 1);
	uart8250_destroy(u);
}

static void test_fifo_overrun(void)
{
	struct uart8250 *u = setup();
	unsigned i;

	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	wr(u, UART_MCR, UART_MCR_LOOP);
	for (i = 0; i < UART8250_FIFO_SIZE + 1; i++)
		wr(u, UART_TX, (uint8_t)('a' + i));
	wr(u, UART_IER, UART_IER_RLSI);
	CHECK(irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RLSI);
	CHECK_EQ(rd(u, UART_LSR), UART_LSR_OE | UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	CHECK(!irq_state.level); /* LSR read cleared OE and its interrupt */
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_OE, 0);
	CHECK_EQ(atomic_load(&uart8250_counters(u)->overrun), 1);
	for (i = 0; i < UART8250_FIFO_SIZE; i++)
		CHECK_EQ(rd(u, UART_RX), 'a' + i);
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, 0);
	/* FCR "clear RX" empties the FIFO. */
	wr(u, UART_TX, 'x');
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, 0);
	/* Without FIFOs there is one holding register. */
	wr(u, UART_FCR, 0);
	CHECK_EQ(rd(u, UART_IIR), UART_IIR_NO_INT);
	wr(u, UART_TX, '1');
	wr(u, UART_TX, '2');
	CHECK_EQ(rd(u, UART_LSR) & (UART_LSR_OE | UART_LSR_DR), UART_LSR_OE | UART_LSR_DR);
	CHECK_EQ(rd(u, UART_RX), '1');
	uart8250_destroy(u);
}

/*
 * The THRE sequence of Linux's serial8250 driver: start_tx sets IER.THRI, the
 * handler reads IIR (THRE, which clears it), writes bytes, and stop_tx clears
 * IER.THRI when the buffer is empty.
 */
static void test_thre_sequence(void)
{
	struct uart8250 *u = setup();

	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR);
	CHECK(!irq_state.level);
	wr(u, UART_IER, UART_IER_RDI | UART_IER_RLSI | UART_IER_THRI);
	CHECK(irq_state.level);
	CHECK_EQ(irq_state.rises, 1);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_THRI);
	CHECK(!irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_NO_INT);
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_THRE, UART_LSR_THRE);
	wr(u, UART_TX, 'o');
	CHECK(irq_state.level); /* THR empty again */
	CHECK_EQ(irq_state.rises, 2);
	/* Writing THR while THRE is pending pulses the line: a fresh edge. */
	wr(u, UART_TX, 'k');
	CHECK_EQ(irq_state.falls, 2);
	CHECK_EQ(irq_state.rises, 3);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_THRI);
	CHECK(!irq_state.level);
	wr(u, UART_TX, '!');
	CHECK(irq_state.level);
	wr(u, UART_TX, '?');
	CHECK_EQ(irq_state.rises, 5);
	CHECK_EQ(irq_state.falls, 4);
	/* stop_tx */
	wr(u, UART_IER, UART_IER_RDI | UART_IER_RLSI);
	CHECK(!irq_state.level);
	CHECK_EQ(out.len, 4);
	/* Rewriting IER with THRI already set does not re-raise. */
	wr(u, UART_IER, UART_IER_THRI);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_THRI);
	wr(u, UART_IER, UART_IER_THRI);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_NO_INT);
	/* Linux's UART_BUG_THRE probe: 0 then THRI re-raises. */
	wr(u, UART_IER, 0);
	wr(u, UART_IER, UART_IER_THRI);
	CHECK_EQ(rd(u, UART_IIR) & UART_IIR_NO_INT, 0);
	uart8250_destroy(u);
}

static void test_rx_interrupt(void)
{
	struct uart8250 *u = setup();
	const uint8_t in[] = "abcd";

	wr(u, UART_IER, UART_IER_RDI);
	CHECK(!irq_state.level);
	CHECK_EQ(uart8250_receive(u, in, 1), 1);
	CHECK(irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), UART_IIR_RDI); /* 16450 mode */
	CHECK_EQ(rd(u, UART_RX), 'a');
	CHECK(!irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), UART_IIR_NO_INT);

	/* Trigger level 4: below it the timeout indication, at it RDA. */
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_4);
	CHECK_EQ(uart8250_receive(u, in, 1), 1);
	CHECK(irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RX_TIMEOUT);
	CHECK_EQ(uart8250_receive(u, in + 1, 3), 3);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RDI);
	CHECK_EQ(rd(u, UART_RX), 'a');
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RX_TIMEOUT);
	CHECK_EQ(rd(u, UART_RX), 'b');
	CHECK_EQ(rd(u, UART_RX), 'c');
	CHECK(irq_state.level);
	CHECK_EQ(rd(u, UART_RX), 'd');
	CHECK(!irq_state.level);
	CHECK_EQ(atomic_load(&uart8250_counters(u)->rx_bytes), 5);
	/* Disabling RDI masks the source. */
	CHECK_EQ(uart8250_receive(u, in, 1), 1);
	CHECK(irq_state.level);
	wr(u, UART_IER, 0);
	CHECK(!irq_state.level);
	uart8250_destroy(u);
}

/* The main loop's side: input it read but the UART has not taken yet. */
struct rx_ready {
	struct uart8250 *u;
	unsigned calls;
	const uint8_t *pending;
	size_t npending;
};

static void on_rx_ready(void *opaque)
{
	struct rx_ready *r = opaque;
	size_t n;

	r->calls++;
	/* Called outside the lock: receive() from here must not deadlock. */
	n = uart8250_receive(r->u, r->pending, r->npending);
	r->pending += n;
	r->npending -= n;
}

static void test_receive_partial(void)
{
	struct uart8250 *u = setup();
	struct rx_ready r = {.u = u};
	uint8_t in[20];
	size_t n;
	unsigned i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	uart8250_set_rx_ready_cb(u, on_rx_ready, &r);
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_14);
	CHECK_EQ(uart8250_receive(u, in, 4), 4);
	CHECK_EQ(rd(u, UART_RX), 0);
	CHECK_EQ(r.calls, 0); /* nothing was refused */
	n = uart8250_receive(u, in + 4, 16);
	CHECK_EQ(n, 13);
	r.pending = in + 4 + n;
	r.npending = 16 - n;
	CHECK_EQ(r.calls, 0);
	/* Each read makes one slot; each refill takes one byte until done. */
	for (i = 1; i <= 3; i++) {
		CHECK_EQ(rd(u, UART_RX), i);
		CHECK_EQ(r.calls, i);
		CHECK_EQ(r.npending, 3 - i);
	}
	for (i = 4; i < 20; i++)
		CHECK_EQ(rd(u, UART_RX), i);
	CHECK_EQ(r.calls, 3); /* nothing owed once all was taken */
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, 0);
	CHECK_EQ(uart8250_receive(u, in, 0), 0);
	uart8250_destroy(u);
}

/*
 * The SBI console drains the RX FIFO instead of the guest's RBR reads: the
 * bytes come out in order, exactly once, DR and the interrupt drop, the
 * rx-ready call refills, and loopback input is not console input.
 */
static void test_take_rx(void)
{
	struct uart8250 *u = setup();
	struct rx_ready r = {.u = u};
	uint8_t in[6] = {'h', 'e', 'l', 'l', 'o', '!'}, got[8];

	uart8250_set_rx_ready_cb(u, on_rx_ready, &r);
	CHECK_EQ(uart8250_take_rx(u, got, sizeof(got)), 0); /* empty */
	wr(u, UART_IER, UART_IER_RDI);
	/* FIFOs off (reset state): one holding register, the rest refused. */
	CHECK_EQ(uart8250_receive(u, in, 6), 1);
	r.pending = in + 1;
	r.npending = 5;
	CHECK(irq_state.level);
	CHECK_EQ(uart8250_take_rx(u, got, 4), 1);
	CHECK_EQ(got[0], 'h');
	CHECK_EQ(r.calls, 1); /* refilled with 'e' */
	CHECK_EQ(r.npending, 4);
	CHECK_EQ(uart8250_take_rx(u, got, 1), 1);
	CHECK_EQ(got[0], 'e');
	CHECK_EQ(r.calls, 2); /* refilled with 'l' */
	r.npending = 0;
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO); /* clears the FIFO ('l' is lost) */
	CHECK_EQ(uart8250_receive(u, in + 3, 3), 3);
	CHECK_EQ(uart8250_take_rx(u, got, sizeof(got)), 3);
	CHECK_EQ(memcmp(got, "lo!", 3), 0);
	CHECK_EQ(rd(u, UART_LSR) & UART_LSR_DR, 0);
	CHECK(!irq_state.level);
	/* Loopback: the guest's own byte stays for the guest. */
	wr(u, UART_MCR, UART_MCR_LOOP);
	wr(u, UART_TX, 'x');
	CHECK_EQ(uart8250_take_rx(u, got, sizeof(got)), 0);
	CHECK_EQ(rd(u, UART_RX), 'x');
	uart8250_destroy(u);
}

/* All four sources at once are reported highest first (16550D Table IV). */
static void test_iir_priorities(void)
{
	struct uart8250 *u = setup();
	unsigned i;

	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO);
	wr(u, UART_MCR, UART_MCR_LOOP);
	for (i = 0; i < UART8250_FIFO_SIZE + 1; i++)
		wr(u, UART_TX, 'q');
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS); /* DCTS */
	wr(u, UART_IER, 0x0f);
	CHECK(irq_state.level);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RLSI);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RLSI); /* IIR read keeps it */
	rd(u, UART_LSR);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_RDI);
	wr(u, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_THRI);
	CHECK(irq_state.level); /* modem status still pending */
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_MSI);
	/* Entering loopback dropped CTS, DSR, DCD; RTS then raised CTS. */
	CHECK_EQ(rd(u, UART_MSR) & UART_MSR_ANY_DELTA,
		 UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	CHECK_EQ(rd(u, UART_IIR), 0xc0 | UART_IIR_NO_INT);
	CHECK(!irq_state.level);
	uart8250_destroy(u);
}

static void test_out2_gate(void)
{
	struct uart8250 *u = setup();

	uart8250_set_out2_gate(u, true);
	wr(u, UART_IER, UART_IER_THRI);
	CHECK(!irq_state.level);
	wr(u, UART_MCR, UART_MCR_OUT2);
	CHECK(irq_state.level);
	wr(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	CHECK(!irq_state.level);
	uart8250_set_out2_gate(u, false);
	CHECK(irq_state.level);
	uart8250_destroy(u);
}

static void test_bad_access(void)
{
	struct uart8250 *u = setup();
	const struct uart8250_counters *c = uart8250_counters(u);
	uint8_t in = 'k';

	CHECK_EQ(uart8250_receive(u, &in, 1), 1);
	CHECK_EQ(uart8250_io_ops.read(u, UART_RX, 2), 0xffff);
	CHECK_EQ(uart8250_io_ops.read(u, 8, 1), 0xff);
	uart8250_io_ops.write(u, UART_TX, 0x4142, 2);
	uart8250_io_ops.write(u, 1000, 1, 1);
	CHECK_EQ(atomic_load(&c->bad_access), 4);
	CHECK_EQ(out.len, 0);
	CHECK_EQ(rd(u, UART_RX), 'k'); /* the wide read had no side effect */
	wr(u, UART_LSR, 0);
	wr(u, UART_MSR, 0);
	CHECK_EQ(atomic_load(&c->ro_write), 2);
	CHECK_EQ(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CHECK_EQ(rd(u, UART_RX), 0); /* empty FIFO reads 0 */
	uart8250_destroy(u);
	/* No irq line and no backend: still works. */
	u = uart8250_create(NULL, NULL, NULL);
	CHECK(u != NULL);
	wr(u, UART_IER, UART_IER_THRI);
	wr(u, UART_TX, 'x');
	CHECK_EQ(rd(u, UART_IIR), UART_IIR_THRI);
	uart8250_destroy(u);
}

int main(void)
{
	test_probe();
	test_divisor_latch();
	test_loopback();
	test_fifo_overrun();
	test_thre_sequence();
	test_rx_interrupt();
	test_receive_partial();
	test_take_rx();
	test_iir_priorities();
	test_out2_gate();
	test_bad_access();
	return test_result("uart8250");
}
