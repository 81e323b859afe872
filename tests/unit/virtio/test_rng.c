/* virtio-rng: buffers filled from getrandom, short fills under a rate limit. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"
#include "virtio/kick.h"
#include "virtio/rng.h"

#define FEATURES (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX))

struct rfx {
	struct vdrv d;
	struct vdrv_q dq;
	struct virtio_rng rng;
	struct virtio_mmio m;
};

static int rfx_init(struct rfx *x, uint64_t bw, struct iothread *io)
{
	int ret;

	memset(x, 0, sizeof(*x));
	CHECK_EQ(vdrv_init(&x->d), 0);
	ret = virtio_rng_init(&x->rng, &(struct virtio_rng_opts){.bw = bw}, &x->d.gm, io);
	if (ret < 0) {
		vdrv_fini(&x->d);
		return ret;
	}
	virtio_mmio_init(&x->m, &x->rng.dev, NULL);
	CHECK_EQ(vmmio_rd(&x->m, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	CHECK(vmmio_negotiate(&x->m, FEATURES));
	vdrv_q_init(&x->d, &x->dq, 16);
	vmmio_queue(&x->m, 0, &x->dq);
	vmmio_driver_ok(&x->m);
	return 0;
}

static void rfx_fini(struct rfx *x)
{
	virtio_mmio_fini(&x->m);
	virtio_rng_fini(&x->rng);
	vdrv_fini(&x->d);
}

static bool nonzero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return true;
	return false;
}

/* Without an I/O thread QueueNotify runs the device at once. */
static void test_fill(void)
{
	struct rfx x;
	uint64_t a, b, c;
	uint32_t id = ~0u, len = ~0u;
	uint16_t h1, h2;

	CHECK_EQ(rfx_init(&x, 0, NULL), 0);
	a = vdrv_alloc(&x.d, 64, 8);
	b = vdrv_alloc(&x.d, 64, 8);
	c = vdrv_alloc(&x.d, 64, 8);
	h1 = vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{a, 64, true}}, 1);
	h2 = vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{b, 16, true}, {b + 16, 48, true}}, 2);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(id, h1);
	CHECK_EQ(len, 64);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(id, h2);
	CHECK_EQ(len, 64);
	CHECK(nonzero(vdrv_host(&x.d, a), 64));
	CHECK(nonzero(vdrv_host(&x.d, b + 16), 48));
	CHECK(memcmp(vdrv_host(&x.d, a), vdrv_host(&x.d, b), 64) != 0);
	CHECK_EQ(vmmio_take_irq(&x.m), VIRTIO_MMIO_INT_VRING);
	/* A readable-only buffer gets nothing written, counted as a guest error. */
	vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{c, 64, false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(len, 0);
	CHECK(!nonzero(vdrv_host(&x.d, c), 64));
	CHECK_EQ(x.rng.dev.guest_errors, 1);
	CHECK_EQ(x.rng.bytes, 128);
	/* A bad chain: NEEDS_RESET, no crash. */
	vdrv_set_desc(vdrv_desc(&x.d, &x.dq, 0), 0x10, 64, VRING_DESC_F_WRITE, 0);
	vdrv_publish(&x.d, &x.dq, 0);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	rfx_fini(&x);
}

/* bw=100 B/s: 64 + 36 bytes at once, then the timer lets more through. */
static void test_rate_limit(void)
{
	struct iothread io;
	struct virtio_kick k;
	struct rfx x;
	uint64_t a;
	uint32_t id = ~0u, len = ~0u;
	int ret, i;

	ret = iothread_init(&io, 16);
	if (ret < 0) {
		fprintf(stderr, "io_uring unavailable (%s): rate limit part skipped\n",
			strerror(-ret));
		return;
	}
	CHECK_EQ(rfx_init(&x, 100, NULL), -EINVAL);
	CHECK_EQ(rfx_init(&x, 100, &io), 0);
	CHECK_EQ(virtio_kick_attach(&k, &x.rng.dev, &io), 0);
	a = vdrv_alloc(&x.d, 64, 8);
	for (i = 0; i < 3; i++)
		vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{a, 64, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int n_ = 0; n_ < 50 && x.rng.bytes < 100; n_++)
		iothread_poll(&io, 100000000ULL);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(len, 64);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(len, 36);
	/* The third request waits for tokens, then is served by the timer. */
	for (i = 0; i < 100 && !vdrv_get_used(&x.d, &x.dq, &id, &len); i++)
		iothread_poll(&io, 100000000ULL);
	CHECK(i < 100);
	CHECK(len >= 1 && len <= 64);
	virtio_kick_detach(&k);
	rfx_fini(&x);
	iothread_fini(&io);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_fill();
	test_rate_limit();
	return test_result("test_rng");
}
