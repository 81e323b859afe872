/* hw/sifive_test through its io_dev_ops, with a fake stop requester. */
#include "hw/sifive_test.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

static void write_cmd(struct sifive_test *d, uint64_t off, uint64_t v, unsigned size)
{
	sifive_test_io_ops.write(d, off, v, size);
}

int main(void)
{
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct sifive_test *d = sifive_test_create(&stop);
	const struct sifive_test_counters *c;

	CHECK(d != NULL);
	if (!d)
		return test_result("sifive_test");
	c = sifive_test_counters(d);
	CHECK_EQ(sifive_test_io_ops.read(d, 0, 4), 0);

	write_cmd(d, 0, 0x5555, 4);
	CHECK_EQ(fs.requests, 1);
	CHECK_EQ(fs.reason, VM_STOP_EXIT_STATUS);
	CHECK_EQ(fs.status, 0);

	write_cmd(d, 0, (42u << 16) | 0x3333, 4);
	CHECK_EQ(fs.requests, 2);
	CHECK_EQ(fs.reason, VM_STOP_EXIT_STATUS);
	CHECK_EQ(fs.status, 42);

	/* A failure with code 0 must not look like success. */
	write_cmd(d, 0, 0x3333, 4);
	CHECK_EQ(fs.status, 1);

	write_cmd(d, 0, 0x7777, 8);
	CHECK_EQ(fs.requests, 4);
	CHECK_EQ(fs.reason, VM_STOP_RESET);
	CHECK_EQ(atomic_load(&c->stops), 4);

	/* A 16-bit write is a command without a code (OpenSBI writes with writew). */
	write_cmd(d, 0, 0x5555, 2);
	CHECK_EQ(fs.requests, 5);
	CHECK_EQ(fs.reason, VM_STOP_EXIT_STATUS);
	CHECK_EQ(fs.status, 0);
	write_cmd(d, 0, 0x3333, 2);
	CHECK_EQ(fs.status, 1);

	/* Bad accesses: counted, no stop. */
	write_cmd(d, 0, 0x1234, 4);
	write_cmd(d, 4, 0x5555, 4);
	write_cmd(d, 2, 0x5555, 2);
	write_cmd(d, 0, 0x55, 1);
	CHECK_EQ(fs.requests, 6);
	CHECK_EQ(atomic_load(&c->bad_access), 4);

	sifive_test_destroy(d);
	return test_result("sifive_test");
}
