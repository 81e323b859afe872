/*
 * Guest exit-status device: a write of v stops the VM with status v & 0xff.
 * Stateless apart from its counters, so it needs no lock.
 */
#include "hw/exit_dev.h"

#include <stdlib.h>

#include "common/log.h"

struct exit_dev {
	struct vm_stop stop;
	struct exit_dev_counters ctr;
};

struct exit_dev *exit_dev_create(const struct vm_stop *stop)
{
	struct exit_dev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (stop)
		d->stop = *stop;
	return d;
}

void exit_dev_destroy(struct exit_dev *d)
{
	free(d);
}

const struct exit_dev_counters *exit_dev_counters(const struct exit_dev *d)
{
	return &d->ctr;
}

static uint64_t exit_dev_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void exit_dev_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct exit_dev *d = opaque;
	int status = (int)(value & 0xff);

	/* guest-controlled: 1..4-byte writes to the first port */
	if (offset != 0 || size > 4) {
		guest_err(&d->ctr.bad_access, "exit_dev: %u-byte write at offset 0x%llx ignored",
			  size, (unsigned long long)offset);
		return;
	}
	atomic_fetch_add_explicit(&d->ctr.exits, 1, memory_order_relaxed);
	log_info("exit_dev: guest exit status %d", status);
	vm_stop_request(&d->stop, VM_STOP_EXIT_STATUS, status);
}

const struct io_dev_ops exit_dev_io_ops = {
    .read = exit_dev_read,
    .write = exit_dev_write,
};
