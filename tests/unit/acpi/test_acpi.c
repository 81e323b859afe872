/*
 * ACPI tables: checksums, links between tables, FADT and MADT fields, DSDT
 * contents, and the refusals (too small a buffer, bad configuration).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "tests/unit/acpi/acpi_walk.h"

#define BUF_SIZE 65536

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void check_rsdp(const uint8_t *r, uint64_t xsdt_gpa)
{
	CHECK(memcmp(r, "RSD PTR ", 8) == 0);
	CHECK_EQ(sum8(r, 20), 0); /* ACPI 1.0 checksum */
	CHECK_EQ(sum8(r, 36), 0); /* extended checksum */
	CHECK_EQ(r[15], 2);
	CHECK_EQ(get32(r + 16), 0); /* no RSDT */
	CHECK_EQ(get32(r + 20), 36);
	CHECK_EQ(get64(r + 24), xsdt_gpa);
	CHECK(memcmp(r + 9, "VMM   ", 6) == 0);
}

static void check_header(const uint8_t *t, uint8_t rev)
{
	CHECK_EQ(sum8(t, get32(t + 4)), 0);
	CHECK_EQ(t[8], rev);
	CHECK(memcmp(t + 10, "VMM   ", 6) == 0);
}

/* An 8-bit System I/O register, byte access. */
static void check_gas_io8(const uint8_t *g, uint16_t port)
{
	CHECK_EQ(g[0], 1);
	CHECK_EQ(g[1], 8);
	CHECK_EQ(g[2], 0);
	CHECK_EQ(g[3], 1);
	CHECK_EQ(get64(g + 4), port);
}

static void check_fadt(const uint8_t *f, const struct acpi_config *c, uint64_t dsdt_gpa)
{
	uint32_t flags = get32(f + 112);

	CHECK_EQ(get32(f + 4), 276);
	check_header(f, 6);
	CHECK_EQ(f[131], 3);		   /* FADT minor version: ACPI 6.3 */
	CHECK(flags & (1u << 20));	   /* HW_REDUCED_ACPI */
	CHECK(flags & (1u << 10));	   /* RESET_REG_SUP */
	CHECK(flags & (1u << 4));	   /* no fixed power button */
	CHECK(!(flags & (1u << 8)));	   /* no PM timer, so no TMR_VAL_EXT */
	CHECK_EQ(get16(f + 109), 1u << 2); /* IAPC_BOOT_ARCH: VGA not present only */
	CHECK_EQ(get32(f + 36), 0);	   /* FIRMWARE_CTRL: no FACS */
	CHECK_EQ(get64(f + 132), 0);	   /* X_FIRMWARE_CTRL */
	/* SCI_INT through the last legacy PM block length are all zero. */
	for (unsigned i = 44; i < 108; i++)
		CHECK_EQ(f[i], 0);
	CHECK_EQ(f[108], c->rtc_century); /* CENTURY: CMOS index of the century byte */
	/* X_PM1a_EVT_BLK through X_GPE1_BLK: zero GAS structures. */
	for (unsigned i = 148; i < 244; i++)
		CHECK_EQ(f[i], 0);
	check_gas_io8(f + 116, c->reset_port);
	CHECK_EQ(f[128], c->reset_value);
	check_gas_io8(f + 244, c->sleep_ctl_port);
	check_gas_io8(f + 256, c->sleep_sts_port);
	CHECK_EQ(get64(f + 140), dsdt_gpa);
	CHECK_EQ(get32(f + 40), dsdt_gpa <= UINT32_MAX ? dsdt_gpa : 0);
	CHECK(memcmp(f + 268, "VMM     ", 8) == 0);
}

