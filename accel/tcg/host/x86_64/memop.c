/*
 * The x86-64 backend's memory and call ops: CPU-struct loads and stores,
 * guest loads and stores (inline TLB probe or RAM-window check, with an
 * out-of-line slow path that saves precise state and calls the core's
 * tcg_slow_ld/st), and helper calls. backend.c drives them per op.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "accel/tcg/host/x86_64/x86_64.h"

static enum x86_ld ld_kind(uint32_t mo, bool out64)
{
	static const uint8_t k[8] = {X86_LD8U, X86_LD16U, X86_LD32U, X86_LD64,
				     X86_LD8S, X86_LD16S, X86_LD32S, X86_LD64};
	enum x86_ld kind = (enum x86_ld)k[mo & (TCG_MO_SIZE | TCG_MO_SIGN)];

	if (!out64 && kind == X86_LD32S)
		kind = X86_LD32U; /* i32 slots are zero-extended */
	return kind;
}

void x86_gen_ld_env(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	uint32_t mo = (uint32_t)op->args[2];
	int rd = x86_ra_out_reg(g, op, life, -1);

	x86_load(&g->b, ld_kind(mo, w64(op)), rd, X86_RBP, X86_NOREG, (int32_t)op->args[1]);
	if (!w64(op) && (mo & TCG_MO_SIGN) && (mo & TCG_MO_SIZE) < TCG_MO_32)
		x86_mov_rr(&g->b, false, rd, rd);
	x86_ra_set_out(g, op, life, rd);
}

void x86_gen_st_env(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	int rv = x86_ra_in_reg(g, (uint32_t)op->args[0]);

	x86_store(&g->b, 1u << (op->args[2] & TCG_MO_SIZE), rv, X86_RBP, X86_NOREG,
		  (int32_t)op->args[1]);
	x86_ra_free_dead_inputs(g, op, life);
}

/* ---- guest memory: inline TLB probe, out-of-line slow path ---- */

bool x86_dirty_globals(struct x86_gen *g, struct x86_slow *s, bool branch)
{
	s->n_dirty = 0;
	for (int r = 0; r < 16; r++) {
		int32_t t = g->reg_temp[r];

		if (t < 0 || g->ts[t].in_mem)
			continue;
		if (branch && g->ir->temps[t].kind == TCG_TEMP_LOCAL)
			return false;
		if ((uint32_t)t >= g->ir->n_globals || (branch && g->ts[t].pin >= 0))
			continue;
		s->dirty_reg[s->n_dirty] = (int8_t)r;
		s->dirty_off[s->n_dirty] = g->ir->temps[t].mem_offset;
		s->dirty_size[s->n_dirty] = g->ir->temps[t].type == TCG_TYPE_I32 ? 4 : 8;
		s->n_dirty++;
	}
	return true;
}

void x86_store_dirty(struct x86_gen *g, const struct x86_slow *s)
{
	for (unsigned i = 0; i < s->n_dirty; i++)
		x86_store(&g->b, s->dirty_size[i], s->dirty_reg[i], X86_RBP, X86_NOREG,
			  s->dirty_off[i]);
}

/*
 * The probe (compare tag, add addend), SDM-free summary:
 *   rax = (addr >> (PAGE_BITS - 5)) & ((TLB_SIZE - 1) << 5)   entry offset
 *   rcx = addr & (PAGE_MASK | (size - 1))                      tag to match
 *     (or, for an access that may be misaligned: (addr + size - 1) & PAGE_MASK,
 *     so it stays on the fast path unless it crosses into the next page)
 *   cmp rcx, [rbp + rax + tlb + tag]; jne slow
 *   rax = [rbp + rax + tlb + addend]; access [addr + rax]
 */
/* r = ra + disp (the guest address of an access in its fused form). */
static void addr_to(struct x86_gen *g, int r, int ra, int32_t disp)
{
	if (disp)
		x86_lea(&g->b, r, ra, X86_NOREG, disp);
	else
		x86_mov_rr(&g->b, true, r, ra);
}

/* rax = the offset of rax's TLB entry in its table (the entry index * 32). */
static void tlb_index(struct x86_buf *b)
{
	x86_shift_ri(b, X86_SHR, true, X86_RAX, TCG_PAGE_BITS - 5);
	x86_alu_ri(b, X86_AND, false, X86_RAX, (int32_t)((TCG_TLB_SIZE - 1) << 5));
}

static void cmp_rcx_tlb(struct x86_buf *b, int32_t disp)
{
	x86_byte(b, 0x48); /* cmp rcx, [rbp + rax + disp32] */
	x86_byte(b, 0x3b);
	x86_byte(b, 0x8c);
	x86_byte(b, 0x05);
	x86_u32(b, (uint32_t)disp);
}

static int32_t tlb_disp(unsigned mmu_idx)
{
	return TCG_ENV_TLB_OFF + (int32_t)(mmu_idx * TCG_TLB_SIZE * sizeof(struct tcg_tlb_entry));
}

/* From env + the entry offset: the tag a load or store compares. */
static int32_t tlb_tag(unsigned mmu_idx, bool write)
{
	return tlb_disp(mmu_idx) + (int32_t)(write ? offsetof(struct tcg_tlb_entry, addr_write)
						   : offsetof(struct tcg_tlb_entry, addr_read));
}

