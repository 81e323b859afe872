/*
 * ACPI tables for x86-64 guests. Section numbers are those of ACPI 6.4; the
 * tables claim ACPI 6.3 (FADT 6.3, MADT revision 5), which every table field
 * used here already has and which current ACPICA releases know.
 *
 * Layout in the buffer: RSDP, XSDT, FADT, MADT, DSDT, each 8-byte aligned.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "boot/acpi.h"
#include "boot/aml.h"

#define ACPI_OEM_ID	   "VMM   "   /* 6 bytes */
#define ACPI_OEM_TABLE_ID  "VMM     " /* 8 bytes */
#define ACPI_CREATOR_ID	   "VMM "     /* 4 bytes */
#define ACPI_HYPERVISOR_ID "VMM     " /* 8 bytes, FADT Hypervisor Vendor Identity */

/* §5.2.5.3 RSDP structure (revision 2). */
enum {
	RSDP_CHECKSUM = 8, /* over the first 20 bytes (the ACPI 1.0 part) */
	RSDP_OEMID = 9,
	RSDP_REVISION = 15,
	RSDP_RSDT = 16,
	RSDP_LENGTH = 20,
	RSDP_XSDT = 24,
	RSDP_EXT_CHECKSUM = 32, /* over the whole structure */
	RSDP_SIZE = 36,
	RSDP_V1_SIZE = 20,
};

/* §5.2.6 System Description Table header. */
enum {
	SDT_LENGTH = 4,
	SDT_REVISION = 8,
	SDT_CHECKSUM = 9,
	SDT_OEMID = 10,
	SDT_OEM_TABLE_ID = 16,
	SDT_OEM_REVISION = 24,
	SDT_CREATOR_ID = 28,
	SDT_CREATOR_REVISION = 32,
	SDT_HEADER_SIZE = 36,
};

/* §5.2.9 FADT field offsets (those not left zero). */
enum {
	FADT_DSDT = 40,
	FADT_CENTURY = 108,
	FADT_IAPC_BOOT_ARCH = 109,
	FADT_FLAGS = 112,
	FADT_RESET_REG = 116,
	FADT_RESET_VALUE = 128,
	FADT_MINOR_VERSION = 131,
	FADT_X_DSDT = 140,
	FADT_SLEEP_CONTROL_REG = 244,
	FADT_SLEEP_STATUS_REG = 256,
	FADT_HYPERVISOR_ID = 268,
	FADT_SIZE = 276,
};

/* §5.2.9.1 Fixed ACPI Description Table Fixed Feature Flags. */
#define FADT_F_WBINVD	       (1u << 0)
#define FADT_F_PROC_C1	       (1u << 2)
#define FADT_F_PWR_BUTTON      (1u << 4) /* set: no fixed-feature power button */
#define FADT_F_SLP_BUTTON      (1u << 5) /* set: no fixed-feature sleep button */
#define FADT_F_RESET_REG_SUP   (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)

/* §5.2.9.3 IA-PC Boot Architecture Flags. */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)

/* §5.2.3.2 Generic Address Structure. */
enum {
	GAS_SPACE_SYSTEM_IO = 1,
	GAS_ACCESS_BYTE = 1,
};

/* §5.2.12 MADT: header fields, then interrupt controller structures. */
enum {
	MADT_LAPIC_ADDR = 36,
	MADT_FLAGS = 40,
	MADT_ENTRIES = 44,
	MADT_TYPE_LAPIC = 0,	 /* §5.2.12.2 */
	MADT_TYPE_IOAPIC = 1,	 /* §5.2.12.3 */
	MADT_TYPE_ISO = 2,	 /* §5.2.12.5 Interrupt Source Override */
	MADT_TYPE_LAPIC_NMI = 4, /* §5.2.12.7 */
	MADT_LAPIC_SIZE = 8,
	MADT_IOAPIC_SIZE = 12,
	MADT_ISO_SIZE = 10,
	MADT_LAPIC_NMI_SIZE = 6,
	MADT_LAPIC_ENABLED = 1,
};

