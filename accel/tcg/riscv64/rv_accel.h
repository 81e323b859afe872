/*
 * The JIT as an accelerator (accel.h) for RISC-V 64 guests: a TCG context
 * with the riscv64 frontend, one vCPU thread per hart running
 * tcg_cpu_exec(). The machine (vmm/machine_riscv.c) drives it through
 * rv_tcg_accel_ops plus the two calls below, which accel.h has no slot for
 * (struct accel_regs has no RISC-V state yet).
 */
#ifndef VMM_ACCEL_TCG_RISCV64_RV_ACCEL_H
#define VMM_ACCEL_TCG_RISCV64_RV_ACCEL_H

#include <stdbool.h>
#include <stdint.h>

#include "accel/accel.h"
#include "accel/tcg/riscv64/sbi.h"
#include "accel/tcg/tcg.h"

extern const struct accel_ops rv_tcg_accel_ops;

/* Choose the JIT backend; call after vm_create, before the first vcpu_create. */
void rv_tcg_vm_set_backend(struct accel_vm *vm, enum tcg_backend_kind backend);

/* Reset the hart: M-mode at @entry, a0 = hart id, a1 = @a1 (device tree address). */
void rv_tcg_vcpu_reset(struct accel_vcpu *vcpu, uint64_t entry, uint64_t a1);

/*
 * Direct boot of an S-mode kernel: the hart enters S-mode at @entry with
 * a0 = hart id, a1 = @a1 and the delegation an SBI firmware would set up.
 * Hart 0 runs; the others wait stopped for SBI HSM hart_start.
 */
void rv_tcg_vcpu_boot_s(struct accel_vcpu *vcpu, uint64_t entry, uint64_t a1);

/* The harts' `time` CSR now (RV_TIMEBASE_HZ ticks), e.g. to start a device's mtime there. */
uint64_t rv_tcg_vm_time(struct accel_vm *vm);

/* M-mode firmware entry: like rv_tcg_vcpu_reset, and a2 = @a2 (fw_dynamic info). */
void rv_tcg_vcpu_reset_fw(struct accel_vcpu *vcpu, uint64_t entry, uint64_t a1, uint64_t a2);

/*
 * A device timer (ACLINT): the timer thread sleeps until next_ns() (ns of
 * CLOCK_MONOTONIC; UINT64_MAX none) and then calls update(), which raises
 * the interrupt lines. Call rv_tcg_vm_timer_changed() after the guest
 * reprogrammed it. Set NULL before the device goes away (waits for the
 * timer thread to be done with it).
 */
void rv_tcg_vm_set_timer_source(struct accel_vm *vm, uint64_t (*next_ns)(void *opaque),
				void (*update)(void *opaque), void *opaque);
void rv_tcg_vm_timer_changed(struct accel_vm *vm);

/*
 * The guest-memory DMA hook (struct gm_dma_hook, @opaque = the accel_vm):
 * a device wrote [gpa, gpa+len), so the translations of those bytes go.
 * Any thread; cheap for RAM without translated code.
 */
void rv_tcg_vm_dma_written(void *opaque, uint64_t gpa, uint64_t len);

/* vmm answers S-mode ecalls (SBI) from now on; call after the vCPUs exist. */
void rv_tcg_vm_set_sbi(struct accel_vm *vm, const struct rv_sbi_host *host);

/* Set or clear mip bits of hart @hart from any thread (wakes it). */
void rv_tcg_set_mip(struct accel_vm *vm, unsigned hart, uint64_t bits, bool level);

/* The PLIC's set_ext_irq callback (hw/plic.h); @opaque = the accel_vm. */
void rv_tcg_set_ext_irq(void *opaque, unsigned hart, unsigned mode, bool level);

/* The vCPU's JIT state (tests: register checks). */
struct tcg_cpu *rv_tcg_vcpu_cpu(struct accel_vcpu *vcpu);

#endif
