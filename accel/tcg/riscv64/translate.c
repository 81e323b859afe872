/*
 * RISC-V 64 translator: one guest block to IR (unpriv spec chapters 2, 4,
 * 7, 8, 9, 13, 16, 28 (Zba/Zbb/Zbs); priv spec §3.3 for ecall/ebreak/mret/
 * wfi). Compressed instructions are expanded by rv_expand_c() first, so
 * every instruction goes through one decoder. Anything that does not
 * decode raises an illegal-instruction trap at run time.
 */
#include <errno.h>

#include "accel/tcg/riscv64/helper.h"
#include "accel/tcg/riscv64/translate.h"

/* Globals, registered in a fixed order (identical handles in every context). */
static tcg_i64 cpu_x[32];
static tcg_i64 cpu_pc;

void rv_translate_register_globals(struct tcg_ctx *ctx);
void rv_translate_register_globals(struct tcg_ctx *ctx)
{
	static const char *const names[32] = {
	    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
	    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
	    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};

	cpu_pc = tcg_global_i64(ctx, offsetof(struct tcg_cpu, pc), "pc");
	for (unsigned i = 1; i < 32; i++)
		cpu_x[i] = tcg_global_i64(ctx, offsetof(struct rv_cpu, x) + 8 * i, names[i]);
}

tcg_i64 rv_gen_get_gpr(struct rv_dc *dc, unsigned r)
{
	return r ? cpu_x[r] : tcg_const_i64(dc->b, 0);
}

tcg_i64 rv_gen_dest_gpr(struct rv_dc *dc, unsigned r)
{
	return r ? cpu_x[r] : tcg_temp_new_i64(dc->b);
}

void rv_gen_set_gpr(struct rv_dc *dc, unsigned r, tcg_i64 v)
{
	if (r && v.idx != cpu_x[r].idx)
		tcg_gen_mov_i64(dc->b, cpu_x[r], v);
}

void rv_gen_exception(struct rv_dc *dc, enum rv_excp cause, uint64_t tval)
{
	struct tcg_builder *b = dc->b;

	tcg_gen_call2(b, &rv_helper_raise, TCG_I64_NONE, tcg_const_i64(b, cause),
		      tcg_const_i64(b, tval));
	/* Not reached; the block still needs a proper end for the IR. */
	tcg_gen_movi_i64(b, cpu_pc, dc->pc);
	tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
	dc->end = RV_DC_ENDED;
}

void rv_gen_illegal(struct rv_dc *dc)
{
	rv_gen_exception(dc, RV_EXCP_ILLEGAL, dc->insn);
}

void rv_gen_set_fs_dirty(struct rv_dc *dc)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 t;

	if (dc->flags & RV_TBF_FS_DIRTY)
		return;
	t = tcg_temp_new_i64(b);
	tcg_gen_ld_env_i64(b, t, offsetof(struct rv_cpu, mstatus), TCG_MO_UQ);
	tcg_gen_ori_i64(b, t, t, RV_MSTATUS_FS);
	tcg_gen_st_env_i64(b, t, offsetof(struct rv_cpu, mstatus), TCG_MO_UQ);
}

#ifdef RV_NO_FP
/* Until the F/D translator is built in, FP encodings are illegal. */
bool rv_translate_fp(struct rv_dc *dc, uint32_t insn)
{
	return false;
}
#endif

/*
 * Leave the block for pc = @v through the jump cache, which checks pc and
 * flags (an indirect jump, or a state change the next block must see).
 */
static void gen_lookup(struct rv_dc *dc, tcg_i64 v)
{
	tcg_gen_mov_i64(dc->b, cpu_pc, v);
	tcg_gen_goto_ptr(dc->b, cpu_pc);
}

/* Leave the block towards @dest through chaining slot @slot. */
static void gen_goto_slot(struct rv_dc *dc, unsigned slot, uint64_t dest)
{
	/*
	 * With paging, another page's mapping may change under a direct
	 * jump: leave through the jump cache (cleared by TLB flushes).
	 */
	if ((dc->flags & RV_TBF_PAGED) &&
	    (dest & TCG_PAGE_MASK) != (dc->block_pc & TCG_PAGE_MASK)) {
		gen_lookup(dc, tcg_const_i64(dc->b, dest));
		return;
	}
	tcg_gen_goto_tb(dc->b, slot);
	tcg_gen_movi_i64(dc->b, cpu_pc, dest);
	tcg_gen_exit_tb(dc->b, slot);
}

/* Leave the block towards @dest through the next free chaining slot. */
static void gen_goto(struct rv_dc *dc, uint64_t dest)
{
	gen_goto_slot(dc, dc->slots++, dest);
}

