/*
 * MC146818 RTC. Register layout and bit meanings follow the Motorola
 * MC146818A data sheet ("Address Map", "Register A".."Register D").
 *
 * Time is not kept in the registers: they are computed on every read from
 * the host clock plus a guest offset, and a write to one of them moves the
 * offset. While the guest holds the clock still (register B SET, or the
 * divider not in its normal 32.768 kHz mode, as Linux does around a time
 * update) reads and writes go to a frozen copy that becomes the new offset
 * when the clock runs again. The day of week is always derived from the
 * date; writes to it are accepted and have no effect.
 *
 * No periodic, alarm or update-ended interrupt is generated (nothing needs
 * them: Linux keeps time with the TSC/kvmclock and only reads the RTC), so
 * the IRQ line is stored for later use only. Register C still reports UF
 * when an update cycle happened since it was last read.
 */
#include "hw/rtc.h"

#include <pthread.h>
#include <stdlib.h>

#include "common/log.h"

/* Address map. */
#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_DAY_OF_WEEK 0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d

/* Register A: update in progress, divider select, rate select. */
#define RTC_A_UIP      0x80
#define RTC_A_DV_MASK  0x70
#define RTC_A_DV_32KHZ 0x20
/* Register B. */
#define RTC_B_SET	0x80
#define RTC_B_UIE	0x10
#define RTC_B_DM_BINARY 0x04
#define RTC_B_24H	0x02
/* Register C. */
#define RTC_C_IRQF 0x80
#define RTC_C_UF   0x10
/* Register D: valid RAM and time (the battery is fine). */
#define RTC_D_VRT 0x80
/* 12-hour format: hours bit 7 is PM. */
#define RTC_HOURS_PM 0x80

/*
 * UIP is high from 244 us before an update until the update cycle (1984 us
 * at 32.768 kHz) is over (data sheet, "Update Cycle"); the time registers
 * change at the start of the second, which is inside that window.
 */
#define RTC_UIP_BEFORE_NS 244000L
#define RTC_UIP_AFTER_NS  1984000L
#define NS_PER_S	  1000000000L

struct rtc {
	pthread_mutex_t lock;
	struct irq_line irq;
	bool has_irq;
	void (*now)(struct timespec *ts);

	uint8_t index;
	uint8_t cmos[RTC_CMOS_SIZE]; /* RAM, alarms, registers A and B */
	int64_t offset_s;	     /* guest time - host time */
	bool frozen;
	struct tm frozen_tm;
	int64_t last_c_read_s; /* guest second of the last register C read */

	struct rtc_counters ctr;
};

static void rtc_host_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

struct rtc *rtc_create(const struct irq_line *irq)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (pthread_mutex_init(&r->lock, NULL)) {
		free(r);
		return NULL;
	}
	if (irq) {
		r->irq = *irq;
		r->has_irq = true;
	}
	r->now = rtc_host_now;
	/* As firmware leaves it: 32.768 kHz, 1024 Hz rate; 24 h, BCD. */
	r->cmos[RTC_REG_A] = RTC_A_DV_32KHZ | 0x06;
	r->cmos[RTC_REG_B] = RTC_B_24H;
	return r;
}

