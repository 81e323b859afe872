/*
 * Where a loader reads an image from: the whole file in memory, or a reader
 * the machine supplies (pread on the open file), so that the bulk of a
 * kernel or initrd goes from the page cache straight into guest RAM without
 * a copy of the file in between. Loaders read headers into small buffers of
 * their own and segments straight to their place in guest RAM.
 */
#ifndef VMM_BOOT_SOURCE_H
#define VMM_BOOT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

struct boot_src {
	const uint8_t *buf; /* the whole image, or NULL: use read() */
	uint64_t size;	    /* bytes in the image */
	/*
	 * Copy [off, off + len) (inside size) to @dst: 0 or a negative errno,
	 * -ENODATA when the file has become shorter than @size.
	 */
	int (*read)(void *opaque, uint64_t off, void *dst, size_t len);
	void *opaque;
};

static inline struct boot_src boot_src_buf(const void *buf, size_t len)
{
	return (struct boot_src){.buf = buf, .size = len};
}

/* True if [off, off + len) lies inside the image. */
static inline bool boot_src_has(const struct boot_src *s, uint64_t off, uint64_t len)
{
	return off <= s->size && len <= s->size - off;
}

/* Copy [off, off + len) of the image to @dst; -EINVAL if it is not all inside. */
int boot_src_read(const struct boot_src *s, uint64_t off, void *dst, size_t len) must_check;

/*
 * boot_src_read(), and on failure a message "@what: reason" in @err (a file
 * that became shorter since it was opened says so).
 */
int boot_src_load(const struct boot_src *s, uint64_t off, void *dst, size_t len, const char *what,
		  char *err, size_t errlen) must_check;

/* A reason for boot_src_read()'s error, for a loader's message. */
const char *boot_src_strerror(int err);

#endif
