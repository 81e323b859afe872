/*
 * hw/aclint through its io_dev_ops and the vCPU-loop API, on a fake clock
 * the test moves by hand (no timing assertions): mtime at 10 MHz, mtime
 * writes, mtimecmp (64-bit and halves) raising and dropping MTIP, the
 * deadline a sleeping hart would wait for, MSIP, bad accesses; then one
 * monotonicity check on the real clock.
 */
#include <errno.h>
#include <string.h>

#include "hw/aclint.h"
#include "tests/test.h"

#define NHARTS 3

struct fake {
	bool msip[NHARTS], mtip[NHARTS];
	unsigned msip_calls, mtip_calls;
	uint64_t now;
};

static void fake_msip(void *opaque, unsigned hart, bool level)
{
	struct fake *f = opaque;

	if (hart < NHARTS)
		f->msip[hart] = level;
	f->msip_calls++;
}

static void fake_mtip(void *opaque, unsigned hart, bool level)
{
	struct fake *f = opaque;

	if (hart < NHARTS)
		f->mtip[hart] = level;
	f->mtip_calls++;
}

static uint64_t fake_now(void *opaque)
{
	return ((struct fake *)opaque)->now;
}

static struct aclint *make(struct fake *f, uint64_t start)
{
	struct aclint_config cfg = {.nharts = NHARTS,
				    .set_msip = fake_msip,
				    .set_mtip = fake_mtip,
				    .opaque = f,
				    .now_ns = fake_now,
				    .clock_opaque = f};

	memset(f, 0, sizeof(*f));
	f->now = start;
	return aclint_create(&cfg);
}

static uint64_t rd(struct aclint *a, uint64_t off, unsigned size)
{
	return aclint_io_ops.read(a, off, size);
}

static void wr(struct aclint *a, uint64_t off, uint64_t v, unsigned size)
{
	aclint_io_ops.write(a, off, v, size);
}

static uint64_t cmp(unsigned hart)
{
	return ACLINT_MTIMECMP_BASE + 8ULL * hart;
}

static void test_create(void)
{
	struct fake f;
	struct aclint_config cfg = {.nharts = 0, .set_msip = fake_msip, .set_mtip = fake_mtip};
	struct aclint *a;

	CHECK(aclint_create(&cfg) == NULL && errno == EINVAL);
	cfg.nharts = ACLINT_MAX_HARTS + 1;
	CHECK(aclint_create(&cfg) == NULL);
	cfg.nharts = 1;
	cfg.set_mtip = NULL;
	CHECK(aclint_create(&cfg) == NULL);
	a = make(&f, 5000);
	CHECK(a != NULL);
	CHECK_EQ(f.msip_calls, NHARTS);
	CHECK_EQ(f.mtip_calls, NHARTS);
	/* No timer armed at reset: mtimecmp is all ones. */
	CHECK_EQ(rd(a, cmp(0), 8), UINT64_MAX);
	CHECK_EQ(aclint_next_deadline_ns(a, ACLINT_ALL_HARTS), ACLINT_NO_DEADLINE);
	CHECK_EQ(aclint_next_deadline_ns(a, 1), ACLINT_NO_DEADLINE);
	aclint_destroy(a);
}

static void test_mtime(void)
{
	struct fake f;
	struct aclint *a = make(&f, 1000000);

	CHECK_EQ(aclint_mtime(a), 0);
	f.now += 99;
	CHECK_EQ(aclint_mtime(a), 0);
	f.now += 1;
	CHECK_EQ(aclint_mtime(a), 1); /* 100 ns per tick at 10 MHz */
	f.now += 1000000000;
	CHECK_EQ(aclint_mtime(a), 10000001);
	CHECK_EQ(rd(a, ACLINT_MTIME, 8), 10000001);
	CHECK_EQ(rd(a, ACLINT_MTIME, 4), 10000001);
	CHECK_EQ(rd(a, ACLINT_MTIME + 4, 4), 0);

	/* A guest write sets mtime; it keeps counting from there. */
	wr(a, ACLINT_MTIME, 0x123456789ULL, 8);
	CHECK_EQ(aclint_mtime(a), 0x123456789ULL);
	f.now += 500;
	CHECK_EQ(rd(a, ACLINT_MTIME, 8), 0x12345678eULL);
	CHECK_EQ(rd(a, ACLINT_MTIME + 4, 4), 1);
	/* 32-bit halves. */
	wr(a, ACLINT_MTIME + 4, 7, 4);
	CHECK_EQ(aclint_mtime(a), 0x72345678eULL);
	wr(a, ACLINT_MTIME, 0, 4);
	CHECK_EQ(aclint_mtime(a), 0x700000000ULL);
	aclint_destroy(a);
}

