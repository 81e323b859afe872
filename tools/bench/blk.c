/*
 * Device-side virtio-blk benchmark. The main thread plays the guest driver
 * over an anonymous guest RAM mapping (guest_mem_alloc, as the machine
 * does): it keeps a queue full of requests written as indirect descriptor
 * chains (what Linux's virtio-blk does when INDIRECT_DESC is offered),
 * notifies through the MMIO QueueNotify register, which the kick eventfd
 * carries to the real I/O thread, and waits for the device's interrupt
 * through a fake interrupt line as a KVM vCPU does: it polls its used ring
 * for a while (KVM's adaptive halt polling, bench_driver.h) and then
 * sleeps. Everything between the two is vmm's own
 * code: virtio/mmio.c, kick.c, iothread.c (io_uring), queue.c and blk.c.
 *
 * Usage:
 *   bench_blk fill PATH MIB
 *       create PATH with MIB MiB of pseudo-random data (real blocks)
 *   bench_blk run PATH randread|write direct|buffered SECONDS
 *       randread: 4 KiB random reads at queue depth 32;
 *       write: 128 KiB sequential writes at queue depth 8.
 *       Prints one line of key=value pairs for tools/bench/blk.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "tools/bench/bench_driver.h"
#include "virtio/blk.h"

/* Rings and headers live in vdrv's bump area (its first 4 MiB), data above. */
#define BB_RAM_SIZE  (64ULL * MiB)
#define BB_DATA_GPA  (VDRV_RAM_GPA + VDRV_RAM_SIZE)
#define BB_QSIZE     256u
#define BB_MAX_DEPTH 64u
#define BB_NO_STATUS 0xee

struct bb_pattern {
	const char *name;
	uint32_t type;
	uint32_t bs;
	unsigned depth;
	bool random;
};

static const struct bb_pattern bb_patterns[] = {
    {"randread", VIRTIO_BLK_T_IN, 4096, 32, true},
    {"write", VIRTIO_BLK_T_OUT, 128 * 1024, 8, false},
};

struct bb_slot {
	uint64_t hdr, st, data, table;
};

struct bb_result {
	double secs;
	uint64_t done;
	uint64_t io_cpu_ns;  /* the I/O thread */
	uint64_t dev_cpu_ns; /* the whole process but the driver thread: + io-wq workers */
};

struct bb {
	struct bdrv bd;
	struct vdrv_q q;
	struct virtio_blk blk;
	const struct bb_pattern *p;
	struct bb_slot slot[BB_MAX_DEPTH];
	uint64_t file_size;
	uint64_t seq_off;
	uint64_t rng;
	unsigned inflight;
	bool counting;
	uint64_t done, errors, lost_kicks;
};

static uint64_t bb_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Descriptor tables are written once; a request only changes its header. */
static void bb_slots_init(struct bb *b)
{
	bool in = b->p->type == VIRTIO_BLK_T_IN;
	unsigned i;

	for (i = 0; i < b->p->depth; i++) {
		struct bb_slot *s = &b->slot[i];
		struct vring_desc *t;

		s->hdr = vdrv_alloc(&b->bd.d, sizeof(struct virtio_blk_outhdr), 16);
		s->st = vdrv_alloc(&b->bd.d, 1, 1);
		s->table = vdrv_alloc(&b->bd.d, 3 * sizeof(struct vring_desc), 16);
		s->data = BB_DATA_GPA + (uint64_t)i * b->p->bs;
		memset(vdrv_host(&b->bd.d, s->data), 0x5a + i, b->p->bs);
		t = vdrv_host(&b->bd.d, s->table);
		vdrv_set_desc(&t[0], s->hdr, sizeof(struct virtio_blk_outhdr), VRING_DESC_F_NEXT,
			      1);
		vdrv_set_desc(&t[1], s->data, b->p->bs,
			      (in ? VRING_DESC_F_WRITE : 0) | VRING_DESC_F_NEXT, 2);
		vdrv_set_desc(&t[2], s->st, 1, VRING_DESC_F_WRITE, 0);
		/* Slot i always uses head descriptor i: used.id names the slot. */
		vdrv_set_desc(vdrv_desc(&b->bd.d, &b->q, (uint16_t)i), s->table,
			      3 * sizeof(struct vring_desc), VRING_DESC_F_INDIRECT, 0);
	}
}