/*
 * May a conditional branch leave its taken path as a side exit and the
 * block go on? Only while two slots stay free for however the block ends
 * (a final branch needs two).
 */
static bool can_extend(const struct rv_dc *dc)
{
	return dc->slots + 1 + 2 <= TCG_TB_SLOTS;
}

/* The side exits' code, after the block's last instruction. */
static void gen_side_exits(struct rv_dc *dc)
{
	unsigned total = tcg_builder_insns(dc->b);

	for (unsigned i = 0; i < dc->n_side; i++) {
		const struct rv_side_exit *s = &dc->side[i];

		tcg_gen_set_label(dc->b, s->label);
		tcg_gen_uncount_insns(dc->b, total - s->insns);
		gen_goto_slot(dc, s->slot, s->dest);
	}
}

/* --- U/J-type, jumps and branches --- */

static void trans_lui(struct rv_dc *dc, uint32_t i)
{
	rv_gen_set_gpr(dc, rv_rd(i),
		       tcg_const_i64(dc->b, (uint64_t)(int64_t)(int32_t)(i & 0xfffff000)));
}

static void trans_auipc(struct rv_dc *dc, uint32_t i)
{
	uint64_t v = dc->pc + (uint64_t)(int64_t)(int32_t)(i & 0xfffff000);
	rv_gen_set_gpr(dc, rv_rd(i), tcg_const_i64(dc->b, v));
}

/*
 * Go on translating at @dest instead of ending the block: a jump within
 * the block's page to code not translated in it yet (same page: the
 * block's physical pages and their SMC tracking stay as they are).
 */
static bool follow_jump(struct rv_dc *dc, uint64_t dest)
{
	if (dc->n_seg >= RV_MAX_FOLLOW || (dest & TCG_PAGE_MASK) != (dc->block_pc & TCG_PAGE_MASK))
		return false;
	/* The current segment joins the finished ones (kept only if followed). */
	dc->seg[dc->n_seg].start = dc->seg_start;
	dc->seg[dc->n_seg].end = dc->next_pc;
	for (unsigned k = 0; k <= dc->n_seg; k++)
		if (dest >= dc->seg[k].start && dest < dc->seg[k].end)
			return false;
	dc->n_seg++;
	dc->seg_start = dest;
	dc->next_pc = dest;
	return true;
}

static void trans_jal(struct rv_dc *dc, uint32_t i)
{
	int64_t off = ((int64_t)(int32_t)(i & 0x80000000) >> 11) | (i & 0xff000) |
		      ((i >> 9) & 0x800) | ((i >> 20) & 0x7fe);
	uint64_t dest = dc->pc + (uint64_t)off;

	rv_gen_set_gpr(dc, rv_rd(i), tcg_const_i64(dc->b, dc->next_pc));
	if (rv_rd(i) == 0 && follow_jump(dc, dest))
		return; /* dc->end stays RV_DC_NEXT */
	gen_goto(dc, dest);
	dc->end = RV_DC_ENDED;
}

static void trans_jalr(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 t = tcg_temp_new_i64(b);

	if (rv_funct3(i))
		return rv_gen_illegal(dc);
	/* Target first: rd may be rs1. The low bit is cleared (unpriv §2.5.1). */
	tcg_gen_addi_i64(b, t, rv_gen_get_gpr(dc, rv_rs1(i)), (uint64_t)rv_imm_i(i));
	tcg_gen_andi_i64(b, t, t, ~1ULL);
	rv_gen_set_gpr(dc, rv_rd(i), tcg_const_i64(b, dc->next_pc));
	gen_lookup(dc, t);
	dc->end = RV_DC_ENDED;
}

static void trans_branch(struct rv_dc *dc, uint32_t i)
{
	static const int8_t conds[8] = {TCG_COND_EQ, TCG_COND_NE, -1,		-1,
					TCG_COND_LT, TCG_COND_GE, TCG_COND_LTU, TCG_COND_GEU};
	int64_t off = ((int64_t)(int32_t)(i & 0x80000000) >> 19) | ((i << 4) & 0x800) |
		      ((i >> 20) & 0x7e0) | ((i >> 7) & 0x1e);
	int cond = conds[rv_funct3(i)];
	tcg_label taken;

	if (cond < 0)
		return rv_gen_illegal(dc);
	taken = tcg_label_new(dc->b);
	tcg_gen_brcond_i64(dc->b, (enum tcg_cond)cond, rv_gen_get_gpr(dc, rv_rs1(i)),
			   rv_gen_get_gpr(dc, rv_rs2(i)), taken);
	if (can_extend(dc)) {
		/* Superblock: go on with the not-taken path; taken leaves at the end. */
		dc->side[dc->n_side++] = (struct rv_side_exit){
		    .label = taken,
		    .dest = dc->pc + (uint64_t)off,
		    .slot = dc->slots++,
		    .insns = tcg_builder_insns(dc->b),
		};
		return;
	}
	gen_goto(dc, dc->next_pc);
	tcg_gen_set_label(dc->b, taken);
	gen_goto(dc, dc->pc + (uint64_t)off);
	dc->end = RV_DC_ENDED;
}

