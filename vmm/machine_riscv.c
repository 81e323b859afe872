/*
 * The riscv64-virt machine: QEMU virt's memory map, run by the JIT.
 *
 *   0x0010_0000  SiFive test finisher (hw/sifive_test), poweroff/reboot/exit status
 *   0x0c00_0000  PLIC (hw/plic), two contexts per hart (M, S)
 *   0x1000_0000  ns16550a UART (hw/uart8250), PLIC source 10
 *   0x8000_0000  RAM (--mem)
 *
 * A Linux Image (boot/riscv_image.h: recognized by its header) boots
 * directly in S-mode: the Image at RAM + text_offset, the initrd and a
 * generated device tree (boot/fdt_riscv.h) at the top of RAM, hart 0 at the
 * entry with a0 = 0, a1 = the DTB, the other harts stopped until SBI HSM
 * starts them; vmm answers the kernel's SBI calls.
 *
 * Anything else is an ELF (segments at their physical addresses, entry from
 * the header) or a raw binary at the start of RAM, started in M-mode on
 * hart 0 with a0 = 0, a1 = the DTB (bare-metal tests).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/riscv64/rv_accel.h"
#include "boot/elf.h"
#include "boot/fdt_riscv.h"
#include "boot/riscv_image.h"
#include "common/log.h"
#include "hw/plic.h"
#include "hw/sifive_test.h"
#include "hw/uart8250.h"
#include "vmm/machine.h"

#define RV_VIRT_UART	     0x10000000ULL
#define RV_VIRT_UART_SIZE    0x100ULL
#define RV_VIRT_UART_IRQ     10
#define RV_VIRT_UART_CLOCK   3686400u
#define RV_VIRT_PLIC_NDEV    32
#define RV_VIRT_RAM	     0x80000000ULL
#define RV_DEFAULT_CMDLINE   "console=ttyS0"
#define RV_CBO_BLOCK_SIZE    64 /* Zicbom/Zicboz block, as the frontend uses */

/*
 * What the frontend implements, for the device tree (extensions.yaml
 * names). The MMU walks Sv39/48/57; the tree offers Sv39, the cheapest
 * walk, which is all Linux needs.
 */
static const char *const rv_extensions[] = {
    "i",      "m",	   "a",	       "f",	   "d",	  "c",	 "zicbom", "zicboz",
    "zicntr", "zicsr",	   "zifencei", "zihintpause", "zba", "zbb", "zbs",    "sstc",
    "svpbmt",
};

struct rv_devices {
	struct uart8250 *uart;
	struct irq_line uart_irq;
	struct plic *plic;
	struct sifive_test *test;
	uint8_t *kernel;
	size_t kernel_len;
	uint8_t *initrd;
	size_t initrd_len;
	uint64_t entry;
	uint64_t dtb_addr;
	bool s_mode; /* a Linux Image: direct S-mode boot with SBI */
};

static void rv_console_write(void *opaque, const uint8_t *buf, size_t len)
{
	console_write(opaque, buf, len);
}

static const struct uart_backend_ops rv_uart_backend = {.write = rv_console_write};

static size_t rv_console_input(void *opaque, const uint8_t *buf, size_t len)
{
	return uart8250_receive(opaque, buf, len);
}

static void rv_destroy(struct machine *m)
{
	struct rv_devices *d = m->arch;

	if (!d)
		return;
	if (d->uart)
		uart8250_destroy(d->uart);
	if (d->plic)
		plic_destroy(d->plic);
	if (d->test)
		sifive_test_destroy(d->test);
	free(d->kernel);
	free(d->initrd);
	free(d);
	m->arch = NULL;
}

/* An ELF image goes where its headers say; anything else is a raw binary at RAM start. */
static int rv_load_bare(struct machine *m, struct rv_devices *d)
{
	static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
	struct elf_info info;
	char err[256];
	int ret;

	if (d->kernel_len >= 4 && memcmp(d->kernel, elf_magic, 4) == 0) {
		ret =
		    elf_load(d->kernel, d->kernel_len, EM_RISCV, &m->mem, &info, err, sizeof(err));
		if (ret < 0) {
			log_err("kernel '%s': %s", m->cfg->kernel, err);
			return ret;
		}
		d->entry = info.entry;
		return 0;
	}
	if (gm_write(&m->mem, RV_VIRT_RAM, d->kernel, d->kernel_len) < 0) {
		log_err("kernel '%s' (%zu bytes) does not fit in RAM", m->cfg->kernel,
			d->kernel_len);
		return -EFBIG;
	}
	d->entry = RV_VIRT_RAM;
	return 0;
}

