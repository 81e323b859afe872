/*
 * Device tree for the riscv64 virt machine, written with libfdt's
 * sequential-write API (properties of a node before its children).
 * Phandles are fixed numbers computed from the CPU count, so nodes can
 * refer to nodes written later.
 */
#include "boot/fdt_riscv.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int r_ = (x);                                                                      \
		if (r_ < 0)                                                                        \
			return r_;                                                                 \
	} while (0)

/* RISC-V local interrupt numbers (priv spec §3.1.9, mip/mie bits). */
#define RV_IRQ_M_SOFT  3
#define RV_IRQ_M_TIMER 7
#define RV_IRQ_S_EXT   9
#define RV_IRQ_M_EXT   11

/* syscon-poweroff / syscon-reboot values: hw/sifive_test.h commands. */
#define RV_TEST_PASS  0x5555
#define RV_TEST_RESET 0x7777

#define ISA_MAX 512

static uint32_t fdt_rv_ph_intc(unsigned cpu)
{
	return 1 + cpu;
}

static uint32_t fdt_rv_ph_cpu(const struct fdt_riscv_config *c, unsigned cpu)
{
	return 1 + c->ncpus + cpu;
}

static uint32_t fdt_rv_ph_plic(const struct fdt_riscv_config *c)
{
	return 1 + 2 * c->ncpus;
}

static uint32_t fdt_rv_ph_test(const struct fdt_riscv_config *c)
{
	return 2 + 2 * c->ncpus;
}

static int fdt_rv_check(const struct fdt_riscv_config *c)
{
	if (!c || c->ncpus == 0 || c->ncpus > FDT_RISCV_MAX_CPUS || !c->extensions ||
	    c->nextensions == 0 || !c->mmu_type || c->initrd_end < c->initrd_start)
		return -EINVAL;
	/* The base ISA letter comes first (cpus.yaml: riscv,isa pattern). */
	if (!c->extensions[0] || strlen(c->extensions[0]) != 1)
		return -EINVAL;
	for (unsigned i = 0; i < c->nextensions; i++)
		if (!c->extensions[i] || !c->extensions[i][0])
			return -EINVAL;
	return 0;
}

/* "rv64" + single letters + "_" + each multi-letter extension. */
static int fdt_rv_isa_string(const struct fdt_riscv_config *c, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "rv64");

	for (unsigned i = 0; i < c->nextensions && n < len; i++)
		if (strlen(c->extensions[i]) == 1)
			n += (size_t)snprintf(out + n, len - n, "%s", c->extensions[i]);
	for (unsigned i = 0; i < c->nextensions && n < len; i++)
		if (strlen(c->extensions[i]) > 1)
			n += (size_t)snprintf(out + n, len - n, "_%s", c->extensions[i]);
	return n < len ? 0 : -EINVAL;
}

/* A stringlist property: the strings NUL-separated, back to back. */
static int fdt_rv_stringlist(void *fdt, const char *name, const char *const *s, unsigned n)
{
	char buf[ISA_MAX];
	size_t len = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;

		if (l > sizeof(buf) - len)
			return -EINVAL;
		memcpy(buf + len, s[i], l);
		len += l;
	}
	return fdt_property(fdt, name, buf, (int)len);
}

/* reg with #address-cells = #size-cells = 2. */
static int fdt_rv_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t r[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};

	return fdt_property(fdt, "reg", r, sizeof(r));
}

static int fdt_rv_begin(void *fdt, const char *name, uint64_t addr)
{
	char n[64];

	snprintf(n, sizeof(n), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, n);
}

static int fdt_rv_chosen(void *fdt, const struct fdt_riscv_config *c)
{
	char path[64];

	snprintf(path, sizeof(path), "/soc/serial@%llx", (unsigned long long)c->uart_base);
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs", c->bootargs ? c->bootargs : ""));
	TRY(fdt_property_string(fdt, "stdout-path", path));
	if (c->initrd_end > c->initrd_start) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end));
	}
	TRY(fdt_end_node(fdt));
	TRY(fdt_begin_node(fdt, "aliases"));
	TRY(fdt_property_string(fdt, "serial0", path));
	return fdt_end_node(fdt);
}

static int fdt_rv_memory(void *fdt, const struct fdt_riscv_config *c)
{
	TRY(fdt_rv_begin(fdt, "memory", c->ram_base));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(fdt_rv_reg(fdt, c->ram_base, c->ram_size));
	return fdt_end_node(fdt);
}

