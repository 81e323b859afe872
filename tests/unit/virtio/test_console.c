/* virtio-console over pipes: input reaches receive buffers, output the pipe. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"
#include "virtio/console.h"
#include "virtio/kick.h"

struct cfx {
	struct vdrv d;
	struct vdrv_q rxq, txq;
	struct iothread io;
	struct virtio_console con;
	struct virtio_mmio m;
	struct virtio_kick k;
	int in[2], out[2];
};

static int cfx_init(struct cfx *x, bool nonblock_in)
{
	memset(x, 0, sizeof(*x));
	if (iothread_init(&x->io, 32) < 0)
		return -1;
	CHECK_EQ(pipe2(x->in, O_CLOEXEC), 0);
	CHECK_EQ(pipe2(x->out, O_CLOEXEC), 0);
	if (nonblock_in)
		CHECK_EQ(fcntl(x->in[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_EQ(vdrv_init(&x->d), 0);
	CHECK_EQ(virtio_console_init(
		     &x->con, &(struct virtio_console_opts){.in_fd = x->in[0], .out_fd = x->out[1]},
		     &x->d.gm, &x->io),
		 0);
	virtio_mmio_init(&x->m, &x->con.dev, NULL);
	CHECK_EQ(virtio_kick_attach(&x->k, &x->con.dev, &x->io), 0);
	CHECK_EQ(vmmio_rd(&x->m, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	CHECK(vmmio_negotiate(&x->m, vmmio_device_features(&x->m)));
	vdrv_q_init(&x->d, &x->rxq, 16);
	vdrv_q_init(&x->d, &x->txq, 16);
	vmmio_queue(&x->m, 0, &x->rxq);
	vmmio_queue(&x->m, 1, &x->txq);
	vmmio_driver_ok(&x->m);
	return 0;
}

static void cfx_fini(struct cfx *x)
{
	virtio_kick_detach(&x->k);
	iothread_fini(&x->io);
	virtio_mmio_fini(&x->m);
	virtio_console_fini(&x->con);
	for (int i = 0; i < 2; i++) {
		if (x->in[i] >= 0)
			close(x->in[i]);
		close(x->out[i]);
	}
	vdrv_fini(&x->d);
}

static bool cfx_used(struct cfx *x, struct vdrv_q *q, uint32_t *id, uint32_t *len)
{
	for (int i = 0; i < 50; i++) {
		if (vdrv_get_used(&x->d, q, id, len))
			return true;
		iothread_poll(&x->io, 20000000ULL);
	}
	return false;
}

static void test_io(bool nonblock)
{
	struct cfx x;
	uint64_t rx, tx;
	uint32_t id = ~0u, len = ~0u;
	char got[64] = {0};
	uint16_t head;

	if (cfx_init(&x, nonblock) < 0)
		TEST_SKIP("io_uring unavailable here");
	/* Output: two descriptors become one write on the pipe. */
	tx = vdrv_alloc(&x.d, 16, 8);
	memcpy(vdrv_host(&x.d, tx), "hello, world\n", 13);
	head = vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{tx, 7, false}, {tx + 7, 6, false}}, 2);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(cfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, 0);
	CHECK_EQ(read(x.out[0], got, sizeof(got)), 13);
	CHECK(memcmp(got, "hello, world\n", 13) == 0);
	/* Input: the buffer waits until bytes arrive, then holds exactly those. */
	rx = vdrv_alloc(&x.d, 32, 8);
	head = vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{rx, 32, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 3; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK(!vdrv_get_used(&x.d, &x.rxq, &id, &len));
	CHECK_EQ(write(x.in[1], "ls\n", 3), 3);
	CHECK(cfx_used(&x, &x.rxq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, 3);
	CHECK(memcmp(vdrv_host(&x.d, rx), "ls\n", 3) == 0);
	/* End of input: a posted buffer stays with the device, unused. */
	vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{rx, 32, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	close(x.in[1]);
	x.in[1] = -1;
	for (int i = 0; i < 10 && !x.con.in_eof; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK(x.con.in_eof);
	CHECK(!vdrv_get_used(&x.d, &x.rxq, &id, &len));
	/* A writable buffer on transmitq is refused and counted. */
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{tx, 8, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(cfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(x.con.dev.guest_errors, 1);
	CHECK_EQ(x.con.tx_bytes, 13);
	CHECK_EQ(x.con.rx_bytes, 3);
	cfx_fini(&x);
}

/* 64 KiB of output through a 4 KiB pipe: taken in pieces, all in order. */
static void test_big_write(void)
{
	static uint8_t want[65536], got[65536];
	struct cfx x;
	uint64_t tx;
	uint32_t id = ~0u, len = ~0u;
	size_t have = 0;
	bool used = false;

	if (cfx_init(&x, false) < 0)
		return;
	CHECK(fcntl(x.out[1], F_SETPIPE_SZ, 4096) >= 4096);
	CHECK_EQ(fcntl(x.out[0], F_SETFL, O_NONBLOCK), 0);
	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i * 31 + (i >> 8));
	tx = vdrv_alloc(&x.d, sizeof(want), 16);
	memcpy(vdrv_host(&x.d, tx), want, sizeof(want));
	vdrv_add(&x.d, &x.txq,
		 (struct vdrv_buf[]){{tx, 10000, false}, {tx + 10000, sizeof(want) - 10000, false}},
		 2);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	for (int i = 0; i < 2000 && (have < sizeof(want) || !used); i++) {
		ssize_t n;

		iothread_poll(&x.io, 1000000ULL);
		n = read(x.out[0], got + have, sizeof(got) - have);
		if (n > 0)
			have += (size_t)n;
		used |= vdrv_get_used(&x.d, &x.txq, &id, &len);
	}
	CHECK_EQ(have, sizeof(want));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	CHECK(used);
	CHECK_EQ(x.con.tx_bytes, sizeof(want));
	cfx_fini(&x);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_io(false);
	test_io(true); /* a non-blocking input fd: poll, then read */
	test_big_write();
	return test_result("test_console");
}
