/* C: the compressed forms, each at the edges of its immediate range (unpriv spec §16). */
#include "rvtest.h"

/* Run one compressed instruction on a0 (in: @x), result a0. */
#define C1(insn, x)                                                                                \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("mv a0, %1\n\t" insn "\n\tmv %0, a0"                              \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(x))                                              \
				 : "a0");                                                          \
		r_;                                                                                \
	})
/* Two-register forms on a0 (rd/rs1) and a1 (rs2). */
#define C2(insn, x, y)                                                                             \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile("mv a0, %1\n\tmv a1, %2\n\t" insn "\n\tmv %0, a0"                 \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(x)), "r"((uint64_t)(y))                          \
				 : "a0", "a1");                                                    \
		r_;                                                                                \
	})

static void test_alu(void)
{
	CHECK_EQ(C1("c.li a0, -32", 7), (uint64_t)-32);
	CHECK_EQ(C1("c.li a0, 31", 7), 31);
	CHECK_EQ(C1("c.lui a0, 1", 7), 0x1000);
	CHECK_EQ(C1("c.lui a0, 0x1f", 7), 0x1f000);
	CHECK_EQ(C1("c.lui a0, 0xfffe0", 7), 0xfffffffffffe0000);
	CHECK_EQ(C1("c.lui a0, 0xfffff", 7), 0xfffffffffffff000);
	CHECK_EQ(C1("c.addi a0, -32", 0), (uint64_t)-32);
	CHECK_EQ(C1("c.addi a0, 31", 1), 32);
	CHECK_EQ(C1("c.addiw a0, 1", 0x7fffffff), 0xffffffff80000000);
	CHECK_EQ(C1("c.addiw a0, 0", 0x1234567880000000), 0xffffffff80000000); /* sext.w */
	CHECK_EQ(C1("c.addiw a0, -32", 0x100000000), (uint64_t)-32);
	CHECK_EQ(C1("c.slli a0, 1", 0x8000000000000001), 2);
	CHECK_EQ(C1("c.slli a0, 32", 0x80000001), 0x8000000100000000);
	CHECK_EQ(C1("c.slli a0, 63", 3), 0x8000000000000000);
	CHECK_EQ(C1("c.srli a0, 63", 0x8000000000000000), 1);
	CHECK_EQ(C1("c.srli a0, 32", 0xffffffff00000000), 0xffffffff);
	CHECK_EQ(C1("c.srai a0, 63", 0x8000000000000000), 0xffffffffffffffff);
	CHECK_EQ(C1("c.srai a0, 1", 0x8000000000000000), 0xc000000000000000);
	CHECK_EQ(C1("c.srai a0, 32", 0x8000000000000000), 0xffffffff80000000);
	CHECK_EQ(C1("c.andi a0, -32", 0xffff), 0xffe0);
	CHECK_EQ(C1("c.andi a0, 31", 0xffff), 0x1f);
	CHECK_EQ(C1("c.andi a0, 0", 0xffff), 0);
	CHECK_EQ(C2("c.mv a0, a1", 1, 0x8000000000000000), 0x8000000000000000);
	CHECK_EQ(C2("c.add a0, a1", 0xffffffffffffffff, 2), 1);
	CHECK_EQ(C2("c.sub a0, a1", 1, 2), 0xffffffffffffffff);
	CHECK_EQ(C2("c.xor a0, a1", 0xff00, 0x0ff0), 0xf0f0);
	CHECK_EQ(C2("c.or a0, a1", 0xff00, 0x0ff0), 0xfff0);
	CHECK_EQ(C2("c.and a0, a1", 0xff00, 0x0ff0), 0x0f00);
	CHECK_EQ(C2("c.addw a0, a1", 0x7fffffff, 1), 0xffffffff80000000);
	CHECK_EQ(C2("c.subw a0, a1", 0x80000000, 1), 0x7fffffff);
	CHECK_EQ(C2("c.subw a0, a1", 0, 1), 0xffffffffffffffff);
	CHECK_EQ(C1("c.nop", 5), 5);
}

static uint64_t mem[64] __attribute__((aligned(16)));

