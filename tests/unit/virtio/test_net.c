/*
 * virtio-net without a TAP: the backend is one end of a SOCK_SEQPACKET
 * socketpair carrying "vnet header + frame" packets like an IFF_VNET_HDR
 * TAP; the test holds the other end and plays the network.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"
#include "virtio/kick.h"
#include "virtio/net.h"

#define HDR VIRTIO_NET_HDR_LEN

struct nfx {
	struct vdrv d;
	struct vdrv_q rxq, txq;
	struct iothread io;
	struct virtio_net net;
	struct virtio_mmio m;
	struct virtio_kick k;
	int peer;
	int dev_fd;
};

static int nfx_init_opts(struct nfx *x, uint64_t drop_features, struct virtio_net_opts o)
{
	int sv[2], ret;

	memset(x, 0, sizeof(*x));
	ret = iothread_init(&x->io, 64);
	if (ret < 0)
		return ret;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	o.fds[0] = x->dev_fd = sv[0];
	x->peer = sv[1];
	CHECK_EQ(vdrv_init(&x->d), 0);
	CHECK_EQ(virtio_net_init(&x->net, &o, &x->d.gm, &x->io), 0);
	virtio_mmio_init(&x->m, &x->net.dev, NULL);
	CHECK_EQ(virtio_kick_attach(&x->k, &x->net.dev, &x->io), 0);
	CHECK(vmmio_negotiate(&x->m, vmmio_device_features(&x->m) & ~drop_features));
	vdrv_q_init(&x->d, &x->rxq, 16);
	vdrv_q_init(&x->d, &x->txq, 16);
	vmmio_queue(&x->m, 0, &x->rxq);
	vmmio_queue(&x->m, 1, &x->txq);
	vmmio_driver_ok(&x->m);
	return 0;
}

static int nfx_init(struct nfx *x, uint64_t drop_features)
{
	return nfx_init_opts(
	    x, drop_features,
	    (struct virtio_net_opts){.mac_set = true, .mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56}});
}

static void nfx_fini(struct nfx *x)
{
	/* The ring goes first, taking the device's pending read with it. */
	virtio_kick_detach(&x->k);
	iothread_fini(&x->io);
	virtio_mmio_fini(&x->m);
	virtio_net_fini(&x->net);
	close(x->dev_fd);
	if (x->peer >= 0)
		close(x->peer);
	vdrv_fini(&x->d);
}

/* Run the I/O thread until @q has a used entry (or give up). */
static bool nfx_used(struct nfx *x, struct vdrv_q *q, uint32_t *id, uint32_t *len)
{
	for (int i = 0; i < 50; i++) {
		if (vdrv_get_used(&x->d, q, id, len))
			return true;
		iothread_poll(&x->io, 100000000ULL);
	}
	return false;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed ^ (i * 13));
}

static void test_config(void)
{
	struct nfx x;
	uint8_t mac[6];

	if (nfx_init(&x, 0) < 0)
		TEST_SKIP("io_uring unavailable here");
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG, 1), 0x52);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG + 5, 1), 0x56);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG + 6, 2), VIRTIO_NET_S_LINK_UP);
	CHECK(x.net.dev.driver_features & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF));
	CHECK(x.net.dev.driver_features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4));
	CHECK_EQ(virtio_net_parse_mac("52:54:00:ab:cd:ef", mac), 0);
	CHECK_EQ(mac[5], 0xef);
	CHECK_EQ(virtio_net_parse_mac("53:54:00:ab:cd:ef", mac), -EINVAL);
	CHECK_EQ(virtio_net_parse_mac("52:54:00:ab:cd", mac), -EINVAL);
	CHECK_EQ(virtio_net_parse_mac("52:54:00:ab:cd:ef:", mac), -EINVAL);
	nfx_fini(&x);
}

