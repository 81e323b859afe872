/*
 * boot/riscv_image: header recognition against synthetic headers (every
 * malformed case), loading into fake guest memory, boot placement, and the
 * real Debian Image from tools/mkimages when it has been built.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/riscv_image.h"
#include "tests/test.h"
#include "tests/unit/boot/fake_file.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (64 * MiB)

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A minimal valid header: text_offset 2 MiB, image_size @size, LE, v0.2. */
static void make_header(uint8_t *buf, size_t len, uint64_t text_offset, uint64_t size)
{
	memset(buf, 0, len);
	put_le32(buf, 0x0000006f); /* j . */
	put_le64(buf + 0x08, text_offset);
	put_le64(buf + 0x10, size);
	put_le64(buf + 0x18, 0);
	put_le32(buf + 0x20, 2);
	memcpy(buf + 0x30, "RISCV\0\0\0", 8);
	memcpy(buf + 0x38, "RSC\x05", 4);
	for (size_t i = 64; i < len; i++)
		buf[i] = (uint8_t)i;
}

static int load(struct guest_mem *gm, const void *buf, size_t len, uint64_t ram_base,
		struct riscv_image_info *ki, char *err, size_t errlen)
{
	struct boot_src src = boot_src_buf(buf, len);

	return riscv_image_load(gm, &src, ram_base, ki, err, errlen);
}

static void setup_gm(struct guest_mem *gm, uint64_t size)
{
	struct gm_region layout = {.gpa = RAM_BASE, .size = size};

	memset(gm, 0, sizeof(*gm));
	if (guest_mem_alloc(gm, &layout, 1) < 0) {
		fprintf(stderr, "guest_mem_alloc failed\n");
		exit(1);
	}
}

static void test_parse_good(void)
{
	uint8_t buf[256];
	struct riscv_image_info ki;
	char err[128] = "";

	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), 0);
	CHECK_EQ(ki.text_offset, 0x200000);
	CHECK_EQ(ki.image_size, 0x1000);
	CHECK_EQ(ki.file_size, sizeof(buf));
	CHECK_EQ(ki.version, 2);
	CHECK(!ki.is_pe);

	/* text_offset 0 means the default; image_size below the file = file. */
	make_header(buf, sizeof(buf), 0, 16);
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), 0);
	CHECK_EQ(ki.text_offset, RISCV_IMAGE_DEFAULT_TEXT_OFFSET);
	CHECK_EQ(ki.image_size, sizeof(buf));

	/* The deprecated magic may be absent; "MZ" marks an EFI-stub PE. */
	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	memset(buf + 0x30, 0, 8);
	buf[0] = 'M';
	buf[1] = 'Z';
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), 0);
	CHECK(ki.is_pe);
}

static void test_parse_bad(void)
{
	uint8_t buf[256];
	struct riscv_image_info ki;
	char err[128];

	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	/* Every length shorter than the header is refused without reading past it. */
	for (size_t n = 0; n < RISCV_IMAGE_HEADER_SIZE; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, buf, n);
		err[0] = 0;
		CHECK_EQ(riscv_image_parse(copy, n, &ki, err, sizeof(err)), -ENOEXEC);
		CHECK(strstr(err, "shorter") != NULL);
		free(copy);
	}
	CHECK_EQ(riscv_image_parse(NULL, 0, &ki, err, sizeof(err)), -ENOEXEC);

	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	buf[0x3b] = 0x06;
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), -ENOEXEC);
	CHECK(strstr(err, "magic") != NULL);

	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	put_le64(buf + 0x18, 1);
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "big-endian") != NULL);

	make_header(buf, sizeof(buf), 0x201000, 0x1000);
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "aligned") != NULL);

	/* A NULL err buffer is fine. */
	CHECK_EQ(riscv_image_parse(buf, sizeof(buf), &ki, NULL, 0), -EINVAL);
}

