/* Command-line parsing and size suffixes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/test.h"
#include "vmm/config.h"

static int parse(struct vmm_config *cfg, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"vmm";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	return config_parse(argc, argv, cfg, err, 256, stdout);
}

#define PARSE(...) parse(&cfg, err, (const char *const[]){__VA_ARGS__, NULL})

static void test_sizes(void)
{
	uint64_t v;

	CHECK_EQ(parse_size("512M", 1, &v), 0);
	CHECK_EQ(v, 512ULL << 20);
	CHECK_EQ(parse_size("2G", 1, &v), 0);
	CHECK_EQ(v, 2ULL << 30);
	CHECK_EQ(parse_size("2g", 1, &v), 0);
	CHECK_EQ(v, 2ULL << 30);
	CHECK_EQ(parse_size("64k", 1, &v), 0);
	CHECK_EQ(v, 64ULL << 10);
	CHECK_EQ(parse_size("1GiB", 1, &v), 0);
	CHECK_EQ(v, 1ULL << 30);
	CHECK_EQ(parse_size("100MB", 1, &v), 0);
	CHECK_EQ(v, 100ULL << 20);
	CHECK_EQ(parse_size("256", 1ULL << 20, &v), 0);
	CHECK_EQ(v, 256ULL << 20);
	CHECK_EQ(parse_size("4096B", 1ULL << 20, &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(parse_size("", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("M", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("-1G", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("12X", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("1Gx", 1, &v), -EINVAL);
	CHECK_EQ(parse_size(" 1G", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("99999999999999999999", 1, &v), -EINVAL);
	CHECK_EQ(parse_size("17179869184G", 1, &v), -ERANGE);
}

static void test_options(void)
{
	struct vmm_config cfg;
	char err[256];

	CHECK_EQ(PARSE("--kernel", "bz"), 0);
	CHECK(strcmp(cfg.kernel, "bz") == 0);
	CHECK_EQ(cfg.mem_bytes, CONFIG_DEFAULT_MEM);
	CHECK_EQ(cfg.cpus, 1);
	CHECK_EQ(cfg.accel, ACCEL_AUTO);
	CHECK_EQ(cfg.console, CONSOLE_STDIO);
	CHECK_EQ(cfg.seccomp, SECCOMP_ON);
	CHECK_EQ(cfg.arch, ARCH_X86_64);
	CHECK(!cfg.hugepages);

	CHECK_EQ(PARSE("-k", "bz", "--initrd", "rd", "--cmdline", "console=ttyS0 quiet", "--mem",
		       "2G", "--cpus", "4", "--accel", "kvm", "--console", "file:/tmp/log",
		       "--seccomp=log", "--on-reboot=restart", "--hugepages", "on"),
		 0);
	CHECK(cfg.hugepages);
	CHECK(strcmp(cfg.initrd, "rd") == 0);
	CHECK(strcmp(cfg.cmdline, "console=ttyS0 quiet") == 0);
	CHECK_EQ(cfg.mem_bytes, 2ULL << 30);
	CHECK_EQ(cfg.cpus, 4);
	CHECK_EQ(cfg.accel, ACCEL_KVM);
	CHECK_EQ(cfg.console, CONSOLE_FILE);
	CHECK(strcmp(cfg.console_path, "/tmp/log") == 0);
	CHECK_EQ(cfg.seccomp, SECCOMP_LOG);
	CHECK_EQ(cfg.on_reboot, REBOOT_RESTART);

	CHECK_EQ(PARSE("--kernel=bz", "--mem=256"), 0);
	CHECK_EQ(cfg.mem_bytes, 256ULL << 20);
	CHECK_EQ(PARSE("--kernel", "x", "--arch", "riscv64", "--accel", "tcg", "--tcg-backend",
		       "interp"),
		 0);
	CHECK_EQ(cfg.arch, ARCH_RISCV64);
	CHECK_EQ(cfg.tcg_backend, TCG_BACKEND_INTERP);
	CHECK_EQ(PARSE("--kernel", "x", "--console", "none"), 0);
	CHECK_EQ(cfg.console, CONSOLE_NONE);
}

static void test_errors(void)
{
	struct vmm_config cfg;
	char err[256];

	CHECK_EQ(PARSE("--mem", "512M"), -EINVAL);
	CHECK(strstr(err, "no kernel") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--cpus", "0"), -EINVAL);
	CHECK(strstr(err, "--cpus") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--cpus", "two"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--cpus", "-1"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--mem", "lots"), -EINVAL);
	CHECK(strstr(err, "--mem") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--mem", "0"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--accel", "xen"), -EINVAL);
	CHECK(strstr(err, "--accel") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--console", "tcp:1"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--console", "file:"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--seccomp", "maybe"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--hugepages", "yes"), -EINVAL);
	CHECK(strstr(err, "--hugepages") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--hugepages=on", "--hugepages=off"), 0);
	CHECK(!cfg.hugepages);
	CHECK_EQ(PARSE("--kernel", "x", "--arch", "mips"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--bogus"), -EINVAL);
	CHECK(strstr(err, "--bogus") != NULL);
	CHECK_EQ(PARSE("--kernel"), -EINVAL);
	CHECK(strstr(err, "needs a value") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "stray"), -EINVAL);
	CHECK(strstr(err, "stray") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--arch", "riscv64", "--accel", "kvm"), -EINVAL);
	CHECK_EQ(PARSE("--kernel", "x", "--bios", "fw.bin"), -EINVAL);
}

static void test_virtio_options(void)
{
	struct vmm_config cfg;
	char err[256];

	CHECK_EQ(PARSE("--kernel", "x", "--drive", "file=a.img", "--drive", "file=b.img,ro=on",
		       "--net", "tap=tap0", "--rng"),
		 0);
	CHECK_EQ(cfg.ndrives, 2);
	CHECK(strcmp(cfg.drives[1], "file=b.img,ro=on") == 0);
	CHECK_EQ(cfg.nnets, 1);
	CHECK(strcmp(cfg.nets[0], "tap=tap0") == 0);
	CHECK(cfg.rng && cfg.rng[0] == '\0');
	CHECK_EQ(PARSE("--kernel", "x", "--rng=bw=4096"), 0);
	CHECK(strcmp(cfg.rng, "bw=4096") == 0);
	CHECK_EQ(PARSE("--kernel", "x"), 0);
	CHECK(cfg.rng == NULL);
	CHECK_EQ(cfg.ndrives, 0);
	CHECK_EQ(PARSE("--kernel", "x", "--rng", "--rng"), -EINVAL);
	CHECK(strstr(err, "twice") != NULL);
	CHECK_EQ(PARSE("--kernel", "x", "--drive", "file=1", "--drive", "file=2", "--drive",
		       "file=3", "--drive", "file=4", "--drive", "file=5", "--drive", "file=6",
		       "--drive", "file=7", "--drive", "file=8", "--drive", "file=9"),
		 -EINVAL);
	CHECK(strstr(err, "too many") != NULL);
}

static void test_help(void)
{
	struct vmm_config cfg;
	char err[256];
	FILE *saved = stdout;

	stdout = fopen("/dev/null", "w");
	CHECK_EQ(PARSE("--help"), 1);
	CHECK_EQ(PARSE("--version"), 1);
	CHECK_EQ(PARSE("-h"), 1);
	fclose(stdout);
	stdout = saved;
}

int main(void)
{
	test_sizes();
	test_options();
	test_errors();
	test_virtio_options();
	test_help();
	return test_result("test_config");
}
