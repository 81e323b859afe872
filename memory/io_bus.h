/*
 * The PIO and MMIO buses. A device registers [base, base+len) once, before
 * the vCPUs start; lookups afterwards take no lock. Overlapping ranges are
 * refused (-EEXIST), so a machine cannot be wired ambiguously.
 *
 * Handlers run on the vCPU thread that made the access; a device with state
 * shared across threads locks it itself.
 */
#ifndef VMM_MEMORY_IO_BUS_H
#define VMM_MEMORY_IO_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/compiler.h"

struct io_dev_ops {
	/* @offset is relative to the registered base; @size is 1, 2, 4 or 8. */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

struct io_range {
	uint64_t base;
	uint64_t len;
	const struct io_dev_ops *ops;
	void *opaque;
	const char *name;
};

#define IO_BUS_MAX 64

struct io_bus {
	const char *name;
	struct io_range r[IO_BUS_MAX];
	unsigned n;
	/* Accesses that hit no device: counted, rate-limited log. */
	_Atomic uint64_t unhandled;
	/* CLOCK_MONOTONIC of the first access (start-up tracing), 0 before. */
	_Atomic uint64_t first_access_ns;
};

void io_bus_init(struct io_bus *bus, const char *name);

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    const struct io_dev_ops *ops, void *opaque, const char *name) must_check;

/* The range holding @addr (whole access inside it), or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, unsigned size);

/*
 * Dispatch one access. Unclaimed reads return all ones, unclaimed writes are
 * dropped; both return false and are counted.
 */
bool io_bus_read(struct io_bus *bus, uint64_t addr, unsigned size, uint64_t *val);
bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned size, uint64_t val);

/* Helpers for devices with byte-wide registers. */
static inline uint64_t io_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

#endif
