/*
 * hw/plic through its io_dev_ops and plic_set_irq(), with a fake hart
 * interrupt sink: priorities, thresholds, enables per context, claim and
 * complete, level-triggered re-assertion, WARL fields, bad guest accesses,
 * and concurrent line changes from several threads.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "hw/plic.h"
#include "tests/test.h"

#define NHARTS 2
#define NDEV   40

struct fake_harts {
	bool level[NHARTS][4]; /* [hart][mode] */
	unsigned changes;
};

static void fake_set_ext_irq(void *opaque, unsigned hart, unsigned mode, bool level)
{
	struct fake_harts *f = opaque;

	if (hart < NHARTS && mode < 4) {
		f->level[hart][mode] = level;
		f->changes++;
	}
}

static uint32_t rd(struct plic *p, uint64_t off)
{
	return (uint32_t)plic_io_ops.read(p, off, 4);
}

static void wr(struct plic *p, uint64_t off, uint32_t v)
{
	plic_io_ops.write(p, off, v, 4);
}

static uint64_t prio(unsigned src)
{
	return 4ULL * src;
}

static uint64_t enable(unsigned ctx, unsigned src)
{
	return 0x2000 + 0x80ULL * ctx + 4 * (src / 32);
}

static uint64_t thresh(unsigned ctx)
{
	return 0x200000 + 0x1000ULL * ctx;
}

static uint64_t claim(unsigned ctx)
{
	return thresh(ctx) + 4;
}

static struct plic *make(struct fake_harts *f)
{
	struct plic_config cfg = {
	    .nharts = NHARTS, .ndev = NDEV, .set_ext_irq = fake_set_ext_irq, .opaque = f};

	memset(f, 0, sizeof(*f));
	return plic_create(&cfg);
}

static void test_create(void)
{
	struct fake_harts f;
	struct plic_config cfg = {.nharts = 0, .ndev = 1, .set_ext_irq = fake_set_ext_irq};
	struct plic *p;

	CHECK(plic_create(&cfg) == NULL && errno == EINVAL);
	cfg.nharts = PLIC_MAX_HARTS + 1;
	CHECK(plic_create(&cfg) == NULL);
	cfg.nharts = 1;
	cfg.ndev = PLIC_MAX_SOURCES + 1;
	CHECK(plic_create(&cfg) == NULL);
	cfg.ndev = 0;
	CHECK(plic_create(&cfg) == NULL);
	p = make(&f);
	CHECK(p != NULL);
	/* Each context announced low once. */
	CHECK_EQ(f.changes, 2 * NHARTS);
	plic_destroy(p);
}

static void test_basic_claim(void)
{
	struct fake_harts f;
	struct plic *p = make(&f);

	/* Source 10 pending but priority 0: never interrupts. */
	wr(p, enable(1, 10), 1u << 10); /* hart 0 S-mode */
	plic_set_irq(p, 10, true);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, 0x1000), 1u << 10); /* pending */
	CHECK_EQ(rd(p, claim(1)), 0);

	wr(p, prio(10), 1);
	CHECK(f.level[0][PLIC_MODE_S]);
	CHECK(!f.level[0][PLIC_MODE_M]);
	CHECK(!f.level[1][PLIC_MODE_S]);
	CHECK(plic_output(p, 0, PLIC_MODE_S));

	/* Threshold at the priority masks it; below it unmasks. */
	wr(p, thresh(1), 1);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(1)), 0);
	wr(p, thresh(1), 0);
	CHECK(f.level[0][PLIC_MODE_S]);

	/* Claim: returns the id, clears pending, drops the output. */
	CHECK_EQ(rd(p, claim(1)), 10);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, 0x1000), 0);
	/* Line still high: no new request before complete. */
	plic_set_irq(p, 10, true);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(1)), 0);
	/* Complete with the line high: pending again. */
	wr(p, claim(1), 10);
	CHECK(f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(1)), 10);
	/* Line drops, then complete: nothing pending. */
	plic_set_irq(p, 10, false);
	wr(p, claim(1), 10);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, 0x1000), 0);

	/* A line that drops before it is claimed is no longer pending. */
	plic_set_irq(p, 10, true);
	CHECK(f.level[0][PLIC_MODE_S]);
	plic_set_irq(p, 10, false);
	CHECK(!f.level[0][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(1)), 0);
	CHECK_EQ(atomic_load(&plic_counters(p)->bad_access), 0);
	plic_destroy(p);
}

