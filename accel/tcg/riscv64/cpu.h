/*
 * The RISC-V 64 vCPU as the JIT sees it: struct rv_cpu embeds the core's
 * struct tcg_cpu first (tcg.h), then the guest registers that generated
 * code reads by fixed offsets, then the CSR state that helpers use.
 *
 * M, S and U modes (priv spec 1.12): the privilege level, mstatus.FS and
 * the data MMU index (MPRV/MPP/SUM) live in tb_flags, so translations are
 * keyed on them; page tables are walked in mmu.c.
 */
#ifndef VMM_ACCEL_TCG_RISCV64_CPU_H
#define VMM_ACCEL_TCG_RISCV64_CPU_H

#include <stdbool.h>
#include <stdatomic.h>
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
 * [1:0] privilege level (fetch MMU index: rv_code_mmu_idx());
 * [2]   mstatus.FS != Off: FP instructions and FP CSRs are legal;
 * [3]   mstatus.FS == Dirty: FP writes need not mark it dirty again;
 * [6:4] MMU index of loads/stores (privilege after MPRV, SUM);
 * [7]   instruction fetch goes through page tables (no cross-page chaining).
 */
#define RV_TBF_PRIV_MASK  0x3u
#define RV_TBF_FS_ON	  (1u << 2)
#define RV_TBF_FS_DIRTY	  (1u << 3)
#define RV_TBF_MMU_SHIFT  4
#define RV_TBF_MMU_MASK	  (7u << RV_TBF_MMU_SHIFT)
#define RV_TBF_PAGED	  (1u << 7)

/* Size of the code_vpages filter (bits, by virtual page number). */
#define RV_CODE_VPAGE_BITS 65536u

/*
 * MMU indices (software TLB sets). SUM gets its own index because Linux
 * flips it around every user copy; MXR changes flush the TLB instead.
 */
#define RV_MMU_U     0
#define RV_MMU_S     1
#define RV_MMU_S_SUM 2
#define RV_MMU_M     3 /* physical: M-mode without MPRV */

/* mstatus fields (priv spec §3.1.6). */
#define RV_MSTATUS_SIE	    (1ULL << 1)
#define RV_MSTATUS_MIE	    (1ULL << 3)
#define RV_MSTATUS_SPIE	    (1ULL << 5)
#define RV_MSTATUS_UBE	    (1ULL << 6)
#define RV_MSTATUS_MPIE	    (1ULL << 7)
#define RV_MSTATUS_SPP	    (1ULL << 8)
#define RV_MSTATUS_MPP	    (3ULL << 11)
#define RV_MSTATUS_MPP_SHIFT 11
#define RV_MSTATUS_FS	    (3ULL << 13)
#define RV_MSTATUS_FS_SHIFT 13
#define RV_MSTATUS_MPRV	    (1ULL << 17)
#define RV_MSTATUS_SUM	    (1ULL << 18)
#define RV_MSTATUS_MXR	    (1ULL << 19)
#define RV_MSTATUS_TVM	    (1ULL << 20)
#define RV_MSTATUS_TW	    (1ULL << 21)
#define RV_MSTATUS_TSR	    (1ULL << 22)
#define RV_MSTATUS_UXL	    (3ULL << 32)
#define RV_MSTATUS_SXL	    (3ULL << 34)
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
	RV_EXCP_INSN_PAGE = 12,
	RV_EXCP_LOAD_PAGE = 13,
	RV_EXCP_STORE_PAGE = 15,
};

/* Interrupt numbers (mip/mie bits, priv spec §3.1.9). */
#define RV_IRQ_SSI  1
#define RV_IRQ_MSI  3
#define RV_IRQ_STI  5
#define RV_IRQ_MTI  7
#define RV_IRQ_SEI  9
#define RV_IRQ_MEI  11
#define RV_MIP_SSIP (1ULL << RV_IRQ_SSI)
#define RV_MIP_MSIP (1ULL << RV_IRQ_MSI)
#define RV_MIP_STIP (1ULL << RV_IRQ_STI)
#define RV_MIP_MTIP (1ULL << RV_IRQ_MTI)
#define RV_MIP_SEIP (1ULL << RV_IRQ_SEI)
#define RV_MIP_MEIP (1ULL << RV_IRQ_MEI)
#define RV_S_INTS   (RV_MIP_SSIP | RV_MIP_STIP | RV_MIP_SEIP)
#define RV_MIE_MASK (RV_S_INTS | RV_MIP_MSIP | RV_MIP_MTIP | RV_MIP_MEIP)

/* menvcfg bits (priv spec §3.1.18): STCE enables stimecmp (Sstc), CBIE/CBCFE/CBZE Zicbom/z. */
#define RV_MENVCFG_FIOM	 (1ULL << 0)
#define RV_MENVCFG_CBIE	 (3ULL << 4)
#define RV_MENVCFG_CBCFE (1ULL << 6)
#define RV_MENVCFG_CBZE	 (1ULL << 7)
#define RV_MENVCFG_PBMTE (1ULL << 62)
#define RV_MENVCFG_STCE	 (1ULL << 63)

/* satp modes (priv spec §4.1.11). */
#define RV_SATP_BARE 0
#define RV_SATP_SV39 8
#define RV_SATP_SV48 9
#define RV_SATP_SV57 10

/* Cache-block size of Zicbom/Zicboz (the device tree's riscv,cbo*-block-size). */
#define RV_CBO_BLOCK 64