static uint8_t *emit_probe(struct x86_gen *g, int ra, int32_t disp, unsigned size, bool align,
			   unsigned mmu_idx, bool write, int32_t *addend_disp)
{
	int32_t base = tlb_disp(mmu_idx), tag = tlb_tag(mmu_idx, write);

	addr_to(g, X86_RAX, ra, disp);
	tlb_index(&g->b);
	if (align || size == 1) {
		addr_to(g, X86_RCX, ra, disp);
		x86_alu_ri(&g->b, X86_AND, true, X86_RCX, (int32_t)(TCG_PAGE_MASK | (size - 1)));
	} else {
		x86_lea(&g->b, X86_RCX, ra, X86_NOREG, disp + (int32_t)size - 1);
		x86_alu_ri(&g->b, X86_AND, true, X86_RCX, (int32_t)TCG_PAGE_MASK);
	}
	cmp_rcx_tlb(&g->b, tag);
	*addend_disp = base + (int32_t)offsetof(struct tcg_tlb_entry, addend);
	return x86_jcc32(&g->b, X86_CC_NE);
}

/* ---- grouped accesses: one TLB check for several through one base ---- */

/* Is this a load that the RAM-window check serves (emit_window_load)? */
static bool window_load(const struct x86_gen *g, const struct tcg_op *op)
{
	uint32_t mo = (uint32_t)op->args[2];
	unsigned mmu = (unsigned)op->args[3];

	return op->opc == TCG_OP_guest_ld && g->win_size && !(mo & TCG_MO_ALIGN) &&
	       (g->win_mmu_mask & (1u << mmu));
}

/* Can this access join a group (it probes the TLB and may be misaligned)? */
static bool groupable(const struct x86_gen *g, const struct tcg_op *op)
{
	return !(op->args[2] & TCG_MO_ALIGN) && !window_load(g, op);
}

#define X86_GRP_ACTIVE 16 /* groups a new access is matched against */

/* The op that last wrote @t in this block (-1: none, its value on entry). */
static int32_t plan_wr(const struct x86_gen *g, uint32_t t)
{
	return g->wr_epoch[t] == g->plan_epoch ? g->wr[t] : -1;
}

static void plan_access(struct x86_gen *g, unsigned i, unsigned *active, unsigned *n_active)
{
	const struct tcg_op *op = &g->ir->ops[i];
	uint32_t a = (uint32_t)op->args[1], size = 1u << (op->args[2] & TCG_MO_SIZE);
	int32_t base = (int32_t)a, off = 0, ver = plan_wr(g, a);
	unsigned mmu = (unsigned)op->args[3], idx;
	bool st = op->opc == TCG_OP_guest_st;
	struct x86_grp *gr;

	if (ver >= 0 && g->add_src[a] >= 0) { /* a = base + off, a not written since */
		base = g->add_src[a];
		off = g->add_off[a];
		ver = g->add_ver[a];
	}
	for (unsigned k = *n_active; k-- > 0;) {
		int32_t lo, hi;

		idx = active[k];
		gr = &g->grps[idx];
		if (gr->base != base || gr->ver != ver || gr->mmu != mmu)
			continue;
		lo = MIN(gr->lo, off);
		hi = MAX(gr->hi, off + (int32_t)size);
		if (hi - lo > X86_GRP_SPAN)
			continue;
		gr->lo = lo;
		gr->hi = hi;
		gr->n++;
		gr->last = i;
		gr->ld |= !st;
		gr->st |= st;
		g->grp_of[i] = (int16_t)idx;
		g->grp_off[i] = off;
		return;
	}
	if (g->n_grps >= X86_MAX_GRPS)
		return;
	idx = g->n_grps++;
	g->grps[idx] = (struct x86_grp){.leader = i,
					.last = i,
					.lo = off,
					.hi = off + (int32_t)size,
					.mmu = (uint8_t)mmu,
					.ld = !st,
					.st = st,
					.n = 1,
					.base = base,
					.ver = ver};
	g->grp_of[i] = (int16_t)idx;
	g->grp_off[i] = off;
	if (*n_active == X86_GRP_ACTIVE) {
		memmove(active, active + 1, (X86_GRP_ACTIVE - 1) * sizeof(*active));
		(*n_active)--;
	}
	active[(*n_active)++] = idx;
}

/*
 * Slots for the groups of two or more accesses, shared by groups whose op
 * ranges do not overlap; a group left without one, or alone, is dropped
 * (its accesses probe the TLB each).
 */
static void assign_slots(struct x86_gen *g)
{
	int32_t slot_last[TCG_GRP_SLOTS];

	for (unsigned s = 0; s < TCG_GRP_SLOTS; s++)
		slot_last[s] = -1;
	for (unsigned k = 0; k < g->n_grps; k++) {
		struct x86_grp *gr = &g->grps[k];
		unsigned s = TCG_GRP_SLOTS;

		if (gr->n >= 2) {
			for (s = 0; s < TCG_GRP_SLOTS; s++) {
				if (slot_last[s] < (int32_t)gr->leader)
					break;
			}
		}
		if (s < TCG_GRP_SLOTS) {
			gr->slot = (uint8_t)s;
			slot_last[s] = (int32_t)gr->last;
			continue;
		}
		for (unsigned i = gr->leader; i <= gr->last; i++) {
			if (g->grp_of[i] == (int16_t)k)
				g->grp_of[i] = -1;
		}
	}
}

