/* Zba, Zbb, Zbs: every instruction, incl. zero inputs and shift amounts >= 32. */
#include "rvtest.h"

static void test_zba(void)
{
	CHECK_EQ(OP_RR("add.uw", 0xffffffff80000000, 1), 0x80000001);
	CHECK_EQ(OP_RR("sh1add", 0x8000000000000001, 3), 5);
	CHECK_EQ(OP_RR("sh2add", 2, 1), 9);
	CHECK_EQ(OP_RR("sh3add", -1, 16), 8);
	CHECK_EQ(OP_RR("sh1add.uw", 0xffffffff80000000, 1), 0x100000001);
	CHECK_EQ(OP_RR("sh2add.uw", 0x1234567800000003, 1), 13);
	CHECK_EQ(OP_RR("sh3add.uw", 0xffffffffffffffff, 0), 0x7fffffff8);
	CHECK_EQ(OP_RI("slli.uw", 0xffffffff80000001, 0), 0x80000001);
	CHECK_EQ(OP_RI("slli.uw", 0xffffffff80000001, 32), 0x8000000100000000);
	CHECK_EQ(OP_RI("slli.uw", 0xffffffff80000001, 63), 0x8000000000000000);
	CHECK_EQ(OP_RI("slli.uw", 0xffffffffc0000001, 1), 0x180000002);
	CHECK_EQ(OP_R("zext.w", 0xffffffff80000001), 0x80000001); /* add.uw rd, rs, zero */
}

static void test_zbb_logic(void)
{
	CHECK_EQ(OP_RR("andn", 0xff, 0x0f), 0xf0);
	CHECK_EQ(OP_RR("orn", 0xf0, 0xffffffffffffff0f), 0xf0);
	CHECK_EQ(OP_RR("orn", 0, 0), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("xnor", 0xff, 0x0f), 0xffffffffffffff0f);
}

static void test_zbb_count(void)
{
	CHECK_EQ(OP_R("clz", 0), 64);
	CHECK_EQ(OP_R("clz", 1), 63);
	CHECK_EQ(OP_R("clz", 0x8000000000000000), 0);
	CHECK_EQ(OP_R("clzw", 0), 32);
	CHECK_EQ(OP_R("clzw", 0xffffffff00000001), 31);
	CHECK_EQ(OP_R("clzw", 0x80000000), 0);
	CHECK_EQ(OP_R("ctz", 0), 64);
	CHECK_EQ(OP_R("ctz", 0x8000000000000000), 63);
	CHECK_EQ(OP_R("ctz", 0x10), 4);
	CHECK_EQ(OP_R("ctzw", 0), 32);
	CHECK_EQ(OP_R("ctzw", 0xffffffff00000000), 32);
	CHECK_EQ(OP_R("ctzw", 0x80000000), 31);
	CHECK_EQ(OP_R("cpop", 0), 0);
	CHECK_EQ(OP_R("cpop", 0xffffffffffffffff), 64);
	CHECK_EQ(OP_R("cpop", 0x8000000000000101), 3);
	CHECK_EQ(OP_R("cpopw", 0xffffffff00000000), 0);
	CHECK_EQ(OP_R("cpopw", 0xffffffffffffffff), 32);
}

static void test_zbb_minmax(void)
{
	CHECK_EQ(OP_RR("max", -1, 1), 1);
	CHECK_EQ(OP_RR("max", 0x8000000000000000, 0x7fffffffffffffff), 0x7fffffffffffffff);
	CHECK_EQ(OP_RR("maxu", -1, 1), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("min", -1, 1), 0xffffffffffffffff);
	CHECK_EQ(OP_RR("minu", -1, 1), 1);
	CHECK_EQ(OP_RR("min", 5, 5), 5);
}

static void test_zbb_ext(void)
{
	CHECK_EQ(OP_R("sext.b", 0x1234567880), 0xffffffffffffff80);
	CHECK_EQ(OP_R("sext.b", 0x7f), 0x7f);
	CHECK_EQ(OP_R("sext.h", 0x12348000), 0xffffffffffff8000);
	CHECK_EQ(OP_R("sext.h", 0xffff7fff), 0x7fff);
	CHECK_EQ(OP_R("zext.h", 0xffffffffffff8001), 0x8001);
}

