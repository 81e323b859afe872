/*
 * Goldfish RTC through its io_dev_ops, as Linux's rtc-goldfish drives it,
 * on fake clocks: reading the time (TIME_LOW latches TIME_HIGH), setting it
 * (only the offset moves), alarms (future, past, disarmed, interrupt
 * enable/clear, the deadline the machine's timer sleeps to), bad accesses,
 * and that the real clock reads as now.
 */
#include <string.h>
#include <time.h>

#include "hw/goldfish_rtc.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

#define NS 1000000000ULL

static uint64_t fake_real = 1767225600ULL * NS + 123; /* 2026-01-01 00:00:00 UTC */
static uint64_t fake_mono = 5000 * NS;

static uint64_t fake_realtime(void *opaque)
{
	return fake_real;
}

static uint64_t fake_monotonic(void *opaque)
{
	return fake_mono;
}

static void advance(uint64_t ns)
{
	fake_real += ns;
	fake_mono += ns;
}

static const struct goldfish_rtc_clock fake_clock = {
    .realtime_ns = fake_realtime,
    .monotonic_ns = fake_monotonic,
};

static struct fake_irq irq_state;

static struct goldfish_rtc *setup(void)
{
	struct irq_line irq;
	struct goldfish_rtc *r;

	memset(&irq_state, 0, sizeof(irq_state));
	irq = fake_irq_line(&irq_state, 11);
	r = goldfish_rtc_create(&irq, &fake_clock);
	CHECK(r != NULL);
	return r;
}

static uint32_t rd(struct goldfish_rtc *r, uint64_t off)
{
	return (uint32_t)goldfish_rtc_io_ops.read(r, off, 4);
}

static void wr(struct goldfish_rtc *r, uint64_t off, uint32_t v)
{
	goldfish_rtc_io_ops.write(r, off, v, 4);
}

/* rtc-goldfish's goldfish_rtc_read_time(): low, then high. */
static uint64_t read_time(struct goldfish_rtc *r)
{
	uint64_t lo = rd(r, GOLDFISH_RTC_TIME_LOW);

	return (uint64_t)rd(r, GOLDFISH_RTC_TIME_HIGH) << 32 | lo;
}

/* goldfish_rtc_set_time(): high, then low. */
static void set_time(struct goldfish_rtc *r, uint64_t t)
{
	wr(r, GOLDFISH_RTC_TIME_HIGH, (uint32_t)(t >> 32));
	wr(r, GOLDFISH_RTC_TIME_LOW, (uint32_t)t);
}

/* goldfish_rtc_set_alarm() with alrm->enabled. */
static void set_alarm(struct goldfish_rtc *r, uint64_t t)
{
	wr(r, GOLDFISH_RTC_ALARM_HIGH, (uint32_t)(t >> 32));
	wr(r, GOLDFISH_RTC_ALARM_LOW, (uint32_t)t);
	wr(r, GOLDFISH_RTC_IRQ_ENABLED, 1);
}

static void test_read_time(void)
{
	struct goldfish_rtc *r = setup();
	uint32_t lo;

	CHECK_EQ(read_time(r), fake_real);
	/* The high half is the one latched with the low read, even across a carry. */
	fake_real = (5ULL << 32) | 0xfffffff0u;
	lo = rd(r, GOLDFISH_RTC_TIME_LOW);
	fake_real += 0x100; /* the low half wraps, the live high half would be 6 */
	CHECK_EQ(lo, 0xfffffff0u);
	CHECK_EQ(rd(r, GOLDFISH_RTC_TIME_HIGH), 5);
	fake_real = 1767225600ULL * NS + 123;
	advance(7);
	CHECK_EQ(read_time(r), fake_real);
	CHECK(!irq_state.level);
	goldfish_rtc_destroy(r);
}

static void test_set_time(void)
{
	struct goldfish_rtc *r = setup();
	uint64_t host0 = fake_real, want = 946684800ULL * NS; /* 2000-01-01 */

	set_time(r, want);
	CHECK_EQ(read_time(r), want);
	CHECK_EQ(fake_real, host0); /* the host clock is not touched */
	advance(3 * NS);
	CHECK_EQ(read_time(r), want + 3 * NS); /* and it runs on */
	/* A half written alone replaces that half of the running time. */
	wr(r, GOLDFISH_RTC_TIME_HIGH, 0x12345678);
	CHECK_EQ(read_time(r) >> 32, 0x12345678);
	CHECK_EQ((uint32_t)read_time(r), (uint32_t)(want + 3 * NS));
	goldfish_rtc_destroy(r);
}

