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

#include "tests/test.h"
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

static void test_read_file(void)
{
	uint8_t *want = pattern(12345, 3), *got = NULL;
	size_t len = 0;
	char path[64];

	snprintf(path, sizeof(path), "%s/whole", dir);
	write_file(path, want, 12345);
	CHECK_EQ(machine_read_file("bios", path, &got, &len), 0);
	CHECK_EQ(len, 12345);
	CHECK(got && memcmp(got, want, len) == 0);
	free(got);
	free(want);
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
	test_read_file();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return test_result("machine_file");
}
