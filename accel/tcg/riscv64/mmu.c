/*
 * Virtual memory (priv spec §4.3-4.5, Svpbmt §6): Sv39/Sv48/Sv57 walks for
 * the software TLB's tlb_fill hook, hardware A/D updates done atomically on
 * guest memory, and the TLB flushes sfence.vma and satp writes require.
 *
 * The TLB holds 4 KiB slices. A superpage leaf fills one slice per touched
 * page, so the range the superpages cover is remembered (lp_addr/lp_len):
 * an address sfence.vma inside it flushes everything.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "accel/tcg/riscv64/cpu.h"
#include "common/log.h"

/* PTE bits (priv §4.3.1, §4.4.1; Svpbmt: bits 62:61, Svnapot: bit 63). */
#define PTE_V	     (1ULL << 0)
#define PTE_R	     (1ULL << 1)
#define PTE_W	     (1ULL << 2)
#define PTE_X	     (1ULL << 3)
#define PTE_U	     (1ULL << 4)
#define PTE_G	     (1ULL << 5)
#define PTE_A	     (1ULL << 6)
#define PTE_D	     (1ULL << 7)
#define PTE_PPN_MASK (((1ULL << 44) - 1) << 10)
#define PTE_PBMT     (3ULL << 61)
#define PTE_N	     (1ULL << 63)
#define PTE_RSVD     (((1ULL << 7) - 1) << 54) /* bits 60:54 must be zero */

struct rv_walk {
	uint64_t paddr;	    /* physical page of the 4 KiB slice */
	uint64_t page_size; /* size of the leaf's page */
	bool read, write, exec;
	bool global; /* G in the leaf or a pointer above it (priv §4.3.1) */
};

unsigned rv_code_mmu_idx(uint32_t tb_flags)
{
	switch (tb_flags & RV_TBF_PRIV_MASK) {
	case RV_PRIV_M:
		return RV_MMU_M;
	case RV_PRIV_S:
		return RV_MMU_S;
	}
	return RV_MMU_U;
}

static enum rv_excp page_fault(enum tcg_access access)
{
	return access == TCG_ACCESS_READ    ? RV_EXCP_LOAD_PAGE
	       : access == TCG_ACCESS_WRITE ? RV_EXCP_STORE_PAGE
					    : RV_EXCP_INSN_PAGE;
}

static enum rv_excp access_fault(enum tcg_access access)
{
	return access == TCG_ACCESS_READ    ? RV_EXCP_LOAD_ACCESS
	       : access == TCG_ACCESS_WRITE ? RV_EXCP_STORE_ACCESS
					    : RV_EXCP_INSN_ACCESS;
}

/* Levels of a satp mode (0: not a paged mode). */
static unsigned mode_levels(unsigned mode)
{
	switch (mode) {
	case RV_SATP_SV39:
		return 3;
	case RV_SATP_SV48:
		return 4;
	case RV_SATP_SV57:
		return 5;
	}
	return 0;
}

/* The leaf's permissions for privilege @priv (priv §4.3.2 step 5, SUM/MXR §4.1.1). */
static void leaf_perms(const struct rv_cpu *cpu, uint64_t pte, unsigned mmu_idx, struct rv_walk *w)
{
	bool user = pte & PTE_U;
	bool mxr = cpu->mstatus & RV_MSTATUS_MXR;

	w->read = (pte & PTE_R) || (mxr && (pte & PTE_X));
	w->write = pte & PTE_W;
	w->exec = pte & PTE_X;
	if (mmu_idx == RV_MMU_U && !user)
		w->read = w->write = w->exec = false;
	if (mmu_idx != RV_MMU_U && user) {
		/* S-mode never executes user pages; it reads/writes them only with SUM. */
		w->exec = false;
		if (mmu_idx != RV_MMU_S_SUM)
			w->read = w->write = false;
	}
}

static bool access_ok(const struct rv_walk *w, enum tcg_access access)
{
	return access == TCG_ACCESS_READ ? w->read : access == TCG_ACCESS_WRITE ? w->write : w->exec;
}

