/*
 * An image source that acts like an open file (boot/source.h): reads go
 * through the callback and are counted, and a file can shrink after it was
 * "opened" (real_size below the source's size), as a kernel copied over
 * while vmm loads it would.
 */
#ifndef VMM_TESTS_UNIT_BOOT_FAKE_FILE_H
#define VMM_TESTS_UNIT_BOOT_FAKE_FILE_H

#include <errno.h>
#include <string.h>

#include "boot/source.h"

struct fake_file {
	const uint8_t *data;
	uint64_t real_size; /* what is still there */
	unsigned reads;
};

static inline int fake_file_read(void *opaque, uint64_t off, void *dst, size_t len)
{
	struct fake_file *f = opaque;

	f->reads++;
	if (off + len > f->real_size)
		return -ENODATA;
	memcpy(dst, f->data + off, len);
	return 0;
}

/* A source of @size bytes over @f, which starts out whole. */
static inline struct boot_src fake_file_src(struct fake_file *f, const uint8_t *data, uint64_t size)
{
	*f = (struct fake_file){.data = data, .real_size = size};
	return (struct boot_src){.size = size, .read = fake_file_read, .opaque = f};
}

#endif
