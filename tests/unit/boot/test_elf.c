/* elf_load() and elf_find_note(): a good image, then every malformed case. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "boot/elf.h"
#include "tests/test.h"
#include "elf_build.h"
#include "fake_file.h"

#define MEM_GPA	 0x100000ULL
#define MEM_SIZE 0x100000ULL

static uint8_t *mem;
static struct guest_mem gm;

static void fill_mem(void)
{
	memset(mem, 0xAA, MEM_SIZE);
}

static int load(const uint8_t *img, size_t len, uint16_t machine, struct elf_info *info, char *err,
		size_t errlen)
{
	struct boot_src src = boot_src_buf(img, len);

	return elf_load(&src, machine, &gm, info, err, errlen);
}

/* @desc has room for 16 bytes. */
static int find_note(const uint8_t *img, size_t len, const char *name, uint32_t type, uint8_t *desc,
		     size_t *desc_len)
{
	struct boot_src src = boot_src_buf(img, len);

	*desc_len = 16;
	return elf_find_note(&src, name, type, desc, desc_len);
}

static void test_good(void)
{
	uint8_t *img = malloc(TELF_SIZE);
	struct elf_info info = {0};
	uint8_t desc[16];
	size_t desc_len = 0;
	uint32_t entry32 = 0;
	char err[256] = "";
	size_t i;
	int bad = 0;

	telf_build(img, EM_X86_64, MEM_GPA + 0x1000, 0x101234);
	fill_mem();
	CHECK_EQ(load(img, TELF_SIZE, EM_X86_64, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, 0xffffffff81000000ULL);
	CHECK_EQ(info.lowest, MEM_GPA + 0x1000);
	CHECK_EQ(info.highest, MEM_GPA + 0x1000 + TELF_MEMSZ);
	CHECK(memcmp(mem + 0x1000, img + TELF_DATA_OFF, TELF_DATA_LEN) == 0);
	for (i = TELF_DATA_LEN; i < TELF_MEMSZ; i++)
		bad += mem[0x1000 + i] != 0;
	CHECK_EQ(bad, 0);
	/* Nothing written outside the segment. */
	CHECK_EQ(mem[0xfff], 0xAA);
	CHECK_EQ(mem[0x1000 + TELF_MEMSZ], 0xAA);

	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), 0);
	CHECK_EQ(desc_len, 4);
	memcpy(&entry32, desc, 4);
	CHECK_EQ(entry32, 0x101234);
	CHECK_EQ(find_note(img, TELF_SIZE, "GNU", 3, desc, &desc_len), 0);
	CHECK_EQ(desc_len, 8);
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", 17, desc, &desc_len), -ENOENT);
	CHECK_EQ(find_note(img, TELF_SIZE, "Xe", TELF_XEN_TYPE, desc, &desc_len), -ENOENT);
	free(img);
}

/* Each case mutates a good image; the load must fail with @want and a message. */
static void expect_load_fail(uint8_t *img, size_t len, uint16_t machine, int want, const char *what)
{
	struct elf_info info;
	char err[256] = "";
	int ret;

	fill_mem();
	ret = load(img, len, machine, &info, err, sizeof(err));
	CHECK_EQ(ret, want);
	CHECK(err[0] != '\0');
	if (ret != want)
		fprintf(stderr, "  case: %s (err: %s)\n", what, err);
}

