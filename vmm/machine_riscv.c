/*
 * The riscv64-virt machine: QEMU virt's memory map, run by the JIT.
 *
 *   0x0010_0000  SiFive test finisher (hw/sifive_test), poweroff/reboot/exit status
 *   0x0010_1000  Goldfish RTC (hw/goldfish_rtc), PLIC source 11
 *   0x0c00_0000  PLIC (hw/plic), two contexts per hart (M, S)
 *   0x1000_0000  ns16550a UART (hw/uart8250), PLIC source 10
 *   0x1000_1000  virtio-mmio slots (vmm/vdevs.h), 4 KiB apart, PLIC sources 1..8
 *   0x8000_0000  RAM (--mem)
 *
 * A Linux Image (boot/riscv_image.h: recognized by its header) boots
 * directly in S-mode: the Image at RAM + text_offset, the initrd and a
 * generated device tree (boot/fdt_riscv.h) at the top of RAM, hart 0 at the
 * entry with a0 = 0, a1 = the DTB, the other harts stopped until SBI HSM
 * starts them; vmm answers the kernel's SBI calls.
 *
 * With --bios FILE (OpenSBI fw_dynamic.bin), the firmware is loaded at
 * the start of RAM and every hart starts there in M-mode with a0 = hart
 * id, a1 = the DTB, a2 = a struct fw_dynamic_info naming the Image as the
 * next stage in S-mode; an ACLINT (hw/aclint) at 0x0200_0000 gives the
 * firmware mtime/mtimecmp/msip, and vmm answers no SBI calls itself.
 *
 * Anything else is an ELF (segments at their physical addresses, entry from
 * the header) or a raw binary at the start of RAM, started in M-mode on
 * every hart with a0 = hart id, a1 = 0 (bare-metal tests; no device tree).
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
#include "hw/aclint.h"
#include "hw/goldfish_rtc.h"
#include "hw/plic.h"
#include "hw/sifive_test.h"
#include "hw/uart8250.h"
#include "vmm/machine.h"
#include "vmm/vdevs.h"

#define RV_VIRT_UART	     0x10000000ULL
#define RV_VIRT_UART_SIZE    0x100ULL
#define RV_VIRT_UART_IRQ     10
#define RV_VIRT_UART_CLOCK   3686400u
#define RV_VIRT_PLIC_NDEV    32
#define RV_VIRT_RTC_IRQ	     11
#define RV_VIRT_RAM	     0x80000000ULL
#define RV_DEFAULT_CMDLINE   "console=ttyS0"
#define RV_CBO_BLOCK_SIZE    64 /* Zicbom/Zicboz block, as the frontend uses */

/* QEMU virt's virtio-mmio slots, so guests and device trees match it. */
#define RV_VIRT_VIRTIO	      0x10001000ULL
#define RV_VIRT_VIRTIO_STRIDE 0x1000ULL
#define RV_VIRT_VIRTIO_IRQ    1

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

/*
 * A device with deadlines (the RTC's alarm, the ACLINT's mtimecmp) on the
 * bus: a write may arm or move one, so the JIT's timer thread must look
 * again after it.
 */
struct rv_timed_dev {
	const struct io_dev_ops *ops;
	void *dev;
	struct accel_vm **vm; /* the machine's, set once the VM exists */
};

struct rv_devices {
	struct accel_vm *vm;
	struct aclint *aclint;
	struct machine_file bios_file; /* while loading, with --bios */
	uint64_t fw_info;
	struct uart8250 *uart;
	struct irq_line uart_irq;
	struct plic *plic;
	struct sifive_test *test;
	struct goldfish_rtc *rtc;
	struct irq_line rtc_irq;
	struct rv_timed_dev rtc_bus, aclint_bus;
	struct vdevs virtio;
	struct fdt_riscv_virtio virtio_fdt[CONFIG_MAX_VIRTIO];
	/* While loading: the files, read straight into guest RAM. */
	struct machine_file kernel_file, initrd_file;
	uint64_t initrd_len;
	uint64_t entry;
	uint64_t dtb_addr;
	bool s_mode; /* a Linux Image: direct S-mode boot with SBI */
};