static uint64_t bb_next_off(struct bb *b)
{
	uint64_t off;

	if (b->p->random)
		return (bb_xorshift(&b->rng) % (b->file_size / b->p->bs)) * b->p->bs;
	if (b->seq_off + b->p->bs > b->file_size)
		b->seq_off = 0;
	off = b->seq_off;
	b->seq_off += b->p->bs;
	return off;
}

static void bb_submit(struct bb *b, unsigned i)
{
	struct bb_slot *s = &b->slot[i];
	struct virtio_blk_outhdr *h = vdrv_host(&b->bd.d, s->hdr);

	h->type = htole32(b->p->type);
	h->ioprio = 0;
	h->sector = htole64(bb_next_off(b) / 512);
	*(uint8_t *)vdrv_host(&b->bd.d, s->st) = BB_NO_STATUS;
	vdrv_publish(&b->bd.d, &b->q, (uint16_t)i);
	b->inflight++;
}

/* Take every used request; resubmit its slot when @refill. */
static unsigned bb_reap(struct bb *b, bool refill)
{
	uint32_t id, len;
	unsigned n = 0;

	while (vdrv_get_used(&b->bd.d, &b->q, &id, &len)) {
		if (id >= b->p->depth) {
			b->errors++;
			continue;
		}
		if (*(uint8_t *)vdrv_host(&b->bd.d, b->slot[id].st) != VIRTIO_BLK_S_OK)
			b->errors++;
		b->inflight--;
		b->done += b->counting;
		n++;
		if (refill)
			bb_submit(b, id);
	}
	return n;
}

/*
 * Sleep until the interrupt. If none comes and the device has not taken
 * every available request, a notification was lost: count it and kick again.
 */
static void bb_wait_irq(struct bb *b)
{
	if (!bdrv_wait_irq(&b->bd) && bdrv_avail_event(&b->bd, &b->q) != b->q.avail_idx) {
		b->lost_kicks++;
		bdrv_notify(&b->bd, 0);
	}
}

static void bb_snapshot(struct bb *b, struct bb_result *r, uint64_t t0, uint64_t io0,
			uint64_t proc0, uint64_t drv0, clockid_t io_clock)
{
	r->secs = (double)(bdrv_clock(CLOCK_MONOTONIC) - t0) / 1e9;
	r->done = b->done;
	r->io_cpu_ns = bdrv_clock(io_clock) - io0;
	r->dev_cpu_ns = (bdrv_clock(CLOCK_PROCESS_CPUTIME_ID) - proc0) -
			(bdrv_clock(CLOCK_THREAD_CPUTIME_ID) - drv0);
}

static int bb_run(struct bb *b, double seconds, struct bb_result *r)
{
	clockid_t io_clock;
	uint64_t t0, end, io0, proc0, drv0;
	uint16_t old;
	unsigned i;

	if (pthread_getcpuclockid(b->bd.io.thread, &io_clock))
		return -EINVAL;
	t0 = bdrv_clock(CLOCK_MONOTONIC);
	end = t0 + (uint64_t)(seconds * 1e9);
	io0 = bdrv_clock(io_clock);
	proc0 = bdrv_clock(CLOCK_PROCESS_CPUTIME_ID);
	drv0 = bdrv_clock(CLOCK_THREAD_CPUTIME_ID);
	b->counting = true;
	old = b->q.avail_idx;
	for (i = 0; i < b->p->depth; i++)
		bb_submit(b, i);
	bdrv_kick(&b->bd, &b->q, 0, old);
	while (b->inflight) {
		if (b->counting && bdrv_clock(CLOCK_MONOTONIC) >= end) {
			bb_snapshot(b, r, t0, io0, proc0, drv0, io_clock);
			b->counting = false; /* drain what is in flight, uncounted */
		}
		old = b->q.avail_idx;
		if (bb_reap(b, b->counting)) {
			bdrv_kick(&b->bd, &b->q, 0, old);
			continue;
		}
		if (bdrv_arm_irq(&b->bd, &b->q) && !bdrv_halt_poll(&b->bd, &b->q))
			bb_wait_irq(b);
	}
	return 0;
}