static void test_tx(void)
{
	static uint8_t frame[HDR + 1500], got[HDR + 2000];
	struct nfx x;
	uint64_t a, b;
	uint32_t id = ~0u, len = ~0u;
	uint16_t head;

	if (nfx_init(&x, 0) < 0)
		return;
	fill(frame, sizeof(frame), 1);
	memset(frame, 0, HDR); /* no offloads asked for */
	a = vdrv_alloc(&x.d, sizeof(frame), 16);
	b = vdrv_alloc(&x.d, 64, 16);
	memcpy(vdrv_host(&x.d, a), frame, sizeof(frame));
	/* Header and frame in separate descriptors, the frame split in two. */
	head = vdrv_add(&x.d, &x.txq,
			(struct vdrv_buf[]){
			    {a, HDR, false}, {a + HDR, 700, false}, {a + HDR + 700, 800, false}},
			3);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, 0);
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), sizeof(frame));
	CHECK(memcmp(got, frame, sizeof(frame)) == 0);
	/* A frame handed over just before shutdown still goes out (drain). */
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, HDR + 30, false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	for (int i = 0; i < 100 && !x.net.pairs[0].tx_inflight; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK_EQ(x.net.pairs[0].tx_inflight, 1);
	CHECK_EQ(virtio_net_drain(&x.net, 10000000000ULL), 0);
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), HDR + 30);
	CHECK(vdrv_get_used(&x.d, &x.txq, &id, &len));
	/* Through an indirect table too. */
	vdrv_add_indirect(&x.d, &x.txq, (struct vdrv_buf[]){{a, HDR + 60, false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), HDR + 60);
	CHECK_EQ(x.net.tx_packets, 3);
	/* A header-only chain and one with a writable buffer: refused, not sent. */
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, 8, false}}, 1);
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, HDR + 60, false}, {b, 64, true}}, 2);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), -1);
	CHECK_EQ(x.net.dev.guest_errors, 2);
	/* Offload requests: TSO4 with checksum passes, UFO and junk flags do not. */
	{
		struct virtio_net_hdr_v1 *h = vdrv_host(&x.d, a);

		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, HDR + 60, false}}, 1);
		vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
		CHECK(nfx_used(&x, &x.txq, &id, &len));
		CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), HDR + 60);
		h->gso_type = VIRTIO_NET_HDR_GSO_UDP;
		vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, HDR + 60, false}}, 1);
		h = NULL;
		vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
		CHECK(nfx_used(&x, &x.txq, &id, &len));
		CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), -1);
		CHECK_EQ(x.net.dev.guest_errors, 3);
		memset(vdrv_host(&x.d, a), 0, HDR);
	}
	CHECK(virtio_dev_live(&x.net.dev));
	nfx_fini(&x);
}

static void send_pkt(struct nfx *x, const uint8_t *p, size_t n)
{
	CHECK_EQ(send(x->peer, p, n, 0), (ssize_t)n);
}