static void rv_destroy(struct machine *m)
{
	struct rv_devices *d = m->arch;

	if (!d)
		return;
	/* First: in-flight disk writes complete; the lines still reach the PLIC. */
	vdevs_destroy(&d->virtio);
	if (d->uart)
		uart8250_destroy(d->uart);
	if (d->plic)
		plic_destroy(d->plic);
	if (d->test)
		sifive_test_destroy(d->test);
	/* The timer thread lets go of the devices before they go. */
	if (d->vm)
		rv_tcg_vm_set_timer_source(d->vm, NULL, NULL, NULL);
	if (d->rtc)
		goldfish_rtc_destroy(d->rtc);
	if (d->aclint)
		aclint_destroy(d->aclint);
	machine_close_file(&d->bios_file);
	machine_close_file(&d->kernel_file);
	machine_close_file(&d->initrd_file);
	free(d);
	m->arch = NULL;
}

/* An ELF image goes where its headers say; anything else is a raw binary at RAM start. */
static int rv_load_bare(struct machine *m, struct rv_devices *d)
{
	static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
	const struct machine_file *kf = &d->kernel_file;
	struct boot_src src = machine_file_src(kf);
	uint8_t magic[4] = {0};
	struct elf_info info;
	char err[256];
	void *dst;
	int ret;

	if (kf->size >= 4 && (ret = machine_file_read(kf, 0, magic, 4)) < 0)
		return ret;
	if (memcmp(magic, elf_magic, 4) == 0) {
		ret = elf_load(&src, EM_RISCV, &m->mem, &info, err, sizeof(err));
		if (ret < 0) {
			log_err("kernel '%s': %s", m->cfg->kernel, err);
			return ret;
		}
		d->entry = info.entry;
		return 0;
	}
	dst = gm_ptr(&m->mem, RV_VIRT_RAM, kf->size);
	if (!dst) {
		log_err("kernel '%s' (%llu bytes) does not fit in RAM", m->cfg->kernel,
			(unsigned long long)kf->size);
		return -EFBIG;
	}
	ret = machine_file_read(kf, 0, dst, (size_t)kf->size);
	if (ret < 0)
		return ret;
	d->entry = RV_VIRT_RAM;
	return 0;
}

/*
 * OpenSBI's fw_dynamic hand-over (docs/firmware/fw_dynamic.md of OpenSBI):
 * magic "OSBI", version 2, next stage address and mode (1 = S), options,
 * preferred boot hart (-1: any).
 */
#define FW_DYNAMIC_MAGIC   0x4942534fULL
#define FW_DYNAMIC_VERSION 2
#define FW_DYNAMIC_NEXT_S  1
/* Where the info struct goes: below the Image at RAM + 2 MiB, above the firmware. */
#define FW_INFO_OFFSET 0x1ff000ULL

static int rv_write_fw_info(struct machine *m, struct rv_devices *d)
{
	uint64_t info[6] = {FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, d->entry,
			    FW_DYNAMIC_NEXT_S, 0, ~0ULL};

	const struct machine_file *bf = &d->bios_file;
	void *dst = gm_ptr(&m->mem, RV_VIRT_RAM, FW_INFO_OFFSET);
	int ret;

	if (bf->size > FW_INFO_OFFSET) {
		log_err("bios '%s' (%llu bytes) is larger than the %llu bytes below the kernel",
			m->cfg->bios, (unsigned long long)bf->size,
			(unsigned long long)FW_INFO_OFFSET);
		return -EFBIG;
	}
	d->fw_info = RV_VIRT_RAM + FW_INFO_OFFSET;
	if (!dst || gm_write(&m->mem, d->fw_info, info, sizeof(info)) < 0)
		return -EFAULT;
	ret = machine_file_read(bf, 0, dst, (size_t)bf->size);
	return ret < 0 ? ret : 0;
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
	    .rtc_base = GOLDFISH_RTC_BASE,
	    .rtc_size = GOLDFISH_RTC_SIZE,
	    .rtc_irq = RV_VIRT_RTC_IRQ,
	    .bootargs = m->cfg->cmdline ? m->cfg->cmdline : RV_DEFAULT_CMDLINE,
	    .virtio = d->virtio_fdt,
	    .nvirtio = vdevs_count(m->cfg),
	};
	if (m->cfg->bios) {
		fc->clint_base = ACLINT_BASE;
		fc->clint_size = ACLINT_SIZE;
	}
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

