/*
 * The x86 e820 memory map of a guest, as passed in the zero page
 * (boot_params.e820_table) and in the PVH memmap.
 */
#ifndef VMM_BOOT_E820_H
#define VMM_BOOT_E820_H

#include <asm/e820.h> /* E820_RAM, E820_RESERVED: the boot protocol's type numbers */
#include <stdint.h>

#include "common/compiler.h"
#include "memory/guest_mem.h"

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * The map for the RAM in @gm: RAM, except [X86_EBDA_START, X86_BIOS_END)
 * which is reserved (EBDA, BIOS area, ACPI tables). For the standard layout:
 * [0, 0x9FC00) RAM, [0x9FC00, 0x100000) reserved, [0x100000, low end) RAM,
 * and [4 GiB, ...) RAM if present. Returns the number of entries written, or
 * -ENOSPC if @max is too small.
 */
int x86_e820_build(const struct guest_mem *gm, struct e820_entry *out, unsigned max) must_check;

#endif
