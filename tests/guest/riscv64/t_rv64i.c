/* RV64I: arithmetic, shifts, compares, branches, jumps, lui/auipc, loads and stores. */
#include "rvtest.h"

#define BR(insn, a, b)                                                                             \
	({                                                                                         \
		uint64_t t_;                                                                       \
		__asm__ volatile("li %0, 1\n\t" insn " %1, %2, 1f\n\t"                             \
				 "li %0, 0\n"                                                      \
				 "1:"                                                              \
				 : "=&r"(t_)                                                       \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                        \
		t_;                                                                                \
	})

static void test_arith(void)
{
	CHECK_EQ(OP_RR("add", 0x7fffffffffffffff, 1), 0x8000000000000000);
	CHECK_EQ(OP_RR("add", -1, 1), 0);
	CHECK_EQ(OP_RR("sub", 0, 1), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("sub", 0x8000000000000000, 1), 0x7fffffffffffffff);
	CHECK_EQ(OP_RI("addi", 5, -6), 0xffffffffffffffff);
	CHECK_EQ(OP_RI("addi", 0, 2047), 2047);
	CHECK_EQ(OP_RI("addi", 0, -2048), (uint64_t)-2048);
	CHECK_EQ(OP_RR("addw", 0x7fffffff, 1), 0xffffffff80000000);
	CHECK_EQ(OP_RR("addw", 0xffffffff00000001, 0x00000000ffffffff), 0);
	CHECK_EQ(OP_RR("subw", 0x80000000, 1), 0x7fffffff);
	CHECK_EQ(OP_RR("subw", 0, 1), 0xffffffffffffffff);
	CHECK_EQ(OP_RI("addiw", 0x123456789, 0), 0x23456789);
	CHECK_EQ(OP_RI("addiw", 0x7fffffff, 1), 0xffffffff80000000);
	CHECK_EQ(OP_RI("addiw", 0xfffffffff0000000, -1), 0xffffffffefffffff);
	CHECK_EQ(OP_RR("and", 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0), 0x0f000f000f000f00);
	CHECK_EQ(OP_RR("or", 0xff00000000000000, 0xf), 0xff0000000000000f);
	CHECK_EQ(OP_RR("xor", 0xffff, 0xff0f), 0xf0);
	CHECK_EQ(OP_RI("andi", 0x123456789abcdef0, -16), 0x123456789abcdef0);
	CHECK_EQ(OP_RI("andi", 0x123456789abcdef0, 0x7ff), 0x6f0);
	CHECK_EQ(OP_RI("ori", 0, -1), 0xffffffffffffffff);
	CHECK_EQ(OP_RI("ori", 0x1000, 0x7ff), 0x17ff);
	CHECK_EQ(OP_RI("xori", 0x5555, -1), 0xffffffffffffaaaa);
}

static void test_shifts(void)
{
	uint64_t v = 0x8000000080000001;
	CHECK_EQ(OP_RR("sll", v, 0), v);
	CHECK_EQ(OP_RR("sll", v, 31), 0x4000000080000000);
	CHECK_EQ(OP_RR("sll", v, 32), 0x8000000100000000);
	CHECK_EQ(OP_RR("sll", v, 63), 0x8000000000000000);
	CHECK_EQ(OP_RR("sll", v, 64), v); /* shamt is rs2[5:0] */
	CHECK_EQ(OP_RR("sll", v, 0x41), 0x0000000100000002);
	CHECK_EQ(OP_RR("srl", v, 0), v);
	CHECK_EQ(OP_RR("srl", v, 31), 0x100000001);
	CHECK_EQ(OP_RR("srl", v, 32), 0x80000000);
	CHECK_EQ(OP_RR("srl", v, 63), 1);
	CHECK_EQ(OP_RR("srl", v, -1), 1);
	CHECK_EQ(OP_RR("sra", v, 0), v);
	CHECK_EQ(OP_RR("sra", v, 31), 0xffffffff00000001);
	CHECK_EQ(OP_RR("sra", v, 32), 0xffffffff80000000);
	CHECK_EQ(OP_RR("sra", v, 63), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("sra", 0x4000000000000000, 63), 0);
	CHECK_EQ(OP_RI("slli", v, 0), v);
	CHECK_EQ(OP_RI("slli", v, 31), 0x4000000080000000);
	CHECK_EQ(OP_RI("slli", v, 32), 0x8000000100000000);
	CHECK_EQ(OP_RI("slli", v, 63), 0x8000000000000000);
	CHECK_EQ(OP_RI("srli", v, 0), v);
	CHECK_EQ(OP_RI("srli", v, 32), 0x80000000);
	CHECK_EQ(OP_RI("srli", v, 63), 1);
	CHECK_EQ(OP_RI("srai", v, 0), v);
	CHECK_EQ(OP_RI("srai", v, 32), 0xffffffff80000000);
	CHECK_EQ(OP_RI("srai", v, 63), 0xffffffffffffffff);
	/* W forms: operate on the low 32 bits, shamt is rs2[4:0], result sign-extended. */
	CHECK_EQ(OP_RR("sllw", 0x1, 31), 0xffffffff80000000);
	CHECK_EQ(OP_RR("sllw", 0xffffffff00000003, 0), 3);
	CHECK_EQ(OP_RR("sllw", 0x3, 32), 3);
	CHECK_EQ(OP_RR("sllw", 0x3, 33), 6);
	CHECK_EQ(OP_RR("srlw", 0xffffffff80000000, 31), 1);
	CHECK_EQ(OP_RR("srlw", 0x80000000, 0), 0xffffffff80000000);
	CHECK_EQ(OP_RR("srlw", 0x80000000, 32), 0xffffffff80000000);
	CHECK_EQ(OP_RR("srlw", 0x80000000, 1), 0x40000000);
	CHECK_EQ(OP_RR("sraw", 0x80000000, 31), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("sraw", 0x80000000, 32), 0xffffffff80000000);
	CHECK_EQ(OP_RR("sraw", 0x00000000f0000000, 4), 0xffffffffff000000);
	CHECK_EQ(OP_RR("sraw", 0xffffffff70000000, 4), 0x07000000);
	CHECK_EQ(OP_RI("slliw", 0x1, 31), 0xffffffff80000000);
	CHECK_EQ(OP_RI("slliw", 0x123456789, 0), 0x23456789);
	CHECK_EQ(OP_RI("srliw", 0x80000000, 0), 0xffffffff80000000);
	CHECK_EQ(OP_RI("srliw", 0xffffffff80000000, 31), 1);
	CHECK_EQ(OP_RI("sraiw", 0x80000000, 31), 0xffffffffffffffff);
	CHECK_EQ(OP_RI("sraiw", 0x180000000, 0), 0xffffffff80000000);
}

static void test_compares(void)
{
	CHECK_EQ(OP_RR("slt", -1, 0), 1);
	CHECK_EQ(OP_RR("slt", 0, -1), 0);
	CHECK_EQ(OP_RR("slt", 5, 5), 0);
	CHECK_EQ(OP_RR("sltu", -1, 0), 0);
	CHECK_EQ(OP_RR("sltu", 0, -1), 1);
	CHECK_EQ(OP_RI("slti", -5, -4), 1);
	CHECK_EQ(OP_RI("slti", 0x8000000000000000, 0), 1);
	CHECK_EQ(OP_RI("slti", 3, 3), 0);
	CHECK_EQ(OP_RI("sltiu", 0xfffffffffffffffe, -1),
		 1);			   /* imm sign-extended, compared unsigned */
	CHECK_EQ(OP_RI("sltiu", 0, 1), 1); /* seqz */
	CHECK_EQ(OP_RI("sltiu", 7, 1), 0);
	CHECK_EQ(OP_RR("sltu", 0, 7), 1); /* snez */
}

/* BR() is 1 when the branch is taken. */
static void test_branches(void)
{
	CHECK_EQ(BR("beq", 3, 3), 1);
	CHECK_EQ(BR("beq", 3, 4), 0);
	CHECK_EQ(BR("bne", 3, 4), 1);
	CHECK_EQ(BR("bne", -1, -1), 0);
	CHECK_EQ(BR("blt", -1, 0), 1);
	CHECK_EQ(BR("blt", 0, -1), 0);
	CHECK_EQ(BR("blt", 2, 2), 0);
	CHECK_EQ(BR("bge", 2, 2), 1);
	CHECK_EQ(BR("bge", -1, 0), 0);
	CHECK_EQ(BR("bge", 0x7fffffffffffffff, 0x8000000000000000), 1);
	CHECK_EQ(BR("bltu", 0, -1), 1);
	CHECK_EQ(BR("bltu", -1, 0), 0);
	CHECK_EQ(BR("bgeu", -1, 0), 1);
	CHECK_EQ(BR("bgeu", 0, -1), 0);
	CHECK_EQ(BR("bgeu", 9, 9), 1);

	/* A backward loop. */
	uint64_t n;
	__asm__ volatile("li %0, 0\n\tli t0, 100\n"
			 "1:\taddi %0, %0, 3\n\taddi t0, t0, -1\n\tbnez t0, 1b"
			 : "=&r"(n)
			 :
			 : "t0");
	CHECK_EQ(n, 300);
}

static void test_jumps(void)
{
	uint64_t link, where, r;

	/* jal links pc+4. */
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "jal %0, 1f\n\tnop\n1:\tla %1, 1b - 4\n\t"
			 ".option pop"
			 : "=&r"(link), "=&r"(where));
	CHECK_EQ(link, where);

	/* jalr clears bit 0 of the target (unpriv spec §2.5.1). */
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "la t0, 1f\n\taddi t0, t0, 1\n\tli %0, 5\n\t"
			 "jalr t1, 0(t0)\n\tli %0, 7\n"
			 "1:\taddi %0, %0, 1\n\t"
			 ".option pop"
			 : "=&r"(r)
			 :
			 : "t0", "t1");
	CHECK_EQ(r, 6);

	/* jalr with an offset, odd after the add, and rd == rs1: the link is pc+4. */
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "la t0, 2f\n\taddi t0, t0, -3\n\tli %0, 0\n\t"
			 "jalr t0, 4(t0)\n\tli %0, 99\n"
			 "2:\tla %1, 2b - 4\n\tmv %2, t0\n\t"
			 ".option pop"
			 : "=&r"(r), "=&r"(where), "=&r"(link)
			 :
			 : "t0");
	CHECK_EQ(r, 0);
	CHECK_EQ(link, where);

	/* A real call through jalr with a negative offset. */
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "j 2f\n"
			 "1:\tli %0, 42\n\tret\n"
			 "2:\tla t0, 1b + 16\n\tjalr ra, -16(t0)\n\t"
			 ".option pop"
			 : "=&r"(r)
			 :
			 : "t0", "ra");
	CHECK_EQ(r, 42);
}

