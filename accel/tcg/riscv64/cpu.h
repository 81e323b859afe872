/*
 * The RISC-V 64 vCPU as the JIT sees it: struct rv_cpu embeds the core's
 * struct tcg_cpu first (tcg.h), then the guest registers that generated
 * code reads by fixed offsets, then the CSR state that helpers use.
 *
 * This issue implements M-mode only (misa has no S/U); the privilege level,
 * mstatus.FS and later MPRV/SUM/MXR live in tb_flags so that the S/U-mode
 * and paging work of the next issue keys translations on them already.
 */
#ifndef VMM_ACCEL_TCG_RISCV64_CPU_H
#define VMM_ACCEL_TCG_RISCV64_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "accel/tcg/tcg.h"
#include "common/compiler.h"

/* Privilege levels (priv spec §1.2). */
#define RV_PRIV_U 0
#define RV_PRIV_S 1
#define RV_PRIV_M 3

/*
 * tb_flags: the mode bits a translation depends on.
 * [1:0] privilege level (also the MMU index of loads/stores);
 * [2]   mstatus.FS != Off: FP instructions and FP CSRs are legal;
 * [3]   mstatus.FS == Dirty: FP writes need not mark it dirty again.
 */
#define RV_TBF_PRIV_MASK 0x3u
#define RV_TBF_FS_ON	 (1u << 2)
#define RV_TBF_FS_DIRTY	 (1u << 3)

/* mstatus fields (priv spec §3.1.6). */
#define RV_MSTATUS_MIE	    (1ULL << 3)
#define RV_MSTATUS_MPIE	    (1ULL << 7)
#define RV_MSTATUS_MPP	    (3ULL << 11)
#define RV_MSTATUS_FS	    (3ULL << 13)
#define RV_MSTATUS_FS_SHIFT 13
#define RV_MSTATUS_SD	    (1ULL << 63)
#define RV_FS_OFF	    0
#define RV_FS_INITIAL	    1
#define RV_FS_CLEAN	    2
#define RV_FS_DIRTY	    3

/* Exception causes, mcause with interrupt bit clear (priv spec §3.1.15, table 3.6). */
enum rv_excp {
	RV_EXCP_INSN_MISALIGNED = 0,
	RV_EXCP_INSN_ACCESS = 1,
	RV_EXCP_ILLEGAL = 2,
	RV_EXCP_BREAKPOINT = 3,
	RV_EXCP_LOAD_MISALIGNED = 4,
	RV_EXCP_LOAD_ACCESS = 5,
	RV_EXCP_STORE_MISALIGNED = 6,
	RV_EXCP_STORE_ACCESS = 7,
	RV_EXCP_ECALL_U = 8,
	RV_EXCP_ECALL_S = 9,
	RV_EXCP_ECALL_M = 11,
};

/* Interrupt numbers (mip/mie bits, priv spec §3.1.9). */
#define RV_IRQ_MSI  3
#define RV_IRQ_MTI  7
#define RV_IRQ_MEI  11
#define RV_MIE_MASK ((1ULL << RV_IRQ_MSI) | (1ULL << RV_IRQ_MTI) | (1ULL << RV_IRQ_MEI))

/* The counters' time base: `time` ticks at 10 MHz (the device tree's timebase-frequency). */
#define RV_TIMEBASE_HZ 10000000ULL

struct rv_cpu {
	struct tcg_cpu tcg; /* first: the core casts between the two */

	/* Read by generated code. x[0] is always zero. */
	uint64_t x[32];
	uint64_t f[32];	 /* FP registers, NaN-boxed (helper fpu's state) */
	uint32_t fflags; /* fcsr.fflags, bits [4:0] */
	uint32_t frm;	 /* fcsr.frm, bits [2:0] */

	/* LR/SC reservation: address (or RV_NO_RESERVATION) and the value loaded. */
	uint64_t res_addr;
	uint64_t res_val;

	/* M-mode CSRs. */
	unsigned priv;
	uint64_t mstatus; /* MIE, MPIE, FS; SD and MPP are computed/fixed */
	uint64_t misa;
	uint64_t mtvec;
	uint64_t mepc;
	uint64_t mcause;
	uint64_t mtval;
	uint64_t mscratch;
	uint64_t mie;
	_Atomic uint64_t mip; /* devices set bits from other threads */
	uint32_t mcounteren;
	uint32_t mcountinhibit;
	/* Counter offsets: a CSR write stores value - raw count. */
	uint64_t instret_off;
	uint64_t cycle_off;
	uint64_t time_base_ns;

	/* Guest errors seen by the frontend (bad CSR values and the like). */
	_Atomic uint64_t guest_errors;
};

#define RV_NO_RESERVATION (~0ULL)

static inline struct rv_cpu *rv_cpu(struct tcg_cpu *c)
{
	return (struct rv_cpu *)c;
}

STATIC_ASSERT(offsetof(struct rv_cpu, tcg) == 0);

/* tb_flags for the current state. */
uint32_t rv_cpu_tb_flags(const struct rv_cpu *cpu);

/* Reset to the power-on state: M-mode, pc = @entry, a0 = hart id, a1 = @a1. */
void rv_cpu_reset(struct rv_cpu *cpu, uint64_t entry, uint64_t a1);

/* Take a trap now (outside generated code, or from do_exception). */
void rv_cpu_trap(struct rv_cpu *cpu, uint64_t cause, uint64_t tval);

/* The frontend's ops table for tcg_ctx_config.fe. */
extern const struct tcg_frontend_ops rv_frontend_ops;

#endif
