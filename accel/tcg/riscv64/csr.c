/*
 * Control and status registers (priv spec §2, §3.1, §4.1; unpriv §11.2 for
 * fcsr, chapter 10 for the counters; Sstc for stimecmp). Every CSR this
 * machine does not have, every write to a read-only one and every access
 * from too low a privilege is an illegal instruction (priv §2.1), with the
 * instruction bits in the trap value.
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
	CSR_HPMCOUNTER3 = 0xc03,
	CSR_HPMCOUNTER31 = 0xc1f,
	CSR_SSTATUS = 0x100,
	CSR_SIE = 0x104,
	CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a,
	CSR_SSCRATCH = 0x140,
	CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143,
	CSR_SIP = 0x144,
	CSR_STIMECMP = 0x14d,
	CSR_SATP = 0x180,
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306,
	CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320,
	CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_MTINST = 0x34a,
	CSR_MTVAL2 = 0x34b,
	CSR_PMPCFG0 = 0x3a0,
	CSR_PMPCFG15 = 0x3af,
	CSR_PMPADDR0 = 0x3b0,
	CSR_PMPADDR63 = 0x3ef,
	CSR_MSECCFG = 0x747,
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

/* Writable mstatus bits; UXL = SXL = 2 (64-bit) are read-only (priv §3.1.6). */
#define MSTATUS_WMASK                                                                              \
	(RV_MSTATUS_SIE | RV_MSTATUS_MIE | RV_MSTATUS_SPIE | RV_MSTATUS_MPIE | RV_MSTATUS_SPP |    \
	 RV_MSTATUS_MPP | RV_MSTATUS_FS | RV_MSTATUS_MPRV | RV_MSTATUS_SUM | RV_MSTATUS_MXR |      \
	 RV_MSTATUS_TVM | RV_MSTATUS_TW | RV_MSTATUS_TSR)
#define MSTATUS_XL (2ULL << 32 | 2ULL << 34)
/* The sstatus view (priv §4.1.1). */
#define SSTATUS_MASK                                                                               \
	(RV_MSTATUS_SIE | RV_MSTATUS_SPIE | RV_MSTATUS_SPP | RV_MSTATUS_FS | RV_MSTATUS_SUM |      \
	 RV_MSTATUS_MXR)
/* medeleg: every exception but ecall from M (priv §3.1.8). */
#define MEDELEG_MASK 0xb3ffULL
#define MENVCFG_MASK                                                                               \
	(RV_MENVCFG_FIOM | RV_MENVCFG_CBIE | RV_MENVCFG_CBCFE | RV_MENVCFG_CBZE |                  \
	 RV_MENVCFG_PBMTE | RV_MENVCFG_STCE)
#define SENVCFG_MASK (RV_MENVCFG_FIOM | RV_MENVCFG_CBIE | RV_MENVCFG_CBCFE | RV_MENVCFG_CBZE)

/*
 * Raw counts. The CSR instruction ends its block, so cpu->instret counts
 * it already; the value it reads is the count before it (priv §3.1.11).
 * cycle runs with instret (one instruction per cycle).
 */
static uint64_t raw_instret(const struct rv_cpu *cpu)
{
	return cpu->tcg.instret - 1;
}

static uint64_t mstatus_read(const struct rv_cpu *cpu)
{
	uint64_t s = cpu->mstatus | MSTATUS_XL;
	if (((s & RV_MSTATUS_FS) >> RV_MSTATUS_FS_SHIFT) == RV_FS_DIRTY)
		s |= RV_MSTATUS_SD;
	return s;
}

static bool fp_enabled(const struct rv_cpu *cpu)
{
	return (cpu->mstatus & RV_MSTATUS_FS) != 0;
}

/*
 * Counter access from below M: mcounteren gates S and U, scounteren U
 * (priv §3.1.11, §4.1.5). Bit n of the enables is counter 0xc00 + n.
 */
static bool counter_ok(const struct rv_cpu *cpu, unsigned csr)
{
	unsigned bit = csr & 31;

	if (cpu->priv == RV_PRIV_M)
		return true;
	if (!((cpu->mcounteren >> bit) & 1))
		return false;
	return cpu->priv == RV_PRIV_S || ((cpu->scounteren >> bit) & 1);
}

