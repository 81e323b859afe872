/* The random instruction-sequence generator (see rv_gen.h). */
#include "rv_gen.h"

#include <string.h>

#define MIN_U(a, b) ((a) < (b) ? (a) : (b))

static uint64_t rng_state;
bool rvgen_no_ctzw;

void rvgen_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
}

uint64_t rvgen_rand(void)
{
	/* xorshift64*: small, reproducible across hosts. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

unsigned rvgen_rand_n(unsigned n)
{
	return (unsigned)(rvgen_rand() % n);
}

uint32_t rvgen_enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

uint32_t rvgen_enc_i(uint32_t imm12, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
	return (imm12 & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

uint32_t rvgen_enc_s(uint32_t imm, unsigned rs2, unsigned rs1, unsigned f3)
{
	return ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 |
	       0x23;
}

static uint32_t enc_b(int32_t off, unsigned rs2, unsigned rs1, unsigned f3)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
	       ((u >> 1) & 15) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

uint32_t rvgen_enc_j(int32_t off, unsigned rd)
{
	uint32_t u = (uint32_t)off;
	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

static unsigned rd_reg(void)
{
	return 1 + rvgen_rand_n(29); /* x1..x29: x30 counts loops, x31 is the base */
}

static unsigned rs_reg(void)
{
	return rvgen_rand_n(32);
}

/* OP and OP-32 (funct7, funct3) pairs that are valid encodings. */
static const uint16_t op_pairs[] = {
    0x000, 0x001, 0x002, 0x003, 0x004, 0x005, 0x006, 0x007, 0x100, 0x105, 0x104, 0x106,
    0x107, 0x008, 0x009, 0x00a, 0x00b, 0x00c, 0x00d, 0x00e, 0x00f, 0x02c, 0x02d, 0x02e,
    0x02f, 0x082, 0x084, 0x086, 0x181, 0x185, 0x0a1, 0x121, 0x125, 0x1a1,
};
static const uint16_t op32_pairs[] = {
    0x000, 0x001, 0x005, 0x100, 0x105, 0x008, 0x00c, 0x00d,
    0x00e, 0x00f, 0x181, 0x185, 0x020, 0x082, 0x084, 0x086,
};

static uint32_t gen_op_imm(void)
{
	static const unsigned unary[] = {0x600, 0x601, 0x602, 0x604, 0x605};
	unsigned rd = rd_reg(), rs1 = rs_reg(), sh = rvgen_rand_n(64);

	switch (rvgen_rand_n(12)) {
	case 0:
		return rvgen_enc_i(0x280 | sh, rs1, 1, rd, 0x13); /* bseti */
	case 1:
		return rvgen_enc_i(0x480 | sh, rs1, 1, rd, 0x13); /* bclri */
	case 2:
		return rvgen_enc_i(0x680 | sh, rs1, 1, rd, 0x13); /* binvi */
	case 3:
		return rvgen_enc_i(0x480 | sh, rs1, 5, rd, 0x13); /* bexti */
	case 4:
		return rvgen_enc_i(0x600 | sh, rs1, 5, rd, 0x13); /* rori */
	case 5:
		return rvgen_enc_i(unary[rvgen_rand_n(5)], rs1, 1, rd, 0x13);
	case 6:
		return rvgen_enc_i(rvgen_rand_n(2) ? 0x287 : 0x6b8, rs1, 5, rd,
				   0x13); /* orc.b, rev8 */
	case 7:
		return rvgen_enc_i(sh, rs1, 1, rd, 0x13); /* slli */
	case 8:
		return rvgen_enc_i((rvgen_rand_n(2) ? 0x400 : 0) | sh, rs1, 5, rd,
				   0x13); /* srli/srai */
	default: {
		static const unsigned f3s[] = {0, 2, 3, 4, 6, 7};
		return rvgen_enc_i((uint32_t)rvgen_rand(), rs1, f3s[rvgen_rand_n(6)], rd, 0x13);
	}
	}
}