static void rv_fdt_config(struct machine *m, struct rv_devices *d, struct fdt_riscv_config *fc)
{
	*fc = (struct fdt_riscv_config){
	    .ncpus = m->ncpus,
	    .extensions = rv_extensions,
	    .nextensions = sizeof(rv_extensions) / sizeof(rv_extensions[0]),
	    .mmu_type = "riscv,sv39",
	    .cbom_block_size = RV_CBO_BLOCK_SIZE,
	    .cboz_block_size = RV_CBO_BLOCK_SIZE,
	    .ram_base = RV_VIRT_RAM,
	    .ram_size = m->cfg->mem_bytes,
	    .plic_base = PLIC_BASE,
	    .plic_size = PLIC_SIZE,
	    .plic_ndev = RV_VIRT_PLIC_NDEV,
	    .uart_base = RV_VIRT_UART,
	    .uart_size = RV_VIRT_UART_SIZE,
	    .uart_irq = RV_VIRT_UART_IRQ,
	    .uart_clock_hz = RV_VIRT_UART_CLOCK,
	    .test_base = SIFIVE_TEST_BASE,
	    .test_size = SIFIVE_TEST_SIZE,
	    .bootargs = m->cfg->cmdline ? m->cfg->cmdline : RV_DEFAULT_CMDLINE,
	};
}

/* Build the device tree and write it to @addr (at most @size bytes). */
static int rv_write_fdt(struct machine *m, struct rv_devices *d, uint64_t addr, uint64_t size,
			uint64_t initrd_addr)
{
	struct fdt_riscv_config fc;
	void *buf = calloc(1, size);
	int len;

	if (!buf)
		return -ENOMEM;
	rv_fdt_config(m, d, &fc);
	if (d->initrd_len) {
		fc.initrd_start = initrd_addr;
		fc.initrd_end = initrd_addr + d->initrd_len;
	}
	len = fdt_riscv_build(&fc, buf, size);
	if (len < 0)
		log_err("riscv64: cannot build the device tree: %s", strerror(-len));
	else if (gm_write(&m->mem, addr, buf, (size_t)len) < 0)
		len = -EFAULT;
	free(buf);
	d->dtb_addr = addr;
	return len < 0 ? len : 0;
}

/* A Linux Image: kernel, initrd and device tree for a direct S-mode boot. */
static int rv_load_image(struct machine *m, struct rv_devices *d)
{
	struct riscv_image_info ki;
	struct riscv_boot_plan plan;
	char err[256];
	int ret;

	ret = riscv_image_load(&m->mem, d->kernel, d->kernel_len, RV_VIRT_RAM, &ki, err,
			       sizeof(err));
	if (ret == 0)
		ret = riscv_boot_plan(&ki, RV_VIRT_RAM, m->cfg->mem_bytes, d->initrd_len,
				      FDT_RISCV_DEFAULT_SIZE, 0, &plan, err, sizeof(err));
	if (ret < 0) {
		log_err("kernel '%s': %s", m->cfg->kernel, err);
		return ret;
	}
	if (d->initrd_len && gm_write(&m->mem, plan.initrd_addr, d->initrd, d->initrd_len) < 0)
		return -EFAULT;
	d->entry = ki.entry;
	d->s_mode = true;
	return rv_write_fdt(m, d, plan.dtb_addr, plan.dtb_size, plan.initrd_addr);
}

static int rv_load_kernel(struct machine *m, struct rv_devices *d)
{
	struct riscv_image_info ki;
	char err[256];
	int ret = riscv_image_parse(d->kernel, d->kernel_len, &ki, err, sizeof(err));

	if (ret == -ENOEXEC) {
		if (d->initrd_len)
			log_warn("riscv64: --initrd is ignored for a bare-metal kernel");
		return rv_load_bare(m, d);
	}
	if (ret < 0) {
		log_err("kernel '%s': %s", m->cfg->kernel, err);
		return ret;
	}
	return rv_load_image(m, d);
}

