#include "common/log.h"
#include "boot/pvh.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/elf-em.h> /* EM_X86_64; <elf.h> would find boot/elf.h */
#include <string.h>

#include "boot/e820.h"
#include "boot/elf.h"

STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

int pvh_entry(const struct boot_src *src, uint64_t *entry)
{
	uint8_t desc[8];
	size_t desc_len = sizeof(desc);
	uint64_t v = 0;
	int ret;

	ret = elf_find_note(src, PVH_ELFNOTE_NAME, PVH_ELFNOTE_PHYS32_ENTRY, desc, &desc_len);
	if (ret == -E2BIG)
		return -ENOEXEC;
	if (ret < 0)
		return ret;
	/* The note is a 32-bit address, emitted as .long or (x86-64 _ASM_PTR) .quad. */
	if (desc_len != 4 && desc_len != 8)
		return -ENOEXEC;
	memcpy(&v, desc, desc_len);
	if (v >= X86_MMIO_HOLE_END)
		return -ENOEXEC;
	*entry = v;
	return 0;
}

static int pvh_load_kernel(const struct guest_mem *gm, const struct x86_boot_input *in,
			   struct elf_info *ei, uint64_t *entry, char *err, size_t errlen)
{
	int ret;

	ret = elf_load(&in->kernel, EM_X86_64, gm, ei, err, errlen);
	if (ret < 0)
		return ret;
	/* Below 1 MiB are our boot structures, the EBDA and the ACPI tables. */
	if (ei->lowest < X86_BIOS_END)
		return err_fmt(err, errlen, -ENOEXEC,
			       "PVH: ELF segment at 0x%" PRIx64 " is below 1 MiB", ei->lowest);
	ret = pvh_entry(&in->kernel, entry);
	if (ret == -ENOENT)
		return err_fmt(err, errlen, -ENOEXEC,
			       "PVH: ELF has no XEN_ELFNOTE_PHYS32_ENTRY note "
			       "(kernel built without CONFIG_PVH?)");
	if (ret == -ENOEXEC)
		return err_fmt(err, errlen, ret, "PVH: malformed ELF note");
	if (ret < 0)
		return err_fmt(err, errlen, ret, "PVH: cannot read the ELF notes: %s",
			       boot_src_strerror(ret));
	if (*entry < ei->lowest || *entry >= ei->highest)
		return err_fmt(err, errlen, -ENOEXEC,
			       "PVH: entry 0x%" PRIx64 " is outside the loaded kernel", *entry);
	return 0;
}

static int pvh_write_memmap(const struct guest_mem *gm, uint32_t *count, char *err, size_t errlen)
{
	struct e820_entry e[PVH_MEMMAP_MAX];
	struct pvh_memmap_entry m;
	int i, n = x86_e820_build(gm, e, PVH_MEMMAP_MAX);

	if (n < 0)
		return err_fmt(err, errlen, n, "PVH: memory map too large");
	for (i = 0; i < n; i++) {
		m = (struct pvh_memmap_entry){
		    .addr = e[i].addr, .size = e[i].size, .type = e[i].type};
		if (gm_write(gm, X86_PVH_MEMMAP_ADDR + i * sizeof(m), &m, sizeof(m)) < 0)
			return err_fmt(err, errlen, -EFAULT, "PVH: no RAM for the memmap");
	}
	*count = (uint32_t)n;
	return 0;
}

static int pvh_write_start_info(const struct guest_mem *gm, const struct x86_boot_input *in,
				uint64_t initrd_addr, char *err, size_t errlen)
{
	struct pvh_start_info si = {
	    .magic = PVH_START_MAGIC,
	    .version = PVH_START_VERSION,
	    .cmdline_paddr = X86_CMDLINE_ADDR,
	    .rsdp_paddr = in->rsdp_addr,
	    .memmap_paddr = X86_PVH_MEMMAP_ADDR,
	};
	struct pvh_modlist_entry mod = {.paddr = initrd_addr, .size = in->initrd.size};
	int ret;

	ret = pvh_write_memmap(gm, &si.memmap_entries, err, errlen);
	if (ret < 0)
		return ret;
	if (in->initrd.size) {
		si.nr_modules = 1;
		si.modlist_paddr = X86_PVH_MODLIST_ADDR;
		if (gm_write(gm, X86_PVH_MODLIST_ADDR, &mod, sizeof(mod)) < 0)
			return err_fmt(err, errlen, -EFAULT, "PVH: no RAM for the modlist");
	}
	if (gm_write(gm, X86_PVH_INFO_ADDR, &si, sizeof(si)) < 0)
		return err_fmt(err, errlen, -EFAULT, "PVH: no RAM for hvm_start_info");
	return 0;
}

int pvh_load(const struct guest_mem *gm, const struct x86_boot_input *in,
	     struct x86_boot_info *info, char *err, size_t errlen)
{
	uint64_t entry, initrd_addr;
	struct elf_info ei;
	int ret;

	ret = x86_boot_check_input(gm, in, err, errlen);
	if (ret == 0)
		ret = pvh_load_kernel(gm, in, &ei, &entry, err, errlen);
	if (ret < 0)
		return ret;
	ret = x86_boot_put_cmdline(gm, in->cmdline, X86_CMDLINE_MAX - 1, err, errlen);
	if (ret < 0)
		return ret;
	/* start_info.h: Xen keeps everything below 4 GiB; so do we. */
	ret = x86_boot_put_initrd(gm, &in->initrd, X86_MMIO_HOLE_END, ei.lowest, ei.highest,
				  &initrd_addr, err, errlen);
	if (ret < 0)
		return ret != -ENOSPC ? ret
				      : x86_boot_too_small(gm, ei.highest - ei.lowest,
							   in->initrd.size, err, errlen);
	ret = pvh_write_start_info(gm, in, initrd_addr, err, errlen);
	if (ret < 0)
		return ret;
	*info = (struct x86_boot_info){
	    .kind = X86_BOOT_PVH,
	    .kernel_addr = ei.lowest,
	    .kernel_size = ei.highest - ei.lowest,
	    .initrd_addr = initrd_addr,
	    .entry = entry,
	};
	return 0;
}
