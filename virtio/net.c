/*
 * virtio-net, virtio 1.2 §5.1: see net.h for the data paths.
 */
#include "virtio/net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/log.h"
#include "virtio/opts.h"

#define NET_MAX_IOV 64u

struct virtio_net_tx {
	struct io_task task;
	struct virtio_net_pair *p;
	struct virtio_net_tx *next_free;
	uint32_t gen;
	struct virtq_req vr;
	struct iovec iov[NET_MAX_IOV];
};

static void virtio_net_rx_read(struct virtio_net_pair *p);

static unsigned rxq(const struct virtio_net_pair *p)
{
	return 2 * p->index;
}

static unsigned txq(const struct virtio_net_pair *p)
{
	return 2 * p->index + 1;
}

static struct virtio_net *to_net(struct virtio_dev *dev)
{
	return container_of(dev, struct virtio_net, dev);
}

int virtio_net_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	/* A multicast address cannot be a NIC's own. */
	return mac[0] & 1 ? -EINVAL : 0;
}

static void virtio_net_rx_run(struct virtio_net_pair *p);
static void virtio_net_tx_run(struct virtio_net_pair *p);

static void virtio_net_rx_timer(struct io_timer *tm)
{
	struct virtio_net_pair *p = container_of(tm, struct virtio_net_pair, rx_timer);

	virtio_dev_lock(&p->net->dev);
	if (virtio_dev_live(&p->net->dev))
		virtio_net_rx_run(p);
	virtio_dev_unlock(&p->net->dev);
}

static void virtio_net_tx_timer(struct io_timer *tm)
{
	struct virtio_net_pair *p = container_of(tm, struct virtio_net_pair, tx_timer);

	virtio_dev_lock(&p->net->dev);
	if (virtio_dev_live(&p->net->dev))
		virtio_net_tx_run(p);
	virtio_dev_unlock(&p->net->dev);
}

/* True if @rl lets a packet through now; else its timer will retry. */
static bool virtio_net_admit(struct virtio_net *net, struct rate_limiter *rl, struct io_timer *tm,
			     void (*fire)(struct io_timer *tm))
{
	uint64_t now;

	if (rate_limiter_unlimited(rl))
		return true;
	now = monotonic_ns();
	if (rate_limiter_ready(rl, now))
		return true;
	if (!tm->armed && iothread_timer(net->io, tm, rate_limiter_delay_ns(rl, 0, now), fire) < 0)
		log_err("virtio-net: cannot arm the rate limit timer");
	return false;
}

static int virtio_net_parse_kv(struct virtio_net_opts *o, const char *k, char *v)
{
	if (!strcmp(k, "tap")) {
		o->tap = v;
		return *v && strlen(v) < IFNAMSIZ ? 0 : -EINVAL;
	}
	if (!strcmp(k, "mac")) {
		o->mac_set = true;
		return virtio_net_parse_mac(v, o->mac);
	}
	if (!strcmp(k, "queues")) {
		uint64_t n;

		if (virtio_opts_u64(v, &n) < 0 || n < 1 || n > VIRTIO_NET_MAX_PAIRS)
			return -EINVAL;
		o->queue_pairs = (unsigned)n;
		return 0;
	}
	if (!strcmp(k, "bw"))
		return virtio_opts_u64(v, &o->bw);
	if (!strcmp(k, "iops"))
		return virtio_opts_u64(v, &o->iops);
	return -ENOENT;
}

int virtio_net_parse(char *spec, struct virtio_net_opts *o, char *err, size_t errlen)
{
	char *cur = spec, *k, *v;
	int ret;

	memset(o, 0, sizeof(*o));
	while ((ret = virtio_opts_next(&cur, &k, &v)) > 0) {
		ret = virtio_net_parse_kv(o, k, v);
		if (ret < 0) {
			snprintf(err, errlen,
				 ret == -ENOENT ? "--net: unknown option '%s'"
						: "--net: bad value for '%s'",
				 k);
			return -EINVAL;
		}
	}
	if (ret < 0 || !o->tap) {
		snprintf(err, errlen,
			 ret < 0 ? "--net: expected key=value pairs" : "--net: tap= is required");
		return -EINVAL;
	}
	return 0;
}

/* ---- receive (§5.1.6.3, §5.1.6.4) ---- */

/*
 * Copy the packet in rx_buf into the driver's receive buffers. Returns false
 * when the driver has not posted enough; the chains taken are given back.
 */