/*
 * Find the guest accesses whose addresses are one base value plus a
 * constant (the base a temp or global not written in between, the address
 * `add a, base, c` or the base itself), same MMU index, spanning at most
 * X86_GRP_SPAN bytes, with no label or helper call between them (a label
 * may be reached without passing the first access; a helper may change the
 * address space). The first access of a group checks the TLB entry of the
 * group's first byte against its last byte's page (the same page, as the
 * span is less than one: an entry holds the page its index is taken from)
 * and leaves the addend in the group's slot in the CPU struct (0 when the
 * check fails); every access then adds the slot's addend, and only a failed
 * check sends them through their own probe. The addend stays valid for the
 * whole block: mappings change only where blocks end (sfence.vma, satp
 * writes, helper calls), and a page that becomes a code page keeps the
 * fast writes its vCPU already had until its next block boundary, grouped
 * or not. Slots are shared between groups whose op ranges do not overlap.
 */
void x86_plan_groups(struct x86_gen *g)
{
	const struct tcg_ir *ir = g->ir;
	unsigned active[X86_GRP_ACTIVE], n_active = 0;

	g->n_grps = 0;
	if (++g->plan_epoch == 0) { /* wrapped: start the stamps afresh */
		memset(g->wr_epoch, 0, sizeof(g->wr_epoch));
		g->plan_epoch = 1;
	}
	for (unsigned i = 0; i < ir->n_ops; i++) {
		const struct tcg_op *op = &ir->ops[i];

		g->grp_of[i] = -1;
		if (op->opc == TCG_OP_nop)
			continue;
		if (op->opc == TCG_OP_set_label || op->opc == TCG_OP_call)
			n_active = 0;
		if ((op->opc == TCG_OP_guest_ld || op->opc == TCG_OP_guest_st) && groupable(g, op))
			plan_access(g, i, active, &n_active);
		for (unsigned j = 0; j < tcg_op_nout(op); j++) {
			uint32_t t = (uint32_t)op->args[j];

			g->wr_epoch[t] = g->plan_epoch;
			g->wr[t] = (int32_t)i;
			g->add_src[t] = -1;
		}
		if (op->opc == TCG_OP_add && w64(op) && op->args[0] != op->args[1] &&
		    !is_const(g, (uint32_t)op->args[1]) && is_const(g, (uint32_t)op->args[2])) {
			int64_t c = (int64_t)const_val(g, (uint32_t)op->args[2]);
			uint32_t d = (uint32_t)op->args[0], x = (uint32_t)op->args[1];

			if (c >= -(1 << 30) && c <= (1 << 30)) {
				g->add_src[d] = (int32_t)x;
				g->add_off[d] = (int32_t)c;
				g->add_ver[d] = plan_wr(g, x);
			}
		}
	}
	assign_slots(g);
}

static struct x86_slow *new_slow(struct x86_gen *g)
{
	if (g->n_slow >= X86_MAX_SLOW) {
		g->error = -ENOSPC;
		return &g->slow[0];
	}
	g->slow[g->n_slow].branch = false;
	g->slow[g->n_slow].fp_h = NULL;
	return &g->slow[g->n_slow++];
}

/*
 * Loads without address translation (the frontend has no tlb_fill) from
 * the main RAM region: one range check, no TLB lookup, so the host address
 * is one add away from the guest's (misaligned accesses included, x86
 * does them). Everything else takes the slow path. Stores keep the TLB
 * probe: it is what catches writes to pages holding code.
 */
static void emit_window_load(struct x86_gen *g, struct x86_slow *s, int ra, int32_t disp, int rd,
			     uint32_t mo, enum x86_ld kind)
{
	uint64_t limit = g->win_size - (1u << (mo & TCG_MO_SIZE)) + 1;
	int64_t off = (int64_t)disp - (int64_t)g->win_base;

	/*
	 * rax = addr + disp - base: one lea when that displacement fits a
	 * disp32 (RISC-V RAM at 2 GiB, small disp)
	 */
	if (off >= INT32_MIN && off <= INT32_MAX) {
		x86_lea(&g->b, X86_RAX, ra, X86_NOREG, (int32_t)off);
	} else {
		x86_mov_ri(&g->b, X86_RCX, (uint64_t)off);
		x86_lea(&g->b, X86_RAX, ra, X86_RCX, 0);
	}
	if (limit <= INT32_MAX) {
		x86_alu_ri(&g->b, X86_CMP, true, X86_RAX, (int32_t)limit);
	} else {
		x86_mov_ri(&g->b, X86_RCX, limit);
		x86_alu_rr(&g->b, X86_CMP, true, X86_RAX, X86_RCX);
	}
	s->jcc = x86_jcc32(&g->b, X86_CC_AE);
	/*
	 * Load from [addr + disp + (host - base)]: the address does not wait
	 * for the lea above (the check runs beside the load, predicted not
	 * taken).
	 */
	x86_mov_ri(&g->b, X86_RCX, (uint64_t)(uintptr_t)g->win_host - g->win_base);
	x86_load(&g->b, kind, rd, ra, X86_RCX, disp);
}

/*
 * A grouped access (x86_plan_groups): rax = the group's addend, 0 when the
 * group's check failed; the first access of the group makes the check.
 * Then test rax and jz to the access's own probe (emitted with its slow
 * path).
 */