static uint32_t gen_op_imm_32(void)
{
	unsigned rd = rd_reg(), rs1 = rs_reg(), sh = rvgen_rand_n(32);

	switch (rvgen_rand_n(7)) {
	case 0:
		return rvgen_enc_i(sh, rs1, 1, rd, 0x1b);
	case 1:
		return rvgen_enc_i(sh, rs1, 5, rd, 0x1b);
	case 2:
		return rvgen_enc_i(0x400 | sh, rs1, 5, rd, 0x1b);
	case 3:
		return rvgen_enc_i(0x600 | sh, rs1, 5, rd, 0x1b); /* roriw */
	case 4: {						  /* clzw ctzw cpopw */
		unsigned op = rvgen_rand_n(3);
		if (op == 1 && rvgen_no_ctzw)
			op = 2;
		return rvgen_enc_i(0x600 | op, rs1, 1, rd, 0x1b);
	}
	case 5:
		return rvgen_enc_i(0x080 | rvgen_rand_n(64), rs1, 1, rd, 0x1b); /* slli.uw */
	default:
		return rvgen_enc_i((uint32_t)rvgen_rand(), rs1, 0, rd, 0x1b); /* addiw */
	}
}

static uint32_t gen_mem(void)
{
	static const unsigned ld_f3[] = {0, 1, 2, 3, 4, 5, 6};
	uint32_t off = rvgen_rand_n(RVGEN_SCRATCH_LEN / 2 - 8);

	if (rvgen_rand_n(8) == 0) { /* an AMO or LR/SC pair half, naturally aligned */
		static const unsigned f5[] = {0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c};
		unsigned f3 = 2 + rvgen_rand_n(2);
		/* rs1 must hold an aligned address: base + 0 (x31) is aligned. */
		return rvgen_enc_r(f5[rvgen_rand_n(9)] << 2, rs_reg(), RVGEN_BASE_REG, f3, rd_reg(),
				   0x2f);
	}
	if (rvgen_rand_n(2))
		return rvgen_enc_i(off, RVGEN_BASE_REG, ld_f3[rvgen_rand_n(7)], rd_reg(), 0x03);
	return rvgen_enc_s(off, rs_reg(), RVGEN_BASE_REG, rvgen_rand_n(4));
}

/* A random compressed ALU instruction (expanded by the frontend). */
static uint16_t gen_c(void)
{
	unsigned rd = rd_reg(), rs = 1 + rvgen_rand_n(31), imm = rvgen_rand_n(64);
	unsigned crd = rvgen_rand_n(8), crs = rvgen_rand_n(8);
	uint16_t hi_imm = (uint16_t)((imm >> 5) << 12 | (imm & 31) << 2);

	switch (rvgen_rand_n(8)) {
	case 0:
		return (uint16_t)(0x0001 | hi_imm | rd << 7); /* c.addi */
	case 1:
		return (uint16_t)(0x4001 | hi_imm | rd << 7); /* c.li */
	case 2:
		return (uint16_t)(0x2001 | hi_imm | rd << 7); /* c.addiw */
	case 3:
		return (uint16_t)(0x0002 | hi_imm | rd << 7); /* c.slli */
	case 4:
		return (uint16_t)(0x8001 | hi_imm | rvgen_rand_n(3) << 10 |
				  crd << 7); /* srli srai andi */
	case 5: {			     /* c.sub c.xor c.or c.and; c.subw c.addw */
		unsigned w = rvgen_rand_n(2);
		return (uint16_t)(0x8c01 | w << 12 | rvgen_rand_n(w ? 2 : 4) << 5 | crd << 7 |
				  crs << 2);
	}
	case 6:
		return (uint16_t)(0x8002 | rd << 7 | rs << 2); /* c.mv */
	default:
		return (uint16_t)(0x9002 | rd << 7 | rs << 2); /* c.add */
	}
}

