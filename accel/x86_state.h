/*
 * x86-64 vCPU state as plain data: what boot/ computes for the entry point
 * and what an accelerator loads into (or reads from) a vCPU. No KVM types
 * here, so boot/ and tests stay free of accelerator headers.
 */
#ifndef VMM_ACCEL_X86_STATE_H
#define VMM_ACCEL_X86_STATE_H

#include <stdint.h>

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
	X86_NR_GPRS
};

struct x86_seg {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type;    /* 4-bit descriptor type */
	uint8_t present, dpl, db, s, l, g, avl;
};

struct x86_dtable {
	uint64_t base;
	uint16_t limit;
};

struct x86_cpu_state {
	uint64_t gpr[X86_NR_GPRS];
	uint64_t rip, rflags;
	struct x86_seg cs, ds, es, fs, gs, ss, tr, ldt;
	struct x86_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
};

#endif
