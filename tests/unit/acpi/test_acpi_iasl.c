/*
 * Cross-check the tables with ACPICA's iasl (an independent implementation):
 * each of DSDT, FACP, APIC and XSDT must disassemble with no error or
 * warning (a bad checksum is a warning), the text must say what we meant,
 * and compiling that text back must give our bytes again (apart from the
 * header's checksum and compiler ID, which iasl writes as its own).
 *
 * iasl -d refuses an RSDP file ("not a valid ACPI table": its signature is
 * 8 bytes and it has no standard header), so the RSDP goes the other way:
 * its fields are written as iasl data-table source, iasl compiles that and
 * computes both checksums itself, and the result must equal our 36 bytes.
 *
 * Then ACPICA's acpiexec (same package) loads FACP, DSDT and APIC, decodes
 * every _CRS with the resource code Linux also uses, and runs the S5 sleep
 * sequence, which must take the hardware-reduced path (sleep registers).
 *
 * Usage: test_acpi_iasl IASL [ACPIEXEC] (meson passes the paths it finds;
 * the test skips without iasl).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/test.h"
#include "tests/unit/acpi/acpi_walk.h"

#define BUF_SIZE 65536
#define GPA	 0xE0000

static const char *iasl, *acpiexec;
static char dir[64];

/* Run @argv[0] in dir, output to iasl.log; the exit status or -1. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd, in;

		if (chdir(dir) < 0)
			_exit(126);
		fd = open("iasl.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		in = open("/dev/null", O_RDONLY);
		if (fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int run_iasl(const char *a1, const char *a2)
{
	char *argv[] = {(char *)iasl, (char *)a1, (char *)a2, NULL};

	return run(argv);
}

static char *path_of(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* The whole file, NUL-terminated (caller frees); NULL if unreadable. */
static char *slurp(const char *name, size_t *len)
{
	FILE *f = fopen(path_of(name), "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		s = malloc((size_t)n + 1);
		if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		}
		if (s) {
			s[n] = 0;
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return s;
}

static bool spit(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(path_of(name), "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static unsigned count_str(const char *hay, const char *needle)
{
	unsigned c = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		c++;
	return c;
}

/*
 * Disassemble @sig.dat; false (with the reason on stderr unless @quiet) if
 * iasl fails, warns, or reports an incorrect checksum. *dsl gets the text.
 */
static bool disasm(const char *sig, char **dsl, bool quiet)
{
	char dat[16], out[16];
	char *log;
	int rc;

	snprintf(dat, sizeof(dat), "%s.dat", sig);
	snprintf(out, sizeof(out), "%s.dsl", sig);
	remove(path_of(out));
	rc = run_iasl("-d", dat);
	log = slurp("iasl.log", NULL);
	*dsl = slurp(out, NULL);
	if (rc == 0 && log && *dsl && !strstr(log, "Warning") && !strstr(log, "Error") &&
	    !strstr(*dsl, "Incorrect")) {
		free(log);
		return true;
	}
	if (!quiet)
		fprintf(stderr, "iasl -d %s: exit %d\n%s\n", dat, rc, log ? log : "(no log)");
	free(log);
	return false;
}

/*
 * Compile @sig.dsl back and compare with @orig, skipping the checksum (9)
 * and compiler ID/revision (28-35), which iasl fills in itself.
 */
static void recompile(const char *sig, const uint8_t *orig, size_t len)
{
	char dsl[16], aml[16];
	char *log, *bin;
	size_t n = 0;
	int rc;

	snprintf(dsl, sizeof(dsl), "%s.dsl", sig);
	snprintf(aml, sizeof(aml), "%s.aml", sig);
	remove(path_of(aml));
	rc = run_iasl(dsl, NULL);
	log = slurp("iasl.log", NULL);
	bin = slurp(aml, &n);
	CHECK_EQ(rc, 0);
	CHECK(log && strstr(log, " 0 Errors, 0 Warnings"));
	CHECK_EQ(n, len);
	if (bin && n == len) {
		for (size_t i = 0; i < len; i++) {
			if (i == 9 || (i >= 28 && i < 36) || (uint8_t)bin[i] == orig[i])
				continue;
			fprintf(stderr, "%s: recompiled byte %zu is %02x, ours %02x\n", sig, i,
				(uint8_t)bin[i], orig[i]);
			CHECK(!"recompiled table differs");
			break;
		}
	}
	if (rc != 0 && log)
		fprintf(stderr, "iasl %s:\n%s\n", dsl, log);
	free(log);
	free(bin);
}

#define EXPECT_STR(text, s) EXPECT_COUNT(text, s, 1)
#define EXPECT_COUNT(text, s, n)                                                                   \
	do {                                                                                       \
		unsigned got_ = count_str((text), (s));                                            \
		CHECK_EQ(got_, (n));                                                               \
		if (got_ != (unsigned)(n))                                                         \
			fprintf(stderr, "  expected %u x \"%s\", found %u\n", (unsigned)(n), (s),  \
				got_);                                                             \
	} while (0)

static void check_dsdt_text(const char *t, const struct acpi_config *c)
{
	EXPECT_STR(t, "Scope (_SB)");
	EXPECT_STR(t, "Device (COM1)");
	EXPECT_STR(t, "EisaId (\"PNP0501\")");
	EXPECT_STR(t, "IO (Decode16,");
	EXPECT_STR(t, "0x03F8,             // Range Minimum");
	EXPECT_STR(t, "IRQNoFlags ()");
	EXPECT_STR(t, "{4}");
	EXPECT_STR(t, "Name (_S5, Package (0x04)");
	EXPECT_STR(t, "_S5_");
	EXPECT_COUNT(t, "Name (_HID, \"LNRO0005\")", c->n_virtio);
	EXPECT_COUNT(t, "Memory32Fixed (ReadWrite,", c->n_virtio);
	EXPECT_COUNT(t, "Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive",
		     c->n_virtio - virtio_edges(c));
	EXPECT_COUNT(t, "Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive",
		     virtio_edges(c));
	EXPECT_COUNT(t, "PNP0C0C", 0);
	for (unsigned i = 0; i < c->n_virtio; i++) {
		char s[64];

		snprintf(s, sizeof(s), "Device (V%03X)", i);
		EXPECT_STR(t, s);
		snprintf(s, sizeof(s), "0x%08" PRIX64 ",         // Address Base",
			 c->virtio[i].base);
		EXPECT_STR(t, s);
		snprintf(s, sizeof(s), "0x%08" PRIX32 ",\n", c->virtio[i].gsi);
		EXPECT_STR(t, s);
	}
}

static void check_facp_text(const char *t)
{
	EXPECT_STR(t, "Revision : 06");
	EXPECT_STR(t, "FADT Minor Revision : 03");
	EXPECT_STR(t, "Hardware Reduced (V5) : 1");
	EXPECT_STR(t, "Reset Register Supported (V2) : 1");
	EXPECT_STR(t, "VGA Not Present (V4) : 1");
	EXPECT_STR(t, "8042 Present on ports 60/64 (V2) : 0");
	EXPECT_STR(t, "MSI Not Supported (V4) : 0");
	EXPECT_STR(t, "Value to cause reset : 01");
	EXPECT_COUNT(t, "Space ID : 01 [SystemIO]", 3);
	EXPECT_COUNT(t, "Bit Width : 08", 3);
	EXPECT_COUNT(t, "Encoded Access Width : 01 [Byte Access:8]", 3);
	EXPECT_STR(t, "Address : 0000000000000600");
	EXPECT_STR(t, "Address : 0000000000000601");
	EXPECT_STR(t, "Address : 0000000000000602");
	EXPECT_STR(t, "Hypervisor ID : 20202020204D4D56"); /* "VMM     " */
}

static void check_apic_text(const char *t, const struct acpi_config *c)
{
	EXPECT_STR(t, "Local Apic Address : FEE00000");
	EXPECT_COUNT(t, "[Processor Local APIC]", c->ncpus);
	EXPECT_COUNT(t, "Processor Enabled : 1", c->ncpus);
	EXPECT_STR(t, "[I/O APIC]");
	EXPECT_STR(t, "Address : FEC00000");
	EXPECT_STR(t, "[Interrupt Source Override]");
	EXPECT_STR(t, "Interrupt : 00000002");
	EXPECT_STR(t, "[Local APIC NMI]");
	EXPECT_STR(t, "Interrupt Input LINT : 01");
}

static void check_xsdt_text(const char *t, const struct acpi_tables *tb, const uint8_t *buf)
{
	char s[64];

	snprintf(s, sizeof(s), "ACPI Table Address   0 : %016" PRIX64,
		 (uint64_t)GPA + (uint64_t)(tb->fadt - buf));
	EXPECT_STR(t, s);
	snprintf(s, sizeof(s), "ACPI Table Address   1 : %016" PRIX64,
		 (uint64_t)GPA + (uint64_t)(tb->madt - buf));
	EXPECT_STR(t, s);
}

/* Write, disassemble, check the text, recompile one table. */
static void check_table(const uint8_t *t, const char *sig, const struct acpi_config *c,
			const struct acpi_tables *tb, const uint8_t *buf)
{
	char dat[16], *dsl = NULL;
	uint32_t len = get32(t + 4);

	snprintf(dat, sizeof(dat), "%s.dat", sig);
	CHECK(spit(dat, t, len));
	CHECK(disasm(sig, &dsl, false));
	if (!dsl)
		return;
	if (!strcmp(sig, "DSDT"))
		check_dsdt_text(dsl, c);
	else if (!strcmp(sig, "FACP"))
		check_facp_text(dsl);
	else if (!strcmp(sig, "APIC"))
		check_apic_text(dsl, c);
	else
		check_xsdt_text(dsl, tb, buf);
	free(dsl);
	recompile(sig, t, len);
}

/* The RSDP as iasl data-table source; iasl computes the checksums. */
static void check_rsdp(const uint8_t *r)
{
	char src[512], *bin;
	size_t n = 0;
	int rc;

	snprintf(src, sizeof(src),
		 "[0008] Signature : \"RSD PTR \"\n"
		 "[0001] Checksum : 00\n"
		 "[0006] Oem ID : \"%.6s\"\n"
		 "[0001] Revision : %02X\n"
		 "[0004] RSDT Address : %08" PRIX32 "\n"
		 "[0004] Length : %08" PRIX32 "\n"
		 "[0008] XSDT Address : %016" PRIX64 "\n"
		 "[0001] Extended Checksum : 00\n"
		 "[0003] Reserved : 000000\n",
		 (const char *)r + 9, r[15], get32(r + 16), get32(r + 20), get64(r + 24));
	CHECK(spit("RSDP.asl", src, strlen(src)));
	remove(path_of("RSDP.aml"));
	rc = run_iasl("RSDP.asl", NULL);
	CHECK_EQ(rc, 0);
	bin = slurp("RSDP.aml", &n);
	CHECK_EQ(n, 36);
	CHECK(bin && n == 36 && memcmp(bin, r, 36) == 0);
	free(bin);
}

/*
 * acpiexec: decode each device's _CRS, evaluate \\_S5 and simulate S5. Its
 * "resources" command also tries _SRS, which we do not have: the only
 * AE_ status allowed is that one.
 */
static void check_acpiexec(const struct acpi_config *c)
{
	char cmd[4096], line[128], *log;
	char *argv[] = {(char *)acpiexec, "-b", cmd, "FACP.dat", "DSDT.dat", "APIC.dat", NULL};
	size_t used = 0;
	int rc;

	for (unsigned i = 0; i < c->n_virtio && used < sizeof(cmd); i++)
		used +=
		    (size_t)snprintf(cmd + used, sizeof(cmd) - used, "resources \\_SB.V%03X; ", i);
	if (used < sizeof(cmd))
		snprintf(cmd + used, sizeof(cmd) - used, "resources \\_SB.COM1; sleep 5");
	rc = run(argv);
	log = slurp("iasl.log", NULL);
	CHECK_EQ(rc, 0);
	CHECK(log != NULL);
	if (!log)
		return;
	EXPECT_STR(log, "Register values for sleep state S5: Sleep-A: 05, Sleep-B: 05");
	EXPECT_STR(log, "HwExtendedSleep"); /* the hardware-reduced path */
	EXPECT_STR(log, "Entering sleep state [S5]");
	EXPECT_STR(log, "Interrupt List : 4");
	EXPECT_STR(log, "Address Minimum : 03F8");
	EXPECT_COUNT(log, "Triggering : Level", c->n_virtio - virtio_edges(c));
	/* COM1's IRQNoFlags descriptor is edge-triggered too. */
	EXPECT_COUNT(log, "Triggering : Edge", virtio_edges(c) + (c->uart_port != 0));
	for (unsigned i = 0; i < c->n_virtio; i++) {
		snprintf(line, sizeof(line), "Address : %08" PRIX64, c->virtio[i].base);
		EXPECT_STR(log, line);
		snprintf(line, sizeof(line), "Dword00 : %08" PRIX32, c->virtio[i].gsi);
		EXPECT_STR(log, line);
	}
	CHECK_EQ(count_str(log, "AE_"),
		 count_str(log, "AcpiSetCurrentResources failed: AE_NOT_FOUND"));
	CHECK(!strstr(log, "Error") && !strstr(log, "Warning"));
	EXPECT_STR(log, "No outstanding allocations");
	if (test_failures)
		fprintf(stderr, "acpiexec -b \"%s\":\n%s\n", cmd, log);
	free(log);
}

static void check_config(unsigned ncpus, unsigned nvirtio)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c = test_config(ncpus, nvirtio);
	struct acpi_tables tb;
	int n = acpi_build(&c, buf, sizeof(buf), GPA);

	fprintf(stderr, "-- %u vCPUs, %u virtio-mmio\n", ncpus, nvirtio);
	CHECK(n > 0);
	if (n <= 0 || !acpi_walk(buf, (size_t)n, GPA, &tb)) {
		CHECK(!"tables unreadable");
		return;
	}
	check_table(tb.dsdt, "DSDT", &c, &tb, buf);
	check_table(tb.fadt, "FACP", &c, &tb, buf);
	check_table(tb.madt, "APIC", &c, &tb, buf);
	check_table(tb.xsdt, "XSDT", &c, &tb, buf);
	check_rsdp(tb.rsdp);
	if (acpiexec)
		check_acpiexec(&c);
}

/* The checker itself must notice a bad checksum (iasl only warns). */
static void check_negative(void)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c = test_config(1, 0);
	struct acpi_tables tb;
	uint8_t facp[276];
	char *dsl = NULL;
	int n = acpi_build(&c, buf, sizeof(buf), GPA);

	if (n <= 0 || !acpi_walk(buf, (size_t)n, GPA, &tb)) {
		CHECK(!"tables unreadable");
		return;
	}
	memcpy(facp, tb.fadt, sizeof(facp));
	facp[9] ^= 0x5A;
	CHECK(spit("FACP.dat", facp, sizeof(facp)));
	CHECK(!disasm("FACP", &dsl, true));
	free(dsl);
}

/* Remove what iasl and we wrote, then the directory. */
static void cleanup(void)
{
	static const char *const names[] = {"iasl.log", "DSDT", "FACP", "APIC", "XSDT", "RSDP"};
	static const char *const exts[] = {"", ".dat", ".dsl", ".aml", ".asl"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(exts); j++) {
			char f[32];

			snprintf(f, sizeof(f), "%s%s", names[i], exts[j]);
			remove(path_of(f));
		}
	}
	if (rmdir(dir) < 0)
		fprintf(stderr, "note: %s not removed: %s\n", dir, strerror(errno));
}

int main(int argc, char **argv)
{
	static const unsigned cpus[] = {1, 2, 8};

	if (argc < 2 || !argv[1][0] || access(argv[1], X_OK) < 0)
		TEST_SKIP("iasl not installed (Debian package acpica-tools)");
	iasl = argv[1];
	if (argc > 2 && argv[2][0] && access(argv[2], X_OK) == 0)
		acpiexec = argv[2];
	else
		fprintf(stderr, "note: acpiexec not found, its checks are left out\n");
	snprintf(dir, sizeof(dir), "/tmp/vmm-acpi-iasl-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(cpus); i++) {
		check_config(cpus[i], 0);
		check_config(cpus[i], 3);
	}
	check_negative();
	cleanup();
	return test_result("acpi_iasl");
}
