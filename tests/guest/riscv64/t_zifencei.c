/* Zifencei: code written by the program runs after fence.i, never a stale translation. */
#include "rvtest.h"

static uint32_t code[4] __attribute__((aligned(16)));

/* addi a0, a0, imm  (I-type: imm[11:0] rs1=a0 funct3=0 rd=a0 opcode=0x13) */
static uint32_t enc_addi_a0(int imm)
{
	return ((uint32_t)imm << 20) | (10u << 15) | (10u << 7) | 0x13;
}

static uint64_t call_code(uint64_t x)
{
	uint64_t (*fn)(uint64_t) = (uint64_t(*)(uint64_t))(uintptr_t)code;
	return fn(x);
}

static void test_rewrite_function(void)
{
	code[1] = 0x00008067; /* jalr x0, 0(ra) */
	for (int i = 0; i < 64; i++) {
		code[0] = enc_addi_a0(i * 3 - 50);
		__asm__ volatile("fence.i" ::: "memory");
		CHECK_EQ(call_code(1000), (uint64_t)(1000 + i * 3 - 50));
		/* Run it twice: the second run may come from a translation cache. */
		CHECK_EQ(call_code(7), (uint64_t)(7 + i * 3 - 50));
	}
}

/* Patch the very next instruction of the running block. */
static void test_patch_next(void)
{
	uint64_t r;
	for (int i = 0; i < 3; i++) {
		__asm__ volatile(".option push\n\t.option norvc\n\t"
				 "lla t0, 1f\n\t"
				 "li t1, 0x02a00513\n\t" /* addi a0, zero, 42 */
				 "sw t1, 0(t0)\n\t"
				 "fence.i\n"
				 "1:\taddi a0, zero, 1\n\t"
				 "mv %0, a0\n\t"
				 "li t1, 0x00100513\n\t" /* restore addi a0, zero, 1 */
				 "sw t1, 0(t0)\n\t"
				 "fence.i\n\t"
				 ".option pop"
				 : "=r"(r)
				 :
				 : "t0", "t1", "a0", "memory");
		CHECK_EQ(r, 42);
	}
}

/* jal x0, off (J-type: imm[20|10:1|11|19:12]) */
static uint32_t enc_j(int32_t off)
{
	uint32_t u = (uint32_t)off;

	return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
	       ((u >> 12) & 0xff) << 12 | 0x6f;
}

static uint32_t code2[4] __attribute__((aligned(16)));

/*
 * A block that jumps backwards to code at a lower address and runs it (the
 * JIT follows such jumps inside one block): rewriting that lower code must
 * still reach the block that starts at the jump.
 */
static void test_followed_jump(void)
{
	uint64_t (*entry)(uint64_t) = (uint64_t(*)(uint64_t))(uintptr_t)&code2[2];

	code2[1] = 0x00008067; /* jalr x0, 0(ra) */
	code2[2] = enc_j(-8);  /* to code2[0] */
	for (int i = 0; i < 16; i++) {
		code2[0] = enc_addi_a0(i * 5 + 1);
		__asm__ volatile("fence.i" ::: "memory");
		CHECK_EQ(entry(100), (uint64_t)(100 + i * 5 + 1));
		CHECK_EQ(entry(3), (uint64_t)(3 + i * 5 + 1));
	}
}

int main(void)
{
	test_rewrite_function();
	test_patch_next();
	test_followed_jump();
	return 0;
}
