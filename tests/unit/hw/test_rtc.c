/* MC146818 RTC through ports 0x70/0x71: formats, setting the time, UIP. */
#include <string.h>
#include <time.h>

#include "hw/rtc.h"
#include "tests/test.h"

#define REG_A	 0x0a
#define REG_B	 0x0b
#define REG_C	 0x0c
#define REG_D	 0x0d
#define UIP	 0x80
#define B_SET	 0x80
#define B_UIE	 0x10
#define B_BINARY 0x04
#define B_24H	 0x02

static struct timespec fake_ts;

static void fake_now(struct timespec *ts)
{
	*ts = fake_ts;
}

/* 2024-02-29 13:05:09 UTC, a Thursday. */
static void set_fake(int64_t extra_s, long ns)
{
	struct tm tm = {
	    .tm_year = 124, .tm_mon = 1, .tm_mday = 29, .tm_hour = 13, .tm_min = 5, .tm_sec = 9};

	fake_ts.tv_sec = timegm(&tm) + extra_s;
	fake_ts.tv_nsec = ns;
}

static uint8_t rd(struct rtc *r, uint8_t idx)
{
	rtc_io_ops.write(r, 0, idx, 1);
	return (uint8_t)rtc_io_ops.read(r, 1, 1);
}

static void wr(struct rtc *r, uint8_t idx, uint8_t v)
{
	rtc_io_ops.write(r, 0, idx, 1);
	rtc_io_ops.write(r, 1, v, 1);
}

static int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* The registers as a time_t, in the format register B selects (24 h). */
static time_t read_clock(struct rtc *r, bool binary, int *dow)
{
	struct tm tm = {0};
	uint8_t raw[8];
	int v[8];
	unsigned i;
	static const uint8_t idx[8] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32, 0x06};

	for (i = 0; i < 8; i++)
		raw[i] = rd(r, idx[i]);
	for (i = 0; i < 8; i++)
		v[i] = binary ? raw[i] : from_bcd(raw[i]);
	tm.tm_sec = v[0];
	tm.tm_min = v[1];
	tm.tm_hour = v[2];
	tm.tm_mday = v[3];
	tm.tm_mon = v[4] - 1;
	tm.tm_year = v[6] * 100 + v[5] - 1900;
	*dow = v[7];
	return timegm(&tm);
}

static void wait_uip_low(struct rtc *r)
{
	struct timespec pause = {0, 50000};
	unsigned i;

	/* Bounded: UIP is high about 2 ms per second. */
	for (i = 0; i < 100000 && (rd(r, REG_A) & UIP); i++)
		nanosleep(&pause, NULL);
}

/* The device's clock source (time() may be a coarser clock). */
static time_t realtime_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Against the host's own clock; a second may tick during the reads. */
static void test_host_time(void)
{
	struct rtc *r = rtc_create(NULL);
	unsigned mode;

	CHECK(r != NULL);
	for (mode = 0; mode < 2; mode++) {
		bool binary = mode == 1;
		time_t before, after, t, again;
		unsigned tries = 0;
		struct tm host;
		int dow;

		wr(r, REG_B, B_24H | (binary ? B_BINARY : 0));
		before = realtime_s();
		/* Like Linux: re-read until two snapshots agree (no torn read). */
		do {
			wait_uip_low(r);
			t = read_clock(r, binary, &dow);
			again = read_clock(r, binary, &dow);
		} while (t != again && ++tries < 5);
		after = realtime_s();
		CHECK(t >= before && t <= after);
		gmtime_r(&t, &host);
		CHECK_EQ(dow, host.tm_wday + 1);
	}
	rtc_destroy(r);
}

