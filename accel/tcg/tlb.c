/*
 * The software MMU: per-vCPU, per-MMU-index, direct-mapped TLBs and the
 * slow paths behind the inline probe (misses, MMIO, misaligned accesses,
 * writes to pages holding translated code).
 *
 * The address map is flat and physical unless the frontend provides
 * tlb_fill(): RAM comes from struct guest_mem, everything else is MMIO on
 * struct io_bus; an address that is neither is the frontend's access fault.
 */
#include <errno.h>
#include <string.h>

#include "accel/tcg/internal.h"
#include "common/log.h"

static struct tcg_tlb_entry *tlb_entry(struct tcg_cpu *cpu, unsigned mmu_idx, uint64_t addr)
{
	return &cpu->tlb->e[mmu_idx][(addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)];
}

static void entry_clear(struct tcg_tlb_entry *e)
{
	e->addr_read = e->addr_write = e->addr_code = TCG_TLB_INVALID;
	e->addend = 0;
}

static bool tag_hit(uint64_t tag, uint64_t addr)
{
	return !(tag & TCG_TLB_INVALID) && (tag & TCG_PAGE_MASK) == (addr & TCG_PAGE_MASK);
}

void tcg_tlb_flush(struct tcg_cpu *cpu)
{
	for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++)
		for (unsigned i = 0; i < TCG_TLB_SIZE; i++)
			entry_clear(&cpu->tlb->e[m][i]);
	/*
	 * The jump cache is keyed by virtual pc: once mappings may have
	 * changed, its entries must be looked up (and checked) again.
	 */
	memset(cpu->jc, 0, TCG_JC_SIZE * sizeof(*cpu->jc));
	/* Other threads read the bitmap (tcg_tlb_flush_page_all). */
	for (unsigned i = 0; i < ARRAY_SIZE(tcg_priv(cpu)->wphys); i++)
		__atomic_store_n(&tcg_priv(cpu)->wphys[i], 0, __ATOMIC_RELAXED);
	memset(tcg_priv(cpu)->tlb_used, 0, sizeof(tcg_priv(cpu)->tlb_used));
	memset(tcg_priv(cpu)->jc_used, 0, sizeof(tcg_priv(cpu)->jc_used));
	memset(tcg_priv(cpu)->jc_two, 0, sizeof(tcg_priv(cpu)->jc_two));
}

/*
 * The wphys bitmap: physical frames (modulo 2^TCG_WPHYS_BITS) that some
 * TLB entry of the vCPU allowed fast writes to since its last full flush.
 * Set by its own thread, read by translating threads (seq_cst: see
 * tcg_tlb_flush_page_all).
 */
static unsigned wphys_bit(uint64_t ppage)
{
	return (unsigned)(ppage >> TCG_PAGE_BITS) & ((1u << TCG_WPHYS_BITS) - 1);
}

static bool wphys_test(struct tcg_cpu *cpu, uint64_t ppage)
{
	unsigned b = wphys_bit(ppage);

	return (__atomic_load_n(&tcg_priv(cpu)->wphys[b / 64], __ATOMIC_SEQ_CST) >> (b % 64)) & 1;
}

static void wphys_set(struct tcg_cpu *cpu, uint64_t ppage)
{
	unsigned b = wphys_bit(ppage);

	__atomic_fetch_or(&tcg_priv(cpu)->wphys[b / 64], 1ULL << (b % 64), __ATOMIC_SEQ_CST);
}

/* The first entry >= @i marked in a used-entries bitmap of @n bits, or @n. */
static unsigned next_used(const uint64_t *map, unsigned n, unsigned i)
{
	while (i < n) {
		uint64_t bits = map[i / 64] >> (i % 64);

		if (bits)
			return i + (unsigned)__builtin_ctzll(bits);
		i = (i / 64 + 1) * 64;
	}
	return n;
}

/* Each entry @i in [@from, @to) marked in a used-entries bitmap (@to a multiple of 64). */
#define for_each_used(i, map, from, to)                                                            \
	for (unsigned i = next_used(map, to, from); i < (to); i = next_used(map, to, i + 1))

/* Empty jump-cache slot @i and unmark it. */
static void jc_drop(struct tcg_cpu *cpu, unsigned i)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);

	cpu->jc[i].tb = NULL;
	tcg_used_clear(priv->jc_used, i);
	tcg_used_clear(priv->jc_two, i);
}

