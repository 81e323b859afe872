/*
 * The SiFive test finisher ("sifive,test0"/"sifive,test1"), as on QEMU's
 * virt machine at SIFIVE_TEST_BASE: the guest ends the run by a 32-bit write
 * to offset 0. The low 16 bits are the command:
 *
 *	0x5555                 pass:  VM_STOP_EXIT_STATUS, status 0
 *	(code << 16) | 0x3333  fail:  VM_STOP_EXIT_STATUS, status code (1 if 0,
 *	                       so a failure never reads as success)
 *	0x7777                 reset: VM_STOP_RESET
 *
 * Linux powers off through it with a "syscon-poweroff" node (value 0x5555)
 * and reboots with "syscon-reboot" (0x7777); see boot/fdt_riscv.h. Anything
 * else (other offsets, sizes below 4, unknown commands) is a counted guest
 * error and is ignored. Reads return 0. Stateless apart from counters, so it
 * needs no lock.
 *
 * Wiring: d = sifive_test_create(&stop);
 *	   io_bus_register(mmio, SIFIVE_TEST_BASE, SIFIVE_TEST_SIZE,
 *			   &sifive_test_io_ops, d, "sifive-test");
 */
#ifndef VMM_HW_SIFIVE_TEST_H
#define VMM_HW_SIFIVE_TEST_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/vmstop.h"
#include "memory/io_bus.h"

#define SIFIVE_TEST_BASE 0x100000ULL
#define SIFIVE_TEST_SIZE 0x1000ULL

#define SIFIVE_TEST_FAIL  0x3333
#define SIFIVE_TEST_PASS  0x5555
#define SIFIVE_TEST_RESET 0x7777

struct sifive_test_counters {
	_Atomic uint64_t bad_access; /* wrong offset/size or unknown command */
	_Atomic uint64_t stops;	     /* stop requests made */
};

struct sifive_test;

/* @stop is copied. Returns NULL on ENOMEM. */
struct sifive_test *sifive_test_create(const struct vm_stop *stop);
void sifive_test_destroy(struct sifive_test *d);
const struct sifive_test_counters *sifive_test_counters(const struct sifive_test *d);

extern const struct io_dev_ops sifive_test_io_ops;

#endif