static void check_madt(const uint8_t *m, const struct acpi_config *c)
{
	uint32_t len = get32(m + 4), off = 44;
	unsigned lapics = 0, ioapics = 0, isos = 0;

	check_header(m, 5);
	CHECK_EQ(get32(m + 36), c->lapic_addr);
	CHECK_EQ(get32(m + 40), 0);
	/* The entries tile the table exactly. */
	while (off + 2 <= len && m[off + 1] >= 2 && off + m[off + 1] <= len) {
		const uint8_t *e = m + off;

		switch (e[0]) {
		case 0:
			CHECK_EQ(e[1], 8);
			CHECK_EQ(e[2], lapics); /* processor UID */
			CHECK_EQ(e[3], lapics); /* APIC ID = index */
			CHECK_EQ(get32(e + 4), 1);
			lapics++;
			break;
		case 1:
			CHECK_EQ(e[1], 12);
			CHECK_EQ(e[2], c->ioapic_id);
			CHECK_EQ(get32(e + 4), c->ioapic_addr);
			CHECK_EQ(get32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			CHECK_EQ(e[1], 10);
			CHECK_EQ(e[2], 0);
			CHECK_EQ(e[3], 0);
			CHECK_EQ(get32(e + 4), 2);
			CHECK_EQ(get16(e + 8), 0x5); /* edge, active-high */
			isos++;
			break;
		case 4:
			CHECK_EQ(e[1], 6);
			CHECK_EQ(e[5], 1);
			break;
		default:
			CHECK(!"unexpected MADT entry");
		}
		off += e[1];
	}
	CHECK_EQ(off, len);
	CHECK_EQ(lapics, c->ncpus);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(isos, 1);
}

static void check_dsdt(const uint8_t *d, const struct acpi_config *c)
{
	static const uint8_t s5[] = {0x08, '_',	 'S',  '5',  '_',  0x12, 0x08,
				     0x04, 0x0A, 0x05, 0x0A, 0x05, 0x00, 0x00};
	static const uint8_t pnp0501[] = {0x0C, 0x41, 0xD0, 0x05, 0x01};
	static const uint8_t irq4[] = {0x22, 0x10, 0x00};
	uint32_t len = get32(d + 4);

	check_header(d, 2);
	CHECK_EQ(count_bytes(d, len, "LNRO0005", 9), c->n_virtio);
	CHECK_EQ(count_bytes(d, len, s5, sizeof(s5)), 1);
	CHECK_EQ(count_bytes(d, len, pnp0501, sizeof(pnp0501)), 1);
	CHECK_EQ(count_bytes(d, len, irq4, sizeof(irq4)), 1);
	CHECK_EQ(count_bytes(d, len, "PNP0C0C", 7), 0);
	CHECK_EQ(d[36], 0x10); /* the body starts with Scope(_SB) */
	for (unsigned i = 0; i < c->n_virtio; i++) {
		/* Memory32Fixed(ReadWrite, base, size) then Interrupt(level|edge, high){gsi}. */
		uint8_t res[21] = {0x86, 0x09, 0x00, 0x01, [12] = 0x89, 0x06, 0x00, 0x01, 0x01};

		if (c->virtio[i].edge)
			res[15] |= 0x02; /* ACPI §6.4.3.6: flags bit 1 = edge-triggered */
		put32(res + 4, (uint32_t)c->virtio[i].base);
		put32(res + 8, c->virtio[i].size);
		put32(res + 17, c->virtio[i].gsi);
		CHECK_EQ(count_bytes(d, len, res, sizeof(res)), 1);
	}
}

static void test_build(unsigned ncpus, unsigned nvirtio, uint64_t gpa)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c = test_config(ncpus, nvirtio);
	struct acpi_tables t;
	int n;

	memset(buf, 0xA5, sizeof(buf));
	n = acpi_build(&c, buf, sizeof(buf), gpa);
	CHECK(n > 0 && n < BUF_SIZE);
	if (n <= 0)
		return;
	for (int i = n; i < BUF_SIZE; i++) {
		if (buf[i] != 0xA5) {
			CHECK(!"acpi_build wrote past the size it returned");
			break;
		}
	}
	CHECK(acpi_walk(buf, (size_t)n, gpa, &t));
	if (!t.dsdt)
		return;
	check_rsdp(t.rsdp, gpa + (uint64_t)(t.xsdt - buf));
	check_header(t.xsdt, 1);
	CHECK_EQ(get32(t.xsdt + 4), 36 + 2 * 8);
	check_fadt(t.fadt, &c, gpa + (uint64_t)(t.dsdt - buf));
	check_madt(t.madt, &c);
	check_dsdt(t.dsdt, &c);
	/* Tables are 8-byte aligned in guest memory. */
	CHECK_EQ((gpa + (uint64_t)(t.xsdt - buf)) % 8, 0);
	CHECK_EQ((gpa + (uint64_t)(t.fadt - buf)) % 8, 0);
	CHECK_EQ((gpa + (uint64_t)(t.madt - buf)) % 8, 0);
	CHECK_EQ((gpa + (uint64_t)(t.dsdt - buf)) % 8, 0);
	/* The DSDT is the last table: it ends where the used size does. */
	CHECK_EQ((size_t)(t.dsdt - buf) + get32(t.dsdt + 4), (size_t)n);
}

/* Same input, same bytes: the tables are a pure function of the config. */
static void test_deterministic(void)
{
	static uint8_t a[BUF_SIZE], b[BUF_SIZE];
	struct acpi_config c = test_config(2, 3);
	int na, nb;

	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	na = acpi_build(&c, a, sizeof(a), 0xE0000);
	nb = acpi_build(&c, b, sizeof(b), 0xE0000);
	CHECK(na > 0);
	CHECK_EQ(na, nb);
	CHECK(na > 0 && memcmp(a, b, (size_t)na) == 0);
}

