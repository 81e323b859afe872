/*
 * The CLINT / ACLINT (RISC-V ACLINT spec 1.0: MSWI + MTIMER devices, laid
 * out as SiFive's CLINT on QEMU virt) for the M-mode firmware path
 * (--bios OpenSBI, M-mode test programs). An S-mode kernel booted directly
 * uses SBI TIME / Sstc instead and does not need it.
 *
 * Register map in the ACLINT_SIZE window at ACLINT_BASE:
 *	0x0000 + 4*hart   msip      bit 0 = the hart's MSIP (bits 31:1 read 0)
 *	0x4000 + 8*hart   mtimecmp  64-bit (also two 32-bit halves)
 *	0xbff8            mtime     64-bit, 10 MHz (ACLINT_MTIME_HZ), writable
 *
 * mtime runs from the host's monotonic clock (or the config's clock, for
 * tests): mtime = (now_ns - start) / 100 + offset, the offset changed by a
 * guest write to mtime. A hart's MTIP is mtime >= mtimecmp (§ MTIMER); all
 * mtimecmp start at UINT64_MAX, so no timer fires before firmware sets one.
 *
 * Outputs: set_msip(opaque, hart, level) and set_mtip(opaque, hart, level)
 * are called whenever the level changes (and once per hart at create, all
 * low). They run with the ACLINT's lock held, on whichever thread caused the
 * change: they must only set/clear the bit in that hart's mip and wake its
 * vCPU, and must not call back into the ACLINT.
 *
 * Contract with the vCPU loop: MTIP must rise when mtime reaches mtimecmp
 * even though nobody touches the device, so the JIT's exec loop calls
 * aclint_update() between blocks (a lock-free compare with a cached
 * deadline unless one has passed), and a hart that sleeps in WFI bounds its
 * sleep by aclint_next_deadline_ns(a, hart) (then calls aclint_update()).
 * Register writes (mtimecmp, mtime, msip) update the outputs at once.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef VMM_HW_ACLINT_H
#define VMM_HW_ACLINT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "memory/io_bus.h"

#define ACLINT_BASE	 0x02000000ULL
#define ACLINT_SIZE	 0x10000ULL
#define ACLINT_MTIME_HZ	 10000000ULL
#define ACLINT_MAX_HARTS 64

#define ACLINT_MSIP_BASE     0x0000
#define ACLINT_MTIMECMP_BASE 0x4000
#define ACLINT_MTIME	     0xbff8

/* aclint_next_deadline_ns(): the earliest over all harts. */
#define ACLINT_ALL_HARTS (~0u)
/* aclint_next_deadline_ns(): no timer armed. */
#define ACLINT_NO_DEADLINE UINT64_MAX

struct aclint_config {
	unsigned nharts; /* 1..ACLINT_MAX_HARTS */
	void (*set_msip)(void *opaque, unsigned hart, bool level);
	void (*set_mtip)(void *opaque, unsigned hart, bool level);
	void *opaque;
	/* Optional clock in ns (tests); NULL: monotonic_ns() (CLOCK_MONOTONIC). */
	uint64_t (*now_ns)(void *clock_opaque);
	void *clock_opaque;
};

struct aclint_counters {
	_Atomic uint64_t bad_access; /* bad size/alignment/offset */
};

struct aclint;

/* NULL with errno set (EINVAL, ENOMEM). mtime starts at 0. */
struct aclint *aclint_create(const struct aclint_config *cfg);
void aclint_destroy(struct aclint *a);

/* The current mtime (10 MHz ticks). */
uint64_t aclint_mtime(const struct aclint *a);

/*
 * Raise MTIP for every hart whose mtimecmp mtime has reached. Cheap when no
 * deadline has passed: call it between blocks.
 */
void aclint_update(struct aclint *a);

/*
 * The clock time (in the config's clock, ns) at which @hart's MTIP will
 * rise (or of the earliest hart with ACLINT_ALL_HARTS), or ACLINT_NO_DEADLINE
 * when its MTIP is already high or no compare value can be reached. A time
 * in the past means "call aclint_update() now".
 */
uint64_t aclint_next_deadline_ns(struct aclint *a, unsigned hart);

const struct aclint_counters *aclint_counters(const struct aclint *a);

/* Register at ACLINT_BASE, length ACLINT_SIZE. */
extern const struct io_dev_ops aclint_io_ops;

#endif
