/*
 * The hardware-reduced ACPI sleep and reset registers (ACPI 6.x §4.8.3.7,
 * §4.8.3.8, §4.8.3.6), three byte-wide PIO registers at 0x600..0x602 that
 * the FADT points at (SLEEP_CONTROL_REG, SLEEP_STATUS_REG, RESET_REG). The
 * DSDT's \_S5 package must give ACPI_PM_SLP_TYP_S5 so that "poweroff" in the
 * guest lands here.
 */
#ifndef VMM_HW_ACPI_PM_H
#define VMM_HW_ACPI_PM_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/vmstop.h"
#include "memory/io_bus.h"

#define ACPI_PM_PORT 0x600
#define ACPI_PM_LEN  3
/* Offsets from ACPI_PM_PORT. */
#define ACPI_PM_SLEEP_CONTROL 0
#define ACPI_PM_SLEEP_STATUS  1
#define ACPI_PM_RESET	      2

/* SLEEP_CONTROL_REG fields (ACPI 6.x §4.8.3.7). */
#define ACPI_PM_SLP_TYP_SHIFT 2
#define ACPI_PM_SLP_TYP_MASK  (7u << ACPI_PM_SLP_TYP_SHIFT)
#define ACPI_PM_SLP_EN	      (1u << 5)
/* SLEEP_STATUS_REG (ACPI 6.x §4.8.3.8). */
#define ACPI_PM_WAK_STS (1u << 7)

/* The values this machine's tables advertise. */
#define ACPI_PM_SLP_TYP_S5  5
#define ACPI_PM_RESET_VALUE 0x01

struct acpi_pm_counters {
	_Atomic uint64_t bad_access;  /* size != 1 or offset out of range */
	_Atomic uint64_t unsupported; /* sleep types other than S5 */
	_Atomic uint64_t bad_reset;   /* RESET_REG writes of another value */
};

struct acpi_pm;

/* @stop is copied. Returns NULL on ENOMEM. */
struct acpi_pm *acpi_pm_create(const struct vm_stop *stop);
void acpi_pm_destroy(struct acpi_pm *pm);
const struct acpi_pm_counters *acpi_pm_counters(const struct acpi_pm *pm);

/* Register at ACPI_PM_PORT, length ACPI_PM_LEN. */
extern const struct io_dev_ops acpi_pm_io_ops;

#endif