/* --- loads and stores --- */

static tcg_i64 gen_addr(struct rv_dc *dc, unsigned rs1, int64_t imm)
{
	tcg_i64 t = tcg_temp_new_i64(dc->b);
	tcg_gen_addi_i64(dc->b, t, rv_gen_get_gpr(dc, rs1), (uint64_t)imm);
	return t;
}

static void trans_load(struct rv_dc *dc, uint32_t i)
{
	static const int8_t mo[8] = {TCG_MO_SB, TCG_MO_SW, TCG_MO_SL, TCG_MO_UQ,
				     TCG_MO_UB, TCG_MO_UW, TCG_MO_UL, -1};
	int m = mo[rv_funct3(i)];
	tcg_i64 addr;

	if (m < 0)
		return rv_gen_illegal(dc);
	addr = gen_addr(dc, rv_rs1(i), rv_imm_i(i));
	/* A load to x0 still accesses memory (it may fault or touch MMIO). */
	tcg_gen_guest_ld_i64(dc->b, rv_gen_dest_gpr(dc, rv_rd(i)), addr, (enum tcg_memop)m,
			     dc->mmu_idx);
}

static void trans_store(struct rv_dc *dc, uint32_t i)
{
	unsigned f3 = rv_funct3(i);

	if (f3 > 3)
		return rv_gen_illegal(dc);
	tcg_gen_guest_st_i64(dc->b, rv_gen_get_gpr(dc, rv_rs2(i)),
			     gen_addr(dc, rv_rs1(i), rv_imm_s(i)), (enum tcg_memop)f3, dc->mmu_idx);
}

/* --- OP-IMM --- */

/* orc.b: each byte becomes 0xff if non-zero, else 0 (Zbb). */
static void gen_orc_b(struct tcg_builder *b, tcg_i64 d, tcg_i64 a)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	tcg_i64 t = tcg_temp_new_i64(b), h = tcg_temp_new_i64(b);

	/* Bit 7 of each byte of t: set iff the byte of a is non-zero. */
	tcg_gen_andi_i64(b, t, a, lo7);
	tcg_gen_addi_i64(b, t, t, lo7);
	tcg_gen_or_i64(b, t, t, a);
	tcg_gen_andi_i64(b, t, t, ~lo7);
	/* (h << 1) - (h >> 7) turns each 0x80 into 0xff (mod 2^64). */
	tcg_gen_shri_i64(b, h, t, 7);
	tcg_gen_shli_i64(b, t, t, 1);
	tcg_gen_sub_i64(b, d, t, h);
}

/* OP-IMM funct3 1 and 5: shifts, Zbb unary ops, Zbs immediates. */
static bool trans_op_imm_shift(struct rv_dc *dc, uint32_t i, tcg_i64 d, tcg_i64 a)
{
	struct tcg_builder *b = dc->b;
	unsigned imm12 = i >> 20, f6 = imm12 >> 6, sh = imm12 & 63;

	if (rv_funct3(i) == 1) {
		switch (f6) {
		case 0x00:
			tcg_gen_shli_i64(b, d, a, sh);
			return true;
		case 0x0a:
			tcg_gen_ori_i64(b, d, a, 1ULL << sh);
			return true; /* bseti */
		case 0x12:
			tcg_gen_andi_i64(b, d, a, ~(1ULL << sh));
			return true; /* bclri */
		case 0x1a:
			tcg_gen_xori_i64(b, d, a, 1ULL << sh);
			return true; /* binvi */
		}
		switch (imm12) {
		case 0x600:
			tcg_gen_clz_i64(b, d, a, tcg_const_i64(b, 64));
			return true;
		case 0x601:
			tcg_gen_ctz_i64(b, d, a, tcg_const_i64(b, 64));
			return true;
		case 0x602:
			tcg_gen_ctpop_i64(b, d, a);
			return true;
		case 0x604:
			tcg_gen_ext8s_i64(b, d, a);
			return true;
		case 0x605:
			tcg_gen_ext16s_i64(b, d, a);
			return true;
		}
		return false;
	}
	switch (f6) {
	case 0x00:
		tcg_gen_shri_i64(b, d, a, sh);
		return true;
	case 0x10:
		tcg_gen_sari_i64(b, d, a, sh);
		return true;
	case 0x12:
		tcg_gen_extract_i64(b, d, a, sh, 1);
		return true; /* bexti */
	case 0x18:
		tcg_gen_rotri_i64(b, d, a, sh);
		return true; /* rori */
	}
	if (imm12 == 0x287) {
		gen_orc_b(b, d, a);
		return true;
	}
	if (imm12 == 0x6b8) {
		tcg_gen_bswap_i64(b, d, a); /* rev8 */
		return true;
	}
	return false;
}

