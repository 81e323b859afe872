/*
 * The RISC-V Platform-Level Interrupt Controller (riscv-plic-1.0.0, the
 * "sifive,plic-1.0.0" / "riscv,plic0" of QEMU virt), for the JIT machine.
 *
 * Register map (offsets in the PLIC_SIZE window, all 32-bit registers):
 *	0x000000 + 4*src          priority of source src (1..ndev; 0 = never)
 *	0x001000 + 4*(src/32)     pending bits (read-only)
 *	0x002000 + 0x80*ctx       enable bits of context ctx, 32 sources a word
 *	0x200000 + 0x1000*ctx     priority threshold of ctx
 *	0x200004 + 0x1000*ctx     claim (read) / complete (write)
 *
 * Contexts follow QEMU virt's layout, two per hart: context 2*hart is the
 * hart's M-mode external interrupt (MEIP), 2*hart + 1 its S-mode one (SEIP).
 * The device tree (boot/fdt_riscv.c) lists them in the same order in the
 * PLIC's interrupts-extended (hart's intc, 11 then 9).
 *
 * Sources are level-triggered (virtio-mmio and the 8250 UART hold their
 * line while they want service): a high line makes the source pending; a
 * claim clears pending and blocks the source until the matching complete,
 * after which a line still high makes it pending again (§ "Interrupt
 * Gateways"). A line that drops before it is claimed stops being pending.
 *
 * Output: set_ext_irq(opaque, hart, mode, level) with mode 3 (M) or 1 (S) is
 * called whenever a context's "has a pending, enabled source with priority
 * above its threshold" state changes, and once per context at create (all
 * low). It is called with the PLIC's lock held: it must only record the
 * level (set/clear MEIP/SEIP in the hart's mip, wake the vCPU) and must not
 * call back into the PLIC.
 *
 * Thread safety: plic_set_irq() and the MMIO handlers may be called from any
 * thread; one mutex serializes them.
 */
#ifndef VMM_HW_PLIC_H
#define VMM_HW_PLIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/irq.h"
#include "memory/io_bus.h"

#define PLIC_BASE 0x0c000000ULL
#define PLIC_SIZE 0x00400000ULL /* 4 MiB: room for 512 contexts */

#define PLIC_MAX_SOURCES 1023 /* source ids 1..1023; 0 means "none" */
#define PLIC_MAX_HARTS	 8
/* Priorities and thresholds are WARL, 3 bits wide here (as on QEMU virt). */
#define PLIC_MAX_PRIORITY 7

#define PLIC_MODE_S 1
#define PLIC_MODE_M 3

struct plic_config {
	unsigned nharts; /* 1..PLIC_MAX_HARTS */
	unsigned ndev;	 /* number of sources, 1..PLIC_MAX_SOURCES ("riscv,ndev") */
	void (*set_ext_irq)(void *opaque, unsigned hart, unsigned mode, bool level);
	void *opaque;
};

struct plic_counters {
	_Atomic uint64_t bad_access; /* guest: bad size/offset, bad complete id */
	_Atomic uint64_t bad_source; /* host: plic_set_irq() with a bad source */
	_Atomic uint64_t claims;     /* non-zero claims */
};

struct plic;

/* NULL with errno set (EINVAL for a bad config, ENOMEM). */
struct plic *plic_create(const struct plic_config *cfg);
void plic_destroy(struct plic *p);

/* Drive source @src (1..ndev) to @level. Any thread. */
void plic_set_irq(struct plic *p, unsigned src, bool level);

/* The current output level of hart @hart's @mode context (for a vCPU loop or reset). */
bool plic_output(struct plic *p, unsigned hart, unsigned mode);

const struct plic_counters *plic_counters(const struct plic *p);

/* Register at PLIC_BASE, length PLIC_SIZE. */
extern const struct io_dev_ops plic_io_ops;

/*
 * Glue for devices: an irq_line with ops = &plic_irq_sink_ops,
 * opaque = the PLIC and gsi = the source number drives that source.
 */
extern const struct irq_sink_ops plic_irq_sink_ops;

static inline struct irq_line plic_irq_line(struct plic *p, unsigned src)
{
	return (struct irq_line){.ops = &plic_irq_sink_ops, .opaque = p, .gsi = src};
}

#endif