/* MPS INTI flags (§5.2.12.5): polarity in bits 1:0, trigger mode in bits 3:2. */
#define MPS_INTI_ACTIVE_HIGH 0x1
#define MPS_INTI_EDGE	     (0x1 << 2)

#define FADT_REVISION 6
#define FADT_MINOR    3
#define MADT_REVISION 5
#define XSDT_REVISION 1
#define DSDT_REVISION 2 /* 2: AML integers are 64 bits wide (§5.2.11.1) */

STATIC_ASSERT(FADT_SLEEP_STATUS_REG + 12 == FADT_HYPERVISOR_ID);
STATIC_ASSERT(FADT_HYPERVISOR_ID + 8 == FADT_SIZE);
STATIC_ASSERT(FADT_RESET_REG + 12 == FADT_RESET_VALUE);

/* XSDT entries: FADT and MADT (the DSDT is reached through the FADT). */
#define XSDT_ENTRIES 2

/* Virtio device names are "V" and three hex digits. */
#define ACPI_MAX_VIRTIO 4096

struct acpi_out {
	uint8_t *buf;
	size_t len;
	size_t off;
};

static void acpi_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void acpi_put32(uint8_t *p, uint32_t v)
{
	acpi_put16(p, (uint16_t)v);
	acpi_put16(p + 2, (uint16_t)(v >> 16));
}

static void acpi_put64(uint8_t *p, uint64_t v)
{
	acpi_put32(p, (uint32_t)v);
	acpi_put32(p + 4, (uint32_t)(v >> 32));
}

/* The byte that makes @n bytes at @p sum to zero, given @p[at] is zero. */
static void acpi_checksum(uint8_t *p, size_t n, size_t at)
{
	uint8_t sum = 0;

	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)-sum;
}

/* Claim @size zeroed bytes, 8-byte aligned; *at receives their offset. */
static int acpi_reserve(struct acpi_out *o, size_t size, size_t *at)
{
	size_t start = ALIGN_UP(o->off, (size_t)8);

	if (start > o->len || size > o->len - start)
		return -ENOSPC;
	memset(o->buf + o->off, 0, start + size - o->off);
	*at = start;
	o->off = start + size;
	return 0;
}

static void acpi_sdt_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	acpi_put32(t + SDT_LENGTH, len);
	t[SDT_REVISION] = rev;
	memcpy(t + SDT_OEMID, ACPI_OEM_ID, 6);
	memcpy(t + SDT_OEM_TABLE_ID, ACPI_OEM_TABLE_ID, 8);
	acpi_put32(t + SDT_OEM_REVISION, 1);
	memcpy(t + SDT_CREATOR_ID, ACPI_CREATOR_ID, 4);
	acpi_put32(t + SDT_CREATOR_REVISION, 1);
}

static void acpi_sdt_finish(uint8_t *t)
{
	uint32_t len =
	    (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;

	acpi_checksum(t, len, SDT_CHECKSUM);
}

/*
 * An 8-bit register in System I/O space, byte access (§5.2.3.2). The sleep
 * registers must be 8 bits wide (§4.8.3.7), the reset register 8 bits at
 * offset 0 (§4.8.3.6).
 */
static void acpi_gas_io8(uint8_t *p, uint16_t port)
{
	p[0] = GAS_SPACE_SYSTEM_IO;
	p[1] = 8; /* register bit width */
	p[2] = 0; /* register bit offset */
	p[3] = GAS_ACCESS_BYTE;
	acpi_put64(p + 4, port);
}

/* DSDT: COM1, a 16550-compatible ISA serial port (PNP0501). */
static void acpi_dsdt_uart(const struct acpi_config *cfg, struct aml *a)
{
	uint8_t rtbuf[16];
	struct aml rt;
	size_t dev;

	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_res_io(&rt, cfg->uart_port, cfg->uart_port, 1, 8);
	aml_res_irq_noflags(&rt, cfg->uart_irq);
	aml_res_end(&rt);
	if (rt.err)
		a->err = a->err ? a->err : rt.err;

	dev = aml_device_open(a, "COM1");
	aml_name(a, "_HID");
	aml_eisaid_integer(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_buffer(a, rtbuf, rt.len);
	aml_close(a, dev);
}

/*
 * DSDT: one virtio-mmio transport. Linux's virtio_mmio driver binds to
 * LNRO0005 and takes the registers and interrupt from _CRS. The interrupt is
 * active-high and either level-triggered (the line stands for
 * "InterruptStatus is non-zero" until the driver writes InterruptACK,
 * virtio 1.2 §4.2.2) or edge-triggered (one pulse per new interrupt).
 */
static void acpi_dsdt_virtio(struct aml *a, unsigned idx, const struct acpi_virtio_mmio *v)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[5] = {'V', hex[(idx >> 8) & 0xF], hex[(idx >> 4) & 0xF], hex[idx & 0xF], 0};
	uint8_t rtbuf[32];
	struct aml rt;
	size_t dev;

	aml_init(&rt, rtbuf, sizeof(rtbuf));
	aml_res_mem32_fixed(&rt, true, (uint32_t)v->base, v->size);
	aml_res_interrupt(&rt, AML_IRQ_CONSUMER | (v->edge ? AML_IRQ_EDGE : 0), v->gsi);
	aml_res_end(&rt);
	if (rt.err)
		a->err = a->err ? a->err : rt.err;

	dev = aml_device_open(a, name);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, idx);
	aml_name(a, "_CRS");
	aml_buffer(a, rtbuf, rt.len);
	aml_close(a, dev);
}