static void test_zbb_rot(void)
{
	uint64_t v = 0x8000000000000001;
	CHECK_EQ(OP_RR("rol", v, 1), 3);
	CHECK_EQ(OP_RR("rol", v, 0), v);
	CHECK_EQ(OP_RR("rol", v, 64), v);
	CHECK_EQ(OP_RR("rol", 0x0123456789abcdef, 36), 0x9abcdef012345678);
	CHECK_EQ(OP_RR("ror", v, 1), 0xc000000000000000);
	CHECK_EQ(OP_RR("ror", 0x0123456789abcdef, 32), 0x89abcdef01234567);
	CHECK_EQ(OP_RR("ror", 0x0123456789abcdef, 68), 0xf0123456789abcde);
	CHECK_EQ(OP_RI("rori", 0x0123456789abcdef, 4), 0xf0123456789abcde);
	CHECK_EQ(OP_RI("rori", 0x0123456789abcdef, 63), 0x02468acf13579bde);
	CHECK_EQ(OP_RI("rori", 0x0123456789abcdef, 0), 0x0123456789abcdef);
	CHECK_EQ(OP_RR("rolw", 0x80000001, 1), 3);
	CHECK_EQ(OP_RR("rolw", 0x40000000, 1), 0xffffffff80000000);
	CHECK_EQ(OP_RR("rolw", 0xffffffff12345678, 32), 0x12345678); /* shamt[4:0] */
	CHECK_EQ(OP_RR("rorw", 0x1, 1), 0xffffffff80000000);
	CHECK_EQ(OP_RR("rorw", 0x12345678, 4), 0xffffffff81234567);
	CHECK_EQ(OP_RI("roriw", 0x12345678, 0), 0x12345678);
	CHECK_EQ(OP_RI("roriw", 0x2, 1), 1);
	CHECK_EQ(OP_RI("roriw", 0x1, 31), 2);
	CHECK_EQ(OP_RI("roriw", 0xffffffff00000001, 1), 0xffffffff80000000);
}

static void test_zbb_bytes(void)
{
	CHECK_EQ(OP_R("orc.b", 0), 0);
	CHECK_EQ(OP_R("orc.b", 0x0100200000800001), 0xff00ff0000ff00ff);
	CHECK_EQ(OP_R("rev8", 0x0123456789abcdef), 0xefcdab8967452301);
	CHECK_EQ(OP_R("rev8", 0xff), 0xff00000000000000);
}

static void test_zbs(void)
{
	CHECK_EQ(OP_RR("bset", 0, 63), 0x8000000000000000);
	CHECK_EQ(OP_RR("bset", 0, 64), 1); /* index is rs2[5:0] */
	CHECK_EQ(OP_RR("bset", 0, 32), 0x100000000);
	CHECK_EQ(OP_RI("bseti", 0, 32), 0x100000000);
	CHECK_EQ(OP_RI("bseti", 1, 63), 0x8000000000000001);
	CHECK_EQ(OP_RR("bclr", -1, 63), 0x7fffffffffffffff);
	CHECK_EQ(OP_RR("bclr", -1, 33), 0xfffffffdffffffff);
	CHECK_EQ(OP_RI("bclri", -1, 32), 0xfffffffeffffffff);
	CHECK_EQ(OP_RI("bclri", -1, 0), 0xfffffffffffffffe);
	CHECK_EQ(OP_RR("binv", 0, 40), 0x10000000000);
	CHECK_EQ(OP_RR("binv", 0x10000000000, 104), 0);
	CHECK_EQ(OP_RI("binvi", 0x8000000000000000, 63), 0);
	CHECK_EQ(OP_RI("binvi", 0, 31), 0x80000000);
	CHECK_EQ(OP_RR("bext", 0x8000000000000000, 63), 1);
	CHECK_EQ(OP_RR("bext", 0x8000000000000000, 62), 0);
	CHECK_EQ(OP_RR("bext", 0x100000000, 96), 1);
	CHECK_EQ(OP_RI("bexti", 0x100000000, 32), 1);
	CHECK_EQ(OP_RI("bexti", 0x100000000, 31), 0);
}

int main(void)
{
	test_zba();
	test_zbb_logic();
	test_zbb_count();
	test_zbb_minmax();
	test_zbb_ext();
	test_zbb_rot();
	test_zbb_bytes();
	test_zbs();
	return 0;
}
