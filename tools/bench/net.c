/*
 * Device-side virtio-net benchmark. The main thread plays the guest driver
 * over an anonymous guest RAM mapping, like tools/bench/blk.c: it keeps the
 * transmit queue full of UDP frames (or the receive queue full of 4 KiB
 * mergeable buffers, as Linux posts them), notifies through the MMIO
 * QueueNotify register and the kick eventfd, and sleeps until the device
 * interrupts it through a fake interrupt line. In between runs vmm's own
 * code: virtio/mmio.c, kick.c, iothread.c (io_uring reads and writes on the
 * TAP), queue.c and net.c. The peer is the kernel's UDP stack behind the
 * TAP, driven by a thread of this process: a sink counting what arrives, or
 * a sender (sendmmsg as fast as it can) for the receive direction.
 *
 * No offloads are negotiated (no CSUM, no TSO): every frame is one packet.
 * Small frames measure packets/s, MTU-sized 64 KiB frames (the TAP's MTU is
 * raised to 65000) measure Gbit/s.
 *
 * Usage: bench_net TAP HOST_IP GUEST_IP GUEST_MAC SECONDS
 * (inside a network namespace where TAP exists, is up, has HOST_IP and a
 * permanent neighbour entry GUEST_IP -> GUEST_MAC; tools/bench/net does that).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "tools/bench/bench_driver.h"
#include "virtio/net.h"

#define BN_RAM_SIZE (64ULL * MiB)
#define BN_TX_GPA   (VDRV_RAM_GPA + VDRV_RAM_SIZE) /* 64 KiB per tx slot */
#define BN_TX_SLOT  (64ULL * KiB)
#define BN_RX_GPA   (BN_TX_GPA + BN_QSIZE * BN_TX_SLOT)
#define BN_RX_BUF   4096u
#define BN_QSIZE    256u
#define BN_RXQ	    0u
#define BN_TXQ	    1u
#define BN_PORT	    5001
#define BN_BATCH    32u
#define BN_ETH_IP   (sizeof(struct ether_header) + sizeof(struct iphdr))
#define BN_HDRS	    (BN_ETH_IP + sizeof(struct udphdr))
#define BN_SMALL    60u	   /* the smallest Ethernet frame (without FCS) */
#define BN_BIG	    65014u /* a 65000-byte IP packet: the TAP's MTU */

struct bn_cfg {
	const char *tap;
	struct in_addr host_ip, guest_ip;
	uint8_t guest_mac[6];
	double secs;
};

/* The kernel side of the TAP: a UDP sink or sender on its own thread. */
struct bn_peer {
	const struct bn_cfg *cfg;
	uint32_t payload;
	int fd;
	pthread_t thread;
	bool started;
	_Atomic bool stop;
	_Atomic uint64_t packets;
};

struct bn {
	const struct bn_cfg *cfg;
	struct bdrv bd;
	struct vdrv_q q[2];
	struct virtio_net net;
	bool net_ok;
	uint8_t tap_mac[6];
	uint32_t frame;
	unsigned inflight;
	bool counting;
	uint16_t rx_more;     /* buffers still to come of the current rx packet */
	uint32_t rx_frame;    /* bytes of it so far */
	bool rx_ours;	      /* it is the peer's UDP traffic */
	uint64_t done, bytes; /* packets and frame bytes in the window */
	uint64_t errors, lost_kicks;
};

struct bn_result {
	double secs;
	uint64_t done, bytes, peer;
	uint64_t io_cpu_ns, dev_cpu_ns;
};

/* ---- the peer ---- */