/*
 * \_S5: Package {SLP_TYPa, SLP_TYPb, reserved, reserved} (§7.4.2). In
 * hardware-reduced mode OSPM writes SLP_TYPa to the sleep control register.
 */
static void acpi_dsdt_s5(struct aml *a)
{
	size_t pkg;

	aml_name(a, "_S5");
	pkg = aml_package_open(a, 4);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_close(a, pkg);
}

/*
 * The DSDT: \_SB holding the UART and the virtio-mmio transports, then \_S5.
 *
 * No power button device (PNP0C0C): in hardware-reduced mode a button event
 * reaches OSPM only through a Generic Event Device (ACPI0013, §5.6.9) whose
 * _EVT method notifies the button; there is no GED yet, so a button would
 * never fire. The guest powers itself off through _S5.
 */
static int acpi_dsdt(const struct acpi_config *cfg, struct acpi_out *o, size_t *at)
{
	struct aml a;
	size_t hdr, sb;
	int n;

	if (acpi_reserve(o, SDT_HEADER_SIZE, &hdr) < 0)
		return -ENOSPC;
	aml_init(&a, o->buf + o->off, o->len - o->off);
	/* At the root "_SB" names \_SB; iasl emits this shorter form too. */
	sb = aml_scope_open(&a, "_SB");
	if (cfg->uart_port)
		acpi_dsdt_uart(cfg, &a);
	for (unsigned i = 0; i < cfg->n_virtio; i++)
		acpi_dsdt_virtio(&a, i, &cfg->virtio[i]);
	aml_close(&a, sb);
	acpi_dsdt_s5(&a);
	n = aml_finish(&a);
	if (n < 0)
		return n;
	o->off += (size_t)n;
	acpi_sdt_header(o->buf + hdr, "DSDT", (uint32_t)(SDT_HEADER_SIZE + n), DSDT_REVISION);
	acpi_sdt_finish(o->buf + hdr);
	*at = hdr;
	return 0;
}

static void acpi_madt_lapic(uint8_t *p, uint8_t id)
{
	p[0] = MADT_TYPE_LAPIC;
	p[1] = MADT_LAPIC_SIZE;
	p[2] = id; /* ACPI Processor UID */
	p[3] = id; /* APIC ID */
	acpi_put32(p + 4, MADT_LAPIC_ENABLED);
}

static void acpi_madt_ioapic(uint8_t *p, const struct acpi_config *cfg)
{
	p[0] = MADT_TYPE_IOAPIC;
	p[1] = MADT_IOAPIC_SIZE;
	p[2] = cfg->ioapic_id;
	acpi_put32(p + 4, cfg->ioapic_addr);
	acpi_put32(p + 8, 0); /* GSI base: its inputs are GSIs 0..n-1 */
}

