/*
 * Device option strings: "key=value,key=value" as given to --drive, --net
 * and --rng. Parsing is in place (the strings are kept, not copied) and
 * pure, so the command line code and tests share it.
 */
#ifndef VMM_VIRTIO_OPTS_H
#define VMM_VIRTIO_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

/*
 * Take the next "key=value" from *@cursor, NUL-terminating both parts.
 * Returns 1 with *@key / *@val set, 0 at the end, -EINVAL for a pair
 * without '=' or with an empty key.
 */
int virtio_opts_next(char **cursor, char **key, char **val) must_check;

/* on/off, yes/no, true/false, 1/0. */
int virtio_opts_bool(const char *v, bool *out) must_check;

/* Decimal with an optional K, M or G suffix (powers of 1024). */
int virtio_opts_u64(const char *v, uint64_t *out) must_check;

#endif
