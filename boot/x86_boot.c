/*
 * x86-64 boot: RAM layout, the pieces shared by the bzImage and PVH loaders,
 * GDT, identity page tables and the boot vCPU's entry state.
 */
#include "common/log.h"
#include "boot/x86_boot.h"

#include <asm/processor-flags.h> /* X86_CR0_*, X86_CR4_*, X86_EFLAGS_FIXED */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/pvh.h"

/* SDM vol. 3 §2.2.1: IA32_EFER long mode enable / active. */
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)

/* SDM vol. 3 §4.5, tables 4-15..4-18: present, writable, 2 MiB page. */
#define X86_PTE_P  0x1ULL
#define X86_PTE_RW 0x2ULL
#define X86_PTE_PS 0x80ULL

/* SDM vol. 3 §3.4.5.1 / §7.2.2: descriptor types used here. */
#define X86_SEG_TYPE_CODE_RX_A 0xB /* execute/read, accessed */
#define X86_SEG_TYPE_DATA_RW_A 0x3 /* read/write, accessed */
#define X86_SEG_TYPE_TSS_BUSY  0xB /* 32/64-bit busy TSS (VM entry wants busy) */
#define X86_SEG_TYPE_LDT       0x2
#define X86_TSS_LIMIT	       0x67 /* minimum TSS size - 1 */

#define X86_PAGE_SIZE 4096ULL
#define X86_2M	      (2 * MiB)

int x86_ram_layout(uint64_t ram_size, struct gm_region out[2], unsigned *n)
{
	uint64_t low = MIN(ram_size, X86_MMIO_HOLE_START);

	if (ram_size == 0 || ram_size % X86_PAGE_SIZE ||
	    ram_size - low > UINT64_MAX - X86_HIGH_RAM_START)
		return -EINVAL;
	out[0] = (struct gm_region){.gpa = 0, .size = low, .host = NULL};
	*n = 1;
	if (ram_size > low) {
		out[1] = (struct gm_region){
		    .gpa = X86_HIGH_RAM_START, .size = ram_size - low, .host = NULL};
		*n = 2;
	}
	return 0;
}

uint64_t x86_boot_low_end(const struct guest_mem *gm)
{
	const struct gm_region *r = gm_region_of(gm, 0);

	return r ? r->gpa + r->size : 0;
}

int x86_boot_check_input(const struct guest_mem *gm, const struct x86_boot_input *in, char *err,
			 size_t errlen)
{
	if (in->kernel.size == 0)
		return err_fmt(err, errlen, -EINVAL, "no kernel image");
	if (x86_boot_low_end(gm) <= X86_BIOS_END)
		return err_fmt(err, errlen, -EINVAL,
			       "guest RAM must run from address 0 to past 1 MiB");
	return 0;
}

int x86_boot_too_small(const struct guest_mem *gm, uint64_t kernel_bytes, uint64_t initrd_bytes,
		       char *err, size_t errlen)
{
	return err_fmt(err, errlen, -ENOMEM,
		       "guest memory of %" PRIu64 " MiB is too small for the kernel (%" PRIu64
		       " MiB incl. decompression) and initrd (%" PRIu64 " MiB)",
		       (uint64_t)(gm_total(gm) / MiB), (uint64_t)((kernel_bytes + MiB - 1) / MiB),
		       (uint64_t)((initrd_bytes + MiB - 1) / MiB));
}

/* Highest aligned start for @len bytes ending at or below @top, not below @floor. */
static bool x86_boot_fit_below(uint64_t top, uint64_t len, uint64_t floor, uint64_t *addr)
{
	if (len > top)
		return false;
	*addr = ALIGN_DOWN(top - len, X86_PAGE_SIZE);
	return *addr >= floor;
}