enum item_kind {
	IT_32,
	IT_16,
	IT_BRANCH,     /* forward conditional branch */
	IT_JAL,	       /* forward jal */
	IT_JALR,       /* auipc t, 0; jalr rd, off(t): a forward indirect jump */
	IT_LOOP_START, /* addi x30, x0, n */
	IT_LOOP_END,   /* addi x30, x30, -1; bne x30, x0, <first body item> */
};

struct item {
	enum item_kind kind;
	uint32_t insn;
	unsigned skip; /* branches/jumps: items skipped */
	int loop;      /* index of the LOOP_START whose body holds this item, or -1 */
	uint64_t off;  /* byte offset in the sequence */
};

static unsigned item_size(enum item_kind k)
{
	return k == IT_16 ? 2 : (k == IT_JALR || k == IT_LOOP_END) ? 8 : 4;
}

/* One straight-line or forward-jumping item. */
static struct item gen_item(void)
{
	static const unsigned bf3[] = {0, 1, 4, 5, 6, 7};
	unsigned k = rvgen_rand_n(21);
	struct item it = {.kind = IT_32};

	if (k < 5) {
		uint16_t p = op_pairs[rvgen_rand_n(sizeof(op_pairs) / 2)];
		it.insn = rvgen_enc_r(p >> 3, rs_reg(), rs_reg(), p & 7, rd_reg(), 0x33);
	} else if (k < 7) {
		uint16_t p = op32_pairs[rvgen_rand_n(sizeof(op32_pairs) / 2)];
		unsigned rs2 = p == 0x020 && rvgen_rand_n(2) ? 0 : rs_reg();
		unsigned f3 = (p & 7);
		if (p == 0x020 && rs2 == 0 && rvgen_rand_n(2))
			f3 = 4; /* zext.h */
		it.insn = rvgen_enc_r(p >> 3, rs2, rs_reg(), f3, rd_reg(), 0x3b);
	} else if (k < 10) {
		it.insn = gen_op_imm();
	} else if (k < 11) {
		it.insn = gen_op_imm_32();
	} else if (k < 12) {
		it.insn = (uint32_t)(rvgen_rand() & 0xfffff000) | rd_reg() << 7 |
			  (rvgen_rand_n(2) ? 0x37 : 0x17);
	} else if (k < 15) {
		it.insn = gen_mem();
	} else if (k < 17) {
		it = (struct item){.kind = IT_16, .insn = gen_c()};
	} else if (k < 19) {
		it = (struct item){.kind = IT_BRANCH,
				   .insn = enc_b(0, rs_reg(), rs_reg(), bf3[rvgen_rand_n(6)]),
				   .skip = 1 + rvgen_rand_n(4)};
	} else if (k < 20) {
		it = (struct item){.kind = IT_JAL,
				   .insn = rvgen_enc_j(0, rvgen_rand_n(2) ? rd_reg() : 0),
				   .skip = 1 + rvgen_rand_n(3)};
	} else {
		/* insn holds rd (bits 11:7) and the scratch register t (bits 19:15). */
		it = (struct item){.kind = IT_JALR,
				   .insn = (rvgen_rand_n(2) ? rd_reg() : 0) << 7 | rd_reg() << 15,
				   .skip = 1 + rvgen_rand_n(3)};
	}
	it.loop = -1;
	return it;
}

/* Lay out items [0, n) with loops: each LOOP_START opens a body of 1..8 items. */
static unsigned gen_items(struct item *it, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		if (i + 4 <= n && rvgen_rand_n(12) == 0) {
			unsigned body = 1 + rvgen_rand_n(MIN_U(8, n - i - 2));
			unsigned start = i;

			it[i++] = (struct item){
			    .kind = IT_LOOP_START,
			    .insn = rvgen_enc_i(1 + rvgen_rand_n(4), 0, 0, RVGEN_LOOP_REG, 0x13),
			    .loop = -1};
			for (unsigned b = 0; b < body; b++) {
				it[i] = gen_item();
				it[i++].loop = (int)start;
			}
			it[i] =
			    (struct item){.kind = IT_LOOP_END, .skip = start, .loop = (int)start};
			i++;
			continue;
		}
		it[i++] = gen_item();
	}
	return i;
}

