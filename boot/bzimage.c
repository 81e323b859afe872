/*
 * bzImage loading by the 64-bit boot protocol. Section names below refer to
 * Documentation/arch/x86/boot.rst; the zero page and setup header layouts
 * and flag values come from the kernel UAPI header <asm/bootparam.h>.
 */
#include "common/log.h"
#include "boot/bzimage.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "boot/e820.h"

STATIC_ASSERT(sizeof(struct boot_params) == 4096);
STATIC_ASSERT(offsetof(struct boot_params, hdr) == 0x1f1);
/* Headers are copied out of the file with memcpy: fields are then host-order. */
STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

#define BZ_HDR_OFF	    0x1f1u
#define BZ_HDR_END	    (BZ_HDR_OFF + sizeof(struct setup_header))
#define BZ_BOOT_FLAG	    0xAA55u
#define BZ_HDRS_MAGIC	    0x53726448u /* "HdrS" */
#define BZ_SECTOR	    512u
#define BZ_LOADER_UNDEFINED 0xFF    /* boot.rst "type_of_loader": no assigned ID */
#define BZ_VID_MODE_NORMAL  0xFFFFu /* boot.rst "vid_mode": 0xFFFF = "normal" */
/* boot.rst "Sample boot configuration": heap_end = 0xe000, heap_end_ptr = heap_end - 0x200. */
#define BZ_HEAP_END_PTR 0xDE00u
/* boot.rst "initrd_addr_max": kernels before 2.03 implied this value. */
#define BZ_INITRD_ADDR_MAX_DEFAULT 0x37FFFFFFu
#define BZ_64BIT_ENTRY_OFFSET	   0x200 /* boot.rst "64-bit BOOT PROTOCOL" */

static int bzimage_check_magic(uint64_t len, const struct setup_header *h, char *err, size_t errlen)
{
	if (len < BZ_HDR_END)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: file of %" PRIu64 " bytes is too small for a setup header",
			       len);
	if (h->boot_flag != BZ_BOOT_FLAG)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: bad boot-sector magic 0x%04x (expected 0xaa55)",
			       h->boot_flag);
	if (h->header != BZ_HDRS_MAGIC)
		return err_fmt(err, errlen, -ENOEXEC, "bzImage: no \"HdrS\" setup header magic");
	if (h->version < BZIMAGE_MIN_PROTOCOL)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: boot protocol %u.%02u is older than 2.06", h->version >> 8,
			       h->version & 0xff);
	/* boot.rst: xloadflags exists from 2.12; XLF_KERNEL_64 = has the 64-bit entry. */
	if (h->version < 0x020c || !(h->xloadflags & XLF_KERNEL_64))
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: kernel has no 64-bit entry point (XLF_KERNEL_64)");
	return 0;
}

static int bzimage_check_sizes(uint64_t len, const struct setup_header *h, struct bzimage_info *out,
			       char *err, size_t errlen)
{
	uint64_t setup_size;

	/* boot.rst "setup_sects": for backwards compatibility 0 means 4. */
	out->setup_sects = h->setup_sects ? h->setup_sects : 4;
	setup_size = (out->setup_sects + 1ULL) * BZ_SECTOR;
	if (setup_size >= len)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: truncated: setup of %" PRIu64 " bytes, file of %" PRIu64
			       " bytes",
			       setup_size, len);
	out->kernel_offset = setup_size;
	out->kernel_size = len - setup_size;
	/* boot.rst "syssize": size of the protected-mode code in 16-byte units. */
	if ((uint64_t)h->syssize * 16 > out->kernel_size)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: truncated: kernel of %" PRIu64
			       " bytes, header says %" PRIu64,
			       out->kernel_size, (uint64_t)h->syssize * 16);
	if (h->payload_length && (uint64_t)h->payload_offset + h->payload_length > out->kernel_size)
		return err_fmt(err, errlen, -ENOEXEC,
			       "bzImage: payload [0x%x, +0x%x) is outside the kernel",
			       h->payload_offset, h->payload_length);
	return 0;
}

