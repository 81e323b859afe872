/*
 * A synthetic bzImage for the boot tests, written with raw offsets from
 * Documentation/arch/x86/boot.rst (not through <asm/bootparam.h>, so the
 * tests cross-check the loader's use of that header).
 */
#ifndef VMM_TESTS_UNIT_BOOT_BZ_BUILD_H
#define VMM_TESTS_UNIT_BOOT_BZ_BUILD_H

#include <stdint.h>
#include <string.h>

#define TBZ_SETUP_SECTS 4
#define TBZ_SETUP_SIZE	((TBZ_SETUP_SECTS + 1) * 512)
#define TBZ_KERNEL_SIZE 0x10000
#define TBZ_SIZE	(TBZ_SETUP_SIZE + TBZ_KERNEL_SIZE)
#define TBZ_PREF	0x1000000u
#define TBZ_INIT_SIZE	0x800000u
#define TBZ_ALIGN	0x200000u
/* A byte after the end of the setup header (0x26c) that must not reach the zero page. */
#define TBZ_BEYOND_HDR 0x280

/* Setup header offsets, boot.rst "THE REAL-MODE KERNEL HEADER". */
enum {
	HDR_SETUP_SECTS = 0x1f1,
	HDR_SYSSIZE = 0x1f4,
	HDR_VID_MODE = 0x1fa,
	HDR_BOOT_FLAG = 0x1fe,
	HDR_JUMP = 0x200,
	HDR_HEADER = 0x202,
	HDR_VERSION = 0x206,
	HDR_TYPE_OF_LOADER = 0x210,
	HDR_LOADFLAGS = 0x211,
	HDR_CODE32_START = 0x214,
	HDR_RAMDISK_IMAGE = 0x218,
	HDR_RAMDISK_SIZE = 0x21c,
	HDR_HEAP_END_PTR = 0x224,
	HDR_CMD_LINE_PTR = 0x228,
	HDR_INITRD_ADDR_MAX = 0x22c,
	HDR_KERNEL_ALIGNMENT = 0x230,
	HDR_RELOCATABLE = 0x234,
	HDR_MIN_ALIGNMENT = 0x235,
	HDR_XLOADFLAGS = 0x236,
	HDR_CMDLINE_SIZE = 0x238,
	HDR_PAYLOAD_OFFSET = 0x248,
	HDR_PAYLOAD_LENGTH = 0x24c,
	HDR_PREF_ADDRESS = 0x258,
	HDR_INIT_SIZE = 0x260,
};

/* Zero page offsets outside the setup header, boot.rst "zero-page.rst". */
enum {
	ZP_ACPI_RSDP_ADDR = 0x070,
	ZP_EXT_RAMDISK_IMAGE = 0x0c0,
	ZP_EXT_RAMDISK_SIZE = 0x0c4,
	ZP_EXT_CMD_LINE_PTR = 0x0c8,
	ZP_E820_ENTRIES = 0x1e8,
	ZP_SENTINEL = 0x1ef,
	ZP_E820_TABLE = 0x2d0, /* 20-byte entries: u64 addr, u64 size, u32 type */
};

static inline void tbz_put(uint8_t *p, unsigned off, uint64_t v, unsigned size)
{
	unsigned i;

	for (i = 0; i < size; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t tbz_get(const uint8_t *p, unsigned off, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[off + i] << (8 * i);
	return v;
}

/* A valid 2.15 relocatable 64-bit bzImage of TBZ_SIZE bytes. */
static inline void tbz_build(uint8_t *img)
{
	unsigned i;

	memset(img, 0, TBZ_SIZE);
	tbz_put(img, HDR_SETUP_SECTS, TBZ_SETUP_SECTS, 1);
	tbz_put(img, HDR_SYSSIZE, TBZ_KERNEL_SIZE / 16, 4);
	tbz_put(img, HDR_VID_MODE, 0xfffd, 2);
	tbz_put(img, HDR_BOOT_FLAG, 0xaa55, 2);
	img[HDR_JUMP] = 0xeb;
	img[HDR_JUMP + 1] = 0x6a; /* header ends at 0x202 + 0x6a = 0x26c */
	memcpy(img + HDR_HEADER, "HdrS", 4);
	tbz_put(img, HDR_VERSION, 0x020f, 2);
	tbz_put(img, HDR_LOADFLAGS, 0x01, 1); /* LOADED_HIGH */
	tbz_put(img, HDR_CODE32_START, 0x100000, 4);
	tbz_put(img, HDR_INITRD_ADDR_MAX, 0x7fffffff, 4);
	tbz_put(img, HDR_KERNEL_ALIGNMENT, TBZ_ALIGN, 4);
	tbz_put(img, HDR_RELOCATABLE, 1, 1);
	tbz_put(img, HDR_MIN_ALIGNMENT, 21, 1);
	tbz_put(img, HDR_XLOADFLAGS, 0x3, 2); /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	tbz_put(img, HDR_CMDLINE_SIZE, 2047, 4);
	tbz_put(img, HDR_PAYLOAD_OFFSET, 0x100, 4);
	tbz_put(img, HDR_PAYLOAD_LENGTH, 0x1000, 4);
	tbz_put(img, HDR_PREF_ADDRESS, TBZ_PREF, 8);
	tbz_put(img, HDR_INIT_SIZE, TBZ_INIT_SIZE, 4);
	img[TBZ_BEYOND_HDR] = 0x55;
	for (i = 0; i < TBZ_KERNEL_SIZE; i++)
		img[TBZ_SETUP_SIZE + i] = (uint8_t)(i * 13 + 5);
}

#endif