static void trans_op_imm(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 a = rv_gen_get_gpr(dc, rv_rs1(i)), d = rv_gen_dest_gpr(dc, rv_rd(i));
	uint64_t imm = (uint64_t)rv_imm_i(i);

	switch (rv_funct3(i)) {
	case 0:
		tcg_gen_addi_i64(b, d, a, imm);
		break;
	case 2:
		tcg_gen_setcond_i64(b, TCG_COND_LT, d, a, tcg_const_i64(b, imm));
		break;
	case 3:
		tcg_gen_setcond_i64(b, TCG_COND_LTU, d, a, tcg_const_i64(b, imm));
		break;
	case 4:
		tcg_gen_xori_i64(b, d, a, imm);
		break;
	case 6:
		tcg_gen_ori_i64(b, d, a, imm);
		break;
	case 7:
		tcg_gen_andi_i64(b, d, a, imm);
		break;
	default:
		if (!trans_op_imm_shift(dc, i, d, a))
			rv_gen_illegal(dc);
		break;
	}
}

/* --- OP-IMM-32 (RV64I W forms, Zbb W forms, slli.uw) --- */

static void trans_op_imm_32(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 a = rv_gen_get_gpr(dc, rv_rs1(i)), d = rv_gen_dest_gpr(dc, rv_rd(i));
	tcg_i32 a32 = tcg_temp_new_i32(b), r32 = tcg_temp_new_i32(b);
	unsigned imm12 = i >> 20, f7 = imm12 >> 5, sh = imm12 & 31;

	if (rv_funct3(i) == 1 && (imm12 >> 6) == 0x02) { /* slli.uw: 6-bit shamt */
		tcg_i64 t = tcg_temp_new_i64(b);
		tcg_gen_ext32u_i64(b, t, a);
		tcg_gen_shli_i64(b, d, t, imm12 & 63);
		return;
	}
	tcg_gen_extrl_i64_i32(b, a32, a);
	switch (rv_funct3(i) << 8 | f7) {
	case 0x000 ... 0x07f: /* addiw: all of imm12 */
		tcg_gen_addi_i32(b, r32, a32, (uint32_t)rv_imm_i(i));
		break;
	case 0x100:
		tcg_gen_shli_i32(b, r32, a32, sh);
		break;
	case 0x500:
		tcg_gen_shri_i32(b, r32, a32, sh);
		break;
	case 0x520:
		tcg_gen_sari_i32(b, r32, a32, sh);
		break;
	case 0x530:
		tcg_gen_rotri_i32(b, r32, a32, sh);
		break;
	case 0x130:
		if (sh == 0)
			tcg_gen_clz_i32(b, r32, a32, tcg_const_i32(b, 32));
		else if (sh == 1)
			tcg_gen_ctz_i32(b, r32, a32, tcg_const_i32(b, 32));
		else if (sh == 2)
			tcg_gen_ctpop_i32(b, r32, a32);
		else
			return rv_gen_illegal(dc);
		break;
	default:
		return rv_gen_illegal(dc);
	}
	tcg_gen_ext_i32_i64(b, d, r32);
}

/* --- OP (RV64I, M, Zba, Zbb, Zbs) --- */

typedef void (*gen_op2_i64)(struct tcg_builder *, tcg_i64, tcg_i64, tcg_i64);
typedef void (*gen_op2_i32)(struct tcg_builder *, tcg_i32, tcg_i32, tcg_i32);

static void gen_slt(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_gen_setcond_i64(b, TCG_COND_LT, d, a, c);
}

static void gen_sltu(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_gen_setcond_i64(b, TCG_COND_LTU, d, a, c);
}

static void gen_shNadd(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c, unsigned n)
{
	tcg_i64 t = tcg_temp_new_i64(b);
	tcg_gen_shli_i64(b, t, a, n);
	tcg_gen_add_i64(b, d, t, c);
}

static void gen_sh1add(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	gen_shNadd(b, d, a, c, 1);
}

