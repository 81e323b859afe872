/*
 * The RISC-V frontend's hooks for the JIT core (tcg.h): reset, traps
 * (priv spec §3.1.6-3.1.17), interrupts, memory faults, and the ops table.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/riscv64/translate.h"
#include "common/log.h"

void rv_translate_register_globals(struct tcg_ctx *ctx);
int rv_translate_block(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);

/* misa: MXL = 64, extensions I M A F D C (priv §3.1.1). */
#define RV_MISA_EXT(c) (1ULL << ((c) - 'A'))
#define RV_MISA                                                                                    \
	((2ULL << 62) | RV_MISA_EXT('I') | RV_MISA_EXT('M') | RV_MISA_EXT('A') |                   \
	 RV_MISA_EXT('F') | RV_MISA_EXT('D') | RV_MISA_EXT('C'))

uint32_t rv_cpu_tb_flags(const struct rv_cpu *cpu)
{
	unsigned fs = (unsigned)((cpu->mstatus & RV_MSTATUS_FS) >> RV_MSTATUS_FS_SHIFT);
	uint32_t f = cpu->priv & RV_TBF_PRIV_MASK;

	if (fs != RV_FS_OFF)
		f |= RV_TBF_FS_ON;
	if (fs == RV_FS_DIRTY)
		f |= RV_TBF_FS_DIRTY;
	return f;
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
	cpu->mstatus = 0; /* MIE = 0 at reset (priv §3.4) */
	cpu->misa = RV_MISA;
	cpu->mtvec = cpu->mepc = cpu->mcause = cpu->mtval = cpu->mscratch = cpu->mie = 0;
	atomic_store(&cpu->mip, 0);
	cpu->mcounteren = cpu->mcountinhibit = 0;
	cpu->instret_off = cpu->cycle_off = 0;
	cpu->tcg.instret = 0;
	cpu->time_base_ns = monotonic_ns();
	cpu->tcg.pc = entry;
	cpu->tcg.halted = false;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

void rv_cpu_trap(struct rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
	uint64_t base = cpu->mtvec & ~3ULL;
	bool irq = cause >> 63;

	cpu->mepc = cpu->tcg.pc;
	cpu->mcause = cause;
	cpu->mtval = tval;
	/* priv §3.1.6.1: MPIE = MIE, MIE = 0, MPP = the old privilege. */
	if (cpu->mstatus & RV_MSTATUS_MIE)
		cpu->mstatus |= RV_MSTATUS_MPIE;
	else
		cpu->mstatus &= ~RV_MSTATUS_MPIE;
	cpu->mstatus &= ~RV_MSTATUS_MIE;
	cpu->priv = RV_PRIV_M;
	/* priv §3.1.7: vectored mode sends interrupts to BASE + 4 * cause. */
	if (irq && (cpu->mtvec & 3) == 1)
		base += 4 * (cause & 63);
	cpu->tcg.pc = base;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

static void rv_restore_state(struct tcg_cpu *c, const uint64_t *data)
{
	c->pc = data[0];
}

static void rv_do_exception(struct tcg_cpu *c)
{
	rv_cpu_trap(rv_cpu(c), (uint64_t)(uint32_t)c->exception, c->exception_arg);
}

/* priv §3.1.9: take the highest-priority pending, enabled interrupt (MEI > MSI > MTI). */
static void rv_exec_interrupt(struct tcg_cpu *c)
{
	static const unsigned order[] = {RV_IRQ_MEI, RV_IRQ_MSI, RV_IRQ_MTI};
	struct rv_cpu *cpu = rv_cpu(c);
	uint64_t pending = atomic_load(&cpu->mip) & cpu->mie;

	if (pending)
		c->halted = false;
	if (!pending || !(cpu->mstatus & RV_MSTATUS_MIE))
		return;
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
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
    .tlb_fill = NULL, /* physical addressing in M-mode; paging is the next issue */
    .mem_fault = rv_mem_fault,
    .unaligned = rv_unaligned,
    .dump = rv_dump,
};