/*
 * A Linux Image (riscv_image_load() has put the kernel in place): initrd and
 * device tree for a direct S-mode boot.
 */
static int rv_load_image(struct machine *m, struct rv_devices *d, const struct riscv_image_info *ki)
{
	struct riscv_boot_plan plan;
	uint8_t *idst = NULL;
	char err[256];
	int ret;

	ret = riscv_boot_plan(ki, RV_VIRT_RAM, m->cfg->mem_bytes, d->initrd_len,
			      FDT_RISCV_DEFAULT_SIZE, 0, &plan, err, sizeof(err));
	if (ret < 0) {
		log_err("kernel '%s': %s", m->cfg->kernel, err);
		return ret;
	}
	if (d->initrd_len && !(idst = gm_ptr(&m->mem, plan.initrd_addr, d->initrd_len)))
		return -EFAULT;
	if (idst && (ret = machine_file_read(&d->initrd_file, 0, idst, d->initrd_len)) < 0)
		return ret;
	d->entry = ki->entry;
	d->s_mode = true;
	if (m->cfg->bios && (ret = rv_write_fw_info(m, d)) < 0)
		return ret;
	return rv_write_fdt(m, d, plan.dtb_addr, plan.dtb_size, plan.initrd_addr);
}

/*
 * The files go straight from the page cache to their place in guest RAM.
 * Not an Image (riscv_image_load() says -ENOEXEC before it touches RAM):
 * a bare-metal program.
 */
static int rv_load_kernel(struct machine *m, struct rv_devices *d)
{
	struct boot_src src = machine_file_src(&d->kernel_file);
	struct riscv_image_info ki;
	char err[256];
	int ret = riscv_image_load(&m->mem, &src, RV_VIRT_RAM, &ki, err, sizeof(err));

	if (ret == -ENOEXEC) {
		if (m->cfg->bios) {
			log_err("--bios needs a Linux Image as --kernel");
			return -EINVAL;
		}
		if (d->initrd_len)
			log_warn("riscv64: --initrd is ignored for a bare-metal kernel");
		return rv_load_bare(m, d);
	}
	if (ret < 0) {
		log_err("kernel '%s': %s", m->cfg->kernel, err);
		return ret;
	}
	return rv_load_image(m, d, &ki);
}

/*
 * The device timers the JIT's timer thread serves: the RTC's alarm, and
 * with --bios the ACLINT's mtimecmp.
 */
static uint64_t rv_timers_next(void *opaque)
{
	struct rv_devices *d = opaque;
	uint64_t next = goldfish_rtc_next_deadline_ns(d->rtc);

	if (d->aclint)
		next = MIN(next, aclint_next_deadline_ns(d->aclint, ACLINT_ALL_HARTS));
	return next;
}

static void rv_timers_update(void *opaque)
{
	struct rv_devices *d = opaque;

	goldfish_rtc_update(d->rtc);
	if (d->aclint)
		aclint_update(d->aclint);
}

static uint64_t rv_timed_read(void *opaque, uint64_t offset, unsigned size)
{
	const struct rv_timed_dev *t = opaque;

	return t->ops->read(t->dev, offset, size);
}

static void rv_timed_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	const struct rv_timed_dev *t = opaque;

	t->ops->write(t->dev, offset, value, size);
	rv_tcg_vm_timer_changed(*t->vm);
}

static const struct io_dev_ops rv_timed_ops = {.read = rv_timed_read, .write = rv_timed_write};

