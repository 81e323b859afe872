/*
 * virtio-console, virtio 1.2 §5.3, single port. Each direction keeps at
 * most one chain in flight: the receive chain waits for input, the
 * transmit chain until everything in it is written (a pipe or terminal may
 * take a write in pieces).
 */
#include "virtio/console.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "common/log.h"

#define CON_RXQ 0u
#define CON_TXQ 1u

static struct virtio_console *to_con(struct virtio_dev *dev)
{
	return container_of(dev, struct virtio_console, dev);
}

static void virtio_console_tx_run(struct virtio_console *con);
static void virtio_console_rx_run(struct virtio_console *con);

/* Submit the part of @io not moved yet: iovecs advanced past io->done. */
static bool virtio_console_submit(struct virtio_console_io *io, int fd, bool write)
{
	struct io_uring_sqe *sqe = iothread_sqe(io->con->io, &io->task);
	struct iovec *iov = io->iov;
	unsigned n = io->niov;
	size_t skip = io->done;

	if (!sqe)
		return false;
	while (n && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++;
		n--;
	}
	if (n) {
		iov->iov_base = (uint8_t *)iov->iov_base + skip;
		iov->iov_len -= skip;
	}
	/* Already-moved bytes are gone from the list: count from here on. */
	memmove(io->iov, iov, n * sizeof(*iov));
	io->niov = n;
	io->done = 0;
	if (write)
		io_uring_prep_writev(sqe, fd, io->iov, n, (__u64)-1);
	else
		io_uring_prep_readv(sqe, fd, io->iov, n, (__u64)-1);
	return true;
}

static void virtio_console_finish(struct virtio_console_io *io, unsigned q, uint32_t len)
{
	struct virtio_console *con = io->con;

	io->busy = false;
	if (io->gen != con->generation)
		return; /* reset meanwhile: the chain belonged to the old rings */
	virtq_push(&con->dev.vq[q], io->vr.head, len);
	virtio_dev_signal_used(&con->dev, q);
}

static void virtio_console_tx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_console_io *io = container_of(task, struct virtio_console_io, task);
	struct virtio_console *con = io->con;

	virtio_dev_lock(&con->dev);
	if (res > 0 && io->gen == con->generation) {
		con->tx_bytes += (uint64_t)res;
		io->done = (uint32_t)res;
		/* A short write: the rest goes out next. */
		if ((uint32_t)res < io->vr.out_len &&
		    virtio_console_submit(io, con->out_fd, true)) {
			io->vr.out_len -= (uint32_t)res;
			virtio_dev_unlock(&con->dev);
			return;
		}
	}
	/* §5.3.6.2: a transmit buffer comes back with length 0; errors drop it. */
	virtio_console_finish(io, CON_TXQ, 0);
	if (virtio_dev_live(&con->dev))
		virtio_console_tx_run(con);
	virtio_dev_unlock(&con->dev);
}

static void virtio_console_tx_run(struct virtio_console *con)
{
	struct virtio_console_io *io = &con->tx;
	int ret;

	while (!io->busy && (ret = virtq_pop(&con->dev.vq[CON_TXQ], &io->vr)) != 0) {
		if (ret < 0) {
			virtio_dev_needs_reset(&con->dev);
			return;
		}
		if (io->vr.n_in || io->vr.out_len == 0) { /* guest-controlled */
			if (io->vr.n_in)
				guest_err(&con->dev.guest_errors,
					  "virtio-console: writable buffer on transmitq");
			virtq_push(&con->dev.vq[CON_TXQ], io->vr.head, 0);
			virtio_dev_signal_used(&con->dev, CON_TXQ);
			continue;
		}
		io->gen = con->generation;
		io->niov = io->vr.n_out;
		io->done = 0;
		io->busy = virtio_console_submit(io, con->out_fd, true);
		if (!io->busy) {
			virtq_push(&con->dev.vq[CON_TXQ], io->vr.head, 0);
			virtio_dev_signal_used(&con->dev, CON_TXQ);
		}
	}
}

/* A non-blocking input fd said -EAGAIN: wait for it before reading again. */
static bool virtio_console_rx_wait(struct virtio_console *con)
{
	struct io_uring_sqe *sqe = iothread_sqe(con->io, &con->rx_poll);

	if (!sqe)
		return false;
	io_uring_prep_poll_add(sqe, con->in_fd, POLLIN);
	return true;
}