static int bn_peer_socket(struct bn_peer *p, bool sink)
{
	const struct bn_cfg *c = p->cfg;
	struct sockaddr_in host = {.sin_family = AF_INET, .sin_addr = c->host_ip};
	struct sockaddr_in guest = {
	    .sin_family = AF_INET, .sin_addr = c->guest_ip, .sin_port = htons(BN_PORT)};
	struct timeval tv = {.tv_usec = 100000}; /* the loops look at p->stop */
	int big = 64 << 20;

	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return -errno;
	host.sin_port = htons(sink ? BN_PORT : 0);
	/* As root: a big receive buffer, so the sink is not what drops. */
	if (sink && setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(p->fd, SOL_SOCKET, sink ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(p->fd, (struct sockaddr *)&host, sizeof(host)) < 0 ||
	    (!sink && connect(p->fd, (struct sockaddr *)&guest, sizeof(guest)) < 0))
		return -errno;
	return 0;
}

static void *bn_sink_main(void *arg)
{
	struct bn_peer *p = arg;
	static char bufs[BN_BATCH][256];
	struct mmsghdr msgs[BN_BATCH];
	struct iovec iov[BN_BATCH];

	/* MSG_TRUNC: count whole datagrams without copying them out. */
	for (unsigned i = 0; i < BN_BATCH; i++) {
		iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = sizeof(bufs[i])};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	while (!atomic_load(&p->stop)) {
		int n = recvmmsg(p->fd, msgs, BN_BATCH, MSG_TRUNC | MSG_WAITFORONE, NULL);

		if (n > 0)
			atomic_fetch_add(&p->packets, (uint64_t)n);
	}
	return NULL;
}

static void *bn_sender_main(void *arg)
{
	struct bn_peer *p = arg;
	static char payload[65536];
	struct mmsghdr msgs[BN_BATCH];
	struct iovec iov = {.iov_base = payload, .iov_len = p->payload};

	for (unsigned i = 0; i < BN_BATCH; i++)
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov, .msg_iovlen = 1}};
	while (!atomic_load(&p->stop)) {
		int n = sendmmsg(p->fd, msgs, BN_BATCH, 0);

		/* ENOBUFS and the like: the TAP queue is full, which is the point. */
		if (n > 0)
			atomic_fetch_add(&p->packets, (uint64_t)n);
	}
	return NULL;
}

static int bn_peer_start(struct bn_peer *p, const struct bn_cfg *c, bool sink, uint32_t payload)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->cfg = c;
	p->payload = payload;
	ret = bn_peer_socket(p, sink);
	if (ret < 0)
		return ret;
	ret = pthread_create(&p->thread, NULL, sink ? bn_sink_main : bn_sender_main, p);
	p->started = ret == 0;
	return -ret;
}

