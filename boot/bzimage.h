/*
 * bzImage: the x86 Linux boot protocol (Documentation/arch/x86/boot.rst).
 * bzimage_parse() validates the setup header of a file (user input);
 * bzimage_load() places the protected-mode kernel, initrd and command line
 * in guest memory and writes the zero page for the 64-bit entry.
 */
#ifndef VMM_BOOT_BZIMAGE_H
#define VMM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/x86_boot.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"

/* Oldest boot protocol accepted. The 64-bit entry itself needs 2.12 (xloadflags). */
#define BZIMAGE_MIN_PROTOCOL 0x0206

struct bzimage_info {
	uint16_t protocol;   /* e.g. 0x020f for 2.15 */
	uint8_t setup_sects; /* after "0 means 4" */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t hdr_end;	/* file offset just past the setup header */
	uint64_t kernel_offset; /* protected-mode kernel: file offset... */
	uint64_t kernel_size;	/* ...and length (the rest of the file) */
	uint32_t kernel_alignment;
	uint64_t pref_address;
	uint32_t init_size; /* linear memory the kernel needs from its start */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;	 /* maximum command line length, NUL excluded */
	uint32_t payload_offset; /* compressed payload, relative to kernel_offset */
	uint32_t payload_length;
};

/*
 * Parse and check the setup header of the bzImage @src. Returns 0, or
 * -ENOEXEC with a message in @err for a file that is not a bootable 64-bit
 * bzImage (too small, bad magic, too old, not 64-bit, truncated), or the
 * source's read error.
 */
int bzimage_parse(const struct boot_src *src, struct bzimage_info *out, char *err,
		  size_t errlen) must_check;

/*
 * Parse in->kernel, then load kernel, initrd and command line and write the
 * zero page at X86_ZERO_PAGE_ADDR. Fills @info (kind, addresses, entry,
 * protocol). Does not touch the GDT, page tables or vCPU state.
 */
int bzimage_load(const struct guest_mem *gm, const struct x86_boot_input *in,
		 struct x86_boot_info *info, char *err, size_t errlen) must_check;

#endif