/* The hart-local interrupt controller every cpu node carries (cpus.yaml). */
static int fdt_rv_cpu_intc(void *fdt, unsigned cpu)
{
	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	/* dtc's interrupt_provider check wants #address-cells in every provider. */
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "phandle", fdt_rv_ph_intc(cpu)));
	return fdt_end_node(fdt);
}

static int fdt_rv_cpu(void *fdt, const struct fdt_riscv_config *c, unsigned cpu, const char *isa)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%x", cpu);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", cpu));
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa", isa));
	TRY(fdt_property_string(fdt, "riscv,isa-base", c->isa_base ? c->isa_base : "rv64i"));
	TRY(fdt_rv_stringlist(fdt, "riscv,isa-extensions", c->extensions, c->nextensions));
	TRY(fdt_property_string(fdt, "mmu-type", c->mmu_type));
	if (c->cbom_block_size)
		TRY(fdt_property_u32(fdt, "riscv,cbom-block-size", c->cbom_block_size));
	if (c->cboz_block_size)
		TRY(fdt_property_u32(fdt, "riscv,cboz-block-size", c->cboz_block_size));
	TRY(fdt_property_u32(fdt, "phandle", fdt_rv_ph_cpu(c, cpu)));
	TRY(fdt_rv_cpu_intc(fdt, cpu));
	return fdt_end_node(fdt);
}

/* One cluster, one core per hart (Documentation/devicetree/bindings/cpu/cpu-topology.txt). */
static int fdt_rv_cpu_map(void *fdt, const struct fdt_riscv_config *c)
{
	char name[32];

	TRY(fdt_begin_node(fdt, "cpu-map"));
	TRY(fdt_begin_node(fdt, "cluster0"));
	for (unsigned i = 0; i < c->ncpus; i++) {
		snprintf(name, sizeof(name), "core%u", i);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_u32(fdt, "cpu", fdt_rv_ph_cpu(c, i)));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int fdt_rv_cpus(void *fdt, const struct fdt_riscv_config *c)
{
	char isa[ISA_MAX];

	if (c->isa)
		snprintf(isa, sizeof(isa), "%s", c->isa);
	else
		TRY(fdt_rv_isa_string(c, isa, sizeof(isa)));
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency",
			     c->timebase_hz ? c->timebase_hz : FDT_RISCV_TIMEBASE_HZ));
	for (unsigned i = 0; i < c->ncpus; i++)
		TRY(fdt_rv_cpu(fdt, c, i, isa));
	TRY(fdt_rv_cpu_map(fdt, c));
	return fdt_end_node(fdt);
}

/* interrupts-extended: for each hart, <&intc irq_a>, then <&intc irq_b>. */
static int fdt_rv_irqs_ext(void *fdt, const struct fdt_riscv_config *c, uint32_t irq_a,
			   uint32_t irq_b)
{
	fdt32_t cells[FDT_RISCV_MAX_CPUS * 4];

	for (unsigned i = 0; i < c->ncpus; i++) {
		cells[4 * i + 0] = cpu_to_fdt32(fdt_rv_ph_intc(i));
		cells[4 * i + 1] = cpu_to_fdt32(irq_a);
		cells[4 * i + 2] = cpu_to_fdt32(fdt_rv_ph_intc(i));
		cells[4 * i + 3] = cpu_to_fdt32(irq_b);
	}
	return fdt_property(fdt, "interrupts-extended", cells,
			    (int)(c->ncpus * 4 * sizeof(fdt32_t)));
}

static int fdt_rv_plic(void *fdt, const struct fdt_riscv_config *c)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";

	TRY(fdt_rv_begin(fdt, "plic", c->plic_base));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_rv_reg(fdt, c->plic_base, c->plic_size));
	/* Context 2N = hart N's M-mode, 2N+1 = its S-mode (hw/plic.h). */
	TRY(fdt_rv_irqs_ext(fdt, c, RV_IRQ_M_EXT, RV_IRQ_S_EXT));
	TRY(fdt_property_u32(fdt, "riscv,ndev", c->plic_ndev));
	TRY(fdt_property_u32(fdt, "phandle", fdt_rv_ph_plic(c)));
	return fdt_end_node(fdt);
}

static int fdt_rv_clint(void *fdt, const struct fdt_riscv_config *c)
{
	static const char compat[] = "sifive,clint0\0riscv,clint0";

	TRY(fdt_rv_begin(fdt, "clint", c->clint_base));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_rv_reg(fdt, c->clint_base, c->clint_size));
	TRY(fdt_rv_irqs_ext(fdt, c, RV_IRQ_M_SOFT, RV_IRQ_M_TIMER));
	return fdt_end_node(fdt);
}

