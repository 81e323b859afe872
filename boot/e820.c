#include "boot/e820.h"

#include <errno.h>

#include "boot/x86_boot.h"

static int x86_e820_add(struct e820_entry *out, unsigned max, unsigned *n, uint64_t start,
			uint64_t end, uint32_t type)
{
	if (start >= end)
		return 0;
	if (*n >= max)
		return -ENOSPC;
	out[(*n)++] = (struct e820_entry){.addr = start, .size = end - start, .type = type};
	return 0;
}

/* One RAM region: the part inside [EBDA, 1 MiB) is reserved, the rest RAM. */
static int x86_e820_region(const struct gm_region *r, struct e820_entry *out, unsigned max,
			   unsigned *n)
{
	uint64_t s = r->gpa, e = r->gpa + r->size;
	int ret;

	ret = x86_e820_add(out, max, n, s, MIN(e, X86_EBDA_START), E820_RAM);
	if (ret == 0)
		ret = x86_e820_add(out, max, n, MAX(s, X86_EBDA_START), MIN(e, X86_BIOS_END),
				   E820_RESERVED);
	if (ret == 0)
		ret = x86_e820_add(out, max, n, MAX(s, X86_BIOS_END), e, E820_RAM);
	return ret;
}

int x86_e820_build(const struct guest_mem *gm, struct e820_entry *out, unsigned max)
{
	unsigned i, n = 0;
	int ret;

	/* gm->r[] is sorted by address, so the map comes out sorted too. */
	for (i = 0; i < gm->n; i++) {
		ret = x86_e820_region(&gm->r[i], out, max, &n);
		if (ret < 0)
			return ret;
	}
	return (int)n;
}
