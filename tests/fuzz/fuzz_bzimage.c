/*
 * libFuzzer harness for the kernel loaders: the input is a kernel file (user
 * input). bzimage_parse() and x86_boot_load() (bzImage or, for an ELF, PVH)
 * must reject any malformed file with an error and never read outside it
 * or write outside guest RAM. Build with clang -fsanitize=fuzzer,address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bzimage.h"
#include "boot/elf.h"
#include "boot/pvh.h"
#include "boot/x86_boot.h"

#define FUZZ_GUEST_SIZE (32 * MiB)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guest_mem *fuzz_guest(void)
{
	static struct guest_mem gm;
	static uint8_t *mem;

	if (!mem) {
		mem = calloc(1, FUZZ_GUEST_SIZE);
		if (!mem || gm_add_region(&gm, 0, FUZZ_GUEST_SIZE, mem) < 0)
			abort();
	}
	return &gm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t initrd[4096] = {1};
	struct x86_boot_input in = {
	    .kernel = boot_src_buf(data, size),
	    .initrd = boot_src_buf(initrd, sizeof(initrd)),
	    .cmdline = "console=ttyS0",
	    .rsdp_addr = X86_ACPI_ADDR,
	};
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	struct bzimage_info bi;
	uint8_t desc[64];
	size_t desc_len = sizeof(desc);
	uint64_t entry;
	char err[256];

	if (size == 0)
		return 0;
	if (bzimage_parse(&in.kernel, &bi, err, sizeof(err)) == 0 &&
	    (bi.kernel_offset + bi.kernel_size != size || bi.hdr_end > size))
		abort();
	(void)!elf_find_note(&in.kernel, PVH_ELFNOTE_NAME, PVH_ELFNOTE_PHYS32_ENTRY, desc,
			     &desc_len);
	(void)!pvh_entry(&in.kernel, &entry);
	if (x86_boot_load(fuzz_guest(), &in, &cpu, &info, err, sizeof(err)) == 0 && info.entry == 0)
		abort();
	return 0;
}
