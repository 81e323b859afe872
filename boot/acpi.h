/*
 * ACPI tables for an x86-64 guest, built as a pure function over a buffer:
 * RSDP (revision 2), XSDT, FADT (ACPI 6.3, hardware-reduced), MADT and a
 * DSDT in AML listing the UART and the virtio-mmio transports.
 *
 * Hardware-reduced ACPI (ACPI 6.4 §4.1) means no PM1/GPE blocks, no SCI and
 * no FACS: power-off is the _S5 SLP_TYP written to the sleep control
 * register, reboot is RESET_VALUE written to the reset register.
 */
#ifndef VMM_BOOT_ACPI_H
#define VMM_BOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

struct acpi_virtio_mmio {
	uint64_t base; /* below 4 GiB: described with Memory32Fixed */
	uint32_t size;
	/*
	 * I/O APIC input, active-high. Level-triggered unless @edge: then the
	 * machine must keep the line asserted until InterruptACK clears
	 * InterruptStatus (under KVM: KVM_IRQ_LINE, or an irqfd with
	 * KVM_IRQFD_FLAG_RESAMPLE), as a pulse on a level input is lost while
	 * the previous one is in service. With @edge, every new interrupt is a
	 * pulse (a plain irqfd write); the I/O APIC latches a pulse that comes
	 * while the previous one is in service, and Linux's handler reads and
	 * acknowledges InterruptStatus, so none is lost.
	 */
	uint32_t gsi;
	bool edge;
};

struct acpi_config {
	unsigned ncpus;		 /* 1..255; vCPU i has APIC ID i */
	uint32_t lapic_addr;	 /* 0xFEE00000 */
	uint32_t ioapic_addr;	 /* 0xFEC00000 */
	uint8_t ioapic_id;	 /* = ncpus */
	uint16_t sleep_ctl_port; /* 0x600 */
	uint16_t sleep_sts_port; /* 0x601 */
	uint16_t reset_port;	 /* 0x602 */
	uint8_t reset_value;	 /* 0x01 */
	uint16_t uart_port;	 /* 0x3F8; 0 = no UART in the DSDT */
	uint8_t uart_irq;	 /* 4 (ISA IRQ, 0-15) */
	uint8_t rtc_century;	 /* CMOS index of the RTC century byte (0x32); 0 = none */
	const struct acpi_virtio_mmio *virtio;
	unsigned n_virtio; /* at most 4096 (device names V000-VFFF) */
};

/*
 * The SLP_TYP value _S5 carries; the guest writes it to bits 4:2 of the sleep
 * control register together with SLP_EN (bit 5) to power off (§4.8.3.7).
 */
#define ACPI_S5_SLP_TYP 5

/*
 * Build every table into @buf, which the guest will see at physical address
 * @gpa; the RSDP is at offset 0, so @gpa must be 16-byte aligned (§5.2.5.1).
 * A guest without boot_params.acpi_rsdp_addr finds the RSDP only by scanning
 * 0xE0000-0xFFFFF. Returns the bytes used, -ENOSPC when @len is too small,
 * or -EINVAL for a configuration the tables cannot describe.
 */
int acpi_build(const struct acpi_config *cfg, uint8_t *buf, size_t len, uint64_t gpa) must_check;

#endif