/*
 * MADT. The PCAT_COMPAT flag stays clear: a hardware-reduced guest gets no
 * 8259 pair to mask (Linux uses no legacy PIC in that mode).
 *
 * Interrupt Source Overrides: ISA IRQ 0 (the PIT) arrives on I/O APIC input
 * 2, as on PC hardware; edge, active-high. There is no override for IRQ 9:
 * that one describes the SCI, and a hardware-reduced platform has no SCI
 * (§4.1). The other ISA IRQs map 1:1, edge, active-high by default.
 */
static int acpi_madt(const struct acpi_config *cfg, struct acpi_out *o, size_t *at)
{
	size_t size = MADT_ENTRIES + cfg->ncpus * MADT_LAPIC_SIZE + MADT_IOAPIC_SIZE +
		      MADT_ISO_SIZE + MADT_LAPIC_NMI_SIZE;
	uint8_t *t, *p;

	if (acpi_reserve(o, size, at) < 0)
		return -ENOSPC;
	t = o->buf + *at;
	acpi_sdt_header(t, "APIC", (uint32_t)size, MADT_REVISION);
	acpi_put32(t + MADT_LAPIC_ADDR, cfg->lapic_addr);
	acpi_put32(t + MADT_FLAGS, 0);
	p = t + MADT_ENTRIES;
	for (unsigned i = 0; i < cfg->ncpus; i++, p += MADT_LAPIC_SIZE)
		acpi_madt_lapic(p, (uint8_t)i);
	acpi_madt_ioapic(p, cfg);
	p += MADT_IOAPIC_SIZE;

	p[0] = MADT_TYPE_ISO;
	p[1] = MADT_ISO_SIZE;
	p[2] = 0; /* bus: ISA */
	p[3] = 0; /* source: IRQ 0 */
	acpi_put32(p + 4, 2);
	acpi_put16(p + 8, MPS_INTI_ACTIVE_HIGH | MPS_INTI_EDGE);
	p += MADT_ISO_SIZE;

	/* LINT1 of every processor (UID 0xFF) is the NMI input, as on PCs. */
	p[0] = MADT_TYPE_LAPIC_NMI;
	p[1] = MADT_LAPIC_NMI_SIZE;
	p[2] = 0xFF;
	acpi_put16(p + 3, 0); /* flags: conforms to the bus */
	p[5] = 1;	      /* LINT1 */

	acpi_sdt_finish(t);
	return 0;
}

/*
 * FADT, hardware-reduced: every PM1/PM2/GPE/PM timer block, SCI_INT, SMI_CMD
 * and FIRMWARE_CTRL stay zero: there is no FACS, which is optional when
 * HW_REDUCED_ACPI is set (§5.2.10). PWR_BUTTON and SLP_BUTTON are set to say
 * there are no fixed-feature buttons.
 *
 * IAPC_BOOT_ARCH: only "VGA Not Present". The 8042 flag stays clear: the
 * i8042 is there only as a fallback reset path, RESET_REG already resets,
 * and with the flag clear Linux skips probing a keyboard controller that has
 * no keyboard. "MSI Not Supported" stays clear, so a PCI transport can use
 * MSI-X; CMOS RTC and legacy-devices flags say the defaults of a PC.
 */
static void acpi_fadt(const struct acpi_config *cfg, uint8_t *t, uint64_t dsdt_gpa)
{
	uint32_t flags = FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON |
			 FADT_F_RESET_REG_SUP | FADT_F_HW_REDUCED_ACPI;

	acpi_sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	/* The 32-bit DSDT field too where it fits, equal to X_DSDT (§5.2.9). */
	if (dsdt_gpa <= UINT32_MAX)
		acpi_put32(t + FADT_DSDT, (uint32_t)dsdt_gpa);
	/* The CMOS index of the RTC's century byte, so the OS need not guess it. */
	t[FADT_CENTURY] = cfg->rtc_century;
	acpi_put16(t + FADT_IAPC_BOOT_ARCH, FADT_BOOT_VGA_NOT_PRESENT);
	acpi_put32(t + FADT_FLAGS, flags);
	acpi_gas_io8(t + FADT_RESET_REG, cfg->reset_port);
	t[FADT_RESET_VALUE] = cfg->reset_value;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	acpi_put64(t + FADT_X_DSDT, dsdt_gpa);
	acpi_gas_io8(t + FADT_SLEEP_CONTROL_REG, cfg->sleep_ctl_port);
	acpi_gas_io8(t + FADT_SLEEP_STATUS_REG, cfg->sleep_sts_port);
	memcpy(t + FADT_HYPERVISOR_ID, ACPI_HYPERVISOR_ID, 8);
	acpi_sdt_finish(t);
}

