/*
 * accel_ops for RISC-V guests on the JIT (see rv_accel.h).
 *
 * Waiting: a hart in wfi sleeps on its condition variable until an
 * interrupt for it is pending (devices and other harts wake it) or its
 * timer deadline passes (the wait's timeout) - no polling. A running hart
 * learns about a passed deadline from the timer thread, which sleeps until
 * the earliest deadline of all harts and kicks the hart out of generated
 * code, so timer interrupts arrive between blocks.
 *
 * Harts other than 0 of a direct S-mode boot start stopped (SBI HSM) and
 * sleep until hart_start.
 */
#include "accel/tcg/riscv64/rv_accel.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/riscv64/sbi.h"
#include "common/log.h"

/* A stopped hart looks at the machine's stop state this often. */
#define RV_IDLE_WAIT_NS (200 * 1000 * 1000ULL)
/*
 * A remote fence waits until every target hart has flushed; past this
 * (a hart stuck outside the JIT, e.g. blocked in a host write) it logs and
 * goes on rather than hang the guest.
 */
#define RV_FENCE_WAIT_NS (10 * 1000 * 1000 * 1000ULL)

struct accel_vcpu {
	struct accel_vm *vm;
	struct tcg_cpu *cpu;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked;
	_Atomic int hsm; /* enum rv_hsm_state */
	uint64_t fired;	 /* the deadline the timer thread last kicked for */
	uint64_t start_entry, start_opaque; /* HSM hart_start arguments */
};

struct accel_vm {
	struct tcg_ctx *ctx;
	enum tcg_backend_kind backend;
	const struct guest_mem *mem;
	struct io_bus *mmio;
	int (*thread_init)(void *opaque);
	void *thread_init_opaque;
	uint64_t time_base_ns;
	unsigned nvcpus;
	struct accel_vcpu *vcpus[RV_MAX_HARTS];
	struct rv_sbi sbi;
	bool sbi_on;
	/* The timer thread. */
	pthread_t timer;
	bool timer_started, timer_quit, timer_dirty;
	pthread_mutex_t tlock;
	pthread_cond_t tcond;
	/* A device timer (the ACLINT of firmware boots), polled by the timer thread. */
	uint64_t (*src_next_ns)(void *opaque);
	void (*src_update)(void *opaque);
	void *src_opaque;
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
	return RV_MAX_HARTS;
}

static void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

static struct timespec abs_ns(uint64_t ns)
{
	return (struct timespec){.tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_nsec = (long)(ns % 1000000000ULL)};
}

static int rv_vm_create(const struct accel_vm_config *cfg, struct accel_vm **out)
{
	struct accel_vm *vm;

	if (cfg->arch != ARCH_RISCV64)
		return -ENODEV;
	/*
	 * The JIT allocates blocks on the vCPU threads. glibc's per-thread
	 * arenas read /proc/sys/vm/overcommit_memory when they shrink (after a
	 * TB flush frees much), an open() the vCPU seccomp filter kills: keep
	 * every thread on the main (brk) arena.
	 */
	mallopt(M_ARENA_MAX, 1);
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->backend = TCG_BACKEND_KIND_AUTO;
	vm->mem = cfg->mem;
	vm->mmio = cfg->mmio;
	vm->thread_init = cfg->thread_init;
	vm->thread_init_opaque = cfg->thread_init_opaque;
	vm->time_base_ns = monotonic_ns();
	pthread_mutex_init(&vm->tlock, NULL);
	cond_init_monotonic(&vm->tcond);
	*out = vm;
	return 0;
}

static void timer_stop(struct accel_vm *vm)
{
	if (!vm->timer_started)
		return;
	pthread_mutex_lock(&vm->tlock);
	vm->timer_quit = true;
	pthread_cond_signal(&vm->tcond);
	pthread_mutex_unlock(&vm->tlock);
	pthread_join(vm->timer, NULL);
	vm->timer_started = false;
}

/* Debugging aid: VMM_TCG_STATS=1 prints the JIT's counters at the end. */
static void print_stats(struct accel_vm *vm)
{
	struct tcg_stats st;

	if (!vm->ctx || !getenv("VMM_TCG_STATS"))
		return;
	tcg_ctx_stats(vm->ctx, &st);
	fprintf(stderr,
		"tcg: %llu blocks translated, %llu invalidated, %llu flushes, %llu chains, "
		"%zu code bytes, %llu exec-loop lookups (%llu from the hash), "
		"%llu slow-path accesses\n",
		(unsigned long long)st.tbs_translated, (unsigned long long)st.tbs_invalidated,
		(unsigned long long)st.tb_flushes, (unsigned long long)st.chains, st.code_used,
		(unsigned long long)st.lookups, (unsigned long long)st.hash_lookups,
		(unsigned long long)st.slow_accesses);
}

