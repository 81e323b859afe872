#include "memory/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/mapping.h"

int gm_add_region(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *host)
{
	unsigned i;

	if (size == 0 || gpa + size < gpa || !host)
		return -EINVAL;
	if (gm->n >= GM_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < gm->n; i++) {
		const struct gm_region *r = &gm->r[i];

		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return -EEXIST;
	}
	/* Keep sorted by address: insertion sort on a tiny array. */
	for (i = gm->n; i > 0 && gm->r[i - 1].gpa > gpa; i--)
		gm->r[i] = gm->r[i - 1];
	gm->r[i] = (struct gm_region){.gpa = gpa, .size = size, .host = host};
	gm->n++;
	return 0;
}

int guest_mem_alloc(struct guest_mem *gm, const struct gm_region *layout, unsigned n)
{
	size_t total = 0, off = 0;
	unsigned i;
	void *map;
	int ret;

	for (i = 0; i < n; i++) {
		if (layout[i].size == 0 || total + layout[i].size < total)
			return -EINVAL;
		total += layout[i].size;
	}
	map = map_anon_2m(total, MAP_NORESERVE);
	if (!map)
		return -ENOMEM;
	/* Guest RAM never goes into a core dump of the VMM. */
	madvise(map, total, MADV_DONTDUMP);
	memset(gm, 0, sizeof(*gm));
	for (i = 0; i < n; i++) {
		ret = gm_add_region(gm, layout[i].gpa, layout[i].size, (uint8_t *)map + off);
		if (ret < 0) {
			munmap(map, total);
			memset(gm, 0, sizeof(*gm));
			return ret;
		}
		off += layout[i].size;
	}
	gm->map = map;
	gm->map_size = total;
	return 0;
}

int guest_mem_hugepages(struct guest_mem *gm)
{
	if (!gm->map)
		return -EINVAL;
	return madvise(gm->map, gm->map_size, MADV_HUGEPAGE) < 0 ? -errno : 0;
}

void guest_mem_free(struct guest_mem *gm)
{
	if (gm->map)
		munmap(gm->map, gm->map_size);
	memset(gm, 0, sizeof(*gm));
}

const struct gm_region *gm_region_of(const struct guest_mem *gm, uint64_t gpa)
{
	unsigned i;

	for (i = 0; i < gm->n; i++) {
		const struct gm_region *r = &gm->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	const struct gm_region *r = gm_region_of(gm, gpa);

	if (!r)
		return NULL;
	/* guest-controlled: both gpa and len; no overflow possible below. */
	if (len > r->size - (gpa - r->gpa))
		return NULL;
	return r->host + (gpa - r->gpa);
}

int gm_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len)
{
	const void *p = gm_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len)
{
	void *p = gm_ptr(gm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

uint64_t gm_total(const struct guest_mem *gm)
{
	uint64_t t = 0;
	unsigned i;

	for (i = 0; i < gm->n; i++)
		t += gm->r[i].size;
	return t;
}
