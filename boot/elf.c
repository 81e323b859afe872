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
#include <stdlib.h>
#include <string.h>

/* Headers are copied out with memcpy; fields are then host-order. */
STATIC_ASSERT(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

/* Notes are read whole; a note segment larger than this is not a kernel's. */
#define ELF_NOTES_MAX (1u << 20)

static int elf_read_ehdr(const struct boot_src *src, Elf64_Ehdr *eh, char *err, size_t errlen)
{
	uint64_t table;
	int ret;

	if (src->size < sizeof(*eh))
		return err_fmt(err, errlen, -ENOEXEC, "ELF: file of %" PRIu64 " bytes is too small",
			       src->size);
	ret = boot_src_load(src, 0, eh, sizeof(*eh), "ELF: reading the header", err, errlen);
	if (ret < 0)
		return ret;
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
	if (!boot_src_has(src, eh->e_phoff, table))
		return err_fmt(err, errlen, -ENOEXEC,
			       "ELF: program header table at 0x%" PRIx64 " is outside the file",
			       (uint64_t)eh->e_phoff);
	return 0;
}

/* Program header @i; elf_read_ehdr() has checked the table is in the file. */
static int elf_phdr(const struct boot_src *src, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph,
		    char *err, size_t errlen)
{
	return boot_src_load(src, eh->e_phoff + (uint64_t)i * sizeof(*ph), ph, sizeof(*ph),
			     "ELF: reading the program headers", err, errlen);
}

static int elf_load_segment(const struct boot_src *src, const Elf64_Phdr *ph, unsigned i,
			    const struct guest_mem *gm, char *err, size_t errlen)
{
	uint8_t *dst;
	int ret;

	if (ph->p_filesz > ph->p_memsz)
		return err_fmt(err, errlen, -ENOEXEC,
			       "ELF: segment %u has file size 0x%" PRIx64
			       " > memory size 0x%" PRIx64,
			       i, (uint64_t)ph->p_filesz, (uint64_t)ph->p_memsz);
	if (!boot_src_has(src, ph->p_offset, ph->p_filesz))
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
	ret = boot_src_load(src, ph->p_offset, dst, ph->p_filesz, "ELF: reading a segment", err,
			    errlen);
	if (ret < 0)
		return ret;
	/* gABI: bytes past p_filesz up to p_memsz are zero (.bss). */
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	return 0;
}

int elf_load(const struct boot_src *src, uint16_t expected_machine, const struct guest_mem *gm,
	     struct elf_info *info, char *err, size_t errlen)
{
	uint64_t lowest = UINT64_MAX, highest = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;
	int ret;

	ret = elf_read_ehdr(src, &eh, err, errlen);
	if (ret < 0)
		return ret;
	if (eh.e_machine != expected_machine)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: machine %u, expected %u", eh.e_machine,
			       expected_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return err_fmt(err, errlen, -ENOEXEC, "ELF: type %u is not executable", eh.e_type);
	for (i = 0; i < eh.e_phnum; i++) {
		ret = elf_phdr(src, &eh, i, &ph, err, errlen);
		if (ret < 0)
			return ret;
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		ret = elf_load_segment(src, &ph, i, gm, err, errlen);
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

/*
 * gABI "Note Section": name and desc are each padded to the note alignment.
 * @img holds the note segment, @size bytes.
 */
static int elf_scan_notes(const uint8_t *img, uint64_t size, uint64_t align, const char *name,
			  uint32_t type, const uint8_t **desc, size_t *desc_len)
{
	size_t want = strlen(name) + 1;
	uint64_t off = 0, end = size, name_off, desc_off;
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

/* The note segment described by @ph, read whole into a new buffer. */
static int elf_read_notes(const struct boot_src *src, const Elf64_Phdr *ph, uint8_t **out)
{
	uint8_t *buf;
	int ret;

	if (!boot_src_has(src, ph->p_offset, ph->p_filesz) || ph->p_filesz > ELF_NOTES_MAX)
		return -ENOEXEC;
	buf = malloc(ph->p_filesz ? ph->p_filesz : 1);
	if (!buf)
		return -ENOMEM;
	ret = boot_src_read(src, ph->p_offset, buf, ph->p_filesz);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
}

int elf_find_note(const struct boot_src *src, const char *name, uint32_t type, void *desc,
		  size_t *desc_len)
{
	const uint8_t *found;
	size_t found_len;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t *notes;
	unsigned i;
	int ret;

	ret = elf_read_ehdr(src, &eh, NULL, 0);
	if (ret < 0)
		return ret;
	for (i = 0; i < eh.e_phnum; i++) {
		ret = elf_phdr(src, &eh, i, &ph, NULL, 0);
		if (ret < 0)
			return ret;
		if (ph.p_type != PT_NOTE)
			continue;
		ret = elf_read_notes(src, &ph, &notes);
		if (ret < 0)
			return ret;
		/* Notes are 4-byte aligned, except in 8-aligned note segments. */
		ret = elf_scan_notes(notes, ph.p_filesz, ph.p_align == 8 ? 8 : 4, name, type,
				     &found, &found_len);
		if (ret == 0 && found_len > *desc_len)
			ret = -E2BIG;
		if (ret == 0) {
			memcpy(desc, found, found_len);
			*desc_len = found_len;
		}
		free(notes);
		if (ret != -ENOENT)
			return ret;
	}
	return -ENOENT;
}