static void bzimage_copy_fields(const uint8_t *head, const struct setup_header *h,
				struct bzimage_info *out)
{
	out->protocol = h->version;
	out->loadflags = h->loadflags;
	out->xloadflags = h->xloadflags;
	out->relocatable = h->relocatable_kernel != 0;
	/* boot.rst "64-bit BOOT PROTOCOL": the header ends at 0x202 + byte at 0x201. */
	out->hdr_end = MIN(0x202u + head[0x201], (unsigned)BZ_HDR_END);
	out->kernel_alignment = h->kernel_alignment;
	out->pref_address = h->pref_address;
	out->init_size = h->init_size;
	out->initrd_addr_max = h->initrd_addr_max ? h->initrd_addr_max : BZ_INITRD_ADDR_MAX_DEFAULT;
	out->cmdline_size = h->cmdline_size;
	out->payload_offset = h->payload_offset;
	out->payload_length = h->payload_length;
}

int bzimage_parse(const struct boot_src *src, struct bzimage_info *out, char *err, size_t errlen)
{
	uint8_t head[BZ_HDR_END];
	struct setup_header h = {0};
	uint64_t len = src->size;
	int ret;

	if (len >= BZ_HDR_END) {
		ret = boot_src_load(src, 0, head, sizeof(head), "bzImage: reading the setup header",
				    err, errlen);
		if (ret < 0)
			return ret;
		memcpy(&h, head + BZ_HDR_OFF, sizeof(h));
	}
	ret = bzimage_check_magic(len, &h, err, errlen);
	if (ret < 0)
		return ret;
	memset(out, 0, sizeof(*out));
	ret = bzimage_check_sizes(len, &h, out, err, errlen);
	if (ret < 0)
		return ret;
	bzimage_copy_fields(head, &h, out);
	/* boot.rst "kernel_alignment": a relocatable kernel must be loaded so aligned. */
	if (out->relocatable && (out->kernel_alignment < 4096 ||
				 (out->kernel_alignment & (out->kernel_alignment - 1)) ||
				 out->kernel_alignment > (1u << 30)))
		return err_fmt(err, errlen, -ENOEXEC, "bzImage: bad kernel_alignment 0x%x",
			       out->kernel_alignment);
	return 0;
}

/*
 * boot.rst "pref_address": a relocatable kernel should be loaded there if
 * possible, else at a kernel_alignment-aligned address; a non-relocatable
 * one is loaded at 0x100000 and moves itself to pref_address, so that is
 * where its init_size bytes must fit.
 */
static int bzimage_place(const struct guest_mem *gm, const struct bzimage_info *bi, uint64_t mem,
			 uint64_t initrd_len, uint64_t *kaddr, uint64_t *kend, char *err,
			 size_t errlen)
{
	uint64_t low_end = x86_boot_low_end(gm), addr;

	if (!bi->relocatable) {
		addr = bi->pref_address;
		if (addr < X86_KERNEL_DEFAULT_ADDR || addr > low_end || mem > low_end - addr ||
		    bi->kernel_size > low_end - X86_KERNEL_DEFAULT_ADDR)
			return err_fmt(err, errlen, -ENOMEM,
				       "bzImage: kernel is not relocatable and its run-time "
				       "area [0x%" PRIx64 ", 0x%" PRIx64
				       ") is not in low guest RAM (ends at 0x%" PRIx64 ")",
				       addr, addr + mem, low_end);
		*kaddr = X86_KERNEL_DEFAULT_ADDR;
		*kend = MAX(addr + mem, X86_KERNEL_DEFAULT_ADDR + bi->kernel_size);
		return 0;
	}
	addr = bi->pref_address;
	if (addr < X86_KERNEL_DEFAULT_ADDR || addr % bi->kernel_alignment || addr > low_end ||
	    mem > low_end - addr)
		addr = ALIGN_UP(X86_KERNEL_DEFAULT_ADDR, (uint64_t)bi->kernel_alignment);
	if (addr > low_end || mem > low_end - addr)
		return x86_boot_too_small(gm, mem, initrd_len, err, errlen);
	*kaddr = addr;
	*kend = addr + mem;
	return 0;
}

static int bzimage_fill_e820(const struct guest_mem *gm, struct boot_params *bp, char *err,
			     size_t errlen)
{
	struct e820_entry e[E820_MAX_ENTRIES_ZEROPAGE];
	int i, n = x86_e820_build(gm, e, E820_MAX_ENTRIES_ZEROPAGE);

	if (n < 0)
		return err_fmt(err, errlen, n, "bzImage: e820 map does not fit the zero page");
	for (i = 0; i < n; i++) {
		bp->e820_table[i].addr = e[i].addr;
		bp->e820_table[i].size = e[i].size;
		bp->e820_table[i].type = e[i].type;
	}
	bp->e820_entries = (uint8_t)n;
	return 0;
}