static void bn_peer_stop(struct bn_peer *p)
{
	atomic_store(&p->stop, true);
	if (p->started)
		pthread_join(p->thread, NULL);
	p->started = false;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* ---- the driver ---- */

/*
 * Sleep until the interrupt. Without one, a transmit queue the device has
 * not emptied means a notification was lost: count it and kick again. (An
 * idle receive queue is normal: it is kicked again just in case.)
 */
static void bn_wait_irq(struct bn *b, unsigned q)
{
	if (bdrv_wait_irq(&b->bd))
		return;
	if (q == BN_TXQ && bdrv_avail_event(&b->bd, &b->q[q]) != b->q[q].avail_idx)
		b->lost_kicks++;
	bdrv_notify(&b->bd, q);
}

static uint16_t bn_ip_csum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* vnet header (no offloads) + Ethernet + IPv4 + UDP to the sink (§5.1.6.2). */
static void bn_build_frame(struct bn *b, uint8_t *p, uint16_t id)
{
	const struct bn_cfg *c = b->cfg;
	struct ether_header eth = {.ether_type = htons(ETHERTYPE_IP)};
	struct iphdr ip = {.version = 4,
			   .ihl = 5,
			   .tot_len = htons((uint16_t)(b->frame - sizeof(eth))),
			   .id = htons(id),
			   .frag_off = htons(IP_DF),
			   .ttl = 64,
			   .protocol = IPPROTO_UDP,
			   .saddr = c->guest_ip.s_addr,
			   .daddr = c->host_ip.s_addr};
	/* RFC 768: a zero UDP checksum means none was computed (IPv4 only). */
	struct udphdr udp = {.source = htons(40000),
			     .dest = htons(BN_PORT),
			     .len = htons((uint16_t)(b->frame - BN_ETH_IP))};

	memcpy(eth.ether_dhost, b->tap_mac, 6);
	memcpy(eth.ether_shost, c->guest_mac, 6);
	ip.check = bn_ip_csum(&ip, sizeof(ip));
	memset(p, 0, VIRTIO_NET_HDR_LEN);
	p += VIRTIO_NET_HDR_LEN;
	memcpy(p, &eth, sizeof(eth));
	memcpy(p + sizeof(eth), &ip, sizeof(ip));
	memcpy(p + BN_ETH_IP, &udp, sizeof(udp));
	memset(p + BN_HDRS, 0xa5, b->frame - BN_HDRS);
}

/* Slot i uses descriptor i on both queues: used.id names the slot. */
static void bn_slots_init(struct bn *b)
{
	for (unsigned i = 0; i < BN_QSIZE; i++) {
		uint64_t tx = BN_TX_GPA + i * BN_TX_SLOT;
		uint64_t rx = BN_RX_GPA + (uint64_t)i * BN_RX_BUF;

		bn_build_frame(b, vdrv_host(&b->bd.d, tx), (uint16_t)i);
		vdrv_set_desc(vdrv_desc(&b->bd.d, &b->q[BN_TXQ], (uint16_t)i), tx,
			      VIRTIO_NET_HDR_LEN + b->frame, 0, 0);
		vdrv_set_desc(vdrv_desc(&b->bd.d, &b->q[BN_RXQ], (uint16_t)i), rx, BN_RX_BUF,
			      VRING_DESC_F_WRITE, 0);
	}
}

/* Is this received frame the peer's UDP traffic to us? */
static bool bn_rx_is_ours(struct bn *b, const uint8_t *f)
{
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;

	memcpy(&eth, f, sizeof(eth));
	memcpy(&ip, f + sizeof(eth), sizeof(ip));
	memcpy(&udp, f + BN_ETH_IP, sizeof(udp));
	return eth.ether_type == htons(ETHERTYPE_IP) && ip.protocol == IPPROTO_UDP &&
	       ip.daddr == b->cfg->guest_ip.s_addr && udp.dest == htons(BN_PORT);
}

/* One used receive buffer; a packet may span several (§5.1.6.4). */
static void bn_rx_buffer(struct bn *b, uint32_t id, uint32_t len)
{
	const uint8_t *p = vdrv_host(&b->bd.d, BN_RX_GPA + (uint64_t)id * BN_RX_BUF);

	if (len > BN_RX_BUF) {
		b->errors++;
		return;
	}
	if (!b->rx_more) {
		struct virtio_net_hdr_v1 h;

		memcpy(&h, p, sizeof(h));
		if (len < VIRTIO_NET_HDR_LEN + BN_HDRS || !h.num_buffers) {
			b->errors++;
			return;
		}
		b->rx_more = le16toh(h.num_buffers);
		b->rx_frame = 0;
		b->rx_ours = bn_rx_is_ours(b, p + VIRTIO_NET_HDR_LEN);
		len -= VIRTIO_NET_HDR_LEN;
	}
	b->rx_frame += len;
	if (--b->rx_more || !b->rx_ours || !b->counting)
		return;
	b->done++;
	b->bytes += b->rx_frame;
}

/* Take what the device used on @q, give each slot back when @refill. */
static unsigned bn_reap(struct bn *b, unsigned q, bool refill)
{
	struct vdrv_q *dq = &b->q[q];
	uint32_t id, len;
	unsigned n = 0;

	while (vdrv_get_used(&b->bd.d, dq, &id, &len)) {
		n++;
		if (id >= BN_QSIZE) {
			b->errors++;
			continue;
		}
		if (q == BN_RXQ) {
			bn_rx_buffer(b, id, len);
		} else {
			b->inflight--;
			b->done += b->counting;
			b->bytes += b->counting ? b->frame : 0;
		}
		if (refill) {
			vdrv_publish(&b->bd.d, dq, (uint16_t)id);
			b->inflight += q == BN_TXQ;
		}
	}
	return n;
}

static void bn_fill(struct bn *b, unsigned q)
{
	uint16_t old = b->q[q].avail_idx;

	for (unsigned i = 0; i < BN_QSIZE; i++)
		vdrv_publish(&b->bd.d, &b->q[q], (uint16_t)i);
	if (q == BN_TXQ)
		b->inflight = BN_QSIZE;
	bdrv_kick(&b->bd, &b->q[q], q, old);
}

/* Drive queue @q until the window ends (and, for tx, the queue drains). */
static void bn_loop(struct bn *b, unsigned q, uint64_t end, void (*at_end)(void *), void *arg)
{
	b->counting = true;
	bn_fill(b, q);
	for (;;) {
		uint16_t old;

		if (b->counting && bdrv_clock(CLOCK_MONOTONIC) >= end) {
			at_end(arg);
			b->counting = false;
		}
		if (!b->counting && (q == BN_RXQ || !b->inflight))
			return;
		old = b->q[q].avail_idx;
		if (bn_reap(b, q, b->counting)) {
			bdrv_kick(&b->bd, &b->q[q], q, old);
			continue;
		}
		if (bdrv_arm_irq(&b->bd, &b->q[q]))
			bn_wait_irq(b, q);
	}
}

/* ---- set-up ---- */

static int bn_tap_mac(struct bn *b)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", b->cfg->tap);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(b->tap_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

static int bn_device(struct bn *b)
{
	struct virtio_net_opts o = {.tap = b->cfg->tap, .mac_set = true};
	/* What Linux asks for, minus every offload: one frame is one packet. */
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
			VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |
			VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |
			VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	int ret;

	memcpy(o.mac, b->cfg->guest_mac, 6);
	ret = virtio_net_init(&b->net, &o, &b->bd.d.gm, &b->bd.io);
	if (ret < 0)
		return ret;
	b->net_ok = true;
	return bdrv_attach(&b->bd, &b->net.dev, want, b->q, 2, BN_QSIZE);
}

static int bn_setup(struct bn *b, const struct bn_cfg *c, uint32_t frame)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->cfg = c;
	b->frame = frame;
	b->bd.irq_fd = -1;
	ret = bn_tap_mac(b);
	if (ret < 0)
		return ret;
	ret = bdrv_init(&b->bd, BN_RAM_SIZE);
	if (ret < 0)
		return ret;
	ret = bn_device(b);
	if (ret < 0)
		return ret;
	bn_slots_init(b);
	return bdrv_start(&b->bd);
}