static void test_rx_merge(void)
{
	static uint8_t pkt[HDR + 600];
	struct nfx x;
	uint64_t buf[4];
	uint32_t id = ~0u, len = ~0u;
	uint16_t head[4];
	struct virtio_net_hdr_v1 *h;
	unsigned i;

	if (nfx_init(&x, 0) < 0)
		return;
	/* A packet before any buffer is posted waits for one. */
	fill(pkt, sizeof(pkt), 5);
	memset(pkt, 0, HDR);
	send_pkt(&x, pkt, sizeof(pkt));
	for (i = 0; i < 5; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK(!vdrv_get_used(&x.d, &x.rxq, &id, &len));
	/* Four 256-byte buffers: the 612-byte packet takes three (§5.1.6.4). */
	for (i = 0; i < 4; i++) {
		buf[i] = vdrv_alloc(&x.d, 256, 16);
		head[i] = vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{buf[i], 256, true}}, 1);
	}
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(nfx_used(&x, &x.rxq, &id, &len));
	CHECK_EQ(id, head[0]);
	CHECK_EQ(len, 256);
	CHECK(vdrv_get_used(&x.d, &x.rxq, &id, &len));
	CHECK_EQ(len, 256);
	CHECK(vdrv_get_used(&x.d, &x.rxq, &id, &len));
	CHECK_EQ(id, head[2]);
	CHECK_EQ(len, 100);
	h = vdrv_host(&x.d, buf[0]);
	CHECK_EQ(le16toh(h->num_buffers), 3);
	CHECK(memcmp((uint8_t *)vdrv_host(&x.d, buf[0]) + HDR, pkt + HDR, 256 - HDR) == 0);
	CHECK(memcmp(vdrv_host(&x.d, buf[2]), pkt + 512, 100) == 0);
	/* The next packet lands in the fourth buffer; more arrive as buffers do. */
	send_pkt(&x, pkt, HDR + 40);
	CHECK(nfx_used(&x, &x.rxq, &id, &len));
	CHECK_EQ(id, head[3]);
	CHECK_EQ(len, HDR + 40);
	CHECK_EQ(x.net.rx_packets, 2);
	/* A packet needing more than is posted: nothing is published early. */
	send_pkt(&x, pkt, sizeof(pkt));
	buf[0] = vdrv_alloc(&x.d, 256, 16);
	vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{buf[0], 256, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (i = 0; i < 5; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK(!vdrv_get_used(&x.d, &x.rxq, &id, &len));
	for (i = 1; i < 3; i++) {
		buf[i] = vdrv_alloc(&x.d, 256, 16);
		vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{buf[i], 256, true}}, 1);
	}
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(nfx_used(&x, &x.rxq, &id, &len));
	CHECK(vdrv_get_used(&x.d, &x.rxq, &id, &len));
	CHECK(vdrv_get_used(&x.d, &x.rxq, &id, &len));
	CHECK_EQ(le16toh(((struct virtio_net_hdr_v1 *)vdrv_host(&x.d, buf[0]))->num_buffers), 3);
	nfx_fini(&x);
}

/* Without CSUM negotiated, a NEEDS_CSUM header is refused. */
static void test_tx_offload_refused(void)
{
	static uint8_t frame[HDR + 60], got[HDR + 100];
	struct nfx x;
	uint64_t a;
	uint32_t id = ~0u, len = ~0u;

	if (nfx_init(&x, VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |
			     VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
			     VIRTIO_BIT(VIRTIO_NET_F_HOST_ECN)) < 0)
		return;
	memset(frame, 0, sizeof(frame));
	frame[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	a = vdrv_alloc(&x.d, sizeof(frame), 16);
	memcpy(vdrv_host(&x.d, a), frame, sizeof(frame));
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, sizeof(frame), false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), -1);
	CHECK_EQ(x.net.dev.guest_errors, 1);
	/* A plain header goes through. */
	((uint8_t *)vdrv_host(&x.d, a))[0] = 0;
	vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, sizeof(frame), false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK(nfx_used(&x, &x.txq, &id, &len));
	CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), sizeof(frame));
	nfx_fini(&x);
}

