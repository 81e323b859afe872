#include "memory/io_bus.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "common/log.h"

void io_bus_init(struct io_bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len,
		    const struct io_dev_ops *ops, void *opaque, const char *name)
{
	unsigned i;

	if (len == 0 || base + len < base || !ops)
		return -EINVAL;
	if (bus->n >= IO_BUS_MAX)
		return -ENOSPC;
	for (i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->r[i];

		if (base < r->base + r->len && r->base < base + len) {
			log_err("%s bus: %s at 0x%" PRIx64 "+0x%" PRIx64
				" overlaps %s at 0x%" PRIx64 "+0x%" PRIx64,
				bus->name, name, base, len, r->name, r->base, r->len);
			return -EEXIST;
		}
	}
	for (i = bus->n; i > 0 && bus->r[i - 1].base > base; i--)
		bus->r[i] = bus->r[i - 1];
	bus->r[i] = (struct io_range){base, len, ops, opaque, name};
	bus->n++;
	return 0;
}

const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, unsigned size)
{
	unsigned lo = 0, hi = bus->n;

	/* Binary search over the sorted, non-overlapping ranges. */
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct io_range *r = &bus->r[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return (size <= r->len - (addr - r->base)) ? r : NULL;
	}
	return NULL;
}

static inline void io_bus_note_access(struct io_bus *bus)
{
	if (unlikely(!atomic_load_explicit(&bus->first_access_ns, memory_order_relaxed)))
		atomic_store_explicit(&bus->first_access_ns, monotonic_ns(), memory_order_relaxed);
}

bool io_bus_read(struct io_bus *bus, uint64_t addr, unsigned size, uint64_t *val)
{
	const struct io_range *r = io_bus_find(bus, addr, size);

	io_bus_note_access(bus);
	if (!r || !r->ops->read) {
		*val = io_mask(size);
		/* Probing for absent hardware (PCI, legacy ISA) is normal: debug level. */
		guest_note(&bus->unhandled, "%s read of %u bytes at 0x%" PRIx64 " hits no device",
			  bus->name, size, addr);
		return false;
	}
	*val = r->ops->read(r->opaque, addr - r->base, size) & io_mask(size);
	return true;
}

bool io_bus_write(struct io_bus *bus, uint64_t addr, unsigned size, uint64_t val)
{
	const struct io_range *r = io_bus_find(bus, addr, size);

	io_bus_note_access(bus);
	if (!r || !r->ops->write) {
		guest_note(&bus->unhandled, "%s write of %u bytes at 0x%" PRIx64 " hits no device",
			  bus->name, size, addr);
		return false;
	}
	r->ops->write(r->opaque, addr - r->base, val & io_mask(size), size);
	return true;
}