/* stimecmp from S needs menvcfg.STCE and mcounteren.TM (Sstc §1.2). */
static bool stimecmp_ok(const struct rv_cpu *cpu)
{
	return cpu->priv == RV_PRIV_M ||
	       ((cpu->menvcfg & RV_MENVCFG_STCE) && (cpu->mcounteren & 2));
}

static bool csr_read_s(struct rv_cpu *cpu, unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_SSTATUS:
		*v = mstatus_read(cpu) & (SSTATUS_MASK | RV_MSTATUS_SD | RV_MSTATUS_UXL);
		return true;
	case CSR_SIE:
		*v = cpu->mie & cpu->mideleg;
		return true;
	case CSR_SIP:
		*v = rv_cpu_mip(cpu) & cpu->mideleg;
		return true;
	case CSR_STVEC:
		*v = cpu->stvec;
		return true;
	case CSR_SCOUNTEREN:
		*v = cpu->scounteren;
		return true;
	case CSR_SENVCFG:
		*v = cpu->senvcfg;
		return true;
	case CSR_SSCRATCH:
		*v = cpu->sscratch;
		return true;
	case CSR_SEPC:
		*v = cpu->sepc;
		return true;
	case CSR_SCAUSE:
		*v = cpu->scause;
		return true;
	case CSR_STVAL:
		*v = cpu->stval;
		return true;
	case CSR_STIMECMP:
		*v = atomic_load(&cpu->stimecmp);
		return stimecmp_ok(cpu);
	case CSR_SATP:
		*v = cpu->satp;
		/* priv §3.1.6.5: TVM makes satp illegal in S-mode. */
		return !(cpu->priv == RV_PRIV_S && (cpu->mstatus & RV_MSTATUS_TVM));
	}
	return false;
}

static bool csr_read_m(struct rv_cpu *cpu, unsigned csr, uint64_t *v)
{
	*v = 0;
	switch (csr) {
	case CSR_MSTATUS:
		*v = mstatus_read(cpu);
		return true;
	case CSR_MISA:
		*v = cpu->misa;
		return true;
	case CSR_MEDELEG:
		*v = cpu->medeleg;
		return true;
	case CSR_MIDELEG:
		*v = cpu->mideleg;
		return true;
	case CSR_MIE:
		*v = cpu->mie;
		return true;
	case CSR_MIP:
		*v = rv_cpu_mip(cpu);
		return true;
	case CSR_MTVEC:
		*v = cpu->mtvec;
		return true;
	case CSR_MCOUNTEREN:
		*v = cpu->mcounteren;
		return true;
	case CSR_MENVCFG:
		*v = cpu->menvcfg;
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
	case CSR_PMPCFG0:
	case CSR_PMPCFG0 + 2:
		*v = cpu->pmpcfg[(csr - CSR_PMPCFG0) / 2];
		return true;
	case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
		*v = cpu->pmpaddr[csr - CSR_PMPADDR0];
		return true;
	case CSR_PMPCFG0 + 4 ... CSR_PMPCFG15: /* odd ones do not exist on RV64; zero */
		return !(csr & 1);
	case CSR_PMPADDR0 + 16 ... CSR_PMPADDR63:
	case CSR_MTINST:
	case CSR_MTVAL2:
	case CSR_MSECCFG:
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR:
	case CSR_MCOUNTINHIBIT: /* WARL zero: the counters always count */
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31:
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31:
		return true;
	}
	return false;
}

/* Read @csr into *v; false if it does not exist or is not accessible now. */
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
		return csr == CSR_MCYCLE || counter_ok(cpu, csr);
	case CSR_INSTRET:
	case CSR_MINSTRET:
		*v = raw_instret(cpu) + cpu->instret_off;
		return csr == CSR_MINSTRET || counter_ok(cpu, csr);
	case CSR_TIME:
		*v = rv_cpu_time(cpu);
		return counter_ok(cpu, csr);
	case CSR_HPMCOUNTER3 ... CSR_HPMCOUNTER31:
		*v = 0;
		return counter_ok(cpu, csr);
	}
	if ((csr >> 8 & 3) == RV_PRIV_S)
		return csr_read_s(cpu, csr, v);
	return csr_read_m(cpu, csr, v);
}

