/* POST-code port: keep the last code, nothing else (see port80.h). */
#include "hw/port80.h"

#include <stdatomic.h>
#include <stdlib.h>

struct port80 {
	_Atomic uint8_t last; /* one byte: an atomic is all the locking needed */
};

struct port80 *port80_create(void)
{
	return calloc(1, sizeof(struct port80));
}

void port80_destroy(struct port80 *p)
{
	free(p);
}

uint8_t port80_last(const struct port80 *p)
{
	return atomic_load(&p->last);
}

static uint64_t port80_read(void *opaque, uint64_t offset, unsigned size)
{
	struct port80 *p = opaque;

	return atomic_load(&p->last);
}

static void port80_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct port80 *p = opaque;

	atomic_store(&p->last, (uint8_t)value);
}

const struct io_dev_ops port80_io_ops = {
    .read = port80_read,
    .write = port80_write,
};