static void bn_teardown(struct bn *b)
{
	bdrv_stop(&b->bd);
	if (b->net_ok)
		virtio_net_fini(&b->net);
	bdrv_fini(&b->bd);
}

/* ---- one measurement ---- */

struct bn_window {
	struct bn *b;
	struct bn_peer *peer;
	struct bn_result *r;
	clockid_t io_clock, peer_clock;
	uint64_t t0, io0, proc0, drv0, peer0, peer_pkts0;
};

static void bn_window_start(struct bn_window *w)
{
	w->t0 = bdrv_clock(CLOCK_MONOTONIC);
	w->io0 = bdrv_clock(w->io_clock);
	w->proc0 = bdrv_clock(CLOCK_PROCESS_CPUTIME_ID);
	w->drv0 = bdrv_clock(CLOCK_THREAD_CPUTIME_ID);
	w->peer0 = bdrv_clock(w->peer_clock);
	w->peer_pkts0 = atomic_load(&w->peer->packets);
}

/* The device side's CPU: the process minus the driver and the peer threads. */
static void bn_window_end(void *arg)
{
	struct bn_window *w = arg;
	struct bn_result *r = w->r;
	uint64_t proc = bdrv_clock(CLOCK_PROCESS_CPUTIME_ID) - w->proc0;
	uint64_t others =
	    (bdrv_clock(CLOCK_THREAD_CPUTIME_ID) - w->drv0) + (bdrv_clock(w->peer_clock) - w->peer0);

	r->secs = (double)(bdrv_clock(CLOCK_MONOTONIC) - w->t0) / 1e9;
	r->done = w->b->done;
	r->bytes = w->b->bytes;
	r->peer = atomic_load(&w->peer->packets) - w->peer_pkts0;
	r->io_cpu_ns = bdrv_clock(w->io_clock) - w->io0;
	r->dev_cpu_ns = proc > others ? proc - others : 0;
}

