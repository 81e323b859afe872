/*
 * RISC-V Linux Image recognition, loading and boot placement.
 * Header layout: Documentation/arch/riscv/boot-image-header.rst.
 */
#include "common/log.h"
#include "boot/riscv_image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HDR_TEXT_OFFSET 0x08
#define HDR_IMAGE_SIZE	0x10
#define HDR_FLAGS	0x18
#define HDR_VERSION	0x20
#define HDR_MAGIC	0x30
#define HDR_MAGIC2	0x38

/* boot-image-header.rst: flags bit 0 is the kernel's endianness, 1 = big. */
#define RISCV_IMAGE_FLAG_BE 0x1ULL

#define RV_PAGE_SIZE 4096ULL

static uint64_t rv_img_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t rv_img_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int riscv_image_parse_header(const void *hdr, size_t hdr_len, uint64_t file_size,
			     struct riscv_image_info *info, char *err, size_t errlen)
{
	const uint8_t *p = hdr;

	memset(info, 0, sizeof(*info));
	if (!hdr || hdr_len < RISCV_IMAGE_HEADER_SIZE || file_size < RISCV_IMAGE_HEADER_SIZE)
		return err_fmt(err, errlen, -ENOEXEC,
			       "riscv Image: %llu bytes, shorter than the 64-byte header",
			       (unsigned long long)MIN((uint64_t)hdr_len, file_size));
	/*
	 * magic2 is the current magic; "magic" is deprecated since header 0.2
	 * and may go away, so it is not required.
	 */
	if (memcmp(p + HDR_MAGIC2, "RSC\x05", 4) != 0)
		return err_fmt(err, errlen, -ENOEXEC,
			       "riscv Image: no \"RSC\\x05\" magic at offset 0x38");
	info->text_offset = rv_img_le64(p + HDR_TEXT_OFFSET);
	info->image_size = rv_img_le64(p + HDR_IMAGE_SIZE);
	info->flags = rv_img_le64(p + HDR_FLAGS);
	info->version = rv_img_le32(p + HDR_VERSION);
	info->file_size = file_size;
	info->is_pe = p[0] == 'M' && p[1] == 'Z';
	if (info->flags & RISCV_IMAGE_FLAG_BE)
		return err_fmt(err, errlen, -EINVAL,
			       "riscv Image: big-endian kernel (flags 0x%llx) not supported",
			       (unsigned long long)info->flags);
	if (info->text_offset == 0)
		info->text_offset = RISCV_IMAGE_DEFAULT_TEXT_OFFSET;
	if (info->text_offset % RISCV_IMAGE_ALIGN)
		return err_fmt(err, errlen, -EINVAL,
			       "riscv Image: text_offset 0x%llx is not 2 MiB aligned",
			       (unsigned long long)info->text_offset);
	/* image_size 0 (very old headers) means "unknown": use the file size. */
	if (info->image_size < file_size)
		info->image_size = file_size;
	return 0;
}

int riscv_image_parse(const void *buf, size_t len, struct riscv_image_info *info, char *err,
		      size_t errlen)
{
	return riscv_image_parse_header(buf, len, len, info, err, errlen);
}

/*
 * Put a parsed Image at @ram_base + text_offset: check the room for the
 * whole image_size, zero what lies past the file (.bss), set load_addr and
 * entry; *@file_dst = where the file's bytes go.
 */
