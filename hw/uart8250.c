/*
 * 16550A UART. Register semantics follow the TI/National PC16550D datasheet
 * ("PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs"); the interrupt
 * priorities and reset conditions are its Table IV ("Interrupt Control
 * Functions"), cited below as "Table IV".
 *
 * Simplifications, all invisible to a driver:
 * - transmission is instantaneous, so THR/TSR are empty again when the THR
 *   write returns (THRE and TEMT always read 1) and there is no TX FIFO;
 * - the character-timeout indication (IIR 0x0c) is given at once when the
 *   RX FIFO holds data below the trigger level: we have no character clock,
 *   and host input arrives in bursts anyway;
 * - no parity/framing errors or breaks are ever received.
 */
#include "hw/uart8250.h"

#include <linux/serial_reg.h>
#include <pthread.h>
#include <stdlib.h>

#include "common/log.h"

/* Modem inputs when not in loopback: a host console is always "connected". */
#define UART_MSR_IDLE_INPUTS (UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
/* IIR bits 7:6 read 11 while FIFOs are enabled (datasheet: IIR, bits 6-7). */
#define UART_IIR_FIFOS_ON 0xc0
#define UART_IER_MASK	  0x0f
#define UART_MCR_MASK	  0x1f

struct uart8250 {
	pthread_mutex_t lock;
	struct irq_line irq;
	bool has_irq;
	const struct uart_backend_ops *be;
	void *be_opaque;

	uint8_t ier, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_err;   /* sticky OE (cleared by reading LSR) */
	uint8_t msr_delta; /* DCTS/DDSR/TERI/DDCD (cleared by reading MSR) */
	bool fifo_on;
	uint8_t rx_trigger; /* FCR bits 7:6 as a byte count */
	bool thre_pending;  /* the THRE interrupt latch */
	bool out2_gate;
	bool irq_level;

	uint8_t rx[UART8250_FIFO_SIZE];
	unsigned rx_head, rx_count;
	bool rx_blocked; /* a receive() was refused bytes: owe an rx-ready call */
	void (*rx_ready_cb)(void *opaque);
	void *rx_ready_opaque;

	struct uart8250_counters ctr;
};

struct uart8250 *uart8250_create(const struct irq_line *irq, const struct uart_backend_ops *be,
				 void *be_opaque)
{
	struct uart8250 *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	if (pthread_mutex_init(&u->lock, NULL)) {
		free(u);
		return NULL;
	}
	if (irq) {
		u->irq = *irq;
		u->has_irq = true;
	}
	u->be = be;
	u->be_opaque = be_opaque;
	u->dll = 1; /* 115200 baud from the PC's 1.8432 MHz clock */
	u->rx_trigger = 1;
	return u;
}

void uart8250_destroy(struct uart8250 *u)
{
	if (!u)
		return;
	pthread_mutex_destroy(&u->lock);
	free(u);
}

const struct uart8250_counters *uart8250_counters(const struct uart8250 *u)
{
	return &u->ctr;
}

static bool uart_loopback(const struct uart8250 *u)
{
	return u->mcr & UART_MCR_LOOP;
}

static unsigned uart_rx_capacity(const struct uart8250 *u)
{
	/* Without FIFOs the 16550 is a 16450: one receive holding register. */
	return u->fifo_on ? UART8250_FIFO_SIZE : 1;
}

/* Interrupt identification in datasheet priority order (Table IV). */
static uint8_t uart_iir_id(const struct uart8250 *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr_err & UART_LSR_BRK_ERROR_BITS))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		if (u->fifo_on && u->rx_count < u->rx_trigger)
			return UART_IIR_RX_TIMEOUT;
		return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && u->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Called with the lock held after every state change. */
static void uart_update_irq(struct uart8250 *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NO_INT;

	/* On a PC the output is gated by the OUT2 pin, inactive in loopback. */
	if (u->out2_gate && (!(u->mcr & UART_MCR_OUT2) || uart_loopback(u)))
		level = false;
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->has_irq)
		irq_line_set(&u->irq, level);
}

static void uart_rx_push(struct uart8250 *u, uint8_t c)
{
	u->rx[(u->rx_head + u->rx_count) % UART8250_FIFO_SIZE] = c;
	u->rx_count++;
}