static bool virtio_net_rx_deliver(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtq *vq = &net->dev.vq[rxq(p)];
	bool mrg = virtio_dev_has_feature(&net->dev, VIRTIO_NET_F_MRG_RXBUF);
	struct iovec first_iov[NET_MAX_IOV], iov[NET_MAX_IOV];
	struct virtq_req first = {.iov = first_iov, .iov_max = NET_MAX_IOV};
	struct virtq_req cur = {.iov = iov, .iov_max = NET_MAX_IOV};
	uint32_t done = 0;
	uint16_t nbufs = 0;

	while (done < p->rx_len) {
		struct virtq_req *r = nbufs ? &cur : &first;
		uint32_t n;
		int ret = virtq_pop(vq, r);

		if (ret < 0) {
			virtio_dev_needs_reset(&net->dev);
			return false;
		}
		if (ret == 0) {
			/* Not enough room yet: the driver kicks rx when it posts more. */
			virtq_unpop(vq, nbufs);
			return false;
		}
		if (nbufs == 0 && r->in_len < VIRTIO_NET_HDR_LEN) { /* guest-controlled */
			guest_err(&net->dev.guest_errors, "virtio-net: rx buffer of %u bytes",
				  r->in_len);
			virtio_dev_needs_reset(&net->dev);
			return false;
		}
		if (!mrg && r->in_len < p->rx_len) {
			/* Bigger than the driver's buffers: drop it, keep the buffer. */
			virtq_unpop(vq, 1);
			net->rx_dropped++;
			p->rx_len = 0;
			return true;
		}
		n = (uint32_t)virtq_req_write(r, 0, p->rx_buf + done, p->rx_len - done);
		virtq_fill(vq, r->head, n);
		done += n;
		nbufs++;
	}
	/* §5.1.6.4: num_buffers counts the buffers this packet used (1 if not merged). */
	{
		uint16_t le = htole16(nbufs);

		virtq_req_write(&first, offsetof(struct virtio_net_hdr_v1, num_buffers), &le,
				sizeof(le));
	}
	virtq_flush(vq);
	net->rx_packets++;
	p->rx_len = 0;
	return true;
}

/* §5.1.6.5.5: only the pairs the driver enabled carry packets. */
static bool virtio_net_pair_active(const struct virtio_net_pair *p)
{
	return p->index < p->net->active_pairs;
}

/* Deliver what is waiting, then keep one read in flight while there is room. */
static void virtio_net_rx_run(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtq *vq = &net->dev.vq[rxq(p)];

	if (!vq->enabled || vq->broken || !virtio_net_pair_active(p))
		return;
	if (p->rx_len) {
		uint32_t len = p->rx_len;

		if (!virtio_net_admit(net, &net->rx_rl, &p->rx_timer, virtio_net_rx_timer))
			return;
		if (!virtio_net_rx_deliver(p))
			return; /* the driver kicks rx when it posts more */
		if (!rate_limiter_unlimited(&net->rx_rl))
			rate_limiter_charge(&net->rx_rl, len - VIRTIO_NET_HDR_LEN, monotonic_ns());
		virtio_dev_signal_used(&net->dev, rxq(p));
	}
	if (!p->rx_inflight && virtq_enable_notify(vq))
		virtio_net_rx_read(p);
}

static void virtio_net_rx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_net_pair *p = container_of(task, struct virtio_net_pair, rx_task);
	struct virtio_net *net = p->net;

	virtio_dev_lock(&net->dev);
	p->rx_inflight = false;
	if (p->rx_gen != net->generation) {
		/* Reset meanwhile: the packet is dropped. */
	} else if (res > (int)VIRTIO_NET_HDR_LEN) {
		p->rx_len = (uint32_t)res;
	} else if (res == 0 || (res < 0 && res != -EAGAIN && res != -EINTR)) {
		static struct ratelimit rl;

		/* Closed or failing backend: reading again at once would spin. */
		if (ratelimit_ok(&rl))
			log_warn("virtio-net: backend read: %s", res ? strerror(-res) : "closed");
		virtio_dev_unlock(&net->dev);
		return; /* stop reading; a later rx kick retries */
	} else if (res > 0) {
		net->rx_dropped++; /* runt: not even a header */
	}
	if (virtio_dev_live(&net->dev))
		virtio_net_rx_run(p);
	virtio_dev_unlock(&net->dev);
}