static void test_lui_auipc(void)
{
	uint64_t r, a, b;
	__asm__ volatile("lui %0, 0x80000" : "=r"(r));
	CHECK_EQ(r, 0xffffffff80000000);
	__asm__ volatile("lui %0, 0x7ffff" : "=r"(r));
	CHECK_EQ(r, 0x7ffff000);
	__asm__ volatile("lui %0, 0xfffff" : "=r"(r));
	CHECK_EQ(r, 0xfffffffffffff000);
	__asm__ volatile("1:\tauipc %0, 0\n\tlla %1, 1b" : "=&r"(a), "=&r"(b));
	CHECK_EQ(a, b);
	__asm__ volatile("1:\tauipc %0, 0xfffff\n\tlla %1, 1b" : "=&r"(a), "=&r"(b));
	CHECK_EQ(a, b - 0x1000);
	__asm__ volatile("1:\tauipc %0, 1\n\tlla %1, 1b" : "=&r"(a), "=&r"(b));
	CHECK_EQ(a, b + 0x1000);
}

static uint64_t buf[4] __attribute__((aligned(16)));

#define LOAD(insn, p, off)                                                                         \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, " #off "(%1)" : "=r"(r_) : "r"(p) : "memory");         \
		r_;                                                                                \
	})
#define STORE(insn, v, p, off)                                                                     \
	__asm__ volatile(insn " %0, " #off "(%1)" ::"r"((uint64_t)(v)), "r"(p) : "memory")

static void test_loads_stores(void)
{
	uint8_t *p = (uint8_t *)buf;

	buf[0] = 0x8081828384858687;
	buf[1] = 0x7071727374757677;
	CHECK_EQ(LOAD("lb", p, 0), 0xffffffffffffff87);
	CHECK_EQ(LOAD("lbu", p, 0), 0x87);
	CHECK_EQ(LOAD("lb", p, 8), 0x77);
	CHECK_EQ(LOAD("lh", p, 6), 0xffffffffffff8081);
	CHECK_EQ(LOAD("lhu", p, 6), 0x8081);
	CHECK_EQ(LOAD("lh", p, 14), 0x7071);
	CHECK_EQ(LOAD("lw", p, 4), 0xffffffff80818283);
	CHECK_EQ(LOAD("lwu", p, 4), 0x80818283);
	CHECK_EQ(LOAD("lw", p, 12), 0x70717273);
	CHECK_EQ(LOAD("ld", p, 0), 0x8081828384858687);
	CHECK_EQ(LOAD("ld", p + 16, -8), 0x7071727374757677);
	CHECK_EQ(LOAD("lbu", p + 16, -1), 0x70);

	STORE("sb", 0x1234567890abcdef, p, 0);
	CHECK_EQ(buf[0], 0x80818283848586ef);
	STORE("sh", 0x1234567890abcdef, p, 2);
	CHECK_EQ(buf[0], 0x80818283cdef86ef);
	STORE("sw", 0x1234567890abcdef, p, 4);
	CHECK_EQ(buf[0], 0x90abcdefcdef86ef);
	STORE("sd", 0x1122334455667788, p, 8);
	CHECK_EQ(buf[1], 0x1122334455667788);
	STORE("sb", 0xaa, p + 16, -1);
	CHECK_EQ(buf[1], 0xaa22334455667788);
	CHECK_EQ(buf[2], 0);
}

static void test_x0(void)
{
	uint64_t r;
	__asm__ volatile("li t0, 5\n\taddi x0, t0, 1\n\tadd x0, t0, t0\n\tmv %0, x0"
			 : "=r"(r)
			 :
			 : "t0");
	CHECK_EQ(r, 0);
	__asm__ volatile("lui x0, 0x12345\n\tauipc x0, 1\n\tjal x0, 1f\n1:\tmv %0, zero" : "=r"(r));
	CHECK_EQ(r, 0);
	/* A load into x0 still performs the access but leaves x0 zero. */
	buf[3] = 77;
	__asm__ volatile("ld x0, 0(%1)\n\tadd %0, x0, x0" : "=r"(r) : "r"(&buf[3]));
	CHECK_EQ(r, 0);
}

int main(void)
{
	test_arith();
	test_shifts();
	test_compares();
	test_branches();
	test_jumps();
	test_lui_auipc();
	test_loads_stores();
	test_x0();
	return 0;
}