/* boot.rst "64-bit BOOT PROTOCOL": header from the image, then our fields. */
static int bzimage_zero_page(const struct guest_mem *gm, const struct x86_boot_input *in,
			     const struct bzimage_info *bi, uint64_t kaddr, uint64_t initrd_addr,
			     char *err, size_t errlen)
{
	struct boot_params bp;
	int ret;

	memset(&bp, 0, sizeof(bp));
	ret = boot_src_load(&in->kernel, BZ_HDR_OFF, (uint8_t *)&bp + BZ_HDR_OFF,
			    bi->hdr_end - BZ_HDR_OFF, "bzImage: reading the setup header", err,
			    errlen);
	if (ret < 0)
		return ret;
	bp.hdr.type_of_loader = BZ_LOADER_UNDEFINED;
	bp.hdr.loadflags |= CAN_USE_HEAP;
	bp.hdr.heap_end_ptr = BZ_HEAP_END_PTR;
	bp.hdr.vid_mode = BZ_VID_MODE_NORMAL;
	bp.hdr.code32_start = (uint32_t)kaddr;
	bp.hdr.cmd_line_ptr = (uint32_t)X86_CMDLINE_ADDR;
	bp.ext_cmd_line_ptr = 0;
	bp.hdr.ramdisk_image = (uint32_t)initrd_addr;
	bp.ext_ramdisk_image = (uint32_t)(initrd_addr >> 32);
	bp.hdr.ramdisk_size = (uint32_t)in->initrd.size;
	bp.ext_ramdisk_size = (uint32_t)(in->initrd.size >> 32);
	bp.hdr.setup_data = 0;
	/* boot.rst: acpi_rsdp_addr is a zero-page field from protocol 2.14. */
	if (bi->protocol >= 0x020e)
		bp.acpi_rsdp_addr = in->rsdp_addr;
	ret = bzimage_fill_e820(gm, &bp, err, errlen);
	if (ret < 0)
		return ret;
	if (gm_write(gm, X86_ZERO_PAGE_ADDR, &bp, sizeof(bp)) < 0)
		return err_fmt(err, errlen, -EFAULT, "no guest RAM for the zero page");
	return 0;
}

int bzimage_load(const struct guest_mem *gm, const struct x86_boot_input *in,
		 struct x86_boot_info *info, char *err, size_t errlen)
{
	uint64_t mem, kaddr = 0, kend = 0, initrd_addr;
	struct bzimage_info bi;
	uint8_t *kdst;
	int ret;

	ret = x86_boot_check_input(gm, in, err, errlen);
	if (ret == 0)
		ret = bzimage_parse(&in->kernel, &bi, err, errlen);
	if (ret < 0)
		return ret;
	/* boot.rst "init_size": memory needed from the kernel's start, decompression included. */
	mem = MAX((uint64_t)bi.init_size, bi.kernel_size);
	ret = bzimage_place(gm, &bi, mem, in->initrd.size, &kaddr, &kend, err, errlen);
	if (ret < 0)
		return ret;
	kdst = gm_ptr(gm, kaddr, bi.kernel_size);
	if (!kdst)
		return x86_boot_too_small(gm, mem, in->initrd.size, err, errlen);
	ret = boot_src_load(&in->kernel, bi.kernel_offset, kdst, bi.kernel_size,
			    "bzImage: reading the kernel", err, errlen);
	if (ret < 0)
		return ret;
	ret = x86_boot_put_cmdline(gm, in->cmdline, bi.cmdline_size, err, errlen);
	if (ret < 0)
		return ret;
	ret = x86_boot_put_initrd(gm, &in->initrd, bi.initrd_addr_max + 1ULL, kaddr, kend,
				  &initrd_addr, err, errlen);
	if (ret == -ENOSPC)
		return x86_boot_too_small(gm, mem, in->initrd.size, err, errlen);
	if (ret < 0)
		return ret;
	ret = bzimage_zero_page(gm, in, &bi, kaddr, initrd_addr, err, errlen);
	if (ret < 0)
		return ret;
	*info = (struct x86_boot_info){
	    .kind = X86_BOOT_BZIMAGE,
	    .kernel_addr = kaddr,
	    .kernel_size = kend - kaddr,
	    .initrd_addr = initrd_addr,
	    .entry = kaddr + BZ_64BIT_ENTRY_OFFSET,
	    .protocol = bi.protocol,
	};
	return 0;
}
