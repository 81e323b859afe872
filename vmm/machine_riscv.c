/*
 * The riscv64-virt machine: QEMU virt's memory map, run by the JIT.
 *
 *   0x0010_0000  SiFive test finisher (below)
 *   0x1000_0000  ns16550a UART (hw/uart8250), interrupt 10
 *   0x8000_0000  RAM (--mem)
 *
 * The kernel is an ELF (segments at their physical addresses, entry from
 * the header) or a raw binary loaded at the start of RAM. Hart 0 starts in
 * M-mode at the entry with a0 = 0 and a1 = 0 (no device tree yet: the next
 * issue adds it, PLIC/ACLINT and S-mode boot).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/riscv64/rv_accel.h"
#include "boot/elf.h"
#include "common/log.h"
#include "hw/uart8250.h"
#include "vmm/machine.h"

#define RV_VIRT_FINISHER     0x100000ULL
#define RV_VIRT_FINISHER_LEN 0x1000ULL
#define RV_VIRT_UART	     0x10000000ULL
#define RV_VIRT_UART_IRQ     10
#define RV_VIRT_RAM	     0x80000000ULL

/*
 * SiFive test finisher ("sifive,test0"): a 32-bit write of 0x5555 ends the
 * run with success, (code << 16) | 0x3333 with failure code @code, 0x7777
 * resets. A failure with code 0 exits 1, so it never reads as success.
 */
#define FINISHER_FAIL  0x3333
#define FINISHER_PASS  0x5555
#define FINISHER_RESET 0x7777

struct rv_finisher {
	const struct vm_stop *stop;
	_Atomic uint64_t bad_writes;
};

static uint64_t rv_finisher_read(void *opaque, uint64_t offset, unsigned size)
{
	return 0;
}

static void rv_finisher_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct rv_finisher *f = opaque;
	unsigned code = (unsigned)(value >> 16) & 0xffff;

	/* guest-controlled */
	if (offset != 0 || size < 4) {
		guest_err(&f->bad_writes, "test finisher: %u-byte write at +%#llx", size,
			  (unsigned long long)offset);
		return;
	}
	switch (value & 0xffff) {
	case FINISHER_PASS:
		vm_stop_request(f->stop, VM_STOP_EXIT_STATUS, 0);
		break;
	case FINISHER_FAIL:
		vm_stop_request(f->stop, VM_STOP_EXIT_STATUS, code ? (int)code : 1);
		break;
	case FINISHER_RESET:
		vm_stop_request(f->stop, VM_STOP_RESET, 0);
		break;
	default:
		guest_err(&f->bad_writes, "test finisher: unknown command %#llx",
			  (unsigned long long)value);
	}
}

static const struct io_dev_ops rv_finisher_ops = {
    .read = rv_finisher_read,
    .write = rv_finisher_write,
};

struct rv_devices {
	struct uart8250 *uart;
	struct irq_line uart_irq;
	struct rv_finisher finisher;
	uint8_t *kernel;
	size_t kernel_len;
	uint64_t entry;
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
	free(d->kernel);
	free(d);
	m->arch = NULL;
}

/* An ELF image goes where its headers say; anything else is a raw binary at RAM start. */
static int rv_load_kernel(struct machine *m, struct rv_devices *d)
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

static int rv_create_devices(struct machine *m, struct rv_devices *d)
{
	int ret;

	d->uart_irq = m->irq_sink;
	d->uart_irq.gsi = RV_VIRT_UART_IRQ;
	d->uart = uart8250_create(&d->uart_irq, &rv_uart_backend, m->con);
	if (!d->uart)
		return -ENOMEM;
	uart8250_set_rx_ready_cb(d->uart, machine_notify_input, m);
	ret = io_bus_register(&m->mmio, RV_VIRT_UART, UART8250_REG_LEN, &uart8250_io_ops, d->uart,
			      "uart0");
	if (ret < 0)
		return ret;
	console_set_input(m->con, rv_console_input, d->uart, &m->stop);
	d->finisher.stop = &m->stop;
	return io_bus_register(&m->mmio, RV_VIRT_FINISHER, RV_VIRT_FINISHER_LEN, &rv_finisher_ops,
			       &d->finisher, "test-finisher");
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

	if (cfg->cpus != 1) {
		log_err("riscv64: only one vCPU is supported for now (--cpus 1)");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	m->arch = d;
	m->arch_destroy = rv_destroy;
	ret = machine_read_file("kernel", cfg->kernel, &d->kernel, &d->kernel_len);
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
	rv_tcg_vcpu_reset(m->vcpu[0], d->entry, 0);
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
