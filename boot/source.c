#include "boot/source.h"

#include <errno.h>
#include <string.h>

int boot_src_read(const struct boot_src *s, uint64_t off, void *dst, size_t len)
{
	if (!boot_src_has(s, off, len))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (s->buf) {
		memcpy(dst, s->buf + off, len);
		return 0;
	}
	return s->read ? s->read(s->opaque, off, dst, len) : -EINVAL;
}

const char *boot_src_strerror(int err)
{
	if (err == -ENODATA)
		return "the file became shorter while it was read";
	return strerror(-err);
}