static void virtio_console_rx_polled(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_console *con = container_of(task, struct virtio_console, rx_poll);
	struct virtio_console_io *io = &con->rx;

	virtio_dev_lock(&con->dev);
	if (io->gen == con->generation && res >= 0) {
		io->busy = virtio_console_submit(io, con->in_fd, false);
	} else {
		con->in_eof |= res < 0; /* a failing input would poll for ever */
		io->busy = false;
	}
	if (!io->busy && io->gen == con->generation)
		virtq_unpop(&con->dev.vq[CON_RXQ], 1);
	virtio_dev_unlock(&con->dev);
}

static void virtio_console_rx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_console_io *io = container_of(task, struct virtio_console_io, task);
	struct virtio_console *con = io->con;

	virtio_dev_lock(&con->dev);
	if (io->gen != con->generation) {
		io->busy = false; /* reset meanwhile: the chain belonged to the old rings */
	} else if (res > 0) {
		con->rx_bytes += (uint64_t)res;
		virtio_console_finish(io, CON_RXQ, (uint32_t)res);
	} else if ((res == -EAGAIN || res == -EINTR) && virtio_console_rx_wait(con)) {
		virtio_dev_unlock(&con->dev);
		return; /* the chain stays taken until input arrives */
	} else {
		/* End of input or an error: the buffer goes back unused. */
		con->in_eof = res == 0 || (res != -EAGAIN && res != -EINTR);
		virtq_unpop(&con->dev.vq[CON_RXQ], 1);
		io->busy = false;
	}
	if (virtio_dev_live(&con->dev))
		virtio_console_rx_run(con);
	virtio_dev_unlock(&con->dev);
}

static void virtio_console_rx_run(struct virtio_console *con)
{
	struct virtio_console_io *io = &con->rx;
	int ret;

	if (io->busy || con->in_fd < 0 || con->in_eof)
		return;
	ret = virtq_pop(&con->dev.vq[CON_RXQ], &io->vr);
	if (ret <= 0) {
		if (ret < 0)
			virtio_dev_needs_reset(&con->dev);
		return;
	}
	if (io->vr.n_out || io->vr.in_len == 0) { /* guest-controlled */
		guest_err(&con->dev.guest_errors, "virtio-console: bad receive buffer");
		virtq_push(&con->dev.vq[CON_RXQ], io->vr.head, 0);
		virtio_dev_signal_used(&con->dev, CON_RXQ);
		return;
	}
	io->gen = con->generation;
	io->niov = io->vr.n_in;
	io->done = 0;
	io->busy = virtio_console_submit(io, con->in_fd, false);
	if (!io->busy)
		virtq_unpop(&con->dev.vq[CON_RXQ], 1);
}

static void virtio_console_queue_notify(struct virtio_dev *dev, unsigned q)
{
	if (q == CON_RXQ)
		virtio_console_rx_run(to_con(dev));
	else
		virtio_console_tx_run(to_con(dev));
}

static void virtio_console_reset(struct virtio_dev *dev)
{
	/* Requests in flight finish into guest RAM but are not reported. */
	to_con(dev)->generation++;
}

static const struct virtio_dev_ops virtio_console_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .queue_notify = virtio_console_queue_notify,
    .reset = virtio_console_reset,
};

int virtio_console_init(struct virtio_console *con, const struct virtio_console_opts *o,
			const struct guest_mem *gm, struct iothread *io)
{
	memset(con, 0, sizeof(*con));
	if (!io || o->out_fd < 0)
		return -EINVAL;
	con->io = io;
	con->in_fd = o->in_fd;
	con->out_fd = o->out_fd;
	con->rx.con = con->tx.con = con;
	con->rx.vr.iov = con->rx.iov;
	con->tx.vr.iov = con->tx.iov;
	con->rx.vr.iov_max = con->tx.vr.iov_max = VIRTIO_CONSOLE_MAX_IOV;
	con->rx.task.complete = virtio_console_rx_done;
	con->rx_poll.complete = virtio_console_rx_polled;
	con->tx.task.complete = virtio_console_tx_done;
	/* §5.3.3: no size, multiport or emergency write; no config space then. */
	return virtio_dev_init(
	    &con->dev, &virtio_console_ops, gm, 2, VIRTIO_CONSOLE_QUEUE_MAX,
	    VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC), 0);
}

void virtio_console_fini(struct virtio_console *con)
{
	virtio_dev_fini(&con->dev);
}