static void emit_grp_addend(struct x86_gen *g, unsigned i, int ra, int32_t disp, struct x86_slow *s)
{
	const struct x86_grp *gr = &g->grps[g->grp_of[i]];
	int32_t slot = TCG_ENV_GRP_OFF + 8 * gr->slot;

	if (gr->leader == i) {
		int32_t tlb = tlb_disp(gr->mmu), off = g->grp_off[i] - disp;
		uint8_t *fail[2] = {NULL, NULL}, *done;

		/* the entry of the first byte's page must hold the last byte's page */
		x86_lea(&g->b, X86_RAX, ra, X86_NOREG, gr->lo - off);
		tlb_index(&g->b);
		x86_lea(&g->b, X86_RCX, ra, X86_NOREG, gr->hi - 1 - off);
		x86_alu_ri(&g->b, X86_AND, true, X86_RCX, (int32_t)TCG_PAGE_MASK);
		if (gr->ld) {
			cmp_rcx_tlb(&g->b, tlb_tag(gr->mmu, false));
			fail[0] = x86_jcc32(&g->b, X86_CC_NE);
		}
		if (gr->st) {
			cmp_rcx_tlb(&g->b, tlb_tag(gr->mmu, true));
			fail[1] = x86_jcc32(&g->b, X86_CC_NE);
		}
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RBP, X86_RAX,
			 tlb + (int32_t)offsetof(struct tcg_tlb_entry, addend));
		done = x86_jmp32(&g->b);
		for (unsigned k = 0; k < 2; k++) {
			if (fail[k])
				x86_patch_rel32(fail[k], g->b.p);
		}
		x86_alu_rr(&g->b, X86_XOR, false, X86_RAX, X86_RAX);
		x86_patch_rel32(done, g->b.p);
		x86_store(&g->b, 8, X86_RAX, X86_RBP, X86_NOREG, slot);
	} else {
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RBP, X86_NOREG, slot);
	}
	x86_test_rr(&g->b, true, X86_RAX, X86_RAX);
	s->grp_jz = x86_jcc32(&g->b, X86_CC_E);
	s->access = g->b.p;
}

void x86_gen_guest_ld(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	x86_gen_guest_ld_at(g, op, life, x86_ra_in_reg(g, (uint32_t)op->args[1]), 0);
}

void x86_gen_guest_ld_at(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int ra,
			 int32_t disp)
{
	uint32_t mo = (uint32_t)op->args[2];
	unsigned mmu = (unsigned)op->args[3], size = 1u << (mo & TCG_MO_SIZE);
	const struct x86_ts *d = &g->ts[op->args[0]];
	/* The address is consumed before the value is written: they may share. */
	int rd = d->pin == ra ? ra : x86_ra_out_reg(g, op, life, 1);
	struct x86_slow *s = new_slow(g);
	int32_t addend;

	g->locked |= 1u << rd;
	s->grp_jz = NULL;
	if (g->grp_of[op - g->ir->ops] >= 0) {
		emit_grp_addend(g, (unsigned)(op - g->ir->ops), ra, disp, s);
		x86_load(&g->b, ld_kind(mo, w64(op)), rd, ra, X86_RAX, disp);
	} else if (window_load(g, op)) {
		emit_window_load(g, s, ra, disp, rd, mo, ld_kind(mo, w64(op)));
	} else {
		s->jcc = emit_probe(g, ra, disp, size, mo & TCG_MO_ALIGN, mmu, false, &addend);
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RBP, X86_RAX, addend);
		x86_load(&g->b, ld_kind(mo, w64(op)), rd, ra, X86_RAX, disp);
	}
	if (!w64(op) && (mo & TCG_MO_SIGN) && size < 4)
		x86_mov_rr(&g->b, false, rd, rd);
	s->ret = g->b.p;
	s->store = false;
	s->addr_disp = disp;
	s->size = (uint8_t)size;
	s->mmu = (uint8_t)mmu;
	s->addr_reg = (int8_t)ra;
	s->val_reg = (int8_t)rd;
	s->w64 = w64(op);
	s->memop_idx = TCG_MEMOP_IDX(mo, mmu);
	s->rec = g->cur_rec;
	x86_dirty_globals(g, s, false);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

void x86_gen_guest_st(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	x86_gen_guest_st_at(g, op, life, x86_ra_in_reg(g, (uint32_t)op->args[1]), 0);
}

void x86_gen_guest_st_at(struct x86_gen *g, const struct tcg_op *op, uint16_t life, int ra,
			 int32_t disp)
{
	uint32_t mo = (uint32_t)op->args[2];
	unsigned mmu = (unsigned)op->args[3], size = 1u << (mo & TCG_MO_SIZE);
	int rv = x86_ra_in_reg(g, (uint32_t)op->args[0]);
	struct x86_slow *s = new_slow(g);
	int32_t addend;

	s->grp_jz = NULL;
	if (g->grp_of[op - g->ir->ops] >= 0) {
		emit_grp_addend(g, (unsigned)(op - g->ir->ops), ra, disp, s);
	} else {
		s->jcc = emit_probe(g, ra, disp, size, mo & TCG_MO_ALIGN, mmu, true, &addend);
		x86_load(&g->b, X86_LD64, X86_RAX, X86_RBP, X86_RAX, addend);
		s->access = g->b.p;
	}
	x86_store(&g->b, size, rv, ra, X86_RAX, disp);
	s->ret = g->b.p;
	s->store = true;
	s->addr_disp = disp;
	s->size = (uint8_t)size;
	s->mmu = (uint8_t)mmu;
	s->addr_reg = (int8_t)ra;
	s->val_reg = (int8_t)rv;
	s->memop_idx = TCG_MEMOP_IDX(mo, mmu);
	s->rec = g->cur_rec;
	x86_dirty_globals(g, s, false);
	x86_ra_free_dead_inputs(g, op, life);
}