void tcg_tlb_flush_nonglobal(struct tcg_cpu *cpu)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);

	for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
		for_each_used(i, priv->tlb_used[m], 0, TCG_TLB_SIZE) {
			if (!cpu->tlb->global[m][i]) {
				entry_clear(&cpu->tlb->e[m][i]);
				tcg_used_clear(priv->tlb_used[m], i);
			}
		}
	}
	for_each_used(i, priv->jc_used, 0, TCG_JC_SIZE) {
		if (!priv->jc_global[i])
			jc_drop(cpu, i); /* blocks on two pages among them: never global */
	}
}

/*
 * tcg_jc_hash() maps a page's pcs (pc >> 1 varies in its low bits, the other
 * term is constant in the page) to one aligned run of TCG_PAGE_SIZE / 2
 * slots; of those only the ones filled since they were last cleared are
 * looked at.
 */
void tcg_jc_flush_vpage(struct tcg_cpu *cpu, uint64_t vpage)
{
	struct tcg_cpu_priv *priv = tcg_priv(cpu);
	const unsigned run = TCG_PAGE_SIZE / 2;
	unsigned base = tcg_jc_hash(vpage) & ~(run - 1), end = base + run;

	_Static_assert(TCG_PAGE_SIZE / 2 <= TCG_JC_SIZE && TCG_JC_BITS + 1 >= TCG_PAGE_BITS,
		       "a page's pcs hash to one aligned run of the jump cache");
	vpage &= TCG_PAGE_MASK;
	for_each_used(i, priv->jc_used, base, end) {
		const struct tcg_jc_entry *e = &cpu->jc[i];

		if (!e->tb || (e->pc & TCG_PAGE_MASK) == vpage)
			jc_drop(cpu, i);
	}
	/* Blocks running into a second page: @vpage may be that one. */
	for_each_used(i, priv->jc_two, 0, TCG_JC_SIZE)
		jc_drop(cpu, i);
}

bool tcg_tlb_code_global(struct tcg_cpu *cpu, const struct tcg_tb *tb)
{
	unsigned m = tcg_code_mmu_idx(cpu->ctx, tb->flags);
	unsigned slot = (unsigned)(tb->pc >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);

	return cpu->ctx->fe->tlb_fill && cpu->tlb->global[m][slot] &&
	       tag_hit(cpu->tlb->e[m][slot].addr_code, tb->pc);
}

/*
 * A page just became a code page: entries that allow fast writes to it
 * must go. The translating vCPU fixes its own TLB at once (with the
 * identity map only the page's slot can hold it; with a guest MMU any
 * virtual page may alias it, so everything goes). Other vCPUs' TLBs are
 * only ever written by their own thread: they are asked to flush at their
 * next block boundary (until then a store of theirs may miss the
 * invalidation; RISC-V orders cross-hart code changes with fence.i, which
 * flushes every block anyway).
 */
void tcg_tlb_flush_page_all(struct tcg_cpu *self, uint64_t paddr)
{
	struct tcg_ctx *ctx = self->ctx;
	uint64_t page = paddr & TCG_PAGE_MASK;

	bool suspect = false;
	uint64_t gen;

	/*
	 * Another vCPU may have a fast-write entry for the page only if its
	 * wphys bit is set. It sets the bit before it checks for code
	 * (tlb_install), the caller published the page as code before this:
	 * with a full fence on both sides, either it saw the code or we see
	 * the bit. Those vCPUs flush their TLB at their next block; a store
	 * of theirs before that is caught by tcg_sync_code (fence.i).
	 */
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned c = 0; c < TCG_MAX_CPUS; c++) {
		struct tcg_cpu *o = ctx->cpus[c];
		if (o && o != self && wphys_test(o, page)) {
			tcg_tlb_flush_request(o);
			suspect = true;
		}
	}
	if (suspect) {
		gen = atomic_load(&ctx->suspect_gen);
		ctx->suspect[gen % TCG_SUSPECTS] = page;
		atomic_store(&ctx->suspect_gen, gen + 1);
	}
	if (ctx->fe->tlb_fill) {
		if (!wphys_test(self, page))
			return; /* no entry ever allowed fast writes to it */
		/*
		 * Any virtual page may alias it: mark every entry whose
		 * physical page it is (tlb_phys), instead of flushing the whole
		 * TLB and jump cache for each new code page (that made a
		 * RISC-V Linux boot spend its time refilling them).
		 */
		struct tcg_cpu_priv *priv = tcg_priv(self);

		for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
			for_each_used(i, priv->tlb_used[m], 0, TCG_TLB_SIZE) {
				struct tcg_tlb_entry *e = &self->tlb->e[m][i];
				if (priv->tlb_phys[m][i] == page &&
				    !(e->addr_write & TCG_TLB_INVALID))
					e->addr_write |= TCG_TLB_CODE;
			}
		}
		return;
	}
	for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
		struct tcg_tlb_entry *e = tlb_entry(self, m, page);
		if ((e->addr_write & TCG_PAGE_MASK) == page)
			e->addr_write |= TCG_TLB_CODE;
	}
}

