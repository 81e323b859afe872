/*
 * How a device asks the machine to stop: guest poweroff, reset, or an exit
 * status written to the exit device. The machine decides what it means
 * (exit vmm, or restart with --on-reboot=restart).
 */
#ifndef VMM_COMMON_VMSTOP_H
#define VMM_COMMON_VMSTOP_H

enum vm_stop_reason {
	VM_STOP_NONE = 0,
	VM_STOP_POWEROFF,    /* ACPI S5, SBI SRST shutdown: status 0 */
	VM_STOP_RESET,       /* i8042 0xFE, ACPI reset register, SBI reboot */
	VM_STOP_EXIT_STATUS, /* the exit device: status is the guest's */
	VM_STOP_CRASH,       /* triple fault, internal error */
	VM_STOP_SIGNAL,      /* SIGINT/SIGTERM on the host */
	VM_STOP_USER_QUIT,   /* Ctrl-A x on the console */
	VM_STOP_ERROR,       /* the VMM itself failed at run time */
};

struct vm_stop {
	void (*request)(void *opaque, enum vm_stop_reason reason, int status);
	void *opaque;
};

static inline void vm_stop_request(const struct vm_stop *s, enum vm_stop_reason r, int status)
{
	if (s && s->request)
		s->request(s->opaque, r, status);
}

#endif