static int bn_measure(const struct bn_cfg *c, bool tx, uint32_t frame, struct bn_result *r)
{
	static struct bn b;
	struct bn_peer peer = {.fd = -1};
	struct bn_window w = {.b = &b, .peer = &peer, .r = r};
	int ret = bn_setup(&b, c, frame);

	if (ret == 0)
		ret = bn_peer_start(&peer, c, tx, frame - BN_HDRS);
	if (ret == 0 && (pthread_getcpuclockid(b.bd.io.thread, &w.io_clock) ||
			 pthread_getcpuclockid(peer.thread, &w.peer_clock)))
		ret = -EINVAL;
	if (ret == 0) {
		bn_window_start(&w);
		bn_loop(&b, tx ? BN_TXQ : BN_RXQ, w.t0 + (uint64_t)(c->secs * 1e9), bn_window_end,
			&w);
	}
	bn_peer_stop(&peer);
	bn_teardown(&b);
	if (b.errors || b.lost_kicks)
		fprintf(stderr, "bench_net: %llu bad used entries, %llu notifications lost\n",
			(unsigned long long)b.errors, (unsigned long long)b.lost_kicks);
	return ret < 0 ? ret : b.errors ? -EIO : 0;
}

static void bn_print(bool tx, uint32_t frame, const struct bn_result *r)
{
	double n = r->done ? (double)r->done : 1;

	printf("%-9s %6u %11.0f %8.3f %11.0f %9.2f / %.2f\n", tx ? "vmm->peer" : "peer->vmm", frame,
	       (double)r->done / r->secs, (double)r->bytes * 8 / r->secs / 1e9,
	       (double)r->peer / r->secs, (double)r->io_cpu_ns / n / 1e3,
	       (double)r->dev_cpu_ns / n / 1e3);
	fflush(stdout);
}

static int bn_parse(int argc, char **argv, struct bn_cfg *c)
{
	unsigned m[6];

	if (argc != 6 || inet_pton(AF_INET, argv[2], &c->host_ip) != 1 ||
	    inet_pton(AF_INET, argv[3], &c->guest_ip) != 1 ||
	    sscanf(argv[4], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -EINVAL;
	c->tap = argv[1];
	for (unsigned i = 0; i < 6; i++)
		c->guest_mac[i] = (uint8_t)m[i];
	c->secs = strtod(argv[5], NULL);
	return c->secs > 0 && strlen(c->tap) < IFNAMSIZ ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	static const uint32_t frames[] = {BN_SMALL, BN_BIG};
	struct bn_cfg c = {0};
	int status = 0;

	if (bn_parse(argc, argv, &c) < 0) {
		fprintf(stderr, "usage: bench_net TAP HOST_IP GUEST_IP GUEST_MAC SECONDS\n");
		return 2;
	}
	printf("%-9s %6s %11s %8s %11s %s\n", "direction", "frame", "pkts/s", "Gbit/s",
	       "peer pkt/s", "CPU us/pkt (I/O thread / device side)");
	for (unsigned dir = 0; dir < 2; dir++) {
		for (unsigned i = 0; i < ARRAY_SIZE(frames); i++) {
			struct bn_result r = {0};
			int ret = bn_measure(&c, dir == 0, frames[i], &r);

			if (ret < 0) {
				fprintf(stderr, "bench_net: %s %u-byte frames: %s\n",
					dir == 0 ? "transmit" : "receive", frames[i],
					strerror(-ret));
				status = 1;
				continue;
			}
			bn_print(dir == 0, frames[i], &r);
			if (!r.done || !r.peer) {
				fprintf(stderr, "bench_net: no traffic got through\n");
				status = 1;
			}
		}
	}
	return status;
}