static void gen_sh2add(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	gen_shNadd(b, d, a, c, 2);
}

static void gen_sh3add(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	gen_shNadd(b, d, a, c, 3);
}

/* Zbs with a register index: the bit is 1 << (c & 63) (shl takes the count mod 64). */
static tcg_i64 gen_bit(struct tcg_builder *b, tcg_i64 c)
{
	tcg_i64 t = tcg_temp_new_i64(b);
	tcg_gen_shl_i64(b, t, tcg_const_i64(b, 1), c);
	return t;
}

static void gen_bset(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_gen_or_i64(b, d, a, gen_bit(b, c));
}

static void gen_bclr(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_gen_andc_i64(b, d, a, gen_bit(b, c));
}

static void gen_binv(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_gen_xor_i64(b, d, a, gen_bit(b, c));
}

static void gen_bext(struct tcg_builder *b, tcg_i64 d, tcg_i64 a, tcg_i64 c)
{
	tcg_i64 t = tcg_temp_new_i64(b);
	tcg_gen_shr_i64(b, t, a, c);
	tcg_gen_andi_i64(b, d, t, 1);
}

/* OP: indexed by funct7 (the used ones) and funct3. */
static gen_op2_i64 op_table(unsigned f7, unsigned f3)
{
	static const gen_op2_i64 base[8] = {tcg_gen_add_i64, tcg_gen_shl_i64, gen_slt,
					    gen_sltu,	     tcg_gen_xor_i64, tcg_gen_shr_i64,
					    tcg_gen_or_i64,  tcg_gen_and_i64};
	static const gen_op2_i64 alt[8] = {
	    tcg_gen_sub_i64, NULL, NULL, NULL, tcg_gen_eqv_i64, tcg_gen_sar_i64, tcg_gen_orc_i64,
	    tcg_gen_andc_i64};
	static const gen_op2_i64 muldiv[8] = {
	    tcg_gen_mul_i64, tcg_gen_mulsh_i64, tcg_gen_mulsuh_i64, tcg_gen_muluh_i64,
	    tcg_gen_div_i64, tcg_gen_divu_i64,	tcg_gen_rem_i64,    tcg_gen_remu_i64};
	static const gen_op2_i64 minmax[8] = {NULL,
					      NULL,
					      NULL,
					      NULL,
					      tcg_gen_smin_i64,
					      tcg_gen_umin_i64,
					      tcg_gen_smax_i64,
					      tcg_gen_umax_i64};
	static const gen_op2_i64 shadd[8] = {NULL,	 NULL, gen_sh1add, NULL,
					     gen_sh2add, NULL, gen_sh3add, NULL};
	static const gen_op2_i64 rot[8] = {NULL, tcg_gen_rotl_i64, NULL, NULL,
					   NULL, tcg_gen_rotr_i64, NULL, NULL};

	switch (f7) {
	case 0x00:
		return base[f3];
	case 0x20:
		return alt[f3];
	case 0x01:
		return muldiv[f3];
	case 0x05:
		return minmax[f3];
	case 0x10:
		return shadd[f3];
	case 0x30:
		return rot[f3];
	case 0x14:
		return f3 == 1 ? gen_bset : NULL;
	case 0x24:
		return f3 == 1 ? gen_bclr : f3 == 5 ? gen_bext : NULL;
	case 0x34:
		return f3 == 1 ? gen_binv : NULL;
	}
	return NULL;
}

static void trans_op(struct rv_dc *dc, uint32_t i)
{
	gen_op2_i64 fn = op_table(rv_funct7(i), rv_funct3(i));

	if (!fn)
		return rv_gen_illegal(dc);
	fn(dc->b, rv_gen_dest_gpr(dc, rv_rd(i)), rv_gen_get_gpr(dc, rv_rs1(i)),
	   rv_gen_get_gpr(dc, rv_rs2(i)));
}

/* --- OP-32 --- */

static gen_op2_i32 op32_table(unsigned f7, unsigned f3)
{
	switch (f7 << 3 | f3) {
	case 0x000:
		return tcg_gen_add_i32;
	case 0x001:
		return tcg_gen_shl_i32; /* count mod 32 = rs2[4:0] */
	case 0x005:
		return tcg_gen_shr_i32;
	case 0x100:
		return tcg_gen_sub_i32;
	case 0x105:
		return tcg_gen_sar_i32;
	case 0x008:
		return tcg_gen_mul_i32;
	case 0x00c:
		return tcg_gen_div_i32;
	case 0x00d:
		return tcg_gen_divu_i32;
	case 0x00e:
		return tcg_gen_rem_i32;
	case 0x00f:
		return tcg_gen_remu_i32;
	case 0x181:
		return tcg_gen_rotl_i32;
	case 0x185:
		return tcg_gen_rotr_i32;
	}
	return NULL;
}