static void virtio_net_rx_read(struct virtio_net_pair *p)
{
	struct io_uring_sqe *sqe = iothread_sqe(p->net->io, &p->rx_task);

	if (!sqe)
		return;
	io_uring_prep_read(sqe, p->fd, p->rx_buf, VIRTIO_NET_RX_MAX, (__u64)-1);
	p->rx_task.complete = virtio_net_rx_done;
	p->rx_gen = p->net->generation;
	p->rx_inflight = true;
}

/* ---- transmit (§5.1.6.2) ---- */

static struct virtio_net_tx *virtio_net_tx_get(struct virtio_net_pair *p)
{
	struct virtio_net_tx *t = p->tx_free;

	if (t)
		p->tx_free = t->next_free;
	else if (p->tx_unused < VIRTIO_NET_QUEUE_MAX)
		t = &p->tx[p->tx_unused++];
	else
		return NULL;
	t->p = p;
	t->vr.iov = t->iov;
	t->vr.iov_max = NET_MAX_IOV;
	return t;
}

static void virtio_net_tx_put(struct virtio_net_tx *t)
{
	t->next_free = t->p->tx_free;
	t->p->tx_free = t;
}

static void virtio_net_tx_signal(struct io_deferred *d)
{
	struct virtio_net_pair *p = container_of(d, struct virtio_net_pair, tx_signal);

	virtio_dev_lock(&p->net->dev);
	virtio_dev_signal_used(&p->net->dev, txq(p));
	virtio_dev_unlock(&p->net->dev);
}

static void virtio_net_tx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_net_tx *t = container_of(task, struct virtio_net_tx, task);
	struct virtio_net_pair *p = t->p;
	struct virtio_net *net = p->net;

	virtio_dev_lock(&net->dev);
	p->tx_inflight--;
	if (t->gen == net->generation) {
		if (res < 0) {
			net->tx_errors++; /* the frame is lost, as on a wire */
			log_debug("virtio-net: backend write failed: %s", strerror(-res));
		} else {
			net->tx_packets++;
		}
		/* §5.1.6.2.1: a transmit buffer is returned with length 0. */
		virtq_push(&net->dev.vq[txq(p)], t->vr.head, 0);
		iothread_defer(net->io, &p->tx_signal);
	}
	virtio_net_tx_put(t);
	if (p->tx_starved && virtio_dev_live(&net->dev)) {
		p->tx_starved = false;
		virtio_net_tx_run(p);
	}
	virtio_dev_unlock(&net->dev);
}

