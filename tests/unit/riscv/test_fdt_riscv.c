/*
 * boot/fdt_riscv: trees for 1 and 4 harts, with and without initrd, virtio
 * devices and CLINT, read back with libfdt, then decompiled with
 * `dtc -I dtb -O dts`, which must print no error or warning (its checks
 * cover unit addresses, reg/ranges, phandle references and the
 * interrupt-cells of interrupts-extended). Skips (77) only the dtc part's
 * absence: the libfdt checks run first.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/fdt_riscv.h"
#include "tests/test.h"

static const char *const exts[] = {"i",	  "m",	    "a",	"f",	"d",
				   "c",	  "zicsr",  "zifencei", "zba",	"zbb",
				   "zbs", "zicbom", "zicboz",	"sstc", "svpbmt"};

static const struct fdt_riscv_virtio virtio[] = {
    {0x10001000, 0x1000, 1},
    {0x10002000, 0x1000, 2},
};

static struct fdt_riscv_config base_cfg(unsigned ncpus)
{
	return (struct fdt_riscv_config){
	    .ncpus = ncpus,
	    .extensions = exts,
	    .nextensions = ARRAY_SIZE(exts),
	    .mmu_type = "riscv,sv57",
	    .cbom_block_size = 64,
	    .cboz_block_size = 64,
	    .ram_base = 0x80000000,
	    .ram_size = 256 * MiB,
	    .plic_base = 0x0c000000,
	    .plic_size = 0x400000,
	    .plic_ndev = 95,
	    .uart_base = 0x10000000,
	    .uart_size = 0x100,
	    .uart_irq = 10,
	    .uart_clock_hz = 3686400,
	    .test_base = 0x100000,
	    .test_size = 0x1000,
	    .bootargs = "console=ttyS0 quiet",
	};
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len = 0;
	const fdt32_t *v = node >= 0 ? fdt_getprop(fdt, node, name, &len) : NULL;

	return v && len == 4 ? fdt32_to_cpu(*v) : 0xdeadbeef;
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path);
	const char *v = node >= 0 ? fdt_getprop(fdt, node, name, NULL) : NULL;

	return v ? v : "";
}

/* Properties are only 4-byte aligned: read 64-bit cells bytewise. */
static uint64_t cell64(const void *p, unsigned i)
{
	fdt64_t v;

	memcpy(&v, (const char *)p + 8 * i, 8);
	return fdt64_to_cpu(v);
}

static int count_compatible(const void *fdt, const char *compat)
{
	int n = 0;

	for (int off = fdt_node_offset_by_compatible(fdt, -1, compat); off >= 0;
	     off = fdt_node_offset_by_compatible(fdt, off, compat))
		n++;
	return n;
}

