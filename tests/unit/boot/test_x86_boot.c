/*
 * x86 boot: RAM layout, e820, and x86_boot_load() of a synthetic bzImage and
 * a synthetic PVH ELF into a fake 64 MiB guest: zero page, page tables, GDT,
 * vCPU state, initrd placement, start_info.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/e820.h"
#include "boot/pvh.h"
#include "boot/x86_boot.h"
#include "tests/test.h"
#include "bz_build.h"
#include "elf_build.h"

#define GUEST_SIZE (64 * MiB)

static uint8_t *mem;
static struct guest_mem gm;
static uint8_t bz[TBZ_SIZE];
static uint8_t initrd[16 * MiB];
static char err[512];

static void check_entry(const struct e820_entry *e, uint64_t addr, uint64_t size, uint32_t type)
{
	CHECK_EQ(e->addr, addr);
	CHECK_EQ(e->size, size);
	CHECK_EQ(e->type, type);
}

static void test_ram_layout(void)
{
	struct gm_region r[2];
	unsigned n = 0;

	CHECK_EQ(x86_ram_layout(128 * MiB, r, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(r[0].gpa, 0);
	CHECK_EQ(r[0].size, 128 * MiB);
	CHECK(r[0].host == NULL);
	CHECK_EQ(x86_ram_layout(3 * GiB, r, &n), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(r[0].size, 3 * GiB);
	CHECK_EQ(x86_ram_layout(3 * GiB + 512 * MiB, r, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(r[0].size, 3 * GiB);
	CHECK_EQ(r[1].gpa, 4 * GiB);
	CHECK_EQ(r[1].size, 512 * MiB);
	CHECK(r[1].host == NULL);
	CHECK_EQ(x86_ram_layout(8 * GiB, r, &n), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(r[1].gpa, 4 * GiB);
	CHECK_EQ(r[1].size, 5 * GiB);
	CHECK_EQ(x86_ram_layout(0, r, &n), -EINVAL);
	CHECK_EQ(x86_ram_layout(128 * MiB + 1, r, &n), -EINVAL);
	CHECK_EQ(x86_ram_layout(~0xfffULL, r, &n), -EINVAL);
}

/* e820 from region descriptors only: the host pointer is never touched. */
static int e820_for(uint64_t ram, struct e820_entry *e, unsigned max)
{
	static uint8_t dummy;
	struct guest_mem g = {0};
	struct gm_region r[2];
	unsigned i, n;

	if (x86_ram_layout(ram, r, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (gm_add_region(&g, r[i].gpa, r[i].size, &dummy) < 0)
			return -1;
	return x86_e820_build(&g, e, max);
}

static void test_e820(void)
{
	struct e820_entry e[8];

	CHECK_EQ(e820_for(128 * MiB, e, 8), 3);
	check_entry(&e[0], 0, 0x9fc00, E820_RAM);
	check_entry(&e[1], 0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED);
	check_entry(&e[2], 0x100000, 127 * MiB, E820_RAM);

	CHECK_EQ(e820_for(3 * GiB + 512 * MiB, e, 8), 4);
	check_entry(&e[0], 0, 0x9fc00, E820_RAM);
	check_entry(&e[1], 0x9fc00, 0x60400, E820_RESERVED);
	check_entry(&e[2], 0x100000, 3 * GiB - MiB, E820_RAM);
	check_entry(&e[3], 4 * GiB, 512 * MiB, E820_RAM);

	CHECK_EQ(e820_for(8 * GiB, e, 8), 4);
	check_entry(&e[2], 0x100000, 3 * GiB - MiB, E820_RAM);
	check_entry(&e[3], 4 * GiB, 5 * GiB, E820_RAM);

	CHECK_EQ(e820_for(8 * GiB, e, 3), -ENOSPC);
	CHECK_EQ(E820_RAM, 1);
	CHECK_EQ(E820_RESERVED, 2);
}

static uint64_t rd(uint64_t gpa, unsigned size)
{
	const uint8_t *p = gm_ptr(&gm, gpa, size);

	return p ? tbz_get(p, 0, size) : 0xdeadbeefdeadbeefULL;
}

static int load(const uint8_t *kernel, size_t klen, size_t initrd_len, const char *cmdline,
		struct x86_cpu_state *cpu, struct x86_boot_info *info)
{
	struct x86_boot_input in = {.kernel = boot_src_buf(kernel, klen),
				    .initrd = boot_src_buf(initrd, initrd_len),
				    .cmdline = cmdline,
				    .rsdp_addr = X86_ACPI_ADDR};

	memset(mem, 0xcc, GUEST_SIZE);
	err[0] = '\0';
	return x86_boot_load(&gm, &in, cpu, info, err, sizeof(err));
}

static void check_e820_zero_page(void)
{
	uint64_t t = X86_ZERO_PAGE_ADDR + ZP_E820_TABLE;

	CHECK_EQ(rd(X86_ZERO_PAGE_ADDR + ZP_E820_ENTRIES, 1), 3);
	CHECK_EQ(rd(t, 8), 0);
	CHECK_EQ(rd(t + 8, 8), 0x9fc00);
	CHECK_EQ(rd(t + 16, 4), E820_RAM);
	CHECK_EQ(rd(t + 20, 8), 0x9fc00);
	CHECK_EQ(rd(t + 28, 8), 0x60400);
	CHECK_EQ(rd(t + 36, 4), E820_RESERVED);
	CHECK_EQ(rd(t + 40, 8), 0x100000);
	CHECK_EQ(rd(t + 48, 8), GUEST_SIZE - 0x100000);
	CHECK_EQ(rd(t + 56, 4), E820_RAM);
	CHECK_EQ(rd(t + 60, 8), 0); /* the rest of the page is clean */
}

static void check_tables(void)
{
	CHECK_EQ(rd(X86_PML4_ADDR, 8), X86_PDPT_ADDR | 3);
	CHECK_EQ(rd(X86_PML4_ADDR + 8, 8), 0);
	CHECK_EQ(rd(X86_PDPT_ADDR, 8), 0xb003);
	CHECK_EQ(rd(X86_PDPT_ADDR + 24, 8), 0xe003);
	CHECK_EQ(rd(X86_PDPT_ADDR + 32, 8), 0);
	CHECK_EQ(rd(X86_PD_ADDR, 8), 0x83);
	CHECK_EQ(rd(X86_PD_ADDR + 8, 8), 0x200083);
	CHECK_EQ(rd(X86_PD_ADDR + 0x1000, 8), GiB | 0x83);
	CHECK_EQ(rd(X86_PD_ADDR + 0x3ff8, 8), (4 * GiB - 2 * MiB) | 0x83);
	/* GDT: null, 32-bit code, 64-bit code, data, busy 64-bit TSS (16 bytes). */
	CHECK_EQ(rd(X86_GDT_ADDR, 8), 0);
	CHECK_EQ(rd(X86_GDT_ADDR + 0x08, 8), 0x00cf9b000000ffffULL);
	CHECK_EQ(rd(X86_GDT_ADDR + 0x10, 8), 0x00af9b000000ffffULL);
	CHECK_EQ(rd(X86_GDT_ADDR + 0x18, 8), 0x00cf93000000ffffULL);
	CHECK_EQ(rd(X86_GDT_ADDR + 0x20, 8), 0x00008b0000000067ULL);
	CHECK_EQ(rd(X86_GDT_ADDR + 0x28, 8), 0);
}

static void check_cpu_long(const struct x86_cpu_state *c, uint64_t entry)
{
	CHECK_EQ(c->rip, entry);
	CHECK_EQ(c->gpr[X86_RSI], X86_ZERO_PAGE_ADDR);
	CHECK_EQ(c->gpr[X86_RAX], 0);
	CHECK_EQ(c->rflags, 0x2);
	CHECK_EQ(c->cr0, 0x80000031);
	CHECK_EQ(c->cr3, X86_PML4_ADDR);
	CHECK_EQ(c->cr4, 0x20);
	CHECK_EQ(c->efer, 0x500);
	CHECK_EQ(c->cs.selector, 0x10);
	CHECK_EQ(c->cs.type, 0xb);
	CHECK(c->cs.l == 1 && c->cs.db == 0 && c->cs.s == 1 && c->cs.present == 1);
	CHECK_EQ(c->cs.limit, 0xffffffff);
	CHECK_EQ(c->ds.selector, 0x18);
	CHECK_EQ(c->ss.selector, 0x18);
	CHECK_EQ(c->gs.type, 0x3);
	CHECK_EQ(c->tr.selector, 0x20);
	CHECK_EQ(c->tr.type, 11);
	CHECK(c->tr.s == 0 && c->tr.present == 1 && c->tr.limit == 0x67);
	CHECK_EQ(c->gdt.base, X86_GDT_ADDR);
	CHECK_EQ(c->gdt.limit, 0x2f);
}

static void test_bzimage_load(void)
{
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	const uint64_t zp = X86_ZERO_PAGE_ADDR;
	const size_t ilen = MiB + 123;
	const uint64_t iaddr = (GUEST_SIZE - ilen) & ~0xfffULL;

	tbz_build(bz);
	CHECK_EQ(load(bz, sizeof(bz), ilen, "console=ttyS0 quiet", &cpu, &info), 0);
	CHECK_EQ(info.kind, X86_BOOT_BZIMAGE);
	CHECK_EQ(info.protocol, 0x020f);
	CHECK_EQ(info.kernel_addr, TBZ_PREF);
	CHECK_EQ(info.kernel_size, TBZ_INIT_SIZE);
	CHECK_EQ(info.entry, TBZ_PREF + 0x200);
	CHECK_EQ(info.initrd_addr, iaddr);
	CHECK(memcmp(gm_ptr(&gm, TBZ_PREF, TBZ_KERNEL_SIZE), bz + TBZ_SETUP_SIZE,
		     TBZ_KERNEL_SIZE) == 0);
	CHECK(memcmp(gm_ptr(&gm, iaddr, ilen), initrd, ilen) == 0);
	CHECK(strcmp(gm_ptr(&gm, X86_CMDLINE_ADDR, 1), "console=ttyS0 quiet") == 0);

	/* Setup header copied from the image up to its end, then our fields. */
	CHECK_EQ(rd(zp + HDR_SETUP_SECTS, 1), TBZ_SETUP_SECTS);
	CHECK(memcmp(gm_ptr(&gm, zp + HDR_HEADER, 4), "HdrS", 4) == 0);
	CHECK_EQ(rd(zp + HDR_VERSION, 2), 0x020f);
	CHECK_EQ(rd(zp + HDR_INIT_SIZE, 4), TBZ_INIT_SIZE);
	CHECK_EQ(rd(zp + TBZ_BEYOND_HDR, 1), 0);
	CHECK_EQ(rd(zp + ZP_SENTINEL, 1), 0);
	CHECK_EQ(rd(zp + HDR_TYPE_OF_LOADER, 1), 0xff);
	CHECK_EQ(rd(zp + HDR_LOADFLAGS, 1), 0x81); /* LOADED_HIGH | CAN_USE_HEAP */
	CHECK_EQ(rd(zp + HDR_HEAP_END_PTR, 2), 0xde00);
	CHECK_EQ(rd(zp + HDR_VID_MODE, 2), 0xffff);
	CHECK_EQ(rd(zp + HDR_CMD_LINE_PTR, 4), X86_CMDLINE_ADDR);
	CHECK_EQ(rd(zp + ZP_EXT_CMD_LINE_PTR, 4), 0);
	CHECK_EQ(rd(zp + HDR_RAMDISK_IMAGE, 4), iaddr);
	CHECK_EQ(rd(zp + HDR_RAMDISK_SIZE, 4), ilen);
	CHECK_EQ(rd(zp + ZP_EXT_RAMDISK_IMAGE, 4), 0);
	CHECK_EQ(rd(zp + ZP_EXT_RAMDISK_SIZE, 4), 0);
	CHECK_EQ(rd(zp + ZP_ACPI_RSDP_ADDR, 8), X86_ACPI_ADDR);
	check_e820_zero_page();
	check_tables();
	check_cpu_long(&cpu, TBZ_PREF + 0x200);

	/* Protocol 2.12: no acpi_rsdp_addr field yet. No initrd, no cmdline. */
	tbz_put(bz, HDR_VERSION, 0x020c, 2);
	CHECK_EQ(load(bz, sizeof(bz), 0, NULL, &cpu, &info), 0);
	CHECK_EQ(rd(zp + ZP_ACPI_RSDP_ADDR, 8), 0);
	CHECK_EQ(rd(zp + HDR_RAMDISK_IMAGE, 4), 0);
	CHECK_EQ(rd(zp + HDR_RAMDISK_SIZE, 4), 0);
	CHECK_EQ(info.initrd_addr, 0);
	CHECK_EQ(rd(X86_CMDLINE_ADDR, 1), 0);
}

static void test_placement(void)
{
	struct x86_boot_info info;
	struct x86_cpu_state cpu;

	/* initrd_addr_max (inclusive) caps the initrd's end. */
	tbz_build(bz);
	tbz_put(bz, HDR_INITRD_ADDR_MAX, 48 * MiB - 1, 4);
	CHECK_EQ(load(bz, sizeof(bz), MiB, NULL, &cpu, &info), 0);
	CHECK_EQ(info.initrd_addr, 47 * MiB);

	/* No room between the kernel's end (24M) and 24M: below the kernel. */
	tbz_put(bz, HDR_INITRD_ADDR_MAX, 24 * MiB - 1, 4);
	CHECK_EQ(load(bz, sizeof(bz), 4 * MiB, NULL, &cpu, &info), 0);
	CHECK_EQ(info.initrd_addr, 12 * MiB);
	CHECK(info.initrd_addr + 4 * MiB <= info.kernel_addr);

	/* A large initrd above the kernel, its end at the end of RAM. */
	tbz_build(bz);
	CHECK_EQ(load(bz, sizeof(bz), 16 * MiB, NULL, &cpu, &info), 0);
	CHECK_EQ(info.initrd_addr, 48 * MiB);
	CHECK(info.initrd_addr >= info.kernel_addr + info.kernel_size);

	/* pref_address does not fit: the first kernel_alignment-aligned address. */
	tbz_put(bz, HDR_INIT_SIZE, 56 * MiB, 4);
	CHECK_EQ(load(bz, sizeof(bz), 0, NULL, &cpu, &info), 0);
	CHECK_EQ(info.kernel_addr, 2 * MiB);
	CHECK_EQ(cpu.rip, 2 * MiB + 0x200);

	/* Not relocatable: at 0x100000, runs at pref_address. */
	tbz_build(bz);
	bz[HDR_RELOCATABLE] = 0;
	CHECK_EQ(load(bz, sizeof(bz), MiB, NULL, &cpu, &info), 0);
	CHECK_EQ(info.kernel_addr, 0x100000);
	CHECK_EQ(info.entry, 0x100200);
	CHECK(info.initrd_addr >= TBZ_PREF + TBZ_INIT_SIZE);
}

static void test_load_errors(void)
{
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	char cmd[64];

	tbz_build(bz);
	CHECK_EQ(load(bz, sizeof(bz), 60 * MiB, NULL, &cpu, &info), -ENOMEM);
	CHECK(strcmp(err, "guest memory of 64 MiB is too small for the kernel (8 MiB incl. "
			  "decompression) and initrd (60 MiB)") == 0);

	tbz_put(bz, HDR_INIT_SIZE, 63 * MiB, 4);
	CHECK_EQ(load(bz, sizeof(bz), 0, NULL, &cpu, &info), -ENOMEM);
	CHECK(strstr(err, "too small for the kernel (63 MiB") != NULL);

	tbz_build(bz);
	bz[HDR_RELOCATABLE] = 0;
	tbz_put(bz, HDR_PREF_ADDRESS, 60 * MiB, 8);
	CHECK_EQ(load(bz, sizeof(bz), 0, NULL, &cpu, &info), -ENOMEM);
	CHECK(strstr(err, "not relocatable") != NULL);

	/* cmdline_size is the maximum length, NUL excluded. */
	tbz_build(bz);
	tbz_put(bz, HDR_CMDLINE_SIZE, 16, 4);
	memset(cmd, 'a', 16);
	cmd[16] = '\0';
	CHECK_EQ(load(bz, sizeof(bz), 0, cmd, &cpu, &info), 0);
	cmd[16] = 'b';
	cmd[17] = '\0';
	CHECK_EQ(load(bz, sizeof(bz), 0, cmd, &cpu, &info), -E2BIG);
	CHECK(strstr(err, "command line") != NULL);

	/* Not a kernel at all. */
	CHECK_EQ(load((const uint8_t *)"hello", 5, 0, NULL, &cpu, &info), -ENOEXEC);
	CHECK(strstr(err, "too small") != NULL);
	tbz_build(bz);
	CHECK_EQ(load(bz, sizeof(bz), 0, NULL, &cpu, &info), 0);
	{
		/* An initrd source that cannot be read: an initrd error, no crash. */
		struct x86_boot_input in = {.kernel = boot_src_buf(bz, sizeof(bz)),
					    .initrd = {.size = 5}};

		CHECK_EQ(x86_boot_load(&gm, &in, &cpu, &info, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "initrd") != NULL);
		in.kernel = (struct boot_src){0};
		CHECK_EQ(x86_boot_load(&gm, &in, &cpu, &info, err, sizeof(err)), -EINVAL);
		CHECK(strstr(err, "no kernel") != NULL);
	}
}

static void test_tiny_guest(void)
{
	struct x86_boot_input in = {.kernel = boot_src_buf(bz, sizeof(bz))};
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	struct guest_mem small = {0};

	tbz_build(bz);
	CHECK_EQ(gm_add_region(&small, 0, MiB, mem), 0);
	CHECK_EQ(x86_boot_load(&small, &in, &cpu, &info, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "1 MiB") != NULL);
}

static uint8_t elf[TELF_SIZE];

static void test_pvh(void)
{
	const uint64_t kaddr = 16 * MiB, entry = 16 * MiB + 0x40;
	const uint64_t iaddr = GUEST_SIZE - MiB;
	struct pvh_start_info si;
	struct pvh_modlist_entry mod;
	struct pvh_memmap_entry mm[3];
	struct x86_boot_info info;
	struct x86_cpu_state cpu;

	telf_build(elf, EM_X86_64, kaddr, (uint32_t)entry);
	CHECK_EQ(load(elf, sizeof(elf), MiB, "console=hvc0", &cpu, &info), 0);
	CHECK_EQ(info.kind, X86_BOOT_PVH);
	CHECK_EQ(info.entry, entry);
	CHECK_EQ(info.kernel_addr, kaddr);
	CHECK_EQ(info.kernel_size, TELF_MEMSZ);
	CHECK_EQ(info.initrd_addr, iaddr);
	CHECK(memcmp(gm_ptr(&gm, kaddr, TELF_DATA_LEN), elf + TELF_DATA_OFF, TELF_DATA_LEN) == 0);
	CHECK_EQ(rd(kaddr + TELF_MEMSZ - 8, 8), 0);
	CHECK(strcmp(gm_ptr(&gm, X86_CMDLINE_ADDR, 1), "console=hvc0") == 0);

	CHECK_EQ(gm_read(&gm, X86_PVH_INFO_ADDR, &si, sizeof(si)), 0);
	CHECK_EQ(si.magic, 0x336ec578);
	CHECK_EQ(si.version, 1);
	CHECK_EQ(si.flags, 0);
	CHECK_EQ(si.nr_modules, 1);
	CHECK_EQ(si.modlist_paddr, X86_PVH_MODLIST_ADDR);
	CHECK_EQ(si.cmdline_paddr, X86_CMDLINE_ADDR);
	CHECK_EQ(si.rsdp_paddr, X86_ACPI_ADDR);
	CHECK_EQ(si.memmap_paddr, X86_PVH_MEMMAP_ADDR);
	CHECK_EQ(si.memmap_entries, 3);
	CHECK_EQ(gm_read(&gm, X86_PVH_MODLIST_ADDR, &mod, sizeof(mod)), 0);
	CHECK_EQ(mod.paddr, iaddr);
	CHECK_EQ(mod.size, MiB);
	CHECK_EQ(mod.cmdline_paddr, 0);
	CHECK(memcmp(gm_ptr(&gm, iaddr, MiB), initrd, MiB) == 0);
	CHECK_EQ(gm_read(&gm, X86_PVH_MEMMAP_ADDR, mm, sizeof(mm)), 0);
	CHECK(mm[0].addr == 0 && mm[0].size == 0x9fc00 && mm[0].type == 1);
	CHECK(mm[1].addr == 0x9fc00 && mm[1].size == 0x60400 && mm[1].type == 2);
	CHECK(mm[2].addr == MiB && mm[2].size == GUEST_SIZE - MiB && mm[2].type == 1);
	CHECK_EQ(mm[2].reserved, 0);

	/* 32-bit protected mode, paging off, %ebx = start_info. */
	CHECK_EQ(cpu.rip, entry);
	CHECK_EQ(cpu.gpr[X86_RBX], X86_PVH_INFO_ADDR);
	CHECK_EQ(cpu.cr0, 0x11);
	CHECK_EQ(cpu.cr4, 0);
	CHECK_EQ(cpu.efer, 0);
	CHECK_EQ(cpu.rflags, 0x2);
	CHECK_EQ(cpu.cs.selector, 0x08);
	CHECK(cpu.cs.db == 1 && cpu.cs.l == 0 && cpu.cs.g == 1 && cpu.cs.limit == 0xffffffff);
	CHECK_EQ(cpu.ds.selector, 0x18);
	CHECK(cpu.ds.db == 1 && cpu.ds.base == 0 && cpu.ds.limit == 0xffffffff);
	CHECK_EQ(cpu.tr.type, 11);
	check_tables();

	/* No initrd: no module. */
	CHECK_EQ(load(elf, sizeof(elf), 0, NULL, &cpu, &info), 0);
	CHECK_EQ(gm_read(&gm, X86_PVH_INFO_ADDR, &si, sizeof(si)), 0);
	CHECK_EQ(si.nr_modules, 0);
	CHECK_EQ(si.modlist_paddr, 0);
}

#define PVH_BAD(mutation, want, needle)                                                            \
	do {                                                                                       \
		struct x86_boot_info info_;                                                        \
		struct x86_cpu_state cpu_;                                                         \
		int ret_;                                                                          \
		telf_build(elf, EM_X86_64, 16 * MiB, 16 * MiB + 0x40);                             \
		mutation;                                                                          \
		ret_ = load(elf, sizeof(elf), 0, NULL, &cpu_, &info_);                             \
		CHECK_EQ(ret_, want);                                                              \
		CHECK(strstr(err, needle) != NULL);                                                \
		if (ret_ != want || !strstr(err, needle))                                          \
			fprintf(stderr, "  %s: got %d \"%s\"\n", #mutation, ret_, err);            \
	} while (0)

static void test_pvh_bad(void)
{
	Elf64_Nhdr *xen_note;

	PVH_BAD(telf_build(elf, EM_RISCV, 16 * MiB, 16 * MiB), -ENOEXEC, "machine");
	PVH_BAD(elf[EI_CLASS] = ELFCLASS32, -ENOEXEC, "ELF64");
	PVH_BAD(telf_phdr(elf, TELF_PH_NOTE)->p_type = PT_NULL, -ENOEXEC,
		"XEN_ELFNOTE_PHYS32_ENTRY");
	/* The Xen note is second; retype it so only the GNU note remains. */
	xen_note = (Elf64_Nhdr *)(elf + TELF_NOTE_OFF + sizeof(Elf64_Nhdr) + 4 + 8);
	PVH_BAD(xen_note->n_type = 17, -ENOEXEC, "XEN_ELFNOTE_PHYS32_ENTRY");
	PVH_BAD(xen_note->n_descsz = 2, -ENOEXEC, "note");
	PVH_BAD(telf_build(elf, EM_X86_64, 16 * MiB, 8 * MiB), -ENOEXEC, "entry");
	PVH_BAD(telf_build(elf, EM_X86_64, 16 * MiB, 0xffffffff), -ENOEXEC, "entry");
	PVH_BAD(telf_build(elf, EM_X86_64, 0x8000, 0x8000), -ENOEXEC, "below 1 MiB");
	PVH_BAD(telf_build(elf, EM_X86_64, 128 * MiB, 128 * MiB), -EFAULT, "outside guest RAM");
	PVH_BAD(telf_phdr(elf, TELF_PH_LOAD)->p_offset = TELF_SIZE, -ENOEXEC, "outside the file");
}

/* The real vmlinux next to the image's bzImage, when the image builder has run. */
static void test_real_pvh(const char *srcdir)
{
	struct x86_boot_input in = {.cmdline = "console=hvc0"};
	struct gm_region layout[2];
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	struct guest_mem big;
	uint64_t entry = 0;
	char path[4096];
	uint8_t *k = NULL;
	unsigned n;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/images/x86_64/vmlinux", srcdir);
	f = fopen(path, "rb");
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		k = malloc((size_t)len);
		if (k && fread(k, 1, (size_t)len, f) != (size_t)len) {
			free(k);
			k = NULL;
		}
	}
	fclose(f);
	if (!k)
		return;
	fprintf(stderr, "real vmlinux: %s (%ld bytes)\n", path, len);
	in.kernel = boot_src_buf(k, (size_t)len);
	CHECK_EQ(pvh_entry(&in.kernel, &entry), 0);
	CHECK(entry >= MiB && entry < X86_MMIO_HOLE_START);
	err[0] = '\0';
	if (x86_ram_layout(512 * MiB, layout, &n) == 0 && guest_mem_alloc(&big, layout, n) == 0) {
		CHECK_EQ(x86_boot_load(&big, &in, &cpu, &info, err, sizeof(err)), 0);
		if (err[0])
			fprintf(stderr, "  load: %s\n", err);
		CHECK_EQ(info.kind, X86_BOOT_PVH);
		CHECK_EQ(info.entry, entry);
		CHECK_EQ(cpu.rip, entry);
		CHECK_EQ(cpu.gpr[X86_RBX], X86_PVH_INFO_ADDR);
		guest_mem_free(&big);
	}
	free(k);
}

int main(int argc, char **argv)
{
	size_t i;

	mem = malloc(GUEST_SIZE);
	if (!mem || gm_add_region(&gm, 0, GUEST_SIZE, mem) < 0)
		return 1;
	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 31 + 7);
	test_ram_layout();
	test_e820();
	test_bzimage_load();
	test_placement();
	test_load_errors();
	test_tiny_guest();
	test_pvh();
	test_pvh_bad();
	if (argc > 1)
		test_real_pvh(argv[1]);
	free(mem);
	return test_result("test_x86_boot");
}