/* §5.1.6.2: the offloads a transmit header asks for must have been negotiated. */
static bool virtio_net_tx_hdr_ok(struct virtio_net *net, const struct virtio_net_hdr_v1 *h)
{
	struct virtio_dev *dev = &net->dev;
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (h->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return false;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !virtio_dev_has_feature(dev, VIRTIO_NET_F_CSUM))
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !virtio_dev_has_feature(dev, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return virtio_dev_has_feature(dev, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return virtio_dev_has_feature(dev, VIRTIO_NET_F_HOST_TSO6);
	}
	return false; /* UFO and anything else: never offered */
}

/* Check a transmit chain; false if it is answered here and not sent. */
static bool virtio_net_tx_check(struct virtio_net *net, struct virtio_net_tx *t)
{
	struct virtq *vq = &net->dev.vq[txq(t->p)];
	struct virtio_net_hdr_v1 h;

	/* guest-controlled: a header, then at most one 64 KiB GSO frame. */
	if (t->vr.n_in || t->vr.out_len <= VIRTIO_NET_HDR_LEN ||
	    t->vr.out_len > VIRTIO_NET_RX_MAX) {
		guest_err(&net->dev.guest_errors,
			  "virtio-net: tx chain of %u readable, %u writable bytes", t->vr.out_len,
			  t->vr.in_len);
		goto refuse;
	}
	if (virtq_req_read(&t->vr, 0, &h, sizeof(h)) != sizeof(h) ||
	    !virtio_net_tx_hdr_ok(net, &h)) {
		guest_err(&net->dev.guest_errors,
			  "virtio-net: tx header flags 0x%x gso 0x%x not negotiated", h.flags,
			  h.gso_type);
		goto refuse;
	}
	return true;
refuse:
	virtq_push(vq, t->vr.head, 0);
	return false;
}

static void virtio_net_tx_run(struct virtio_net_pair *p)
{
	struct virtio_net *net = p->net;
	struct virtq *vq = &net->dev.vq[txq(p)];
	bool answered = false;

	for (;;) {
		struct virtio_net_tx *t = virtio_net_tx_get(p);
		struct io_uring_sqe *sqe;
		int ret;

		if (!t) {
			p->tx_starved = true;
			break;
		}
		if (!virtio_net_admit(net, &net->tx_rl, &p->tx_timer, virtio_net_tx_timer)) {
			virtio_net_tx_put(t);
			break;
		}
		ret = virtq_pop(vq, &t->vr);
		if (ret <= 0) {
			virtio_net_tx_put(t);
			if (ret < 0)
				virtio_dev_needs_reset(&net->dev);
			break;
		}
		t->gen = net->generation;
		if (!virtio_net_tx_check(net, t)) {
			virtio_net_tx_put(t);
			answered = true;
			continue;
		}
		sqe = iothread_sqe(net->io, &t->task);
		if (!sqe) {
			net->tx_errors++; /* dropped, as a full NIC would */
			virtq_push(vq, t->vr.head, 0);
			virtio_net_tx_put(t);
			answered = true;
			continue;
		}
		if (!rate_limiter_unlimited(&net->tx_rl))
			rate_limiter_charge(&net->tx_rl, t->vr.out_len - VIRTIO_NET_HDR_LEN,
					    monotonic_ns());
		/* The backend takes the vnet header as is: the frame goes out zero-copy. */
		io_uring_prep_writev(sqe, p->fd, t->vr.iov, t->vr.n_out, (__u64)-1);
		t->task.complete = virtio_net_tx_done;
		p->tx_inflight++;
	}
	if (answered)
		virtio_dev_signal_used(&net->dev, txq(p));
}

/* ---- control queue (§5.1.6.5) ---- */

/* Attach the TAP queues of the active pairs, detach the others. */
static void virtio_net_tap_steer(struct virtio_net *net)
{
	unsigned i;

	if (!net->tap || net->max_pairs == 1)
		return;
	for (i = 0; i < net->max_pairs; i++) {
		struct ifreq ifr = {.ifr_flags = i < net->active_pairs ? IFF_ATTACH_QUEUE
								       : IFF_DETACH_QUEUE};

		/* -EINVAL: already in that state. */
		if (ioctl(net->pairs[i].fd, TUNSETQUEUE, &ifr) < 0 && errno != EINVAL)
			log_warn("virtio-net: TAP queue %u: %s", i, strerror(errno));
	}
}

/* One command; returns VIRTIO_NET_OK or VIRTIO_NET_ERR. */
static uint8_t virtio_net_ctrl_cmd(struct virtio_net *net, const struct virtq_req *r)
{
	struct virtio_net_ctrl_hdr hdr;
	uint16_t pairs;
	unsigned i, old = net->active_pairs;

	if (virtq_req_read(r, 0, &hdr, sizeof(hdr)) != sizeof(hdr))
		return VIRTIO_NET_ERR;
	/* Only multiqueue is offered among the control classes. */
	if (hdr.class != VIRTIO_NET_CTRL_MQ || hdr.cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
	    !virtio_dev_has_feature(&net->dev, VIRTIO_NET_F_MQ) ||
	    virtq_req_read(r, sizeof(hdr), &pairs, sizeof(pairs)) != sizeof(pairs))
		return VIRTIO_NET_ERR;
	pairs = le16toh(pairs); /* guest-controlled */
	if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > net->max_pairs) {
		guest_err(&net->dev.guest_errors, "virtio-net: %u queue pairs of %u", pairs,
			  net->max_pairs);
		return VIRTIO_NET_ERR;
	}
	net->active_pairs = pairs;
	virtio_net_tap_steer(net);
	for (i = old; i < pairs; i++)
		virtio_net_rx_run(&net->pairs[i]);
	return VIRTIO_NET_OK;
}

static void virtio_net_ctrl_run(struct virtio_net *net)
{
	unsigned q = 2 * net->max_pairs;
	struct virtq *vq = &net->dev.vq[q];
	struct iovec iov[8];
	struct virtq_req r = {.iov = iov, .iov_max = ARRAY_SIZE(iov)};
	int ret;

	while ((ret = virtq_pop(vq, &r)) == 1) {
		uint8_t ack;

		/* §5.1.6.5: the ack byte is the last writable byte. */
		if (r.in_len == 0) {
			guest_err(&net->dev.guest_errors, "virtio-net: control without ack byte");
			virtio_dev_needs_reset(&net->dev);
			return;
		}
		ack = virtio_net_ctrl_cmd(net, &r);
		virtq_req_write(&r, r.in_len - 1, &ack, 1);
		virtq_push(vq, r.head, 1);
	}
	if (ret < 0)
		virtio_dev_needs_reset(&net->dev);
	virtio_dev_signal_used(&net->dev, q);
}