/*
 * Every buffer shorter than needed gets -ENOSPC, and nothing is written past
 * its end (each try gets a heap block of exactly that size, for ASan).
 */
static void test_too_small(void)
{
	static uint8_t full[BUF_SIZE];
	struct acpi_config c = test_config(8, 3);
	int need = acpi_build(&c, full, sizeof(full), 0xE0000);
	unsigned bad = 0;

	CHECK(need > 0);
	for (int len = 0; len < need; len++) {
		uint8_t *p = malloc((size_t)len + 1);

		if (!p)
			continue;
		if (acpi_build(&c, p, (size_t)len, 0xE0000) != -ENOSPC)
			bad++;
		free(p);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(acpi_build(&c, full, (size_t)need, 0xE0000), need);
}

static void test_bad_config(void)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_virtio_mmio v[1] = {{.base = 0xD0000000, .size = 0x1000, .gsi = 16}};
	struct acpi_config c;

	c = test_config(1, 0);
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0008), -EINVAL); /* RSDP alignment */
	c.ncpus = 0;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	c.ncpus = 256;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	c.ncpus = 255;
	CHECK(acpi_build(&c, buf, sizeof(buf), 0xE0000) > 0);

	c = test_config(1, 0);
	c.uart_irq = 16;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	c = test_config(1, 0);
	c.sleep_ctl_port = 0;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	c = test_config(1, 0);
	c.n_virtio = 1; /* with virtio == NULL */
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);

	c = test_config(1, 0);
	c.virtio = v;
	c.n_virtio = 1;
	v[0].base = 0x100000000ULL;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	v[0].base = 0xFFFFF000;
	v[0].size = 0x2000; /* crosses 4 GiB */
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	v[0].size = 0x1000; /* ends exactly at 4 GiB */
	CHECK(acpi_build(&c, buf, sizeof(buf), 0xE0000) > 0);
	v[0].size = 0;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
	c.n_virtio = 4097;
	CHECK_EQ(acpi_build(&c, buf, sizeof(buf), 0xE0000), -EINVAL);
}

/* No UART: no COM1 device, the rest unchanged. */
static void test_no_uart(void)
{
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c = test_config(1, 3);
	struct acpi_tables t;
	int n;

	c.uart_port = 0;
	n = acpi_build(&c, buf, sizeof(buf), 0xE0000);
	CHECK(n > 0);
	if (n <= 0 || !acpi_walk(buf, (size_t)n, 0xE0000, &t)) {
		CHECK(!"tables unreadable");
		return;
	}
	CHECK_EQ(count_bytes(t.dsdt, get32(t.dsdt + 4), "COM1", 4), 0);
	CHECK_EQ(count_bytes(t.dsdt, get32(t.dsdt + 4), "LNRO0005", 9), 3);
}

/* Many transports: names V000.., PkgLengths past one byte on the _SB scope. */
static void test_many_virtio(void)
{
	static struct acpi_virtio_mmio v[300];
	static uint8_t buf[BUF_SIZE];
	struct acpi_config c = test_config(2, 0);
	struct acpi_tables t;
	int n;

	for (unsigned i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = (struct acpi_virtio_mmio){
		    .base = 0xC0000000 + 0x1000 * i, .size = 0x1000, .gsi = 16 + i % 8};
	c.virtio = v;
	c.n_virtio = ARRAY_SIZE(v);
	n = acpi_build(&c, buf, sizeof(buf), 0xE0000);
	CHECK(n > 0);
	if (n <= 0 || !acpi_walk(buf, (size_t)n, 0xE0000, &t)) {
		CHECK(!"tables unreadable");
		return;
	}
	CHECK_EQ(sum8(t.dsdt, get32(t.dsdt + 4)), 0);
	CHECK_EQ(count_bytes(t.dsdt, get32(t.dsdt + 4), "LNRO0005", 9), 300);
	CHECK_EQ(count_bytes(t.dsdt, get32(t.dsdt + 4), "V12B", 4), 1); /* 299 = 0x12B */
	CHECK_EQ(t.dsdt[37] >> 6, 2); /* _SB's PkgLength takes three bytes */
}

int main(void)
{
	static const unsigned cpus[] = {1, 2, 8};

	for (unsigned i = 0; i < ARRAY_SIZE(cpus); i++) {
		test_build(cpus[i], 0, 0xE0000);
		test_build(cpus[i], 3, 0xE0000);
	}
	/* Tables above 4 GiB: the 32-bit DSDT field stays zero. */
	test_build(2, 3, 0x100000000ULL);
	test_deterministic();
	test_too_small();
	test_bad_config();
	test_no_uart();
	test_many_virtio();
	return test_result("acpi_tables");
}