int x86_boot_put_initrd(const struct guest_mem *gm, const struct boot_src *initrd, uint64_t max_end,
			uint64_t kstart, uint64_t kend, uint64_t *addr, char *err, size_t errlen)
{
	uint64_t top = MIN(max_end, x86_boot_low_end(gm)), len = initrd->size, a;
	void *dst;
	int ret;

	*addr = 0;
	if (len == 0)
		return 0;
	/* Above the kernel if there is room, else between 1 MiB and the kernel. */
	if (!x86_boot_fit_below(top, len, MAX(kend, X86_BIOS_END), &a) &&
	    !x86_boot_fit_below(MIN(top, kstart), len, X86_BIOS_END, &a))
		return -ENOSPC;
	dst = gm_ptr(gm, a, len);
	if (!dst)
		return -ENOSPC;
	ret = boot_src_load(initrd, 0, dst, len, "reading the initrd", err, errlen);
	if (ret < 0)
		return ret;
	*addr = a;
	return 0;
}

int x86_boot_put_cmdline(const struct guest_mem *gm, const char *cmdline, uint64_t max_len,
			 char *err, size_t errlen)
{
	size_t len = cmdline ? strlen(cmdline) : 0;

	max_len = MIN(max_len, X86_CMDLINE_MAX - 1);
	if (len > max_len)
		return err_fmt(err, errlen, -E2BIG,
			       "command line of %zu bytes is longer than the kernel's "
			       "limit of %" PRIu64,
			       len, max_len);
	if (gm_write(gm, X86_CMDLINE_ADDR, cmdline ? cmdline : "", len + 1) < 0)
		return err_fmt(err, errlen, -EFAULT, "no guest RAM for the command line");
	return 0;
}

/* The segment registers as loaded at entry; the GDT is encoded from them. */
static const struct x86_seg x86_seg_code32 = {.limit = 0xFFFFFFFF,
					      .selector = X86_SEL_CODE32,
					      .type = X86_SEG_TYPE_CODE_RX_A,
					      .present = 1,
					      .db = 1,
					      .s = 1,
					      .g = 1};
static const struct x86_seg x86_seg_code64 = {.limit = 0xFFFFFFFF,
					      .selector = X86_SEL_CODE64,
					      .type = X86_SEG_TYPE_CODE_RX_A,
					      .present = 1,
					      .s = 1,
					      .l = 1,
					      .g = 1};
static const struct x86_seg x86_seg_data = {.limit = 0xFFFFFFFF,
					    .selector = X86_SEL_DATA,
					    .type = X86_SEG_TYPE_DATA_RW_A,
					    .present = 1,
					    .db = 1,
					    .s = 1,
					    .g = 1};
static const struct x86_seg x86_seg_tss = {
    .limit = X86_TSS_LIMIT, .selector = X86_SEL_TSS, .type = X86_SEG_TYPE_TSS_BUSY, .present = 1};
/* The LDT as after reset (SDM vol. 3 table 9-1): unused but valid. */
static const struct x86_seg x86_seg_ldt = {.limit = 0xFFFF, .type = X86_SEG_TYPE_LDT, .present = 1};

/* SDM vol. 3 §3.4.5, figure 3-8: segment descriptor layout. */
static uint64_t x86_gdt_encode(const struct x86_seg *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;
	uint64_t base = s->base & 0xFFFFFFFF;

	return (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | (uint64_t)(s->type & 0xF) << 40 |
	       (uint64_t)s->s << 44 | (uint64_t)(s->dpl & 3) << 45 | (uint64_t)s->present << 47 |
	       ((limit >> 16) & 0xF) << 48 | (uint64_t)s->avl << 52 | (uint64_t)s->l << 53 |
	       (uint64_t)s->db << 54 | (uint64_t)s->g << 55 | (base >> 24) << 56;
}

static int x86_boot_write_gdt(const struct guest_mem *gm)
{
	uint64_t gdt[X86_GDT_ENTRIES] = {0};

	gdt[X86_SEL_CODE32 / 8] = x86_gdt_encode(&x86_seg_code32);
	gdt[X86_SEL_CODE64 / 8] = x86_gdt_encode(&x86_seg_code64);
	gdt[X86_SEL_DATA / 8] = x86_gdt_encode(&x86_seg_data);
	/* SDM vol. 3 §8.2.3: a 64-bit TSS descriptor is 16 bytes; base[63:32] = 0. */
	gdt[X86_SEL_TSS / 8] = x86_gdt_encode(&x86_seg_tss);
	gdt[X86_SEL_TSS / 8 + 1] = 0;
	return gm_write(gm, X86_GDT_ADDR, gdt, sizeof(gdt));
}

/* Identity map of [0, 4 GiB) with 2 MiB pages: one PML4 entry, 4 PDPT entries, 4 PDs. */
static int x86_boot_write_page_tables(const struct guest_mem *gm)
{
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];
	unsigned i, j;

	pml4[0] = X86_PDPT_ADDR | X86_PTE_P | X86_PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (X86_PD_ADDR + i * X86_PAGE_SIZE) | X86_PTE_P | X86_PTE_RW;
	if (gm_write(gm, X86_PML4_ADDR, pml4, sizeof(pml4)) < 0 ||
	    gm_write(gm, X86_PDPT_ADDR, pdpt, sizeof(pdpt)) < 0)
		return -EFAULT;
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 512; j++)
			pd[j] =
			    ((uint64_t)i * GiB + j * X86_2M) | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
		if (gm_write(gm, X86_PD_ADDR + i * X86_PAGE_SIZE, pd, sizeof(pd)) < 0)
			return -EFAULT;
	}
	return 0;
}