/* Zba .uw forms and zext.h: 64-bit results. */
static bool trans_op32_zb(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned f7 = rv_funct7(i), f3 = rv_funct3(i);
	tcg_i64 d = rv_gen_dest_gpr(dc, rv_rd(i)), a = rv_gen_get_gpr(dc, rv_rs1(i));
	tcg_i64 c = rv_gen_get_gpr(dc, rv_rs2(i)), t = tcg_temp_new_i64(b);

	if (f7 == 0x04 && f3 == 4 && rv_rs2(i) == 0) { /* zext.h */
		tcg_gen_ext16u_i64(b, d, a);
		return true;
	}
	if (!((f7 == 0x04 && f3 == 0) || (f7 == 0x10 && (f3 == 2 || f3 == 4 || f3 == 6))))
		return false;
	tcg_gen_ext32u_i64(b, t, a);
	if (f3)
		tcg_gen_shli_i64(b, t, t, f3 / 2);
	tcg_gen_add_i64(b, d, t, c);
	return true;
}

static void trans_op_32(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	gen_op2_i32 fn = op32_table(rv_funct7(i), rv_funct3(i));
	tcg_i32 a, c, r;

	if (!fn) {
		if (!trans_op32_zb(dc, i))
			rv_gen_illegal(dc);
		return;
	}
	a = tcg_temp_new_i32(b);
	c = tcg_temp_new_i32(b);
	r = tcg_temp_new_i32(b);
	tcg_gen_extrl_i64_i32(b, a, rv_gen_get_gpr(dc, rv_rs1(i)));
	tcg_gen_extrl_i64_i32(b, c, rv_gen_get_gpr(dc, rv_rs2(i)));
	fn(b, r, a, c);
	tcg_gen_ext_i32_i64(b, rv_gen_dest_gpr(dc, rv_rd(i)), r);
}

/* --- A (unpriv §8): LR/SC and AMOs in helpers (host atomics) --- */

static void trans_amo(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned f3 = rv_funct3(i), f5 = i >> 27;
	tcg_i64 d = rv_gen_dest_gpr(dc, rv_rd(i)), a = rv_gen_get_gpr(dc, rv_rs1(i));

	if (f3 != 2 && f3 != 3)
		return rv_gen_illegal(dc);
	switch (f5) {
	case RV_AMO_LR:
		if (rv_rs2(i))
			return rv_gen_illegal(dc);
		tcg_gen_call2(b, &rv_helper_lr, d, a, tcg_const_i64(b, f3));
		return;
	case RV_AMO_SC:
		tcg_gen_call3(b, &rv_helper_sc, d, a, rv_gen_get_gpr(dc, rv_rs2(i)),
			      tcg_const_i64(b, f3));
		return;
	case RV_AMO_ADD:
	case RV_AMO_SWAP:
	case RV_AMO_XOR:
	case RV_AMO_OR:
	case RV_AMO_AND:
	case RV_AMO_MIN:
	case RV_AMO_MAX:
	case RV_AMO_MINU:
	case RV_AMO_MAXU:
		tcg_gen_call3(b, &rv_helper_amo, d, a, rv_gen_get_gpr(dc, rv_rs2(i)),
			      tcg_const_i64(b, RV_AMO_ARG(f5, f3)));
		return;
	}
	rv_gen_illegal(dc);
}

/* --- SYSTEM and MISC-MEM --- */

static void trans_csr(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	unsigned csr = i >> 20;
	tcg_i64 src =
	    (rv_funct3(i) & 4) ? tcg_const_i64(b, rv_rs1(i)) : rv_gen_get_gpr(dc, rv_rs1(i));
	tcg_i64 old = tcg_temp_new_i64(b);

	tcg_gen_call2(b, &rv_helper_csr, old, tcg_const_i64(b, i), src);
	rv_gen_set_gpr(dc, rv_rd(i), old);
	/*
	 * End the block after every CSR access: counters read exact values
	 * (tcg.h "Instruction counting"). A write may change tb_flags
	 * (mstatus.FS, MPRV, frm...), so the next block is looked up by pc
	 * and flags (the inline jump cache), never chained; an interrupt it
	 * made deliverable kicks the hart (csr.c), and the next block's exit
	 * check takes it.
	 */
	dc->end = (rv_funct3(i) == 1 || rv_funct3(i) == 5 || rv_rs1(i) != 0) ? RV_DC_STOP_LOOKUP
									     : RV_DC_STOP;
	(void)csr;
}

