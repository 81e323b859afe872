/* Token buckets on a fake clock: burst, refill, debt, delays, grants. */
#include "common/log.h"
#include "tests/test.h"
#include "virtio/ratelimit.h"

#define S 1000000000ULL

static void test_unlimited(void)
{
	struct rate_limiter rl;

	rate_limiter_init(&rl, 0, 0, 0);
	CHECK(rate_limiter_unlimited(&rl));
	CHECK(rate_limiter_take(&rl, 1ULL << 40, 0));
	CHECK_EQ(rate_limiter_grant(&rl, 12345, 0), 12345);
	CHECK_EQ(rate_limiter_delay_ns(&rl, 1ULL << 40, 0), 0);
}

static void test_bytes(void)
{
	struct rate_limiter rl;
	unsigned i, n = 0;
	uint64_t t;

	rate_limiter_init(&rl, 1000, 0, 0);
	/* One second of burst, then nothing until time passes. */
	CHECK(rate_limiter_take(&rl, 600, 0));
	CHECK(rate_limiter_take(&rl, 400, 0));
	CHECK(!rate_limiter_take(&rl, 1, 0));
	CHECK_EQ(rate_limiter_delay_ns(&rl, 100, 0), S / 10);
	CHECK(!rate_limiter_take(&rl, 100, S / 10 - 1));
	CHECK(rate_limiter_take(&rl, 100, S / 10));
	/* Over ten simulated seconds in 1 ms steps, ~10000 bytes pass. */
	rate_limiter_init(&rl, 1000, 0, 0);
	for (t = 0; t <= 10 * S; t += S / 1000)
		for (i = 0; i < 5 && rate_limiter_take(&rl, 10, t); i++)
			n += 10;
	CHECK(n >= 10900 && n <= 11000);
	/* Refill never exceeds the burst. */
	rate_limiter_init(&rl, 1000, 0, 0);
	CHECK(rate_limiter_take(&rl, 1000, 0));
	CHECK(rate_limiter_take(&rl, 1000, 100 * S));
	CHECK(!rate_limiter_take(&rl, 1, 100 * S));
}

static void test_debt(void)
{
	struct rate_limiter rl;

	/* A 5000-byte request through a 1000 B/s bucket: allowed when full, then debt. */
	rate_limiter_init(&rl, 1000, 0, 0);
	CHECK(rate_limiter_take(&rl, 5000, 0));
	CHECK(!rate_limiter_take(&rl, 1, 3 * S));
	CHECK_EQ(rate_limiter_delay_ns(&rl, 1, 3 * S), S + S / 1000);
	CHECK(rate_limiter_take(&rl, 1, 4 * S + S / 1000));
}

static void test_ops(void)
{
	struct rate_limiter rl;

	rate_limiter_init(&rl, 0, 2, 0);
	CHECK(rate_limiter_take(&rl, 1 << 20, 0));
	CHECK(rate_limiter_take(&rl, 1 << 20, 0));
	CHECK(!rate_limiter_take(&rl, 0, 0));
	CHECK_EQ(rate_limiter_delay_ns(&rl, 0, 0), S / 2);
	CHECK(rate_limiter_take(&rl, 0, S / 2));
}

static void test_grant(void)
{
	struct rate_limiter rl;

	rate_limiter_init(&rl, 100, 0, 0);
	CHECK_EQ(rate_limiter_grant(&rl, 64, 0), 64);
	CHECK_EQ(rate_limiter_grant(&rl, 64, 0), 36);
	CHECK_EQ(rate_limiter_grant(&rl, 64, 0), 0);
	CHECK_EQ(rate_limiter_grant(&rl, 64, S / 10), 10);
}

static void test_charge(void)
{
	struct rate_limiter rl;

	/* 1000 B/s: a 3000-byte packet goes when not in debt, then 2 s of wait. */
	rate_limiter_init(&rl, 1000, 0, 0);
	CHECK(rate_limiter_ready(&rl, 0));
	rate_limiter_charge(&rl, 3000, 0);
	CHECK(!rate_limiter_ready(&rl, S));
	CHECK_EQ(rate_limiter_delay_ns(&rl, 0, S), S);
	CHECK(rate_limiter_ready(&rl, 2 * S));
	/* Ops bucket: 10/s, the eleventh operation waits 100 ms. */
	rate_limiter_init(&rl, 0, 10, 0);
	for (int i = 0; i < 10; i++) {
		CHECK(rate_limiter_ready(&rl, 0));
		rate_limiter_charge(&rl, 1500, 0);
	}
	CHECK(!rate_limiter_ready(&rl, 0));
	CHECK(rate_limiter_ready(&rl, S / 10));
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_unlimited();
	test_bytes();
	test_debt();
	test_ops();
	test_grant();
	test_charge();
	return test_result("test_ratelimit");
}
