/*
 * Guest physical memory: a few RAM regions, each a host mapping.
 *
 * Every access the VMM makes on behalf of the guest goes through gm_ptr() or
 * gm_read()/gm_write(), which refuse a range that is not wholly inside one
 * region (addresses and lengths here are usually guest-controlled).
 */
#ifndef VMM_MEMORY_GUEST_MEM_H
#define VMM_MEMORY_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

#define GM_MAX_REGIONS 8

struct gm_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
};

/*
 * Device writes into RAM (DMA) that the CPUs do not see. Under KVM the
 * hardware keeps instruction fetch coherent and nothing is installed; the
 * JIT installs written() to drop its translations of those bytes (see
 * gm_dma_written()). Called from device threads (the I/O thread), so it
 * must be thread-safe, and on every device buffer, so it must be cheap
 * for RAM that holds no translated code.
 */
struct gm_dma_hook {
	void (*written)(void *opaque, uint64_t gpa, uint64_t len);
	void *opaque;
};

struct guest_mem {
	struct gm_region r[GM_MAX_REGIONS];
	unsigned n;
	/* Set by guest_mem_alloc(): one mapping holds every region. */
	void *map;
	size_t map_size;
	/* Set by the machine before any device runs; empty by default. */
	struct gm_dma_hook dma;
};

/*
 * Add a region backed by @host (not owned). Regions are kept sorted; an
 * overlap with an existing region is refused with -EEXIST.
 */
int gm_add_region(struct guest_mem *gm, uint64_t gpa, uint64_t size, void *host) must_check;

/*
 * Reserve host memory for @ram_size bytes of guest RAM placed at the
 * addresses given by @layout (n regions: gpa, size), as one anonymous,
 * MAP_NORESERVE mapping: pages cost host memory only once the guest touches
 * them. Returns -ENOMEM with no partial state on failure.
 */
int guest_mem_alloc(struct guest_mem *gm, const struct gm_region *layout, unsigned n) must_check;
/*
 * Ask for transparent huge pages behind the whole mapping (MADV_HUGEPAGE;
 * the host's THP mode "madvise" or "always" honours it): --hugepages on.
 * Fewer host TLB misses when guest memory is accessed from the host side
 * (the JIT's software MMU); guest memory is then committed in 2 MiB steps.
 * 0 or -errno (-EINVAL: no mapping; the host refusing is not fatal to
 * callers).
 */
int guest_mem_hugepages(struct guest_mem *gm);
void guest_mem_free(struct guest_mem *gm);

/* Host pointer for [gpa, gpa+len) if it lies inside one region, else NULL. */
void *gm_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Copy to/from guest memory; -EFAULT if the range is not RAM. */
int gm_read(const struct guest_mem *gm, uint64_t gpa, void *dst, size_t len) must_check;
int gm_write(const struct guest_mem *gm, uint64_t gpa, const void *src, size_t len) must_check;

/*
 * A device writes (or will write, once it owns the buffer) guest RAM at
 * [gpa, gpa+len): tell whoever keeps derived state about RAM contents (the
 * JIT's translations). Nothing to do when no hook is installed.
 */
static inline void gm_dma_written(const struct guest_mem *gm, uint64_t gpa, uint64_t len)
{
	if (gm->dma.written)
		gm->dma.written(gm->dma.opaque, gpa, len);
}

/* Total bytes of RAM. */
uint64_t gm_total(const struct guest_mem *gm);

/* The region holding @gpa, or NULL. */
const struct gm_region *gm_region_of(const struct guest_mem *gm, uint64_t gpa);

#endif
