/*
 * accel_ops for RISC-V guests on the JIT (see rv_accel.h). A halted hart
 * (wfi) sleeps on a condition variable until it is kicked or an interrupt
 * may have arrived (bounded wait, so device interrupts of the next issue are
 * noticed without a wake-up path of their own).
 */
#include "accel/tcg/riscv64/rv_accel.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/tcg/riscv64/cpu.h"
#include "common/log.h"

#define RV_HALT_WAIT_NS (10 * 1000 * 1000)

struct accel_vm {
	struct tcg_ctx *ctx;
	enum tcg_backend_kind backend;
	const struct guest_mem *mem;
	struct io_bus *mmio;
};

struct accel_vcpu {
	struct accel_vm *vm;
	struct tcg_cpu *cpu;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked;
};

static int rv_probe(enum guest_arch arch, char *why, size_t why_len)
{
	if (arch == ARCH_RISCV64)
		return 0;
	snprintf(why, why_len, "the JIT has no frontend for this guest architecture");
	return -ENODEV;
}

static unsigned rv_max_vcpus(void)
{
	return 1; /* one vCPU per context for now (tcg.h "Threads") */
}

static int rv_vm_create(const struct accel_vm_config *cfg, struct accel_vm **out)
{
	struct accel_vm *vm;

	if (cfg->arch != ARCH_RISCV64)
		return -ENODEV;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->backend = TCG_BACKEND_KIND_AUTO;
	vm->mem = cfg->mem;
	vm->mmio = cfg->mmio;
	*out = vm;
	return 0;
}

static void rv_vm_destroy(struct accel_vm *vm)
{
	if (vm->ctx)
		tcg_ctx_free(vm->ctx);
	free(vm);
}

void rv_tcg_vm_set_backend(struct accel_vm *vm, enum tcg_backend_kind backend)
{
	vm->backend = backend;
}

static int rv_map_ram(struct accel_vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	return 0; /* the context reads the guest_mem map itself */
}

static int rv_ctx_create(struct accel_vm *vm)
{
	struct tcg_ctx_config cfg = {
	    .fe = &rv_frontend_ops,
	    .backend = vm->backend,
	    .mem = vm->mem,
	    .mmio = vm->mmio,
	};
	int ret = tcg_ctx_new(&cfg, &vm->ctx);

	if (ret == -ENODEV)
		log_err("the native JIT backend is not available on this host "
			"(--tcg-backend=interp works everywhere)");
	else if (ret < 0)
		log_err("cannot create the JIT context: %s", strerror(-ret));
	return ret;
}

static int rv_vcpu_create(struct accel_vm *vm, unsigned index, struct accel_vcpu **out)
{
	struct accel_vcpu *v;
	int ret;

	if (!vm->ctx) {
		ret = rv_ctx_create(vm);
		if (ret < 0)
			return ret;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = tcg_cpu_new(vm->ctx, index, &v->cpu);
	if (ret < 0) {
		free(v);
		return ret;
	}
	v->vm = vm;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->wake, NULL);
	rv_cpu_reset(rv_cpu(v->cpu), 0, 0);
	*out = v;
	return 0;
}

static void rv_vcpu_destroy(struct accel_vcpu *v)
{
	tcg_cpu_free(v->cpu);
	pthread_cond_destroy(&v->wake);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

void rv_tcg_vcpu_reset(struct accel_vcpu *v, uint64_t entry, uint64_t a1)
{
	rv_cpu_reset(rv_cpu(v->cpu), entry, a1);
}

struct tcg_cpu *rv_tcg_vcpu_cpu(struct accel_vcpu *v)
{
	return v->cpu;
}

static int rv_get_regs(struct accel_vcpu *v, struct accel_regs *regs)
{
	return -ENOTSUP;
}

static int rv_set_regs(struct accel_vcpu *v, const struct accel_regs *regs)
{
	return -ENOTSUP;
}

/* Sleep while halted, until kicked or for a bounded time. */
static void rv_halt_wait(struct accel_vcpu *v)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += RV_HALT_WAIT_NS;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&v->lock);
	while (!v->kicked)
		if (pthread_cond_timedwait(&v->wake, &v->lock, &ts) == ETIMEDOUT)
			break;
	v->kicked = false;
	pthread_mutex_unlock(&v->lock);
}

static enum accel_run_exit rv_vcpu_run(struct accel_vcpu *v)
{
	switch (tcg_cpu_exec(v->cpu)) {
	case TCG_EXEC_STOPPED:
		return ACCEL_EXIT_STOPPED;
	case TCG_EXEC_HALTED:
		/* The next run checks for interrupts first (exec_interrupt). */
		rv_halt_wait(v);
		return ACCEL_EXIT_STOPPED;
	case TCG_EXEC_ERROR:
		break;
	}
	return ACCEL_EXIT_CRASH;
}

static void rv_vcpu_kick(struct accel_vcpu *v)
{
	tcg_cpu_stop(v->cpu);
	pthread_mutex_lock(&v->lock);
	v->kicked = true;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
}

static void rv_vcpu_dump(struct accel_vcpu *v)
{
	rv_frontend_ops.dump(v->cpu);
}

static int rv_set_irq_line(struct accel_vm *vm, unsigned gsi, bool level)
{
	return 0; /* no interrupt controller yet (PLIC: next issue) */
}

static int rv_add_ioeventfd(struct accel_vm *vm, bool pio, uint64_t addr, unsigned len, int fd,
			    bool match, uint64_t datamatch)
{
	return -ENOTSUP;
}

static int rv_add_irqfd(struct accel_vm *vm, unsigned gsi, int fd)
{
	return -ENOTSUP;
}

const struct accel_ops rv_tcg_accel_ops = {
    .name = "tcg",
    .probe = rv_probe,
    .max_vcpus = rv_max_vcpus,
    .vm_create = rv_vm_create,
    .vm_destroy = rv_vm_destroy,
    .map_ram = rv_map_ram,
    .vcpu_create = rv_vcpu_create,
    .vcpu_destroy = rv_vcpu_destroy,
    .get_regs = rv_get_regs,
    .set_regs = rv_set_regs,
    .vcpu_run = rv_vcpu_run,
    .vcpu_kick = rv_vcpu_kick,
    .vcpu_dump = rv_vcpu_dump,
    .set_irq_line = rv_set_irq_line,
    .add_ioeventfd = rv_add_ioeventfd,
    .add_irqfd = rv_add_irqfd,
};
