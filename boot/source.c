#include "boot/source.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"

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

int boot_src_load(const struct boot_src *s, uint64_t off, void *dst, size_t len, const char *what,
		  char *err, size_t errlen)
{
	int ret = boot_src_read(s, off, dst, len);

	return ret < 0 ? err_fmt(err, errlen, ret, "%s: %s", what, boot_src_strerror(ret)) : 0;
}