static void test_timer(void)
{
	struct fake f;
	struct aclint *a = make(&f, 12345);
	uint64_t dl;

	/* Hart 1 wants a tick at mtime 1000 (100 us from start). */
	wr(a, cmp(1), 1000, 8);
	CHECK_EQ(rd(a, cmp(1), 8), 1000);
	CHECK(!f.mtip[1]);
	dl = aclint_next_deadline_ns(a, 1);
	CHECK_EQ(dl, 12345 + 1000 * 100);
	CHECK_EQ(aclint_next_deadline_ns(a, ACLINT_ALL_HARTS), dl);
	CHECK_EQ(aclint_next_deadline_ns(a, 0), ACLINT_NO_DEADLINE);

	f.now = dl - 1;
	aclint_update(a);
	CHECK(!f.mtip[1]);
	f.now = dl;
	aclint_update(a);
	CHECK(f.mtip[1]);
	CHECK(!f.mtip[0] && !f.mtip[2]);
	CHECK_EQ(aclint_next_deadline_ns(a, 1), ACLINT_NO_DEADLINE);
	CHECK_EQ(aclint_next_deadline_ns(a, ACLINT_ALL_HARTS), ACLINT_NO_DEADLINE);

	/* Moving mtimecmp ahead drops MTIP at once (the handler's re-arm). */
	unsigned calls = f.mtip_calls;

	wr(a, cmp(1), 2000, 8);
	CHECK(!f.mtip[1]);
	CHECK_EQ(f.mtip_calls, calls + 1);
	/* Several harts: the earliest deadline wins. */
	wr(a, cmp(2), 1500, 8);
	CHECK_EQ(aclint_next_deadline_ns(a, ACLINT_ALL_HARTS), 12345 + 1500 * 100);
	/* A compare value already passed raises MTIP on the write itself. */
	wr(a, cmp(0), 5, 8);
	CHECK(f.mtip[0]);
	/* 32-bit halves, as RV32 firmware writes them. */
	wr(a, cmp(0), 0xffffffff, 4);
	wr(a, cmp(0) + 4, 0, 4);
	CHECK_EQ(rd(a, cmp(0), 8), 0xffffffffULL);
	CHECK_EQ(rd(a, cmp(0) + 4, 4), 0);
	CHECK(!f.mtip[0]);
	/* Writing mtime forward fires timers too; backward drops them. */
	wr(a, ACLINT_MTIME, 1600, 8);
	CHECK(f.mtip[2]);
	CHECK(!f.mtip[1]);
	wr(a, ACLINT_MTIME, 0, 8);
	CHECK(!f.mtip[2]);
	/* A compare value too far to express in ns: no deadline, no wrap. */
	wr(a, cmp(0), UINT64_MAX - 1, 8);
	wr(a, cmp(1), UINT64_MAX, 8);
	wr(a, cmp(2), UINT64_MAX, 8);
	CHECK_EQ(aclint_next_deadline_ns(a, ACLINT_ALL_HARTS), ACLINT_NO_DEADLINE);
	CHECK_EQ(atomic_load(&aclint_counters(a)->bad_access), 0);
	aclint_destroy(a);
}

