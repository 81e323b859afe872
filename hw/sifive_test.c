/* SiFive test finisher: a command word written to offset 0 stops the VM. */
#include "hw/sifive_test.h"

#include <stdlib.h>

#include "common/log.h"

struct sifive_test {
	struct vm_stop stop;
	struct sifive_test_counters ctr;
};

struct sifive_test *sifive_test_create(const struct vm_stop *stop)
{
	struct sifive_test *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (stop)
		d->stop = *stop;
	return d;
}

void sifive_test_destroy(struct sifive_test *d)
{
	free(d);
}

const struct sifive_test_counters *sifive_test_counters(const struct sifive_test *d)
{
	return &d->ctr;
}

static uint64_t sifive_test_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void sifive_test_stop(struct sifive_test *d, enum vm_stop_reason r, int status)
{
	atomic_fetch_add_explicit(&d->ctr.stops, 1, memory_order_relaxed);
	log_info("sifive_test: guest requested %s, status %d",
		 r == VM_STOP_RESET ? "reset" : "exit", status);
	vm_stop_request(&d->stop, r, status);
}

static void sifive_test_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct sifive_test *d = opaque;
	int code = (int)((value >> 16) & 0xffff);

	/*
	 * guest-controlled: the command is one write of 16 bits or more at
	 * offset 0 (OpenSBI's driver writes 16 bits: a command without a code).
	 */
	if (offset != 0 || size < 2) {
		guest_err(&d->ctr.bad_access, "sifive_test: %u-byte write at +0x%llx ignored", size,
			  (unsigned long long)offset);
		return;
	}
	switch (value & 0xffff) {
	case SIFIVE_TEST_PASS:
		sifive_test_stop(d, VM_STOP_EXIT_STATUS, 0);
		break;
	case SIFIVE_TEST_FAIL:
		sifive_test_stop(d, VM_STOP_EXIT_STATUS, code ? code : 1);
		break;
	case SIFIVE_TEST_RESET:
		sifive_test_stop(d, VM_STOP_RESET, 0);
		break;
	default:
		guest_err(&d->ctr.bad_access, "sifive_test: unknown command 0x%llx",
			  (unsigned long long)value);
	}
}

const struct io_dev_ops sifive_test_io_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
};
