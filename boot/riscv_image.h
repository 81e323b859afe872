/*
 * The RISC-V Linux kernel `Image` (Documentation/arch/riscv/boot-image-header.rst)
 * and where a direct S-mode boot puts it, the initrd and the device tree.
 *
 * An Image starts with a 64-byte little-endian header:
 *
 *	0x00 code0, code1    (or "MZ" + jump when it is also an EFI-stub PE file,
 *	                      as Debian's /boot/vmlinux-* is)
 *	0x08 text_offset     load offset from a 2 MiB-aligned RAM base
 *	0x10 image_size      effective size in memory (includes .bss)
 *	0x18 flags           bit 0: 1 = big-endian kernel
 *	0x20 version         bits 31:16 major, 15:0 minor (0.2 today)
 *	0x30 magic           "RISCV\0\0\0" (deprecated since 0.2, still written)
 *	0x38 magic2          "RSC\x05"
 *	0x3c res3            PE header offset for EFI-stub images
 *
 * Typical use by a machine (pure functions over buffers and sources, no threads):
 *
 *	struct riscv_image_info ki;
 *	struct riscv_boot_plan plan;
 *	struct boot_src src = boot_src_buf(kbuf, klen);
 *	if (riscv_image_load(gm, &src, RAM_BASE, &ki, err, sizeof(err)) < 0) ...
 *	if (riscv_boot_plan(&ki, RAM_BASE, ram_size, initrd_len, FDT_MAX, 0, &plan,
 *			    err, sizeof(err)) < 0) ...
 *	read the initrd to plan.initrd_addr;
 *	fdt_riscv_build(...initrd_start = plan.initrd_addr...) into a buffer of
 *	plan.dtb_size bytes, then gm_write(gm, plan.dtb_addr, ...);
 *	hart 0 enters S-mode at ki.entry with a0 = hart id, a1 = plan.dtb_addr.
 */
#ifndef VMM_BOOT_RISCV_IMAGE_H
#define VMM_BOOT_RISCV_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/source.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"

#define RISCV_IMAGE_HEADER_SIZE 64
/* Load offset used when an old header says 0 (RV64 kernels use PMD size). */
#define RISCV_IMAGE_DEFAULT_TEXT_OFFSET (2 * MiB)
/* The kernel's start must be 2 MiB aligned on RV64 (boot-image-header.rst). */
#define RISCV_IMAGE_ALIGN (2 * MiB)

struct riscv_image_info {
	uint64_t text_offset; /* as used: 0 in the header becomes the default */
	uint64_t image_size;  /* memory footprint: max(header image_size, file size) */
	uint64_t file_size;
	uint64_t flags;
	uint32_t version; /* major << 16 | minor */
	int is_pe;	  /* starts with "MZ": also an EFI-stub PE file */
	/* Set by riscv_image_load(): where the image lies, and the entry. */
	uint64_t load_addr;
	uint64_t entry;
};

/*
 * Recognize an Image in buf[0, len) and fill @info (load_addr/entry = 0).
 * -ENOEXEC: not an Image (too short, no magic2): the caller may try another
 * format. -EINVAL: an Image this loader cannot use (big-endian, text_offset
 * not 2 MiB aligned). @err gets a one-line reason on failure.
 */
int riscv_image_parse(const void *buf, size_t len, struct riscv_image_info *info, char *err,
		      size_t errlen) must_check;

/*
 * The same from the file's first @hdr_len bytes (at least the 64-byte
 * header) and its size.
 */
int riscv_image_parse_header(const void *hdr, size_t hdr_len, uint64_t file_size,
			     struct riscv_image_info *info, char *err, size_t errlen) must_check;

/*
 * Parse the Image @src, then read it straight to @ram_base + text_offset in
 * @gm. The RAM region holding @ram_base must hold the whole image_size from
 * there (-ENOSPC otherwise); @ram_base must be 2 MiB aligned (-EINVAL). The
 * part of image_size past the file (.bss) is zeroed.
 */
int riscv_image_load(struct guest_mem *gm, const struct boot_src *src, uint64_t ram_base,
		     struct riscv_image_info *info, char *err, size_t errlen) must_check;

struct riscv_boot_plan {
	uint64_t kernel_start, kernel_end; /* [load_addr, load_addr + image_size) */
	uint64_t initrd_addr, initrd_size; /* 0, 0 when there is no initrd */
	uint64_t dtb_addr, dtb_size;	   /* dtb_size = the space reserved */
};

/*
 * Place the DTB (@dtb_size bytes reserved) at the top of RAM, below @limit if
 * @limit is not 0, page aligned (the kernel needs 8-byte alignment), and the
 * initrd (@initrd_size bytes, may be 0) page aligned right below it. Neither
 * may overlap the kernel's [load_addr, load_addr + image_size): -ENOSPC with a
 * reason in @err. @info must come from riscv_image_load().
 */
int riscv_boot_plan(const struct riscv_image_info *info, uint64_t ram_base, uint64_t ram_size,
		    uint64_t initrd_size, uint64_t dtb_size, uint64_t limit,
		    struct riscv_boot_plan *plan, char *err, size_t errlen) must_check;

#endif