static int riscv_image_place(struct guest_mem *gm, uint64_t ram_base, struct riscv_image_info *info,
			     uint8_t **file_dst, char *err, size_t errlen)
{
	const struct gm_region *r = gm_region_of(gm, ram_base);
	uint64_t room, addr;
	uint8_t *dst;

	if (ram_base % RISCV_IMAGE_ALIGN)
		return err_fmt(err, errlen, -EINVAL,
			       "riscv Image: RAM base 0x%llx is not 2 MiB aligned",
			       (unsigned long long)ram_base);
	if (!r)
		return err_fmt(err, errlen, -EFAULT, "riscv Image: no RAM at 0x%llx",
			       (unsigned long long)ram_base);
	room = r->gpa + r->size - ram_base;
	if (info->text_offset > room || info->image_size > room - info->text_offset)
		return err_fmt(err, errlen, -ENOSPC,
			       "riscv Image: needs 0x%llx + 0x%llx bytes, RAM has 0x%llx",
			       (unsigned long long)info->text_offset,
			       (unsigned long long)info->image_size, (unsigned long long)room);
	addr = ram_base + info->text_offset;
	dst = gm_ptr(gm, addr, info->image_size);
	if (!dst)
		return err_fmt(err, errlen, -EFAULT, "riscv Image: RAM at 0x%llx unusable",
			       (unsigned long long)addr);
	memset(dst + info->file_size, 0, info->image_size - info->file_size);
	info->load_addr = addr;
	/* The Image is entered at its first byte (code0), EFI stub or not. */
	info->entry = addr;
	*file_dst = dst;
	return 0;
}

int riscv_image_load(struct guest_mem *gm, const struct boot_src *src, uint64_t ram_base,
		     struct riscv_image_info *info, char *err, size_t errlen)
{
	uint8_t hdr[RISCV_IMAGE_HEADER_SIZE];
	size_t hdr_len = (size_t)MIN((uint64_t)sizeof(hdr), src->size);
	uint8_t *dst = NULL;
	int ret =
	    boot_src_load(src, 0, hdr, hdr_len, "riscv Image: reading the header", err, errlen);

	if (ret == 0)
		ret = riscv_image_parse_header(hdr, hdr_len, src->size, info, err, errlen);
	if (ret == 0)
		ret = riscv_image_place(gm, ram_base, info, &dst, err, errlen);
	if (ret < 0)
		return ret;
	return boot_src_load(src, 0, dst, info->file_size, "riscv Image: reading the file", err,
			     errlen);
}

int riscv_boot_plan(const struct riscv_image_info *info, uint64_t ram_base, uint64_t ram_size,
		    uint64_t initrd_size, uint64_t dtb_size, uint64_t limit,
		    struct riscv_boot_plan *plan, char *err, size_t errlen)
{
	uint64_t top = ram_base + ram_size, dtb_space, initrd_space, low;

	memset(plan, 0, sizeof(*plan));
	if (ram_base + ram_size < ram_base || info->load_addr < ram_base)
		return err_fmt(err, errlen, -EINVAL, "riscv boot: bad RAM range");
	plan->kernel_start = info->load_addr;
	plan->kernel_end = info->load_addr + info->image_size;
	if (limit && limit < top)
		top = limit;
	top = ALIGN_DOWN(top, RV_PAGE_SIZE);
	low = ALIGN_UP(plan->kernel_end, RV_PAGE_SIZE);
	dtb_space = ALIGN_UP(dtb_size, RV_PAGE_SIZE);
	initrd_space = ALIGN_UP(initrd_size, RV_PAGE_SIZE);
	if (dtb_size == 0 || dtb_space < dtb_size || initrd_space < initrd_size)
		return err_fmt(err, errlen, -EINVAL, "riscv boot: bad DTB/initrd size");
	if (top < low || top - low < dtb_space || top - low - dtb_space < initrd_space)
		return err_fmt(err, errlen, -ENOSPC,
			       "riscv boot: kernel ends at 0x%llx, no room below 0x%llx for "
			       "DTB (0x%llx) and initrd (0x%llx)",
			       (unsigned long long)plan->kernel_end, (unsigned long long)top,
			       (unsigned long long)dtb_size, (unsigned long long)initrd_size);
	plan->dtb_addr = top - dtb_space;
	plan->dtb_size = dtb_space;
	if (initrd_size) {
		plan->initrd_addr = plan->dtb_addr - initrd_space;
		plan->initrd_size = initrd_size;
	}
	return 0;
}