static void set_fs_dirty(struct rv_cpu *cpu)
{
	cpu->mstatus |= RV_MSTATUS_FS;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

static void mstatus_write(struct rv_cpu *cpu, uint64_t v, uint64_t mask)
{
	uint64_t old = cpu->mstatus, n = (old & ~mask) | (v & mask);

	/* MPP is WARL: 2 is reserved; keep U instead (priv §3.1.6.2). */
	if (((n & RV_MSTATUS_MPP) >> RV_MSTATUS_MPP_SHIFT) == 2)
		n &= ~RV_MSTATUS_MPP;
	cpu->mstatus = n;
	/* MXR changes what loads may read in every TLB entry: start afresh. */
	if ((old ^ n) & RV_MSTATUS_MXR)
		rv_mmu_flush(cpu, true, 0);
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

/* priv §4.1.11: a write with an unsupported MODE has no effect at all. */
static void satp_write(struct rv_cpu *cpu, uint64_t v)
{
	unsigned mode = (unsigned)(v >> 60);

	if (mode != RV_SATP_BARE && mode != RV_SATP_SV39 && mode != RV_SATP_SV48 &&
	    mode != RV_SATP_SV57)
		return;
	/* MODE, a 16-bit ASID, a 44-bit PPN. */
	v &= (0xfULL << 60) | (0xffffULL << 44) | ((1ULL << 44) - 1);
	if (v == cpu->satp)
		return;
	/*
	 * A new MODE changes every translation; a new ASID/PPN is another
	 * address space: the untagged TLB keeps only global translations.
	 */
	if ((v ^ cpu->satp) >> 60)
		rv_mmu_flush(cpu, true, 0);
	else
		rv_mmu_flush_nonglobal(cpu);
	cpu->satp = v;
	cpu->tcg.tb_flags = rv_cpu_tb_flags(cpu);
}

static void timer_changed(struct rv_cpu *cpu)
{
	if (cpu->env.timer_changed)
		cpu->env.timer_changed(cpu->env.opaque);
}

static void csr_write_s(struct rv_cpu *cpu, unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_SSTATUS:
		mstatus_write(cpu, v, SSTATUS_MASK);
		break;
	case CSR_SIE:
		cpu->mie = (cpu->mie & ~cpu->mideleg) | (v & cpu->mideleg);
		break;
	case CSR_SIP: /* only SSIP is writable from S (priv §4.1.3) */
		rv_cpu_set_mip(cpu, RV_MIP_SSIP & cpu->mideleg, v & RV_MIP_SSIP);
		break;
	case CSR_STVEC:
		cpu->stvec = (v & 3) >= 2 ? (v & ~3ULL) | (cpu->stvec & 3) : v;
		break;
	case CSR_SCOUNTEREN:
		cpu->scounteren = (uint32_t)v;
		break;
	case CSR_SENVCFG:
		cpu->senvcfg = v & SENVCFG_MASK;
		break;
	case CSR_SSCRATCH:
		cpu->sscratch = v;
		break;
	case CSR_SEPC:
		cpu->sepc = v & ~1ULL;
		break;
	case CSR_SCAUSE:
		cpu->scause = v;
		break;
	case CSR_STVAL:
		cpu->stval = v;
		break;
	case CSR_STIMECMP:
		atomic_store(&cpu->stimecmp, v);
		timer_changed(cpu);
		break;
	case CSR_SATP:
		satp_write(cpu, v);
		break;
	}
}

static void csr_write_m(struct rv_cpu *cpu, unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_MSTATUS:
		mstatus_write(cpu, v, MSTATUS_WMASK);
		break;
	case CSR_MEDELEG:
		cpu->medeleg = v & MEDELEG_MASK;
		break;
	case CSR_MIDELEG:
		cpu->mideleg = v & RV_S_INTS;
		break;
	case CSR_MIE:
		cpu->mie = v & RV_MIE_MASK;
		break;
	case CSR_MIP: {
		/* M software may set SSIP, SEIP, and STIP unless Sstc owns it. */
		uint64_t m = RV_MIP_SSIP | RV_MIP_SEIP;
		if (!(cpu->menvcfg & RV_MENVCFG_STCE))
			m |= RV_MIP_STIP;
		rv_cpu_set_mip(cpu, v & m, true);
		rv_cpu_set_mip(cpu, ~v & m, false);
		break;
	}
	case CSR_MTVEC:
		cpu->mtvec = (v & 3) >= 2 ? (v & ~3ULL) | (cpu->mtvec & 3) : v;
		break;
	case CSR_MCOUNTEREN:
		cpu->mcounteren = (uint32_t)v;
		break;
	case CSR_MENVCFG:
		cpu->menvcfg = v & MENVCFG_MASK;
		timer_changed(cpu);
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
	case CSR_PMPCFG0:
	case CSR_PMPCFG0 + 2:
		cpu->pmpcfg[(csr - CSR_PMPCFG0) / 2] = v;
		break;
	case CSR_PMPADDR0 ... CSR_PMPADDR0 + 15:
		cpu->pmpaddr[csr - CSR_PMPADDR0] = v & ((1ULL << 54) - 1);
		break;
	}
}

