/*
 * A machine: guest memory, buses, devices, vCPUs on an accelerator, and the
 * main thread's event loop. machine.c holds what every architecture shares
 * (vCPU threads, stop requests, the loop, exit codes); machine_<arch>.c
 * wires the devices and loads the kernel.
 */
#ifndef VMM_VMM_MACHINE_H
#define VMM_VMM_MACHINE_H

#include <pthread.h>
#include <stdatomic.h>

#include "accel/accel.h"
#include "boot/source.h"
#include "common/irq.h"
#include "common/vmstop.h"
#include "memory/guest_mem.h"
#include "memory/io_bus.h"
#include "vmm/config.h"
#include "vmm/console.h"

#define MACHINE_MAX_VCPUS 64

struct machine {
	const struct vmm_config *cfg;
	const struct accel_ops *accel;
	struct accel_vm *vm;
	unsigned ncpus;
	struct accel_vcpu *vcpu[MACHINE_MAX_VCPUS];
	pthread_t thread[MACHINE_MAX_VCPUS];
	unsigned nthreads;

	struct guest_mem mem;
	struct io_bus pio, mmio;
	struct console *con;

	/* Devices ask for a stop through this; the main loop acts on it. */
	struct vm_stop stop;
	struct irq_line irq_sink; /* template: set .gsi per device */
	_Atomic int stop_reason;  /* enum vm_stop_reason, first one wins */
	_Atomic int stop_status;
	int stop_efd;      /* wakes the main loop */
	int input_efd;     /* the UART has room again */

	/* Architecture hooks filled by machine_<arch>.c. */
	void *arch;
	void (*arch_destroy)(struct machine *m);
};

/*
 * Shared set-up. @accel may be NULL: machine_create_vm() then picks one, so
 * that files and images are checked (and reported) before KVM is probed.
 */
int machine_init(struct machine *m, const struct vmm_config *cfg,
		 const struct accel_ops *accel) must_check;
/* Guest RAM per the arch's layout (no accelerator needed yet). */
int machine_alloc_ram(struct machine *m, const struct gm_region *layout, unsigned n) must_check;
/* Create the VM on the accelerator and map the RAM into it. */
int machine_create_vm(struct machine *m) must_check;
int machine_create_vcpus(struct machine *m) must_check;
/* Start one thread per vCPU, run the main loop until a stop; returns the exit code. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

/* Pick and probe the accelerator for @cfg; NULL with a message on failure. */
const struct accel_ops *machine_pick_accel(const struct vmm_config *cfg);

/*
 * A boot file read straight into guest RAM where it belongs, without a copy
 * in between: open it (a non-empty regular file, else a message and
 * -errno), read what is needed with machine_file_read() or through
 * machine_file_src(), close it.
 */
struct machine_file {
	int fd;
	uint64_t size; /* at open time */
	const char *what, *path;
};

int machine_open_file(const char *what, const char *path, struct machine_file *f) must_check;
void machine_close_file(struct machine_file *f);
/*
 * Read @len bytes at @off into @dst; a file that became shorter since it
 * was opened gives -ENODATA. A message on every failure.
 */
int machine_file_read(const struct machine_file *f, uint64_t off, void *dst, size_t len) must_check;
/* The open file as a loader's image source (boot/source.h); @f outlives it. */
struct boot_src machine_file_src(const struct machine_file *f);

/*
 * The console UART: its output goes to the machine's console, the console's
 * input to its RX FIFO (flow-controlled: reading stdin pauses while the
 * FIFO is full). Register it on a bus yourself. NULL on ENOMEM.
 */
struct uart8250 *machine_console_uart(struct machine *m, const struct irq_line *irq);

/* Wake the main loop from a device (e.g. UART input room). */
void machine_notify_input(void *opaque);

/*
 * Build the x86 machine in @m (after machine_init): files read, RAM, devices,
 * ACPI, vCPUs, kernel loaded. Tests add their own devices afterwards.
 */
int machine_x86_setup(struct machine *m) must_check;
const struct accel_regs *machine_x86_boot_regs(const struct machine *m);

/*
 * Build the machine with @setup (after machine_init with @accel, which may
 * be NULL), run it, tear it down, and again after each guest reboot with
 * --on-reboot restart. Returns the process exit code.
 */
int machine_boot(const struct vmm_config *cfg, const struct accel_ops *accel,
		 int (*setup)(struct machine *m));

/* Entry points per architecture; return the process exit code. */
int machine_x86_run(const struct vmm_config *cfg);
int machine_riscv_run(const struct vmm_config *cfg);

/* The exit code for a stop reason (README "Exit codes"). */
int machine_exit_code(const struct vmm_config *cfg, enum vm_stop_reason r, int status);

#endif
