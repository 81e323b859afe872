/*
 * The RISC-V frontend's hooks for the JIT core (tcg.h): reset, traps
 * (priv spec §3.1.6-3.1.17), interrupts, memory faults, and the ops table.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/riscv64/translate.h"
#include "common/log.h"

void rv_translate_register_globals(struct tcg_ctx *ctx);
int rv_translate_block(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);

/* misa: MXL = 64, extensions I M A F D C S U (priv §3.1.1). */
#define RV_MISA_EXT(c) (1ULL << ((c) - 'A'))
#define RV_MISA                                                                                    \
	((2ULL << 62) | RV_MISA_EXT('I') | RV_MISA_EXT('M') | RV_MISA_EXT('A') |                   \
	 RV_MISA_EXT('F') | RV_MISA_EXT('D') | RV_MISA_EXT('C') | RV_MISA_EXT('S') |              \
	 RV_MISA_EXT('U'))

/* The MMU index of loads and stores: MPRV makes M-mode use MPP's (priv §3.1.6.3). */
static unsigned data_mmu_idx(const struct rv_cpu *cpu)
{
	unsigned p = cpu->priv;

	if (p == RV_PRIV_M && (cpu->mstatus & RV_MSTATUS_MPRV))
		p = (unsigned)((cpu->mstatus & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT);
	if (p == RV_PRIV_M)
		return RV_MMU_M;
	if (p == RV_PRIV_U)
		return RV_MMU_U;
	return (cpu->mstatus & RV_MSTATUS_SUM) ? RV_MMU_S_SUM : RV_MMU_S;
}

uint32_t rv_cpu_tb_flags(const struct rv_cpu *cpu)
{
	unsigned fs = (unsigned)((cpu->mstatus & RV_MSTATUS_FS) >> RV_MSTATUS_FS_SHIFT);
	uint32_t f = cpu->priv & RV_TBF_PRIV_MASK;

	if (fs != RV_FS_OFF)
		f |= RV_TBF_FS_ON;
	if (fs == RV_FS_DIRTY)
		f |= RV_TBF_FS_DIRTY;
	f |= data_mmu_idx(cpu) << RV_TBF_MMU_SHIFT;
	if (cpu->priv != RV_PRIV_M && (cpu->satp >> 60) != RV_SATP_BARE)
		f |= RV_TBF_PAGED;
	return f;
}

void rv_cpu_update_flags(struct rv_cpu *cpu)
{
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

void rv_cpu_reset(struct rv_cpu *cpu, uint64_t entry, uint64_t a1)
{
	for (unsigned i = 0; i < 32; i++)
		cpu->x[i] = cpu->f[i] = 0;
	cpu->x[10] = cpu->tcg.index; /* a0 = hart id, a1 = device tree (priv §3.4 / SBI) */
	cpu->x[11] = a1;
	cpu->fflags = cpu->frm = 0;
	cpu->res_addr = RV_NO_RESERVATION;
	cpu->priv = RV_PRIV_M;
	cpu->mstatus = 0; /* MIE = 0, MPRV = 0 at reset (priv §3.4) */
	cpu->misa = RV_MISA;
	cpu->mtvec = cpu->mepc = cpu->mcause = cpu->mtval = cpu->mscratch = cpu->mie = 0;
	atomic_store(&cpu->mip, 0);
	cpu->medeleg = cpu->mideleg = cpu->menvcfg = 0;
	cpu->stvec = cpu->sepc = cpu->scause = cpu->stval = cpu->sscratch = 0;
	cpu->satp = cpu->senvcfg = 0;
	cpu->scounteren = 0;
	memset(cpu->pmpcfg, 0, sizeof(cpu->pmpcfg));
	memset(cpu->pmpaddr, 0, sizeof(cpu->pmpaddr));
	atomic_store(&cpu->stimecmp, ~0ULL);
	atomic_store(&cpu->mtimecmp, ~0ULL);
	cpu->lp_addr = cpu->lp_len = 0;
	cpu->mcounteren = cpu->mcountinhibit = 0;
	cpu->instret_off = cpu->cycle_off = 0;
	cpu->tcg.instret = 0;
	if (!cpu->time_base_ns)
		cpu->time_base_ns = monotonic_ns();
	cpu->tcg.pc = entry;
	cpu->tcg.halted = false;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
	tcg_tlb_flush(&cpu->tcg);
}

uint64_t rv_cpu_time(const struct rv_cpu *cpu)
{
	return (monotonic_ns() - cpu->time_base_ns) / (1000000000ULL / RV_TIMEBASE_HZ);
}

/*
 * Timer bits: MTIP follows the ACLINT's mtimecmp; STIP follows stimecmp
 * while menvcfg.STCE is set (Sstc §1.1), otherwise M-mode software owns it.
 */
uint64_t rv_cpu_mip(struct rv_cpu *cpu)
{
	uint64_t mip = atomic_load(&cpu->mip), want = mip;
	uint64_t now;

	if (atomic_load_explicit(&cpu->mtimecmp, memory_order_relaxed) == ~0ULL &&
	    !(cpu->menvcfg & RV_MENVCFG_STCE))
		return mip;
	now = rv_cpu_time(cpu);
	if (atomic_load(&cpu->mtimecmp) != ~0ULL || (mip & RV_MIP_MTIP))
		want = now >= atomic_load(&cpu->mtimecmp) ? want | RV_MIP_MTIP : want & ~RV_MIP_MTIP;
	if (cpu->menvcfg & RV_MENVCFG_STCE)
		want = now >= atomic_load(&cpu->stimecmp) ? want | RV_MIP_STIP : want & ~RV_MIP_STIP;
	if (want != mip)
		atomic_fetch_xor(&cpu->mip, want ^ mip);
	return want;
}

bool rv_cpu_wfi_wake(struct rv_cpu *cpu)
{
	return (rv_cpu_mip(cpu) & cpu->mie) != 0;
}

static uint64_t ticks_to_ns(const struct rv_cpu *cpu, uint64_t t)
{
	uint64_t ns_per = 1000000000ULL / RV_TIMEBASE_HZ;

	if (t == ~0ULL || t > (UINT64_MAX - cpu->time_base_ns) / ns_per)
		return UINT64_MAX;
	return cpu->time_base_ns + t * ns_per;
}

uint64_t rv_cpu_deadline_ns(const struct rv_cpu *cpu)
{
	uint64_t d = ticks_to_ns(cpu, atomic_load(&cpu->mtimecmp));

	if (cpu->menvcfg & RV_MENVCFG_STCE)
		d = MIN(d, ticks_to_ns(cpu, atomic_load(&cpu->stimecmp)));
	return d;
}

void rv_cpu_set_mip(struct rv_cpu *cpu, uint64_t bits, bool level)
{
	if (level)
		atomic_fetch_or(&cpu->mip, bits);
	else
		atomic_fetch_and(&cpu->mip, ~bits);
	tcg_cpu_kick(&cpu->tcg);
}

/* priv §3.1.6.1: xPIE = xIE, xIE = 0, xPP = the old privilege. */
static void trap_to_s(struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
	uint64_t s = cpu->mstatus;

	cpu->sepc = cpu->tcg.pc;
	cpu->scause = cause;
	cpu->stval = tval;
	s = (s & RV_MSTATUS_SIE) ? s | RV_MSTATUS_SPIE : s & ~RV_MSTATUS_SPIE;
	s &= ~RV_MSTATUS_SIE;
	s = cpu->priv == RV_PRIV_S ? s | RV_MSTATUS_SPP : s & ~RV_MSTATUS_SPP;
	cpu->mstatus = s;
	cpu->priv = RV_PRIV_S;
	cpu->tcg.pc = cpu->stvec & ~3ULL;
	/* priv §4.1.2: vectored mode sends interrupts to BASE + 4 * cause. */
	if ((cause >> 63) && (cpu->stvec & 3) == 1)
		cpu->tcg.pc += 4 * (cause & 63);
}

static void trap_to_m(struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
	uint64_t s = cpu->mstatus;

	cpu->mepc = cpu->tcg.pc;
	cpu->mcause = cause;
	cpu->mtval = tval;
	s = (s & RV_MSTATUS_MIE) ? s | RV_MSTATUS_MPIE : s & ~RV_MSTATUS_MPIE;
	s &= ~(RV_MSTATUS_MIE | RV_MSTATUS_MPP);
	s |= (uint64_t)cpu->priv << RV_MSTATUS_MPP_SHIFT;
	cpu->mstatus = s;
	cpu->priv = RV_PRIV_M;
	cpu->tcg.pc = cpu->mtvec & ~3ULL;
	/* priv §3.1.7: vectored mode sends interrupts to BASE + 4 * cause. */
	if ((cause >> 63) && (cpu->mtvec & 3) == 1)
		cpu->tcg.pc += 4 * (cause & 63);
}

/* Debugging aid: VMM_RV_TRACE_TRAPS=1 prints every trap to stderr. */
static void trace_trap(const struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
	static int on = -1;

	if (on < 0)
		on = getenv("VMM_RV_TRACE_TRAPS") != NULL;
	if (on)
		fprintf(stderr, "hart %u trap cause %#llx tval %#llx pc %#llx priv %u\n",
			cpu->tcg.index, (unsigned long long)cause, (unsigned long long)tval,
			(unsigned long long)cpu->tcg.pc, cpu->priv);
}

void rv_cpu_trap(struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
	uint64_t deleg = (cause >> 63) ? cpu->mideleg : cpu->medeleg;

	trace_trap(cpu, cause, tval);

	/* priv §3.1.8: delegated traps from S/U go to S; M-mode traps never leave M. */
	if (cpu->priv <= RV_PRIV_S && ((deleg >> (cause & 63)) & 1))
		trap_to_s(cpu, cause, tval);
	else
		trap_to_m(cpu, cause, tval);
	cpu->res_addr = RV_NO_RESERVATION;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

static void rv_restore_state(struct tcg_cpu *c, const uint64_t *data)
{
	c->pc = data[0];
}

static void rv_do_exception(struct tcg_cpu *c)
{
	struct rv_cpu *cpu = rv_cpu(c);

	/* With no firmware, vmm answers S-mode ecalls itself (SBI). */
	if (c->exception == RV_EXCP_ECALL_S && cpu->env.sbi_call) {
		cpu->env.sbi_call(cpu->env.opaque, cpu);
		c->pc += 4;
		return;
	}
	rv_cpu_trap(cpu, (uint64_t)(uint32_t)c->exception, c->exception_arg);
}

/*
 * priv §3.1.9: the highest-priority interrupt that is pending, enabled in
 * mie and enabled for the level it traps to (MEI > MSI > MTI > SEI > SSI >
 * STI). An interrupt for a higher privilege than the current one is
 * always enabled, one for a lower privilege never.
 */
static uint64_t pending_irqs(struct rv_cpu *cpu)
{
	uint64_t pending = rv_cpu_mip(cpu) & cpu->mie, m, s;
	bool m_on = cpu->priv < RV_PRIV_M || (cpu->mstatus & RV_MSTATUS_MIE);
	bool s_on = cpu->priv < RV_PRIV_S || (cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_SIE));

	m = pending & ~cpu->mideleg;
	s = pending & cpu->mideleg;
	if (m && m_on)
		return m;
	if (s && s_on)
		return s;
	return 0;
}

void rv_cpu_kick_if_deliverable(struct rv_cpu *cpu)
{
	if (pending_irqs(cpu))
		tcg_cpu_kick(&cpu->tcg);
}

static void rv_exec_interrupt(struct tcg_cpu *c)
{
	static const unsigned order[] = {RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI,
					 RV_IRQ_SEI, RV_IRQ_SSI, RV_IRQ_STI};
	struct rv_cpu *cpu = rv_cpu(c);
	uint64_t pending;

	if (atomic_exchange(&cpu->tlb_flush_pending, false))
		rv_mmu_flush(cpu, true, 0);
	if (c->halted && rv_cpu_wfi_wake(cpu))
		c->halted = false;
	if (c->halted)
		return;
	pending = pending_irqs(cpu);
	for (unsigned i = 0; pending && i < sizeof(order) / sizeof(order[0]); i++) {
		if (pending & (1ULL << order[i])) {
			rv_cpu_trap(cpu, (1ULL << 63) | order[i], 0);
			return;
		}
	}
}

static void rv_mem_fault(struct tcg_cpu *c, uint64_t vaddr, enum tcg_access access)
{
	static const enum rv_excp cause[] = {
	    [TCG_ACCESS_READ] = RV_EXCP_LOAD_ACCESS,
	    [TCG_ACCESS_WRITE] = RV_EXCP_STORE_ACCESS,
	    [TCG_ACCESS_EXEC] = RV_EXCP_INSN_ACCESS,
	};
	tcg_raise_exception(c, cause[access], vaddr);
}

static void rv_unaligned(struct tcg_cpu *c, uint64_t vaddr, enum tcg_access access)
{
	static const enum rv_excp cause[] = {
	    [TCG_ACCESS_READ] = RV_EXCP_LOAD_MISALIGNED,
	    [TCG_ACCESS_WRITE] = RV_EXCP_STORE_MISALIGNED,
	    [TCG_ACCESS_EXEC] = RV_EXCP_INSN_MISALIGNED,
	};
	tcg_raise_exception(c, cause[access], vaddr);
}

static void rv_dump(struct tcg_cpu *c)
{
	struct rv_cpu *cpu = rv_cpu(c);

	fprintf(stderr, "pc  %016llx priv %u mstatus %016llx instret %llu\n",
		(unsigned long long)c->pc, cpu->priv, (unsigned long long)cpu->mstatus,
		(unsigned long long)c->instret);
	fprintf(stderr, "mcause %llx mepc %016llx mtval %016llx mtvec %016llx\n",
		(unsigned long long)cpu->mcause, (unsigned long long)cpu->mepc,
		(unsigned long long)cpu->mtval, (unsigned long long)cpu->mtvec);
	fprintf(stderr, "scause %llx sepc %016llx stval %016llx stvec %016llx satp %016llx\n",
		(unsigned long long)cpu->scause, (unsigned long long)cpu->sepc,
		(unsigned long long)cpu->stval, (unsigned long long)cpu->stvec,
		(unsigned long long)cpu->satp);
	for (unsigned i = 0; i < 32; i += 4)
		fprintf(stderr, "x%-2u %016llx %016llx %016llx %016llx\n", i,
			(unsigned long long)cpu->x[i], (unsigned long long)cpu->x[i + 1],
			(unsigned long long)cpu->x[i + 2], (unsigned long long)cpu->x[i + 3]);
}

const struct tcg_frontend_ops rv_frontend_ops = {
    .name = "riscv64",
    .cpu_size = sizeof(struct rv_cpu),
    .register_globals = rv_translate_register_globals,
    .translate_block = rv_translate_block,
    .restore_state = rv_restore_state,
    .do_exception = rv_do_exception,
    .exec_interrupt = rv_exec_interrupt,
    .tlb_fill = rv_mmu_tlb_fill,
    /* M-mode without MPRV is the identity map with all permissions (no PMP) */
    .phys_mmu_mask = 1u << RV_MMU_M,
    .mem_fault = rv_mem_fault,
    .unaligned = rv_unaligned,
    .code_mmu_idx = rv_code_mmu_idx,
    .dump = rv_dump,
};
