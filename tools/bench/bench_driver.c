/* The device benchmarks' guest driver plumbing: see bench_driver.h. */
#include "tools/bench/bench_driver.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"

uint64_t bdrv_clock(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The interrupt line as the guest's interrupt controller: wake the driver. */
static void bdrv_irq_set_level(void *opaque, unsigned gsi, bool level)
{
	struct bdrv *b = opaque;
	uint64_t one = 1;

	if (!level)
		return;
	atomic_fetch_add(&b->irqs, 1);
	if (write(b->irq_fd, &one, sizeof(one)) != sizeof(one))
		log_err("bench: interrupt lost: %s", strerror(errno));
}

static const struct irq_sink_ops bdrv_irq_ops = {.set_level = bdrv_irq_set_level};

int bdrv_init(struct bdrv *b, uint64_t ram_size)
{
	const struct gm_region layout = {.gpa = VDRV_RAM_GPA, .size = ram_size};
	int ret;

	b->irq_fd = eventfd(0, EFD_CLOEXEC);
	if (b->irq_fd < 0)
		return -errno;
	ret = guest_mem_alloc(&b->d.gm, &layout, 1);
	if (ret < 0)
		return ret;
	b->d.ram = b->d.gm.r[0].host;
	b->d.next = VDRV_RAM_GPA;
	ret = iothread_init(&b->io, 256);
	if (ret < 0)
		return ret;
	b->io_ok = true;
	return 0;
}

int bdrv_attach(struct bdrv *b, struct virtio_dev *dev, uint64_t features, struct vdrv_q *qs,
		unsigned nq, uint16_t qsize)
{
	const struct irq_line line = {.ops = &bdrv_irq_ops, .opaque = b};
	int ret;

	virtio_mmio_init(&b->m, dev, &line);
	b->mmio_ok = true;
	ret = virtio_kick_attach(&b->k, dev, &b->io);
	if (ret < 0)
		return ret;
	if ((vmmio_device_features(&b->m) & features) != features ||
	    !vmmio_negotiate(&b->m, features))
		return -ENOTSUP;
	for (unsigned q = 0; q < nq; q++) {
		vdrv_q_init(&b->d, &qs[q], qsize);
		vmmio_queue(&b->m, q, &qs[q]);
	}
	vmmio_driver_ok(&b->m);
	return 0;
}

int bdrv_start(struct bdrv *b)
{
	int ret = iothread_start(&b->io);

	b->io_started = ret == 0;
	return ret;
}

void bdrv_stop(struct bdrv *b)
{
	if (b->io_started)
		iothread_stop(&b->io);
	b->io_started = false;
	if (b->k.qs) {
		vmmio_wr(&b->m, VIRTIO_MMIO_STATUS, 0);
		virtio_kick_detach(&b->k);
	}
	if (b->mmio_ok)
		virtio_mmio_fini(&b->m);
	b->mmio_ok = false;
	if (b->io_ok)
		iothread_fini(&b->io);
	b->io_ok = false;
}

void bdrv_fini(struct bdrv *b)
{
	guest_mem_free(&b->d.gm);
	if (b->irq_fd >= 0)
		close(b->irq_fd);
	b->irq_fd = -1;
}

uint16_t bdrv_avail_event(struct bdrv *b, struct vdrv_q *q)
{
	uint16_t *ev = (uint16_t *)&vdrv_used(&b->d, q)->ring[q->num];

	return le16toh(__atomic_load_n(ev, __ATOMIC_RELAXED));
}

void bdrv_notify(struct bdrv *b, unsigned qi)
{
	vmmio_wr(&b->m, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
}

void bdrv_kick(struct bdrv *b, struct vdrv_q *q, unsigned qi, uint16_t old)
{
	/* The avail idx store must be visible before avail_event is read (§2.7.13.4). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vring_need_event(bdrv_avail_event(b, q), q->avail_idx, old))
		return;
	bdrv_notify(b, qi);
	b->kicks++;
}

bool bdrv_arm_irq(struct bdrv *b, struct vdrv_q *q)
{
	uint16_t *ev = &vdrv_avail(&b->d, q)->ring[q->num];

	__atomic_store_n(ev, htole16(q->last_used), __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return le16toh(__atomic_load_n(&vdrv_used(&b->d, q)->idx, __ATOMIC_ACQUIRE)) ==
	       q->last_used;
}

bool bdrv_halt_poll(struct bdrv *b, struct vdrv_q *q)
{
	const uint16_t *idx = &vdrv_used(&b->d, q)->idx;
	uint64_t end = bdrv_clock(CLOCK_MONOTONIC) + b->halt_poll_ns;

	while (b->halt_poll_ns) {
		for (unsigned i = 0; i < 64; i++) {
			if (le16toh(__atomic_load_n(idx, __ATOMIC_ACQUIRE)) != q->last_used) {
				b->halt_polls++;
				return true;
			}
			cpu_relax();
		}
		if (bdrv_clock(CLOCK_MONOTONIC) >= end)
			break;
		/* KVM stops polling when another task wants this CPU (an io-wq worker). */
		sched_yield();
	}
	return false;
}

bool bdrv_wait_irq(struct bdrv *b)
{
	struct pollfd pfd = {.fd = b->irq_fd, .events = POLLIN};
	uint64_t v, slept, t0 = bdrv_clock(CLOCK_MONOTONIC);
	int ret = poll(&pfd, 1, BDRV_WAIT_MS);

	/* KVM's halt-poll adaptation: see BDRV_HALT_POLL_NS. */
	slept = bdrv_clock(CLOCK_MONOTONIC) - t0;
	if (slept > BDRV_HALT_POLL_NS)
		b->halt_poll_ns = 0;
	else if (b->halt_poll_ns < BDRV_HALT_POLL_NS)
		b->halt_poll_ns = MIN(MAX(2 * b->halt_poll_ns, BDRV_HALT_POLL_START_NS),
				      BDRV_HALT_POLL_NS);
	if (ret <= 0)
		return false;
	if (read(b->irq_fd, &v, sizeof(v)) != sizeof(v))
		return true;
	vmmio_take_irq(&b->m); /* InterruptStatus + InterruptACK, as Linux's handler */
	return true;
}
