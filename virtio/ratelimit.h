/*
 * Token buckets for device I/O: one for bytes, one for operations (the
 * drive and net options bw= and iops=). A bucket holds at most one second
 * of its rate and refills continuously. An operation larger than the
 * bucket is let through when the bucket is full and leaves it in debt, so
 * the long-run rate still holds.
 *
 * Pure arithmetic on a caller-supplied clock, so tests need no sleeping.
 * Not thread-safe: each limiter belongs to one device queue.
 */
#ifndef VMM_VIRTIO_RATELIMIT_H
#define VMM_VIRTIO_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_bucket {
	uint64_t rate; /* units per second; 0 means unlimited */
	int64_t burst;
	int64_t tokens; /* negative: debt */
	uint64_t last_ns;
};

struct rate_limiter {
	struct rate_bucket bytes;
	struct rate_bucket ops;
};

void rate_limiter_init(struct rate_limiter *rl, uint64_t bytes_per_s, uint64_t ops_per_s,
		       uint64_t now_ns);

static inline bool rate_limiter_unlimited(const struct rate_limiter *rl)
{
	return !rl->bytes.rate && !rl->ops.rate;
}

/* Take one operation of @bytes, all or nothing. */
bool rate_limiter_take(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns);

/*
 * Take one operation of at most @want bytes and return how many were
 * granted (0: none now). For devices that may complete short (rng).
 */
uint64_t rate_limiter_grant(struct rate_limiter *rl, uint64_t want, uint64_t now_ns);

/*
 * For devices that learn an operation's size only after starting it (a
 * packet): rate_limiter_ready() says whether neither bucket is in debt,
 * rate_limiter_charge() then spends the real cost, debt allowed.
 */
bool rate_limiter_ready(struct rate_limiter *rl, uint64_t now_ns);
void rate_limiter_charge(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns);

/* Nanoseconds until rate_limiter_take(@bytes) would succeed (0: now). */
uint64_t rate_limiter_delay_ns(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns);

#endif
