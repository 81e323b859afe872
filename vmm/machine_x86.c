/*
 * The x86-64 machine under KVM: RAM with the MMIO hole below 4 GiB, the
 * legacy devices (COM1, i8042, CMOS RTC, port 0x80), the hardware-reduced
 * ACPI sleep/reset registers, the exit-status device, ACPI tables, and the
 * kernel loaded per the 64-bit boot protocol (bzImage) or PVH (vmlinux).
 *
 * I/O ports (README "Devices"): 0x3f8 COM1 (IRQ 4), 0x60/0x64 i8042,
 * 0x70/0x71 RTC, 0x80 POST, 0x600 sleep control, 0x601 sleep status,
 * 0x602 reset register (value 1), 0x604 exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/x86_boot.h"
#include "common/log.h"
#include "hw/acpi_pm.h"
#include "hw/exit_dev.h"
#include "hw/i8042.h"
#include "hw/port80.h"
#include "hw/rtc.h"
#include "hw/uart8250.h"
#include "vmm/machine.h"
#include "vmm/vdevs.h"

#define X86_COM1_PORT 0x3f8
#define X86_COM1_IRQ 4
#define X86_RTC_PORT 0x70
#define X86_PM_PORT 0x600
#define X86_EXIT_PORT 0x604
#define X86_RESET_VALUE 0x01
#define X86_LAPIC_ADDR 0xfee00000U
#define X86_IOAPIC_ADDR 0xfec00000U
#define X86_ACPI_MAX (0x100000 - X86_ACPI_ADDR)
/* virtio-mmio transports: 4 KiB apart in the MMIO hole, on I/O APIC pins 16-23. */
#define X86_VIRTIO_BASE 0xd0000000ULL
#define X86_VIRTIO_STRIDE 0x1000ULL
#define X86_VIRTIO_GSI 16

#define X86_DEFAULT_CMDLINE                                                                \
	"console=ttyS0 reboot=acpi panic=-1 i8042.noaux i8042.nomux i8042.nopnp "         \
	"i8042.dumbkbd tsc=reliable"

struct x86_devices {
	struct uart8250 *uart;
	struct i8042 *kbd;
	struct rtc *rtc;
	struct acpi_pm *pm;
	struct exit_dev *exit;
	struct port80 *post;
	struct irq_line uart_irq, kbd_irq;
	struct accel_regs boot_regs;
	struct vdevs virtio;
	/* While loading: the files, read straight into guest RAM. */
	struct machine_file kernel_file, initrd_file;
};

static void x86_destroy(struct machine *m)
{
	struct x86_devices *d = m->arch;

	if (!d)
		return;
	/* First: in-flight disk writes complete before anything goes away. */
	vdevs_destroy(&d->virtio);
	uart8250_destroy(d->uart);
	i8042_destroy(d->kbd);
	rtc_destroy(d->rtc);
	acpi_pm_destroy(d->pm);
	exit_dev_destroy(d->exit);
	port80_destroy(d->post);
	machine_close_file(&d->kernel_file);
	machine_close_file(&d->initrd_file);
	free(d);
	m->arch = NULL;
}

static int x86_add_pio(struct machine *m, uint64_t base, uint64_t len,
		       const struct io_dev_ops *ops, void *dev, const char *name)
{
	if (!dev)
		return -ENOMEM;
	return io_bus_register(&m->pio, base, len, ops, dev, name);
}

