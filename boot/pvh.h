/*
 * PVH boot of an ELF vmlinux: the kernel is entered in 32-bit protected mode
 * at the address of its XEN_ELFNOTE_PHYS32_ENTRY note, with %ebx pointing to
 * an hvm_start_info. Layouts from Xen's public ABI header
 * xen/include/public/arch-x86/hvm/start_info.h (version 1, with memmap),
 * which the system does not ship.
 */
#ifndef VMM_BOOT_PVH_H
#define VMM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "boot/x86_boot.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"

#define PVH_ELFNOTE_NAME	 "Xen"
#define PVH_ELFNOTE_PHYS32_ENTRY 18	     /* xen/include/public/elfnote.h */
#define PVH_START_MAGIC		 0x336ec578u /* XEN_HVM_START_MAGIC_VALUE */
#define PVH_START_VERSION	 1	     /* version 1 adds the memmap */

struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

/* type: XEN_HVM_MEMMAP_TYPE_* which are the e820 numbers (1 = RAM, 2 = reserved). */
struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

STATIC_ASSERT(sizeof(struct pvh_start_info) == 56);
STATIC_ASSERT(sizeof(struct pvh_modlist_entry) == 32);
STATIC_ASSERT(sizeof(struct pvh_memmap_entry) == 24);

/* Most memmap entries that fit between X86_PVH_MEMMAP_ADDR and the zero page. */
#define PVH_MEMMAP_MAX                                                                             \
	((X86_ZERO_PAGE_ADDR - X86_PVH_MEMMAP_ADDR) / sizeof(struct pvh_memmap_entry))

/* The 32-bit entry address of an ELF64 image's PVH note; -ENOENT/-ENOEXEC. */
int pvh_entry(const struct boot_src *src, uint64_t *entry) must_check;

/*
 * Load the ELF vmlinux in->kernel (x86-64, with a PVH note) at its physical
 * addresses, the initrd and command line, and write hvm_start_info with its
 * module list and memmap at X86_PVH_INFO_ADDR. Fills @info. Does not touch
 * the GDT, page tables or vCPU state.
 */
int pvh_load(const struct guest_mem *gm, const struct x86_boot_input *in,
	     struct x86_boot_info *info, char *err, size_t errlen) must_check;

#endif