/* ---- device ops ---- */

static void virtio_net_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_net *net = to_net(dev);

	if (q == 2 * net->max_pairs)
		virtio_net_ctrl_run(net);
	else if (q % 2)
		virtio_net_tx_run(&net->pairs[q / 2]);
	else
		virtio_net_rx_run(&net->pairs[q / 2]);
}

static void virtio_net_config_read(struct virtio_dev *dev, uint32_t off, void *buf, unsigned len)
{
	memcpy(buf, (uint8_t *)&to_net(dev)->cfg + off, len);
}

/* The offloads the guest accepts are the ones the TAP may hand us (§5.1.3.1). */
static int virtio_net_activate(struct virtio_dev *dev)
{
	struct virtio_net *net = to_net(dev);
	unsigned off = 0;

	if (virtio_dev_has_feature(dev, VIRTIO_NET_F_GUEST_CSUM))
		off |= TUN_F_CSUM;
	if (virtio_dev_has_feature(dev, VIRTIO_NET_F_GUEST_TSO4))
		off |= TUN_F_TSO4;
	if (virtio_dev_has_feature(dev, VIRTIO_NET_F_GUEST_TSO6))
		off |= TUN_F_TSO6;
	if (virtio_dev_has_feature(dev, VIRTIO_NET_F_GUEST_ECN))
		off |= TUN_F_TSO_ECN;
	if (net->tap && ioctl(net->pairs[0].fd, TUNSETOFFLOAD, off) < 0) {
		log_err("virtio-net: TUNSETOFFLOAD 0x%x: %s", off, strerror(errno));
		return -errno;
	}
	virtio_net_tap_steer(net);
	return 0;
}

static void virtio_net_reset(struct virtio_dev *dev)
{
	struct virtio_net *net = to_net(dev);

	unsigned i;

	/* Reads and writes in flight finish unreported; a waiting packet is dropped. */
	net->generation++;
	net->active_pairs = 1; /* §5.1.6.5.5: one pair until the driver asks for more */
	for (i = 0; i < net->max_pairs; i++) {
		net->pairs[i].rx_len = 0;
		net->pairs[i].tx_starved = false;
	}
}

static const struct virtio_dev_ops virtio_net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .config_read = virtio_net_config_read,
    .activate = virtio_net_activate,
    .queue_notify = virtio_net_queue_notify,
    .reset = virtio_net_reset,
};

/* ---- set-up ---- */

/* Probe the receive offloads this TAP accepts, then start with none. */
static int virtio_net_tap_probe(struct virtio_net *net, int fd)
{
	net->tap_offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	if (ioctl(fd, TUNSETOFFLOAD, net->tap_offloads) < 0)
		net->tap_offloads = ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM) < 0 ? 0 : TUN_F_CSUM;
	return ioctl(fd, TUNSETOFFLOAD, 0) < 0 ? -errno : 0;
}

/* One fd per queue pair; IFF_MULTI_QUEUE when there is more than one. */
static int virtio_net_tap_open(struct virtio_net *net, const char *name)
{
	int hdr = VIRTIO_NET_HDR_LEN;
	unsigned i;
	int ret;

	net->own_fds = true;
	for (i = 0; i < net->max_pairs; i++) {
		struct ifreq ifr;
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			ret = -errno;
			log_err("virtio-net: /dev/net/tun: %s", strerror(errno));
			return ret;
		}
		net->pairs[i].fd = fd;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_flags =
		    IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (net->max_pairs > 1 ? IFF_MULTI_QUEUE : 0);
		/* Attaches to an existing TAP, or creates one with CAP_NET_ADMIN. */
		if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
			ret = -errno;
			log_err("virtio-net: TAP %s: %s", name, strerror(errno));
			return ret;
		}
	}
	net->tap = true;
	return virtio_net_tap_probe(net, net->pairs[0].fd);
}

static uint64_t virtio_net_features(const struct virtio_net *net)
{
	/* Transmit offloads: the TAP's vnet header path accepts them all. */
	uint64_t f = VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
		     VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
		     VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6) |
		     VIRTIO_BIT(VIRTIO_NET_F_HOST_ECN) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |
		     VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	unsigned rx = net->tap ? net->tap_offloads : TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	/* Receive offloads only as far as the backend can be told to stop (§5.1.3.1). */
	if (rx & TUN_F_CSUM)
		f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	if ((rx & TUN_F_CSUM) && (rx & TUN_F_TSO4))
		f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4);
	if ((rx & TUN_F_CSUM) && (rx & TUN_F_TSO6))
		f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6);
	if ((rx & TUN_F_TSO_ECN) && (rx & (TUN_F_TSO4 | TUN_F_TSO6)))
		f |= VIRTIO_BIT(VIRTIO_NET_F_GUEST_ECN);
	if (net->max_pairs > 1)
		f |= VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_MQ);
	return f;
}