void tcg_tlb_flush_request(struct tcg_cpu *cpu)
{
	atomic_store(&tcg_priv(cpu)->tlb_flush_pending, true);
	tcg_cpu_kick(cpu);
}

static uint64_t page_tag(uint64_t vpage, bool allowed, uint64_t flags)
{
	return allowed ? vpage | flags : TCG_TLB_INVALID;
}

/* Write the entry for @addr's page from what the frontend's tlb_fill said. */
static struct tcg_tlb_entry *tlb_install(struct tcg_cpu *cpu, uint64_t addr, unsigned mmu_idx,
					 const struct tcg_tlb_fill *fp)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_tlb_entry *e = tlb_entry(cpu, mmu_idx, addr);
	const struct tcg_tlb_fill f = *fp;
	uint64_t vpage = addr & TCG_PAGE_MASK, ppage, flags = 0, wflags = 0;
	uint8_t *host;

	tcg_used_set(tcg_priv(cpu)->tlb_used[mmu_idx], (unsigned)(e - cpu->tlb->e[mmu_idx]));
	ppage = f.paddr & TCG_PAGE_MASK;
	host = gm_ptr(ctx->cfg.mem, ppage, TCG_PAGE_SIZE);
	if (host) {
		e->addend = (uintptr_t)host - (uintptr_t)vpage;
		if (f.write) /* before the code check: see tcg_tlb_flush_page_all */
			wphys_set(cpu, ppage);
		if (tcg_page_has_code(ctx, ppage))
			wflags = TCG_TLB_CODE;
	} else {
		/* MMIO: the addend turns the address into the physical one. */
		e->addend = (uintptr_t)(ppage - vpage);
		flags = TCG_TLB_MMIO;
	}
	e->addr_read = page_tag(vpage, f.read, flags);
	e->addr_write = page_tag(vpage, f.write, flags | wflags);
	e->addr_code = page_tag(vpage, f.exec, flags);
	cpu->tlb->global[mmu_idx][(addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)] = f.global;
	tcg_priv(cpu)->tlb_phys[mmu_idx][(addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)] = ppage;
	return e;
}

/* Fill the entry for @addr's page; raises (through the frontend) on a fault. */
static struct tcg_tlb_entry *tlb_fill(struct tcg_cpu *cpu, uint64_t addr, enum tcg_access acc,
				      unsigned mmu_idx)
{
	struct tcg_ctx *ctx = cpu->ctx;
	struct tcg_tlb_fill f = {.paddr = addr, .read = true, .write = true, .exec = true};

	if (ctx->fe->tlb_fill && ctx->fe->tlb_fill(cpu, addr, acc, mmu_idx, false, &f) < 0)
		f.read = f.write = f.exec = false;
	return tlb_install(cpu, addr, mmu_idx, &f);
}

static uint64_t entry_tag(const struct tcg_tlb_entry *e, enum tcg_access acc)
{
	return acc == TCG_ACCESS_READ	 ? e->addr_read
	       : acc == TCG_ACCESS_WRITE ? e->addr_write
					 : e->addr_code;
}


/* The entry for @addr, filled if needed; NULL if the access is not allowed. */
static struct tcg_tlb_entry *tlb_lookup(struct tcg_cpu *cpu, uint64_t addr, enum tcg_access acc,
					unsigned mmu_idx)
{
	struct tcg_tlb_entry *e = tlb_entry(cpu, mmu_idx, addr);

	if (!tag_hit(entry_tag(e, acc), addr))
		e = tlb_fill(cpu, addr, acc, mmu_idx);
	if (!tag_hit(entry_tag(e, acc), addr)) {
		cpu->ctx->fe->mem_fault(cpu, addr, acc);
		return NULL;
	}
	return e;
}

/* The frontend's mem_fault() returned instead of raising: count it. */
static void fault_returned(struct tcg_cpu *cpu, uint64_t addr)
{
	guest_err(&cpu->guest_errors, "tcg: unhandled access fault at 0x%llx",
		  (unsigned long long)addr);
}

