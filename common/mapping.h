/* Anonymous memory mappings shared by guest RAM and the JIT's tables. */
#ifndef VMM_COMMON_MAPPING_H
#define VMM_COMMON_MAPPING_H

#include <stddef.h>

/* Transparent huge pages are this big on x86-64 (and what alignment buys). */
#define HUGE_2M ((size_t)2 << 20)

/*
 * A private anonymous read-write mapping of @size bytes (zeroed, pages
 * cost memory once touched) that starts on a 2 MiB boundary, so
 * transparent huge pages can back all of it. @extra_flags go to mmap
 * (e.g. MAP_NORESERVE). NULL on failure; release with munmap(p, @size).
 */
void *map_anon_2m(size_t size, int extra_flags);

#endif
