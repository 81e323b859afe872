/*
 * Hardware-reduced ACPI sleep/reset registers. A guest "poweroff" writes
 * SLP_TYP = \_S5 with SLP_EN to SLEEP_CONTROL_REG (ACPI 6.4 §16, "Waking
 * and Sleeping": on HW-reduced platforms these registers replace PM1
 * control); "reboot" writes the FADT's reset value to RESET_REG (§4.8.3.6).
 *
 * There is no sleep state but S5 (and S0): other sleep types are refused,
 * and WAK_STS is never set because the guest never wakes from a sleep.
 */
#include "hw/acpi_pm.h"

#include <stdlib.h>

#include "common/log.h"

struct acpi_pm {
	struct vm_stop stop;
	/* The only state; one byte each, so atomics need no lock. */
	_Atomic uint8_t slp_typ;
	_Atomic uint8_t sleep_status;
	struct acpi_pm_counters ctr;
};

struct acpi_pm *acpi_pm_create(const struct vm_stop *stop)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));

	if (!pm)
		return NULL;
	if (stop)
		pm->stop = *stop;
	return pm;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	free(pm);
}

const struct acpi_pm_counters *acpi_pm_counters(const struct acpi_pm *pm)
{
	return &pm->ctr;
}

static void acpi_pm_write_control(struct acpi_pm *pm, uint8_t v)
{
	/* guest-controlled: reserved bits 0-1 and 6-7 are ignored */
	unsigned typ = (v & ACPI_PM_SLP_TYP_MASK) >> ACPI_PM_SLP_TYP_SHIFT;

	atomic_store(&pm->slp_typ, (uint8_t)typ);
	if (!(v & ACPI_PM_SLP_EN))
		return;
	if (typ != ACPI_PM_SLP_TYP_S5) {
		guest_err(&pm->ctr.unsupported, "acpi_pm: sleep type %u not supported, ignored",
			  typ);
		return;
	}
	log_info("acpi_pm: guest entered S5, powering off");
	vm_stop_request(&pm->stop, VM_STOP_POWEROFF, 0);
}

static void acpi_pm_write_reset(struct acpi_pm *pm, uint8_t v)
{
	/* guest-controlled */
	if (v != ACPI_PM_RESET_VALUE) {
		guest_err(&pm->ctr.bad_reset, "acpi_pm: reset register write 0x%x ignored", v);
		return;
	}
	log_info("acpi_pm: guest reset");
	vm_stop_request(&pm->stop, VM_STOP_RESET, 0);
}

static bool acpi_pm_access_ok(struct acpi_pm *pm, uint64_t offset, unsigned size)
{
	/* guest-controlled: the FADT declares byte-wide registers */
	if (size == 1 && offset < ACPI_PM_LEN)
		return true;
	guest_err(&pm->ctr.bad_access, "acpi_pm: %u-byte access at offset 0x%llx", size,
		  (unsigned long long)offset);
	return false;
}

static uint64_t acpi_pm_read(void *opaque, uint64_t offset, unsigned size)
{
	struct acpi_pm *pm = opaque;

	if (!acpi_pm_access_ok(pm, offset, size))
		return io_mask(size);
	switch (offset) {
	case ACPI_PM_SLEEP_CONTROL:
		/* SLP_EN is write-only and reads 0 (§4.8.3.7). */
		return (uint64_t)atomic_load(&pm->slp_typ) << ACPI_PM_SLP_TYP_SHIFT;
	case ACPI_PM_SLEEP_STATUS:
		return atomic_load(&pm->sleep_status);
	default:
		return 0; /* RESET_REG is write-only */
	}
}

static void acpi_pm_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct acpi_pm *pm = opaque;
	uint8_t v = (uint8_t)value;

	if (!acpi_pm_access_ok(pm, offset, size))
		return;
	switch (offset) {
	case ACPI_PM_SLEEP_CONTROL:
		acpi_pm_write_control(pm, v);
		break;
	case ACPI_PM_SLEEP_STATUS:
		/* WAK_STS is write-1-to-clear; other bits are reserved. */
		atomic_fetch_and(&pm->sleep_status, (uint8_t) ~(v & ACPI_PM_WAK_STS));
		break;
	default:
		acpi_pm_write_reset(pm, v);
		break;
	}
}

const struct io_dev_ops acpi_pm_io_ops = {
    .read = acpi_pm_read,
    .write = acpi_pm_write,
};
