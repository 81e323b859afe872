/*
 * virtio-console (virtio 1.2 §5.3), one port, no multiport: the guest's
 * hvc0. Bytes from @in_fd go into the driver's receive buffers (receiveq0)
 * and what the driver transmits (transmitq0) is written to @out_fd, both
 * through the I/O thread's ring with no copy. Unlike a UART, a whole buffer
 * costs one notification, not one exit per byte.
 */
#ifndef VMM_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_CONSOLE_H

#include "virtio/iothread.h"
#include "virtio/virtio.h"

#define VIRTIO_CONSOLE_QUEUE_MAX 64u
#define VIRTIO_CONSOLE_MAX_IOV	 16u

struct virtio_console_opts {
	int in_fd;  /* read for the guest's input; -1: none */
	int out_fd; /* the guest's output goes here */
};

/* One request in flight per direction. */
struct virtio_console_io {
	struct io_task task;
	struct virtio_console *con;
	bool busy;
	uint32_t gen;
	uint32_t done; /* bytes moved so far */
	unsigned niov;
	struct virtq_req vr;
	struct iovec iov[VIRTIO_CONSOLE_MAX_IOV];
};

struct virtio_console {
	struct virtio_dev dev;
	struct iothread *io;
	int in_fd;
	int out_fd;
	bool in_eof;
	uint32_t generation;
	struct virtio_console_io rx, tx;
	struct io_task rx_poll;
	uint64_t rx_bytes, tx_bytes;
};

int virtio_console_init(struct virtio_console *con, const struct virtio_console_opts *o,
			const struct guest_mem *gm, struct iothread *io) must_check;
void virtio_console_fini(struct virtio_console *con);

#endif
