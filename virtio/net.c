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

#define NET_RXQ	    0u
#define NET_TXQ	    1u
#define NET_MAX_IOV 64u

struct virtio_net_tx {
	struct io_task task;
	struct virtio_net *net;
	struct virtio_net_tx *next_free;
	uint32_t gen;
	struct virtq_req vr;
	struct iovec iov[NET_MAX_IOV];
};

static void virtio_net_rx_read(struct virtio_net *net);

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

static void virtio_net_rx_run(struct virtio_net *net);
static void virtio_net_tx_run(struct virtio_net *net);

static void virtio_net_rx_timer(struct io_timer *tm)
{
	struct virtio_net *net = container_of(tm, struct virtio_net, rx_timer);

	virtio_dev_lock(&net->dev);
	if (virtio_dev_live(&net->dev))
		virtio_net_rx_run(net);
	virtio_dev_unlock(&net->dev);
}

static void virtio_net_tx_timer(struct io_timer *tm)
{
	struct virtio_net *net = container_of(tm, struct virtio_net, tx_timer);

	virtio_dev_lock(&net->dev);
	if (virtio_dev_live(&net->dev))
		virtio_net_tx_run(net);
	virtio_dev_unlock(&net->dev);
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
	o->fd = -1;
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
static bool virtio_net_rx_deliver(struct virtio_net *net)
{
	struct virtq *vq = &net->dev.vq[NET_RXQ];
	bool mrg = virtio_dev_has_feature(&net->dev, VIRTIO_NET_F_MRG_RXBUF);
	struct iovec first_iov[NET_MAX_IOV], iov[NET_MAX_IOV];
	struct virtq_req first = {.iov = first_iov, .iov_max = NET_MAX_IOV};
	struct virtq_req cur = {.iov = iov, .iov_max = NET_MAX_IOV};
	uint32_t done = 0;
	uint16_t nbufs = 0;

	while (done < net->rx_len) {
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
		if (!mrg && r->in_len < net->rx_len) {
			/* Bigger than the driver's buffers: drop it, keep the buffer. */
			virtq_unpop(vq, 1);
			net->rx_dropped++;
			net->rx_len = 0;
			return true;
		}
		n = (uint32_t)virtq_req_write(r, 0, net->rx_buf + done, net->rx_len - done);
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
	net->rx_len = 0;
	return true;
}

/* Deliver what is waiting, then keep one read in flight while there is room. */
static void virtio_net_rx_run(struct virtio_net *net)
{
	struct virtq *vq = &net->dev.vq[NET_RXQ];

	if (!vq->enabled || vq->broken)
		return;
	if (net->rx_len) {
		uint32_t len = net->rx_len;

		if (!virtio_net_admit(net, &net->rx_rl, &net->rx_timer, virtio_net_rx_timer))
			return;
		if (!virtio_net_rx_deliver(net))
			return; /* the driver kicks rx when it posts more */
		if (!rate_limiter_unlimited(&net->rx_rl))
			rate_limiter_charge(&net->rx_rl, len - VIRTIO_NET_HDR_LEN, monotonic_ns());
		virtio_dev_signal_used(&net->dev, NET_RXQ);
	}
	if (!net->rx_inflight && virtq_enable_notify(vq))
		virtio_net_rx_read(net);
}

static void virtio_net_rx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_net *net = container_of(task, struct virtio_net, rx_task);

	virtio_dev_lock(&net->dev);
	net->rx_inflight = false;
	if (net->rx_gen != net->generation) {
		/* Reset meanwhile: the packet is dropped. */
	} else if (res > (int)VIRTIO_NET_HDR_LEN) {
		net->rx_len = (uint32_t)res;
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
		virtio_net_rx_run(net);
	virtio_dev_unlock(&net->dev);
}

static void virtio_net_rx_read(struct virtio_net *net)
{
	struct io_uring_sqe *sqe = iothread_sqe(net->io, &net->rx_task);

	if (!sqe)
		return;
	io_uring_prep_read(sqe, net->fd, net->rx_buf, VIRTIO_NET_RX_MAX, (__u64)-1);
	net->rx_task.complete = virtio_net_rx_done;
	net->rx_gen = net->generation;
	net->rx_inflight = true;
}

/* ---- transmit (§5.1.6.2) ---- */

static struct virtio_net_tx *virtio_net_tx_get(struct virtio_net *net)
{
	struct virtio_net_tx *t = net->tx_free;

	if (t)
		net->tx_free = t->next_free;
	else if (net->tx_unused < VIRTIO_NET_QUEUE_MAX)
		t = &net->tx[net->tx_unused++];
	else
		return NULL;
	t->net = net;
	t->vr.iov = t->iov;
	t->vr.iov_max = NET_MAX_IOV;
	return t;
}

static void virtio_net_tx_put(struct virtio_net_tx *t)
{
	t->next_free = t->net->tx_free;
	t->net->tx_free = t;
}

static void virtio_net_tx_signal(struct io_deferred *d)
{
	struct virtio_net *net = container_of(d, struct virtio_net, tx_signal);

	virtio_dev_lock(&net->dev);
	virtio_dev_signal_used(&net->dev, NET_TXQ);
	virtio_dev_unlock(&net->dev);
}

static void virtio_net_tx_done(struct io_task *task, int res, uint32_t flags)
{
	struct virtio_net_tx *t = container_of(task, struct virtio_net_tx, task);
	struct virtio_net *net = t->net;

	virtio_dev_lock(&net->dev);
	net->tx_inflight--;
	if (t->gen == net->generation) {
		if (res < 0) {
			net->tx_errors++; /* the frame is lost, as on a wire */
			log_debug("virtio-net: backend write failed: %s", strerror(-res));
		} else {
			net->tx_packets++;
		}
		/* §5.1.6.2.1: a transmit buffer is returned with length 0. */
		virtq_push(&net->dev.vq[NET_TXQ], t->vr.head, 0);
		iothread_defer(net->io, &net->tx_signal);
	}
	virtio_net_tx_put(t);
	if (net->tx_starved && virtio_dev_live(&net->dev)) {
		net->tx_starved = false;
		virtio_net_tx_run(net);
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
	virtq_push(&net->dev.vq[NET_TXQ], t->vr.head, 0);
	return false;
}

static void virtio_net_tx_run(struct virtio_net *net)
{
	struct virtq *vq = &net->dev.vq[NET_TXQ];
	bool answered = false;

	for (;;) {
		struct virtio_net_tx *t = virtio_net_tx_get(net);
		struct io_uring_sqe *sqe;
		int ret;

		if (!t) {
			net->tx_starved = true;
			break;
		}
		if (!virtio_net_admit(net, &net->tx_rl, &net->tx_timer, virtio_net_tx_timer)) {
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
		io_uring_prep_writev(sqe, net->fd, t->vr.iov, t->vr.n_out, (__u64)-1);
		t->task.complete = virtio_net_tx_done;
		net->tx_inflight++;
	}
	if (answered)
		virtio_dev_signal_used(&net->dev, NET_TXQ);
}

/* ---- device ops ---- */

static void virtio_net_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_net *net = to_net(dev);

	if (q == NET_RXQ)
		virtio_net_rx_run(net);
	else
		virtio_net_tx_run(net);
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
	if (net->tap && ioctl(net->fd, TUNSETOFFLOAD, off) < 0) {
		log_err("virtio-net: TUNSETOFFLOAD 0x%x: %s", off, strerror(errno));
		return -errno;
	}
	return 0;
}

static void virtio_net_reset(struct virtio_dev *dev)
{
	struct virtio_net *net = to_net(dev);

	/* Reads and writes in flight finish unreported; a waiting packet is dropped. */
	net->generation++;
	net->rx_len = 0;
	net->tx_starved = false;
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

static int virtio_net_tap_open(struct virtio_net *net, const char *name)
{
	struct ifreq ifr;
	int hdr = VIRTIO_NET_HDR_LEN;
	int ret;

	net->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (net->fd < 0) {
		ret = -errno;
		log_err("virtio-net: /dev/net/tun: %s", strerror(errno));
		return ret;
	}
	net->own_fd = true;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	/* Attaches to an existing TAP, or creates one with CAP_NET_ADMIN. */
	if (ioctl(net->fd, TUNSETIFF, &ifr) < 0 || ioctl(net->fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		ret = -errno;
		log_err("virtio-net: TAP %s: %s", name, strerror(errno));
		return ret;
	}
	net->tap = true;
	/* Probe the receive offloads this TAP accepts, then start with none. */
	net->tap_offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	if (ioctl(net->fd, TUNSETOFFLOAD, net->tap_offloads) < 0)
		net->tap_offloads = ioctl(net->fd, TUNSETOFFLOAD, TUN_F_CSUM) < 0 ? 0 : TUN_F_CSUM;
	if (ioctl(net->fd, TUNSETOFFLOAD, 0) < 0)
		return -errno;
	return 0;
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

int virtio_net_init(struct virtio_net *net, const struct virtio_net_opts *o,
		    const struct guest_mem *gm, struct iothread *io)
{
	int ret;

	memset(net, 0, sizeof(*net));
	net->fd = -1;
	if (!io || (!o->tap && o->fd < 0))
		return -EINVAL;
	net->io = io;
	net->tx_signal.run = virtio_net_tx_signal;
	if (o->tap) {
		ret = virtio_net_tap_open(net, o->tap);
		if (ret < 0)
			goto err;
	} else {
		net->fd = o->fd;
	}
	ret = virtio_net_set_mac(net, o);
	if (ret < 0)
		goto err;
	rate_limiter_init(&net->rx_rl, o->bw, o->iops, monotonic_ns());
	rate_limiter_init(&net->tx_rl, o->bw, o->iops, monotonic_ns());
	net->cfg.status = htole16(VIRTIO_NET_S_LINK_UP);
	net->cfg.max_virtqueue_pairs = htole16(1);
	ret = -ENOMEM;
	net->rx_buf = malloc(VIRTIO_NET_RX_MAX);
	net->tx = calloc(VIRTIO_NET_QUEUE_MAX, sizeof(*net->tx));
	if (!net->rx_buf || !net->tx)
		goto err;
	/* Config up to max_virtqueue_pairs: mtu and later fields need features we skip. */
	ret = virtio_dev_init(&net->dev, &virtio_net_ops, gm, 2, VIRTIO_NET_QUEUE_MAX,
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

	while (net->tx_inflight) {
		int ret;

		if (monotonic_ns() >= end)
			return -ETIMEDOUT;
		ret = iothread_poll(net->io, 100000000ULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void virtio_net_fini(struct virtio_net *net)
{
	virtio_dev_fini(&net->dev);
	free(net->rx_buf);
	free(net->tx);
	net->rx_buf = NULL;
	net->tx = NULL;
	if (net->own_fd && net->fd >= 0)
		close(net->fd);
	net->fd = -1;
}