static void test_alarm(void)
{
	struct goldfish_rtc *r = setup();
	uint64_t t = read_time(r) + 2 * NS;

	CHECK_EQ(goldfish_rtc_next_deadline_ns(r), UINT64_MAX); /* none armed */
	set_alarm(r, t);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 1);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_LOW), (uint32_t)t);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_HIGH), (uint32_t)(t >> 32));
	CHECK_EQ(rd(r, GOLDFISH_RTC_IRQ_ENABLED), 1);
	CHECK_EQ(goldfish_rtc_next_deadline_ns(r), fake_mono + 2 * NS);
	advance(NS);
	goldfish_rtc_update(r); /* early: nothing */
	CHECK(!irq_state.level);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 1);
	advance(NS);
	goldfish_rtc_update(r);
	CHECK(irq_state.level);
	CHECK_EQ(irq_state.rises, 1);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 0); /* one-shot */
	CHECK_EQ(goldfish_rtc_next_deadline_ns(r), UINT64_MAX);
	CHECK_EQ(goldfish_rtc_counters(r)->alarms, 1);
	/* The handler acknowledges: the line drops and stays low. */
	wr(r, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
	CHECK(!irq_state.level);
	advance(10 * NS);
	goldfish_rtc_update(r);
	CHECK(!irq_state.level);
	goldfish_rtc_destroy(r);
}

static void test_alarm_past_and_masked(void)
{
	struct goldfish_rtc *r = setup();

	/* Disabled interrupt: the alarm fires (status drops) but the line stays low. */
	wr(r, GOLDFISH_RTC_ALARM_HIGH, (uint32_t)(read_time(r) >> 32));
	wr(r, GOLDFISH_RTC_ALARM_LOW, (uint32_t)read_time(r) - 1); /* already past */
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 0);
	CHECK(!irq_state.level);
	/* Enabling it later shows the pending interrupt; disabling hides it again. */
	wr(r, GOLDFISH_RTC_IRQ_ENABLED, 1);
	CHECK(irq_state.level);
	wr(r, GOLDFISH_RTC_IRQ_ENABLED, 0);
	CHECK(!irq_state.level);
	wr(r, GOLDFISH_RTC_CLEAR_INTERRUPT, 1);
	wr(r, GOLDFISH_RTC_IRQ_ENABLED, 1);
	CHECK(!irq_state.level);
	/* CLEAR_ALARM disarms: its time passes without an interrupt. */
	set_alarm(r, read_time(r) + NS);
	wr(r, GOLDFISH_RTC_CLEAR_ALARM, 1);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 0);
	CHECK_EQ(goldfish_rtc_next_deadline_ns(r), UINT64_MAX);
	advance(2 * NS);
	goldfish_rtc_update(r);
	CHECK(!irq_state.level);
	/* Alarms are in guest time: after setting the clock back a day the
	 * deadline moves a day later on the host. */
	set_time(r, read_time(r) - 86400 * NS);
	set_alarm(r, read_time(r) + 5 * NS);
	CHECK_EQ(goldfish_rtc_next_deadline_ns(r), fake_mono + 5 * NS);
	/* The last representable time: armed, due centuries from now. */
	set_alarm(r, UINT64_MAX);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 1);
	CHECK(goldfish_rtc_next_deadline_ns(r) > fake_mono + 100ULL * 365 * 86400 * NS);
	goldfish_rtc_destroy(r);
}

static void test_bad_access(void)
{
	struct goldfish_rtc *r = setup();

	CHECK_EQ(goldfish_rtc_io_ops.read(r, GOLDFISH_RTC_TIME_LOW, 8), 0);
	goldfish_rtc_io_ops.write(r, GOLDFISH_RTC_ALARM_LOW, 1, 2);
	CHECK_EQ(rd(r, GOLDFISH_RTC_ALARM_STATUS), 0); /* the short write did nothing */
	CHECK_EQ(rd(r, 0x20), 0);
	CHECK_EQ(rd(r, 0x1), 0);
	wr(r, 0x40, 1);
	CHECK_EQ(goldfish_rtc_counters(r)->bad_access, 5);
	goldfish_rtc_destroy(r);
}

/* The host clocks: the time reads as now, not 1970. */
static void test_host_clock(void)
{
	struct goldfish_rtc *r = goldfish_rtc_create(NULL, NULL);
	struct timespec ts;
	uint64_t t;

	CHECK(r != NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	t = read_time(r);
	CHECK(t / NS >= (uint64_t)ts.tv_sec && t / NS <= (uint64_t)ts.tv_sec + 1);
	goldfish_rtc_destroy(r);
}

int main(void)
{
	test_read_time();
	test_set_time();
	test_alarm();
	test_alarm_past_and_masked();
	test_bad_access();
	test_host_clock();
	return test_result("goldfish_rtc");
}
