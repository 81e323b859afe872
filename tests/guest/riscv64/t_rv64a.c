/* A: LR/SC success and failure, every AMO (.w results sign-extended). */
#include "rvtest.h"

static volatile uint64_t mem[4] __attribute__((aligned(16)));

#define AMO(insn, addr, v)                                                                         \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, %2, (%1)"                                              \
				 : "=&r"(r_)                                                       \
				 : "r"(addr), "r"((uint64_t)(v))                                   \
				 : "memory");                                                      \
		r_;                                                                                \
	})

static void test_lr_sc(void)
{
	uint64_t old, fail;

	mem[0] = 0x1111222233334444;
	__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)"
			 : "=&r"(old), "=&r"(fail)
			 : "r"(&mem[0]), "r"(0x5555666677778888ULL)
			 : "memory");
	CHECK_EQ(old, 0x1111222233334444);
	CHECK_EQ(fail, 0);
	CHECK_EQ(mem[0], 0x5555666677778888);

	/* The reservation is gone after an SC: a second SC fails and does not write. */
	__asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(fail) : "r"(&mem[0]), "r"(1ULL) : "memory");
	CHECK(fail != 0);
	CHECK_EQ(mem[0], 0x5555666677778888);

	/* lr.w sign-extends; sc.w stores 32 bits. */
	mem[1] = 0x00000000f0000001;
	__asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)"
			 : "=&r"(old), "=&r"(fail)
			 : "r"(&mem[1]), "r"(0xaaaaaaaa12345678ULL)
			 : "memory");
	CHECK_EQ(old, 0xfffffffff0000001);
	CHECK_EQ(fail, 0);
	CHECK_EQ(mem[1], 0x0000000012345678);

	/* SC to another address than the reserved one fails. */
	mem[2] = 7;
	__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%4)"
			 : "=&r"(old), "=&r"(fail)
			 : "r"(&mem[1]), "r"(9ULL), "r"(&mem[2])
			 : "memory");
	CHECK(fail != 0);
	CHECK_EQ(mem[2], 7);

	/* A retry loop (the usual compare-and-swap). */
	mem[3] = 10;
	for (int i = 0; i < 100; i++) {
		__asm__ volatile("1:\tlr.d t0, (%0)\n\taddi t0, t0, 1\n\tsc.d t1, t0, (%0)\n\t"
				 "bnez t1, 1b"
				 :
				 : "r"(&mem[3])
				 : "t0", "t1", "memory");
	}
	CHECK_EQ(mem[3], 110);
}

static void test_amo_d(void)
{
	volatile uint64_t *p = &mem[0];
	*p = 5;
	CHECK_EQ(AMO("amoswap.d", p, 9), 5);
	CHECK_EQ(*p, 9);
	CHECK_EQ(AMO("amoadd.d", p, -10), 9);
	CHECK_EQ(*p, 0xffffffffffffffff);
	CHECK_EQ(AMO("amoxor.d", p, 0xff), 0xffffffffffffffff);
	CHECK_EQ(*p, 0xffffffffffffff00);
	CHECK_EQ(AMO("amoand.d", p, 0x0ff0), 0xffffffffffffff00);
	CHECK_EQ(*p, 0xf00);
	CHECK_EQ(AMO("amoor.d", p, 0x8000000000000001), 0xf00);
	CHECK_EQ(*p, 0x8000000000000f01);
	CHECK_EQ(AMO("amomin.d", p, 1), 0x8000000000000f01);
	CHECK_EQ(*p, 0x8000000000000f01);
	CHECK_EQ(AMO("amomax.d", p, 1), 0x8000000000000f01);
	CHECK_EQ(*p, 1);
	CHECK_EQ(AMO("amominu.d", p, -1), 1);
	CHECK_EQ(*p, 1);
	CHECK_EQ(AMO("amomaxu.d", p, -1), 1);
	CHECK_EQ(*p, 0xffffffffffffffff);
	CHECK_EQ(AMO("amomin.d", p, -2), 0xffffffffffffffff);
	CHECK_EQ(*p, 0xfffffffffffffffe);
	CHECK_EQ(AMO("amominu.d", p, 3), 0xfffffffffffffffe);
	CHECK_EQ(*p, 3);
	/* rd = x0 still performs the operation. */
	__asm__ volatile("amoadd.d zero, %1, (%0)" ::"r"(p), "r"(4ULL) : "memory");
	CHECK_EQ(*p, 7);
}

static void test_amo_w(void)
{
	volatile uint64_t *p = &mem[1];
	volatile uint32_t *w = (volatile uint32_t *)p;
	*p = 0x1234567880000000; /* the upper word must never change */
	CHECK_EQ(AMO("amoswap.w", w, 0xffffffff00000001), 0xffffffff80000000);
	CHECK_EQ(*p, 0x1234567800000001);
	CHECK_EQ(AMO("amoadd.w", w, 0x7fffffff), 1);
	CHECK_EQ(*p, 0x1234567880000000); /* wraps in 32 bits, no carry out */
	CHECK_EQ(AMO("amoadd.w", w, 0x80000000), 0xffffffff80000000);
	CHECK_EQ(*p, 0x1234567800000000);
	CHECK_EQ(AMO("amoxor.w", w, 0xf000000f), 0);
	CHECK_EQ(*p, 0x12345678f000000f);
	CHECK_EQ(AMO("amoand.w", w, 0xff0000ff), 0xfffffffff000000f);
	CHECK_EQ(*p, 0x12345678f000000f);
	CHECK_EQ(AMO("amoor.w", w, 0x0ff00000), 0xfffffffff000000f);
	CHECK_EQ(*p, 0x12345678fff0000f);
	/* min/max compare the low 32 bits as signed / unsigned words. */
	CHECK_EQ(AMO("amomin.w", w, 0x100000005), 0xfffffffffff0000f);
	CHECK_EQ(*p, 0x12345678fff0000f);
	CHECK_EQ(AMO("amomax.w", w, 0x100000005), 0xfffffffffff0000f);
	CHECK_EQ(*p, 0x1234567800000005);
	CHECK_EQ(AMO("amominu.w", w, 0xfffffff0), 5);
	CHECK_EQ(*p, 0x1234567800000005);
	CHECK_EQ(AMO("amomaxu.w", w, 0xfffffff0), 5);
	CHECK_EQ(*p, 0x12345678fffffff0);
	CHECK_EQ(AMO("amomin.w", w, 0), 0xfffffffffffffff0);
	CHECK_EQ(*p, 0x12345678fffffff0);
	CHECK_EQ(AMO("amominu.w", w, 0), 0xfffffffffffffff0);
	CHECK_EQ(*p, 0x1234567800000000);
	/* The other word of the doubleword. */
	CHECK_EQ(AMO("amoadd.w", w + 1, 1), 0x12345678);
	CHECK_EQ(*p, 0x1234567900000000);
	/* aq/rl bits are accepted. */
	CHECK_EQ(AMO("amoadd.w.aqrl", w, 2), 0);
	CHECK_EQ(AMO("amoswap.d.aq", p, 0), 0x1234567900000002);
	CHECK_EQ(*p, 0);
}

int main(void)
{
	test_lr_sc();
	test_amo_d();
	test_amo_w();
	return 0;
}
