/*
 * The accelerator seam. Every accelerator (KVM, the JIT) is one
 * `const struct accel_ops`; the machine code in vmm/ drives a VM only through
 * it, so devices, boot code and the machine never see ioctls or JIT
 * internals.
 *
 * Life cycle: probe -> vm_create -> map_ram* -> vcpu_create* -> set_regs ->
 * vcpu_run (one thread per vCPU) ... vcpu_kick -> vcpu_destroy* -> vm_destroy.
 */
#ifndef VMM_ACCEL_ACCEL_H
#define VMM_ACCEL_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/x86_state.h"
#include "common/compiler.h"
#include "common/vmstop.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"

enum guest_arch { ARCH_X86_64, ARCH_RISCV64 };

struct accel_vm;
struct accel_vcpu;

struct accel_vm_config {
	enum guest_arch arch;
	unsigned ncpus;
	struct io_bus *pio;  /* NULL where the arch has no port I/O */
	struct io_bus *mmio;
	const struct guest_mem *mem;
	/* Where a vCPU reports shutdown/crash; the machine decides what follows. */
	const struct vm_stop *stop;
	/*
	 * Optional: threads the accelerator starts for itself (the JIT's timer
	 * thread) call this first, e.g. to install their seccomp filter; a
	 * negative return ends the thread.
	 */
	int (*thread_init)(void *opaque);
	void *thread_init_opaque;
};

/* Why vcpu_run() returned. */
enum accel_run_exit {
	ACCEL_EXIT_STOPPED,  /* vcpu_kick() or a vm_stop request: look at the machine state */
	ACCEL_EXIT_SHUTDOWN, /* triple fault: the guest reset itself the hard way */
	ACCEL_EXIT_CRASH,    /* internal error / failed entry: registers were dumped */
};

struct accel_regs {
	enum guest_arch arch;
	union {
		struct x86_cpu_state x86;
	};
};

struct accel_ops {
	const char *name;
	/*
	 * Can this accelerator run @arch here? 0 if yes; otherwise a negative
	 * errno and a one-line reason in @why (e.g. "/dev/kvm: Permission
	 * denied").
	 */
	int (*probe)(enum guest_arch arch, char *why, size_t why_len);
	/* The largest vCPU count this host allows. */
	unsigned (*max_vcpus)(void);

	int (*vm_create)(const struct accel_vm_config *cfg, struct accel_vm **out);
	void (*vm_destroy)(struct accel_vm *vm);
	int (*map_ram)(struct accel_vm *vm, uint64_t gpa, uint64_t size, void *host);

	int (*vcpu_create)(struct accel_vm *vm, unsigned index, struct accel_vcpu **out);
	void (*vcpu_destroy)(struct accel_vcpu *vcpu);
	int (*get_regs)(struct accel_vcpu *vcpu, struct accel_regs *regs);
	int (*set_regs)(struct accel_vcpu *vcpu, const struct accel_regs *regs);
	/*
	 * Run the vCPU on the calling thread until it must stop. PIO/MMIO
	 * exits are dispatched to the buses inside.
	 */
	enum accel_run_exit (*vcpu_run)(struct accel_vcpu *vcpu);
	/* From any thread: make vcpu_run() return ACCEL_EXIT_STOPPED soon. */
	void (*vcpu_kick)(struct accel_vcpu *vcpu);
	/* Print the registers to stderr (crash reports). */
	void (*vcpu_dump)(struct accel_vcpu *vcpu);

	int (*set_irq_line)(struct accel_vm *vm, unsigned gsi, bool level);
	/*
	 * A guest write of @len bytes to @addr (of value @datamatch when
	 * @match, else any value) signals @fd instead of exiting (ioeventfd).
	 */
	int (*add_ioeventfd)(struct accel_vm *vm, bool pio, uint64_t addr, unsigned len, int fd,
			     bool match, uint64_t datamatch);
	/* A write to @fd raises edge interrupt @gsi (irqfd). */
	int (*add_irqfd)(struct accel_vm *vm, unsigned gsi, int fd);
};

extern const struct accel_ops kvm_accel_ops;

#endif
