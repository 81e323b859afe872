/*
 * virtio-rng, virtio 1.2 §5.4. The device may fill less than a buffer
 * (§5.4.6: the used length says how much), which is how the rate limit
 * hands out only the bytes it has.
 */
#include "virtio/rng.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"
#include "virtio/opts.h"

static struct virtio_rng *to_rng(struct virtio_dev *dev)
{
	return container_of(dev, struct virtio_rng, dev);
}

/* Fill up to @want bytes of the request's writable buffers. */
static uint32_t virtio_rng_fill(const struct virtq_req *req, uint32_t want)
{
	uint32_t done = 0;
	unsigned i;

	for (i = req->n_out; i < req->n_out + req->n_in && done < want; i++) {
		uint8_t *p = req->iov[i].iov_base;
		size_t len = MIN(req->iov[i].iov_len, (size_t)(want - done));

		while (len) {
			ssize_t n = getrandom(p, len, 0);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				log_err("virtio-rng: getrandom: %s", strerror(errno));
				return done;
			}
			p += n;
			len -= (size_t)n;
			done += (uint32_t)n;
		}
	}
	return done;
}

static void virtio_rng_timer(struct io_timer *tm)
{
	struct virtio_rng *rng = container_of(tm, struct virtio_rng, timer);

	virtio_dev_process(&rng->dev, 0);
}

/* True when the limiter lets at least one byte out now; else arm the timer. */
static bool virtio_rng_may_run(struct virtio_rng *rng, uint64_t now)
{
	uint64_t delay;

	if (rate_limiter_unlimited(&rng->rl))
		return true;
	delay = rate_limiter_delay_ns(&rng->rl, 1, now);
	if (!delay)
		return true;
	if (!rng->timer.armed && rng->io &&
	    iothread_timer(rng->io, &rng->timer, delay, virtio_rng_timer) < 0)
		log_err("virtio-rng: cannot arm the rate limit timer");
	return false;
}

static void virtio_rng_queue_notify(struct virtio_dev *dev, unsigned q)
{
	struct virtio_rng *rng = to_rng(dev);
	struct virtq *vq = &dev->vq[q];
	struct iovec iov[32];
	struct virtq_req req = {.iov = iov, .iov_max = ARRAY_SIZE(iov)};
	bool pushed = false;
	int ret;

	while (virtio_rng_may_run(rng, monotonic_ns()) && (ret = virtq_pop(vq, &req)) != 0) {
		uint32_t n;

		if (ret < 0) {
			virtio_dev_needs_reset(dev);
			break;
		}
		if (req.in_len == 0) /* guest-controlled: nothing we may write */
			guest_err(&dev->guest_errors,
				  "virtio-rng: request without a writable buffer");
		n = (uint32_t)rate_limiter_grant(&rng->rl, req.in_len, monotonic_ns());
		n = virtio_rng_fill(&req, n);
		rng->bytes += n;
		virtq_push(vq, req.head, n);
		pushed = true;
	}
	if (pushed)
		virtio_dev_signal_used(dev, q);
}

static const struct virtio_dev_ops virtio_rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .queue_notify = virtio_rng_queue_notify,
};

int virtio_rng_parse(char *spec, struct virtio_rng_opts *o, char *err, size_t errlen)
{
	char *cur = spec, *k, *v;
	int ret;

	memset(o, 0, sizeof(*o));
	while ((ret = virtio_opts_next(&cur, &k, &v)) > 0) {
		if (strcmp(k, "bw")) {
			snprintf(err, errlen, "--rng: unknown option '%s'", k);
			return -EINVAL;
		}
		if (virtio_opts_u64(v, &o->bw) < 0) {
			snprintf(err, errlen, "--rng: bad value '%s' for bw", v);
			return -EINVAL;
		}
	}
	if (ret < 0) {
		snprintf(err, errlen, "--rng: expected key=value pairs");
		return -EINVAL;
	}
	return 0;
}

int virtio_rng_init(struct virtio_rng *rng, const struct virtio_rng_opts *o,
		    const struct guest_mem *gm, struct iothread *io)
{
	memset(rng, 0, sizeof(*rng));
	/* A limit needs the I/O thread's timer to resume. */
	if (o->bw && !io)
		return -EINVAL;
	rng->io = io;
	rate_limiter_init(&rng->rl, o->bw, 0, monotonic_ns());
	/* §5.4.3: no device-specific features; §5.4.4: no config space. */
	return virtio_dev_init(
	    &rng->dev, &virtio_rng_ops, gm, 1, VIRTIO_RNG_QUEUE_MAX,
	    VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC), 0);
}

void virtio_rng_fini(struct virtio_rng *rng)
{
	virtio_dev_fini(&rng->dev);
}
