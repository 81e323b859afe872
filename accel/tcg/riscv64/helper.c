/*
 * Run-time helpers of the RISC-V translator: traps, privileged
 * instructions and the A extension (unpriv spec §8, priv spec §3.3).
 *
 * LR/SC: the reservation is an address and the value LR saw; SC succeeds
 * only if the address matches and memory still holds that value, checked
 * and written with one host compare-and-swap, so it stays correct when
 * several vCPU threads share memory. AMOs are host atomics on the RAM
 * page (MMIO falls back to a plain read-modify-write).
 */
#include <stdatomic.h>
#include <string.h>

#include "accel/tcg/riscv64/helper.h"
#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/riscv64/translate.h"

static uint64_t helper_raise(struct tcg_cpu *c, uint64_t cause, uint64_t tval)
{
	tcg_raise_exception(c, (int32_t)cause, tval);
}

/* The MMU index of loads and stores in the current mode (MPRV, SUM). */
static unsigned data_idx(const struct rv_cpu *cpu)
{
	return (cpu->tcg.tb_flags & RV_TBF_MMU_MASK) >> RV_TBF_MMU_SHIFT;
}

static uint64_t helper_mret(struct tcg_cpu *c)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned mpp = (unsigned)((cpu->mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);

	/*
	 * priv §3.1.6.1: MIE = MPIE, MPIE = 1, privilege = MPP, MPP = U;
	 * leaving M also clears MPRV (§3.1.6.3).
	 */
	if (cpu->mstatus & RV_MSTATUS_MPIE)
		cpu->mstatus |= RV_MSTATUS_MIE;
	else
		cpu->mstatus &= ~RV_MSTATUS_MIE;
	cpu->mstatus |= RV_MSTATUS_MPIE;
	cpu->mstatus &= ~RV_MSTATUS_MPP;
	if (mpp != RV_PRIV_M)
		cpu->mstatus &= ~RV_MSTATUS_MPRV;
	cpu->priv = mpp;
	rv_cpu_update_flags(cpu);
	rv_cpu_kick_if_deliverable(cpu); /* interrupts enabled at the new level: now */
	return cpu->mepc;
}

static uint64_t helper_sret(struct tcg_cpu *c, uint64_t insn)
{
	struct rv_cpu *cpu = rv_cpu(c);

	/* priv §3.1.6.5: TSR makes sret illegal in S-mode; always in U. */
	if (cpu->priv == RV_PRIV_U || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TSR)))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	/* priv §4.1.1: SIE = SPIE, SPIE = 1, privilege = SPP, SPP = U, MPRV = 0. */
	if (cpu->mstatus & RV_MSTATUS_SPIE)
		cpu->mstatus |= RV_MSTATUS_SIE;
	else
		cpu->mstatus &= ~RV_MSTATUS_SIE;
	cpu->priv = (cpu->mstatus & RV_MSTATUS_SPP) ? RV_PRIV_S : RV_PRIV_U;
	cpu->mstatus |= RV_MSTATUS_SPIE;
	cpu->mstatus &= ~(RV_MSTATUS_SPP | RV_MSTATUS_MPRV);
	rv_cpu_update_flags(cpu);
	rv_cpu_kick_if_deliverable(cpu);
	return cpu->sepc;
}

static uint64_t helper_wfi(struct tcg_cpu *c, uint64_t insn)
{
	struct rv_cpu *cpu = rv_cpu(c);

	/* priv §3.1.6.5: illegal in U-mode, and in S-mode with TW. */
	if (cpu->priv == RV_PRIV_U || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TW)))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	/* priv §3.3.3: wait until an interrupt is pending and enabled in mie. */
	if (!rv_cpu_wfi_wake(cpu))
		c->halted = true;
	return 0;
}