static void trans_system(struct rv_dc *dc, uint32_t i)
{
	struct tcg_builder *b = dc->b;
	tcg_i64 t;

	if (rv_funct3(i) == 4)
		return rv_gen_illegal(dc);
	if (rv_funct3(i))
		return trans_csr(dc, i);
	switch (i) {
	case 0x00000073: /* ecall: cause 8 + privilege (priv §3.3.1) */
		return rv_gen_exception(
		    dc, (enum rv_excp)(RV_EXCP_ECALL_U + (dc->flags & RV_TBF_PRIV_MASK)), 0);
	case 0x00100073: /* ebreak: mtval = 0 */
		return rv_gen_exception(dc, RV_EXCP_BREAKPOINT, 0);
	case 0x30200073: /* mret */
		if ((dc->flags & RV_TBF_PRIV_MASK) != RV_PRIV_M)
			return rv_gen_illegal(dc);
		t = tcg_temp_new_i64(b);
		tcg_gen_call0(b, &rv_helper_mret, t);
		gen_lookup(dc, t); /* pc and the new privilege's flags */
		dc->end = RV_DC_ENDED;
		return;
	case 0x10200073: /* sret (priv §3.3.2) */
		t = tcg_temp_new_i64(b);
		tcg_gen_call1(b, &rv_helper_sret, t, tcg_const_i64(b, i));
		gen_lookup(dc, t); /* pc and the new privilege's flags */
		dc->end = RV_DC_ENDED;
		return;
	case 0x10500073: /* wfi */
		tcg_gen_call1(b, &rv_helper_wfi, TCG_I64_NONE, tcg_const_i64(b, i));
		tcg_gen_movi_i64(b, cpu_pc, dc->next_pc);
		tcg_gen_exit_tb(b, TCG_EXIT_NOCHAIN);
		dc->end = RV_DC_ENDED;
		return;
	}
	/* sfence.vma rs1, rs2 (priv §4.2.1): funct7 9, rd 0. */
	if ((i & 0xfe007fff) == 0x12000073) {
		tcg_gen_call2(b, &rv_helper_sfence_vma, TCG_I64_NONE, tcg_const_i64(b, i),
			      rv_gen_get_gpr(dc, rv_rs1(i)));
		/* The helper dropped the flushed pages' blocks from the jump cache. */
		dc->end = RV_DC_STOP_LOOKUP;
		return;
	}
	rv_gen_illegal(dc);
}

/*
 * Zicbom/Zicboz (CMO spec §2.5, §3): cbo.inval 0, cbo.clean 1, cbo.flush 2,
 * cbo.zero 4 in imm[11:0], rd = 0. Below M the menvcfg/senvcfg enables
 * gate them (inval is performed as a flush: memory is coherent here).
 */
static void trans_cbo(struct rv_dc *dc, uint32_t i)
{
	unsigned op = i >> 20, priv = dc->flags & RV_TBF_PRIV_MASK;
	tcg_i64 addr;

	if (rv_rd(i) != 0 || op > 4 || op == 3)
		return rv_gen_illegal(dc);
	addr = rv_gen_get_gpr(dc, rv_rs1(i));
	tcg_gen_call2(dc->b, &rv_helper_cbo_enabled, TCG_I64_NONE, tcg_const_i64(dc->b, i),
		      tcg_const_i64(dc->b, priv));
	tcg_gen_call1(dc->b, op == 4 ? &rv_helper_cbo_zero : &rv_helper_cbo_check, TCG_I64_NONE,
		      addr);
}

static void trans_misc_mem(struct rv_dc *dc, uint32_t i)
{
	switch (rv_funct3(i)) {
	case 0: /* fence, fence.tso, pause: one vCPU, host-ordered accesses */
		return;
	case 1:
		/*
		 * fence.i (unpriv §3.1): stores to pages holding translated
		 * code already invalidate those blocks (the TLB's code-page
		 * check), so the block ends here and the next one is looked up
		 * afresh; the helper flushes only after device DMA. Throwing
		 * all translations away each time made Linux's boot-time code
		 * patching (thousands of fence.i) crawl. The next block is
		 * found through the jump cache: invalidated blocks have left
		 * it, and a full flush the helper asks for kicks the hart.
		 */
		tcg_gen_call0(dc->b, &rv_helper_fence_i, TCG_I64_NONE);
		dc->end = RV_DC_STOP_LOOKUP;
		return;
	case 2:
		return trans_cbo(dc, i);
	}
	rv_gen_illegal(dc);
}

/* --- dispatch --- */

static bool is_fp_opcode(unsigned op)
{
	return op == 0x07 || op == 0x27 || op == 0x43 || op == 0x47 || op == 0x4b || op == 0x4f ||
	       op == 0x53;
}