static int x86_create_devices(struct machine *m, struct x86_devices *d)
{
	int ret;

	d->uart_irq = m->irq_sink;
	d->uart_irq.gsi = X86_COM1_IRQ;
	d->uart = machine_console_uart(m, &d->uart_irq);
	/* On a PC the 8250's interrupt reaches the PIC only with MCR.OUT2 set. */
	if (d->uart)
		uart8250_set_out2_gate(d->uart, true);
	ret = x86_add_pio(m, X86_COM1_PORT, UART8250_REG_LEN, &uart8250_io_ops, d->uart, "com1");
	if (ret < 0)
		return ret;

	d->kbd_irq = m->irq_sink;
	d->kbd_irq.gsi = 1;
	d->kbd = i8042_create(&d->kbd_irq, &m->stop);
	ret = x86_add_pio(m, I8042_DATA_PORT, 1, &i8042_data_io_ops, d->kbd, "i8042-data");
	if (ret == 0)
		ret = x86_add_pio(m, I8042_CMD_PORT, 1, &i8042_cmd_io_ops, d->kbd, "i8042-cmd");
	if (ret < 0)
		return ret;

	d->rtc = rtc_create(NULL);
	ret = x86_add_pio(m, X86_RTC_PORT, RTC_LEN, &rtc_io_ops, d->rtc, "rtc");
	if (ret < 0)
		return ret;

	d->pm = acpi_pm_create(&m->stop);
	ret = x86_add_pio(m, X86_PM_PORT, ACPI_PM_LEN, &acpi_pm_io_ops, d->pm, "acpi-pm");
	if (ret < 0)
		return ret;

	d->exit = exit_dev_create(&m->stop);
	ret = x86_add_pio(m, X86_EXIT_PORT, EXIT_DEV_LEN, &exit_dev_io_ops, d->exit, "exit");
	if (ret < 0)
		return ret;

	/* Port 0x80: POST codes, and Linux's outb_p() I/O delays. */
	d->post = port80_create();
	return x86_add_pio(m, PORT80_PORT, PORT80_LEN, &port80_io_ops, d->post, "post");
}

static int x86_build_acpi(struct machine *m, const struct vdevs *v)
{
	struct acpi_virtio_mmio vm[CONFIG_MAX_VIRTIO];
	unsigned i;

	struct acpi_config ac = {
		.ncpus = m->ncpus,
		.lapic_addr = X86_LAPIC_ADDR,
		.ioapic_addr = X86_IOAPIC_ADDR,
		.ioapic_id = (uint8_t)m->ncpus,
		.sleep_ctl_port = X86_PM_PORT,
		.sleep_sts_port = X86_PM_PORT + 1,
		.reset_port = X86_PM_PORT + 2,
		.reset_value = X86_RESET_VALUE,
		.uart_port = X86_COM1_PORT,
		.uart_irq = X86_COM1_IRQ,
		.rtc_century = RTC_CENTURY_INDEX,
		.virtio = vm,
		.n_virtio = v->n,
	};
	uint8_t *buf = gm_ptr(&m->mem, X86_ACPI_ADDR, X86_ACPI_MAX);
	int ret;

	for (i = 0; i < v->n; i++)
		vm[i] = (struct acpi_virtio_mmio){.base = v->d[i].base,
						  .size = VIRTIO_MMIO_WINDOW,
						  .gsi = v->d[i].gsi,
						  .edge = v->d[i].edge};
	if (!buf)
		return -EFAULT;
	ret = acpi_build(&ac, buf, X86_ACPI_MAX, X86_ACPI_ADDR);
	if (ret < 0)
		log_err("cannot build the ACPI tables: %s", strerror(-ret));
	return ret < 0 ? ret : 0;
}

static int x86_create_virtio(struct machine *m, struct x86_devices *d)
{
	struct vdev_slot slots[CONFIG_MAX_VIRTIO];
	unsigned i;

	for (i = 0; i < CONFIG_MAX_VIRTIO; i++)
		slots[i] = (struct vdev_slot){X86_VIRTIO_BASE + i * X86_VIRTIO_STRIDE,
					      X86_VIRTIO_GSI + i};
	return vdevs_create(&d->virtio, m, slots);
}

/* Load the kernel into RAM and compute the boot vCPU's registers. */
static int x86_load_kernel(struct machine *m, struct x86_devices *d)
{
	const struct vmm_config *cfg = m->cfg;
	struct x86_boot_input in = {
	    .kernel = machine_file_src(&d->kernel_file),
	    .initrd = machine_file_src(&d->initrd_file), /* size 0 without --initrd */
	    .cmdline = cfg->cmdline ? cfg->cmdline : X86_DEFAULT_CMDLINE,
	    .rsdp_addr = X86_ACPI_ADDR,
	};
	struct x86_boot_info info;
	char err[256];
	int ret;

	d->boot_regs.arch = ARCH_X86_64;
	ret = x86_boot_load(&m->mem, &in, &d->boot_regs.x86, &info, err, sizeof(err));
	if (ret < 0) {
		log_err("%s: %s", cfg->kernel, err);
		return ret;
	}
	log_info("%s kernel at 0x%llx, entry 0x%llx", info.kind == X86_BOOT_PVH ? "PVH" : "bzImage",
		 (unsigned long long)info.kernel_addr, (unsigned long long)info.entry);
	return 0;
}

