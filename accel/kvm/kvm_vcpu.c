/*
 * KVM vCPUs: creation, the run loop (PIO/MMIO exits go to the buses), the
 * kick that makes KVM_RUN return, register transfer and the crash dump.
 */
#include "accel/kvm/kvm_int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"

/* The kick signal: its handler does nothing; its delivery ends KVM_RUN with EINTR. */
#define KVM_KICK_SIGNAL (SIGRTMIN + 1)

static void kick_handler(int sig)
{
	(void)sig;
}

static void install_kick_handler_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(KVM_KICK_SIGNAL, &sa, NULL);
}

int kvm_vcpu_create(struct accel_vm *vm, unsigned index, struct accel_vcpu **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct accel_vcpu *v;
	int ret;

	pthread_once(&once, install_kick_handler_once);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->index = index;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		ret = -errno;
		log_err("kvm: KVM_CREATE_VCPU %u failed: %s", index, strerror(errno));
		goto err_free;
	}
	v->run = mmap(NULL, (size_t)vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	ret = kvm_cpuid_setup(v);
	if (ret < 0)
		goto err_unmap;
	ret = kvm_vcpu_init_x86(v);
	if (ret < 0)
		goto err_unmap;
	*out = v;
	return 0;

err_unmap:
	munmap(v->run, (size_t)vm->vcpu_mmap_size);
err_close:
	close(v->fd);
err_free:
	free(v);
	return ret;
}

void kvm_vcpu_destroy(struct accel_vcpu *v)
{
	if (!v)
		return;
	munmap(v->run, (size_t)v->vm->vcpu_mmap_size);
	close(v->fd);
	free(v);
}

void kvm_vcpu_kick(struct accel_vcpu *v)
{
	atomic_store(&v->kicked, true);
	/* api.rst: immediate_exit makes a KVM_RUN that has not entered yet return EINTR. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (atomic_load(&v->thread_known) && !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, KVM_KICK_SIGNAL);
}

static void kvm_handle_io(struct accel_vcpu *v)
{
	struct kvm_run *run = v->run;
	struct io_bus *bus = v->vm->cfg.pio;
	unsigned size = run->io.size, i;
	uint8_t *data;

	/* The in-kernel side bounds data_offset + size*count by the run page. */
	if (run->io.data_offset + (uint64_t)size * run->io.count > (uint64_t)v->vm->vcpu_mmap_size ||
	    (size != 1 && size != 2 && size != 4) || !bus) {
		guest_err(&v->bad_exits, "vcpu%u: bad PIO exit (port 0x%x size %u)", v->index,
			  run->io.port, size);
		return;
	}
	data = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < run->io.count; i++, data += size) {
		uint64_t val = 0;

		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&val, data, size);
			io_bus_write(bus, run->io.port, size, val);
		} else {
			io_bus_read(bus, run->io.port, size, &val);
			memcpy(data, &val, size);
		}
	}
}

static void kvm_handle_mmio(struct accel_vcpu *v)
{
	struct kvm_run *run = v->run;
	unsigned len = run->mmio.len;
	uint64_t val = 0;

	if (len == 0 || len > 8 || !v->vm->cfg.mmio) {
		guest_err(&v->bad_exits, "vcpu%u: bad MMIO exit (len %u)", v->index, len);
		return;
	}
	if (run->mmio.is_write) {
		memcpy(&val, run->mmio.data, len);
		io_bus_write(v->vm->cfg.mmio, run->mmio.phys_addr, len, val);
	} else {
		io_bus_read(v->vm->cfg.mmio, run->mmio.phys_addr, len, &val);
		memcpy(run->mmio.data, &val, len);
	}
}

static enum accel_run_exit kvm_report_crash(struct accel_vcpu *v, const char *what)
{
	struct kvm_run *run = v->run;
	unsigned i;

	fprintf(stderr, "\r\nvmm: vcpu%u: %s\r\n", v->index, what);
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR) {
		fprintf(stderr, "  suberror %u", run->internal.suberror);
		for (i = 0; i < run->internal.ndata && i < 16; i++)
			fprintf(stderr, " data[%u]=0x%llx", i,
				(unsigned long long)run->internal.data[i]);
		fprintf(stderr, "\r\n");
	} else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY) {
		fprintf(stderr, "  hardware entry failure reason 0x%llx\r\n",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	}
	kvm_vcpu_dump_regs(v);
	return run->exit_reason == KVM_EXIT_SHUTDOWN ? ACCEL_EXIT_SHUTDOWN : ACCEL_EXIT_CRASH;
}

enum accel_run_exit kvm_vcpu_run(struct accel_vcpu *v)
{
	struct kvm_run *run = v->run;

	if (!atomic_load(&v->thread_known)) {
		v->thread = pthread_self();
		atomic_store(&v->thread_known, true);
	}
	for (;;) {
		if (atomic_load(&v->kicked)) {
			atomic_store(&v->kicked, false);
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			return ACCEL_EXIT_STOPPED;
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_err("kvm: vcpu%u: KVM_RUN failed: %s", v->index, strerror(errno));
			kvm_vcpu_dump_regs(v);
			return ACCEL_EXIT_CRASH;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			kvm_handle_io(v);
			break;
		case KVM_EXIT_MMIO:
			kvm_handle_mmio(v);
			break;
		case KVM_EXIT_HLT:
			/* Only without an in-kernel LAPIC; ours has one. Treat as a poll. */
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SHUTDOWN:
			return kvm_report_crash(v, "triple fault (KVM_EXIT_SHUTDOWN)");
		case KVM_EXIT_INTERNAL_ERROR:
			return kvm_report_crash(v, "KVM internal error");
		case KVM_EXIT_FAIL_ENTRY:
			return kvm_report_crash(v, "VM entry failed");
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
				vm_stop_request(v->vm->cfg.stop, VM_STOP_POWEROFF, 0);
				break;
			}
			if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
				vm_stop_request(v->vm->cfg.stop, VM_STOP_RESET, 0);
				break;
			}
			return kvm_report_crash(v, "guest crash system event");
		default:
			guest_err(&v->bad_exits, "vcpu%u: unhandled KVM exit %u", v->index,
				  run->exit_reason);
			return kvm_report_crash(v, "unhandled exit");
		}
	}
}
