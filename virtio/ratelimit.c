/* Token buckets: see ratelimit.h. */
#include "virtio/ratelimit.h"

#include "common/compiler.h"

#define NS_PER_S 1000000000ULL

static void rate_bucket_init(struct rate_bucket *b, uint64_t rate, uint64_t now_ns)
{
	b->rate = rate;
	b->burst = rate > INT64_MAX ? INT64_MAX : (int64_t)rate;
	b->tokens = b->burst;
	b->last_ns = now_ns;
}

void rate_limiter_init(struct rate_limiter *rl, uint64_t bytes_per_s, uint64_t ops_per_s,
		       uint64_t now_ns)
{
	rate_bucket_init(&rl->bytes, bytes_per_s, now_ns);
	rate_bucket_init(&rl->ops, ops_per_s, now_ns);
}

static void rate_bucket_refill(struct rate_bucket *b, uint64_t now_ns)
{
	uint64_t dt;
	unsigned __int128 add;

	if (!b->rate || now_ns <= b->last_ns)
		return;
	dt = now_ns - b->last_ns;
	add = (unsigned __int128)dt * b->rate / NS_PER_S;
	if (add == 0)
		return; /* keep last_ns so sub-token intervals accumulate */
	/* Advance the clock only by the time the whole tokens account for. */
	b->last_ns += (uint64_t)(add * NS_PER_S / b->rate);
	if (add >= (unsigned __int128)(b->burst - b->tokens)) {
		b->tokens = b->burst;
		b->last_ns = now_ns;
	} else {
		b->tokens += (int64_t)add;
	}
}

/* Tokens an operation of @n needs before it may start. */
static int64_t rate_bucket_need(const struct rate_bucket *b, uint64_t n)
{
	return n > (uint64_t)b->burst ? b->burst : (int64_t)n;
}

static bool rate_bucket_ok(const struct rate_bucket *b, uint64_t n)
{
	return !b->rate || b->tokens >= rate_bucket_need(b, n);
}

static void rate_bucket_spend(struct rate_bucket *b, uint64_t n)
{
	if (b->rate)
		b->tokens -= n > (uint64_t)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)n;
}

bool rate_limiter_take(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns)
{
	rate_bucket_refill(&rl->bytes, now_ns);
	rate_bucket_refill(&rl->ops, now_ns);
	if (!rate_bucket_ok(&rl->bytes, bytes) || !rate_bucket_ok(&rl->ops, 1))
		return false;
	rate_bucket_spend(&rl->bytes, bytes);
	rate_bucket_spend(&rl->ops, 1);
	return true;
}

uint64_t rate_limiter_grant(struct rate_limiter *rl, uint64_t want, uint64_t now_ns)
{
	uint64_t n = want;

	rate_bucket_refill(&rl->bytes, now_ns);
	rate_bucket_refill(&rl->ops, now_ns);
	if (!rate_bucket_ok(&rl->ops, 1))
		return 0;
	if (rl->bytes.rate) {
		if (rl->bytes.tokens <= 0)
			return 0;
		n = MIN(want, (uint64_t)rl->bytes.tokens);
	}
	rate_bucket_spend(&rl->bytes, n);
	rate_bucket_spend(&rl->ops, 1);
	return n;
}

bool rate_limiter_ready(struct rate_limiter *rl, uint64_t now_ns)
{
	return rate_limiter_delay_ns(rl, 0, now_ns) == 0;
}

void rate_limiter_charge(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns)
{
	rate_bucket_refill(&rl->bytes, now_ns);
	rate_bucket_refill(&rl->ops, now_ns);
	rate_bucket_spend(&rl->bytes, bytes);
	rate_bucket_spend(&rl->ops, 1);
}

static uint64_t rate_bucket_delay(struct rate_bucket *b, uint64_t n)
{
	unsigned __int128 missing;

	if (rate_bucket_ok(b, n))
		return 0;
	missing = (unsigned __int128)(rate_bucket_need(b, n) - b->tokens);
	/* Round up so that waking after the delay finds enough tokens. */
	return (uint64_t)((missing * NS_PER_S + b->rate - 1) / b->rate);
}

uint64_t rate_limiter_delay_ns(struct rate_limiter *rl, uint64_t bytes, uint64_t now_ns)
{
	rate_bucket_refill(&rl->bytes, now_ns);
	rate_bucket_refill(&rl->ops, now_ns);
	return MAX(rate_bucket_delay(&rl->bytes, bytes), rate_bucket_delay(&rl->ops, 1));
}