void rtc_destroy(struct rtc *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const struct rtc_counters *rtc_counters(const struct rtc *r)
{
	return &r->ctr;
}

void rtc_set_clock(struct rtc *r, void (*now)(struct timespec *ts))
{
	pthread_mutex_lock(&r->lock);
	r->now = now ? now : rtc_host_now;
	pthread_mutex_unlock(&r->lock);
}

/* Guest time now; *frac_ns gets the position within the second. */
static int64_t rtc_guest_now(const struct rtc *r, long *frac_ns)
{
	struct timespec ts;

	r->now(&ts);
	if (frac_ns)
		*frac_ns = ts.tv_nsec;
	return (int64_t)ts.tv_sec + r->offset_s;
}

static void rtc_guest_tm(const struct rtc *r, struct tm *tm)
{
	time_t t;

	if (r->frozen) {
		*tm = r->frozen_tm;
		return;
	}
	t = (time_t)rtc_guest_now(r, NULL);
	gmtime_r(&t, tm);
}

/* Make @tm the guest's time: a new offset from the host clock. */
static void rtc_set_guest_tm(struct rtc *r, struct tm *tm)
{
	struct timespec ts;

	if (r->frozen) {
		r->frozen_tm = *tm;
		return;
	}
	r->now(&ts);
	r->offset_s = (int64_t)timegm(tm) - (int64_t)ts.tv_sec;
}

static bool rtc_should_freeze(const struct rtc *r)
{
	return (r->cmos[RTC_REG_B] & RTC_B_SET) ||
	       (r->cmos[RTC_REG_A] & RTC_A_DV_MASK) != RTC_A_DV_32KHZ;
}

/* Called after writes to A or B: stop or restart the clock. */
static void rtc_update_freeze(struct rtc *r)
{
	bool freeze = rtc_should_freeze(r);
	struct tm tm;

	if (freeze == r->frozen)
		return;
	if (freeze) {
		rtc_guest_tm(r, &r->frozen_tm);
		r->frozen = true;
		return;
	}
	tm = r->frozen_tm;
	r->frozen = false;
	rtc_set_guest_tm(r, &tm);
}

static bool rtc_binary(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & RTC_B_DM_BINARY;
}

static uint8_t rtc_encode(const struct rtc *r, int v)
{
	if (rtc_binary(r))
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* Returns -1 for a byte that is not valid BCD. */
static int rtc_decode(const struct rtc *r, uint8_t v)
{
	if (rtc_binary(r))
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t rtc_encode_hours(const struct rtc *r, int hour)
{
	int h12;

	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return rtc_encode(r, hour);
	/* 12-hour mode: 12, 1..11 AM, then 12, 1..11 PM with bit 7 set. */
	h12 = hour % 12 ? hour % 12 : 12;
	return rtc_encode(r, h12) | (hour >= 12 ? RTC_HOURS_PM : 0);
}

/* Returns the hour 0..23, or -1 if @v is not valid in the current format. */
static int rtc_decode_hours(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->cmos[RTC_REG_B] & RTC_B_24H) {
		h = rtc_decode(r, v);
		return h >= 0 && h < 24 ? h : -1;
	}
	h = rtc_decode(r, v & (uint8_t)~RTC_HOURS_PM);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (v & RTC_HOURS_PM ? 12 : 0);
}

static uint8_t rtc_read_time(struct rtc *r, unsigned idx)
{
	struct tm tm, norm;
	int year;

	rtc_guest_tm(r, &tm);
	year = tm.tm_year + 1900;
	switch (idx) {
	case RTC_SECONDS:
		return rtc_encode(r, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case RTC_MINUTES:
		return rtc_encode(r, tm.tm_min);
	case RTC_HOURS:
		return rtc_encode_hours(r, tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		norm = tm;
		timegm(&norm); /* derives tm_wday, also for a frozen copy */
		return rtc_encode(r, norm.tm_wday + 1); /* Sunday = 1 */
	case RTC_DAY:
		return rtc_encode(r, tm.tm_mday);
	case RTC_MONTH:
		return rtc_encode(r, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(r, year % 100);
	default: /* RTC_CENTURY_INDEX */
		return rtc_encode(r, year / 100);
	}
}

/* Store field @idx = @v (already decoded) into @tm; false if out of range. */
static bool rtc_tm_set(struct tm *tm, unsigned idx, int v)
{
	int year = tm->tm_year + 1900;

	switch (idx) {
	case RTC_SECONDS:
		tm->tm_sec = v;
		return v <= 59;
	case RTC_MINUTES:
		tm->tm_min = v;
		return v <= 59;
	case RTC_DAY:
		tm->tm_mday = v;
		return v >= 1 && v <= 31;
	case RTC_MONTH:
		tm->tm_mon = v - 1;
		return v >= 1 && v <= 12;
	case RTC_YEAR:
		tm->tm_year = year / 100 * 100 + v - 1900;
		return v <= 99;
	default: /* RTC_CENTURY_INDEX */
		tm->tm_year = v * 100 + year % 100 - 1900;
		return v <= 99;
	}
}

static void rtc_write_time(struct rtc *r, unsigned idx, uint8_t v)
{
	struct tm tm;
	int val;
	bool ok;

	if (idx == RTC_DAY_OF_WEEK)
		return; /* derived from the date */
	rtc_guest_tm(r, &tm);
	/* guest-controlled: a value the format cannot hold is refused */
	if (idx == RTC_HOURS) {
		val = rtc_decode_hours(r, v);
		tm.tm_hour = val;
		ok = val >= 0;
	} else {
		val = rtc_decode(r, v);
		ok = val >= 0 && rtc_tm_set(&tm, idx, val);
	}
	if (!ok) {
		guest_err(&r->ctr.bad_value, "rtc: invalid value 0x%02x for register 0x%02x", v,
			  idx);
		return;
	}
	rtc_set_guest_tm(r, &tm);
}

static bool rtc_uip(const struct rtc *r)
{
	long frac;

	/* SET=1 clears UIP; a stopped divider never starts an update. */
	if (r->frozen)
		return false;
	rtc_guest_now(r, &frac);
	return frac >= NS_PER_S - RTC_UIP_BEFORE_NS || frac < RTC_UIP_AFTER_NS;
}

static uint8_t rtc_read_c(struct rtc *r)
{
	uint8_t c = 0;
	int64_t now;

	if (r->frozen)
		return 0;
	now = rtc_guest_now(r, NULL);
	if (now != r->last_c_read_s)
		c |= RTC_C_UF;
	if ((c & RTC_C_UF) && (r->cmos[RTC_REG_B] & RTC_B_UIE))
		c |= RTC_C_IRQF;
	r->last_c_read_s = now; /* reading C clears its flags */
	return c;
}

static bool rtc_is_time_reg(unsigned idx)
{
	return idx == RTC_SECONDS || idx == RTC_MINUTES || idx == RTC_HOURS ||
	       (idx >= RTC_DAY_OF_WEEK && idx <= RTC_YEAR) || idx == RTC_CENTURY_INDEX;
}

static uint8_t rtc_read_reg(struct rtc *r, unsigned idx)
{
	if (rtc_is_time_reg(idx))
		return rtc_read_time(r, idx);
	switch (idx) {
	case RTC_REG_A:
		return r->cmos[RTC_REG_A] | (rtc_uip(r) ? RTC_A_UIP : 0);
	case RTC_REG_C:
		return rtc_read_c(r);
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->cmos[idx]; /* alarms, B, RAM */
	}
}

static void rtc_write_reg(struct rtc *r, unsigned idx, uint8_t v)
{
	if (rtc_is_time_reg(idx)) {
		rtc_write_time(r, idx, v);
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		r->cmos[RTC_REG_A] = v & (uint8_t)~RTC_A_UIP; /* UIP is read-only */
		rtc_update_freeze(r);
		break;
	case RTC_REG_B:
		/* Setting SET clears UIE (data sheet, register B). */
		if (v & RTC_B_SET)
			v &= (uint8_t)~RTC_B_UIE;
		r->cmos[RTC_REG_B] = v;
		rtc_update_freeze(r);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		guest_err(&r->ctr.ro_write, "rtc: write 0x%02x to read-only register 0x%02x", v,
			  idx);
		break;
	default:
		r->cmos[idx] = v;
		break;
	}
}

static bool rtc_access_ok(struct rtc *r, uint64_t offset, unsigned size)
{
	/* guest-controlled: two byte-wide ports */
	if (size == 1 && offset < RTC_LEN)
		return true;
	guest_err(&r->ctr.bad_access, "rtc: %u-byte access at offset 0x%llx", size,
		  (unsigned long long)offset);
	return false;
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct rtc *r = opaque;
	uint8_t v;

	if (!rtc_access_ok(r, offset, size))
		return io_mask(size);
	if (offset == 0)
		return 0xff; /* the index port is write-only */
	pthread_mutex_lock(&r->lock);
	v = rtc_read_reg(r, r->index);
	pthread_mutex_unlock(&r->lock);
	return v;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct rtc *r = opaque;

	if (!rtc_access_ok(r, offset, size))
		return;
	pthread_mutex_lock(&r->lock);
	if (offset == 0)
		r->index = (uint8_t)value & (RTC_CMOS_SIZE - 1); /* bit 7: NMI mask */
	else
		rtc_write_reg(r, r->index, (uint8_t)value);
	pthread_mutex_unlock(&r->lock);
}

const struct io_dev_ops rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
};