static void test_uip_real_clock(void)
{
	struct rtc *r = rtc_create(NULL);
	struct timespec pause = {0, 50000};
	struct timespec start, now;
	bool low = false;

	CHECK(r != NULL);
	CHECK_EQ(rd(r, REG_A) & 0x7f, 0x26); /* 32.768 kHz divider, 1024 Hz rate */
	/*
	 * A driver polling UIP sees it low: it is high about 2 ms a second.
	 * (That it rises is checked against a fake clock below: sampling a
	 * 2 ms window on a loaded host would be a timing assertion.)
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		low = !(rd(r, REG_A) & UIP);
		if (!low)
			nanosleep(&pause, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!low && now.tv_sec - start.tv_sec < 10);
	CHECK(low);
	rtc_destroy(r);
}

static void test_uip_window(void)
{
	struct rtc *r = rtc_create(NULL);

	CHECK(r != NULL);
	rtc_set_clock(r, fake_now);
	set_fake(0, 500000000);
	CHECK_EQ(rd(r, REG_A) & UIP, 0);
	set_fake(0, 999800000);
	CHECK_EQ(rd(r, REG_A) & UIP, UIP);
	set_fake(1, 1000000);
	CHECK_EQ(rd(r, REG_A) & UIP, UIP);
	set_fake(1, 2000000);
	CHECK_EQ(rd(r, REG_A) & UIP, 0);
	/* SET clears UIP. */
	set_fake(0, 999800000);
	wr(r, REG_B, B_24H | B_SET);
	CHECK_EQ(rd(r, REG_A) & UIP, 0);
	/* UIP is read-only. */
	wr(r, REG_B, B_24H);
	set_fake(0, 0);
	wr(r, REG_A, 0xa6);
	set_fake(0, 500000000);
	CHECK_EQ(rd(r, REG_A), 0x26);
	rtc_destroy(r);
}

static void test_formats(void)
{
	struct rtc *r = rtc_create(NULL);

	CHECK(r != NULL);
	rtc_set_clock(r, fake_now);
	set_fake(0, 0);
	/* Default: 24 h, BCD. */
	CHECK_EQ(rd(r, REG_B), B_24H);
	CHECK_EQ(rd(r, 0x00), 0x09);
	CHECK_EQ(rd(r, 0x02), 0x05);
	CHECK_EQ(rd(r, 0x04), 0x13);
	CHECK_EQ(rd(r, 0x06), 0x05); /* Thursday: Sunday is 1 */
	CHECK_EQ(rd(r, 0x07), 0x29);
	CHECK_EQ(rd(r, 0x08), 0x02);
	CHECK_EQ(rd(r, 0x09), 0x24);
	CHECK_EQ(rd(r, 0x32), 0x20);
	wr(r, REG_B, B_24H | B_BINARY);
	CHECK_EQ(rd(r, 0x00), 9);
	CHECK_EQ(rd(r, 0x04), 13);
	CHECK_EQ(rd(r, 0x07), 29);
	CHECK_EQ(rd(r, 0x09), 24);
	CHECK_EQ(rd(r, 0x32), 20);
	/* 12-hour: bit 7 is PM; midnight and noon are 12. */
	wr(r, REG_B, B_BINARY);
	CHECK_EQ(rd(r, 0x04), 0x81);
	wr(r, REG_B, 0);
	CHECK_EQ(rd(r, 0x04), 0x81);
	set_fake(-13 * 3600, 0);
	CHECK_EQ(rd(r, 0x04), 0x12);
	set_fake(-3600, 0);
	CHECK_EQ(rd(r, 0x04), 0x92);
	set_fake(-2 * 3600, 0);
	CHECK_EQ(rd(r, 0x04), 0x11);
	rtc_destroy(r);
}