static void set_cur_insn(struct x86_gen *g, const struct tcg_insn_rec *rec)
{
	x86_mov_ri(&g->b, X86_RAX, (uint64_t)(uintptr_t)rec);
	x86_store(&g->b, 8, X86_RAX, X86_RBP, X86_NOREG,
		  (int32_t)offsetof(struct tcg_cpu, cur_insn));
}

static void call_abs(struct x86_gen *g, const void *fn)
{
	x86_mov_ri(&g->b, X86_RAX, (uint64_t)(uintptr_t)fn);
	x86_call_r(&g->b, X86_RAX);
}

/*
 * Right before the call to a slow-path thunk: the instruction record (for
 * a fault) and the memop index, jumped over (the return goes where the
 * call pushed it to: no return misprediction).
 */
#define SLOW_DATA_SIZE 12

/*
 * The store probe's second chance: the entry holds the page but marks it
 * as holding translated code (TCG_TLB_CODE). A store that misses the
 * bytes the page's blocks cover may go ahead: tcg_code_store_ok()'s test,
 * on the extents tcg_cpu_priv copies from the first RAM region. In: rax =
 * the entry's offset, rcx = the page tag, rdx = the guest address. Falls
 * through (rax kept) when the store may go ahead; the jumps it leaves in
 * @miss (3) go where it may not.
 */
static void emit_code_store_check(struct x86_buf *b, unsigned mmu_idx, unsigned size,
				  uint8_t **miss)
{
	uint8_t *ok[2];

	x86_alu_ri(b, X86_OR, true, X86_RCX, (int32_t)TCG_TLB_CODE);
	cmp_rcx_tlb(b, tlb_tag(mmu_idx, true));
	miss[0] = x86_jcc32(b, X86_CC_NE);
	/* the physical page (tlb_phys: 8 bytes per entry) -> the page's index */
	x86_mov_rr(b, false, X86_RCX, X86_RAX);
	x86_shift_ri(b, X86_SHR, false, X86_RCX, 2);
	x86_load(b, X86_LD64, X86_RCX, X86_RBP, X86_RCX,
		 TCG_ENV_PRIV_OFF(tlb_phys) + (int32_t)(mmu_idx * TCG_TLB_SIZE * 8));
	x86_alu_rm(b, X86_SUB, true, X86_RCX, X86_RBP, TCG_ENV_PRIV_OFF(code_ext_gpa));
	x86_shift_ri(b, X86_SHR, true, X86_RCX, TCG_PAGE_BITS);
	x86_alu_rm(b, X86_CMP, true, X86_RCX, X86_RBP, TCG_ENV_PRIV_OFF(code_ext_pages));
	miss[1] = x86_jcc32(b, X86_CC_AE);
	/* the extent lo | hi << 16 against the offset in the page */
	x86_alu_ri(b, X86_AND, false, X86_RDX, (int32_t)~TCG_PAGE_MASK);
	x86_push(b, X86_RAX);
	x86_load(b, X86_LD64, X86_RAX, X86_RBP, X86_NOREG, TCG_ENV_PRIV_OFF(code_ext));
	x86_lea_scaled(b, X86_RAX, X86_RAX, X86_RCX, 2, 0);
	x86_load(b, X86_LD32U, X86_RAX, X86_RAX, X86_NOREG, 0);
	x86_mov_rr(b, false, X86_RCX, X86_RAX);
	x86_shift_ri(b, X86_SHR, false, X86_RCX, 16);
	x86_alu_rr(b, X86_CMP, false, X86_RDX, X86_RCX);
	ok[0] = x86_jcc32(b, X86_CC_AE); /* off >= hi */
	x86_ext_rr(b, X86_LD16U, X86_RAX, X86_RAX);
	x86_alu_ri(b, X86_ADD, false, X86_RDX, (int32_t)size);
	x86_alu_rr(b, X86_CMP, false, X86_RDX, X86_RAX);
	ok[1] = x86_jcc32(b, X86_CC_BE); /* off + size <= lo */
	x86_pop(b, X86_RAX);
	miss[2] = x86_jmp32(b);
	x86_patch_rel32(ok[0], b->p);
	x86_patch_rel32(ok[1], b->p);
	x86_pop(b, X86_RAX);
}

/*
 * A probe thunk (per MMU index, size and direction), for the accesses
 * whose own inline probe is out of line: in rcx the guest address; out
 * in rax the entry's addend, 0 when the access must take the slow path.
 * rcx and rdx are clobbered. Stores to a code page beside its code pass.
 */
void x86_emit_probe_thunk(struct x86_buf *b, unsigned mmu_idx, unsigned size, bool store)
{
	int32_t base = tlb_disp(mmu_idx), tag = tlb_tag(mmu_idx, store);
	uint8_t *miss[4] = {NULL, NULL, NULL, NULL};

	x86_mov_rr(b, true, X86_RAX, X86_RCX);
	if (store)
		x86_mov_rr(b, true, X86_RDX, X86_RCX);
	tlb_index(b);
	if (size > 1)
		x86_lea(b, X86_RCX, X86_RCX, X86_NOREG, (int32_t)size - 1);
	x86_alu_ri(b, X86_AND, true, X86_RCX, (int32_t)TCG_PAGE_MASK);
	cmp_rcx_tlb(b, tag);
	if (store) {
		uint8_t *hit = x86_jcc32(b, X86_CC_E);

		emit_code_store_check(b, mmu_idx, size, miss + 1);
		x86_patch_rel32(hit, b->p);
	} else {
		miss[0] = x86_jcc32(b, X86_CC_NE);
	}
	x86_load(b, X86_LD64, X86_RAX, X86_RBP, X86_RAX,
		 base + (int32_t)offsetof(struct tcg_tlb_entry, addend));
	x86_ret(b);
	for (unsigned i = 0; i < 4; i++) {
		if (miss[i])
			x86_patch_rel32(miss[i], b->p);
	}
	x86_alu_rr(b, X86_XOR, false, X86_RAX, X86_RAX);
	x86_ret(b);
}