static void test_load(void)
{
	struct guest_mem gm;
	uint8_t buf[512];
	struct riscv_image_info ki;
	char err[128];
	uint8_t *p;

	setup_gm(&gm, RAM_SIZE);
	make_header(buf, sizeof(buf), 0x200000, 0x3000);
	p = gm_ptr(&gm, RAM_BASE + 0x200000, 0x3000);
	memset(p, 0xaa, 0x3000);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE, &ki, err, sizeof(err)), 0);
	CHECK_EQ(ki.load_addr, RAM_BASE + 0x200000);
	CHECK_EQ(ki.entry, RAM_BASE + 0x200000);
	CHECK(memcmp(p, buf, sizeof(buf)) == 0);
	/* .bss past the file is zeroed up to image_size. */
	CHECK_EQ(p[sizeof(buf)], 0);
	CHECK_EQ(p[0x2fff], 0);

	/* image_size running past the end of RAM. */
	make_header(buf, sizeof(buf), 0x200000, RAM_SIZE - 0x200000 + 1);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE, &ki, err, sizeof(err)), -ENOSPC);
	/* Exactly fitting is fine. */
	make_header(buf, sizeof(buf), 0x200000, RAM_SIZE - 0x200000);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE, &ki, err, sizeof(err)), 0);
	/* A huge image_size or text_offset must not wrap around. */
	make_header(buf, sizeof(buf), 0x200000, ~0ULL - 0x100000);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE, &ki, err, sizeof(err)), -ENOSPC);
	make_header(buf, sizeof(buf), ~0ULL << 21, 0x1000);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE, &ki, err, sizeof(err)), -ENOSPC);
	/* No RAM at the base, or a base that is not 2 MiB aligned. */
	make_header(buf, sizeof(buf), 0x200000, 0x1000);
	CHECK_EQ(load(&gm, buf, sizeof(buf), 0x40000000, &ki, err, sizeof(err)), -EFAULT);
	CHECK_EQ(load(&gm, buf, sizeof(buf), RAM_BASE + 4096, &ki, err, sizeof(err)), -EINVAL);
	guest_mem_free(&gm);
}

/*
 * The header alone says what a file is; a file source is read straight to
 * its place in RAM, .bss past it zeroed; a read that fails is an error.
 */
static void test_header_file(void)
{
	static uint8_t file[0x1800];
	struct fake_file f;
	struct boot_src src = fake_file_src(&f, file, sizeof(file));
	struct riscv_image_info ki;
	struct guest_mem gm;
	char err[128];
	uint8_t *p;

	setup_gm(&gm, RAM_SIZE);
	make_header(file, sizeof(file), 0x200000, 0x3000);
	for (size_t i = RISCV_IMAGE_HEADER_SIZE; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7);
	CHECK_EQ(riscv_image_parse_header(file, RISCV_IMAGE_HEADER_SIZE, sizeof(file), &ki, err,
					  sizeof(err)),
		 0);
	CHECK_EQ(ki.file_size, sizeof(file));
	CHECK_EQ(ki.image_size, 0x3000);
	/* A file larger than the header's image_size: the file's size counts. */
	CHECK_EQ(
	    riscv_image_parse_header(file, RISCV_IMAGE_HEADER_SIZE, 0x5000, &ki, err, sizeof(err)),
	    0);
	CHECK_EQ(ki.image_size, 0x5000);
	/* Header bytes missing, or a file shorter than a header. */
	CHECK_EQ(riscv_image_parse_header(file, RISCV_IMAGE_HEADER_SIZE - 1, sizeof(file), &ki, err,
					  sizeof(err)),
		 -ENOEXEC);
	CHECK_EQ(riscv_image_parse_header(file, RISCV_IMAGE_HEADER_SIZE, 63, &ki, err, sizeof(err)),
		 -ENOEXEC);

	p = gm_ptr(&gm, RAM_BASE + 0x200000, 0x3001);
	memset(p, 0xaa, 0x3001);
	CHECK_EQ(riscv_image_load(&gm, &src, RAM_BASE, &ki, err, sizeof(err)), 0);
	CHECK_EQ(ki.load_addr, RAM_BASE + 0x200000);
	CHECK(memcmp(p, file, sizeof(file)) == 0);
	CHECK_EQ(p[sizeof(file)], 0);
	CHECK_EQ(p[0x2fff], 0);
	CHECK_EQ(p[0x3000], 0xaa); /* past image_size: untouched */
	CHECK(f.reads >= 2);

	/* The file shrank after it was opened. */
	f.real_size = sizeof(file) - 1;
	err[0] = '\0';
	CHECK_EQ(riscv_image_load(&gm, &src, RAM_BASE, &ki, err, sizeof(err)), -ENODATA);
	CHECK(strstr(err, "shorter") != NULL);
	guest_mem_free(&gm);
}

