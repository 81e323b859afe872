/*
 * One io_uring for all device I/O. liburing 2.3 (Debian 12) gives us
 * multishot poll, submit_and_wait_timeout and ring restrictions.
 */
#include "virtio/iothread.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"

#define IOTHREAD_CQ_FACTOR 16u

/* The operations vmm's devices submit; everything else is refused. */
static const uint8_t iothread_ops[] = {
    IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_READV,	       IORING_OP_WRITEV,
    IORING_OP_READ,	IORING_OP_WRITE,       IORING_OP_FSYNC,	       IORING_OP_FALLOCATE,
    IORING_OP_TIMEOUT,	IORING_OP_NOP,	       IORING_OP_ASYNC_CANCEL,
};

static int iothread_restrict(struct io_uring *ring)
{
	struct io_uring_restriction res[ARRAY_SIZE(iothread_ops)];
	unsigned i;
	int ret;

	memset(res, 0, sizeof(res));
	for (i = 0; i < ARRAY_SIZE(iothread_ops); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = iothread_ops[i];
	}
	/*
	 * liburing 2.3's shared library does not export the restriction
	 * helpers, so use the raw register call it does export.
	 */
	ret = io_uring_register(ring->ring_fd, IORING_REGISTER_RESTRICTIONS, res, ARRAY_SIZE(res));
	if (ret < 0)
		return ret;
	return io_uring_register(ring->ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

static int iothread_ring_init(struct io_uring *ring, unsigned entries)
{
	/*
	 * SUBMIT_ALL (6.0): one bad SQE does not stall the rest of a batch.
	 * A deep completion queue: every device queue can have all its
	 * requests in flight at once, and a full CQ would make submission
	 * fail with -EBUSY while a handler is still running.
	 */
	struct io_uring_params p = {
	    .flags = IORING_SETUP_R_DISABLED | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
		     IORING_SETUP_CQSIZE,
	    .cq_entries = entries * IOTHREAD_CQ_FACTOR,
	};
	int ret;

	ret = io_uring_queue_init_params(entries, ring, &p);
	if (ret == -EINVAL) {
		p = (struct io_uring_params){.flags = IORING_SETUP_R_DISABLED | IORING_SETUP_CQSIZE,
					     .cq_entries = entries * IOTHREAD_CQ_FACTOR};
		ret = io_uring_queue_init_params(entries, ring, &p);
	}
	if (ret < 0)
		return ret;
	ret = iothread_restrict(ring);
	if (ret < 0)
		io_uring_queue_exit(ring);
	return ret;
}

static void iothread_stop_ready(struct io_watch *w)
{
	struct iothread *t = container_of(w, struct iothread, stop_watch);
	uint64_t v;

	if (read(t->stop_fd, &v, sizeof(v)) == sizeof(v))
		atomic_store(&t->stopping, true);
}

int iothread_init(struct iothread *t, unsigned entries)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->stop_fd = -1;
	ret = iothread_ring_init(&t->ring, entries);
	if (ret < 0)
		return ret;
	t->ring_ok = true;
	t->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->stop_fd < 0) {
		ret = -errno;
		goto err_ring;
	}
	ret = iothread_watch(t, &t->stop_watch, t->stop_fd, iothread_stop_ready);
	if (ret < 0)
		goto err_fd;
	return 0;
err_fd:
	close(t->stop_fd);
	t->stop_fd = -1;
err_ring:
	io_uring_queue_exit(&t->ring);
	t->ring_ok = false;
	return ret;
}

void iothread_fini(struct iothread *t)
{
	if (t->running)
		iothread_stop(t);
	if (t->ring_ok)
		io_uring_queue_exit(&t->ring);
	t->ring_ok = false;
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	t->stop_fd = -1;
}

struct io_uring_sqe *iothread_sqe(struct iothread *t, struct io_task *task)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&t->ring);

	if (!sqe) {
		/* Full: hand the batch to the kernel and take a fresh slot. */
		if (io_uring_submit(&t->ring) >= 0)
			t->enters++;
		sqe = io_uring_get_sqe(&t->ring);
		if (!sqe)
			return NULL;
	}
	io_uring_sqe_set_data(sqe, task);
	return sqe;
}

void iothread_submit(struct iothread *t, unsigned min)
{
	if (io_uring_sq_ready(&t->ring) < MAX(min, 1u))
		return;
	io_uring_submit(&t->ring); /* on failure the SQEs stay in the ring */
	t->enters++;
}

void iothread_defer(struct iothread *t, struct io_deferred *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = t->deferred;
	t->deferred = d;
}

static void iothread_run_deferred(struct iothread *t)
{
	while (t->deferred) {
		struct io_deferred *d = t->deferred;

		t->deferred = d->next;
		d->queued = false;
		d->run(d);
	}
}

static unsigned iothread_reap(struct iothread *t)
{
	struct io_uring_cqe *cqe;
	unsigned n = 0;

	/* Handlers may queue SQEs but never reap, so peeking one at a time is safe. */
	while (io_uring_peek_cqe(&t->ring, &cqe) == 0) {
		struct io_task *task = io_uring_cqe_get_data(cqe);
		int res = cqe->res;
		uint32_t flags = cqe->flags;

		io_uring_cqe_seen(&t->ring, cqe);
		n++;
		if (task && task->complete)
			task->complete(task, res, flags);
	}
	iothread_run_deferred(t);
	t->completions += n;
	return n;
}

