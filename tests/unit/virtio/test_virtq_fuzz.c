/*
 * Random descriptor tables and avail rings, many rounds: virtq_pop() must
 * answer 1, 0, -EBADMSG or -EIO, and every iovec it yields must lie in
 * guest RAM. Deterministic (fixed seed); run under ASan it shows any stray
 * access.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vdrv.h"
#include "virtio/queue.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible without libc's rand(). */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Mostly plausible values, sometimes wild ones. */
static uint64_t rnd_addr(uint64_t base, uint64_t size)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return base + size - (rnd() % 64);
	case 2:
		return base - (rnd() % 64);
	default:
		return base + rnd() % size;
	}
}

static uint32_t rnd_len(void)
{
	switch (rnd() % 8) {
	case 0:
		return (uint32_t)rnd();
	case 1:
		return 0;
	default:
		return (uint32_t)(rnd() % 8192);
	}
}

static uint16_t rnd_flags(void)
{
	return (uint16_t)(rnd() % 8 == 0 ? rnd() : rnd() % 8);
}

static bool in_ram(const struct vdrv *d, const struct iovec *iov)
{
	const uint8_t *p = iov->iov_base;

	return p >= d->ram && iov->iov_len <= VDRV_RAM_SIZE &&
	       p + iov->iov_len <= d->ram + VDRV_RAM_SIZE && iov->iov_len > 0;
}

static void one_round(struct vdrv *d, unsigned num, uint64_t features, unsigned *counts)
{
	static _Atomic uint64_t errors;
	struct iovec iov[32];
	struct virtq_req req = {.iov = iov, .iov_max = ARRAY_SIZE(iov)};
	struct vdrv_q dq;
	struct virtq q;
	uint64_t tables;
	unsigned i, n;
	int ret;

	d->next = VDRV_RAM_GPA;
	vdrv_q_init(d, &dq, (uint16_t)num);
	tables = vdrv_alloc(d, 16 * 64, 16);
	q = (struct virtq){
	    .num = (uint16_t)num, .desc_gpa = dq.desc, .avail_gpa = dq.avail, .used_gpa = dq.used};
	if (virtq_enable(&q, &d->gm, features, 256, &errors) != 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < num; i++) {
		uint64_t a = rnd() % 4 == 0 ? tables + 16 * (rnd() % 64)
					    : rnd_addr(VDRV_RAM_GPA, VDRV_RAM_SIZE);
		uint32_t l = rnd() % 4 == 0 ? (uint32_t)(16 * (rnd() % 70)) : rnd_len();

		vdrv_set_desc(vdrv_desc(d, &dq, (uint16_t)i), a, l, rnd_flags(),
			      (uint16_t)(rnd() % 3 == 0 ? rnd() : rnd() % num));
	}
	/* Indirect tables full of random entries as well. */
	for (i = 0; i < 64; i++)
		vdrv_set_desc((struct vring_desc *)vdrv_host(d, tables) + i,
			      rnd_addr(VDRV_RAM_GPA, VDRV_RAM_SIZE), rnd_len(), rnd_flags(),
			      (uint16_t)(rnd() % 80));
	n = (unsigned)(rnd() % (num + 2));
	for (i = 0; i < n; i++)
		vdrv_publish(d, &dq, (uint16_t)(rnd() % 5 == 0 ? rnd() : rnd() % num));
	if (rnd() % 16 == 0)
		vdrv_avail(d, &dq)->idx = (uint16_t)rnd();
	for (i = 0; i < num + 4; i++) {
		ret = virtq_pop(&q, &req);
		if (ret == 1) {
			counts[0]++;
			for (unsigned k = 0; k < req.n_out + req.n_in; k++)
				if (!in_ram(d, &iov[k])) {
					CHECK(0);
					break;
				}
			virtq_push(&q, req.head, req.in_len);
		} else if (ret == -EBADMSG || ret == -EIO) {
			counts[1]++;
			CHECK(q.broken);
			break;
		} else {
			CHECK_EQ(ret, 0);
			break;
		}
	}
}

int main(void)
{
	struct vdrv d;
	unsigned counts[2] = {0, 0};
	unsigned round;

	log_set_level(LOG_ERR); /* thousands of expected guest errors stay quiet */
	CHECK_EQ(vdrv_init(&d), 0);
	for (round = 0; round < 20000; round++) {
		unsigned num = 1u << (rnd() % 7);
		uint64_t f = rnd() % 2 ? (1ULL << VIRTIO_RING_F_INDIRECT_DESC) : 0;

		one_round(&d, num, f | (rnd() % 2 ? (1ULL << VIRTIO_RING_F_EVENT_IDX) : 0), counts);
	}
	/* Both outcomes must have been exercised for the run to mean anything. */
	CHECK(counts[0] > 100);
	CHECK(counts[1] > 100);
	fprintf(stderr, "popped %u chains, refused %u\n", counts[0], counts[1]);
	vdrv_fini(&d);
	return test_result("test_virtq_fuzz");
}
