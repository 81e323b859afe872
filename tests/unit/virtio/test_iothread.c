/* The I/O thread: eventfd watches (multishot, re-armed), timers, batching. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "virtio/iothread.h"

static unsigned ready_calls, timer_calls, nop_calls;

static void on_ready(struct io_watch *w)
{
	uint64_t v;

	if (read(w->fd, &v, sizeof(v)) == sizeof(v))
		ready_calls += (unsigned)v;
}

static void on_timer(struct io_timer *tm)
{
	timer_calls++;
}

static void on_nop(struct io_task *task, int res, uint32_t flags)
{
	if (res == 0)
		nop_calls++;
}

static int last_res = 1;

static void on_any(struct io_task *task, int res, uint32_t flags)
{
	last_res = res;
}

static unsigned deferred_runs;

static void on_deferred(struct io_deferred *d)
{
	deferred_runs++;
}

static struct io_deferred deferred = {.run = on_deferred};

static struct iothread *the_thread;

/* Every completion asks for the same deferred work. */
static void on_nop_defer(struct io_task *task, int res, uint32_t flags)
{
	nop_calls++;
	iothread_defer(the_thread, &deferred);
}

static void kick(int fd)
{
	uint64_t one = 1;

	CHECK_EQ(write(fd, &one, sizeof(one)), sizeof(one));
}

int main(void)
{
	struct iothread t;
	struct io_watch w;
	struct io_timer tm;
	struct io_task nop = {.complete = on_nop};
	int fd, ret, i;
	uint64_t enters;

	log_set_level(LOG_ERR);
	ret = iothread_init(&t, 8);
	if (ret < 0)
		TEST_SKIP("io_uring unavailable here: %s", strerror(-ret));
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(iothread_watch(&t, &w, fd, on_ready), 0);
	CHECK_EQ(iothread_poll(&t, 0), 0);
	/* The same watch reports every kick: no re-arm needed in between. */
	for (i = 0; i < 3; i++) {
		kick(fd);
		for (int n_ = 0; n_ < 50 && ready_calls < (unsigned)i + 1; n_++)
			iothread_poll(&t, 100000000ULL);
	}
	CHECK_EQ(ready_calls, 3);
	CHECK(w.active);
	/* One-shot polls (kernels without multishot) are re-armed after each event. */
	{
		struct io_watch w2;
		int fd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		unsigned base = ready_calls;

		t.oneshot_poll = true;
		CHECK_EQ(iothread_watch(&t, &w2, fd2, on_ready), 0);
		for (i = 0; i < 3; i++) {
			kick(fd2);
			for (int n_ = 0; n_ < 50 && ready_calls < base + (unsigned)i + 1; n_++)
				iothread_poll(&t, 100000000ULL);
		}
		CHECK_EQ(ready_calls, base + 3);
		CHECK(w2.active);
		CHECK_EQ(iothread_unwatch(&t, &w2), 0);
		CHECK(!w2.active);
		close(fd2);
		t.oneshot_poll = false;
		ready_calls = base;
	}
	/* A timer fires once. */
	CHECK_EQ(iothread_timer(&t, &tm, 1000, on_timer), 0);
	for (int n_ = 0; n_ < 50 && timer_calls == 0; n_++)
		iothread_poll(&t, 100000000ULL);
	CHECK_EQ(timer_calls, 1);
	CHECK(!tm.armed);
	/* 20 NOPs through an 8-entry SQ: queued without a syscall until full. */
	enters = t.enters;
	for (i = 0; i < 20; i++) {
		struct io_uring_sqe *sqe = iothread_sqe(&t, &nop);

		CHECK(sqe != NULL);
		if (sqe)
			io_uring_prep_nop(sqe);
	}
	CHECK(t.enters - enters <= 2);
	for (int n_ = 0; n_ < 50 && nop_calls < 20; n_++)
		iothread_poll(&t, 100000000ULL);
	CHECK_EQ(nop_calls, 20);
	/* iothread_submit() enters the kernel only once @min SQEs are queued. */
	nop_calls = 0;
	enters = t.enters;
	for (i = 0; i < 3; i++)
		io_uring_prep_nop(iothread_sqe(&t, &nop));
	iothread_submit(&t, 4);
	CHECK_EQ(t.enters, enters);
	CHECK_EQ(io_uring_sq_ready(&t.ring), 3);
	iothread_submit(&t, 3);
	CHECK_EQ(t.enters, enters + 1);
	CHECK_EQ(io_uring_sq_ready(&t.ring), 0);
	iothread_submit(&t, 0); /* nothing queued: no syscall */
	CHECK_EQ(t.enters, enters + 1);
	for (int n_ = 0; n_ < 50 && nop_calls < 3; n_++)
		iothread_poll(&t, 100000000ULL);
	CHECK_EQ(nop_calls, 3);
	/* Eight completions in one batch run the deferred work once. */
	{
		struct io_task nd = {.complete = on_nop_defer};

		the_thread = &t;
		nop_calls = 0;
		for (i = 0; i < 8; i++)
			io_uring_prep_nop(iothread_sqe(&t, &nd));
		CHECK_EQ(io_uring_submit(&t.ring), 8);
		/* Let all eight complete before reaping them as one batch. */
		for (i = 0; i < 10000 && io_uring_cq_ready(&t.ring) < 8; i++)
			usleep(100);
		CHECK_EQ(iothread_poll(&t, 0), 8);
		CHECK_EQ(nop_calls, 8);
		CHECK_EQ(deferred_runs, 1);
	}
	/* Operations outside the allow-list are refused by the ring itself. */
	{
		struct io_task any = {.complete = on_any};
		struct io_uring_sqe *sqe = iothread_sqe(&t, &any);

		io_uring_prep_openat(sqe, AT_FDCWD, "/", O_RDONLY, 0);
		for (int n_ = 0; n_ < 50 && last_res == 1; n_++)
			iothread_poll(&t, 100000000ULL);
		CHECK_EQ(last_res, -EACCES);
	}
	/* On its own thread: kicks are served until stop. */
	CHECK_EQ(iothread_start(&t), 0);
	kick(fd);
	for (i = 0; i < 1000 && __atomic_load_n(&ready_calls, __ATOMIC_ACQUIRE) < 4; i++)
		usleep(1000);
	iothread_stop(&t);
	CHECK_EQ(ready_calls, 4);
	iothread_fini(&t);
	close(fd);
	return test_result("test_iothread");
}