/*
 * Set A (and D for a write) with a compare-and-swap, so a concurrent
 * update by another hart or the guest is not lost (priv §4.3.2 step 7).
 * Returns the PTE as written, or 0 if it changed under us (walk again).
 */
static uint64_t update_ad(_Atomic uint64_t *p, uint64_t pte, enum tcg_access access)
{
	uint64_t want = pte | PTE_A | (access == TCG_ACCESS_WRITE ? PTE_D : 0);

	if (want == pte)
		return pte;
	if (!atomic_compare_exchange_strong(p, &pte, want))
		return 0;
	return want;
}

/* Walk for @vaddr; 0 or the exception to raise. */
static int walk(struct rv_cpu *cpu, uint64_t vaddr, enum tcg_access access, unsigned mmu_idx,
		struct rv_walk *w)
{
	unsigned mode = (unsigned)(cpu->satp >> 60), levels = mode_levels(mode);
	unsigned va_bits = 12 + 9 * levels;
	uint64_t table = (cpu->satp & ((1ULL << 44) - 1)) << 12;
	int64_t sext = (int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits);

	/* guest-controlled: bits above the VA width must copy the top bit (§4.3.1). */
	if ((uint64_t)sext != vaddr)
		return page_fault(access);
	for (int level = (int)levels - 1; level >= 0; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		uint64_t idx = (vaddr >> shift) & 511, pte;
		_Atomic uint64_t *p = cpu->env.mem ? gm_ptr(cpu->env.mem, table + idx * 8, 8) : NULL;

		if (!p)
			return access_fault(access); /* PTE outside RAM (§4.3.2 step 2) */
	again:
		pte = atomic_load_explicit(p, memory_order_relaxed);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RSVD) ||
		    (pte & PTE_N) || (pte & PTE_PBMT) == PTE_PBMT)
			return page_fault(access);
		w->global |= (pte & PTE_G) != 0;
		if (!(pte & (PTE_R | PTE_X))) {
			/* Pointer: D, A, U reserved (§4.3.1), and PBMT too (Svpbmt). */
			if (pte & (PTE_D | PTE_A | PTE_U | PTE_PBMT))
				return page_fault(access);
			table = ((pte & PTE_PPN_MASK) >> 10) << 12;
			continue;
		}
		uint64_t ppn = (pte & PTE_PPN_MASK) >> 10;
		uint64_t low = (1ULL << (shift - 12)) - 1;
		if (ppn & low)
			return page_fault(access); /* misaligned superpage (step 6) */
		leaf_perms(cpu, pte, mmu_idx, w);
		if (!access_ok(w, access))
			return page_fault(access);
		pte = update_ad(p, pte, access);
		if (!pte)
			goto again;
		if (!(pte & PTE_D))
			w->write = false; /* the first write walks again and sets D */
		w->page_size = 1ULL << shift;
		w->paddr = ((ppn | ((vaddr >> 12) & low)) << 12);
		return 0;
	}
	return page_fault(access);
}

/* Remember the range of superpage slices for sfence.vma by address. */
static void note_large(struct rv_cpu *cpu, uint64_t vaddr, uint64_t size)
{
	uint64_t base = vaddr & ~(size - 1), lo, hi;

	if (!cpu->lp_len) {
		cpu->lp_addr = base;
		cpu->lp_len = size;
		return;
	}
	lo = MIN(cpu->lp_addr, base);
	hi = MAX(cpu->lp_addr + cpu->lp_len - 1, base + size - 1);
	cpu->lp_addr = lo;
	cpu->lp_len = hi - lo + 1;
}

static unsigned vpage_bit(uint64_t vaddr)
{
	return (unsigned)(vaddr >> TCG_PAGE_BITS) & (RV_CODE_VPAGE_BITS - 1);
}

static void mark_code_vpage(struct rv_cpu *cpu, uint64_t vaddr, bool global)
{
	unsigned b = vpage_bit(vaddr);

	cpu->code_vpages[global][b / 64] |= 1ULL << (b % 64);
}