static void test_malformed(void)
{
	uint8_t *img = malloc(TELF_SIZE);

#define CASE(mutation, len, machine, want)                                                         \
	do {                                                                                       \
		telf_build(img, EM_X86_64, MEM_GPA, 0x100000);                                     \
		mutation;                                                                          \
		expect_load_fail(img, len, machine, want, #mutation);                              \
	} while (0)

	CASE((void)0, 10, EM_X86_64, -ENOEXEC);
	CASE((void)0, 0, EM_X86_64, -ENOEXEC);
	CASE(img[0] = 0, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(img[EI_CLASS] = ELFCLASS32, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(img[EI_DATA] = ELFDATA2MSB, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE((void)0, TELF_SIZE, EM_RISCV, -ENOEXEC);
	CASE(telf_ehdr(img)->e_type = ET_REL, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_ehdr(img)->e_phentsize = 32, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_ehdr(img)->e_phnum = 0, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_ehdr(img)->e_phnum = 0xffff, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_ehdr(img)->e_phoff = TELF_SIZE - 64, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_ehdr(img)->e_phoff = ~0ULL - 8, TELF_SIZE, EM_X86_64, -ENOEXEC);
	/* Program headers cut off by a short file. */
	CASE((void)0, sizeof(Elf64_Ehdr) + 60, EM_X86_64, -ENOEXEC);
	/* Segment data beyond the end of the file. */
	CASE((void)0, TELF_DATA_OFF + 0x800, EM_X86_64, -ENOEXEC);
	CASE(telf_phdr(img, 0)->p_offset = ~0ULL - 0x10, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_phdr(img, 0)->p_filesz = ~0ULL, TELF_SIZE, EM_X86_64, -ENOEXEC);
	CASE(telf_phdr(img, 0)->p_filesz = TELF_MEMSZ + 1, TELF_SIZE, EM_X86_64, -ENOEXEC);
	/* Segments outside guest RAM, straddling its end, or wrapping around. */
	CASE(telf_phdr(img, 0)->p_paddr = 0, TELF_SIZE, EM_X86_64, -EFAULT);
	CASE(telf_phdr(img, 0)->p_paddr = MEM_GPA + MEM_SIZE - 0x1000, TELF_SIZE, EM_X86_64,
	     -EFAULT);
	CASE(telf_phdr(img, 0)->p_paddr = ~0ULL - 0x100, TELF_SIZE, EM_X86_64, -EFAULT);
	CASE(telf_phdr(img, 0)->p_memsz = ~0ULL, TELF_SIZE, EM_X86_64, -EFAULT);
	/* No loadable segment at all. */
	CASE(telf_phdr(img, 0)->p_type = PT_NULL, TELF_SIZE, EM_X86_64, -ENOEXEC);
#undef CASE
	free(img);
}

static void test_bad_notes(void)
{
	uint8_t *img = malloc(TELF_SIZE), desc[16];
	struct boot_src src;
	size_t desc_len;
	Elf64_Nhdr *nh;

	/* A note segment that runs past the end of the file. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	telf_phdr(img, 1)->p_filesz = TELF_SIZE;
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOEXEC);

	/* A note whose descriptor size runs past its segment. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	nh = (Elf64_Nhdr *)(img + TELF_NOTE_OFF);
	nh->n_descsz = 0xfffffff0u;
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOEXEC);

	/* A name size running past the segment. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	nh->n_namesz = 0xffffffffu;
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOEXEC);

	/* No note segment at all. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	telf_phdr(img, 1)->p_type = PT_NULL;
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOENT);

	/* A truncated segment that ends mid-header: no match, no overread. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	telf_phdr(img, 1)->p_filesz = 6;
	CHECK_EQ(find_note(img, TELF_SIZE, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOENT);

	CHECK_EQ(find_note(img, 16, "Xen", TELF_XEN_TYPE, desc, &desc_len), -ENOEXEC);

	/* A descriptor larger than the caller's room. */
	telf_build(img, EM_X86_64, MEM_GPA, 0x100000);
	src = boot_src_buf(img, TELF_SIZE);
	desc_len = 3;
	CHECK_EQ(elf_find_note(&src, "Xen", TELF_XEN_TYPE, desc, &desc_len), -E2BIG);
	free(img);
}

static void test_file_source(void)
{
	uint8_t *img = malloc(TELF_SIZE), desc[16];
	struct fake_file f;
	struct boot_src src = fake_file_src(&f, img, TELF_SIZE);
	struct elf_info info;
	size_t desc_len = sizeof(desc);
	char err[256] = "";

	telf_build(img, EM_X86_64, MEM_GPA + 0x1000, 0x101234);
	fill_mem();
	CHECK_EQ(elf_load(&src, EM_X86_64, &gm, &info, err, sizeof(err)), 0);
	CHECK(f.reads >= 3); /* header, program headers, segment */
	CHECK(memcmp(mem + 0x1000, img + TELF_DATA_OFF, TELF_DATA_LEN) == 0);
	CHECK_EQ(elf_find_note(&src, "Xen", TELF_XEN_TYPE, desc, &desc_len), 0);
	CHECK_EQ(desc_len, 4);

	/* The file shrank after it was opened: the segment's read fails. */
	f.real_size = TELF_DATA_OFF + 16;
	err[0] = '\0';
	CHECK_EQ(elf_load(&src, EM_X86_64, &gm, &info, err, sizeof(err)), -ENODATA);
	CHECK(strstr(err, "shorter") != NULL);
	free(img);
}

int main(void)
{
	mem = malloc(MEM_SIZE);
	if (!mem || gm_add_region(&gm, MEM_GPA, MEM_SIZE, mem) < 0)
		return 1;
	test_good();
	test_malformed();
	test_bad_notes();
	test_file_source();
	free(mem);
	return test_result("test_elf");
}