static uint64_t mmio_read(struct tcg_cpu *cpu, uint64_t vaddr, uint64_t paddr, unsigned size)
{
	struct tcg_ctx *ctx = cpu->ctx;
	const struct io_range *r = ctx->cfg.mmio ? io_bus_find(ctx->cfg.mmio, paddr, size) : NULL;
	uint64_t v = 0;
	void *p;

	if (r)
		return r->ops->read(r->opaque, paddr - r->base, size) & io_mask(size);
	p = gm_ptr(ctx->cfg.mem, paddr, size); /* RAM in a partial page */
	if (p) {
		memcpy(&v, p, size);
		return v;
	}
	ctx->fe->mem_fault(cpu, vaddr, TCG_ACCESS_READ); /* guest-controlled */
	fault_returned(cpu, vaddr);
	return io_mask(size);
}

static void mmio_write(struct tcg_cpu *cpu, uint64_t vaddr, uint64_t paddr, uint64_t val,
		       unsigned size)
{
	struct tcg_ctx *ctx = cpu->ctx;
	const struct io_range *r = ctx->cfg.mmio ? io_bus_find(ctx->cfg.mmio, paddr, size) : NULL;
	void *p;

	if (r) {
		r->ops->write(r->opaque, paddr - r->base, val & io_mask(size), size);
		return;
	}
	p = gm_ptr(ctx->cfg.mem, paddr, size);
	if (p) {
		tcg_invalidate_phys_range(ctx, paddr, size);
		memcpy(p, &val, size);
		return;
	}
	ctx->fe->mem_fault(cpu, vaddr, TCG_ACCESS_WRITE); /* guest-controlled */
	fault_returned(cpu, vaddr);
}

static bool crosses_page(uint64_t addr, unsigned size)
{
	return (addr & ~TCG_PAGE_MASK) + size > TCG_PAGE_SIZE;
}

static bool check_align(struct tcg_cpu *cpu, uint64_t addr, uint32_t mo, enum tcg_access acc)
{
	unsigned size = 1u << (mo & TCG_MO_SIZE);

	if (!(addr & (size - 1)) || !(mo & TCG_MO_ALIGN))
		return true;
	cpu->ctx->fe->unaligned(cpu, addr, acc); /* guest-controlled */
	fault_returned(cpu, addr);
	return false;
}

static uint64_t load_raw(struct tcg_cpu *cpu, uint64_t addr, unsigned size, unsigned mmu_idx)
{
	struct tcg_tlb_entry *e;
	uint64_t v = 0;

	if (crosses_page(addr, size)) {
		/* Misaligned across a page: byte by byte, so both pages are checked. */
		for (unsigned i = 0; i < size; i++)
			v |= load_raw(cpu, addr + i, 1, mmu_idx) << (8 * i);
		return v;
	}
	e = tlb_lookup(cpu, addr, TCG_ACCESS_READ, mmu_idx);
	if (!e) {
		fault_returned(cpu, addr);
		return io_mask(size);
	}
	if (e->addr_read & TCG_TLB_MMIO)
		return mmio_read(cpu, addr, addr + e->addend, size);
	memcpy(&v, (void *)(uintptr_t)(addr + e->addend), size);
	return v;
}

/* Write-path check of a code page: invalidate its blocks, drop the flag once clean. */
static void notdirty(struct tcg_cpu *cpu, struct tcg_tlb_entry *e, uint64_t addr, unsigned size,
		     unsigned mmu_idx)
{
	uint64_t ppage =
	    tcg_priv(cpu)->tlb_phys[mmu_idx][(addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1)];
	uint64_t paddr = ppage | (addr & ~TCG_PAGE_MASK);

	tcg_invalidate_phys_range(cpu->ctx, paddr, size);
	if (!tcg_page_has_code(cpu->ctx, ppage))
		e->addr_write &= ~TCG_TLB_CODE;
}

static void store_raw(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, unsigned size,
		      unsigned mmu_idx)
{
	struct tcg_tlb_entry *e;

	if (crosses_page(addr, size)) {
		for (unsigned i = 0; i < size; i++)
			store_raw(cpu, addr + i, val >> (8 * i), 1, mmu_idx);
		return;
	}
	e = tlb_lookup(cpu, addr, TCG_ACCESS_WRITE, mmu_idx);
	if (!e) {
		fault_returned(cpu, addr);
		return;
	}
	if (e->addr_write & TCG_TLB_MMIO) {
		mmio_write(cpu, addr, addr + e->addend, val, size);
		return;
	}
	if (e->addr_write & TCG_TLB_CODE)
		notdirty(cpu, e, addr, size, mmu_idx);
	memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
}

