/*
 * Run-time helpers called from translated RISC-V code (helper.c, csr.c):
 * traps, CSRs, atomics, privileged instructions. Each is a struct
 * tcg_helper for tcg_gen_call*().
 */
#ifndef VMM_ACCEL_TCG_RISCV64_HELPER_H
#define VMM_ACCEL_TCG_RISCV64_HELPER_H

#include "accel/tcg/ir.h"

/* raise(cause, tval): never returns. */
extern const struct tcg_helper rv_helper_raise;
/* csr(insn, src) -> old value; raises illegal-instruction for a bad access. */
extern const struct tcg_helper rv_helper_csr;
/* mret() -> new pc. */
extern const struct tcg_helper rv_helper_mret;
/* sret(insn) -> new pc; raises illegal-instruction where sret is not allowed. */
extern const struct tcg_helper rv_helper_sret;
/* wfi(insn): halts the hart unless an enabled interrupt is pending. */
extern const struct tcg_helper rv_helper_wfi;
/* sfence_vma(insn, vaddr): TLB flush of one page or all. */
extern const struct tcg_helper rv_helper_sfence_vma;
/* fetch_fault(insn pc, faulting address): raise the fetch fault (or retry a stale block). */
extern const struct tcg_helper rv_helper_fetch_fault;
/* cbo_enabled(insn, priv), cbo_zero(addr), cbo_check(addr): Zicbom / Zicboz. */
extern const struct tcg_helper rv_helper_cbo_enabled;
extern const struct tcg_helper rv_helper_cbo_zero;
extern const struct tcg_helper rv_helper_cbo_check;
/* fence_i(): nothing to do (see helper.c); the block ends after it. */
extern const struct tcg_helper rv_helper_fence_i;
/* lr(addr, log2 size) -> loaded value (sign-extended). */
extern const struct tcg_helper rv_helper_lr;
/* sc(addr, value, log2 size) -> 0 on success, 1 on failure. */
extern const struct tcg_helper rv_helper_sc;
/* amo(addr, value, funct5 | log2 size << 8) -> old value (sign-extended). */
extern const struct tcg_helper rv_helper_amo;

/* Build the amo helper's third argument. */
#define RV_AMO_ARG(funct5, size_log2) ((uint64_t)(funct5) | (uint64_t)(size_log2) << 8)

/* The AMO funct5 values (unpriv spec §9.4 / chapter 34 opcode map). */
enum rv_amo {
	RV_AMO_ADD = 0x00,
	RV_AMO_SWAP = 0x01,
	RV_AMO_LR = 0x02,
	RV_AMO_SC = 0x03,
	RV_AMO_XOR = 0x04,
	RV_AMO_OR = 0x08,
	RV_AMO_AND = 0x0c,
	RV_AMO_MIN = 0x10,
	RV_AMO_MAX = 0x14,
	RV_AMO_MINU = 0x18,
	RV_AMO_MAXU = 0x1c,
};

#endif