/* A device on a PLIC source. */
static int fdt_rv_plic_irq(void *fdt, const struct fdt_riscv_config *c, unsigned irq)
{
	TRY(fdt_property_u32(fdt, "interrupts", irq));
	return fdt_property_u32(fdt, "interrupt-parent", fdt_rv_ph_plic(c));
}

static int fdt_rv_uart(void *fdt, const struct fdt_riscv_config *c)
{
	TRY(fdt_rv_begin(fdt, "serial", c->uart_base));
	TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	TRY(fdt_rv_reg(fdt, c->uart_base, c->uart_size));
	TRY(fdt_property_u32(fdt, "clock-frequency", c->uart_clock_hz));
	TRY(fdt_rv_plic_irq(fdt, c, c->uart_irq));
	return fdt_end_node(fdt);
}

static int fdt_rv_test(void *fdt, const struct fdt_riscv_config *c)
{
	static const char compat[] = "sifive,test1\0sifive,test0\0syscon";

	TRY(fdt_rv_begin(fdt, "test", c->test_base));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_rv_reg(fdt, c->test_base, c->test_size));
	TRY(fdt_property_u32(fdt, "phandle", fdt_rv_ph_test(c)));
	return fdt_end_node(fdt);
}

/* google,goldfish-rtc.yaml (Linux's rtc-goldfish). */
static int fdt_rv_rtc(void *fdt, const struct fdt_riscv_config *c)
{
	TRY(fdt_rv_begin(fdt, "rtc", c->rtc_base));
	TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
	TRY(fdt_rv_reg(fdt, c->rtc_base, c->rtc_size));
	TRY(fdt_rv_plic_irq(fdt, c, c->rtc_irq));
	return fdt_end_node(fdt);
}

static int fdt_rv_virtio(void *fdt, const struct fdt_riscv_config *c,
			 const struct fdt_riscv_virtio *v)
{
	TRY(fdt_rv_begin(fdt, "virtio_mmio", v->base));
	TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
	TRY(fdt_rv_reg(fdt, v->base, v->size));
	TRY(fdt_rv_plic_irq(fdt, c, v->irq));
	return fdt_end_node(fdt);
}

static int fdt_rv_soc(void *fdt, const struct fdt_riscv_config *c)
{
	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	if (c->test_size)
		TRY(fdt_rv_test(fdt, c));
	if (c->clint_size)
		TRY(fdt_rv_clint(fdt, c));
	TRY(fdt_rv_plic(fdt, c));
	TRY(fdt_rv_uart(fdt, c));
	if (c->rtc_size)
		TRY(fdt_rv_rtc(fdt, c));
	for (unsigned i = 0; i < c->nvirtio; i++)
		TRY(fdt_rv_virtio(fdt, c, &c->virtio[i]));
	return fdt_end_node(fdt);
}

/* syscon-poweroff.yaml / syscon-reboot.yaml: a write of @value to regmap + offset. */
static int fdt_rv_syscon(void *fdt, const struct fdt_riscv_config *c, const char *name,
			 uint32_t value)
{
	char compat[32];

	snprintf(compat, sizeof(compat), "syscon-%s", name);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(fdt_property_u32(fdt, "regmap", fdt_rv_ph_test(c)));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "value", value));
	return fdt_end_node(fdt);
}

static int fdt_rv_tree(void *fdt, const struct fdt_riscv_config *c)
{
	static const char compat[] = "riscv-virtio";

	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_property_string(fdt, "model", "riscv-virtio,vmm"));
	TRY(fdt_rv_chosen(fdt, c));
	TRY(fdt_rv_memory(fdt, c));
	TRY(fdt_rv_cpus(fdt, c));
	TRY(fdt_rv_soc(fdt, c));
	if (c->test_size) {
		TRY(fdt_rv_syscon(fdt, c, "poweroff", RV_TEST_PASS));
		TRY(fdt_rv_syscon(fdt, c, "reboot", RV_TEST_RESET));
	}
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int fdt_riscv_build(const struct fdt_riscv_config *cfg, void *buf, size_t size)
{
	int ret = fdt_rv_check(cfg);

	if (ret < 0)
		return ret;
	if (size > INT32_MAX)
		size = INT32_MAX;
	ret = fdt_create(buf, (int)size);
	if (ret == 0)
		ret = fdt_rv_tree(buf, cfg);
	if (ret == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	if (ret < 0)
		return -EINVAL;
	return (int)fdt_totalsize(buf);
}
