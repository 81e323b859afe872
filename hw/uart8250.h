/*
 * A 16550A UART with byte-wide registers at offsets 0..7 (register shift 0),
 * bus-agnostic: the x86 machine puts it at PIO 0x3f8 (COM1, IRQ 4), the
 * RISC-V virt machine at MMIO 0x1000_0000 as "ns16550a".
 *
 * Output is written through to a backend, one call per THR byte; the console
 * code owns buffering. Input comes from the main thread via
 * uart8250_receive(), which never overruns the 16-byte RX FIFO: it accepts
 * what fits and, once the guest has made room again, the rx-ready callback
 * says so, so the main loop can resume reading its input.
 *
 * Transmission is instantaneous (THR and the transmitter are always empty
 * again by the time the write returns), so LSR.THRE and LSR.TEMT always read
 * 1 and there is no TX FIFO to clear.
 */
#ifndef VMM_HW_UART8250_H
#define VMM_HW_UART8250_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/irq.h"
#include "memory/io_bus.h"

/* Registers occupy offsets 0..7 of whatever base the machine chooses. */
#define UART8250_REG_LEN   8
#define UART8250_FIFO_SIZE 16

struct uart_backend_ops {
	/* Guest output; called with the device lock held, so keep it short. */
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
};

/* Guest oddities and events, for tests and statistics. */
struct uart8250_counters {
	_Atomic uint64_t bad_access; /* size != 1 or offset out of range */
	_Atomic uint64_t ro_write;   /* write to LSR or MSR */
	_Atomic uint64_t overrun;    /* loopback byte dropped on a full FIFO */
	_Atomic uint64_t tx_bytes;   /* bytes handed to the backend */
	_Atomic uint64_t rx_bytes;   /* bytes accepted by uart8250_receive() */
};

struct uart8250;

/*
 * @irq (copied) is driven level-triggered and may be NULL; @be may be NULL
 * (output dropped), else it and @be_opaque must outlive the device.
 * Returns NULL on ENOMEM.
 */
struct uart8250 *uart8250_create(const struct irq_line *irq, const struct uart_backend_ops *be,
				 void *be_opaque);
void uart8250_destroy(struct uart8250 *u);

/*
 * Host input: queue up to the free RX FIFO space and return how many bytes
 * were taken (0 while the guest has the UART in loopback, where the serial
 * input is disconnected). Thread-safe.
 */
size_t uart8250_receive(struct uart8250 *u, const uint8_t *buf, size_t len);

/*
 * Another consumer of the console input (the SBI console of a directly
 * booted riscv64 kernel): take up to @len bytes out of the RX FIFO, as if
 * the guest had read RBR, and return how many (0 when it is empty or in
 * loopback). The rx-ready callback then refills it. Thread-safe; must not
 * be called from the rx-ready callback.
 */
size_t uart8250_take_rx(struct uart8250 *u, uint8_t *buf, size_t len);

/*
 * @cb runs once after a uart8250_receive() that took less than it was given,
 * as soon as the guest has made room again. It runs on a vCPU thread, outside
 * the device lock, so it may call uart8250_receive(); keep it short (e.g.
 * write an eventfd).
 */
void uart8250_set_rx_ready_cb(struct uart8250 *u, void (*cb)(void *opaque), void *opaque);

/*
 * PC wiring: the 8250's interrupt output reaches the ISA bus only while
 * MCR.OUT2 is set. Off by default (the ns16550a on RISC-V has no such gate;
 * Linux sets OUT2 anyway whenever it uses an IRQ).
 */
void uart8250_set_out2_gate(struct uart8250 *u, bool gate);

const struct uart8250_counters *uart8250_counters(const struct uart8250 *u);

extern const struct io_dev_ops uart8250_io_ops;

#endif