static void test_priority_order(void)
{
	struct fake_harts f;
	struct plic *p = make(&f);

	/* Hart 1 M-mode (context 2) enables 3, 5 and 33 (second word). */
	wr(p, enable(2, 3), (1u << 3) | (1u << 5));
	wr(p, enable(2, 33), 1u << 1);
	wr(p, prio(3), 2);
	wr(p, prio(5), 2);
	wr(p, prio(33), 5);
	plic_set_irq(p, 3, true);
	plic_set_irq(p, 5, true);
	plic_set_irq(p, 33, true);
	CHECK(f.level[1][PLIC_MODE_M]);
	CHECK(!f.level[1][PLIC_MODE_S]);
	CHECK(!f.level[0][PLIC_MODE_M]);
	/* Highest priority first, then the lowest id among equals. */
	CHECK_EQ(rd(p, claim(2)), 33);
	CHECK_EQ(rd(p, claim(2)), 3);
	CHECK_EQ(rd(p, claim(2)), 5);
	CHECK_EQ(rd(p, claim(2)), 0);
	CHECK(!f.level[1][PLIC_MODE_M]);
	/* Threshold 2 masks 3 and 5 after completion but not 33. */
	wr(p, thresh(2), 2);
	wr(p, claim(2), 3);
	wr(p, claim(2), 5);
	CHECK(!f.level[1][PLIC_MODE_M]);
	wr(p, claim(2), 33);
	CHECK(f.level[1][PLIC_MODE_M]);
	CHECK_EQ(rd(p, claim(2)), 33);
	/* Disabling for the context drops the output too. */
	wr(p, claim(2), 33);
	CHECK(f.level[1][PLIC_MODE_M]);
	wr(p, enable(2, 33), 0);
	CHECK(!f.level[1][PLIC_MODE_M]);

	/* The same source enabled in two contexts: whoever claims first gets it. */
	wr(p, enable(0, 7), 1u << 7);
	wr(p, enable(3, 7), 1u << 7);
	wr(p, prio(7), 1);
	wr(p, thresh(2), 0);
	plic_set_irq(p, 3, false);
	plic_set_irq(p, 5, false);
	plic_set_irq(p, 7, true);
	CHECK(f.level[0][PLIC_MODE_M] && f.level[1][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(3)), 7);
	CHECK(!f.level[0][PLIC_MODE_M] && !f.level[1][PLIC_MODE_S]);
	CHECK_EQ(rd(p, claim(0)), 0);
	plic_destroy(p);
}

static void test_warl_and_bad(void)
{
	struct fake_harts f;
	struct plic *p = make(&f);
	const struct plic_counters *c = plic_counters(p);

	/* Priorities and thresholds clip to 3 bits; source 0 stays 0. */
	wr(p, prio(1), 0xffffffff);
	CHECK_EQ(rd(p, prio(1)), PLIC_MAX_PRIORITY);
	wr(p, prio(0), 5);
	CHECK_EQ(rd(p, prio(0)), 0);
	wr(p, prio(NDEV + 1), 5);
	CHECK_EQ(rd(p, prio(NDEV + 1)), 0);
	wr(p, thresh(3), 100);
	CHECK_EQ(rd(p, thresh(3)), PLIC_MAX_PRIORITY);
	/* Enable bits: source 0 and sources above ndev are hardwired 0. */
	wr(p, enable(0, 0), 0xffffffff);
	CHECK_EQ(rd(p, enable(0, 0)), 0xfffffffe);
	wr(p, enable(0, 32), 0xffffffff);
	CHECK_EQ(rd(p, enable(0, 32)), (1u << (NDEV - 32 + 1)) - 1);
	wr(p, enable(0, 64), 0xffffffff);
	CHECK_EQ(rd(p, enable(0, 64)), 0);
	CHECK_EQ(atomic_load(&c->bad_access), 0);

	/* Bad guest accesses are counted and harmless. */
	CHECK_EQ(plic_io_ops.read(p, 0, 8), 0);
	plic_io_ops.write(p, 2, 1, 4);
	plic_io_ops.write(p, 4, 1, 2);
	CHECK_EQ(rd(p, thresh(2 * NHARTS)), 0);		/* no such context */
	wr(p, enable(2 * NHARTS, 1), 0xff);		/* no such context */
	wr(p, 0x1000, 0xffffffff);			/* pending is read-only */
	wr(p, claim(0), 0);				/* complete id 0 */
	wr(p, claim(0), NDEV + 1);			/* complete out of range */
	wr(p, claim(1), 2);				/* not enabled there */
	CHECK_EQ(rd(p, thresh(0) + 8), 0);		/* hole in a context */
	CHECK_EQ(plic_io_ops.read(p, PLIC_SIZE, 4), 0); /* past the window */
	CHECK_EQ(atomic_load(&c->bad_access), 11);
	CHECK_EQ(rd(p, 0x1000), 0);

	/* Host-side bad source numbers are counted, not fatal. */
	plic_set_irq(p, 0, true);
	plic_set_irq(p, NDEV + 1, true);
	CHECK_EQ(atomic_load(&c->bad_source), 2);
	plic_destroy(p);
}

