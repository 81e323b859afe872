/* guest_mem and io_bus: bounds checks and overlap refusal. */
#include <errno.h>
#include <string.h>

#include "memory/guest_mem.h"
#include "memory/io_bus.h"
#include "common/log.h"
#include "tests/test.h"

static uint64_t last_off, last_val;

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
	return 0x1122334455667788ULL + off;
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	last_off = off;
	last_val = val;
}

static const struct io_dev_ops dev_ops = {.read = dev_read, .write = dev_write};

static void test_guest_mem(void)
{
	static uint8_t a[4096], b[8192];
	struct guest_mem gm = {0};
	uint8_t buf[16];

	CHECK_EQ(gm_add_region(&gm, 0x100000, sizeof(b), b), 0);
	CHECK_EQ(gm_add_region(&gm, 0, sizeof(a), a), 0);
	CHECK_EQ(gm_add_region(&gm, 0x100800, 16, a), -EEXIST);
	CHECK_EQ(gm_add_region(&gm, ~0ULL - 4, 16, a), -EINVAL);
	CHECK_EQ(gm.r[0].gpa, 0);
	CHECK(gm_ptr(&gm, 0, 4096) == a);
	CHECK(gm_ptr(&gm, 1, 4096) == NULL);
	CHECK(gm_ptr(&gm, 4096, 1) == NULL);
	CHECK(gm_ptr(&gm, 0x100000 + 8191, 1) == b + 8191);
	CHECK(gm_ptr(&gm, 0x100000 + 8191, ~0ULL) == NULL);
	CHECK(gm_ptr(&gm, ~0ULL, 2) == NULL);
	CHECK_EQ(gm_write(&gm, 0x100010, "hello", 5), 0);
	CHECK_EQ(gm_read(&gm, 0x100010, buf, 5), 0);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(gm_read(&gm, 4090, buf, 16), -EFAULT);
	CHECK_EQ(gm_total(&gm), sizeof(a) + sizeof(b));
}

static void test_alloc(void)
{
	struct gm_region layout[2] = {{0, 1 << 20, NULL}, {1ULL << 32, 2 << 20, NULL}};
	struct guest_mem gm;

	CHECK_EQ(guest_mem_alloc(&gm, layout, 2), 0);
	CHECK_EQ(gm.n, 2);
	CHECK(gm_ptr(&gm, (1ULL << 32) + (2 << 20) - 8, 8) != NULL);
	CHECK(gm_ptr(&gm, (1 << 20), 1) == NULL);
	*(uint64_t *)gm_ptr(&gm, 1ULL << 32, 8) = 42;
	/* One mapping, starting on a 2 MiB boundary (huge pages can back it all). */
	CHECK_EQ((uintptr_t)gm.map % (2u << 20), 0);
	CHECK_EQ(gm.map_size, (size_t)3 << 20);
	{
		int rc = guest_mem_hugepages(&gm);
		/* -EINVAL only from a kernel built without THP. */
		CHECK(rc == 0 || rc == -EINVAL);
	}
	CHECK_EQ(*(uint64_t *)gm_ptr(&gm, 1ULL << 32, 8), 42);
	guest_mem_free(&gm);
	CHECK_EQ(guest_mem_hugepages(&gm), -EINVAL);
}

static void test_io_bus(void)
{
	struct io_bus bus;
	uint64_t v;

	io_bus_init(&bus, "test");
	CHECK_EQ(io_bus_register(&bus, 0x3f8, 8, &dev_ops, NULL, "uart"), 0);
	CHECK_EQ(io_bus_register(&bus, 0x60, 1, &dev_ops, NULL, "kbd"), 0);
	CHECK_EQ(io_bus_register(&bus, 0x3fc, 8, &dev_ops, NULL, "overlap"), -EEXIST);
	CHECK_EQ(io_bus_register(&bus, 0x3f0, 9, &dev_ops, NULL, "overlap2"), -EEXIST);
	CHECK_EQ(io_bus_register(&bus, 0x3f0, 8, &dev_ops, NULL, "adjacent"), 0);
	CHECK_EQ(io_bus_register(&bus, 0, 0, &dev_ops, NULL, "empty"), -EINVAL);
	CHECK(io_bus_read(&bus, 0x3f9, 1, &v));
	CHECK_EQ(v, 0x89);
	CHECK(io_bus_write(&bus, 0x3fa, 2, 0x12345));
	CHECK_EQ(last_off, 2);
	CHECK_EQ(last_val, 0x2345);
	/* An access straddling the end of a device is not claimed. */
	CHECK(!io_bus_read(&bus, 0x3ff, 2, &v));
	CHECK_EQ(v, 0xffff);
	CHECK(!io_bus_write(&bus, 0x80, 1, 0));
	CHECK_EQ(bus.unhandled, 2);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_guest_mem();
	test_alloc();
	test_io_bus();
	return test_result("test_memory");
}
