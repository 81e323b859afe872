/*
 * The flattened device tree for the riscv64 virt machine, built with libfdt
 * into a caller buffer. It describes what a stock Linux kernel needs to boot
 * without firmware probing (Documentation/devicetree/bindings/riscv/cpus.yaml,
 * extensions.yaml, interrupt-controller/sifive,plic-1.0.0.yaml,
 * power/reset/syscon-poweroff.yaml, syscon-reboot.yaml):
 *
 *	/chosen            bootargs, linux,initrd-start/-end, stdout-path
 *	/memory@BASE       RAM
 *	/cpus              timebase-frequency; cpu@N with riscv,isa,
 *	                   riscv,isa-base, riscv,isa-extensions, mmu-type,
 *	                   riscv,cbom/cboz-block-size, a "riscv,cpu-intc"
 *	                   interrupt-controller child; cpu-map
 *	/soc/plic@...      "sifive,plic-1.0.0", "riscv,plic0"; contexts in
 *	                   QEMU virt's order: hart N's M (11) then S (9)
 *	                   external interrupt, i.e. context 2N = M, 2N+1 = S
 *	                   (matches hw/plic.h)
 *	/soc/serial@...    "ns16550a" on a PLIC source
 *	/soc/test@...      "sifive,test1", "sifive,test0", "syscon", with
 *	/poweroff, /reboot "syscon-poweroff" (0x5555) / "syscon-reboot" (0x7777)
 *	                   through it, so `poweroff` in the guest ends the VM
 *	/soc/virtio_mmio@  "virtio,mmio", one per device
 *	/soc/rtc@...       optional "google,goldfish-rtc" on a PLIC source
 *	/soc/clint@...     optional "sifive,clint0" (for M-mode firmware such as
 *	                   OpenSBI: MSIP = 3 and MTIP = 7 per hart)
 *
 * The tree passes `dtc -I dtb -O dts` without warnings (see the unit test).
 */
#ifndef VMM_BOOT_FDT_RISCV_H
#define VMM_BOOT_FDT_RISCV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

#define FDT_RISCV_MAX_CPUS     32
#define FDT_RISCV_TIMEBASE_HZ  10000000u  /* 10 MHz, as hw/aclint.h counts */
#define FDT_RISCV_DEFAULT_SIZE (64 * KiB) /* ample for 32 harts, 32 virtio devices */

struct fdt_riscv_virtio {
	uint64_t base, size;
	unsigned irq; /* PLIC source */
};

struct fdt_riscv_config {
	unsigned ncpus; /* 1..FDT_RISCV_MAX_CPUS, hart ids 0..ncpus-1 */
	/*
	 * The ISA as the CPU implements it: the extension names in canonical
	 * order, single letters first ("i", "m", "a", "f", "d", "c", then
	 * "zicsr", "zifencei", "zba", ..., "sstc", "svpbmt"). They become
	 * riscv,isa-extensions and, unless @isa is given, the riscv,isa string
	 * ("rv64imafdc_zicsr_zifencei_...").
	 */
	const char *const *extensions;
	unsigned nextensions;
	const char *isa;			   /* optional riscv,isa override */
	const char *isa_base;			   /* NULL: "rv64i" */
	const char *mmu_type;			   /* "riscv,sv39" / "riscv,sv48" / "riscv,sv57" */
	uint32_t timebase_hz;			   /* 0: FDT_RISCV_TIMEBASE_HZ */
	uint32_t cbom_block_size, cboz_block_size; /* 0: property left out */

	uint64_t ram_base, ram_size;

	uint64_t plic_base, plic_size;
	unsigned plic_ndev;

	uint64_t uart_base, uart_size;
	unsigned uart_irq;
	uint32_t uart_clock_hz;

	uint64_t test_base, test_size; /* 0 size: no test device, no poweroff */

	uint64_t rtc_base, rtc_size; /* 0 size: no RTC node */
	unsigned rtc_irq;

	const struct fdt_riscv_virtio *virtio;
	unsigned nvirtio;

	uint64_t clint_base, clint_size; /* 0 size: no CLINT node */

	const char *bootargs;		   /* NULL: empty */
	uint64_t initrd_start, initrd_end; /* equal: no initrd */
};

/*
 * Build the tree into buf[0, size). Returns the blob's size (<= size),
 * -ENOSPC when it does not fit, -EINVAL for a bad config (no CPUs, too many,
 * no extensions or mmu type, an extension list that does not start with a
 * single letter, initrd end before start).
 */
int fdt_riscv_build(const struct fdt_riscv_config *cfg, void *buf, size_t size) must_check;

#endif
