/*
 * The SBI (RISC-V Supervisor Binary Interface, spec 2.0) answered by vmm
 * itself for a kernel booted straight into S-mode: base, TIME, IPI, RFENCE,
 * HSM, SRST, DBCN and the legacy console/timer/shutdown calls. An ecall
 * from S-mode reaches rv_sbi_call() instead of trapping to M-mode.
 */
#ifndef VMM_ACCEL_TCG_RISCV64_SBI_H
#define VMM_ACCEL_TCG_RISCV64_SBI_H

#include <stddef.h>
#include <stdint.h>

#include "common/vmstop.h"

struct accel_vm;
struct rv_cpu;

#define RV_MAX_HARTS 8

/* HSM hart states (SBI §9, table "HSM Hart States"). */
enum rv_hsm_state {
	RV_HSM_STARTED = 0,
	RV_HSM_STOPPED = 1,
	RV_HSM_START_PENDING = 2,
	RV_HSM_STOP_PENDING = 3,
};

/* What the machine gives the SBI: the console and the stop requests. */
struct rv_sbi_host {
	/* Console output (DBCN, legacy putchar). */
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	/*
	 * Console input: up to @len bytes, 0 if none, never blocking (DBCN
	 * read, legacy getchar). Optional. The machine takes them from the
	 * same input the UART gets, so that no byte reaches both.
	 */
	size_t (*read)(void *opaque, uint8_t *buf, size_t len);
	void *opaque;
	/* SRST: shutdown -> VM_STOP_POWEROFF, reboot -> VM_STOP_RESET. */
	const struct vm_stop *stop;
};

struct rv_sbi {
	struct rv_sbi_host host;
	struct accel_vm *vm;
	_Atomic uint64_t guest_errors;
};

/* Handle the ecall in @cpu's a0-a7 (a7 = EID, a6 = FID); a0/a1 get the result. */
void rv_sbi_call(struct rv_sbi *sbi, struct rv_cpu *cpu);

/* Hart control, from rv_accel.c. */
unsigned rv_accel_nharts(struct accel_vm *vm);
int rv_accel_hart_status(struct accel_vm *vm, unsigned hart);
int rv_accel_hart_start(struct accel_vm *vm, unsigned hart, uint64_t entry, uint64_t opaque);
void rv_accel_hart_stop(struct accel_vm *vm, struct rv_cpu *cpu);
void rv_accel_send_ipi(struct accel_vm *vm, unsigned hart);
void rv_accel_remote_flush(struct accel_vm *vm, struct rv_cpu *self, uint64_t mask);

#endif