/* QEMU virt's Goldfish RTC: the guest's wall clock (host time), one alarm. */
static int rv_create_rtc(struct machine *m, struct rv_devices *d)
{
	d->rtc_irq = plic_irq_line(d->plic, RV_VIRT_RTC_IRQ);
	d->rtc = goldfish_rtc_create(&d->rtc_irq, NULL);
	if (!d->rtc)
		return -ENOMEM;
	d->rtc_bus = (struct rv_timed_dev){.ops = &goldfish_rtc_io_ops, .dev = d->rtc, .vm = &d->vm};
	return io_bus_register(&m->mmio, GOLDFISH_RTC_BASE, GOLDFISH_RTC_SIZE, &rv_timed_ops,
			       &d->rtc_bus, "goldfish-rtc");
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

	d->vm = m->vm;
	d->plic = plic_create(&pc);
	if (!d->plic)
		return -errno;
	ret = io_bus_register(&m->mmio, PLIC_BASE, PLIC_SIZE, &plic_io_ops, d->plic, "plic");
	if (ret < 0)
		return ret;
	d->uart_irq = plic_irq_line(d->plic, RV_VIRT_UART_IRQ);
	d->uart = machine_console_uart(m, &d->uart_irq);
	if (!d->uart)
		return -ENOMEM;
	ret = io_bus_register(&m->mmio, RV_VIRT_UART, UART8250_REG_LEN, &uart8250_io_ops, d->uart,
			      "uart0");
	if (ret < 0)
		return ret;
	d->test = sifive_test_create(&m->stop);
	if (!d->test)
		return -ENOMEM;
	ret = io_bus_register(&m->mmio, SIFIVE_TEST_BASE, SIFIVE_TEST_SIZE, &sifive_test_io_ops,
			      d->test, "sifive-test");
	if (ret < 0)
		return ret;
	return rv_create_rtc(m, d);
}

/* The ACLINT's outputs: MSIP/MTIP of the hart. */
static void rv_set_msip(void *opaque, unsigned hart, bool level)
{
	rv_tcg_set_mip(opaque, hart, 1ULL << 3, level);
}

static void rv_set_mtip(void *opaque, unsigned hart, bool level)
{
	rv_tcg_set_mip(opaque, hart, 1ULL << 7, level);
}

static int rv_create_aclint(struct machine *m, struct rv_devices *d)
{
	struct aclint_config ac = {
	    .nharts = m->ncpus,
	    .set_msip = rv_set_msip,
	    .set_mtip = rv_set_mtip,
	    .opaque = m->vm,
	};

	d->aclint = aclint_create(&ac);
	if (!d->aclint)
		return -errno;
	/* mtime and the harts' time CSR count the same time (priv §3.2.1). */
	aclint_io_ops.write(d->aclint, ACLINT_MTIME, rv_tcg_vm_time(m->vm), 8);
	d->aclint_bus = (struct rv_timed_dev){.ops = &aclint_io_ops, .dev = d->aclint, .vm = &d->vm};
	return io_bus_register(&m->mmio, ACLINT_BASE, ACLINT_SIZE, &rv_timed_ops, &d->aclint_bus,
			       "aclint");
}

/* QEMU virt's virtio-mmio slots: the device tree and the devices share them. */
static void rv_virtio_layout(struct rv_devices *d)
{
	for (unsigned i = 0; i < CONFIG_MAX_VIRTIO; i++)
		d->virtio_fdt[i] = (struct fdt_riscv_virtio){
		    .base = RV_VIRT_VIRTIO + i * RV_VIRT_VIRTIO_STRIDE,
		    .size = VIRTIO_MMIO_WINDOW,
		    .irq = RV_VIRT_VIRTIO_IRQ + i,
		};
}

/*
 * The virtio devices in QEMU virt's slots (config.c allows at most 8, one
 * per slot). Each interrupt is a level on its PLIC source: the JIT has no
 * irqfd, so vdevs uses the machine's line template, pointed at the PLIC.
 * Their writes into guest RAM reach the JIT through the guest-memory DMA
 * hook (rv_setup), not through the interrupt.
 */
static void rv_virtio_set_level(void *opaque, unsigned gsi, bool level)
{
	struct rv_devices *d = opaque;

	plic_set_irq(d->plic, gsi, level);
}

static const struct irq_sink_ops rv_virtio_sink = {.set_level = rv_virtio_set_level};

