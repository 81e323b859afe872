/*
 * Goldfish RTC (goldfish_rtc.h). Register semantics follow QEMU's
 * hw/rtc/goldfish_rtc.c, which is what Linux's rtc-goldfish driver is
 * tested against: a TIME_LOW read latches TIME_HIGH, so the two reads give
 * one consistent 64-bit value; a write to either half replaces that half
 * of the current time; ALARM_LOW arms.
 */
#include "hw/goldfish_rtc.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"

struct goldfish_rtc {
	pthread_mutex_t lock;
	struct irq_line irq;
	bool has_irq;
	struct goldfish_rtc_clock clock;
	uint64_t offset_ns;  /* guest time - host realtime, modulo 2^64 */
	uint32_t time_high;  /* latched by the last TIME_LOW read */
	uint64_t alarm_ns;   /* guest time of the alarm */
	bool alarm_armed;    /* ALARM_STATUS */
	bool irq_pending;    /* an alarm fired and was not cleared */
	bool irq_enabled;    /* IRQ_ENABLED bit 0 */
	bool irq_level;
	struct goldfish_rtc_counters ctr;
};

static uint64_t host_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t host_realtime_ns(void *opaque)
{
	return host_clock(CLOCK_REALTIME);
}

static uint64_t host_monotonic_ns(void *opaque)
{
	return host_clock(CLOCK_MONOTONIC);
}

static const struct goldfish_rtc_clock host_clocks = {
    .realtime_ns = host_realtime_ns,
    .monotonic_ns = host_monotonic_ns,
};

struct goldfish_rtc *goldfish_rtc_create(const struct irq_line *irq,
					 const struct goldfish_rtc_clock *clock)
{
	struct goldfish_rtc *r = calloc(1, sizeof(*r));

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
	r->clock = clock ? *clock : host_clocks;
	return r;
}

void goldfish_rtc_destroy(struct goldfish_rtc *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const struct goldfish_rtc_counters *goldfish_rtc_counters(const struct goldfish_rtc *r)
{
	return &r->ctr;
}

/* The guest's time now, ns since the epoch (wraps like the 64-bit register). */
static uint64_t rtc_now(const struct goldfish_rtc *r)
{
	return r->clock.realtime_ns(r->clock.opaque) + r->offset_ns;
}

/* Lock held, after every state change. */
static void rtc_update_irq(struct goldfish_rtc *r)
{
	bool level = r->irq_pending && r->irq_enabled;

	if (level == r->irq_level)
		return;
	r->irq_level = level;
	if (r->has_irq)
		irq_line_set(&r->irq, level);
}

/* Lock held: an armed alarm whose time has come fires. */
static void rtc_check_alarm(struct goldfish_rtc *r)
{
	if (!r->alarm_armed || rtc_now(r) < r->alarm_ns)
		return;
	r->alarm_armed = false;
	r->irq_pending = true;
	atomic_fetch_add_explicit(&r->ctr.alarms, 1, memory_order_relaxed);
	rtc_update_irq(r);
}

uint64_t goldfish_rtc_next_deadline_ns(struct goldfish_rtc *r)
{
	uint64_t now, mono, d = UINT64_MAX;

	pthread_mutex_lock(&r->lock);
	if (r->alarm_armed) {
		mono = r->clock.monotonic_ns(r->clock.opaque);
		now = rtc_now(r);
		d = r->alarm_ns <= now ? mono : mono + (r->alarm_ns - now);
		if (d < mono)
			d = UINT64_MAX - 1; /* centuries away: still armed, never here */
	}
	pthread_mutex_unlock(&r->lock);
	return d;
}

void goldfish_rtc_update(struct goldfish_rtc *r)
{
	pthread_mutex_lock(&r->lock);
	rtc_check_alarm(r);
	pthread_mutex_unlock(&r->lock);
}

static uint32_t rtc_read_reg(struct goldfish_rtc *r, uint64_t offset)
{
	uint64_t now;

	switch (offset) {
	case GOLDFISH_RTC_TIME_LOW:
		now = rtc_now(r);
		r->time_high = (uint32_t)(now >> 32);
		return (uint32_t)now;
	case GOLDFISH_RTC_TIME_HIGH:
		return r->time_high;
	case GOLDFISH_RTC_ALARM_LOW:
		return (uint32_t)r->alarm_ns;
	case GOLDFISH_RTC_ALARM_HIGH:
		return (uint32_t)(r->alarm_ns >> 32);
	case GOLDFISH_RTC_IRQ_ENABLED:
		return r->irq_enabled;
	case GOLDFISH_RTC_ALARM_STATUS:
		return r->alarm_armed;
	}
	guest_err(&r->ctr.bad_access, "goldfish-rtc: read of +0x%llx", (unsigned long long)offset);
	return 0;
}

/* Replace the 32 bits at @shift of @v with @half. */
static uint64_t deposit32(uint64_t v, unsigned shift, uint32_t half)
{
	return (v & ~(0xffffffffULL << shift)) | (uint64_t)half << shift;
}

static void rtc_write_reg(struct goldfish_rtc *r, uint64_t offset, uint32_t v)
{
	uint64_t now;

	switch (offset) {
	case GOLDFISH_RTC_TIME_LOW:
	case GOLDFISH_RTC_TIME_HIGH:
		/* The guest sets its clock: only the offset moves. */
		now = rtc_now(r);
		r->offset_ns += deposit32(now, offset ? 32 : 0, v) - now;
		return;
	case GOLDFISH_RTC_ALARM_LOW:
		r->alarm_ns = deposit32(r->alarm_ns, 0, v);
		r->alarm_armed = true;
		return; /* the caller checks it: a time already past fires at once */
	case GOLDFISH_RTC_ALARM_HIGH:
		r->alarm_ns = deposit32(r->alarm_ns, 32, v);
		return;
	case GOLDFISH_RTC_IRQ_ENABLED:
		r->irq_enabled = v & 1;
		return;
	case GOLDFISH_RTC_CLEAR_ALARM:
		r->alarm_armed = false;
		return;
	case GOLDFISH_RTC_CLEAR_INTERRUPT:
		r->irq_pending = false;
		return;
	}
	guest_err(&r->ctr.bad_access, "goldfish-rtc: write of +0x%llx", (unsigned long long)offset);
}

static bool rtc_access_ok(struct goldfish_rtc *r, uint64_t offset, unsigned size)
{
	/* guest-controlled: 32-bit registers, aligned */
	if (size == 4 && !(offset & 3))
		return true;
	guest_err(&r->ctr.bad_access, "goldfish-rtc: %u-byte access at +0x%llx", size,
		  (unsigned long long)offset);
	return false;
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
	struct goldfish_rtc *r = opaque;
	uint32_t v;

	if (!rtc_access_ok(r, offset, size))
		return 0;
	pthread_mutex_lock(&r->lock);
	v = rtc_read_reg(r, offset);
	pthread_mutex_unlock(&r->lock);
	return v;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct goldfish_rtc *r = opaque;

	if (!rtc_access_ok(r, offset, size))
		return;
	pthread_mutex_lock(&r->lock);
	rtc_write_reg(r, offset, (uint32_t)value);
	rtc_check_alarm(r);
	rtc_update_irq(r);
	pthread_mutex_unlock(&r->lock);
}

const struct io_dev_ops goldfish_rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
};
