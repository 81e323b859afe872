/* The x86 system-control ports: ACPI sleep/reset, exit status, POST codes. */
#include "hw/acpi_pm.h"
#include "hw/exit_dev.h"
#include "hw/port80.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

static void pm_wr(struct acpi_pm *pm, unsigned reg, uint8_t v)
{
	acpi_pm_io_ops.write(pm, reg, v, 1);
}

static uint8_t pm_rd(struct acpi_pm *pm, unsigned reg)
{
	return (uint8_t)acpi_pm_io_ops.read(pm, reg, 1);
}

static uint8_t slp(unsigned typ, bool en)
{
	return (uint8_t)((typ << ACPI_PM_SLP_TYP_SHIFT) | (en ? ACPI_PM_SLP_EN : 0));
}

static void test_poweroff(void)
{
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct acpi_pm *pm = acpi_pm_create(&stop);

	CHECK(pm != NULL);
	/* Linux writes SLP_TYP first, then SLP_TYP | SLP_EN. */
	pm_wr(pm, ACPI_PM_SLEEP_CONTROL, slp(ACPI_PM_SLP_TYP_S5, false));
	CHECK_EQ(fs.requests, 0);
	CHECK_EQ(pm_rd(pm, ACPI_PM_SLEEP_CONTROL), slp(ACPI_PM_SLP_TYP_S5, false));
	pm_wr(pm, ACPI_PM_SLEEP_CONTROL, slp(ACPI_PM_SLP_TYP_S5, true));
	CHECK_EQ(fs.requests, 1);
	CHECK_EQ(fs.reason, VM_STOP_POWEROFF);
	CHECK_EQ(fs.status, 0);
	/* SLP_EN is write-only. */
	CHECK_EQ(pm_rd(pm, ACPI_PM_SLEEP_CONTROL) & ACPI_PM_SLP_EN, 0);
	acpi_pm_destroy(pm);
}

static void test_other_sleep_types(void)
{
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct acpi_pm *pm = acpi_pm_create(&stop);
	unsigned typ;

	CHECK(pm != NULL);
	for (typ = 0; typ < 8; typ++)
		if (typ != ACPI_PM_SLP_TYP_S5)
			pm_wr(pm, ACPI_PM_SLEEP_CONTROL, slp(typ, true));
	CHECK_EQ(fs.requests, 0);
	CHECK_EQ(atomic_load(&acpi_pm_counters(pm)->unsupported), 7);
	/* WAK_STS reads 0 and a write-1-to-clear is harmless. */
	CHECK_EQ(pm_rd(pm, ACPI_PM_SLEEP_STATUS), 0);
	pm_wr(pm, ACPI_PM_SLEEP_STATUS, ACPI_PM_WAK_STS);
	CHECK_EQ(pm_rd(pm, ACPI_PM_SLEEP_STATUS), 0);
	CHECK_EQ(fs.requests, 0);
	acpi_pm_destroy(pm);
}

static void test_reset(void)
{
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct acpi_pm *pm = acpi_pm_create(&stop);
	const struct acpi_pm_counters *c;

	CHECK(pm != NULL);
	c = acpi_pm_counters(pm);
	pm_wr(pm, ACPI_PM_RESET, 0x06);
	CHECK_EQ(fs.requests, 0);
	CHECK_EQ(atomic_load(&c->bad_reset), 1);
	pm_wr(pm, ACPI_PM_RESET, ACPI_PM_RESET_VALUE);
	CHECK_EQ(fs.requests, 1);
	CHECK_EQ(fs.reason, VM_STOP_RESET);
	CHECK_EQ(pm_rd(pm, ACPI_PM_RESET), 0);
	/* Wrong sizes and offsets: ignored, counted, never a stop. */
	acpi_pm_io_ops.write(pm, ACPI_PM_RESET, ACPI_PM_RESET_VALUE, 2);
	acpi_pm_io_ops.write(pm, ACPI_PM_SLEEP_CONTROL, slp(ACPI_PM_SLP_TYP_S5, true), 4);
	acpi_pm_io_ops.write(pm, ACPI_PM_LEN, ACPI_PM_RESET_VALUE, 1);
	CHECK_EQ(acpi_pm_io_ops.read(pm, 0, 2), 0xffff);
	CHECK_EQ(fs.requests, 1);
	CHECK_EQ(atomic_load(&c->bad_access), 4);
	acpi_pm_destroy(pm);
	/* Without a stop requester the writes are still safe. */
	pm = acpi_pm_create(NULL);
	CHECK(pm != NULL);
	pm_wr(pm, ACPI_PM_RESET, ACPI_PM_RESET_VALUE);
	pm_wr(pm, ACPI_PM_SLEEP_CONTROL, slp(ACPI_PM_SLP_TYP_S5, true));
	acpi_pm_destroy(pm);
}

static void test_exit_dev(void)
{
	static const struct {
		uint64_t value;
		unsigned size;
		int status;
	} cases[] = {{0, 1, 0}, {1, 1, 1}, {255, 1, 255}, {0x1234, 2, 0x34}, {0xabcdef01, 4, 1}};
	struct fake_stop fs = {0};
	struct vm_stop stop = fake_vm_stop(&fs);
	struct exit_dev *d = exit_dev_create(&stop);
	unsigned i;

	CHECK(d != NULL);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		exit_dev_io_ops.write(d, 0, cases[i].value, cases[i].size);
		CHECK_EQ(fs.requests, i + 1);
		CHECK_EQ(fs.reason, VM_STOP_EXIT_STATUS);
		CHECK_EQ(fs.status, cases[i].status);
	}
	CHECK_EQ(exit_dev_io_ops.read(d, 0, 1), 0);
	CHECK_EQ(exit_dev_io_ops.read(d, 0, 4), 0);
	exit_dev_io_ops.write(d, 1, 7, 1);
	exit_dev_io_ops.write(d, 0, 7, 8);
	CHECK_EQ(fs.requests, ARRAY_SIZE(cases));
	CHECK_EQ(atomic_load(&exit_dev_counters(d)->bad_access), 2);
	CHECK_EQ(atomic_load(&exit_dev_counters(d)->exits), ARRAY_SIZE(cases));
	exit_dev_destroy(d);
}

static void test_port80(void)
{
	struct port80 *p = port80_create();

	CHECK(p != NULL);
	CHECK_EQ(port80_io_ops.read(p, 0, 1), 0);
	port80_io_ops.write(p, 0, 0x42, 1);
	CHECK_EQ(port80_last(p), 0x42);
	CHECK_EQ(port80_io_ops.read(p, 0, 1), 0x42);
	port80_io_ops.write(p, 0, 0x1234, 2); /* outw: the low byte */
	CHECK_EQ(port80_last(p), 0x34);
	port80_destroy(p);
}

int main(void)
{
	test_poweroff();
	test_other_sleep_types();
	test_reset();
	test_exit_dev();
	test_port80();
	return test_result("sysctl");
}