/*
 * A slow-path thunk, shared by every block: in rax the guest address, in
 * rdx the value (store); the SLOW_DATA_SIZE bytes before the call hold its
 * data. It keeps every allocatable caller-saved register (rax, rcx and
 * rdx are never allocated), sets cpu->cur_insn, calls tcg_slow_ld/st and
 * returns the loaded value in rax. rsp is 16-aligned in generated code, so
 * 8 mod 16 on entry.
 */
/* The thunks keep the allocatable caller-saved registers (and align rsp). */
static const int8_t thunk_saved[] = {X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10, X86_R11};
_Static_assert(CALLER_SAVED == ((1u << X86_RSI) | (1u << X86_RDI) | (1u << X86_R8) |
				(1u << X86_R9) | (1u << X86_R10) | (1u << X86_R11)),
	       "the thunks keep exactly the allocatable caller-saved registers");
/* After thunk_enter: the thunk's return address, from rsp. */
#define THUNK_RET_OFF ((int32_t)(8 * ARRAY_SIZE(thunk_saved) + 8))

static void thunk_enter(struct x86_buf *b)
{
	for (unsigned i = 0; i < ARRAY_SIZE(thunk_saved); i++)
		x86_push(b, thunk_saved[i]);
	x86_alu_ri(b, X86_SUB, true, X86_RSP, 8);
}

static void thunk_leave(struct x86_buf *b)
{
	x86_alu_ri(b, X86_ADD, true, X86_RSP, 8);
	for (unsigned i = ARRAY_SIZE(thunk_saved); i-- > 0;)
		x86_pop(b, thunk_saved[i]);
	x86_ret(b);
}

void x86_emit_slow_thunk(struct x86_buf *b, bool store)
{
	const int32_t data = -(5 + SLOW_DATA_SIZE); /* from the return address */

	thunk_enter(b);
	x86_load(b, X86_LD64, X86_RCX, X86_RSP, X86_NOREG, THUNK_RET_OFF);
	x86_load(b, X86_LD64, X86_RSI, X86_RCX, X86_NOREG, data);
	x86_store(b, 8, X86_RSI, X86_RBP, X86_NOREG, (int32_t)offsetof(struct tcg_cpu, cur_insn));
	x86_load(b, X86_LD32U, store ? X86_RCX : X86_RDX, X86_RCX, X86_NOREG, data + 8);
	x86_mov_rr(b, true, X86_RSI, X86_RAX);
	x86_mov_rr(b, true, X86_RDI, X86_RBP);
	x86_mov_ri(b, X86_RAX,
		   store ? (uint64_t)(uintptr_t)tcg_slow_st : (uint64_t)(uintptr_t)tcg_slow_ld);
	x86_call_r(b, X86_RAX);
	thunk_leave(b);
}

/* ---- floating point inline ---- */

/*
 * A struct tcg_fp_fast helper computed inline? Only for a constant desc
 * whose rounding mode is RNE or dynamic, and with the MXCSR in its
 * default mode.
 */
static bool fp_inline_ok(const struct x86_gen *g, const struct tcg_op *op,
			 const struct tcg_helper *h)
{
	uint64_t desc;

	if (!h->fp || !g->fp_inline || op->n_out != 1 || op->n_in != 3 ||
	    !is_const(g, (uint32_t)op->args[1]) || h->fp->op < TCG_FP_ADD_D ||
	    h->fp->op > TCG_FP_DIV_S)
		return false;
	desc = const_val(g, (uint32_t)op->args[1]);
	return (uint32_t)(desc >> 32) == 0 || (uint32_t)(desc >> 32) == h->fp->rm_dyn;
}

/* A jump to @s's out-of-line helper call, on @cc. */
static void fp_bail(struct x86_gen *g, struct x86_slow *s, enum x86_cc cc)
{
	if (s->n_fp_jcc < ARRAY_SIZE(s->fp_jcc))
		s->fp_jcc[s->n_fp_jcc++] = x86_jcc32(&g->b, cc);
	else
		g->error = -EINVAL; /* cannot happen: gen_fp_call bails at most 7 times */
}

/*
 * rcx = the biased exponent of @r (binary64, or binary32 in the low half
 * when @single) minus @lo; bail unless it is at most @span.
 */
static void fp_exp_check(struct x86_gen *g, struct x86_slow *s, bool single, int r, int32_t lo,
			 int32_t span)
{
	x86_mov_rr(&g->b, !single, X86_RCX, r);
	x86_shift_ri(&g->b, X86_SHR, !single, X86_RCX, single ? 23 : 52);
	x86_alu_ri(&g->b, X86_AND, false, X86_RCX, single ? 0xff : 0x7ff);
	x86_alu_ri(&g->b, X86_SUB, false, X86_RCX, lo);
	x86_alu_ri(&g->b, X86_CMP, false, X86_RCX, span);
	fp_bail(g, s, X86_CC_A);
}

