/*
 * Test helpers: read the tables acpi_build() wrote, the way a guest would,
 * starting from the RSDP. Every pointer is checked to stay inside the buffer.
 */
#ifndef VMM_TESTS_UNIT_ACPI_WALK_H
#define VMM_TESTS_UNIT_ACPI_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot/acpi.h"

struct acpi_tables {
	const uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
};

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/*
 * The table at guest address @addr if it lies in buf[0..used), carries @sig
 * and fits; NULL otherwise.
 */
static inline const uint8_t *table_at(const uint8_t *buf, size_t used, uint64_t gpa, uint64_t addr,
				      const char *sig)
{
	const uint8_t *t;

	if (addr < gpa || addr - gpa > used || used - (addr - gpa) < 36)
		return NULL;
	t = buf + (addr - gpa);
	if (memcmp(t, sig, 4) != 0 || get32(t + 4) < 36 || get32(t + 4) > used - (addr - gpa))
		return NULL;
	return t;
}

/* Follow RSDP -> XSDT -> FADT/MADT, FADT -> DSDT. False if any link is bad. */
static inline bool acpi_walk(const uint8_t *buf, size_t used, uint64_t gpa, struct acpi_tables *t)
{
	uint32_t n;

	memset(t, 0, sizeof(*t));
	if (used < 36 || memcmp(buf, "RSD PTR ", 8) != 0)
		return false;
	t->rsdp = buf;
	t->xsdt = table_at(buf, used, gpa, get64(buf + 24), "XSDT");
	if (!t->xsdt)
		return false;
	n = (get32(t->xsdt + 4) - 36) / 8;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t a = get64(t->xsdt + 36 + 8 * i);

		if (table_at(buf, used, gpa, a, "FACP"))
			t->fadt = table_at(buf, used, gpa, a, "FACP");
		else if (table_at(buf, used, gpa, a, "APIC"))
			t->madt = table_at(buf, used, gpa, a, "APIC");
		else
			return false;
	}
	if (!t->fadt || !t->madt)
		return false;
	t->dsdt = table_at(buf, used, gpa, get64(t->fadt + 140), "DSDT");
	return t->dsdt != NULL;
}

/* Times @needle occurs in @hay[0..n). */
static inline unsigned count_bytes(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	unsigned c = 0;

	for (size_t i = 0; m <= n && i <= n - m; i++)
		c += memcmp(hay + i, needle, m) == 0;
	return c;
}

/* The configurations every test builds: 1, 2, 8 vCPUs, 0 or 3 transports. */
static const struct acpi_virtio_mmio test_virtio[3] = {
    {.base = 0xD0000000, .size = 0x1000, .gsi = 16},
    {.base = 0xD0001000, .size = 0x1000, .gsi = 17, .edge = true},
    {.base = 0xD0002000, .size = 0x200, .gsi = 18},
};

/* How many of @c's virtio transports are described as edge-triggered. */
static inline unsigned virtio_edges(const struct acpi_config *c)
{
	unsigned i, n = 0;

	for (i = 0; i < c->n_virtio; i++)
		n += c->virtio[i].edge;
	return n;
}

static inline struct acpi_config test_config(unsigned ncpus, unsigned nvirtio)
{
	struct acpi_config c = {
	    .ncpus = ncpus,
	    .lapic_addr = 0xFEE00000,
	    .ioapic_addr = 0xFEC00000,
	    .ioapic_id = (uint8_t)ncpus,
	    .sleep_ctl_port = 0x600,
	    .sleep_sts_port = 0x601,
	    .reset_port = 0x602,
	    .reset_value = 0x01,
	    .uart_port = 0x3F8,
	    .uart_irq = 4,
	    .rtc_century = 0x32,
	    .virtio = nvirtio ? test_virtio : NULL,
	    .n_virtio = nvirtio,
	};
	return c;
}

#endif