static int virtio_net_set_mac(struct virtio_net *net, const struct virtio_net_opts *o)
{
	if (o->mac_set) {
		memcpy(net->cfg.mac, o->mac, 6);
		return 0;
	}
	/* 52:54:00 plus three random bytes, the customary local range. */
	net->cfg.mac[0] = 0x52;
	net->cfg.mac[1] = 0x54;
	net->cfg.mac[2] = 0x00;
	return getrandom(net->cfg.mac + 3, 3, 0) == 3 ? 0 : -EIO;
}

static int virtio_net_alloc_pairs(struct virtio_net *net, const struct virtio_net_opts *o)
{
	uint64_t now = monotonic_ns();
	unsigned i;

	/* One budget per direction for the whole device, shared by its pairs. */
	rate_limiter_init(&net->rx_rl, o->bw, o->iops, now);
	rate_limiter_init(&net->tx_rl, o->bw, o->iops, now);
	net->pairs = calloc(net->max_pairs, sizeof(*net->pairs));
	if (!net->pairs)
		return -ENOMEM;
	for (i = 0; i < net->max_pairs; i++) {
		struct virtio_net_pair *p = &net->pairs[i];

		p->net = net;
		p->index = i;
		p->fd = o->tap ? -1 : o->fds[i];
		p->tx_signal.run = virtio_net_tx_signal;
		p->rx_buf = malloc(VIRTIO_NET_RX_MAX);
		p->tx = calloc(VIRTIO_NET_QUEUE_MAX, sizeof(*p->tx));
		if (!p->rx_buf || !p->tx)
			return -ENOMEM;
	}
	return 0;
}

int virtio_net_init(struct virtio_net *net, const struct virtio_net_opts *o,
		    const struct guest_mem *gm, struct iothread *io)
{
	unsigned nq;
	int ret;

	memset(net, 0, sizeof(*net));
	net->max_pairs = o->queue_pairs ? o->queue_pairs : 1;
	net->active_pairs = 1;
	if (!io || net->max_pairs > VIRTIO_NET_MAX_PAIRS)
		return -EINVAL;
	net->io = io;
	ret = virtio_net_alloc_pairs(net, o);
	if (ret < 0)
		goto err;
	if (o->tap) {
		ret = virtio_net_tap_open(net, o->tap);
		if (ret < 0)
			goto err;
	}
	ret = virtio_net_set_mac(net, o);
	if (ret < 0)
		goto err;
	net->cfg.status = htole16(VIRTIO_NET_S_LINK_UP);
	net->cfg.max_virtqueue_pairs = htole16((uint16_t)net->max_pairs);
	/* Pairs, then the control queue when there is more than one pair. */
	nq = 2 * net->max_pairs + (net->max_pairs > 1);
	/* Config up to max_virtqueue_pairs: mtu and later fields need features we skip. */
	ret = virtio_dev_init(&net->dev, &virtio_net_ops, gm, nq, VIRTIO_NET_QUEUE_MAX,
			      virtio_net_features(net), offsetof(struct virtio_net_config, mtu));
	if (ret < 0)
		goto err;
	return 0;
err:
	virtio_net_fini(net);
	return ret;
}

int virtio_net_drain(struct virtio_net *net, uint64_t timeout_ns)
{
	uint64_t end = monotonic_ns() + timeout_ns;
	unsigned i;

	for (i = 0; i < net->max_pairs; i++) {
		while (net->pairs[i].tx_inflight) {
			int ret;

			if (monotonic_ns() >= end)
				return -ETIMEDOUT;
			ret = iothread_poll(net->io, 100000000ULL);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

void virtio_net_fini(struct virtio_net *net)
{
	unsigned i;

	virtio_dev_fini(&net->dev);
	for (i = 0; net->pairs && i < net->max_pairs; i++) {
		struct virtio_net_pair *p = &net->pairs[i];

		free(p->rx_buf);
		free(p->tx);
		if (net->own_fds && p->fd >= 0)
			close(p->fd);
	}
	free(net->pairs);
	net->pairs = NULL;
}