/* A binary32 operand: bail unless NaN-boxed (upper half all ones). */
static void fp_box_check(struct x86_gen *g, struct x86_slow *s, int r)
{
	x86_mov_rr(&g->b, true, X86_RCX, r);
	x86_shift_ri(&g->b, X86_SHR, true, X86_RCX, 32);
	x86_alu_ri(&g->b, X86_CMP, false, X86_RCX, -1);
	fp_bail(g, s, X86_CC_NE);
}

/*
 * A struct tcg_fp_fast call: the operation on the host FPU when the result
 * is provably the helper's (RNE, NX already set, both operands normal, the
 * result's biased exponent 2..0x7fe: hostfloat.h's hf_f64_arith_nx()),
 * else the helper out of line (x86_emit_slow: the dirty globals stored,
 * the caller-saved registers kept by x86_emit_fp_thunk). The registers
 * stay as they are on both paths; rax, rcx, xmm0 and xmm1 are scratch.
 */
static void gen_fp_call(struct x86_gen *g, const struct tcg_op *op, uint16_t life,
			const struct tcg_helper *h)
{
	static const uint8_t sse[] = {
	    [TCG_FP_ADD_D] = X86_SSE_ADD, [TCG_FP_SUB_D] = X86_SSE_SUB,
	    [TCG_FP_MUL_D] = X86_SSE_MUL, [TCG_FP_DIV_D] = X86_SSE_DIV,
	    [TCG_FP_ADD_S] = X86_SSE_ADD, [TCG_FP_SUB_S] = X86_SSE_SUB,
	    [TCG_FP_MUL_S] = X86_SSE_MUL, [TCG_FP_DIV_S] = X86_SSE_DIV,
	};
	const struct tcg_fp_fast *fp = h->fp;
	bool single = fp->op >= TCG_FP_ADD_S;
	int32_t emax = single ? 0xfe : 0x7fe; /* the largest finite biased exponent */
	uint64_t desc = const_val(g, (uint32_t)op->args[1]);
	int ra = x86_ra_in_reg(g, (uint32_t)op->args[2]);
	int rb = x86_ra_in_reg(g, (uint32_t)op->args[3]);
	/* written last: the helper call reads ra and rb before */
	int rd = x86_ra_out_reg_late(g, op, life);
	struct x86_slow *s = new_slow(g);

	memset(s, 0, sizeof(*s));
	s->fp_h = h;
	s->fp_desc = desc;
	s->addr_reg = (int8_t)ra;
	s->fp_b = (int8_t)rb;
	s->val_reg = (int8_t)rd;
	s->rec = g->cur_rec;
	if ((uint32_t)(desc >> 32) == fp->rm_dyn) { /* the dynamic mode must be RNE */
		x86_alu_mi(&g->b, X86_CMP, false, X86_RBP, fp->rm_off, 0);
		fp_bail(g, s, X86_CC_NE);
	}
	/* NX already accumulated: the operation cannot add a flag */
	x86_load(&g->b, X86_LD32U, X86_RAX, X86_RBP, X86_NOREG, fp->flags_off);
	x86_alu_ri(&g->b, X86_AND, false, X86_RAX, (int32_t)fp->nx_bit);
	fp_bail(g, s, X86_CC_E);
	/* operands normal (biased exponent 1..emax), the result 2..emax */
	if (single) {
		fp_box_check(g, s, ra);
		fp_box_check(g, s, rb);
	}
	fp_exp_check(g, s, single, ra, 1, emax - 1);
	fp_exp_check(g, s, single, rb, 1, emax - 1);
	x86_mov_xr(&g->b, !single, 0, ra);
	x86_mov_xr(&g->b, !single, 1, rb);
	x86_sse_scalar(&g->b, !single, (enum x86_sse_op)sse[fp->op], 0, 1);
	x86_mov_rx(&g->b, !single, X86_RAX, 0);
	fp_exp_check(g, s, single, X86_RAX, 2, emax - 2);
	if (single) { /* NaN-boxed */
		x86_mov_ri(&g->b, X86_RCX, 0xffffffff00000000ULL);
		x86_alu_rr(&g->b, X86_OR, true, X86_RAX, X86_RCX);
	}
	x86_mov_rr(&g->b, true, rd, X86_RAX);
	s->ret = g->b.p;
	x86_dirty_globals(g, s, false);
	x86_ra_free_dead_inputs(g, op, life);
	x86_ra_set_out(g, op, life, rd);
}

/* Its out-of-line part: the helper call with the operation's data. */
#define FP_DATA_SIZE 24 /* instruction record, helper, desc */

static void emit_fp_slow(struct x86_gen *g, const struct x86_slow *s)
{
	for (unsigned i = 0; i < s->n_fp_jcc; i++)
		x86_patch_rel32(s->fp_jcc[i], g->b.p);
	x86_store_dirty(g, s); /* precise state: the helper may raise */
	x86_mov_rr(&g->b, true, X86_RDX, s->addr_reg);
	x86_mov_rr(&g->b, true, X86_RCX, s->fp_b);
	x86_jmp8(&g->b, FP_DATA_SIZE);
	x86_u64(&g->b, (uint64_t)(uintptr_t)s->rec);
	x86_u64(&g->b, (uint64_t)(uintptr_t)s->fp_h->func);
	x86_u64(&g->b, s->fp_desc);
	x86_patch_rel32(x86_call32(&g->b), g->fp_thunk);
	x86_mov_rr(&g->b, true, s->val_reg, X86_RAX);
	x86_patch_rel32(x86_jmp32(&g->b), s->ret);
}