static uint64_t helper_sfence_vma(struct tcg_cpu *c, uint64_t insn, uint64_t vaddr)
{
	struct rv_cpu *cpu = rv_cpu(c);

	/* priv §3.1.6.5: TVM makes sfence.vma illegal in S-mode; U never has it. */
	if (cpu->priv == RV_PRIV_U || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TVM)))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	/*
	 * priv §4.2.1: rs1 = x0 flushes every address, else only @vaddr's
	 * leaf. rs2 != x0 (one ASID) spares global translations; the TLB has
	 * no ASID tags, so it flushes the non-global ones of every ASID.
	 */
	if (rv_rs1((uint32_t)insn) == 0 && rv_rs2((uint32_t)insn) != 0)
		rv_mmu_flush_nonglobal(cpu);
	else
		rv_mmu_flush(cpu, rv_rs1((uint32_t)insn) == 0, vaddr);
	return 0;
}

/*
 * The instruction at @pc could not be fetched when its block was made
 * (the fault is decided now, so a block cached before the page was
 * mapped does not fault for ever): raise the page or access fault, or,
 * if the code is there now, drop the stale block and run it again.
 */
static uint64_t helper_fetch_fault(struct tcg_cpu *c, uint64_t pc, uint64_t vaddr)
{
	struct rv_cpu *cpu = rv_cpu(c);
	struct tcg_tlb_fill f;
	enum rv_excp e = rv_mmu_fetch_fault(cpu, vaddr);

	if (e != RV_EXCP_INSN_ACCESS ||
	    rv_mmu_tlb_fill(c, vaddr, TCG_ACCESS_EXEC, rv_code_mmu_idx(c->tb_flags), true, &f) < 0 ||
	    !f.exec || !cpu->env.mem || !gm_ptr(cpu->env.mem, f.paddr, TCG_PAGE_SIZE))
		tcg_raise_exception(c, e, vaddr);
	if (rv_mmu_tlb_fill(c, pc, TCG_ACCESS_EXEC, rv_code_mmu_idx(c->tb_flags), true, &f) == 0)
		tcg_invalidate_phys_range(c->ctx, f.paddr | (pc & ~TCG_PAGE_MASK), 2);
	c->jc[tcg_jc_hash(pc)].tb = NULL;
	c->pc = pc;
	tcg_cpu_loop_exit(c);
}

/* CMO spec §2.5.x: below M, menvcfg (and for U senvcfg) enables each kind. */
static bool cbo_allowed(uint64_t envcfg, unsigned op)
{
	if (op == 4)
		return envcfg & RV_MENVCFG_CBZE;
	if (op == 0)
		return envcfg & RV_MENVCFG_CBIE;
	return envcfg & RV_MENVCFG_CBCFE;
}

static uint64_t helper_cbo_enabled(struct tcg_cpu *c, uint64_t insn, uint64_t priv)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned op = (unsigned)(insn >> 20);

	if (priv == RV_PRIV_M)
		return 0;
	if (!cbo_allowed(cpu->menvcfg, op) ||
	    (priv == RV_PRIV_U && !cbo_allowed(cpu->senvcfg, op)))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	return 0;
}

/* cbo.zero (Zicboz): a 64-byte block of zeros, as stores (faults as stores). */
static uint64_t helper_cbo_zero(struct tcg_cpu *c, uint64_t addr)
{
	struct rv_cpu *cpu = rv_cpu(c);
	void *host;

	addr &= ~(uint64_t)(RV_CBO_BLOCK - 1);
	/* RAM (Linux's clear_page): one memset; raises the store fault itself. */
	host = tcg_mem_host_ptr(c, addr, RV_CBO_BLOCK, TCG_ACCESS_WRITE, data_idx(cpu));
	if (host) {
		memset(host, 0, RV_CBO_BLOCK);
		return 0;
	}
	for (unsigned i = 0; i < RV_CBO_BLOCK; i += 8)
		tcg_mem_st(c, addr + i, 0, TCG_MO_UQ, data_idx(cpu));
	return 0;
}

/* cbo.clean/flush/inval (Zicbom): coherent memory, so only the store permission check. */
static uint64_t helper_cbo_check(struct tcg_cpu *c, uint64_t addr)
{
	struct rv_cpu *cpu = rv_cpu(c);

	tcg_mem_host_ptr(c, addr & ~(uint64_t)(RV_CBO_BLOCK - 1), 8, TCG_ACCESS_WRITE,
			 data_idx(cpu));
	return 0;
}

