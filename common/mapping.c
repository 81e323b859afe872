#include "common/mapping.h"

#include <stdint.h>
#include <sys/mman.h>

void *map_anon_2m(size_t size, int extra_flags)
{
	size_t len = size + HUGE_2M, head;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Trim the slack before the boundary and after the end. */
	head = (HUGE_2M - (uintptr_t)p % HUGE_2M) % HUGE_2M;
	if (head)
		munmap(p, head);
	munmap(p + head + size, len - head - size);
	return p + head;
}
