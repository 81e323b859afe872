/* key=value option strings for the virtio devices. */
#include "virtio/opts.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int virtio_opts_next(char **cursor, char **key, char **val)
{
	char *s = *cursor, *comma, *eq;

	if (!s || !*s)
		return 0;
	comma = strchr(s, ',');
	if (comma) {
		*comma = '\0';
		*cursor = comma + 1;
	} else {
		*cursor = s + strlen(s);
	}
	eq = strchr(s, '=');
	if (!eq || eq == s)
		return -EINVAL;
	*eq = '\0';
	*key = s;
	*val = eq + 1;
	return 1;
}

int virtio_opts_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"on", "yes", "true", "1"};
	static const char *const no[] = {"off", "no", "false", "0"};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int virtio_opts_u64(const char *v, uint64_t *out)
{
	uint64_t n = 0, mult = 1;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (UINT64_MAX - (uint64_t)(*v - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*v - '0');
	}
	switch (*v) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		break;
	default:
		return -EINVAL;
	}
	if (*v && v[1])
		return -EINVAL;
	if (n > UINT64_MAX / mult)
		return -EINVAL;
	*out = n * mult;
	return 0;
}
