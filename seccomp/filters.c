/*
 * The filter tables, one per thread kind. Each rule says why the thread
 * needs the call. ioctl is allowed only for the listed request numbers.
 * Rules for both kinds first, then per kind.
 */
#include "seccomp/filters.h"

#include <linux/kvm.h>
#include <sys/syscall.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include "common/compiler.h"

/* Calls every thread needs after set-up. */
#define COMMON_RULES                                                                       \
	{SYS_read, 0, "eventfds, signalfd, stdin"},                                      \
	{SYS_write, 0, "console output, eventfd wake-ups, log lines"},                   \
	{SYS_writev, 0, "stdio may write the log with writev"},                          \
	{SYS_futex, 0, "mutexes of devices, pthread_join"},                              \
	{SYS_rt_sigreturn, 0, "return from the vCPU kick signal handler"},               \
	{SYS_restart_syscall, 0, "a timed wait resumed after SIGSTOP or ptrace"},        \
	{SYS_rt_sigprocmask, 0, "pthread and libc signal masking"},                      \
	{SYS_tgkill, 0, "pthread_kill: kicking a vCPU out of KVM_RUN"},                  \
	{SYS_getpid, 0, "pthread_kill, raise"},                                          \
	{SYS_gettid, 0, "pthread_kill, sanitizer runtime"},                              \
	{SYS_clock_gettime, 0, "RTC, rate limiter (when the vDSO is not used)"},         \
	{SYS_clock_nanosleep, 0, "usleep on a full console"},                            \
	{SYS_nanosleep, 0, "usleep on a full console"},                                  \
	{SYS_sched_yield, 0, "spin-wait back-off"},                                      \
	{SYS_mmap, 0, "malloc of large blocks"},                                         \
	{SYS_munmap, 0, "free of large blocks, teardown"},                               \
	{SYS_mprotect, 0, "malloc arena growth"},                                        \
	{SYS_madvise, 0, "malloc trimming, freeing thread stacks"},                      \
	{SYS_brk, 0, "malloc"},                                                          \
	{SYS_sigaltstack, 0, "sanitizer runtime and thread exit"},                       \
	{SYS_exit, 0, "thread exit"},                                                    \
	{SYS_exit_group, 0, "process exit"},                                             \
	{SYS_close, 0, "teardown of fds"}

static const struct seccomp_rule main_rules[] = {
	COMMON_RULES,
	{SYS_poll, 0, "the main event loop"},
	{SYS_ppoll, 0, "the main event loop (libc may use ppoll)"},
	{SYS_fsync, 0, "console file flush on exit"},
	{SYS_mincore, 0, "start-up tracing: how much guest RAM is resident"},
	{SYS_ioctl, KVM_IRQ_LINE, "UART input raises its interrupt line"},
	{SYS_ioctl, KVM_GET_REGS, "register dump at stop (-vv)"},
	{SYS_ioctl, KVM_GET_SREGS, "register dump at stop (-vv)"},
	{SYS_ioctl, TCGETS, "isatty() and terminal restore"},
	{SYS_ioctl, TCSETS, "terminal restore on exit"},
	{SYS_ioctl, TCSETSW, "terminal restore on exit"},
	{SYS_ioctl, TCSETSF, "terminal restore on exit"},
	{SYS_io_uring_enter, 0, "shutdown: draining in-flight virtio requests"},
};

static const struct seccomp_rule vcpu_rules[] = {
	COMMON_RULES,
	{SYS_ioctl, KVM_RUN, "run the vCPU"},
	{SYS_ioctl, KVM_IRQ_LINE, "device register writes raise or lower lines"},
	{SYS_ioctl, KVM_GET_REGS, "register dump on a crash"},
	{SYS_ioctl, KVM_GET_SREGS, "register dump on a crash"},
	{SYS_ioctl, TUNSETOFFLOAD, "virtio-net: offloads the driver accepted (DRIVER_OK)"},
	{SYS_ioctl, TUNSETQUEUE, "virtio-net: enable/disable TAP queues"},
};

/*
 * The I/O thread submits all disk and TAP I/O through io_uring, whose
 * operations seccomp does not see; the ring itself is restricted to the
 * operations vmm uses (IORING_REGISTER_RESTRICTIONS, virtio/iothread.c).
 */
static const struct seccomp_rule io_rules[] = {
	COMMON_RULES,
	{SYS_io_uring_enter, 0, "submit requests, wait for completions"},
	{SYS_getrandom, 0, "virtio-rng entropy"},
	{SYS_ioctl, TUNSETQUEUE, "virtio-net control queue: number of queue pairs"},
	{SYS_ioctl, KVM_IRQ_LINE, "interrupts where there is no irqfd"},
};

/* The JIT's timer thread sleeps until the next guest timer deadline and kicks vCPUs. */
static const struct seccomp_rule timer_rules[] = {
	COMMON_RULES,
};

const struct seccomp_table seccomp_tables[] = {
	[SECCOMP_THREAD_MAIN] = {"main", main_rules, ARRAY_SIZE(main_rules)},
	[SECCOMP_THREAD_VCPU] = {"vcpu", vcpu_rules, ARRAY_SIZE(vcpu_rules)},
	[SECCOMP_THREAD_IO] = {"io", io_rules, ARRAY_SIZE(io_rules)},
	[SECCOMP_THREAD_TIMER] = {"timer", timer_rules, ARRAY_SIZE(timer_rules)},
};