/*
 * fence.i (unpriv §3.1): stores through the CPU invalidate the translated
 * code they hit (the TLB's code-page check) and device writes do through
 * the guest-memory DMA hook (rv_tcg_vm_dma_written), both before the guest
 * can see them done; tcg_sync_code() covers the one window where another
 * hart's store may have missed the check. The translator ends the block at
 * fence.i, so the next block is looked up afresh.
 */
static uint64_t helper_fence_i(struct tcg_cpu *c)
{
	tcg_sync_code(c);
	return 0;
}

static uint64_t sext_size(uint64_t v, unsigned size_log2)
{
	return size_log2 == 2 ? (uint64_t)(int64_t)(int32_t)v : v;
}

/* Atomics must be naturally aligned (unpriv §8.2/§8.4); else a misaligned trap. */
static void check_aligned(struct tcg_cpu *c, uint64_t addr, unsigned size_log2, enum rv_excp e)
{
	if (addr & ((1u << size_log2) - 1))
		tcg_raise_exception(c, e, addr);
}

static uint64_t helper_lr(struct tcg_cpu *c, uint64_t addr, uint64_t size_log2)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned n = 1u << size_log2;
	void *p;
	uint64_t v;

	check_aligned(c, addr, (unsigned)size_log2, RV_EXCP_LOAD_MISALIGNED);
	p = tcg_mem_host_ptr(c, addr, n, TCG_ACCESS_READ, data_idx(cpu));
	if (!p)
		v = tcg_mem_ld(c, addr, (enum tcg_memop)size_log2, data_idx(cpu));
	else if (n == 8)
		v = atomic_load_explicit((_Atomic uint64_t *)p, memory_order_acquire);
	else
		v = atomic_load_explicit((_Atomic uint32_t *)p, memory_order_acquire);
	cpu->res_addr = addr;
	cpu->res_val = v;
	return sext_size(v, (unsigned)size_log2);
}

static uint64_t helper_sc(struct tcg_cpu *c, uint64_t addr, uint64_t val, uint64_t size_log2)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned n = 1u << size_log2;
	uint64_t expect = cpu->res_val;
	bool ok;
	void *p;

	/* Alignment is checked even when the SC would fail anyway. */
	check_aligned(c, addr, (unsigned)size_log2, RV_EXCP_STORE_MISALIGNED);
	if (cpu->res_addr != addr) {
		cpu->res_addr = RV_NO_RESERVATION;
		return 1;
	}
	cpu->res_addr = RV_NO_RESERVATION;
	p = tcg_mem_host_ptr(c, addr, n, TCG_ACCESS_WRITE, data_idx(cpu));
	if (!p) {
		tcg_mem_st(c, addr, val, (enum tcg_memop)size_log2, data_idx(cpu));
		return 0;
	}
	if (n == 8) {
		ok = atomic_compare_exchange_strong((_Atomic uint64_t *)p, &expect, val);
	} else {
		uint32_t e32 = (uint32_t)expect;
		ok = atomic_compare_exchange_strong((_Atomic uint32_t *)p, &e32, (uint32_t)val);
	}
	return ok ? 0 : 1;
}

static uint64_t amo_apply(unsigned op, uint64_t old, uint64_t v, unsigned size_log2)
{
	int64_t so = (int64_t)sext_size(old, size_log2), sv = (int64_t)sext_size(v, size_log2);
	uint64_t uo = size_log2 == 2 ? (uint32_t)old : old, uv = size_log2 == 2 ? (uint32_t)v : v;

	switch (op) {
	case RV_AMO_ADD:
		return old + v;
	case RV_AMO_XOR:
		return old ^ v;
	case RV_AMO_OR:
		return old | v;
	case RV_AMO_AND:
		return old & v;
	case RV_AMO_MIN:
		return so < sv ? old : v;
	case RV_AMO_MAX:
		return so > sv ? old : v;
	case RV_AMO_MINU:
		return uo < uv ? old : v;
	case RV_AMO_MAXU:
		return uo > uv ? old : v;
	default:
		return v; /* swap */
	}
}