/* Checks through libfdt. */
static void check_tree(const void *fdt, const struct fdt_riscv_config *c)
{
	char path[64];
	int len, node;
	const void *reg;

	CHECK_EQ(fdt_check_header(fdt), 0);
	CHECK_EQ(prop_u32(fdt, "/cpus", "timebase-frequency"), 10000000);
	for (unsigned i = 0; i < c->ncpus; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		CHECK_EQ(prop_u32(fdt, path, "reg"), i);
		CHECK(strcmp(prop_str(fdt, path, "riscv,isa"),
			     "rv64imafdc_zicsr_zifencei_zba_zbb_zbs_zicbom_zicboz_sstc_svpbmt") ==
		      0);
		CHECK(strcmp(prop_str(fdt, path, "mmu-type"), "riscv,sv57") == 0);
		CHECK(strcmp(prop_str(fdt, path, "status"), "okay") == 0);
		CHECK_EQ(prop_u32(fdt, path, "riscv,cbom-block-size"), 64);
		node = fdt_path_offset(fdt, path);
		CHECK_EQ(fdt_stringlist_count(fdt, node, "riscv,isa-extensions"), ARRAY_SIZE(exts));
		CHECK_EQ(fdt_stringlist_search(fdt, node, "riscv,isa-extensions", "sstc"), 13);
		snprintf(path, sizeof(path), "/cpus/cpu@%x/interrupt-controller", i);
		CHECK_EQ(prop_u32(fdt, path, "#interrupt-cells"), 1);
		CHECK(strcmp(prop_str(fdt, path, "compatible"), "riscv,cpu-intc") == 0);
		snprintf(path, sizeof(path), "/cpus/cpu-map/cluster0/core%u", i);
		CHECK(fdt_path_offset(fdt, path) >= 0);
	}
	snprintf(path, sizeof(path), "/cpus/cpu@%x", c->ncpus);
	CHECK(fdt_path_offset(fdt, path) < 0);

	/* PLIC contexts: <intc_N 11 intc_N 9> per hart, M before S. */
	node = fdt_path_offset(fdt, "/soc/plic@c000000");
	CHECK(node >= 0);
	const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);

	CHECK_EQ(len, (int)(c->ncpus * 16));
	for (unsigned i = 0; ie && i < c->ncpus; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x/interrupt-controller", i);
		uint32_t ph = fdt_get_phandle(fdt, fdt_path_offset(fdt, path));

		CHECK_EQ(fdt32_to_cpu(ie[4 * i]), ph);
		CHECK_EQ(fdt32_to_cpu(ie[4 * i + 1]), 11);
		CHECK_EQ(fdt32_to_cpu(ie[4 * i + 2]), ph);
		CHECK_EQ(fdt32_to_cpu(ie[4 * i + 3]), 9);
	}
	CHECK_EQ(prop_u32(fdt, "/soc/plic@c000000", "riscv,ndev"), 95);
	CHECK_EQ(count_compatible(fdt, "sifive,plic-1.0.0"), 1);
	CHECK_EQ(count_compatible(fdt, "ns16550a"), 1);
	CHECK_EQ(prop_u32(fdt, "/soc/serial@10000000", "interrupts"), 10);
	CHECK_EQ(prop_u32(fdt, "/soc/serial@10000000", "interrupt-parent"),
		 fdt_get_phandle(fdt, node));
	CHECK_EQ(count_compatible(fdt, "virtio,mmio"), c->nvirtio);
	CHECK_EQ(count_compatible(fdt, "sifive,clint0"), c->clint_size ? 1 : 0);
	CHECK_EQ(count_compatible(fdt, "google,goldfish-rtc"), c->rtc_size ? 1 : 0);
	if (c->rtc_size) {
		CHECK_EQ(prop_u32(fdt, "/soc/rtc@101000", "interrupts"), 11);
		CHECK_EQ(prop_u32(fdt, "/soc/rtc@101000", "interrupt-parent"),
			 fdt_get_phandle(fdt, node));
		reg = fdt_getprop(fdt, fdt_path_offset(fdt, "/soc/rtc@101000"), "reg", &len);
		CHECK(reg && len == 16 && cell64(reg, 0) == 0x101000 && cell64(reg, 1) == 0x1000);
	}

	/* Poweroff/reboot through the test device. */
	uint32_t test_ph = fdt_get_phandle(fdt, fdt_path_offset(fdt, "/soc/test@100000"));

	CHECK(test_ph != 0);
	CHECK_EQ(prop_u32(fdt, "/poweroff", "regmap"), test_ph);
	CHECK_EQ(prop_u32(fdt, "/poweroff", "value"), 0x5555);
	CHECK_EQ(prop_u32(fdt, "/reboot", "value"), 0x7777);

	/* memory and chosen */
	node = fdt_path_offset(fdt, "/memory@80000000");
	reg = fdt_getprop(fdt, node, "reg", &len);

	CHECK(reg && len == 16);
	if (reg && len == 16) {
		CHECK_EQ(cell64(reg, 0), 0x80000000);
		CHECK_EQ(cell64(reg, 1), 256 * MiB);
	}
	CHECK(strcmp(prop_str(fdt, "/chosen", "bootargs"), "console=ttyS0 quiet") == 0);
	CHECK(strcmp(prop_str(fdt, "/chosen", "stdout-path"), "/soc/serial@10000000") == 0);
	node = fdt_path_offset(fdt, "/chosen");
	const void *is = fdt_getprop(fdt, node, "linux,initrd-start", &len);

	if (c->initrd_end > c->initrd_start) {
		CHECK(is && len == 8);
		if (is)
			CHECK_EQ(cell64(is, 0), c->initrd_start);
		is = fdt_getprop(fdt, node, "linux,initrd-end", &len);
		CHECK(is && cell64(is, 0) == c->initrd_end);
	} else {
		CHECK(is == NULL);
	}
}

