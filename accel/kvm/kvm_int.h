/* KVM accelerator internals: shared by the files of accel/kvm/ only. */
#ifndef VMM_ACCEL_KVM_INT_H
#define VMM_ACCEL_KVM_INT_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>

#include "accel/accel.h"

#define KVM_MAX_SLOTS 8

struct accel_vm {
	int sys_fd; /* /dev/kvm */
	int vm_fd;
	int vcpu_mmap_size;
	unsigned nslots;
	struct accel_vm_config cfg;
	struct kvm_cpuid2 *supported_cpuid;
};

struct accel_vcpu {
	struct accel_vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	_Atomic bool thread_known;
	_Atomic bool kicked;
	/* Guest errors the vCPU loop saw (unknown exits, bad I/O sizes). */
	_Atomic uint64_t bad_exits;
};

/*
 * ioctl wrappers in the style of KVM selftests: the checked one names the
 * failing ioctl in the log and returns -errno.
 */
int kvm_ioctl_named(int fd, unsigned long req, void *arg, const char *name) must_check;
#define kvm_ioctl(fd, req, arg) kvm_ioctl_named((fd), (req), (arg), #req)

int kvm_cpuid_setup(struct accel_vcpu *vcpu) must_check;
int kvm_vcpu_init_x86(struct accel_vcpu *vcpu) must_check;
void kvm_vcpu_dump_regs(struct accel_vcpu *vcpu);

/* vCPU entry points (kvm_vcpu.c), wired into kvm_accel_ops in kvm.c. */
int kvm_vcpu_create(struct accel_vm *vm, unsigned index, struct accel_vcpu **out);
void kvm_vcpu_destroy(struct accel_vcpu *vcpu);
int kvm_vcpu_get_regs(struct accel_vcpu *vcpu, struct accel_regs *regs);
int kvm_vcpu_set_regs(struct accel_vcpu *vcpu, const struct accel_regs *regs);
enum accel_run_exit kvm_vcpu_run(struct accel_vcpu *vcpu);
void kvm_vcpu_kick(struct accel_vcpu *vcpu);

extern const struct accel_ops kvm_accel_ops;

#endif