static bool maybe_code_vpage(const struct rv_cpu *cpu, uint64_t vaddr)
{
	unsigned b = vpage_bit(vaddr);

	return ((cpu->code_vpages[0][b / 64] | cpu->code_vpages[1][b / 64]) >> (b % 64)) & 1;
}

int rv_mmu_tlb_fill(struct tcg_cpu *c, uint64_t vaddr, enum tcg_access access, unsigned mmu_idx,
		    bool probe, struct tcg_tlb_fill *out)
{
	struct rv_cpu *cpu = rv_cpu(c);
	struct rv_walk w = {0};
	int excp;

	/* M-mode, and S/U with satp Bare: physical addresses (§4.1.11). */
	if (mmu_idx == RV_MMU_M || (cpu->satp >> 60) == RV_SATP_BARE) {
		out->paddr = vaddr & TCG_PAGE_MASK;
		out->read = out->write = out->exec = true;
		return 0;
	}
	excp = walk(cpu, vaddr, access, mmu_idx, &w);
	if (excp) {
		if (probe)
			return -EFAULT;
		tcg_raise_exception(c, excp, vaddr);
	}
	if (w.page_size > TCG_PAGE_SIZE)
		note_large(cpu, vaddr, w.page_size);
	/*
	 * Any fill that grants execute: the TLB entry it makes may later
	 * serve a block lookup (tcg_tlb_code_paddr) without another walk.
	 */
	if (w.exec)
		mark_code_vpage(cpu, vaddr, w.global);
	out->paddr = w.paddr;
	out->read = w.read;
	out->write = w.write;
	out->exec = w.exec;
	out->global = w.global;
	return 0;
}

enum rv_excp rv_mmu_fetch_fault(struct rv_cpu *cpu, uint64_t vaddr)
{
	unsigned idx = rv_code_mmu_idx(cpu->tcg.tb_flags);
	struct rv_walk w = {0};
	int excp;

	if (idx == RV_MMU_M || (cpu->satp >> 60) == RV_SATP_BARE)
		return RV_EXCP_INSN_ACCESS;
	excp = walk(cpu, vaddr, TCG_ACCESS_EXEC, idx, &w);
	return excp ? (enum rv_excp)excp : RV_EXCP_INSN_ACCESS;
}

/* Drop one virtual page from the paged MMU indices and the jump cache. */
static void flush_page(struct rv_cpu *cpu, uint64_t vaddr)
{
	uint64_t page = vaddr & TCG_PAGE_MASK;
	unsigned slot = (unsigned)(page >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);
	static const unsigned idx[] = {RV_MMU_U, RV_MMU_S, RV_MMU_S_SUM};

	for (unsigned i = 0; i < 3; i++) {
		struct tcg_tlb_entry *e = &cpu->tcg.tlb->e[idx[i]][slot];
		e->addr_read = e->addr_write = e->addr_code = TCG_TLB_INVALID;
	}
	/* Blocks starting on this page (tcg_tb_lookup checks a block's second page). */
	if (maybe_code_vpage(cpu, page))
		tcg_jc_flush_vpage(&cpu->tcg, page);
}

/*
 * An address-space switch (satp ASID/PPN write, sfence.vma x0, asid): the
 * TLB has no ASID tags, so every non-global translation goes; global ones
 * are the same in every address space and stay (priv §4.2.1, §4.3.1).
 */
void rv_mmu_flush_nonglobal(struct rv_cpu *cpu)
{
	cpu->flushes_asid++;
	tcg_tlb_flush_nonglobal(&cpu->tcg);
	memset(cpu->code_vpages[0], 0, sizeof(cpu->code_vpages[0]));
}

void rv_mmu_flush(struct rv_cpu *cpu, bool all, uint64_t vaddr)
{
	if (!all && cpu->lp_len && vaddr - cpu->lp_addr < cpu->lp_len)
		all = true;
	if (all) {
		cpu->flushes_all++;
		tcg_tlb_flush(&cpu->tcg);
		cpu->lp_addr = cpu->lp_len = 0;
		memset(cpu->code_vpages, 0, sizeof(cpu->code_vpages));
		return;
	}
	cpu->flushes_page++;
	flush_page(cpu, vaddr);
}
