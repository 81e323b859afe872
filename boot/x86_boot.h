/*
 * x86-64 guest boot: the guest physical layout, and loading a Linux kernel
 * (bzImage through the 64-bit boot protocol, or an ELF vmlinux through PVH)
 * into guest memory with everything it needs to start: e820 map, command
 * line, initrd, zero page or hvm_start_info, GDT, identity page tables, and
 * the boot vCPU's register state.
 *
 * Pure functions over struct guest_mem: no KVM, no threads.
 */
#ifndef VMM_BOOT_X86_BOOT_H
#define VMM_BOOT_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "accel/x86_state.h"
#include "boot/source.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"

/*
 * Guest physical layout. RAM is [0, min(ram, 3 GiB)) plus, above 3 GiB of
 * RAM, [4 GiB, 4 GiB + ram - 3 GiB); [3 GiB, 4 GiB) is the MMIO hole.
 */
#define X86_MMIO_HOLE_START 0xC0000000ULL
#define X86_MMIO_HOLE_END   0x100000000ULL
#define X86_HIGH_RAM_START  X86_MMIO_HOLE_END

/* Fixed boot structures in low memory, all below the EBDA. */
#define X86_GDT_ADDR	     0x500ULL
#define X86_PVH_INFO_ADDR    0x6000ULL /* hvm_start_info */
#define X86_PVH_MODLIST_ADDR 0x6040ULL /* one hvm_modlist_entry: the initrd */
#define X86_PVH_MEMMAP_ADDR  0x6080ULL /* hvm_memmap_table_entry[] */
#define X86_ZERO_PAGE_ADDR   0x7000ULL /* struct boot_params */
#define X86_BOOT_STACK	     0x8FF0ULL /* initial rsp: top of the free page 0x8000 */
#define X86_PML4_ADDR	     0x9000ULL
#define X86_PDPT_ADDR	     0xA000ULL
#define X86_PD_ADDR	     0xB000ULL /* four page directories, 0xB000-0xEFFF */
#define X86_CMDLINE_ADDR     0x20000ULL
#define X86_CMDLINE_MAX	     0x10000ULL /* bytes, NUL included */

/* Reserved in e820: EBDA and BIOS area. The ACPI tables live inside it. */
#define X86_EBDA_START 0x9FC00ULL
#define X86_BIOS_END   0x100000ULL
#define X86_ACPI_ADDR  0xE0000ULL /* RSDP first */

/* Where a kernel goes when it has no usable preferred address. */
#define X86_KERNEL_DEFAULT_ADDR 0x100000ULL

/* GDT selectors: what the 64-bit boot protocol calls __BOOT_CS/__BOOT_DS. */
#define X86_SEL_CODE32	0x08 /* flat 32-bit code, for the PVH entry */
#define X86_SEL_CODE64	0x10 /* __BOOT_CS */
#define X86_SEL_DATA	0x18 /* __BOOT_DS */
#define X86_SEL_TSS	0x20 /* 16-byte 64-bit TSS descriptor */
#define X86_GDT_ENTRIES 6

/*
 * Guest RAM regions for @ram_size bytes (a non-zero multiple of 4 KiB), for
 * guest_mem_alloc(): out[].host is NULL. Returns 0 or -EINVAL.
 */
int x86_ram_layout(uint64_t ram_size, struct gm_region out[2], unsigned *n) must_check;

struct x86_boot_input {
	struct boot_src kernel; /* bzImage or ELF vmlinux */
	struct boot_src initrd; /* size 0: none */
	const char *cmdline; /* may be NULL */
	uint64_t rsdp_addr;  /* 0 = none; else boot_params.acpi_rsdp_addr / start_info.rsdp_paddr */
};

enum x86_boot_kind { X86_BOOT_BZIMAGE, X86_BOOT_PVH };

struct x86_boot_info {
	enum x86_boot_kind kind;
	uint64_t kernel_addr, kernel_size; /* size incl. decompression space (bzImage) */
	uint64_t initrd_addr;		   /* 0 when there is no initrd */
	uint64_t entry;
	uint16_t protocol; /* boot protocol version (bzImage), 0 for PVH */
};

/*
 * Detect and load the kernel (bzImage or ELF vmlinux with a PVH note) with
 * its initrd and command line, write the boot structures listed above, and
 * set *bsp to the boot vCPU's entry state. On failure returns a negative
 * errno with a one-line message in @err; guest memory may then hold a
 * partial load.
 */
int x86_boot_load(const struct guest_mem *gm, const struct x86_boot_input *in,
		  struct x86_cpu_state *bsp, struct x86_boot_info *info, char *err,
		  size_t errlen) must_check;

/*
 * Helpers shared by bzimage.c and pvh.c.
 */

/* End of the RAM region at address 0, or 0 if there is none. */
uint64_t x86_boot_low_end(const struct guest_mem *gm);

/*
 * -EINVAL with a message unless there is a kernel and RAM runs from 0 to
 * past X86_BIOS_END.
 */
int x86_boot_check_input(const struct guest_mem *gm, const struct x86_boot_input *in, char *err,
			 size_t errlen) must_check;

/*
 * Read the initrd to the highest 4 KiB-aligned address at which it ends at or
 * below min(@max_end, end of low RAM) and does not overlap the kernel's
 * [@kstart, @kend) nor anything below X86_BIOS_END. *addr = 0 if it is empty.
 * Returns 0, -ENOSPC if it fits nowhere, or a read error with a message.
 */
int x86_boot_put_initrd(const struct guest_mem *gm, const struct boot_src *initrd, uint64_t max_end,
			uint64_t kstart, uint64_t kend, uint64_t *addr, char *err,
			size_t errlen) must_check;

/* Write @cmdline (NULL = empty) at X86_CMDLINE_ADDR; at most @max_len chars. */
int x86_boot_put_cmdline(const struct guest_mem *gm, const char *cmdline, uint64_t max_len,
			 char *err, size_t errlen) must_check;

/* The "guest memory of N MiB is too small ..." error. Returns -ENOMEM. */
int x86_boot_too_small(const struct guest_mem *gm, uint64_t kernel_bytes, uint64_t initrd_bytes,
		       char *err, size_t errlen);

#endif
