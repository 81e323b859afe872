/*
 * The JIT as an accelerator (accel.h) for RISC-V 64 guests: a TCG context
 * with the riscv64 frontend, one vCPU thread per hart running
 * tcg_cpu_exec(). The machine (vmm/machine_riscv.c) drives it through
 * rv_tcg_accel_ops plus the two calls below, which accel.h has no slot for
 * (struct accel_regs has no RISC-V state yet).
 */
#ifndef VMM_ACCEL_TCG_RISCV64_RV_ACCEL_H
#define VMM_ACCEL_TCG_RISCV64_RV_ACCEL_H

#include <stdint.h>

#include "accel/accel.h"
#include "accel/tcg/tcg.h"

extern const struct accel_ops rv_tcg_accel_ops;

/* Choose the JIT backend; call after vm_create, before the first vcpu_create. */
void rv_tcg_vm_set_backend(struct accel_vm *vm, enum tcg_backend_kind backend);

/* Reset the hart: M-mode at @entry, a0 = hart id, a1 = @a1 (device tree address). */
void rv_tcg_vcpu_reset(struct accel_vcpu *vcpu, uint64_t entry, uint64_t a1);

/* The vCPU's JIT state (tests: register checks). */
struct tcg_cpu *rv_tcg_vcpu_cpu(struct accel_vcpu *vcpu);

#endif