static void test_irq_line(void)
{
	struct fake_harts f;
	struct plic *p = make(&f);
	struct irq_line l = plic_irq_line(p, 12);

	wr(p, enable(1, 12), 1u << 12);
	wr(p, prio(12), 3);
	irq_line_set(&l, true);
	CHECK(f.level[0][PLIC_MODE_S]);
	irq_line_set(&l, false);
	CHECK(!f.level[0][PLIC_MODE_S]);
	plic_destroy(p);
}

struct thr_arg {
	struct plic *p;
	unsigned src;
};

static void *toggler(void *opaque)
{
	struct thr_arg *a = opaque;

	for (int i = 0; i < 20000; i++)
		plic_set_irq(a->p, a->src, i & 1);
	plic_set_irq(a->p, a->src, true);
	return NULL;
}

/* Lines toggled from several threads end in a consistent state. */
static void test_threads(void)
{
	struct fake_harts f;
	struct plic *p = make(&f);
	pthread_t t[4];
	struct thr_arg a[4];
	unsigned got = 0;

	wr(p, enable(1, 0), 0x1e);
	for (unsigned i = 0; i < 4; i++) {
		wr(p, prio(1 + i), 1);
		a[i] = (struct thr_arg){p, 1 + i};
		pthread_create(&t[i], NULL, toggler, &a[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		uint32_t id = rd(p, claim(1));

		if (id)
			wr(p, claim(1), id);
	}
	for (unsigned i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(f.level[0][PLIC_MODE_S]);
	for (uint32_t id; (id = rd(p, claim(1))) != 0;)
		got |= 1u << id;
	CHECK_EQ(got, 0x1e);
	CHECK(!f.level[0][PLIC_MODE_S]);
	plic_destroy(p);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random guest accesses and line changes (fixed seed): nothing crashes
 * (ASan/UBSan build), and after every step each context's signalled level
 * is the PLIC's own output and matches what a claim finds.
 */
static void test_random(void)
{
	static const unsigned sizes[] = {1, 2, 4, 4, 4, 8};
	struct fake_harts f;
	struct plic *p = make(&f);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned mismatches = 0;

	for (int i = 0; i < 20000; i++) {
		uint64_t r = rng_next(&seed), off;
		unsigned ctx = (unsigned)(r >> 8) % (2 * NHARTS + 1);

		switch (r % 8) {
		case 0:
			plic_set_irq(p, (unsigned)(r >> 16) % (NDEV + 2), r >> 40 & 1);
			break;
		case 1:
			wr(p, prio((unsigned)(r >> 16) % (NDEV + 2)), (uint32_t)(r >> 32) & 3);
			break;
		case 2:
			wr(p, enable(ctx, (unsigned)(r >> 16) % 64), (uint32_t)(r >> 32));
			break;
		case 3:
			wr(p, thresh(ctx), (uint32_t)(r >> 32) & 3);
			break;
		case 4:
			(void)rd(p, claim(ctx));
			break;
		case 5:
			wr(p, claim(ctx), (uint32_t)(r >> 16) % (NDEV + 2));
			break;
		default:
			off = (r >> 16) % (PLIC_SIZE + 16);
			if (r & 0x100)
				plic_io_ops.write(p, off, r >> 32, sizes[(r >> 9) % 6]);
			else
				(void)plic_io_ops.read(p, off, sizes[(r >> 9) % 6]);
		}
		for (unsigned h = 0; h < NHARTS; h++)
			for (unsigned m = 1; m <= 3; m += 2)
				if (f.level[h][m] != plic_output(p, h, m))
					mismatches++;
	}
	CHECK_EQ(mismatches, 0);
	/* A raised output always has something to claim. */
	for (unsigned ctx = 0; ctx < 2 * NHARTS; ctx++) {
		bool up = plic_output(p, ctx / 2, ctx & 1 ? PLIC_MODE_S : PLIC_MODE_M);
		uint32_t id = rd(p, claim(ctx));

		CHECK(!up || id != 0);
		if (id)
			wr(p, claim(ctx), id);
	}
	plic_destroy(p);
}

int main(void)
{
	test_create();
	test_basic_claim();
	test_priority_order();
	test_warl_and_bad();
	test_irq_line();
	test_threads();
	test_random();
	return test_result("plic");
}
