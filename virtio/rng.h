/*
 * virtio-rng, the entropy device (virtio 1.2 §5.4): one request queue whose
 * writable buffers are filled from the host's getrandom(), optionally
 * limited to a number of bytes per second (--rng bw=N).
 */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include "virtio/iothread.h"
#include "virtio/ratelimit.h"
#include "virtio/virtio.h"

#define VIRTIO_RNG_QUEUE_MAX 64u

struct virtio_rng_opts {
	uint64_t bw; /* bytes/s, 0 = unlimited */
};

struct virtio_rng {
	struct virtio_dev dev;
	struct iothread *io; /* for the rate limit timer; may be NULL if bw = 0 */
	struct rate_limiter rl;
	struct io_timer timer;
	uint64_t bytes; /* entropy handed out */
};

/* Parse a --rng value in place: "" or "bw=N". */
int virtio_rng_parse(char *spec, struct virtio_rng_opts *o, char *err, size_t errlen) must_check;

int virtio_rng_init(struct virtio_rng *rng, const struct virtio_rng_opts *o,
		    const struct guest_mem *gm, struct iothread *io) must_check;
void virtio_rng_fini(struct virtio_rng *rng);

#endif