int iothread_poll(struct iothread *t, uint64_t timeout_ns)
{
	struct __kernel_timespec ts = {.tv_sec = (long long)(timeout_ns / 1000000000ULL),
				       .tv_nsec = (long long)(timeout_ns % 1000000000ULL)};
	struct io_uring_cqe *cqe;
	int ret;

	if (timeout_ns == 0)
		ret = io_uring_submit(&t->ring);
	else
		ret = io_uring_submit_and_wait_timeout(&t->ring, &cqe, 1,
						       timeout_ns == UINT64_MAX ? NULL : &ts, NULL);
	t->enters++;
	if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EBUSY)
		return ret;
	return (int)iothread_reap(t);
}

static int iothread_arm_watch(struct io_watch *w)
{
	struct io_uring_sqe *sqe = iothread_sqe(w->t, &w->task);

	if (!sqe)
		return -EBUSY;
	if (w->t->oneshot_poll)
		io_uring_prep_poll_add(sqe, w->fd, POLLIN);
	else
		io_uring_prep_poll_multishot(sqe, w->fd, POLLIN);
	w->active = true;
	return 0;
}

static void iothread_watch_done(struct io_task *task, int res, uint32_t flags)
{
	struct io_watch *w = container_of(task, struct io_watch, task);

	if (w->removing) {
		if (!(flags & IORING_CQE_F_MORE))
			w->active = false;
		return;
	}
	/*
	 * Without F_MORE the multishot poll has ended. After an event (the
	 * kernel may end it, e.g. on CQ overflow) arm it again; after an error
	 * (a closed fd) re-arming would only fail again at once.
	 */
	if (!(flags & IORING_CQE_F_MORE)) {
		w->active = false;
		if (res == -EINVAL && !w->t->oneshot_poll) {
			/* No multishot poll in this kernel: fall back for good. */
			w->t->oneshot_poll = true;
			if (iothread_arm_watch(w) < 0)
				log_err("iothread: cannot re-arm poll on fd %d", w->fd);
			return;
		}
		if (res < 0 && res != -ECANCELED)
			log_err("iothread: poll on fd %d ended: %s", w->fd, strerror(-res));
		else if (res >= 0 && iothread_arm_watch(w) < 0)
			log_err("iothread: cannot re-arm poll on fd %d", w->fd);
	}
	if (res >= 0 && (res & POLLIN))
		w->ready(w);
}

int iothread_watch(struct iothread *t, struct io_watch *w, int fd,
		   void (*ready)(struct io_watch *w))
{
	w->task.complete = iothread_watch_done;
	w->removing = false;
	w->t = t;
	w->fd = fd;
	w->ready = ready;
	return iothread_arm_watch(w);
}

int iothread_unwatch(struct iothread *t, struct io_watch *w)
{
	struct io_uring_sqe *sqe;

	if (!w->active || !t->ring_ok)
		return 0;
	w->removing = true;
	sqe = iothread_sqe(t, NULL);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_remove(sqe, (__u64)(uintptr_t)&w->task);
	while (w->active) {
		int ret = iothread_poll(t, UINT64_MAX);

		if (ret < 0)
			return ret;
	}
	return 0;
}

static void iothread_timer_done(struct io_task *task, int res, uint32_t flags)
{
	struct io_timer *tm = container_of(task, struct io_timer, task);

	tm->armed = false;
	if (res == -ETIME)
		tm->fire(tm);
}

int iothread_timer(struct iothread *t, struct io_timer *tm, uint64_t ns,
		   void (*fire)(struct io_timer *tm))
{
	struct io_uring_sqe *sqe;

	tm->task.complete = iothread_timer_done;
	tm->fire = fire;
	tm->ts.tv_sec = (long long)(ns / 1000000000ULL);
	tm->ts.tv_nsec = (long long)(ns % 1000000000ULL);
	sqe = iothread_sqe(t, &tm->task);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_timeout(sqe, &tm->ts, 0, 0);
	tm->armed = true;
	return 0;
}

static void *iothread_main(void *arg)
{
	struct iothread *t = arg;

	if (t->thread_init && t->thread_init(t->thread_init_opaque) < 0) {
		log_err("iothread: thread set-up failed; virtio devices stop working");
		return NULL;
	}
	while (!atomic_load(&t->stopping)) {
		int ret = iothread_poll(t, UINT64_MAX);

		if (ret < 0) {
			log_err("iothread: io_uring wait failed: %s", strerror(-ret));
			break;
		}
	}
	return NULL;
}

int iothread_start(struct iothread *t)
{
	int ret;

	atomic_store(&t->stopping, false);
	ret = pthread_create(&t->thread, NULL, iothread_main, t);
	if (ret)
		return -ret;
	t->running = true;
	return 0;
}

void iothread_stop(struct iothread *t)
{
	uint64_t one = 1;

	if (!t->running)
		return;
	if (write(t->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_err("iothread: cannot signal stop: %s", strerror(errno));
	pthread_join(t->thread, NULL);
	t->running = false;
}