/* Linux's mc146818_set_time(): SET, divider reset, write, release. */
static void test_set_time(void)
{
	struct rtc *r = rtc_create(NULL);
	const struct rtc_counters *c;
	int dow;

	CHECK(r != NULL);
	c = rtc_counters(r);
	rtc_set_clock(r, fake_now);
	set_fake(0, 0);
	wr(r, REG_B, B_24H | B_SET);
	wr(r, REG_A, 0x70 | 0x06);
	wr(r, 0x00, 0x58);
	wr(r, 0x02, 0x59);
	wr(r, 0x04, 0x23);
	wr(r, 0x07, 0x31);
	wr(r, 0x08, 0x12);
	wr(r, 0x09, 0x99);
	wr(r, 0x32, 0x19);
	set_fake(100, 0); /* frozen: time does not move */
	CHECK_EQ(rd(r, 0x00), 0x58);
	CHECK_EQ(rd(r, 0x09), 0x99);
	wr(r, REG_B, B_24H);
	wr(r, REG_A, 0x26);
	CHECK_EQ(rd(r, 0x00), 0x58);
	set_fake(103, 0);
	CHECK_EQ(read_clock(r, false, &dow), 946684801); /* 2000-01-01 00:00:01 */
	CHECK_EQ(dow, 7);				 /* a Saturday */
	CHECK_EQ(rd(r, 0x32), 0x20);
	/* A write while the clock runs moves it too. */
	wr(r, REG_B, B_24H | B_BINARY);
	wr(r, 0x02, 30);
	CHECK_EQ(rd(r, 0x02), 30);
	set_fake(163, 0);
	CHECK_EQ(rd(r, 0x02), 31);
	CHECK_EQ(rd(r, 0x00), 1);
	/* Values the format cannot hold are refused and counted. */
	wr(r, 0x00, 60);
	wr(r, 0x08, 0);
	wr(r, REG_B, B_24H);
	wr(r, 0x00, 0x1a);
	wr(r, 0x04, 0x24);
	wr(r, REG_B, 0);
	wr(r, 0x04, 0x13);
	wr(r, 0x04, 0x80);
	CHECK_EQ(atomic_load(&c->bad_value), 6);
	wr(r, REG_B, B_24H | B_BINARY);
	CHECK_EQ(rd(r, 0x00), 1);
	CHECK_EQ(rd(r, 0x08), 1);
	/* 12-hour writes: 12 AM is 0 h, 12 PM is 12 h. */
	wr(r, REG_B, 0);
	wr(r, 0x04, 0x12);
	wr(r, REG_B, B_24H);
	CHECK_EQ(rd(r, 0x04), 0x00);
	wr(r, REG_B, 0);
	wr(r, 0x04, 0x92);
	wr(r, REG_B, B_24H);
	CHECK_EQ(rd(r, 0x04), 0x12);
	/* Day of week writes are accepted and ignored. */
	wr(r, 0x06, 0x03);
	CHECK_EQ(rd(r, 0x06), 0x07);
	rtc_destroy(r);
}

static void test_regs_and_ram(void)
{
	struct rtc *r = rtc_create(NULL);
	const struct rtc_counters *c;

	CHECK(r != NULL);
	c = rtc_counters(r);
	rtc_set_clock(r, fake_now);
	set_fake(0, 500000000);
	CHECK_EQ(rd(r, REG_D), 0x80);
	CHECK_EQ(rd(r, REG_C), 0x10); /* an update happened since power-on */
	CHECK_EQ(rd(r, REG_C), 0x00); /* read clears */
	set_fake(1, 500000000);
	CHECK_EQ(rd(r, REG_C), 0x10);
	wr(r, REG_B, B_24H | B_UIE);
	set_fake(2, 500000000);
	CHECK_EQ(rd(r, REG_C), 0x90);
	/* SET clears UIE. */
	wr(r, REG_B, B_24H | B_UIE | B_SET);
	CHECK_EQ(rd(r, REG_B), B_24H | B_SET);
	wr(r, REG_B, B_24H);
	wr(r, REG_C, 0xff);
	wr(r, REG_D, 0x00);
	CHECK_EQ(atomic_load(&c->ro_write), 2);
	CHECK_EQ(rd(r, REG_D), 0x80);
	/* RAM, alarm bytes; index bit 7 (NMI mask) ignored. */
	wr(r, 0x40, 0xab);
	wr(r, 0x7f, 0xcd);
	wr(r, 0x01, 0x30);
	CHECK_EQ(rd(r, 0x40), 0xab);
	CHECK_EQ(rd(r, 0x80 | 0x40), 0xab);
	CHECK_EQ(rd(r, 0xff), 0xcd);
	CHECK_EQ(rd(r, 0x01), 0x30);
	CHECK_EQ(rtc_io_ops.read(r, 0, 1), 0xff);
	/* Bad sizes and offsets. */
	CHECK_EQ(rtc_io_ops.read(r, 1, 2), 0xffff);
	CHECK_EQ(rtc_io_ops.read(r, 2, 1), 0xff);
	rtc_io_ops.write(r, 0, 0x40, 2);
	rtc_io_ops.write(r, 1, 0x00, 4);
	CHECK_EQ(atomic_load(&c->bad_access), 4);
	CHECK_EQ(rd(r, 0x40), 0xab);
	rtc_destroy(r);
}

int main(void)
{
	test_host_time();
	test_uip_real_clock();
	test_uip_window();
	test_formats();
	test_set_time();
	test_regs_and_ram();
	return test_result("rtc");
}