/*
 * In rdx and rcx the operands, before the call the FP_DATA_SIZE bytes of
 * data: sets cpu->cur_insn, calls helper(cpu, desc, a, b) keeping the
 * allocatable caller-saved registers, returns its result in rax.
 */
void x86_emit_fp_thunk(struct x86_buf *b)
{
	const int32_t data = -(5 + FP_DATA_SIZE); /* from the return address */

	thunk_enter(b);
	x86_load(b, X86_LD64, X86_RAX, X86_RSP, X86_NOREG, THUNK_RET_OFF);
	x86_load(b, X86_LD64, X86_RSI, X86_RAX, X86_NOREG, data);
	x86_store(b, 8, X86_RSI, X86_RBP, X86_NOREG, (int32_t)offsetof(struct tcg_cpu, cur_insn));
	x86_load(b, X86_LD64, X86_RSI, X86_RAX, X86_NOREG, data + 16);
	x86_load(b, X86_LD64, X86_RAX, X86_RAX, X86_NOREG, data + 8);
	x86_mov_rr(b, true, X86_RDI, X86_RBP);
	x86_call_r(b, X86_RAX);
	thunk_leave(b);
}

/*
 * A guest access's slow path: the dirty globals written back (a fault
 * needs precise state), the address (and value) into the thunk's
 * registers, the data jumped over, the call, the result back, the jump
 * back.
 */
void x86_emit_slow(struct x86_gen *g, const struct x86_slow *s)
{
	uint8_t *jcc = s->jcc;

	if (s->fp_h) {
		emit_fp_slow(g, s);
		return;
	}

	/*
	 * The group's check failed: this access's own probe. A store whose
	 * own probe failed: the probe thunk lets one beside code go ahead.
	 */
	if (s->grp_jz || (s->store && !(s->memop_idx & TCG_MO_ALIGN))) {
		x86_patch_rel32(s->grp_jz ? s->grp_jz : jcc, g->b.p);
		addr_to(g, X86_RCX, s->addr_reg, s->addr_disp);
		x86_patch_rel32(x86_call32(&g->b),
				g->probe_thunk[s->mmu][__builtin_ctz(s->size)][s->store]);
		x86_test_rr(&g->b, true, X86_RAX, X86_RAX);
		jcc = x86_jcc32(&g->b, X86_CC_E);
		x86_patch_rel32(x86_jmp32(&g->b), s->access);
	}
	x86_patch_rel32(jcc, g->b.p);
	x86_store_dirty(g, s); /* precise state for a fault */
	if (s->store)
		x86_mov_rr(&g->b, true, X86_RDX, s->val_reg);
	addr_to(g, X86_RAX, s->addr_reg, s->addr_disp);
	x86_jmp8(&g->b, SLOW_DATA_SIZE); /* over the data */
	x86_u64(&g->b, (uint64_t)(uintptr_t)s->rec);
	x86_u32(&g->b, s->memop_idx);
	x86_patch_rel32(x86_call32(&g->b), g->slow_thunk[s->store]);
	if (!s->store)
		x86_mov_rr(&g->b, s->w64, s->val_reg, X86_RAX);
	x86_patch_rel32(x86_jmp32(&g->b), s->ret);
}

/* ---- calls ---- */

void x86_gen_call(struct x86_gen *g, const struct tcg_op *op, uint16_t life)
{
	static const int8_t argreg[TCG_MAX_CALL_ARGS] = {X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9};
	const struct tcg_helper *h = tcg_op_helper(op);
	unsigned no = op->n_out, ni = op->n_in;
	bool writes = !(h->flags & TCG_CALL_NO_WG);

	if (fp_inline_ok(g, op, h)) {
		gen_fp_call(g, op, life, h);
		return;
	}

	/* The helper may read, write or (raising) expose the globals. */
	if (writes || !(h->flags & TCG_CALL_NO_RG) || !(h->flags & TCG_CALL_NO_RAISE))
		x86_ra_sync_globals(g, false);
	/* Helper calls clobber these: move their values home first. */
	for (int r = 0; r < 16; r++) {
		if (CALLER_SAVED & (1u << r))
			x86_ra_spill_reg(g, r);
	}
	for (unsigned i = 0; i < ni; i++) {
		uint32_t t = (uint32_t)op->args[no + i];
		if (g->ts[t].reg >= 0)
			x86_mov_rr(&g->b, true, argreg[i], g->ts[t].reg);
		else
			x86_ra_load_home(g, t, argreg[i]);
	}
	x86_mov_rr(&g->b, true, X86_RDI, X86_RBP);
	if (!(h->flags & TCG_CALL_NO_RAISE))
		set_cur_insn(g, g->cur_rec);
	call_abs(g, (const void *)h->func);
	g->locked = 0;
	x86_ra_free_dead_inputs(g, op, life);
	if (writes) {
		/* All clean: drop the stale registers, reload the pinned ones. */
		x86_ra_sync_globals(g, true);
		for (uint32_t t = 0; t < g->ir->n_globals; t++) {
			if (g->ts[t].pin >= 0)
				x86_ra_load_home(g, t, g->ts[t].pin);
		}
	}
	if (no) {
		int rd = x86_ra_alloc_reg(g, 0);
		x86_mov_rr(&g->b, true, rd, X86_RAX);
		x86_ra_set_out(g, op, life, rd);
	}
}