static void x86_boot_common_cpu(struct x86_cpu_state *cpu)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->rflags = X86_EFLAGS_FIXED; /* IF clear: boot.rst wants interrupts off */
	cpu->ds = cpu->es = cpu->fs = cpu->gs = cpu->ss = x86_seg_data;
	cpu->tr = x86_seg_tss;
	cpu->ldt = x86_seg_ldt;
	cpu->gdt = (struct x86_dtable){.base = X86_GDT_ADDR, .limit = X86_GDT_ENTRIES * 8 - 1};
}

/* boot.rst "64-bit BOOT PROTOCOL": long mode, identity paging, %rsi = zero page. */
static void x86_boot_cpu_long(struct x86_cpu_state *cpu, uint64_t entry)
{
	x86_boot_common_cpu(cpu);
	cpu->cs = x86_seg_code64;
	cpu->rip = entry;
	cpu->gpr[X86_RSI] = X86_ZERO_PAGE_ADDR;
	cpu->gpr[X86_RSP] = X86_BOOT_STACK;
	cpu->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	cpu->cr3 = X86_PML4_ADDR;
	cpu->cr4 = X86_CR4_PAE;
	cpu->efer = X86_EFER_LME | X86_EFER_LMA;
}

/* Xen docs/misc/pvh.pandoc: 32-bit protected mode, paging off, %ebx = start_info. */
static void x86_boot_cpu_pvh(struct x86_cpu_state *cpu, uint64_t entry)
{
	x86_boot_common_cpu(cpu);
	cpu->cs = x86_seg_code32;
	cpu->rip = entry;
	cpu->gpr[X86_RBX] = X86_PVH_INFO_ADDR;
	cpu->cr0 = X86_CR0_PE | X86_CR0_ET;
}

static bool x86_boot_is_elf(const struct x86_boot_input *in)
{
	uint8_t magic[4];

	return boot_src_read(&in->kernel, 0, magic, sizeof(magic)) == 0 && memcmp(magic,
										  "\x7f"
										  "ELF",
										  4) == 0;
}

int x86_boot_load(const struct guest_mem *gm, const struct x86_boot_input *in,
		  struct x86_cpu_state *bsp, struct x86_boot_info *info, char *err, size_t errlen)
{
	int ret;

	ret = x86_boot_check_input(gm, in, err, errlen);
	if (ret < 0)
		return ret;
	if (x86_boot_is_elf(in))
		ret = pvh_load(gm, in, info, err, errlen);
	else
		ret = bzimage_load(gm, in, info, err, errlen);
	if (ret < 0)
		return ret;
	if (x86_boot_write_gdt(gm) < 0 || x86_boot_write_page_tables(gm) < 0)
		return err_fmt(err, errlen, -EFAULT, "no guest RAM for GDT/page tables");
	if (info->kind == X86_BOOT_PVH)
		x86_boot_cpu_pvh(bsp, info->entry);
	else
		x86_boot_cpu_long(bsp, info->entry);
	return 0;
}
