/*
 * The I/O thread: one io_uring that waits on eventfds (queue kicks, later
 * TAP fds and the API socket) and carries the devices' file I/O.
 *
 * Work arrives as completions; each completion's user_data is a struct
 * io_task whose handler runs on the I/O thread. Handlers queue more SQEs
 * with iothread_sqe() without entering the kernel; the loop submits the
 * whole batch with one io_uring_enter() when it next waits, so a burst of
 * guest requests costs one syscall, not one per request. A device that
 * must not hold a long burst back (blk) hands it over in slices with
 * iothread_submit().
 *
 * Every function here runs on the thread that owns the ring (the I/O
 * thread, or a test's main thread calling iothread_poll() itself), except
 * iothread_start()/iothread_stop().
 */
#ifndef VMM_VIRTIO_IOTHREAD_H
#define VMM_VIRTIO_IOTHREAD_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/compiler.h"

struct io_task {
	/* @res is the CQE result (negative errno on failure). */
	void (*complete)(struct io_task *task, int res, uint32_t cqe_flags);
};

/* Readiness of an fd: @ready runs each time it becomes readable. */
struct io_watch {
	struct io_task task;
	struct iothread *t;
	int fd;
	bool active;
	bool removing;
	void (*ready)(struct io_watch *w);
};

/* A one-shot timer. */
struct io_timer {
	struct io_task task;
	struct __kernel_timespec ts;
	bool armed;
	void (*fire)(struct io_timer *tm);
};

/*
 * Work run once after the batch of completions being handled, e.g. one
 * interrupt for many finished requests. Queuing it twice runs it once.
 */
struct io_deferred {
	void (*run)(struct io_deferred *d);
	struct io_deferred *next;
	bool queued;
};

struct iothread {
	struct io_uring ring;
	bool ring_ok;
	int stop_fd;
	struct io_watch stop_watch;
	_Atomic bool stopping;
	struct io_deferred *deferred;
	/* Kernels before 5.13 lack multishot poll: one-shot polls, re-armed. */
	bool oneshot_poll;
	pthread_t thread;
	bool running;
	/*
	 * Optional: runs first on the I/O thread (e.g. to install its seccomp
	 * filter); a negative return ends the thread before it touches the ring.
	 */
	int (*thread_init)(void *opaque);
	void *thread_init_opaque;
	/* Statistics: batches of io_uring_enter and completions handled. */
	uint64_t enters;
	uint64_t completions;
};

/*
 * Create the ring (@entries SQEs, rounded up to a power of two by the
 * kernel) and restrict it to the operations vmm uses
 * (IORING_REGISTER_RESTRICTIONS: io_uring operations bypass seccomp).
 * Returns negative errno, e.g. -ENOSYS or -EPERM where io_uring is off.
 */
int iothread_init(struct iothread *t, unsigned entries) must_check;
void iothread_fini(struct iothread *t);

/*
 * An SQE whose completion goes to @task. When the submission queue is full
 * the queued batch is submitted first, so this only fails (NULL) if the
 * kernel refuses to take any.
 */
struct io_uring_sqe *iothread_sqe(struct iothread *t, struct io_task *task);

/*
 * Hand the queued SQEs to the kernel now if at least @min (>= 1) are
 * queued, without waiting. What the kernel does not take (e.g. -EBUSY)
 * stays queued for the next iothread_poll().
 */
void iothread_submit(struct iothread *t, unsigned min);

/*
 * Submit what is queued, wait up to @timeout_ns (0: do not wait, UINT64_MAX:
 * forever) for a completion, and run every completion available. Returns
 * the number handled or negative errno.
 */
int iothread_poll(struct iothread *t, uint64_t timeout_ns);

/*
 * Watch @fd for readability (multishot poll, re-armed whenever the kernel
 * ends it). @w lives as long as the watch.
 */
int iothread_watch(struct iothread *t, struct io_watch *w, int fd,
		   void (*ready)(struct io_watch *w)) must_check;

/*
 * End a watch and wait until the kernel has let go of @w, so its memory
 * can be reused. Only on the ring's own thread (or with it stopped).
 */
int iothread_unwatch(struct iothread *t, struct io_watch *w) must_check;

/* Fire @tm->fire once after @ns nanoseconds. */
int iothread_timer(struct iothread *t, struct io_timer *tm, uint64_t ns,
		   void (*fire)(struct io_timer *tm)) must_check;

/* Run @d->run once the current batch of completions is handled (outside a batch: after the next
 * one). */
void iothread_defer(struct iothread *t, struct io_deferred *d);

/* Run the loop on a new thread until iothread_stop(). */
int iothread_start(struct iothread *t) must_check;
void iothread_stop(struct iothread *t);

#endif
