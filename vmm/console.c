#include "vmm/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <stdatomic.h>

#include "common/compiler.h"
#include "common/log.h"

#define CTRL_A 0x01

struct console {
	enum console_kind kind;
	int out_fd;
	int in_fd; /* -1: no input */
	bool in_eof;
	bool escape;       /* the last byte was Ctrl-A */
	uint8_t pend[256]; /* read from stdin, not yet accepted by the sink */
	size_t pend_off, pend_len;
	console_input_fn input;
	void *input_opaque;
	const struct vm_stop *stop;
	_Atomic uint64_t first_write_ns; /* start-up tracing */
};

static struct termios saved_tio;
static volatile int tty_saved; /* set once raw mode is on */

void console_restore_tty(void)
{
	if (tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

static void console_raw_mode(void)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio = saved_tio;
	/* Raw: no echo, no line editing, no signals from Ctrl-C (it goes to the guest). */
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0) {
		tty_saved = 1;
		atexit(console_restore_tty);
	}
}

int console_open(enum console_kind kind, const char *path, struct console **out)
{
	struct console *con = calloc(1, sizeof(*con));

	if (!con)
		return -ENOMEM;
	con->kind = kind;
	con->in_fd = -1;
	con->out_fd = -1;
	switch (kind) {
	case CONSOLE_STDIO:
		con->out_fd = STDOUT_FILENO;
		con->in_fd = STDIN_FILENO;
		console_raw_mode();
		break;
	case CONSOLE_FILE:
		con->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (con->out_fd < 0) {
			int e = errno;

			log_err("cannot open console file '%s': %s", path, strerror(e));
			free(con);
			return -e;
		}
		break;
	case CONSOLE_NONE:
		break;
	}
	*out = con;
	return 0;
}

void console_close(struct console *con)
{
	if (!con)
		return;
	console_restore_tty();
	if (con->kind == CONSOLE_FILE && con->out_fd >= 0)
		close(con->out_fd);
	free(con);
}

uint64_t console_first_write_ns(const struct console *con)
{
	return atomic_load(&con->first_write_ns);
}

void console_write(struct console *con, const uint8_t *buf, size_t len)
{
	if (unlikely(!atomic_load_explicit(&con->first_write_ns, memory_order_relaxed)))
		atomic_store(&con->first_write_ns, monotonic_ns());
	while (con->out_fd >= 0 && len > 0) {
		ssize_t n = write(con->out_fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* A non-blocking terminal that is full: wait for it rather than drop. */
			usleep(1000);
			continue;
		}
		if (n <= 0) {
			/* stdout closed (e.g. a pipe reader went away): stop writing. */
			con->out_fd = -1;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

void console_set_input(struct console *con, console_input_fn fn, void *opaque,
		       const struct vm_stop *stop)
{
	con->input = fn;
	con->input_opaque = opaque;
	con->stop = stop;
}

int console_input_fd(struct console *con)
{
	if (con->in_fd < 0 || con->in_eof || !con->input || con->pend_len > con->pend_off)
		return -1;
	return con->in_fd;
}

/* Push pending bytes into the sink as far as it takes them. */
static void console_flush_pending(struct console *con)
{
	while (con->pend_off < con->pend_len) {
		size_t n = con->input(con->input_opaque, con->pend + con->pend_off,
				      con->pend_len - con->pend_off);

		if (n == 0)
			return;
		con->pend_off += n;
	}
	con->pend_off = con->pend_len = 0;
}

/* Strip the Ctrl-A escapes from @buf in place; returns the bytes for the guest. */
static size_t console_escape(struct console *con, uint8_t *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (con->escape) {
			con->escape = false;
			if (c == 'x' || c == 'X') {
				vm_stop_request(con->stop, VM_STOP_USER_QUIT, 0);
				return o;
			}
			if (c == CTRL_A)
				buf[o++] = CTRL_A;
			/* Any other key after Ctrl-A is dropped, as QEMU does. */
			continue;
		}
		if (c == CTRL_A && con->in_fd >= 0 && isatty(con->in_fd)) {
			con->escape = true;
			continue;
		}
		buf[o++] = c;
	}
	return o;
}

void console_handle_input(struct console *con)
{
	ssize_t n;

	if (con->pend_len > con->pend_off)
		return;
	n = read(con->in_fd, con->pend, sizeof(con->pend));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		con->in_eof = true; /* stdin closed: the guest just gets no more input */
		return;
	}
	con->pend_off = 0;
	con->pend_len = console_escape(con, con->pend, (size_t)n);
	console_flush_pending(con);
}

void console_input_ready(struct console *con)
{
	console_flush_pending(con);
}
