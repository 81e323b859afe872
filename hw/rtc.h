/*
 * MC146818 CMOS real-time clock at PIO 0x70 (index; bit 7 is the NMI mask,
 * ignored) and 0x71 (data): the time and date registers in BCD or binary and
 * 12- or 24-hour format as register B says, registers A-D, the century byte
 * at RTC_CENTURY_INDEX (the FADT's CENTURY field) and CMOS RAM for the rest.
 *
 * The clock is the host's CLOCK_REALTIME in UTC plus an offset: a guest that
 * sets the time moves the offset, never the host clock.
 */
#ifndef VMM_HW_RTC_H
#define VMM_HW_RTC_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "common/irq.h"
#include "memory/io_bus.h"

#define RTC_PORT_BASE	  0x70
#define RTC_LEN		  2
#define RTC_CENTURY_INDEX 0x32
#define RTC_CMOS_SIZE	  128

struct rtc_counters {
	_Atomic uint64_t bad_access; /* size != 1 or offset out of range */
	_Atomic uint64_t bad_value;  /* time writes that are not valid BCD/binary */
	_Atomic uint64_t ro_write;   /* writes to registers C and D */
};

struct rtc;

/*
 * @irq (IRQ 8, copied, may be NULL) is kept for a later periodic/alarm
 * interrupt; nothing drives it yet. Returns NULL on ENOMEM.
 */
struct rtc *rtc_create(const struct irq_line *irq);
void rtc_destroy(struct rtc *r);
const struct rtc_counters *rtc_counters(const struct rtc *r);

/* Replace the host clock (CLOCK_REALTIME), for tests. */
void rtc_set_clock(struct rtc *r, void (*now)(struct timespec *ts));

/* Register at RTC_PORT_BASE, length RTC_LEN: offset 0 = index, 1 = data. */
extern const struct io_dev_ops rtc_io_ops;

#endif