/* Refuse a guest bigger than the host's RAM: it could only end in the OOM killer. */
static int x86_check_mem(const struct vmm_config *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t host = (pages > 0 && psize > 0) ? (uint64_t)pages * (uint64_t)psize : 0;

	if (cfg->mem_bytes < 16 * MiB) {
		log_err("--mem %llu MiB is too small: an x86_64 guest needs at least 16 MiB",
			(unsigned long long)(cfg->mem_bytes >> 20));
		return -EINVAL;
	}
	if (host && cfg->mem_bytes > host) {
		log_err("--mem %llu MiB is more than this host's %llu MiB of RAM",
			(unsigned long long)(cfg->mem_bytes >> 20),
			(unsigned long long)(host >> 20));
		return -EINVAL;
	}
	return 0;
}

static int x86_check_cpus(const struct machine *m)
{
	unsigned max = m->accel->max_vcpus();

	if (max > MACHINE_MAX_VCPUS)
		max = MACHINE_MAX_VCPUS;
	if (max > 255)
		max = 255; /* xAPIC IDs and the MADT entries we write are 8-bit */
	if (m->ncpus > max) {
		log_err("--cpus %u is more than this host allows (at most %u)", m->ncpus, max);
		return -EINVAL;
	}
	return 0;
}

int machine_x86_setup(struct machine *m)
{
	const struct vmm_config *cfg = m->cfg;
	struct gm_region layout[2];
	struct x86_devices *d;
	unsigned n;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->kernel_file.fd = d->initrd_file.fd = -1;
	m->arch = d;
	m->arch_destroy = x86_destroy;
	/* Files and the image first: a bad image is reported even without KVM. */
	ret = machine_open_file("kernel", cfg->kernel, &d->kernel_file);
	if (ret < 0)
		return ret;
	if (cfg->initrd) {
		ret = machine_open_file("initrd", cfg->initrd, &d->initrd_file);
		if (ret < 0)
			return ret;
	}
	ret = x86_ram_layout(cfg->mem_bytes, layout, &n);
	if (ret == 0)
		ret = machine_alloc_ram(m, layout, n);
	if (ret == 0)
		ret = x86_load_kernel(m, d);
	/* In guest RAM now; a reboot starts a fresh machine from the files. */
	machine_close_file(&d->kernel_file);
	machine_close_file(&d->initrd_file);
	if (ret == 0)
		ret = machine_create_vm(m);
	if (ret == 0)
		ret = x86_check_cpus(m);
	if (ret == 0)
		ret = x86_create_devices(m, d);
	if (ret == 0)
		ret = x86_create_virtio(m, d);
	if (ret == 0)
		ret = x86_build_acpi(m, &d->virtio);
	if (ret == 0)
		ret = machine_create_vcpus(m);
	if (ret == 0)
		ret = vdevs_start(&d->virtio, m);
	if (ret < 0)
		return ret;
	ret = m->accel->set_regs(m->vcpu[0], &d->boot_regs);
	if (ret < 0)
		log_err("cannot set the boot vCPU's registers: %s", strerror(-ret));
	return ret;
}

/* The boot vCPU's initial registers (tests start other vCPUs from them). */
const struct accel_regs *machine_x86_boot_regs(const struct machine *m)
{
	const struct x86_devices *d = m->arch;

	return &d->boot_regs;
}

int machine_x86_run(const struct vmm_config *cfg)
{
	if (x86_check_mem(cfg) < 0)
		return VMM_EXIT_ERROR;
	return machine_boot(cfg, NULL, machine_x86_setup);
}