static uint8_t uart_rx_pop(struct uart8250 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART8250_FIFO_SIZE;
	u->rx_count--;
	return c;
}

static void uart_rx_clear(struct uart8250 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/*
 * With the lock held: true when the owed rx-ready call is now due; the caller
 * makes it after unlocking.
 */
static bool uart_rx_ready_due(struct uart8250 *u)
{
	if (!u->rx_blocked || uart_loopback(u) || u->rx_count >= uart_rx_capacity(u))
		return false;
	u->rx_blocked = false;
	return u->rx_ready_cb != NULL;
}

/* Unlock, then make the rx-ready call if it became due. */
static void uart_unlock(struct uart8250 *u)
{
	bool due = uart_rx_ready_due(u);
	void (*cb)(void *) = u->rx_ready_cb;
	void *opaque = u->rx_ready_opaque;

	pthread_mutex_unlock(&u->lock);
	if (due)
		cb(opaque);
}

/* MSR bits 7:4: the modem inputs, or MCR bits 3:0 in loopback (MCR bit 4). */
static uint8_t uart_msr_inputs(const struct uart8250 *u)
{
	uint8_t m = u->mcr;

	if (!uart_loopback(u))
		return UART_MSR_IDLE_INPUTS;
	return (m & UART_MCR_RTS ? UART_MSR_CTS : 0) | (m & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (m & UART_MCR_OUT1 ? UART_MSR_RI : 0) | (m & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

/* Delta bits for an input change; RI reports only its trailing edge. */
static uint8_t uart_msr_deltas(uint8_t old, uint8_t cur)
{
	uint8_t changed = old ^ cur;
	uint8_t d = 0;

	if (changed & UART_MSR_CTS)
		d |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		d |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(cur & UART_MSR_RI))
		d |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		d |= UART_MSR_DDCD;
	return d;
}

static void uart_transmit(struct uart8250 *u, uint8_t c)
{
	/* Writing THR clears the THRE interrupt (Table IV). */
	u->thre_pending = false;
	uart_update_irq(u);
	if (uart_loopback(u)) {
		/* The FIFO keeps its bytes; the new one is lost (LSR.OE). */
		if (u->rx_count >= uart_rx_capacity(u)) {
			u->lsr_err |= UART_LSR_OE;
			atomic_fetch_add_explicit(&u->ctr.overrun, 1, memory_order_relaxed);
		} else {
			uart_rx_push(u, c);
		}
	} else if (u->be && u->be->write) {
		u->be->write(u->be_opaque, &c, 1);
		atomic_fetch_add_explicit(&u->ctr.tx_bytes, 1, memory_order_relaxed);
	}
	/*
	 * The byte left THR at once, so THR is empty again and the interrupt
	 * is re-armed: the line drops and rises, a fresh edge for an
	 * edge-triggered interrupt controller pin.
	 */
	u->thre_pending = true;
}

static void uart_write_ier(struct uart8250 *u, uint8_t v)
{
	uint8_t old = u->ier;

	u->ier = v & UART_IER_MASK;
	/*
	 * Enabling ETBEI while THR is empty raises THRE at once; Linux's
	 * UART_BUG_THRE/TXEN probes in serial8250_do_startup() rely on it.
	 */
	if ((u->ier & UART_IER_THRI) && !(old & UART_IER_THRI))
		u->thre_pending = true;
}

static void uart_write_fcr(struct uart8250 *u, uint8_t v)
{
	static const uint8_t trigger[4] = {1, 4, 8, 14};
	bool on = v & UART_FCR_ENABLE_FIFO;

	/* Changing FCR0 clears both FIFOs (FCR bit 0). */
	if (on != u->fifo_on)
		uart_rx_clear(u);
	u->fifo_on = on;
	/* The other bits are programmed only together with FCR0 = 1. */
	if (!on)
		return;
	if (v & UART_FCR_CLEAR_RCVR)
		uart_rx_clear(u);
	u->rx_trigger = trigger[(v & UART_FCR_TRIGGER_MASK) >> UART_FCR_R_TRIG_SHIFT];
}

static void uart_write_mcr(struct uart8250 *u, uint8_t v)
{
	uint8_t old = uart_msr_inputs(u);

	u->mcr = v & UART_MCR_MASK;
	u->msr_delta |= uart_msr_deltas(old, uart_msr_inputs(u));
}

static uint8_t uart_read_iir(struct uart8250 *u)
{
	uint8_t id = uart_iir_id(u);

	/* Reading IIR when THRE is the source clears it (Table IV). */
	if (id == UART_IIR_THRI)
		u->thre_pending = false;
	return id | (u->fifo_on ? UART_IIR_FIFOS_ON : 0);
}

static uint8_t uart_read_lsr(struct uart8250 *u)
{
	uint8_t lsr = u->lsr_err | UART_LSR_THRE | UART_LSR_TEMT;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	u->lsr_err = 0; /* reading LSR clears the error bits */
	return lsr;
}

static uint8_t uart_read_msr(struct uart8250 *u)
{
	uint8_t msr = uart_msr_inputs(u) | u->msr_delta;

	u->msr_delta = 0;
	return msr;
}

static uint8_t uart_read_reg(struct uart8250 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return uart_read_iir(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return uart_read_lsr(u);
	case UART_MSR:
		return uart_read_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write_reg(struct uart8250 *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_TX:
		if (dlab)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			uart_write_ier(u, v);
		break;
	case UART_FCR:
		uart_write_fcr(u, v);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		uart_write_mcr(u, v);
		break;
	case UART_LSR:
	case UART_MSR:
		/* Factory-test writes on the real part: ignored. */
		guest_err(&u->ctr.ro_write, "uart8250: write 0x%x to read-only register %u", v,
			  reg);
		break;
	default:
		u->scr = v;
		break;
	}
}

static bool uart_access_ok(struct uart8250 *u, uint64_t offset, unsigned size)
{
	/* guest-controlled: registers are bytes at offsets 0..7 */
	if (size == 1 && offset < UART8250_REG_LEN)
		return true;
	guest_err(&u->ctr.bad_access, "uart8250: %u-byte access at offset 0x%llx", size,
		  (unsigned long long)offset);
	return false;
}

static uint64_t uart_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart8250 *u = opaque;
	uint8_t v;

	if (!uart_access_ok(u, offset, size))
		return io_mask(size);
	pthread_mutex_lock(&u->lock);
	v = uart_read_reg(u, (unsigned)offset);
	uart_update_irq(u);
	uart_unlock(u);
	return v;
}

static void uart_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct uart8250 *u = opaque;

	if (!uart_access_ok(u, offset, size))
		return;
	pthread_mutex_lock(&u->lock);
	uart_write_reg(u, (unsigned)offset, (uint8_t)value);
	uart_update_irq(u);
	uart_unlock(u);
}

const struct io_dev_ops uart8250_io_ops = {
    .read = uart_io_read,
    .write = uart_io_write,
};

size_t uart8250_receive(struct uart8250 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	/* In loopback the serial input is disconnected (MCR bit 4). */
	while (!uart_loopback(u) && n < len && u->rx_count < uart_rx_capacity(u))
		uart_rx_push(u, buf[n++]);
	if (n < len)
		u->rx_blocked = true;
	atomic_fetch_add_explicit(&u->ctr.rx_bytes, n, memory_order_relaxed);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

size_t uart8250_take_rx(struct uart8250 *u, uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	/* Loopback bytes are the guest's own: not console input. */
	while (!uart_loopback(u) && n < len && u->rx_count)
		buf[n++] = uart_rx_pop(u);
	uart_update_irq(u);
	uart_unlock(u); /* room again: the owed rx-ready call refills the FIFO */
	return n;
}

void uart8250_set_rx_ready_cb(struct uart8250 *u, void (*cb)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&u->lock);
	u->rx_ready_cb = cb;
	u->rx_ready_opaque = opaque;
	pthread_mutex_unlock(&u->lock);
}

void uart8250_set_out2_gate(struct uart8250 *u, bool gate)
{
	pthread_mutex_lock(&u->lock);
	u->out2_gate = gate;
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
}
