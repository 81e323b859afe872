/*
 * The Goldfish RTC ("google,goldfish-rtc"), as on QEMU's riscv virt machine
 * at GOLDFISH_RTC_BASE: a 64-bit nanosecond clock since the Unix epoch and
 * one alarm. Linux drives it with drivers/rtc/rtc-goldfish.c. All
 * registers are 32 bits wide (other sizes are counted guest errors):
 *
 *	0x00 TIME_LOW         read: low half of the time now; latches the high half
 *	0x04 TIME_HIGH        read: the latched high half
 *	                      write (either): that half of the time now; the
 *	                      clock then runs on from the new value
 *	0x08 ALARM_LOW        write: low half of the alarm time, arms the alarm
 *	0x0c ALARM_HIGH       write: high half of the alarm time (write it first)
 *	0x10 IRQ_ENABLED      bit 0: the alarm drives the interrupt line
 *	0x14 CLEAR_ALARM      write: disarm
 *	0x18 ALARM_STATUS     read: 1 while armed
 *	0x1c CLEAR_INTERRUPT  write: acknowledge the alarm interrupt
 *
 * The clock is the host's CLOCK_REALTIME plus an offset: a guest that sets
 * the time moves the offset, never the host clock. An armed alarm whose time
 * comes (or has already passed when it is armed) disarms itself and makes
 * the interrupt pending; the line is high while it is pending and enabled.
 *
 * The device has no timer of its own: whoever runs it asks
 * goldfish_rtc_next_deadline_ns() when the alarm is due and calls
 * goldfish_rtc_update() then (and again after every guest write, which may
 * arm or move the alarm: see the write hook). Thread-safe.
 */
#ifndef VMM_HW_GOLDFISH_RTC_H
#define VMM_HW_GOLDFISH_RTC_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/irq.h"
#include "memory/io_bus.h"

#define GOLDFISH_RTC_BASE 0x101000ULL
#define GOLDFISH_RTC_SIZE 0x1000ULL

#define GOLDFISH_RTC_TIME_LOW	     0x00
#define GOLDFISH_RTC_TIME_HIGH	     0x04
#define GOLDFISH_RTC_ALARM_LOW	     0x08
#define GOLDFISH_RTC_ALARM_HIGH	     0x0c
#define GOLDFISH_RTC_IRQ_ENABLED     0x10
#define GOLDFISH_RTC_CLEAR_ALARM     0x14
#define GOLDFISH_RTC_ALARM_STATUS    0x18
#define GOLDFISH_RTC_CLEAR_INTERRUPT 0x1c

struct goldfish_rtc_counters {
	_Atomic uint64_t bad_access; /* size != 4, unknown offset, write to a read-only one */
	_Atomic uint64_t alarms;     /* alarms that fired */
};

/* The clocks the device reads (tests replace them). */
struct goldfish_rtc_clock {
	uint64_t (*realtime_ns)(void *opaque);	/* ns since the epoch */
	uint64_t (*monotonic_ns)(void *opaque); /* the base of the deadlines */
	void *opaque;
};

struct goldfish_rtc;

/*
 * @irq (copied, may be NULL) is driven level-triggered. @clock NULL: the
 * host's CLOCK_REALTIME and CLOCK_MONOTONIC. Returns NULL on ENOMEM.
 */
struct goldfish_rtc *goldfish_rtc_create(const struct irq_line *irq,
					 const struct goldfish_rtc_clock *clock);
void goldfish_rtc_destroy(struct goldfish_rtc *r);

/* When the armed alarm is due, in monotonic_ns() time; UINT64_MAX: none armed. */
uint64_t goldfish_rtc_next_deadline_ns(struct goldfish_rtc *r);
/* Fire the alarm if its time has come. */
void goldfish_rtc_update(struct goldfish_rtc *r);

const struct goldfish_rtc_counters *goldfish_rtc_counters(const struct goldfish_rtc *r);

extern const struct io_dev_ops goldfish_rtc_io_ops;

#endif
