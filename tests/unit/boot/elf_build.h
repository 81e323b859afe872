/*
 * A synthetic ELF64 image for the boot tests: one PT_LOAD segment (file
 * bytes 0x1000..0x1fff, a counting pattern, memsz 0x3000 so 0x2000 bytes of
 * bss) and one PT_NOTE segment holding a "GNU" note and a "Xen" note.
 */
#ifndef VMM_TESTS_UNIT_BOOT_ELF_BUILD_H
#define VMM_TESTS_UNIT_BOOT_ELF_BUILD_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

#define TELF_SIZE     0x2000
#define TELF_PH_LOAD  0
#define TELF_PH_NOTE  1
#define TELF_NOTE_OFF 0x200
#define TELF_DATA_OFF 0x1000
#define TELF_DATA_LEN 0x1000
#define TELF_MEMSZ    0x3000
#define TELF_XEN_TYPE 18 /* XEN_ELFNOTE_PHYS32_ENTRY */

static inline size_t telf_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
			       uint32_t desc_len)
{
	Elf64_Nhdr nh = {
	    .n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = desc_len, .n_type = type};
	size_t off = sizeof(nh);

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + off, name, nh.n_namesz);
	off += (nh.n_namesz + 3) & ~3u;
	memcpy(p + off, desc, desc_len);
	off += (desc_len + 3) & ~3u;
	return off;
}

/* Build the image into @img (TELF_SIZE bytes): load at @paddr, Xen note = @entry32. */
static inline void telf_build(uint8_t *img, uint16_t machine, uint64_t paddr, uint32_t entry32)
{
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph[2] = {{0}};
	uint8_t gnu_desc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t notes = 0;
	unsigned i;

	memset(img, 0, TELF_SIZE);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0xffffffff81000000ULL;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	memcpy(img, &eh, sizeof(eh));

	notes += telf_note(img + TELF_NOTE_OFF, "GNU", 3, gnu_desc, sizeof(gnu_desc));
	notes += telf_note(img + TELF_NOTE_OFF + notes, "Xen", TELF_XEN_TYPE, &entry32, 4);

	ph[TELF_PH_LOAD] = (Elf64_Phdr){.p_type = PT_LOAD,
					.p_flags = PF_R | PF_X,
					.p_offset = TELF_DATA_OFF,
					.p_vaddr = paddr,
					.p_paddr = paddr,
					.p_filesz = TELF_DATA_LEN,
					.p_memsz = TELF_MEMSZ,
					.p_align = 0x1000};
	ph[TELF_PH_NOTE] = (Elf64_Phdr){.p_type = PT_NOTE,
					.p_offset = TELF_NOTE_OFF,
					.p_filesz = notes,
					.p_memsz = notes,
					.p_align = 4};
	memcpy(img + sizeof(eh), ph, sizeof(ph));
	for (i = 0; i < TELF_DATA_LEN; i++)
		img[TELF_DATA_OFF + i] = (uint8_t)(i * 7 + 1);
}

static inline Elf64_Ehdr *telf_ehdr(uint8_t *img)
{
	return (Elf64_Ehdr *)img;
}

static inline Elf64_Phdr *telf_phdr(uint8_t *img, unsigned i)
{
	return (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr)) + i;
}

#endif
