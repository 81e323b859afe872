/* M: multiply, divide, remainder, incl. division by zero and overflow (unpriv spec §13.2 table). */
#include "rvtest.h"

#define MIN64 0x8000000000000000
#define ALL1  0xffffffffffffffff

static void test_mul(void)
{
	CHECK_EQ(OP_RR("mul", 7, -3), (uint64_t)-21);
	CHECK_EQ(OP_RR("mul", 0x100000001, 0x100000001), 0x200000001);
	CHECK_EQ(OP_RR("mulh", -1, -1), 0);
	CHECK_EQ(OP_RR("mulh", MIN64, MIN64), 0x4000000000000000);
	CHECK_EQ(OP_RR("mulh", MIN64, 2), ALL1);
	CHECK_EQ(OP_RR("mulh", 0x7fffffffffffffff, 0x7fffffffffffffff), 0x3fffffffffffffff);
	CHECK_EQ(OP_RR("mulhu", ALL1, ALL1), 0xfffffffffffffffe);
	CHECK_EQ(OP_RR("mulhu", MIN64, 2), 1);
	CHECK_EQ(OP_RR("mulhsu", -1, ALL1), ALL1); /* -1 * (2^64-1) = -(2^64-1) */
	CHECK_EQ(OP_RR("mulhsu", MIN64, ALL1), 0x8000000000000000);
	CHECK_EQ(OP_RR("mulhsu", 2, MIN64), 1);
	CHECK_EQ(OP_RR("mulhsu", -2, 1), ALL1);
	CHECK_EQ(OP_RR("mulw", 0x10000, 0x10000), 0);
	CHECK_EQ(OP_RR("mulw", 0x8000, 0x10000), 0xffffffff80000000);
	CHECK_EQ(OP_RR("mulw", 0xffffffff00000003, 0x1234567800000005), 15);
	CHECK_EQ(OP_RR("mulw", -1, 5), (uint64_t)-5);
}

static void test_div(void)
{
	CHECK_EQ(OP_RR("div", -7, 2), (uint64_t)-3);
	CHECK_EQ(OP_RR("rem", -7, 2), (uint64_t)-1);
	CHECK_EQ(OP_RR("div", 7, -2), (uint64_t)-3);
	CHECK_EQ(OP_RR("rem", 7, -2), 1);
	CHECK_EQ(OP_RR("divu", -7, 2), 0x7ffffffffffffffc);
	CHECK_EQ(OP_RR("remu", -7, 2), 1);
	/* Division by zero: quotient all ones, remainder the dividend. */
	CHECK_EQ(OP_RR("div", 42, 0), ALL1);
	CHECK_EQ(OP_RR("div", -42, 0), ALL1);
	CHECK_EQ(OP_RR("divu", 42, 0), ALL1);
	CHECK_EQ(OP_RR("rem", -42, 0), (uint64_t)-42);
	CHECK_EQ(OP_RR("remu", 42, 0), 42);
	/* Signed overflow: quotient the dividend, remainder zero. */
	CHECK_EQ(OP_RR("div", MIN64, -1), MIN64);
	CHECK_EQ(OP_RR("rem", MIN64, -1), 0);
	CHECK_EQ(OP_RR("divu", MIN64, -1), 0);
	CHECK_EQ(OP_RR("remu", MIN64, -1), MIN64);
}

static void test_div_w(void)
{
	CHECK_EQ(OP_RR("divw", 0xffffffff00000007, 0x00000000fffffffe), (uint64_t)-3);
	CHECK_EQ(OP_RR("remw", -7, 2), (uint64_t)-1);
	CHECK_EQ(OP_RR("divuw", 0xfffffff9, 2), 0x7ffffffc);
	CHECK_EQ(OP_RR("divuw", 0xfffffffe, 1), 0xfffffffffffffffe); /* sign-extended */
	CHECK_EQ(OP_RR("remuw", 0x80000001, 0x100000000 | 0x80000000), 1);
	CHECK_EQ(OP_RR("remuw", 0xffffffff, 0x100000000), 0xffffffffffffffff); /* by zero */
	CHECK_EQ(OP_RR("divw", 5, 0), ALL1);
	CHECK_EQ(OP_RR("divw", 5, 0xffffffff00000000), ALL1);
	CHECK_EQ(OP_RR("divuw", 5, 0), ALL1);
	CHECK_EQ(OP_RR("remw", 0x1234567880000005, 0), 0xffffffff80000005);
	CHECK_EQ(OP_RR("remuw", 0x1234567880000005, 0), 0xffffffff80000005);
	CHECK_EQ(OP_RR("remuw", 0x7, 0), 7);
	CHECK_EQ(OP_RR("divw", 0x80000000, -1), 0xffffffff80000000);
	CHECK_EQ(OP_RR("remw", 0x80000000, -1), 0);
	CHECK_EQ(OP_RR("divw", 0x80000000, 0xffffffff), 0xffffffff80000000);
	CHECK_EQ(OP_RR("divuw", 0x80000000, -1), 0);
	CHECK_EQ(OP_RR("remuw", 0x80000000, -1), 0xffffffff80000000);
}

int main(void)
{
	test_mul();
	test_div();
	test_div_w();
	return 0;
}