static void test_msip_and_bad(void)
{
	struct fake f;
	struct aclint *a = make(&f, 0);
	const struct aclint_counters *c = aclint_counters(a);

	wr(a, ACLINT_MSIP_BASE + 8, 0xffffffff, 4); /* hart 2 */
	CHECK(f.msip[2] && !f.msip[0] && !f.msip[1]);
	CHECK_EQ(rd(a, ACLINT_MSIP_BASE + 8, 4), 1); /* bits 31:1 read 0 */
	unsigned calls = f.msip_calls;

	wr(a, ACLINT_MSIP_BASE + 8, 1, 4); /* no change: no call */
	CHECK_EQ(f.msip_calls, calls);
	wr(a, ACLINT_MSIP_BASE + 8, 2, 4); /* bit 0 clear */
	CHECK(!f.msip[2]);
	CHECK_EQ(atomic_load(&c->bad_access), 0);

	/* Counted and ignored. */
	wr(a, ACLINT_MSIP_BASE + 4 * NHARTS, 1, 4); /* no such hart */
	wr(a, ACLINT_MSIP_BASE + 1, 1, 1);	    /* byte write */
	wr(a, ACLINT_MSIP_BASE, 1, 8);		    /* 8-byte msip */
	wr(a, cmp(NHARTS), 1, 8);		    /* no such hart */
	wr(a, cmp(0) + 2, 1, 2);		    /* misaligned half */
	wr(a, cmp(0) + 4, 1, 8);		    /* misaligned 8-byte */
	CHECK_EQ(rd(a, ACLINT_MTIME + 2, 2), 0);    /* 2-byte mtime */
	CHECK_EQ(rd(a, ACLINT_SIZE, 4), 0);	    /* past the window */
	CHECK_EQ(rd(a, ACLINT_MTIME - 8, 8), 0);    /* hole before mtime */
	CHECK_EQ(atomic_load(&c->bad_access), 9);
	CHECK(!f.msip[0]);
	CHECK_EQ(rd(a, cmp(0), 8), UINT64_MAX);
	aclint_destroy(a);
}

static void test_real_clock(void)
{
	struct fake f = {0};
	struct aclint_config cfg = {
	    .nharts = 1, .set_msip = fake_msip, .set_mtip = fake_mtip, .opaque = &f};
	struct aclint *a = aclint_create(&cfg);
	uint64_t t0, t1;

	CHECK(a != NULL);
	if (!a)
		return;
	t0 = aclint_mtime(a);
	t1 = aclint_mtime(a);
	CHECK(t1 >= t0);
	/* A compare value already reached raises MTIP; update() keeps it. */
	wr(a, cmp(0), 0, 8);
	aclint_update(a);
	CHECK(f.mtip[0]);
	aclint_destroy(a);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random accesses and clock steps (fixed seed): no crash, and after every
 * step each hart's MTIP is exactly mtime >= mtimecmp once update() ran.
 */
static void test_random(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct fake f;
	struct aclint *a = make(&f, 777);
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	unsigned bad = 0;

	for (int i = 0; i < 20000; i++) {
		uint64_t r = rng_next(&seed), v = rng_next(&seed) % 3000;
		uint64_t off = (r >> 16) % (ACLINT_SIZE + 16);

		switch (r % 4) {
		case 0:
			f.now += v * 10;
			break;
		case 1:
			wr(a, cmp((unsigned)(r >> 8) % NHARTS), aclint_mtime(a) + v - 1000, 8);
			break;
		case 2:
			wr(a, off, r & 0x10000 ? v : r, sizes[(r >> 8) % 4]);
			break;
		default:
			(void)rd(a, off, sizes[(r >> 8) % 4]);
		}
		aclint_update(a);
		for (unsigned h = 0; h < NHARTS; h++)
			if (f.mtip[h] != (aclint_mtime(a) >= rd(a, cmp(h), 8)))
				bad++;
	}
	CHECK_EQ(bad, 0);
	aclint_destroy(a);
}

int main(void)
{
	test_create();
	test_mtime();
	test_timer();
	test_msip_and_bad();
	test_real_clock();
	test_random();
	return test_result("aclint");
}
