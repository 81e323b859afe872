/*
 * Control and status registers (priv spec §2, §3.1; unpriv §11.2 for fcsr,
 * chapter 10 for the counters). M-mode only: every CSR this machine does
 * not have, and every write to a read-only one, is an illegal instruction
 * (priv §2.1), with the instruction bits in mtval.
 */
#include <stdatomic.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/riscv64/helper.h"
#include "common/log.h"

enum {
	CSR_FFLAGS = 0x001,
	CSR_FRM = 0x002,
	CSR_FCSR = 0x003,
	CSR_CYCLE = 0xc00,
	CSR_TIME = 0xc01,
	CSR_INSTRET = 0xc02,
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306,
	CSR_MCOUNTINHIBIT = 0x320,
	CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_MCYCLE = 0xb00,
	CSR_MINSTRET = 0xb02,
	CSR_MHPMCOUNTER3 = 0xb03,
	CSR_MHPMCOUNTER31 = 0xb1f,
	CSR_MVENDORID = 0xf11,
	CSR_MARCHID = 0xf12,
	CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
};

/*
 * Raw counts. The CSR instruction ends its block, so cpu->instret counts
 * it already; the value it reads is the count before it (priv §3.1.11).
 * cycle runs with instret (one instruction per cycle).
 */
static uint64_t raw_instret(const struct rv_cpu *cpu)
{
	return cpu->tcg.instret - 1;
}

static uint64_t rv_time(const struct rv_cpu *cpu)
{
	return (monotonic_ns() - cpu->time_base_ns) / (1000000000ULL / RV_TIMEBASE_HZ);
}

static uint64_t mstatus_read(const struct rv_cpu *cpu)
{
	uint64_t s = cpu->mstatus | RV_MSTATUS_MPP; /* MPP is M: the only mode */
	if (((s & RV_MSTATUS_FS) >> RV_MSTATUS_FS_SHIFT) == RV_FS_DIRTY)
		s |= RV_MSTATUS_SD;
	return s;
}

static bool fp_enabled(const struct rv_cpu *cpu)
{
	return (cpu->mstatus & RV_MSTATUS_FS) != 0;
}

/* Read @csr into *v; false if it does not exist (or FS is Off for an FP CSR). */
static bool csr_read(struct rv_cpu *cpu, unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_FFLAGS:
		*v = cpu->fflags;
		return fp_enabled(cpu);
	case CSR_FRM:
		*v = cpu->frm;
		return fp_enabled(cpu);
	case CSR_FCSR:
		*v = cpu->frm << 5 | cpu->fflags;
		return fp_enabled(cpu);
	case CSR_CYCLE:
	case CSR_MCYCLE:
		*v = raw_instret(cpu) + cpu->cycle_off;
		return true;
	case CSR_INSTRET:
	case CSR_MINSTRET:
		*v = raw_instret(cpu) + cpu->instret_off;
		return true;
	case CSR_TIME:
		*v = rv_time(cpu);
		return true;
	case CSR_MSTATUS:
		*v = mstatus_read(cpu);
		return true;
	case CSR_MISA:
		*v = cpu->misa;
		return true;
	case CSR_MIE:
		*v = cpu->mie;
		return true;
	case CSR_MIP:
		*v = atomic_load(&cpu->mip);
		return true;
	case CSR_MTVEC:
		*v = cpu->mtvec;
		return true;
	case CSR_MCOUNTEREN:
		*v = cpu->mcounteren;
		return true;
	case CSR_MSCRATCH:
		*v = cpu->mscratch;
		return true;
	case CSR_MEPC:
		*v = cpu->mepc;
		return true;
	case CSR_MCAUSE:
		*v = cpu->mcause;
		return true;
	case CSR_MTVAL:
		*v = cpu->mtval;
		return true;
	case CSR_MHARTID:
		*v = cpu->tcg.index;
		return true;
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR:
	case CSR_MCOUNTINHIBIT: /* WARL zero: the counters always count */
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
		*v = 0;
		return true;
	}
	return false;
}

static void set_fs_dirty(struct rv_cpu *cpu)
{
	cpu->mstatus |= RV_MSTATUS_FS;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

/* Write @v to @csr (which exists and is writable); WARL fields are legalised. */
static void csr_write(struct rv_cpu *cpu, unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_FFLAGS:
		cpu->fflags = v & 0x1f;
		set_fs_dirty(cpu);
		break;
	case CSR_FRM:
		cpu->frm = v & 7;
		set_fs_dirty(cpu);
		break;
	case CSR_FCSR:
		cpu->fflags = v & 0x1f;
		cpu->frm = (v >> 5) & 7;
		set_fs_dirty(cpu);
		break;
	case CSR_MCYCLE:
		cpu->cycle_off = v - cpu->tcg.instret;
		break;
	case CSR_MINSTRET:
		cpu->instret_off = v - cpu->tcg.instret;
		break;
	case CSR_MSTATUS:
		cpu->mstatus = v & (RV_MSTATUS_MIE | RV_MSTATUS_MPIE | RV_MSTATUS_FS);
		cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
		break;
	case CSR_MIE:
		cpu->mie = v & RV_MIE_MASK;
		break;
	case CSR_MTVEC:
		cpu->mtvec = v & ~2ULL;
		break; /* modes 2, 3 reserved (§3.1.7) */
	case CSR_MCOUNTEREN:
		cpu->mcounteren = (uint32_t)v;
		break;
	case CSR_MSCRATCH:
		cpu->mscratch = v;
		break;
	case CSR_MEPC:
		cpu->mepc = v & ~1ULL;
		break;
	case CSR_MCAUSE:
		cpu->mcause = v;
		break;
	case CSR_MTVAL:
		cpu->mtval = v;
		break;
	default: /* misa, mip (no software-writable bits in M-only), WARL-zero counters */
		break;
	}
}

static uint64_t helper_csr(struct tcg_cpu *c, uint64_t insn, uint64_t src)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned csr = (unsigned)(insn >> 20), op = (insn >> 12) & 3;
	bool write = op == 1 || ((insn >> 15) & 31) != 0; /* csrrs/c with x0/0: read only */
	uint64_t old = 0;

	/* priv §2.1: bits [11:10] == 3 read-only, bits [9:8] the lowest privilege. */
	if (!csr_read(cpu, csr, &old) || ((csr >> 8) & 3) > cpu->priv ||
	    (write && (csr >> 10) == 3))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	if (write)
		csr_write(cpu, csr, op == 1 ? src : op == 2 ? old | src : old & ~src);
	return old;
}

const struct tcg_helper rv_helper_csr = TCG_HELPER(helper_csr, 2, 0);