static void acpi_xsdt(uint8_t *t, const uint64_t *entries, unsigned n)
{
	uint32_t size = SDT_HEADER_SIZE + 8 * n;

	acpi_sdt_header(t, "XSDT", size, XSDT_REVISION);
	for (unsigned i = 0; i < n; i++)
		acpi_put64(t + SDT_HEADER_SIZE + 8 * i, entries[i]);
	acpi_sdt_finish(t);
}

/* RSDP revision 2 without an RSDT: OSPM uses the XSDT (§5.2.5.3). */
static void acpi_rsdp(uint8_t *p, uint64_t xsdt_gpa)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + RSDP_OEMID, ACPI_OEM_ID, 6);
	p[RSDP_REVISION] = 2;
	acpi_put32(p + RSDP_RSDT, 0);
	acpi_put32(p + RSDP_LENGTH, RSDP_SIZE);
	acpi_put64(p + RSDP_XSDT, xsdt_gpa);
	acpi_checksum(p, RSDP_V1_SIZE, RSDP_CHECKSUM);
	acpi_checksum(p, RSDP_SIZE, RSDP_EXT_CHECKSUM);
}

static int acpi_check_config(const struct acpi_config *cfg, uint64_t gpa)
{
	if (gpa & 15)
		return -EINVAL;
	/* xAPIC IDs are 8 bits and 0xFF is the broadcast ID. */
	if (cfg->ncpus == 0 || cfg->ncpus > 255)
		return -EINVAL;
	if (!cfg->sleep_ctl_port || !cfg->sleep_sts_port || !cfg->reset_port)
		return -EINVAL;
	if (cfg->n_virtio > ACPI_MAX_VIRTIO || (cfg->n_virtio && !cfg->virtio))
		return -EINVAL;
	for (unsigned i = 0; i < cfg->n_virtio; i++) {
		const struct acpi_virtio_mmio *v = &cfg->virtio[i];

		/* Memory32Fixed: the whole window must lie below 4 GiB. */
		if (v->size == 0 || v->base > UINT32_MAX || v->size > UINT32_MAX - v->base + 1)
			return -EINVAL;
	}
	return 0;
}

int acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t len, uint64_t gpa)
{
	struct acpi_out o = {.buf = buf, .len = MIN(len, (size_t)INT_MAX)};
	size_t rsdp, xsdt, fadt, madt, dsdt;
	uint64_t entries[XSDT_ENTRIES];
	int err;

	err = acpi_check_config(cfg, gpa);
	if (err)
		return err;
	/* The DSDT goes last; the FADT, which points at it, is filled after. */
	if (acpi_reserve(&o, RSDP_SIZE, &rsdp) < 0 ||
	    acpi_reserve(&o, SDT_HEADER_SIZE + 8 * XSDT_ENTRIES, &xsdt) < 0 ||
	    acpi_reserve(&o, FADT_SIZE, &fadt) < 0)
		return -ENOSPC;
	err = acpi_madt(cfg, &o, &madt);
	if (!err)
		err = acpi_dsdt(cfg, &o, &dsdt);
	if (err)
		return err;

	acpi_fadt(cfg, buf + fadt, gpa + dsdt);
	entries[0] = gpa + fadt;
	entries[1] = gpa + madt;
	acpi_xsdt(buf + xsdt, entries, XSDT_ENTRIES);
	acpi_rsdp(buf + rsdp, gpa + xsdt);
	return (int)o.off;
}