/*
 * Where item @i's forward jump lands: @skip items on, but never into a
 * loop body from outside (its counter would not be set): then at the loop
 * start instead. Returns an item index, or @n for the end.
 */
static unsigned jump_target(const struct item *it, unsigned n, unsigned i)
{
	unsigned t = i + 1 + it[i].skip;

	if (t >= n)
		return n;
	if (it[t].loop >= 0 && it[t].loop != it[i].loop)
		return (unsigned)it[t].loop;
	return t;
}

static void put(uint8_t *code, uint64_t off, uint32_t w)
{
	memcpy(code + off, &w, 4);
}

size_t rvgen_sequence(uint8_t *code)
{
	struct item it[RVGEN_MAX_ITEMS];
	unsigned n = gen_items(it, 8 + rvgen_rand_n(RVGEN_MAX_ITEMS / 2 - 8)), i;
	uint64_t off = 0, end;

	for (i = 0; i < n; i++) {
		it[i].off = off;
		off += item_size(it[i].kind);
	}
	end = off;
	for (i = 0; i < n; i++) {
		unsigned t = it[i].skip ? jump_target(it, n, i) : 0;
		uint64_t tgt = t < n ? it[t].off : end;
		int32_t d = (int32_t)(tgt - it[i].off);
		uint32_t w = it[i].insn;

		switch (it[i].kind) {
		case IT_16:
			memcpy(code + it[i].off, &w, 2);
			break;
		case IT_BRANCH:
			put(code, it[i].off,
			    enc_b(d, (w >> 20) & 31, (w >> 15) & 31, (w >> 12) & 7));
			break;
		case IT_JAL:
			put(code, it[i].off, rvgen_enc_j(d, (w >> 7) & 31));
			break;
		case IT_JALR: {
			unsigned rd = (w >> 7) & 31, tr = (w >> 15) & 31;
			put(code, it[i].off, tr << 7 | 0x17); /* auipc tr, 0 */
			/* jalr rd, d(tr); an odd offset checks that bit 0 is cleared */
			put(code, it[i].off + 4,
			    rvgen_enc_i((uint32_t)d | rvgen_rand_n(2), tr, 0, rd, 0x67));
			break;
		}
		case IT_LOOP_END: {
			uint64_t body = it[it[i].skip + 1].off;
			put(code, it[i].off,
			    rvgen_enc_i((uint32_t)-1, RVGEN_LOOP_REG, 0, RVGEN_LOOP_REG, 0x13));
			put(code, it[i].off + 4,
			    enc_b((int32_t)(body - (it[i].off + 4)), 0, RVGEN_LOOP_REG, 1));
			break;
		}
		default:
			put(code, it[i].off, w);
			break;
		}
	}
	/*
	 * The end: block-by-block runners stop when the pc gets here; a
	 * free-running one halts on the wfi (mie = 0 keeps it halted).
	 */
	put(code, end, 0x10500073);
	put(code, end + 4, rvgen_enc_j(0, 0));
	return (size_t)end;
}

static const uint64_t interesting[] = {
    0,		1,	    2,		0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
    0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000, 0x100000000,	63,
    64,		31,	    32,
};

void rvgen_regs(uint64_t regs[32])
{
	for (unsigned r = 0; r < 32; r++)
		regs[r] = rvgen_rand_n(3) ? rvgen_rand()
					  : interesting[rvgen_rand_n(sizeof(interesting) / 8)];
	regs[0] = 0;
}