static uint64_t extend(uint64_t v, uint32_t mo)
{
	unsigned bits = 8u << (mo & TCG_MO_SIZE);

	if (!(mo & TCG_MO_SIGN) || bits == 64)
		return v;
	return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

static uint64_t slow_ld(struct tcg_cpu *cpu, uint64_t addr, uint32_t memop_idx)
{
	uint32_t mo = memop_idx & 0xff;
	unsigned mmu_idx = (memop_idx >> 8) & (TCG_NB_MMU_MODES - 1);

	if (!check_align(cpu, addr, mo, TCG_ACCESS_READ))
		return 0;
	return extend(load_raw(cpu, addr, 1u << (mo & TCG_MO_SIZE), mmu_idx), mo);
}

static void slow_st(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, uint32_t memop_idx)
{
	uint32_t mo = memop_idx & 0xff;
	unsigned mmu_idx = (memop_idx >> 8) & (TCG_NB_MMU_MODES - 1);

	if (!check_align(cpu, addr, mo, TCG_ACCESS_WRITE))
		return;
	store_raw(cpu, addr, val, 1u << (mo & TCG_MO_SIZE), mmu_idx);
}

/* Generated code's (and the interpreter's) slow path: counted in tcg_stats. */
uint64_t tcg_slow_ld(struct tcg_cpu *cpu, uint64_t addr, uint32_t memop_idx)
{
	tcg_priv(cpu)->slow_accesses++;
	return slow_ld(cpu, addr, memop_idx);
}

void tcg_slow_st(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, uint32_t memop_idx)
{
	tcg_priv(cpu)->slow_accesses++;
	slow_st(cpu, addr, val, memop_idx);
}

uint64_t tcg_mem_ld(struct tcg_cpu *cpu, uint64_t addr, enum tcg_memop mo, unsigned mmu_idx)
{
	return slow_ld(cpu, addr, TCG_MEMOP_IDX(mo, mmu_idx));
}

void tcg_mem_st(struct tcg_cpu *cpu, uint64_t addr, uint64_t val, enum tcg_memop mo,
		unsigned mmu_idx)
{
	slow_st(cpu, addr, val, TCG_MEMOP_IDX(mo, mmu_idx));
}

void *tcg_mem_host_ptr(struct tcg_cpu *cpu, uint64_t addr, unsigned size, enum tcg_access access,
		       unsigned mmu_idx)
{
	struct tcg_tlb_entry *e;

	mmu_idx &= TCG_NB_MMU_MODES - 1;
	if (crosses_page(addr, size))
		return NULL;
	e = tlb_lookup(cpu, addr, access, mmu_idx);
	if (!e || (entry_tag(e, access) & TCG_TLB_MMIO))
		return NULL;
	if (access == TCG_ACCESS_WRITE && (e->addr_write & TCG_TLB_CODE))
		notdirty(cpu, e, addr, size, mmu_idx);
	return (void *)(uintptr_t)(addr + e->addend);
}

int tcg_tlb_code_paddr(struct tcg_cpu *cpu, uint64_t pc, unsigned mmu_idx, uint64_t *paddr)
{
	struct tcg_tlb_fill f = {.paddr = pc, .exec = true};
	const struct tcg_frontend_ops *fe = cpu->ctx->fe;

	if (fe->tlb_fill) {
		const struct tcg_tlb_entry *e = tlb_entry(cpu, mmu_idx, pc);
		unsigned slot = (unsigned)(pc >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);

		/* The TLB's translation if it has one (no page walk per block lookup). */
		if (tag_hit(e->addr_code, pc)) {
			*paddr = tcg_priv(cpu)->tlb_phys[mmu_idx][slot] | (pc & ~TCG_PAGE_MASK);
			return 0;
		}
		if (fe->tlb_fill(cpu, pc, TCG_ACCESS_EXEC, mmu_idx, true, &f) < 0 || !f.exec)
			return -EFAULT;
		tlb_install(cpu, pc, mmu_idx, &f);
		*paddr = (f.paddr & TCG_PAGE_MASK) | (pc & ~TCG_PAGE_MASK);
		return 0;
	}
	*paddr = pc;
	return 0;
}

const void *tcg_code_host_ptr(struct tcg_ctx *ctx, uint64_t paddr, unsigned len)
{
	return gm_ptr(ctx->cfg.mem, paddr, len);
}
