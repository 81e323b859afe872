/*
 * The host side of the guest's serial console: where the UART's bytes go
 * (stdout, a file, nowhere) and where its input comes from (stdin, in raw
 * mode when it is a terminal, restored on every exit path). Ctrl-A x quits,
 * Ctrl-A Ctrl-A sends a Ctrl-A, as in QEMU.
 */
#ifndef VMM_VMM_CONSOLE_H
#define VMM_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"
#include "common/vmstop.h"
#include "vmm/config.h"

struct console;

/* Input sink: returns how many bytes were accepted (the UART's FIFO may be full). */
typedef size_t (*console_input_fn)(void *opaque, const uint8_t *buf, size_t len);

int console_open(enum console_kind kind, const char *path, struct console **out) must_check;
void console_close(struct console *con); /* restores the terminal */

/* Output from the guest: written through at once. */
void console_write(struct console *con, const uint8_t *buf, size_t len);

void console_set_input(struct console *con, console_input_fn fn, void *opaque,
		       const struct vm_stop *stop);
/* The fd to poll for input, or -1 when input is off, at EOF or must wait for room. */
int console_input_fd(struct console *con);
/* stdin is readable: read, handle Ctrl-A, and feed the sink. */
void console_handle_input(struct console *con);
/* The sink has room again (called on the main thread). */
void console_input_ready(struct console *con);

/* CLOCK_MONOTONIC of the first guest output byte, 0 before (start-up tracing). */
uint64_t console_first_write_ns(const struct console *con);

/* Restore the terminal; async-signal-safe, for fatal paths. */
void console_restore_tty(void);

#endif
