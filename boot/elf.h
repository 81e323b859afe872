/*
 * A generic ELF64 little-endian loader over guest memory, and a note finder.
 * Segments go from the image source straight to guest RAM.
 *
 * The image is user input (a file named on the command line): every header,
 * offset and size is checked against the file and against guest RAM before
 * it is used, and a bad one is a message in @err and a negative errno.
 */
#ifndef VMM_BOOT_ELF_H
#define VMM_BOOT_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "boot/source.h"
#include "common/compiler.h"
#include "memory/guest_mem.h"

struct elf_info {
	uint64_t entry;	  /* e_entry as found in the file (may be virtual) */
	uint64_t lowest;  /* lowest p_paddr of a loaded segment */
	uint64_t highest; /* end (exclusive) of the highest loaded segment, memsz included */
};

/*
 * Load every PT_LOAD segment of the ELF64 image at its p_paddr: p_filesz
 * bytes from the file, the rest of p_memsz zeroed. The file must be ELF64,
 * little-endian, ET_EXEC or ET_DYN, for @expected_machine (EM_* from
 * <elf.h>), and every segment must lie within the file and within one guest
 * RAM region. Returns 0, or a negative errno with a message in @err:
 * -ENOEXEC for a malformed or foreign image, -EFAULT for a segment outside RAM.
 */
int elf_load(const struct boot_src *src, uint16_t expected_machine, const struct guest_mem *gm,
	     struct elf_info *info, char *err, size_t errlen) must_check;

/*
 * Find the first note called @name (e.g. "Xen") of @type in the PT_NOTE
 * segments of the ELF64 image and copy its descriptor to @desc, which has
 * room for *desc_len bytes; *desc_len becomes its length. Returns 0, -ENOENT
 * if there is no such note, -E2BIG if its descriptor does not fit, -ENOEXEC
 * if the image or a note header is malformed, or boot_src_read()'s error.
 */
int elf_find_note(const struct boot_src *src, const char *name, uint32_t type, void *desc,
		  size_t *desc_len) must_check;

#endif