static int bb_setup(struct bb *b, const char *path, bool direct)
{
	const struct virtio_blk_opts o = {.path = path, .direct = direct, .id = "bench"};
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
			VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) |
			VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |
			VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	int ret;

	ret = bdrv_init(&b->bd, BB_RAM_SIZE);
	if (ret < 0)
		return ret;
	ret = virtio_blk_init(&b->blk, &o, &b->bd.d.gm, &b->bd.io);
	if (ret < 0)
		return ret;
	b->file_size = b->blk.sectors * 512;
	if (b->file_size < (uint64_t)b->p->bs * b->p->depth)
		return -EINVAL;
	ret = bdrv_attach(&b->bd, &b->blk.dev, want, &b->q, 1, BB_QSIZE);
	if (ret < 0)
		return ret;
	bb_slots_init(b);
	return bdrv_start(&b->bd);
}

static void bb_teardown(struct bb *b)
{
	bdrv_stop(&b->bd);
	if (b->blk.qs)
		virtio_blk_fini(&b->blk);
	bdrv_fini(&b->bd);
}

static void bb_print(const struct bb *b, const struct bb_result *r)
{
	double n = r->done ? (double)r->done : 1;

	printf("iops=%.0f mbps=%.1f io_us=%.2f dev_us=%.2f reqs=%llu secs=%.3f irqs=%llu "
	       "kicks=%llu lost_kicks=%llu errors=%llu enters=%llu halt_polls=%llu\n",
	       (double)r->done / r->secs, (double)r->done * b->p->bs / r->secs / 1e6,
	       (double)r->io_cpu_ns / n / 1e3, (double)r->dev_cpu_ns / n / 1e3,
	       (unsigned long long)r->done, r->secs, (unsigned long long)atomic_load(&b->bd.irqs),
	       (unsigned long long)b->bd.kicks, (unsigned long long)b->lost_kicks,
	       (unsigned long long)b->errors, (unsigned long long)b->bd.io.enters,
	       (unsigned long long)b->bd.halt_polls);
}

static int bb_cmd_run(const char *path, const char *pattern, const char *mode, double seconds)
{
	static struct bb b;
	struct bb_result r = {0};
	unsigned i;
	int ret;

	b.bd.irq_fd = -1;
	b.rng = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < ARRAY_SIZE(bb_patterns); i++)
		if (!strcmp(pattern, bb_patterns[i].name))
			b.p = &bb_patterns[i];
	if (!b.p || (strcmp(mode, "direct") && strcmp(mode, "buffered")) || !(seconds > 0)) {
		fprintf(stderr, "bench_blk: bad pattern, mode or duration\n");
		return 2;
	}
	ret = bb_setup(&b, path, !strcmp(mode, "direct"));
	if (ret == 0)
		ret = bb_run(&b, seconds, &r);
	bb_teardown(&b);
	if (ret < 0) {
		fprintf(stderr, "bench_blk: set-up failed: %s\n", strerror(-ret));
		return 1;
	}
	bb_print(&b, &r);
	if (b.errors || b.lost_kicks)
		fprintf(stderr, "bench_blk: %llu requests failed, %llu notifications lost\n",
			(unsigned long long)b.errors, (unsigned long long)b.lost_kicks);
	return b.errors ? 1 : 0;
}

/* Real blocks everywhere, so reads measure the disk and not a hole. */
static int bb_cmd_fill(const char *path, unsigned long mib)
{
	static uint64_t buf[MiB / sizeof(uint64_t)];
	uint64_t s = 0x2545f4914f6cdd1dULL;
	unsigned long i;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || mib == 0) {
		fprintf(stderr, "bench_blk: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = 0; i < mib; i++) {
		for (size_t j = 0; j < ARRAY_SIZE(buf); j++)
			buf[j] = bb_xorshift(&s);
		if (pwrite(fd, buf, sizeof(buf), (off_t)(i * MiB)) != (ssize_t)sizeof(buf)) {
			fprintf(stderr, "bench_blk: write %s: %s\n", path, strerror(errno));
			close(fd);
			return 1;
		}
	}
	if (fdatasync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "bench_blk: sync %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return bb_cmd_fill(argv[2], strtoul(argv[3], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "run"))
		return bb_cmd_run(argv[2], argv[3], argv[4], strtod(argv[5], NULL));
	fprintf(stderr, "usage: bench_blk fill PATH MIB\n"
			"       bench_blk run PATH randread|write direct|buffered SECONDS\n");
	return 2;
}
