/* bzimage_parse(): a synthetic good image, every malformed case, real kernels. */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot/bzimage.h"
#include "boot/x86_boot.h"
#include "tests/test.h"
#include "bz_build.h"

static int parse(const uint8_t *img, size_t len, struct bzimage_info *bi, char *err, size_t errlen)
{
	struct boot_src src = boot_src_buf(img, len);

	return bzimage_parse(&src, bi, err, errlen);
}

static uint8_t img[TBZ_SIZE];

static void test_good(void)
{
	struct bzimage_info bi;
	char err[256] = "";

	tbz_build(img);
	CHECK_EQ(parse(img, sizeof(img), &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.protocol, 0x020f);
	CHECK_EQ(bi.setup_sects, TBZ_SETUP_SECTS);
	CHECK_EQ(bi.loadflags, 0x01);
	CHECK_EQ(bi.xloadflags, 0x3);
	CHECK(bi.relocatable);
	CHECK_EQ(bi.hdr_end, 0x26c);
	CHECK_EQ(bi.kernel_offset, TBZ_SETUP_SIZE);
	CHECK_EQ(bi.kernel_size, TBZ_KERNEL_SIZE);
	CHECK_EQ(bi.kernel_alignment, TBZ_ALIGN);
	CHECK_EQ(bi.pref_address, TBZ_PREF);
	CHECK_EQ(bi.init_size, TBZ_INIT_SIZE);
	CHECK_EQ(bi.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(bi.cmdline_size, 2047);
	CHECK_EQ(bi.payload_offset, 0x100);
	CHECK_EQ(bi.payload_length, 0x1000);

	/* boot.rst: setup_sects == 0 means 4. */
	img[HDR_SETUP_SECTS] = 0;
	CHECK_EQ(parse(img, sizeof(img), &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.setup_sects, 4);
	CHECK_EQ(bi.kernel_offset, 5 * 512);

	/* A jump byte past the known header is capped to the header we know. */
	tbz_build(img);
	img[HDR_JUMP + 1] = 0xff;
	CHECK_EQ(parse(img, sizeof(img), &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.hdr_end, 0x26c);

	/* initrd_addr_max 0: the pre-2.03 default. */
	tbz_build(img);
	tbz_put(img, HDR_INITRD_ADDR_MAX, 0, 4);
	CHECK_EQ(parse(img, sizeof(img), &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.initrd_addr_max, 0x37ffffff);
}

/* Build a good image, apply @mutate, parse @len bytes: must fail naming @needle. */
#define BAD(mutate, len, needle)                                                                   \
	do {                                                                                       \
		struct bzimage_info bi_;                                                           \
		char err_[256] = "";                                                               \
		int ret_;                                                                          \
		tbz_build(img);                                                                    \
		mutate;                                                                            \
		ret_ = parse(img, len, &bi_, err_, sizeof(err_));                                  \
		CHECK_EQ(ret_, -ENOEXEC);                                                          \
		CHECK(strstr(err_, needle) != NULL);                                               \
		if (!strstr(err_, needle))                                                         \
			fprintf(stderr, "  %s: got \"%s\"\n", #mutate, err_);                      \
	} while (0)

static void test_malformed(void)
{
	BAD((void)0, 0, "too small");
	BAD((void)0, 0x200, "too small");
	BAD((void)0, 0x26b, "too small");
	BAD(tbz_put(img, HDR_BOOT_FLAG, 0x55aa, 2), TBZ_SIZE, "boot-sector magic");
	BAD(img[HDR_HEADER + 3] = 'Z', TBZ_SIZE, "HdrS");
	BAD(tbz_put(img, HDR_VERSION, 0x0205, 2), TBZ_SIZE, "older than 2.06");
	BAD(tbz_put(img, HDR_VERSION, 0x0100, 2), TBZ_SIZE, "older than 2.06");
	/* xloadflags does not exist before 2.12, whatever the bytes say. */
	BAD(tbz_put(img, HDR_VERSION, 0x020b, 2), TBZ_SIZE, "64-bit");
	BAD(tbz_put(img, HDR_XLOADFLAGS, 0x2, 2), TBZ_SIZE, "64-bit");
	/* Setup beyond the end of the file (also: exactly the file, no kernel). */
	BAD(img[HDR_SETUP_SECTS] = 200, TBZ_SIZE, "truncated");
	BAD((void)0, TBZ_SETUP_SIZE, "truncated");
	BAD((void)0, TBZ_SETUP_SIZE - 1, "truncated");
	/* Protected-mode part shorter than syssize says. */
	BAD(tbz_put(img, HDR_SYSSIZE, TBZ_KERNEL_SIZE / 16 + 1, 4), TBZ_SIZE, "truncated");
	BAD(tbz_put(img, HDR_SYSSIZE, 0xffffffff, 4), TBZ_SIZE, "truncated");
	BAD((void)0, TBZ_SIZE - 16, "truncated");
	/* Payload outside the protected-mode part. */
	BAD(tbz_put(img, HDR_PAYLOAD_OFFSET, TBZ_KERNEL_SIZE, 4), TBZ_SIZE, "payload");
	BAD(tbz_put(img, HDR_PAYLOAD_OFFSET, 0xffffffff, 4), TBZ_SIZE, "payload");
	BAD(tbz_put(img, HDR_PAYLOAD_LENGTH, 0xffffffff, 4), TBZ_SIZE, "payload");
	/* A relocatable kernel with an unusable alignment. */
	BAD(tbz_put(img, HDR_KERNEL_ALIGNMENT, 0, 4), TBZ_SIZE, "kernel_alignment");
	BAD(tbz_put(img, HDR_KERNEL_ALIGNMENT, 0x300000, 4), TBZ_SIZE, "kernel_alignment");
	BAD(tbz_put(img, HDR_KERNEL_ALIGNMENT, 0x80000000, 4), TBZ_SIZE, "kernel_alignment");
}

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return NULL;
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc((size_t)st.st_size);
	if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* A real distribution kernel, when one is around: parse and load it. */
static void test_real_one(const char *path)
{
	struct gm_region layout[2];
	struct x86_boot_info info;
	struct x86_cpu_state cpu;
	struct bzimage_info bi;
	struct guest_mem gm;
	char err[256] = "";
	size_t len = 0;
	unsigned n;
	uint8_t *k = read_file(path, &len);

	if (!k)
		return; /* unreadable (e.g. /boot/vmlinuz-* is root-only): not our test */
	fprintf(stderr, "real kernel: %s (%zu bytes)\n", path, len);
	CHECK_EQ(parse(k, len, &bi, err, sizeof(err)), 0);
	CHECK(bi.protocol >= 0x020c);
	CHECK(bi.init_size >= bi.kernel_size);
	CHECK((uint64_t)bi.payload_offset + bi.payload_length <= bi.kernel_size);
	if (x86_ram_layout(512 * MiB, layout, &n) == 0 && guest_mem_alloc(&gm, layout, n) == 0) {
		struct x86_boot_input in = {.kernel = boot_src_buf(k, len),
					    .cmdline = "console=ttyS0"};

		CHECK_EQ(x86_boot_load(&gm, &in, &cpu, &info, err, sizeof(err)), 0);
		CHECK_EQ(info.kind, X86_BOOT_BZIMAGE);
		CHECK_EQ(cpu.rip, info.kernel_addr + 0x200);
		if (err[0])
			fprintf(stderr, "  load: %s\n", err);
		guest_mem_free(&gm);
	}
	free(k);
}

static void test_real(const char *srcdir)
{
	char path[4096];
	glob_t g;
	size_t i;

	if (srcdir) {
		snprintf(path, sizeof(path), "%s/images/x86_64/bzImage", srcdir);
		test_real_one(path);
	}
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			test_real_one(g.gl_pathv[i]);
		globfree(&g);
	}
}

int main(int argc, char **argv)
{
	test_good();
	test_malformed();
	test_real(argc > 1 ? argv[1] : NULL);
	return test_result("test_bzimage");
}
