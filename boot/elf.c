/*
 * ELF64 loader. Structure layouts and constants come from <linux/elf.h>; the
 * rules checked are those of the System V gABI (ELF header, program header
 * table, note sections).
 */
#include "common/log.h"
#include "boot/elf.h"

#include <linux/elf.h> /* not <elf.h>: the compiler would find boot/elf.h */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Headers are copied out with memcpy; fields are then host-order. */
STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

/* True if [off, off + size) lies inside a file of @len bytes. */
static bool elf_in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static int elf_read_ehdr(const uint8_t *img, size_t len, Elf64_Ehdr *eh, char *err, size_t errlen)
{
	uint64_t table;

	if (len < sizeof(*eh))
		return err_fmt(err, errlen, -ENOEXEC, "ELF: file of %zu bytes is too small", len);
	memcpy(eh, img, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: bad magic");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: not ELF64 (class %u)",
			       eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: not little-endian");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: unknown version");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return err_fmt(err, errlen, -ENOEXEC, "ELF: program header size %u, expected %zu",
			       eh->e_phentsize, sizeof(Elf64_Phdr));
	/* gABI: e_phnum == PN_XNUM means the real count is elsewhere; no kernel does that. */
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: %u program headers", eh->e_phnum);
	table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (!elf_in_file(eh->e_phoff, table, len))
		return err_fmt(err, errlen, -ENOEXEC,
			       "ELF: program header table at 0x%" PRIx64 " is outside the file",
			       (uint64_t)eh->e_phoff);
	return 0;
}

/* Program header @i; elf_read_ehdr() has checked the table is in the file. */
static void elf_phdr(const uint8_t *img, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, img + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static int elf_load_segment(const uint8_t *img, size_t len, const Elf64_Phdr *ph, unsigned i,
			    const struct guest_mem *gm, char *err, size_t errlen)
{
	uint8_t *dst;

	if (ph->p_filesz > ph->p_memsz)
		return err_fmt(err, errlen, -ENOEXEC,
			       "ELF: segment %u has file size 0x%" PRIx64
			       " > memory size 0x%" PRIx64,
			       i, (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (!elf_in_file(ph->p_offset, ph->p_filesz, len))
		return err_fmt(err, errlen, -ENOEXEC,
			       "ELF: segment %u (offset 0x%" PRIx64 ", 0x%" PRIx64
			       " bytes) is outside the file",
			       i, (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz);
	dst = gm_ptr(gm, ph->p_paddr, ph->p_memsz);
	if (!dst)
		return err_fmt(err, errlen, -EFAULT,
			       "ELF: segment %u [0x%" PRIx64 ", +0x%" PRIx64
			       ") is outside guest RAM",
			       i, (uint64_t)ph->p_paddr, (uint64_t)ph->p_memsz);
	memcpy(dst, img + ph->p_offset, ph->p_filesz);
	/* gABI: bytes past p_filesz up to p_memsz are zero (.bss). */
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	return 0;
}

int elf_load(const uint8_t *img, size_t len, uint16_t expected_machine, const struct guest_mem *gm,
	     struct elf_info *info, char *err, size_t errlen)
{
	uint64_t lowest = UINT64_MAX, highest = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;
	int ret;

	ret = elf_read_ehdr(img, len, &eh, err, errlen);
	if (ret < 0)
		return ret;
	if (eh.e_machine != expected_machine)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: machine %u, expected %u", eh.e_machine,
			       expected_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: type %u is not executable", eh.e_type);
	for (i = 0; i < eh.e_phnum; i++) {
		elf_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		ret = elf_load_segment(img, len, &ph, i, gm, err, errlen);
		if (ret < 0)
			return ret;
		/* gm_ptr() succeeded, so p_paddr + p_memsz does not wrap. */
		lowest = MIN(lowest, (uint64_t)ph.p_paddr);
		highest = MAX(highest, (uint64_t)(ph.p_paddr + ph.p_memsz));
	}
	if (highest == 0)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: no loadable segment");
	info->entry = eh.e_entry;
	info->lowest = lowest;
	info->highest = highest;
	return 0;
}

/* gABI "Note Section": name and desc are each padded to the note alignment. */
static int elf_scan_notes(const uint8_t *img, uint64_t off, uint64_t size, uint64_t align,
			  const char *name, uint32_t type, const uint8_t **desc, size_t *desc_len)
{
	size_t want = strlen(name) + 1;
	uint64_t end = off + size, name_off, desc_off;
	Elf64_Nhdr nh;

	while (end - off >= sizeof(nh)) {
		memcpy(&nh, img + off, sizeof(nh));
		name_off = off + sizeof(nh);
		/* n_namesz and n_descsz are 32-bit: these sums cannot wrap. */
		desc_off = name_off + ALIGN_UP((uint64_t)nh.n_namesz, align);
		if (desc_off > end || nh.n_descsz > end - desc_off)
			return -ENOEXEC;
		if (nh.n_type == type && nh.n_namesz == want &&
		    memcmp(img + name_off, name, want) == 0) {
			*desc = img + desc_off;
			*desc_len = nh.n_descsz;
			return 0;
		}
		off = desc_off + ALIGN_UP((uint64_t)nh.n_descsz, align);
		if (off >= end)
			break;
	}
	return -ENOENT;
}

int elf_find_note(const uint8_t *img, size_t len, const char *name, uint32_t type,
		  const uint8_t **desc, size_t *desc_len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;
	int ret;

	ret = elf_read_ehdr(img, len, &eh, NULL, 0);
	if (ret < 0)
		return ret;
	for (i = 0; i < eh.e_phnum; i++) {
		elf_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_NOTE)
			continue;
		if (!elf_in_file(ph.p_offset, ph.p_filesz, len))
			return -ENOEXEC;
		/* Notes are 4-byte aligned, except in 8-aligned note segments. */
		ret = elf_scan_notes(img, ph.p_offset, ph.p_filesz, ph.p_align == 8 ? 8 : 4, name,
				     type, desc, desc_len);
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}