static void test_mem(void)
{
	uint64_t r;
	for (int i = 0; i < 64; i++)
		mem[i] = 0x0101010101010101ULL * (uint64_t)i;
	mem[15] = 0x800000000f0f0f0f;
	mem[31] = 0x80000000fedcba98;
	/* c.lw: offset up to 124; c.ld: up to 248 (x8-x15 only). */
	__asm__ volatile("mv a1, %1\n\tc.lw a0, 124(a1)\n\tmv %0, a0"
			 : "=r"(r)
			 : "r"(mem)
			 : "a0", "a1");
	CHECK_EQ(r, 0xffffffff80000000);
	__asm__ volatile("mv a1, %1\n\tc.ld a0, 248(a1)\n\tmv %0, a0"
			 : "=r"(r)
			 : "r"(mem)
			 : "a0", "a1");
	CHECK_EQ(r, 0x80000000fedcba98);
	__asm__ volatile("mv a1, %1\n\tc.lw a0, 0(a1)\n\tmv %0, a0"
			 : "=r"(r)
			 : "r"(&mem[3])
			 : "a0", "a1");
	CHECK_EQ(r, 0x03030303);
	__asm__ volatile("mv a1, %0\n\tli a0, -1\n\tc.sw a0, 124(a1)" ::"r"(mem)
			 : "a0", "a1", "memory");
	CHECK_EQ(mem[15], 0xffffffff0f0f0f0f);
	__asm__ volatile("mv a1, %0\n\tli a0, 7\n\tc.sd a0, 248(a1)" ::"r"(mem)
			 : "a0", "a1", "memory");
	CHECK_EQ(mem[31], 7);

	/* sp-relative: c.lwsp up to 252, c.ldsp/c.sdsp up to 504. */
	mem[63] = 0x1122334455667788;
	mem[31] = 0xabcdef0112345678;
	mem[0] = 0x5555555500000000;
	__asm__ volatile("mv t2, sp\n\tmv sp, %1\n\t"
			 "c.ldsp a0, 504(sp)\n\tc.lwsp a1, 252(sp)\n\t"
			 "c.swsp a1, 0(sp)\n\tc.sdsp a0, 8(sp)\n\t"
			 "mv sp, t2\n\tmv %0, a0"
			 : "=r"(r)
			 : "r"(mem)
			 : "a0", "a1", "t2", "memory");
	CHECK_EQ(r, 0x1122334455667788);
	CHECK_EQ(mem[0], 0x55555555abcdef01);
	CHECK_EQ(mem[1], 0x1122334455667788);

	/* c.addi16sp (-512..496) and c.addi4spn (up to 1020). */
	__asm__ volatile("mv t2, sp\n\tli sp, 0x1000\n\t"
			 "c.addi16sp sp, -512\n\tc.addi16sp sp, 496\n\tc.addi4spn a0, sp, 1020\n\t"
			 "mv %0, a0\n\tmv sp, t2"
			 : "=r"(r)
			 :
			 : "a0", "t2");
	CHECK_EQ(r, 0x1000 - 512 + 496 + 1020);
}

static void test_control(void)
{
	uint64_t r, link, where;

	__asm__ volatile("li %0, 0\n\tc.j 1f\n\tli %0, 1\n1:" : "=&r"(r));
	CHECK_EQ(r, 0);
	__asm__ volatile("li %0, 0\n\tli a0, 0\n\tc.beqz a0, 1f\n\tli %0, 1\n1:"
			 : "=&r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 0);
	__asm__ volatile("li %0, 0\n\tli a0, 1\n\tc.beqz a0, 1f\n\tli %0, 1\n1:"
			 : "=&r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 1);
	__asm__ volatile("li %0, 0\n\tli a0, -1\n\tc.bnez a0, 1f\n\tli %0, 1\n1:"
			 : "=&r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 0);
	__asm__ volatile("li %0, 0\n\tli a0, 0\n\tc.bnez a0, 1f\n\tli %0, 1\n1:"
			 : "=&r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 1);
	/* c.jr / c.jalr; c.jalr links pc + 2. */
	__asm__ volatile("li %0, 0\n\tla a0, 1f\n\tc.jr a0\n\tli %0, 1\n1:" : "=&r"(r) : : "a0");
	CHECK_EQ(r, 0);
	__asm__ volatile("la a0, 1f\n\tc.jalr a0\n"
			 "2:\tnop\n1:\tmv %0, ra\n\tla %1, 2b"
			 : "=&r"(link), "=&r"(where)
			 :
			 : "a0", "ra");
	CHECK_EQ(link, where);
	/* A backward c.bnez loop. */
	__asm__ volatile("li %0, 0\n\tli a0, 10\n1:\tc.addi %0, 2\n\tc.addi a0, -1\n\tc.bnez a0, 1b"
			 : "=&r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 20);
}

/* Mixed 16/32-bit code with a 32-bit instruction straddling a 4-byte boundary. */
static void test_mixed(void)
{
	uint64_t r;
	__asm__ volatile(".balign 4\n\tc.li a0, 1\n\t"
			 ".option push\n\t.option norvc\n\t"
			 "addi a0, a0, 100\n\tslli a0, a0, 1\n\t"
			 ".option pop\n\t"
			 "c.addi a0, 1\n\tmv %0, a0"
			 : "=r"(r)
			 :
			 : "a0");
	CHECK_EQ(r, 203);
}

int main(void)
{
	test_alu();
	test_mem();
	test_control();
	test_mixed();
	return 0;
}