static void test_plan(void)
{
	struct riscv_image_info ki = {.load_addr = RAM_BASE + 0x200000, .image_size = 0x1000000};
	struct riscv_boot_plan pl;
	char err[160];

	CHECK_EQ(
	    riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, 5000000, 0x10000, 0, &pl, err, sizeof(err)),
	    0);
	CHECK_EQ(pl.kernel_start, RAM_BASE + 0x200000);
	CHECK_EQ(pl.kernel_end, RAM_BASE + 0x1200000);
	CHECK_EQ(pl.dtb_addr, RAM_BASE + RAM_SIZE - 0x10000);
	CHECK_EQ(pl.dtb_addr % 4096, 0);
	CHECK_EQ(pl.initrd_addr % 4096, 0);
	CHECK_EQ(pl.initrd_size, 5000000);
	CHECK(pl.initrd_addr + pl.initrd_size <= pl.dtb_addr);
	CHECK(pl.initrd_addr >= pl.kernel_end);

	/* No initrd. */
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, 0, 100, 0, &pl, err, sizeof(err)), 0);
	CHECK_EQ(pl.initrd_addr, 0);
	CHECK_EQ(pl.initrd_size, 0);
	CHECK_EQ(pl.dtb_addr, RAM_BASE + RAM_SIZE - 4096);
	CHECK_EQ(pl.dtb_size, 4096);

	/* A limit below the top of RAM. */
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, 0, 100, RAM_BASE + 32 * MiB + 123, &pl,
				 err, sizeof(err)),
		 0);
	CHECK_EQ(pl.dtb_addr, RAM_BASE + 32 * MiB - 4096);

	/* Exactly fitting, then one page too much. */
	uint64_t room = RAM_SIZE - 0x1200000 - 4096;

	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, room, 4096, 0, &pl, err, sizeof(err)), 0);
	CHECK_EQ(pl.initrd_addr, pl.kernel_end);
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, room + 1, 4096, 0, &pl, err, sizeof(err)),
		 -ENOSPC);
	CHECK(strstr(err, "no room") != NULL);
	/* A limit below the kernel, huge sizes, a zero DTB. */
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, 0, 4096, RAM_BASE + MiB, &pl, err,
				 sizeof(err)),
		 -ENOSPC);
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, ~0ULL, 4096, 0, &pl, err, sizeof(err)),
		 -EINVAL);
	CHECK_EQ(riscv_boot_plan(&ki, RAM_BASE, RAM_SIZE, 0, 0, 0, &pl, err, sizeof(err)), -EINVAL);
}

static void test_real_image(const char *root)
{
	char path[4096];
	struct riscv_image_info ki;
	struct guest_mem gm;
	char err[160] = "";
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/images/riscv64/Image", root);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "note: %s not built (tools/mkimages), real-Image check skipped\n",
			path);
		return;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	setup_gm(&gm, 256 * MiB);
	CHECK_EQ(load(&gm, buf, (size_t)n, RAM_BASE, &ki, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK_EQ(ki.load_addr, RAM_BASE + 0x200000);
	CHECK(ki.image_size >= (uint64_t)n);
	CHECK_EQ(ki.version >> 16, 0);
	CHECK(ki.is_pe); /* Debian's kernel has the EFI stub */
	CHECK(memcmp(gm_ptr(&gm, ki.load_addr, 64), buf, 64) == 0);
	guest_mem_free(&gm);
	free(buf);
}

/*
 * Headers with random bytes in every field: parse never reads out of bounds
 * (ASan build) and whatever it accepts is loadable-looking.
 */
static void test_random_headers(void)
{
	uint8_t buf[128];
	struct riscv_image_info ki;
	uint64_t s = 0x853c49e6748fea9bULL;
	unsigned bad = 0;

	for (int i = 0; i < 20000; i++) {
		make_header(buf, sizeof(buf), 0x200000, 0x1000);
		for (int k = 0; k < 4; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			buf[(s >> 8) % 64] = (uint8_t)(s >> 32);
		}
		if (riscv_image_parse(buf, (size_t)(s >> 40) % sizeof(buf), &ki, NULL, 0) == 0 &&
		    (ki.text_offset % RISCV_IMAGE_ALIGN || ki.text_offset == 0 ||
		     ki.image_size < ki.file_size || (ki.flags & 1)))
			bad++;
	}
	CHECK_EQ(bad, 0);
}

int main(int argc, char **argv)
{
	test_parse_good();
	test_parse_bad();
	test_load();
	test_header_file();
	test_plan();
	test_random_headers();
	test_real_image(argc > 1 ? argv[1] : ".");
	return test_result("riscv_image");
}