static int have_dtc(void)
{
	return system("dtc --version >/dev/null 2>&1") == 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/*
 * dtc 1.6 prints a string list from a dtb as "a\0b", later versions as
 * "a", "b": bring both to the first form.
 */
static void normalize_lists(char *dts)
{
	char *p;

	while (dts && (p = strstr(dts, "\", \"")) != NULL) {
		memcpy(p, "\\0", 2);
		memmove(p + 2, p + 4, strlen(p + 4) + 1);
	}
}

/* Decompile with dtc: exit 0, nothing on stderr, and the expected strings. */
static void check_dtc(const void *fdt, int size, const char *const *expect, unsigned nexpect)
{
	char dir[] = "/tmp/fdt_riscv_XXXXXX", cmd[512], in[128], out[128], err[128];
	char *dts, *msgs;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(in, sizeof(in), "%s/t.dtb", dir);
	snprintf(out, sizeof(out), "%s/t.dts", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	f = fopen(in, "wb");
	CHECK(f && fwrite(fdt, 1, (size_t)size, f) == (size_t)size);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>%s", out, in, err);
	CHECK_EQ(system(cmd), 0);
	msgs = read_all(err);
	dts = read_all(out);
	normalize_lists(dts);
	CHECK(msgs && msgs[0] == 0);
	if (msgs && msgs[0])
		fprintf(stderr, "dtc says:\n%s", msgs);
	for (unsigned i = 0; dts && i < nexpect; i++) {
		CHECK(strstr(dts, expect[i]) != NULL);
		if (!strstr(dts, expect[i]))
			fprintf(stderr, "missing in dts: %s\n", expect[i]);
	}
	CHECK(dts != NULL);
	free(msgs);
	free(dts);
	unlink(in);
	unlink(out);
	unlink(err);
	rmdir(dir);
}

static const char *const common_expect[] = {
    "riscv,isa = \"rv64imafdc_zicsr_zifencei_zba_zbb_zbs_zicbom_zicboz_sstc_svpbmt\"",
    "riscv,isa-base = \"rv64i\"",
    "riscv,isa-extensions = \"i\\0m\\0a\\0f\\0d\\0c\\0zicsr\\0zifencei",
    "mmu-type = \"riscv,sv57\"",
    "compatible = \"riscv,cpu-intc\"",
    "compatible = \"sifive,plic-1.0.0\\0riscv,plic0\"",
    "compatible = \"ns16550a\"",
    "compatible = \"sifive,test1\\0sifive,test0\\0syscon\"",
    "compatible = \"syscon-poweroff\"",
    "compatible = \"syscon-reboot\"",
    "timebase-frequency = <0x989680>",
    "bootargs = \"console=ttyS0 quiet\"",
    "stdout-path = \"/soc/serial@10000000\"",
    "device_type = \"memory\"",
    "riscv,cboz-block-size = <0x40>",
    "cpu-map",
};

struct variant {
	unsigned ncpus;
	int initrd, virtio, clint, rtc;
};

static void run_variant(const struct variant *v, int dtc)
{
	struct fdt_riscv_config c = base_cfg(v->ncpus);
	static uint8_t buf[FDT_RISCV_DEFAULT_SIZE];
	const char *extra[8];
	unsigned nextra = 0;
	int size;

	if (v->initrd) {
		c.initrd_start = 0x8f000000;
		c.initrd_end = 0x8f123456;
		extra[nextra++] = "linux,initrd-end = <0x00 0x8f123456>";
	}
	if (v->virtio) {
		c.virtio = virtio;
		c.nvirtio = ARRAY_SIZE(virtio);
		extra[nextra++] = "virtio_mmio@10002000";
	}
	if (v->clint) {
		c.clint_base = 0x2000000;
		c.clint_size = 0x10000;
		extra[nextra++] = "compatible = \"sifive,clint0\\0riscv,clint0\"";
	}
	if (v->rtc) {
		c.rtc_base = 0x101000;
		c.rtc_size = 0x1000;
		c.rtc_irq = 11;
		extra[nextra++] = "rtc@101000 {";
		extra[nextra++] = "compatible = \"google,goldfish-rtc\"";
		extra[nextra++] = "reg = <0x00 0x101000 0x00 0x1000>";
		extra[nextra++] = "interrupts = <0x0b>";
	}
	size = fdt_riscv_build(&c, buf, sizeof(buf));
	CHECK(size > 0 && size <= (int)sizeof(buf));
	if (size <= 0)
		return;
	check_tree(buf, &c);
	if (!dtc)
		return;
	check_dtc(buf, size, common_expect, ARRAY_SIZE(common_expect));
	check_dtc(buf, size, extra, nextra);
}

static void test_errors(void)
{
	struct fdt_riscv_config c = base_cfg(1);
	static const char *const bad_first[] = {"zicsr", "i"};
	uint8_t small[256];
	static uint8_t buf[FDT_RISCV_DEFAULT_SIZE];
	int size;

	CHECK_EQ(fdt_riscv_build(&c, small, sizeof(small)), -ENOSPC);
	/* The exact size fits; one byte less does not. */
	size = fdt_riscv_build(&c, buf, sizeof(buf));
	CHECK(size > 0);
	CHECK_EQ(fdt_riscv_build(&c, buf, (size_t)size), size);
	CHECK_EQ(fdt_riscv_build(&c, buf, (size_t)size - 1), -ENOSPC);

	c.ncpus = 0;
	CHECK_EQ(fdt_riscv_build(&c, buf, sizeof(buf)), -EINVAL);
	c.ncpus = FDT_RISCV_MAX_CPUS + 1;
	CHECK_EQ(fdt_riscv_build(&c, buf, sizeof(buf)), -EINVAL);
	c = base_cfg(1);
	c.mmu_type = NULL;
	CHECK_EQ(fdt_riscv_build(&c, buf, sizeof(buf)), -EINVAL);
	c = base_cfg(1);
	c.extensions = bad_first;
	c.nextensions = 2;
	CHECK_EQ(fdt_riscv_build(&c, buf, sizeof(buf)), -EINVAL);
	c = base_cfg(1);
	c.initrd_start = 2;
	c.initrd_end = 1;
	CHECK_EQ(fdt_riscv_build(&c, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(fdt_riscv_build(NULL, buf, sizeof(buf)), -EINVAL);

	/* An explicit riscv,isa string wins over the generated one; max CPUs fit. */
	c = base_cfg(FDT_RISCV_MAX_CPUS);
	c.isa = "rv64imac";
	size = fdt_riscv_build(&c, buf, sizeof(buf));
	CHECK(size > 0);
	CHECK(strcmp(prop_str(buf, "/cpus/cpu@1f", "riscv,isa"), "rv64imac") == 0);
}

int main(void)
{
	static const struct variant variants[] = {
	    {1, 0, 0, 0, 0},
	    {1, 1, 1, 0, 1},
	    {4, 0, 0, 1, 0},
	    {4, 1, 1, 1, 1},
	};
	int dtc = have_dtc();

	test_errors();
	for (unsigned i = 0; i < ARRAY_SIZE(variants); i++)
		run_variant(&variants[i], dtc);
	if (!dtc)
		TEST_SKIP("dtc not installed (device-tree-compiler): libfdt checks passed");
	return test_result("fdt_riscv");
}
