/*
 * Boot files read straight into guest RAM (vmm/machine.c): whole and in
 * parts, split between two threads when large, and every way a file can be
 * wrong or change under the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/x86_boot.h"
#include "tests/test.h"
#include "tests/unit/boot/bz_build.h"
#include "tests/unit/boot/elf_build.h"
#include "vmm/machine.h"

static char dir[] = "/tmp/vmm-test-file.XXXXXX";

static uint8_t *pattern(size_t len, uint64_t seed)
{
	uint8_t *p = malloc(len);

	for (size_t i = 0; p && i < len; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(seed >> 56);
	}
	return p;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd) < 0) {
		perror(path);
		exit(1);
	}
}

static void test_bad_files(void)
{
	struct machine_file f;
	char path[64];

	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_EQ(machine_open_file("kernel", path, &f), -ENOENT);
	CHECK_EQ(f.fd, -1);
	CHECK_EQ(machine_open_file("kernel", dir, &f), -EINVAL); /* a directory */
	snprintf(path, sizeof(path), "%s/empty", dir);
	write_file(path, "", 0);
	CHECK_EQ(machine_open_file("initrd", path, &f), -EINVAL);
	CHECK_EQ(f.fd, -1);
	machine_close_file(&f); /* harmless on a closed file */
}

/* @len bytes: once whole, once from an offset, once past the end. */
static void check_reads(size_t len)
{
	uint8_t *want = pattern(len, len), *got = malloc(len + 1);
	struct machine_file f;
	char path[64];

	snprintf(path, sizeof(path), "%s/f%zu", dir, len);
	write_file(path, want, len);
	CHECK_EQ(machine_open_file("kernel", path, &f), 0);
	CHECK_EQ(f.size, len);
	memset(got, 0, len + 1);
	CHECK_EQ(machine_file_read(&f, 0, got, len), 0);
	CHECK(memcmp(got, want, len) == 0);
	CHECK_EQ(got[len], 0); /* nothing written past @len */
	memset(got, 0, len);
	CHECK_EQ(machine_file_read(&f, len / 3, got, len - len / 3), 0);
	CHECK(memcmp(got, want + len / 3, len - len / 3) == 0);
	CHECK_EQ(machine_file_read(&f, 1, got, len), -EINVAL);
	CHECK_EQ(machine_file_read(&f, len + 1, got, 0), -EINVAL);
	machine_close_file(&f);
	CHECK_EQ(f.fd, -1);
	free(want);
	free(got);
}

/* The file shrinks between open and read (cp onto a kernel in use). */
static void check_shrunk(size_t len)
{
	uint8_t *want = pattern(len, 7), *got = malloc(len);
	struct machine_file f;
	char path[64];

	snprintf(path, sizeof(path), "%s/s%zu", dir, len);
	write_file(path, want, len);
	CHECK_EQ(machine_open_file("kernel", path, &f), 0);
	CHECK_EQ(truncate(path, (off_t)(len - 4096)), 0);
	CHECK_EQ(machine_file_read(&f, 0, got, len), -ENODATA);
	/* What is still there reads fine. */
	CHECK_EQ(machine_file_read(&f, 0, got, len - 4096), 0);
	CHECK(memcmp(got, want, len - 4096) == 0);
	machine_close_file(&f);
	free(want);
	free(got);
}

/* Guest RAM after loading @kernel (and an initrd) from memory or from files. */
static void load_x86(const uint8_t *kernel, size_t klen, const uint8_t *initrd, size_t ilen,
		     bool from_file, struct guest_mem *gm, struct x86_boot_info *info)
{
	struct machine_file kf = {.fd = -1}, inf = {.fd = -1};
	struct x86_boot_input in = {.cmdline = "console=ttyS0"};
	struct gm_region layout[2];
	struct x86_cpu_state cpu;
	char path[64], err[256] = "";
	unsigned n;

	CHECK_EQ(x86_ram_layout(64 * 1024 * 1024, layout, &n), 0);
	CHECK_EQ(guest_mem_alloc(gm, layout, n), 0);
	if (from_file) {
		snprintf(path, sizeof(path), "%s/kernel", dir);
		write_file(path, kernel, klen);
		CHECK_EQ(machine_open_file("kernel", path, &kf), 0);
		snprintf(path, sizeof(path), "%s/initrd", dir);
		write_file(path, initrd, ilen);
		CHECK_EQ(machine_open_file("initrd", path, &inf), 0);
		in.kernel = machine_file_src(&kf);
		in.initrd = machine_file_src(&inf);
	} else {
		in.kernel = boot_src_buf(kernel, klen);
		in.initrd = boot_src_buf(initrd, ilen);
	}
	CHECK_EQ(x86_boot_load(gm, &in, &cpu, info, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "load: %s\n", err);
	machine_close_file(&kf);
	machine_close_file(&inf);
}

static bool same_ram(const struct guest_mem *a, const struct guest_mem *b)
{
	for (unsigned i = 0; i < a->n; i++)
		if (a->r[i].size != b->r[i].size ||
		    memcmp(a->r[i].host, b->r[i].host, a->r[i].size))
			return false;
	return a->n == b->n;
}

/* x86 loaders over a file source put exactly what they put from memory. */
static void test_x86_file_source(void)
{
	uint8_t *bz = malloc(TBZ_SIZE), *elf = malloc(TELF_SIZE), *initrd = pattern(100000, 9);
	struct x86_boot_info ia, ib;
	struct guest_mem a = {0}, b = {0};

	tbz_build(bz);
	for (size_t i = TBZ_SETUP_SIZE; i < TBZ_SIZE; i++)
		bz[i] = (uint8_t)(i * 13 + 5);
	load_x86(bz, TBZ_SIZE, initrd, 100000, false, &a, &ia);
	load_x86(bz, TBZ_SIZE, initrd, 100000, true, &b, &ib);
	CHECK(same_ram(&a, &b));
	CHECK_EQ(ia.kind, X86_BOOT_BZIMAGE);
	CHECK_EQ(ia.initrd_addr, ib.initrd_addr);
	CHECK(ia.initrd_addr != 0);
	guest_mem_free(&a);
	guest_mem_free(&b);

	telf_build(elf, EM_X86_64, 16 * 1024 * 1024, 16 * 1024 * 1024 + 0x40);
	load_x86(elf, TELF_SIZE, initrd, 100000, false, &a, &ia);
	load_x86(elf, TELF_SIZE, initrd, 100000, true, &b, &ib);
	CHECK(same_ram(&a, &b));
	CHECK_EQ(ia.kind, X86_BOOT_PVH);
	CHECK_EQ(ia.entry, ib.entry);
	guest_mem_free(&a);
	guest_mem_free(&b);
	free(bz);
	free(elf);
	free(initrd);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_bad_files();
	check_reads(1);
	check_reads(4096 * 3 + 17);
	/* Above the split size: two threads, halves at a 2 MiB boundary. */
	check_reads(10 * 1024 * 1024 + 123);
	check_reads(8 * 1024 * 1024);
	check_shrunk(64 * 1024);
	check_shrunk(12 * 1024 * 1024);
	test_x86_file_source();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return test_result("machine_file");
}