static void rv_vm_destroy(struct accel_vm *vm)
{
	timer_stop(vm);
	print_stats(vm);
	if (vm->ctx)
		tcg_ctx_free(vm->ctx);
	pthread_cond_destroy(&vm->tcond);
	pthread_mutex_destroy(&vm->tlock);
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

/* Wake @v's thread if it sleeps (wfi, stopped hart). */
static void wake(struct accel_vcpu *v)
{
	pthread_mutex_lock(&v->lock);
	v->kicked = true;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
}

/* ---- the timer thread ---- */

static void timer_changed(void *opaque)
{
	struct accel_vcpu *v = opaque;
	struct accel_vm *vm = v->vm;

	pthread_mutex_lock(&vm->tlock);
	vm->timer_dirty = true;
	pthread_cond_signal(&vm->tcond);
	pthread_mutex_unlock(&vm->tlock);
}

/* Kick harts whose deadline passed; return the next deadline (UINT64_MAX: none). */
static uint64_t timer_scan(struct accel_vm *vm)
{
	uint64_t now = monotonic_ns(), next = UINT64_MAX;

	/* Under tlock, so that rv_tcg_vm_set_timer_source(NULL) waits for us. */
	pthread_mutex_lock(&vm->tlock);
	if (vm->src_next_ns) {
		uint64_t d = vm->src_next_ns(vm->src_opaque);
		if (d <= now) {
			vm->src_update(vm->src_opaque); /* raises the lines: wakes the harts */
			d = vm->src_next_ns(vm->src_opaque);
		}
		if (d > now)
			next = d;
	}
	pthread_mutex_unlock(&vm->tlock);

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct accel_vcpu *v = vm->vcpus[i];
		uint64_t d = rv_cpu_deadline_ns(rv_cpu(v->cpu));
		if (d == UINT64_MAX || d == v->fired)
			continue;
		if (d <= now) {
			v->fired = d;
			tcg_cpu_kick(v->cpu);
			wake(v);
		} else {
			next = MIN(next, d);
		}
	}
	return next;
}

static void *timer_thread(void *opaque)
{
	struct accel_vm *vm = opaque;
	struct timespec ts;

	if (vm->thread_init && vm->thread_init(vm->thread_init_opaque) < 0)
		return NULL;
	pthread_mutex_lock(&vm->tlock);
	while (!vm->timer_quit) {
		uint64_t next;
		vm->timer_dirty = false;
		pthread_mutex_unlock(&vm->tlock);
		next = timer_scan(vm);
		pthread_mutex_lock(&vm->tlock);
		if (vm->timer_dirty || vm->timer_quit)
			continue;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&vm->tcond, &vm->tlock);
			continue;
		}
		ts = abs_ns(next);
		pthread_cond_timedwait(&vm->tcond, &vm->tlock, &ts);
	}
	pthread_mutex_unlock(&vm->tlock);
	return NULL;
}

static int timer_start(struct accel_vm *vm)
{
	int ret = pthread_create(&vm->timer, NULL, timer_thread, vm);

	if (ret)
		return -ret;
	vm->timer_started = true;
	return 0;
}

/* ---- vCPUs ---- */

static void sbi_call(void *opaque, struct rv_cpu *cpu)
{
	struct accel_vcpu *v = opaque;

	rv_sbi_call(&v->vm->sbi, cpu);
}

static void vcpu_env(struct accel_vcpu *v)
{
	struct rv_cpu *cpu = rv_cpu(v->cpu);

	cpu->env.timer_changed = timer_changed;
	cpu->env.sbi_call = v->vm->sbi_on ? sbi_call : NULL;
	cpu->env.opaque = v;
	cpu->env.mem = v->vm->mem;
	cpu->time_base_ns = v->vm->time_base_ns;
}