/* The counters' time base: `time` ticks at 10 MHz (the device tree's timebase-frequency). */
#define RV_TIMEBASE_HZ 10000000ULL

struct rv_cpu;

/* Callbacks from a hart to the accelerator/machine around it (rv_accel.c). */
struct rv_cpu_env {
	/* stimecmp/mtimecmp changed: the timer thread must look at the deadlines again. */
	void (*timer_changed)(void *opaque);
	/* ecall from S-mode when vmm is the SBI implementation (sbi.c); NULL: trap to M. */
	void (*sbi_call)(void *opaque, struct rv_cpu *cpu);
	void *opaque;
	/* Guest RAM, for page-table walks. */
	const struct guest_mem *mem;
};

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
	uint64_t mstatus; /* sstatus is a view of it; SD is computed */
	uint64_t misa;
	uint64_t mtvec;
	uint64_t mepc;
	uint64_t mcause;
	uint64_t mtval;
	uint64_t mscratch;
	uint64_t mie;
	_Atomic uint64_t mip; /* devices set bits from other threads */
	uint64_t medeleg;
	uint64_t mideleg;
	uint64_t menvcfg;
	uint32_t mcounteren;
	uint32_t mcountinhibit;
	uint64_t pmpcfg[2];   /* accepted, not enforced (pmpcfg0, pmpcfg2) */
	uint64_t pmpaddr[16];
	/* S-mode CSRs. */
	uint64_t stvec;
	uint64_t sepc;
	uint64_t scause;
	uint64_t stval;
	uint64_t sscratch;
	uint64_t satp;
	uint64_t senvcfg;
	uint32_t scounteren;
	/* Timers: deadlines in `time` ticks; ~0 = never. mtimecmp is the ACLINT's. */
	_Atomic uint64_t stimecmp;
	_Atomic uint64_t mtimecmp;
	/* A hart asked this one to flush its TLB (SBI remote fences). */
	_Atomic bool tlb_flush_pending;
	/* Superpages in the TLB: their 4 KiB slices lie in [lp_addr, lp_addr + lp_len). */
	uint64_t lp_addr;
	uint64_t lp_len;
	/*
	 * Virtual pages (hashed, 1 bit each) translated for execution: a
	 * superset of the pages the jump cache can hold blocks of, so
	 * sfence.vma of a data page skips the jc scan. Global mappings and
	 * the others apart: an address-space switch forgets only the latter
	 * (their jump-cache entries go with them).
	 */
	uint64_t code_vpages[2][RV_CODE_VPAGE_BITS / 64]; /* [global] */
	/* Counter offsets: a CSR write stores value - raw count. */
	uint64_t instret_off;
	uint64_t cycle_off;
	uint64_t time_base_ns;

	struct rv_cpu_env env;

	/* Statistics (VMM_TCG_STATS): TLB flushes of everything / of one page. */
	uint64_t flushes_all, flushes_page, flushes_asid;

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
/* Recompute tb_flags after a mode change (callers end the block). */
void rv_cpu_update_flags(struct rv_cpu *cpu);

/* Reset to the power-on state: M-mode, pc = @entry, a0 = hart id, a1 = @a1. */
void rv_cpu_reset(struct rv_cpu *cpu, uint64_t entry, uint64_t a1);

/* Take a trap now (outside generated code, or from do_exception); delegation applies. */
void rv_cpu_trap(struct rv_cpu *cpu, uint64_t cause, uint64_t tval);

/* `time` now, in RV_TIMEBASE_HZ ticks. */
uint64_t rv_cpu_time(const struct rv_cpu *cpu);
/* mip with the timer bits brought up to date (Sstc STIP, ACLINT MTIP). */
uint64_t rv_cpu_mip(struct rv_cpu *cpu);
/* WFI may end: an interrupt is pending and enabled in mie (priv §3.3.3). */
/*
 * After a change of interrupt enables or privilege (CSR write, mret, sret):
 * kick the hart if an interrupt is pending, enabled and would be taken now
 * (priv §3.1.9), so the next block's exit check leaves for it.
 */
void rv_cpu_kick_if_deliverable(struct rv_cpu *cpu);
bool rv_cpu_wfi_wake(struct rv_cpu *cpu);
/* The earliest timer deadline of this hart in ns of CLOCK_MONOTONIC, or UINT64_MAX. */
uint64_t rv_cpu_deadline_ns(const struct rv_cpu *cpu);

/* Set or clear @bits in mip from any thread, and kick the hart. */
void rv_cpu_set_mip(struct rv_cpu *cpu, uint64_t bits, bool level);

/* The MMU (mmu.c). */
int rv_mmu_tlb_fill(struct tcg_cpu *c, uint64_t vaddr, enum tcg_access access, unsigned mmu_idx,
		    bool probe, struct tcg_tlb_fill *out);
unsigned rv_code_mmu_idx(uint32_t tb_flags);
/* sfence.vma: @all, or the page of @vaddr (priv §4.2.1). */
void rv_mmu_flush(struct rv_cpu *cpu, bool all, uint64_t vaddr);
/* Address-space switch: drop non-global translations only. */
void rv_mmu_flush_nonglobal(struct rv_cpu *cpu);
/* The exception for a fetch that failed at @vaddr: page fault or access fault. */
enum rv_excp rv_mmu_fetch_fault(struct rv_cpu *cpu, uint64_t vaddr);

/* The frontend's ops table for tcg_ctx_config.fe. */
extern const struct tcg_frontend_ops rv_frontend_ops;

#endif