static void test_rx_no_merge(void)
{
	static uint8_t pkt[HDR + 1000];
	struct nfx x;
	uint64_t small, big;
	uint32_t id = ~0u, len = ~0u;
	uint16_t head;

	if (nfx_init(&x, VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)) < 0)
		return;
	CHECK(!(x.net.dev.driver_features & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)));
	fill(pkt, sizeof(pkt), 9);
	memset(pkt, 0, HDR);
	small = vdrv_alloc(&x.d, 512, 16);
	big = vdrv_alloc(&x.d, 2048, 16);
	/* Too big for the posted buffer: dropped, the buffer stays posted. */
	head = vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{small, 512, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	send_pkt(&x, pkt, sizeof(pkt));
	for (int i = 0; i < 50 && x.net.rx_dropped == 0; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK_EQ(x.net.rx_dropped, 1);
	CHECK(!vdrv_get_used(&x.d, &x.rxq, &id, &len));
	send_pkt(&x, pkt, HDR + 200);
	CHECK(nfx_used(&x, &x.rxq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, HDR + 200);
	CHECK_EQ(le16toh(((struct virtio_net_hdr_v1 *)vdrv_host(&x.d, small))->num_buffers), 1);
	/* A big enough single buffer takes the whole packet. */
	head = vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{big, 2048, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	send_pkt(&x, pkt, sizeof(pkt));
	CHECK(nfx_used(&x, &x.rxq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, sizeof(pkt));
	CHECK(memcmp((uint8_t *)vdrv_host(&x.d, big) + HDR, pkt + HDR, 1000) == 0);
	/* An rx buffer smaller than the header is a guest error: NEEDS_RESET. */
	vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{small, 4, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	send_pkt(&x, pkt, HDR + 10);
	for (int i = 0; i < 50 && virtio_dev_live(&x.net.dev); i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	nfx_fini(&x);
}

/* iops=2 each way: the third packet in each direction waits for its timer. */
static void test_rate_limit(void)
{
	static uint8_t pkt[HDR + 100], got[HDR + 200];
	struct nfx x;
	uint64_t a, rx[3];
	uint32_t id = ~0u, len = ~0u;
	unsigned i, tx_used = 0, rx_used = 0;

	if (nfx_init_opts(&x, 0, (struct virtio_net_opts){.iops = 2}) < 0)
		return;
	memset(pkt, 0, sizeof(pkt));
	a = vdrv_alloc(&x.d, sizeof(pkt), 16);
	for (i = 0; i < 3; i++) {
		vdrv_add(&x.d, &x.txq, (struct vdrv_buf[]){{a, sizeof(pkt), false}}, 1);
		rx[i] = vdrv_alloc(&x.d, 2048, 16);
		vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{rx[i], 2048, true}}, 1);
		send_pkt(&x, pkt, sizeof(pkt));
	}
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	for (i = 0; i < 50 && (tx_used < 3 || rx_used < 3); i++) {
		iothread_poll(&x.io, 100000000ULL);
		while (vdrv_get_used(&x.d, &x.txq, &id, &len))
			tx_used++;
		while (vdrv_get_used(&x.d, &x.rxq, &id, &len))
			rx_used++;
	}
	CHECK_EQ(tx_used, 3);
	CHECK_EQ(rx_used, 3);
	for (i = 0; i < 3; i++)
		CHECK_EQ(recv(x.peer, got, sizeof(got), MSG_DONTWAIT), sizeof(pkt));
	nfx_fini(&x);
}

/* Send a control command; returns the ack byte (0xee: no answer). */
static uint8_t ctrl_cmd(struct vdrv *d, struct vdrv_q *cq, struct virtio_mmio *m,
			struct iothread *io, uint8_t class, uint8_t cmd, uint16_t arg)
{
	uint64_t c = vdrv_alloc(d, 4, 2), ack = vdrv_alloc(d, 1, 1);
	uint8_t *p = vdrv_host(d, c);
	uint32_t id, len;

	p[0] = class;
	p[1] = cmd;
	p[2] = (uint8_t)arg;
	p[3] = (uint8_t)(arg >> 8);
	*(uint8_t *)vdrv_host(d, ack) = 0xee;
	vdrv_add(d, cq, (struct vdrv_buf[]){{c, 2, false}, {c + 2, 2, false}, {ack, 1, true}}, 3);
	vmmio_wr(m, VIRTIO_MMIO_QUEUE_NOTIFY, 4);
	for (int i = 0; i < 50 && !vdrv_get_used(d, cq, &id, &len); i++)
		iothread_poll(io, 10000000ULL);
	return *(uint8_t *)vdrv_host(d, ack);
}

/*
 * Two queue pairs on two socketpairs: pair 1 carries nothing until the
 * driver enables it through the control queue (§5.1.6.5.5).
 */
static void test_multiqueue(void)
{
	static uint8_t pkt[HDR + 64], got[HDR + 128];
	struct iothread io;
	struct virtio_net net;
	struct virtio_mmio m;
	struct virtio_kick k;
	struct vdrv d;
	struct vdrv_q q[5];
	int sp[2][2];
	uint64_t buf, tx;
	uint32_t id = ~0u, len = ~0u;
	unsigned i;

	if (iothread_init(&io, 64) < 0)
		return;
	CHECK_EQ(vdrv_init(&d), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp[i]), 0);
	CHECK_EQ(virtio_net_init(
		     &net, &(struct virtio_net_opts){.fds = {sp[0][0], sp[1][0]}, .queue_pairs = 2},
		     &d.gm, &io),
		 0);
	CHECK_EQ(net.dev.num_queues, 5);
	CHECK(net.dev.host_features & VIRTIO_BIT(VIRTIO_NET_F_MQ));
	virtio_mmio_init(&m, &net.dev, NULL);
	CHECK_EQ(virtio_kick_attach(&k, &net.dev, &io), 0);
	CHECK(vmmio_negotiate(&m, vmmio_device_features(&m)));
	CHECK_EQ(virtio_mmio_io_ops.read(&m, VIRTIO_MMIO_CONFIG + 8, 2), 2);
	for (i = 0; i < 5; i++) {
		vdrv_q_init(&d, &q[i], 16);
		vmmio_queue(&m, i, &q[i]);
	}
	vmmio_driver_ok(&m);
	memset(pkt, 0, sizeof(pkt));
	buf = vdrv_alloc(&d, 2048, 16);
	vdrv_add(&d, &q[2], (struct vdrv_buf[]){{buf, 2048, true}}, 1);
	vmmio_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	CHECK_EQ(send(sp[1][1], pkt, sizeof(pkt), 0), (ssize_t)sizeof(pkt));
	for (i = 0; i < 5; i++)
		iothread_poll(&io, 10000000ULL);
	CHECK(!vdrv_get_used(&d, &q[2], &id, &len)); /* pair 1 not enabled yet */
	/* Bad pair counts and unknown commands are refused with VIRTIO_NET_ERR. */
	CHECK_EQ(
	    ctrl_cmd(&d, &q[4], &m, &io, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 3),
	    VIRTIO_NET_ERR);
	CHECK_EQ(
	    ctrl_cmd(&d, &q[4], &m, &io, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0),
	    VIRTIO_NET_ERR);
	CHECK_EQ(ctrl_cmd(&d, &q[4], &m, &io, 0, 0, 0), VIRTIO_NET_ERR);
	CHECK_EQ(net.active_pairs, 1);
	/* Two pairs: the waiting packet arrives on receiveq 2. */
	CHECK_EQ(
	    ctrl_cmd(&d, &q[4], &m, &io, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2),
	    VIRTIO_NET_OK);
	CHECK_EQ(net.active_pairs, 2);
	for (i = 0; i < 50 && !vdrv_get_used(&d, &q[2], &id, &len); i++)
		iothread_poll(&io, 10000000ULL);
	CHECK_EQ(len, sizeof(pkt));
	/* transmitq 3 goes out on pair 1's fd. */
	tx = vdrv_alloc(&d, sizeof(pkt), 16);
	vdrv_add(&d, &q[3], (struct vdrv_buf[]){{tx, sizeof(pkt), false}}, 1);
	vmmio_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 3);
	for (i = 0; i < 50 && !vdrv_get_used(&d, &q[3], &id, &len); i++)
		iothread_poll(&io, 10000000ULL);
	CHECK_EQ(recv(sp[1][1], got, sizeof(got), MSG_DONTWAIT), sizeof(pkt));
	CHECK_EQ(recv(sp[0][1], got, sizeof(got), MSG_DONTWAIT), -1);
	/* A control chain without an ack byte: NEEDS_RESET. */
	vdrv_add(&d, &q[4], (struct vdrv_buf[]){{tx, 4, false}}, 1);
	vmmio_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 4);
	for (i = 0; i < 50 && virtio_dev_live(&net.dev); i++)
		iothread_poll(&io, 10000000ULL);
	CHECK(vmmio_rd(&m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Reset: back to one pair. */
	vmmio_wr(&m, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(net.active_pairs, 1);
	virtio_kick_detach(&k);
	iothread_fini(&io);
	virtio_mmio_fini(&m);
	virtio_net_fini(&net);
	for (i = 0; i < 2; i++) {
		close(sp[i][0]);
		close(sp[i][1]);
	}
	vdrv_fini(&d);
}

/*
 * A real TAP where this host allows one (root, /dev/net/tun): attach,
 * offload probe, and the TUNSETOFFLOAD that DRIVER_OK performs. The TAP is
 * not persistent: it disappears with the fd.
 */
static void test_tap(void)
{
	struct iothread io;
	struct virtio_net net;
	struct virtio_mmio m;
	struct vdrv d;
	char name[16];
	int ret;

	if (iothread_init(&io, 8) < 0)
		return;
	CHECK_EQ(vdrv_init(&d), 0);
	snprintf(name, sizeof(name), "vmmt%d", (int)getpid() % 100000);
	log_set_level(LOG_ERR - 1); /* a refusal here is expected on most hosts */
	ret = virtio_net_init(&net, &(struct virtio_net_opts){.tap = name}, &d.gm, &io);
	log_set_level(LOG_ERR);
	if (ret < 0) {
		fprintf(stderr, "no TAP here (%s): TAP part skipped\n", strerror(-ret));
		goto out;
	}
	CHECK(net.tap);
	CHECK(net.dev.host_features & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4));
	virtio_mmio_init(&m, &net.dev, NULL);
	CHECK(vmmio_negotiate(&m, vmmio_device_features(&m)));
	vmmio_driver_ok(&m);
	CHECK(virtio_dev_live(&net.dev));
	virtio_mmio_fini(&m);
	virtio_net_fini(&net);
	/* Two queue pairs: IFF_MULTI_QUEUE, the second queue detached until asked for. */
	ret = virtio_net_init(&net, &(struct virtio_net_opts){.tap = name, .queue_pairs = 2}, &d.gm,
			      &io);
	CHECK_EQ(ret, 0);
	if (ret == 0) {
		virtio_mmio_init(&m, &net.dev, NULL);
		CHECK(vmmio_negotiate(&m, vmmio_device_features(&m)));
		vmmio_driver_ok(&m);
		CHECK(virtio_dev_live(&net.dev));
		virtio_mmio_fini(&m);
		virtio_net_fini(&net);
	}
out:
	iothread_fini(&io);
	vdrv_fini(&d);
}

/* The peer goes away: the device stops reading instead of spinning. */
static void test_backend_closed(void)
{
	struct nfx x;
	uint64_t buf;
	uint64_t completions;
	int i;

	if (nfx_init(&x, 0) < 0)
		return;
	buf = vdrv_alloc(&x.d, 2048, 16);
	vdrv_add(&x.d, &x.rxq, (struct vdrv_buf[]){{buf, 2048, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	iothread_poll(&x.io, 10000000ULL);
	close(x.peer);
	x.peer = -1;
	for (i = 0; i < 5; i++)
		iothread_poll(&x.io, 10000000ULL);
	/* Once the EOF is seen nothing more completes: no busy loop. */
	completions = x.io.completions;
	for (i = 0; i < 5; i++)
		iothread_poll(&x.io, 10000000ULL);
	CHECK_EQ(x.io.completions, completions);
	CHECK(!x.net.pairs[0].rx_inflight);
	nfx_fini(&x);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_config();
	test_tx();
	test_rx_merge();
	test_rx_no_merge();
	test_tx_offload_refused();
	test_rate_limit();
	test_backend_closed();
	test_multiqueue();
	test_tap();
	return test_result("test_net");
}