static int rv_create_devices(struct machine *m, struct rv_devices *d)
{
	struct plic_config pc = {
	    .nharts = m->ncpus,
	    .ndev = RV_VIRT_PLIC_NDEV,
	    .set_ext_irq = rv_tcg_set_ext_irq,
	    .opaque = m->vm,
	};
	int ret;

	d->plic = plic_create(&pc);
	if (!d->plic)
		return -errno;
	ret = io_bus_register(&m->mmio, PLIC_BASE, PLIC_SIZE, &plic_io_ops, d->plic, "plic");
	if (ret < 0)
		return ret;
	d->uart_irq = plic_irq_line(d->plic, RV_VIRT_UART_IRQ);
	d->uart = uart8250_create(&d->uart_irq, &rv_uart_backend, m->con);
	if (!d->uart)
		return -ENOMEM;
	uart8250_set_rx_ready_cb(d->uart, machine_notify_input, m);
	ret = io_bus_register(&m->mmio, RV_VIRT_UART, UART8250_REG_LEN, &uart8250_io_ops, d->uart,
			      "uart0");
	if (ret < 0)
		return ret;
	console_set_input(m->con, rv_console_input, d->uart, &m->stop);
	d->test = sifive_test_create(&m->stop);
	if (!d->test)
		return -ENOMEM;
	return io_bus_register(&m->mmio, SIFIVE_TEST_BASE, SIFIVE_TEST_SIZE, &sifive_test_io_ops,
			       d->test, "sifive-test");
}

static void rv_sbi_write(void *opaque, const uint8_t *buf, size_t len)
{
	console_write(opaque, buf, len);
}

/* Start the harts: S-mode with SBI for an Image, M-mode on hart 0 otherwise. */
static void rv_start_harts(struct machine *m, struct rv_devices *d)
{
	struct rv_sbi_host host = {.write = rv_sbi_write, .opaque = m->con, .stop = &m->stop};

	if (!d->s_mode) {
		rv_tcg_vcpu_reset(m->vcpu[0], d->entry, d->dtb_addr);
		return;
	}
	for (unsigned i = 0; i < m->ncpus; i++)
		rv_tcg_vcpu_boot_s(m->vcpu[i], d->entry, d->dtb_addr);
	rv_tcg_vm_set_sbi(m->vm, &host);
}

static enum tcg_backend_kind rv_backend(enum tcg_backend b)
{
	switch (b) {
	case TCG_BACKEND_NATIVE:
		return TCG_BACKEND_KIND_NATIVE;
	case TCG_BACKEND_INTERP:
		return TCG_BACKEND_KIND_INTERP;
	case TCG_BACKEND_AUTO:
		break;
	}
	return TCG_BACKEND_KIND_AUTO;
}

static int rv_setup(struct machine *m)
{
	const struct vmm_config *cfg = m->cfg;
	struct gm_region layout = {.gpa = RV_VIRT_RAM, .size = cfg->mem_bytes};
	struct rv_devices *d;
	int ret;

	if (cfg->cpus < 1 || cfg->cpus > RV_MAX_HARTS || cfg->cpus > PLIC_MAX_HARTS) {
		log_err("riscv64: --cpus must be 1..%d", RV_MAX_HARTS);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	m->arch = d;
	m->arch_destroy = rv_destroy;
	ret = machine_read_file("kernel", cfg->kernel, &d->kernel, &d->kernel_len);
	if (ret == 0 && cfg->initrd)
		ret = machine_read_file("initrd", cfg->initrd, &d->initrd, &d->initrd_len);
	if (ret == 0)
		ret = machine_alloc_ram(m, &layout, 1);
	if (ret == 0)
		ret = rv_load_kernel(m, d);
	if (ret == 0)
		ret = machine_create_vm(m);
	if (ret < 0)
		return ret;
	rv_tcg_vm_set_backend(m->vm, rv_backend(cfg->tcg_backend));
	ret = rv_create_devices(m, d);
	if (ret == 0)
		ret = machine_create_vcpus(m);
	if (ret < 0)
		return ret;
	rv_start_harts(m, d);
	return 0;
}

int machine_riscv_run(const struct vmm_config *cfg)
{
	struct machine m;
	int code;

	if (!cfg->kernel) {
		log_err("riscv64: --kernel is required");
		return VMM_EXIT_ERROR;
	}
	for (;;) {
		if (machine_init(&m, cfg, &rv_tcg_accel_ops) < 0 || rv_setup(&m) < 0) {
			machine_destroy(&m);
			return VMM_EXIT_ERROR;
		}
		code = machine_run(&m);
		if (atomic_load(&m.stop_reason) == VM_STOP_RESET &&
		    cfg->on_reboot == REBOOT_RESTART) {
			machine_destroy(&m);
			continue;
		}
		machine_destroy(&m);
		return code;
	}
}
