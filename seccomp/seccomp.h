/*
 * Per-thread seccomp filters. After set-up each thread installs the filter
 * of its kind: only the system calls (and, for ioctl, the requests) that the
 * thread needs from then on are allowed; anything else kills the process
 * (--seccomp=log logs instead, --seccomp=off installs nothing).
 */
#ifndef VMM_SECCOMP_SECCOMP_H
#define VMM_SECCOMP_SECCOMP_H

#include "common/compiler.h"
#include "vmm/config.h"

enum seccomp_thread {
	SECCOMP_THREAD_MAIN, /* event loop: console, signals, stop, teardown */
	SECCOMP_THREAD_VCPU, /* KVM_RUN and device register handlers */
	SECCOMP_THREAD_IO,   /* the virtio I/O thread: one io_uring */
	SECCOMP_THREAD_TIMER, /* the JIT's timer thread: waits, kicks vCPUs */
	SECCOMP_THREAD_KINDS
};

int seccomp_install(enum seccomp_thread kind, enum seccomp_mode mode) must_check;

/* Number of rules in a thread's table (tests). */
unsigned seccomp_rule_count(enum seccomp_thread kind);

#endif