static uint64_t amo_host64(_Atomic uint64_t *p, unsigned op, uint64_t v)
{
	uint64_t old = atomic_load_explicit(p, memory_order_relaxed);

	switch (op) {
	case RV_AMO_SWAP:
		return atomic_exchange(p, v);
	case RV_AMO_ADD:
		return atomic_fetch_add(p, v);
	case RV_AMO_XOR:
		return atomic_fetch_xor(p, v);
	case RV_AMO_OR:
		return atomic_fetch_or(p, v);
	case RV_AMO_AND:
		return atomic_fetch_and(p, v);
	}
	while (!atomic_compare_exchange_weak(p, &old, amo_apply(op, old, v, 3)))
		;
	return old;
}

static uint64_t amo_host32(_Atomic uint32_t *p, unsigned op, uint32_t v)
{
	uint32_t old = atomic_load_explicit(p, memory_order_relaxed);

	switch (op) {
	case RV_AMO_SWAP:
		return atomic_exchange(p, v);
	case RV_AMO_ADD:
		return atomic_fetch_add(p, v);
	case RV_AMO_XOR:
		return atomic_fetch_xor(p, v);
	case RV_AMO_OR:
		return atomic_fetch_or(p, v);
	case RV_AMO_AND:
		return atomic_fetch_and(p, v);
	}
	while (!atomic_compare_exchange_weak(p, &old, (uint32_t)amo_apply(op, old, v, 2)))
		;
	return old;
}

static uint64_t helper_amo(struct tcg_cpu *c, uint64_t addr, uint64_t val, uint64_t arg)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned op = arg & 0x1f, size_log2 = (unsigned)(arg >> 8) & 3;
	void *p;
	uint64_t old;

	check_aligned(c, addr, size_log2, RV_EXCP_STORE_MISALIGNED);
	p = tcg_mem_host_ptr(c, addr, 1u << size_log2, TCG_ACCESS_WRITE, data_idx(cpu));
	if (p && size_log2 == 3)
		old = amo_host64(p, op, val);
	else if (p)
		old = amo_host32(p, op, (uint32_t)val);
	else {
		old = tcg_mem_ld(c, addr, (enum tcg_memop)size_log2, data_idx(cpu));
		tcg_mem_st(c, addr, amo_apply(op, old, val, size_log2), (enum tcg_memop)size_log2,
			   data_idx(cpu));
	}
	return sext_size(old, size_log2);
}

const struct tcg_helper rv_helper_raise = TCG_HELPER(helper_raise, 2, 0);
const struct tcg_helper rv_helper_mret = TCG_HELPER(helper_mret, 0, TCG_CALL_NO_RAISE);
const struct tcg_helper rv_helper_sret = TCG_HELPER(helper_sret, 1, 0);
const struct tcg_helper rv_helper_wfi = TCG_HELPER(helper_wfi, 1, 0);
const struct tcg_helper rv_helper_sfence_vma = TCG_HELPER(helper_sfence_vma, 2, 0);
const struct tcg_helper rv_helper_fetch_fault = TCG_HELPER(helper_fetch_fault, 2, 0);
const struct tcg_helper rv_helper_cbo_enabled = TCG_HELPER(helper_cbo_enabled, 2, 0);
const struct tcg_helper rv_helper_cbo_zero = TCG_HELPER(helper_cbo_zero, 1, 0);
const struct tcg_helper rv_helper_cbo_check = TCG_HELPER(helper_cbo_check, 1, 0);
const struct tcg_helper rv_helper_fence_i = TCG_HELPER(helper_fence_i, 0, TCG_CALL_NO_RAISE);
const struct tcg_helper rv_helper_lr = TCG_HELPER(helper_lr, 2, 0);
const struct tcg_helper rv_helper_sc = TCG_HELPER(helper_sc, 3, 0);
const struct tcg_helper rv_helper_amo = TCG_HELPER(helper_amo, 3, 0);