static int rv_vcpu_create(struct accel_vm *vm, unsigned index, struct accel_vcpu **out)
{
	struct accel_vcpu *v;
	int ret;

	if (index >= RV_MAX_HARTS || vm->vcpus[index])
		return -EINVAL;
	if (!vm->ctx) {
		ret = rv_ctx_create(vm);
		if (ret == 0)
			ret = timer_start(vm);
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
	cond_init_monotonic(&v->wake);
	v->hsm = RV_HSM_STARTED;
	vcpu_env(v);
	rv_cpu_reset(rv_cpu(v->cpu), 0, 0);
	pthread_mutex_lock(&vm->tlock);
	vm->vcpus[index] = v;
	if (index >= vm->nvcpus)
		vm->nvcpus = index + 1;
	pthread_mutex_unlock(&vm->tlock);
	*out = v;
	return 0;
}

static void rv_vcpu_destroy(struct accel_vcpu *v)
{
	struct accel_vm *vm = v->vm;
	struct rv_cpu *cpu = rv_cpu(v->cpu);

	if (getenv("VMM_TCG_STATS"))
		fprintf(stderr,
			"hart %u: %llu instructions, TLB flushed %llu times, %llu pages, "
			"%llu address-space switches\n",
			v->cpu->index, (unsigned long long)cpu->tcg.instret,
			(unsigned long long)cpu->flushes_all, (unsigned long long)cpu->flushes_page,
			(unsigned long long)cpu->flushes_asid);

	timer_stop(vm); /* it reads every hart */
	vm->vcpus[v->cpu->index] = NULL;
	tcg_cpu_free(v->cpu);
	pthread_cond_destroy(&v->wake);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

void rv_tcg_vcpu_reset(struct accel_vcpu *v, uint64_t entry, uint64_t a1)
{
	rv_cpu_reset(rv_cpu(v->cpu), entry, a1);
}

/*
 * What an SBI firmware leaves for the kernel it boots (SBI spec §4 of the
 * boot flow, as OpenSBI does): every exception but ecalls from S and M and
 * every S interrupt delegated, counters and stimecmp usable from S, the
 * cache-block operations enabled.
 */
static void enter_s_mode(struct rv_cpu *cpu, uint64_t entry, uint64_t a1)
{
	rv_cpu_reset(cpu, entry, a1);
	cpu->medeleg = 0xb1ffULL & ~(1ULL << RV_EXCP_ECALL_S);
	cpu->mideleg = RV_S_INTS;
	cpu->mcounteren = 7;
	/* OpenSBI also opens the counters to U-mode: Linux relies on it for rdtime in user space (vDSO). */
	cpu->scounteren = 7;
	cpu->menvcfg = RV_MENVCFG_STCE | RV_MENVCFG_PBMTE | RV_MENVCFG_CBIE | RV_MENVCFG_CBCFE |
		       RV_MENVCFG_CBZE;
	cpu->mstatus = (uint64_t)RV_PRIV_S << RV_MSTATUS_MPP_SHIFT;
	cpu->priv = RV_PRIV_S;
	rv_cpu_update_flags(cpu);
}

void rv_tcg_vcpu_boot_s(struct accel_vcpu *v, uint64_t entry, uint64_t a1)
{
	struct rv_cpu *cpu = rv_cpu(v->cpu);

	enter_s_mode(cpu, entry, a1);
	v->hsm = v->cpu->index == 0 ? RV_HSM_STARTED : RV_HSM_STOPPED;
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

/* Sleep until @done(v) or a kick, at most until @deadline (ns, CLOCK_MONOTONIC). */
static void sleep_until(struct accel_vcpu *v, bool (*done)(struct accel_vcpu *v),
			uint64_t deadline)
{
	struct timespec ts = abs_ns(deadline);

	pthread_mutex_lock(&v->lock);
	while (!v->kicked && !done(v))
		if (pthread_cond_timedwait(&v->wake, &v->lock, &ts) == ETIMEDOUT)
			break;
	v->kicked = false;
	pthread_mutex_unlock(&v->lock);
}

static bool halt_done(struct accel_vcpu *v)
{
	struct rv_cpu *cpu = rv_cpu(v->cpu);

	return rv_cpu_wfi_wake(cpu) || atomic_load(&cpu->tlb_flush_pending);
}

static bool started(struct accel_vcpu *v)
{
	return v->hsm != RV_HSM_STOPPED;
}

static enum accel_run_exit rv_vcpu_run(struct accel_vcpu *v)
{
	struct rv_cpu *cpu = rv_cpu(v->cpu);
	uint64_t now = monotonic_ns(), deadline;

	if (v->hsm == RV_HSM_STOPPED) {
		atomic_store(&cpu->tlb_flush_pending, false);
		sleep_until(v, started, now + RV_IDLE_WAIT_NS);
		return ACCEL_EXIT_STOPPED;
	}
	if (v->hsm == RV_HSM_START_PENDING) {
		/* SBI §9.1: S-mode, satp = 0, SIE = 0, a0 = hart id, a1 = opaque. */
		pthread_mutex_lock(&v->lock);
		enter_s_mode(cpu, v->start_entry, v->start_opaque);
		v->hsm = RV_HSM_STARTED;
		pthread_mutex_unlock(&v->lock);
		timer_changed(v);
	}
	switch (tcg_cpu_exec(v->cpu)) {
	case TCG_EXEC_STOPPED:
		return ACCEL_EXIT_STOPPED;
	case TCG_EXEC_HALTED:
		/* The next run checks for interrupts first (exec_interrupt). */
		deadline = rv_cpu_deadline_ns(cpu);
		if (deadline <= now) /* passed, its interrupt not enabled: not a wake-up */
			deadline = UINT64_MAX;
		sleep_until(v, halt_done, MIN(deadline, now + RV_IDLE_WAIT_NS));
		tcg_cpu_kick(v->cpu);
		return ACCEL_EXIT_STOPPED;
	case TCG_EXEC_ERROR:
		break;
	}
	return ACCEL_EXIT_CRASH;
}

static void rv_vcpu_kick(struct accel_vcpu *v)
{
	tcg_cpu_stop(v->cpu);
	wake(v);
}

static void rv_vcpu_dump(struct accel_vcpu *v)
{
	rv_frontend_ops.dump(v->cpu);
}

static int rv_set_irq_line(struct accel_vm *vm, unsigned gsi, bool level)
{
	return 0; /* devices are wired to the PLIC (hw/plic.h), not to the accelerator */
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

/* ---- interrupts and hart control for the machine and SBI ---- */

void rv_tcg_set_mip(struct accel_vm *vm, unsigned hart, uint64_t bits, bool level)
{
	struct accel_vcpu *v = hart < RV_MAX_HARTS ? vm->vcpus[hart] : NULL;

	if (!v)
		return;
	rv_cpu_set_mip(rv_cpu(v->cpu), bits, level);
	if (level)
		wake(v);
}

void rv_tcg_set_ext_irq(void *opaque, unsigned hart, unsigned mode, bool level)
{
	rv_tcg_set_mip(opaque, hart, mode == RV_PRIV_M ? RV_MIP_MEIP : RV_MIP_SEIP, level);
}

unsigned rv_accel_nharts(struct accel_vm *vm)
{
	return vm->nvcpus;
}

int rv_accel_hart_status(struct accel_vm *vm, unsigned hart)
{
	if (hart >= vm->nvcpus || !vm->vcpus[hart])
		return -1;
	return vm->vcpus[hart]->hsm;
}

int rv_accel_hart_start(struct accel_vm *vm, unsigned hart, uint64_t entry, uint64_t opaque)
{
	struct accel_vcpu *v = hart < vm->nvcpus ? vm->vcpus[hart] : NULL;
	int expect = RV_HSM_STOPPED;

	if (!v)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (v->hsm != expect) {
		pthread_mutex_unlock(&v->lock);
		return -EALREADY;
	}
	v->start_entry = entry;
	v->start_opaque = opaque;
	v->hsm = RV_HSM_START_PENDING; /* the hart's own thread sets it up */
	v->kicked = true;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

void rv_accel_hart_stop(struct accel_vm *vm, struct rv_cpu *cpu)
{
	struct accel_vcpu *v = vm->vcpus[cpu->tcg.index];

	v->hsm = RV_HSM_STOPPED;
	cpu->tcg.halted = true; /* leave the exec loop; vcpu_run sees STOPPED */
	tcg_cpu_stop(&cpu->tcg);
}

void rv_accel_send_ipi(struct accel_vm *vm, unsigned hart)
{
	rv_tcg_set_mip(vm, hart, RV_MIP_SSIP, true);
}

/*
 * Remote sfence.vma: each target flushes its whole TLB at its next block
 * boundary (or in its wfi sleep); the caller waits until all have (SBI
 * RFENCE semantics). While waiting it flushes its own TLB when asked and
 * steps aside for an exclusive section (a target may be the one waiting
 * for everybody to park); it stops waiting when the VM stops, and after
 * RV_FENCE_WAIT_NS with a warning.
 */
void rv_accel_remote_flush(struct accel_vm *vm, struct rv_cpu *self, uint64_t mask)
{
	uint64_t end = monotonic_ns() + RV_FENCE_WAIT_NS;
	bool waiting = true;

	for (unsigned h = 0; h < vm->nvcpus; h++) {
		struct accel_vcpu *v = vm->vcpus[h];
		if (!v || !((mask >> h) & 1))
			continue;
		if (v->cpu == &self->tcg) {
			rv_mmu_flush(self, true, 0);
			continue;
		}
		if (v->hsm != RV_HSM_STARTED)
			continue;
		atomic_store(&rv_cpu(v->cpu)->tlb_flush_pending, true);
		tcg_cpu_kick(v->cpu);
		wake(v);
	}
	while (waiting && monotonic_ns() < end) {
		waiting = false;
		for (unsigned h = 0; h < vm->nvcpus; h++) {
			struct accel_vcpu *v = vm->vcpus[h];
			if (v && ((mask >> h) & 1) && v->hsm == RV_HSM_STARTED &&
			    atomic_load(&rv_cpu(v->cpu)->tlb_flush_pending))
				waiting = true;
		}
		if (atomic_exchange(&self->tlb_flush_pending, false))
			rv_mmu_flush(self, true, 0);
		if (!waiting || atomic_load(&self->tcg.stop_request))
			break;
		tcg_cpu_yield_exclusive(&self->tcg);
		sched_yield();
	}
	if (waiting && !atomic_load(&self->tcg.stop_request))
		log_warn("riscv64: remote sfence.vma from hart %u: a hart did not flush in %llu s",
			 self->tcg.index, (unsigned long long)(RV_FENCE_WAIT_NS / 1000000000ULL));
}

void rv_tcg_vm_set_timer_source(struct accel_vm *vm, uint64_t (*next_ns)(void *opaque),
				void (*update)(void *opaque), void *opaque)
{
	pthread_mutex_lock(&vm->tlock);
	vm->src_next_ns = next_ns;
	vm->src_update = update;
	vm->src_opaque = opaque;
	vm->timer_dirty = true;
	pthread_cond_signal(&vm->tcond);
	pthread_mutex_unlock(&vm->tlock);
}

void rv_tcg_vm_timer_changed(struct accel_vm *vm)
{
	pthread_mutex_lock(&vm->tlock);
	vm->timer_dirty = true;
	pthread_cond_signal(&vm->tcond);
	pthread_mutex_unlock(&vm->tlock);
}

uint64_t rv_tcg_vm_time(struct accel_vm *vm)
{
	return (monotonic_ns() - vm->time_base_ns) / (1000000000ULL / RV_TIMEBASE_HZ);
}

void rv_tcg_vcpu_reset_fw(struct accel_vcpu *v, uint64_t entry, uint64_t a1, uint64_t a2)
{
	rv_cpu_reset(rv_cpu(v->cpu), entry, a1);
	rv_cpu(v->cpu)->x[12] = a2;
}

/*
 * Page by page: tcg_invalidate_phys_range() answers a range within one
 * page that misses the page's translated code without taking the JIT's
 * lock (one load of the page's block list and its code extent), so a
 * multi-page device buffer over data costs a load per page, not a lock.
 */
void rv_tcg_vm_dma_written(void *opaque, uint64_t gpa, uint64_t len)
{
	struct accel_vm *vm = opaque;
	uint64_t end = gpa + len;

	if (!vm->ctx || len == 0 || end < gpa)
		return;
	while (gpa < end) {
		uint64_t next = (gpa & TCG_PAGE_MASK) + TCG_PAGE_SIZE;
		uint64_t n = (next < gpa || next > end ? end : next) - gpa;

		tcg_invalidate_phys_range(vm->ctx, gpa, n);
		gpa += n;
	}
}

void rv_tcg_vm_set_sbi(struct accel_vm *vm, const struct rv_sbi_host *host)
{
	vm->sbi.host = *host;
	vm->sbi.vm = vm;
	vm->sbi_on = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i])
			vcpu_env(vm->vcpus[i]);
}

const struct accel_ops rv_tcg_accel_ops = {
    .name = "tcg",
    /* Every guest access goes through host pointers: host TLB reach matters. */
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