static void translate_insn(struct rv_dc *dc, uint32_t i)
{
	unsigned op = i & 0x7f;

	if (is_fp_opcode(op)) {
		if (!(dc->flags & RV_TBF_FS_ON) || !rv_translate_fp(dc, i))
			rv_gen_illegal(dc);
		return;
	}
	switch (op) {
	case 0x03:
		return trans_load(dc, i);
	case 0x0f:
		return trans_misc_mem(dc, i);
	case 0x13:
		return trans_op_imm(dc, i);
	case 0x17:
		return trans_auipc(dc, i);
	case 0x1b:
		return trans_op_imm_32(dc, i);
	case 0x23:
		return trans_store(dc, i);
	case 0x2f:
		return trans_amo(dc, i);
	case 0x33:
		return trans_op(dc, i);
	case 0x37:
		return trans_lui(dc, i);
	case 0x3b:
		return trans_op_32(dc, i);
	case 0x63:
		return trans_branch(dc, i);
	case 0x67:
		return trans_jalr(dc, i);
	case 0x6f:
		return trans_jal(dc, i);
	case 0x73:
		return trans_system(dc, i);
	}
	rv_gen_illegal(dc);
}

/*
 * The block's first instruction cannot be fetched (@vaddr faulted): the
 * helper decides at run time which fault it is. (A later instruction that
 * cannot be fetched ends the block before it instead, so that its fault is
 * taken by a block of its own.)
 */
static void gen_fetch_fault(struct rv_dc *dc, uint64_t vaddr)
{
	tcg_gen_call2(dc->b, &rv_helper_fetch_fault, TCG_I64_NONE, tcg_const_i64(dc->b, dc->pc),
		      tcg_const_i64(dc->b, vaddr));
	tcg_gen_movi_i64(dc->b, cpu_pc, dc->pc);
	tcg_gen_exit_tb(dc->b, TCG_EXIT_NOCHAIN);
	dc->end = RV_DC_ENDED;
}

/*
 * Fetch one instruction at dc->pc into dc->insn/raw/next_pc. False if the
 * fetch faulted, with the faulting address in *fault. Emits no IR.
 */
static bool fetch_insn(struct rv_dc *dc, uint64_t *fault)
{
	uint32_t lo, hi;

	if (tcg_fetch_code(dc->b, dc->pc, 2, &lo) < 0) {
		*fault = dc->pc;
		return false;
	}
	if ((lo & 3) != 3) {
		dc->insn = lo & 0xffff;
		dc->raw = rv_expand_c((uint16_t)lo);
		dc->next_pc = dc->pc + 2;
		return true;
	}
	/* The second half may sit on the next page (unpriv §1.5 allows it). */
	if (tcg_fetch_code(dc->b, dc->pc + 2, 2, &hi) < 0) {
		*fault = dc->pc + 2;
		return false;
	}
	dc->insn = (lo & 0xffff) | hi << 16;
	dc->raw = dc->insn;
	dc->next_pc = dc->pc + 4;
	return true;
}

int rv_translate_block(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags);
int rv_translate_block(struct tcg_builder *b, struct tcg_cpu *cpu, uint64_t pc, uint32_t flags)
{
	struct rv_dc dc = {
	    .b = b,
	    .pc = pc,
	    .flags = flags,
	    .mmu_idx = (flags & RV_TBF_MMU_MASK) >> RV_TBF_MMU_SHIFT,
	    .block_pc = pc,
	    .seg_start = pc,
	};

	for (;;) {
		uint64_t fault = 0;
		bool fetched = fetch_insn(&dc, &fault);

		dc.end = RV_DC_NEXT;
		if (!fetched && dc.pc != pc) {
			gen_goto(&dc, dc.pc);
			break;
		}
		tcg_gen_insn_start(b, dc.pc, 0);
		if (!fetched) {
			gen_fetch_fault(&dc, fault);
			break;
		}
		if (dc.raw == 0)
			rv_gen_illegal(&dc); /* reserved compressed encoding */
		else
			translate_insn(&dc, dc.raw);
		if (dc.end == RV_DC_ENDED)
			break;
		if (dc.end == RV_DC_STOP_LOOKUP) {
			gen_lookup(&dc, tcg_const_i64(b, dc.next_pc));
			break;
		}
		if (dc.end == RV_DC_STOP || tcg_should_stop(b, dc.next_pc)) {
			gen_goto(&dc, dc.next_pc);
			break;
		}
		dc.pc = dc.next_pc;
	}
	gen_side_exits(&dc);
	return 0;
}
