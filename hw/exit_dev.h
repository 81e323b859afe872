/*
 * The guest exit-status device, for CI runners: the guest writes a status to
 * port EXIT_DEV_PORT and the VM stops with that status (low 8 bits, as a
 * process exit status). A 1-byte write is enough, so a busybox shell can do
 *
 *	printf '\001' | dd of=/dev/port bs=1 seek=1540
 *
 * (1540 = 0x604) to stop the VM with status 1. 2- and 4-byte writes (outw,
 * outl) are accepted too and use the low byte. Reads return 0.
 *
 * The device spans 4 ports so that a 4-byte access lands whole; only writes
 * to its first port count.
 */
#ifndef VMM_HW_EXIT_DEV_H
#define VMM_HW_EXIT_DEV_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/vmstop.h"
#include "memory/io_bus.h"

#define EXIT_DEV_PORT 0x604
#define EXIT_DEV_LEN  4

struct exit_dev_counters {
	_Atomic uint64_t bad_access; /* size 8, or a write past the first port */
	_Atomic uint64_t exits;	     /* exit requests made */
};

struct exit_dev;

/* @stop is copied. Returns NULL on ENOMEM. */
struct exit_dev *exit_dev_create(const struct vm_stop *stop);
void exit_dev_destroy(struct exit_dev *d);
const struct exit_dev_counters *exit_dev_counters(const struct exit_dev *d);

/* Register at EXIT_DEV_PORT, length EXIT_DEV_LEN. */
extern const struct io_dev_ops exit_dev_io_ops;

#endif