/* Write @v to @csr (which exists and is writable); WARL fields are legalised. */
static void csr_write(struct rv_cpu *cpu, unsigned csr, uint64_t v)
{
	switch (csr) {
	case CSR_FFLAGS:
		cpu->fflags = v & 0x1f;
		set_fs_dirty(cpu);
		return;
	case CSR_FRM:
		cpu->frm = v & 7;
		set_fs_dirty(cpu);
		return;
	case CSR_FCSR:
		cpu->fflags = v & 0x1f;
		cpu->frm = (v >> 5) & 7;
		set_fs_dirty(cpu);
		return;
	case CSR_MCYCLE:
		cpu->cycle_off = v - cpu->tcg.instret;
		return;
	case CSR_MINSTRET:
		cpu->instret_off = v - cpu->tcg.instret;
		return;
	}
	const uint64_t ie = RV_MSTATUS_SIE | RV_MSTATUS_MIE, ie_before = cpu->mstatus & ie;

	if ((csr >> 8 & 3) == RV_PRIV_S)
		csr_write_s(cpu, csr, v);
	else
		csr_write_m(cpu, csr, v);
	/*
	 * Interrupt enables, pending bits, delegation or a timer compare
	 * may have changed: one that is deliverable now is taken before the
	 * next instruction (the next block's exit check). Otherwise the
	 * block's end looks the next pc up inline (translate.c, csr). A
	 * status write that sets no xIE bit (Linux's sstatus.SUM toggles
	 * around user accesses) cannot make one deliverable: no look, no
	 * clock read (rv_cpu_mip) for those.
	 */
	if ((csr == CSR_SSTATUS || csr == CSR_MSTATUS) && !(cpu->mstatus & ie & ~ie_before))
		return;
	rv_cpu_kick_if_deliverable(cpu);
}

static uint64_t helper_csr(struct tcg_cpu *c, uint64_t insn, uint64_t src)
{
	struct rv_cpu *cpu = rv_cpu(c);
	unsigned csr = (unsigned)(insn >> 20), op = (insn >> 12) & 3;
	bool write = op == 1 || ((insn >> 15) & 31) != 0; /* csrrs/c with x0/0: read only */
	uint64_t old = 0;

	/* priv §2.1: bits [11:10] == 3 read-only, bits [9:8] the lowest privilege. */
	if (((csr >> 8) & 3) > cpu->priv || !csr_read(cpu, csr, &old) ||
	    (write && (csr >> 10) == 3))
		tcg_raise_exception(c, RV_EXCP_ILLEGAL, insn);
	if (write)
		csr_write(cpu, csr, op == 1 ? src : op == 2 ? old | src : old & ~src);
	return old;
}

const struct tcg_helper rv_helper_csr = TCG_HELPER(helper_csr, 2, 0);