static int rv_create_virtio(struct machine *m, struct rv_devices *d)
{
	struct vdev_slot slots[CONFIG_MAX_VIRTIO];

	for (unsigned i = 0; i < CONFIG_MAX_VIRTIO; i++)
		slots[i] = (struct vdev_slot){d->virtio_fdt[i].base, d->virtio_fdt[i].irq};
	m->irq_sink = (struct irq_line){.ops = &rv_virtio_sink, .opaque = d};
	return vdevs_create(&d->virtio, m, slots);
}

static void rv_sbi_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct machine *m = opaque;

	console_write(m->con, buf, len);
}

/*
 * The SBI console's input (DBCN read, legacy getchar). The console feeds
 * one consumer, the UART's receive FIFO; SBI reads drain that FIFO, so a
 * byte goes to whichever reads it first, never to both, and the FIFO's
 * flow control (the main loop stops reading stdin while it is full) holds
 * for both readers.
 */
static size_t rv_sbi_read(void *opaque, uint8_t *buf, size_t len)
{
	struct machine *m = opaque;
	struct rv_devices *d = m->arch;

	return uart8250_take_rx(d->uart, buf, len);
}

/* Start the harts: S-mode with SBI for an Image, M-mode on hart 0 otherwise. */
static void rv_start_harts(struct machine *m, struct rv_devices *d)
{
	struct rv_sbi_host host = {
	    .write = rv_sbi_write, .read = rv_sbi_read, .opaque = m, .stop = &m->stop};

	if (m->cfg->bios) {
		for (unsigned i = 0; i < m->ncpus; i++)
			rv_tcg_vcpu_reset_fw(m->vcpu[i], RV_VIRT_RAM, d->dtb_addr, d->fw_info);
		return;
	}
	if (!d->s_mode) {
		/* As QEMU virt with -bios none: every hart starts at the entry. */
		for (unsigned i = 0; i < m->ncpus; i++)
			rv_tcg_vcpu_reset(m->vcpu[i], d->entry, d->dtb_addr);
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
	d->kernel_file.fd = d->initrd_file.fd = d->bios_file.fd = -1;
	m->arch = d;
	m->arch_destroy = rv_destroy;
	rv_virtio_layout(d);
	ret = machine_open_file("kernel", cfg->kernel, &d->kernel_file);
	if (ret == 0 && cfg->bios)
		ret = machine_open_file("bios", cfg->bios, &d->bios_file);
	if (ret == 0 && cfg->initrd) {
		ret = machine_open_file("initrd", cfg->initrd, &d->initrd_file);
		d->initrd_len = d->initrd_file.size;
	}
	if (ret == 0)
		ret = machine_alloc_ram(m, &layout, 1);
	if (ret == 0)
		ret = rv_load_kernel(m, d);
	/*
	 * The files are in guest RAM now; a reboot starts a fresh machine from
	 * the files again, so nothing of them need live as long as the VM.
	 */
	machine_close_file(&d->bios_file);
	machine_close_file(&d->kernel_file);
	machine_close_file(&d->initrd_file);
	if (ret == 0)
		ret = machine_create_vm(m);
	if (ret < 0)
		return ret;
	rv_tcg_vm_set_backend(m->vm, rv_backend(cfg->tcg_backend));
	/* Device writes into RAM (virtio) drop the JIT's translations of them. */
	m->mem.dma = (struct gm_dma_hook){.written = rv_tcg_vm_dma_written, .opaque = m->vm};
	ret = rv_create_devices(m, d);
	if (ret == 0 && cfg->bios)
		ret = rv_create_aclint(m, d);
	if (ret == 0) /* every device timer exists now */
		rv_tcg_vm_set_timer_source(m->vm, rv_timers_next, rv_timers_update, d);
	if (ret == 0)
		ret = rv_create_virtio(m, d);
	if (ret == 0)
		ret = machine_create_vcpus(m);
	if (ret == 0)
		ret = vdevs_start(&d->virtio, m);
	if (ret < 0)
		return ret;
	rv_start_harts(m, d);
	return 0;
}

int machine_riscv_run(const struct vmm_config *cfg)
{
	if (!cfg->kernel) {
		log_err("riscv64: --kernel is required");
		return VMM_EXIT_ERROR;
	}
	return machine_boot(cfg, &rv_tcg_accel_ops, rv_setup);
}
