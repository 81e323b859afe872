/* POST-code port: accept and ignore (see port80.h). */
#include "hw/port80.h"

static uint64_t port80_read(void *opaque, uint64_t offset, unsigned size)
{
	return io_mask(size);
}

static void port80_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
}

const struct io_dev_ops port80_io_ops = {
    .read = port80_read,
    .write = port80_write,
};
