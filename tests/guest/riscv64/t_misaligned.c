/*
 * Misaligned accesses (unpriv spec §2.6 lets an EEI complete them or trap).
 * vmm's documented behaviour, the same as QEMU's: ordinary loads and stores
 * of any alignment complete (also across a page boundary); LR/SC and AMOs
 * must be naturally aligned and raise an address-misaligned exception
 * (LR: load, cause 4; SC/AMO: store/AMO, cause 6) with mtval = the address.
 * (A misaligned SC without a reservation is not tested: QEMU fails it
 * without checking the address, vmm checks alignment first.)
 */
#include "rvtest.h"

static uint8_t page[8192] __attribute__((aligned(4096)));

#define LOAD(insn, p)                                                                              \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, 0(%1)" : "=r"(r_) : "r"(p) : "memory");                \
		r_;                                                                                \
	})
#define STORE(insn, v, p)                                                                          \
	__asm__ volatile(insn " %0, 0(%1)" ::"r"((uint64_t)(v)), "r"(p) : "memory")

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + 0x81);
}

static uint64_t ref(unsigned off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(uint8_t)((off + i) * 7 + 0x81) << (8 * i);
	return v;
}

static uint64_t sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;
	return (uint64_t)((int64_t)(v << sh) >> sh);
}

static void test_loads(void)
{
	fill();
	/* Every offset inside an 8-byte word and across the page boundary. */
	static const unsigned offs[] = {1, 2, 3, 5, 6, 7, 9, 4093, 4094, 4095};
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint8_t *p = page + offs[i];
		unsigned o = offs[i];
		CHECK_EQ(LOAD("lh", p), sext(ref(o, 2), 2));
		CHECK_EQ(LOAD("lhu", p), ref(o, 2));
		CHECK_EQ(LOAD("lw", p), sext(ref(o, 4), 4));
		CHECK_EQ(LOAD("lwu", p), ref(o, 4));
		CHECK_EQ(LOAD("ld", p), ref(o, 8));
	}
}

static void test_stores(void)
{
	fill();
	STORE("sd", 0x1122334455667788, page + 4093);
	CHECK_EQ(LOAD("ld", page + 4093), 0x1122334455667788);
	CHECK_EQ(page[4092], (uint8_t)(4092 * 7 + 0x81));
	CHECK_EQ(page[4101], (uint8_t)(4101 * 7 + 0x81));
	STORE("sw", 0xaabbccdd, page + 4095);
	CHECK_EQ(LOAD("lwu", page + 4095), 0xaabbccdd);
	CHECK_EQ(page[4094], 0x77);
	STORE("sh", 0xbeef, page + 4095);
	CHECK_EQ(page[4095], 0xef);
	CHECK_EQ(page[4096], 0xbe);
	STORE("sh", 0x1234, page + 3);
	CHECK_EQ(LOAD("lhu", page + 3), 0x1234);
}

static unsigned traps;

#define TRAP_AT(insn, addr)                                                                        \
	({                                                                                         \
		uint64_t pc_;                                                                      \
		rvt_expect_trap();                                                                 \
		__asm__ volatile(".option push\n\t.option norvc\n\t"                               \
				 "lla %0, 1f\n\tmv a1, %1\n\tli a2, 1\n"                           \
				 "1:\t" insn "\n\t"                                                \
				 ".option pop"                                                     \
				 : "=&r"(pc_)                                                      \
				 : "r"(addr)                                                       \
				 : "a0", "a1", "a2", "memory");                                    \
		pc_;                                                                               \
	})

static void expect(unsigned line, uint64_t pc, uint64_t cause, uint64_t addr)
{
	traps++;
	rvt_check_eq(line, rvt_last_trap.count, traps);
	if (cause == 6 && rvt_last_trap.cause == 4)
		cause = 4; /* QEMU 7.2 reports AMO misalignment as a load fault */
	rvt_check_eq(line, rvt_last_trap.cause, cause);
	rvt_check_eq(line, rvt_last_trap.epc, pc);
	rvt_check_eq(line, rvt_last_trap.tval, addr);
}

static void test_atomics(void)
{
	uint64_t a = (uint64_t)(uintptr_t)(page + 4);
	uint64_t b = (uint64_t)(uintptr_t)(page + 2);
	fill();
	expect(__LINE__, TRAP_AT("lr.d a0, (a1)", a), 4, a);
	expect(__LINE__, TRAP_AT("lr.w a0, (a1)", b), 4, b);
	expect(__LINE__, TRAP_AT("amoadd.d a0, a2, (a1)", a), 6, a);
	expect(__LINE__, TRAP_AT("amoswap.w a0, a2, (a1)", b), 6, b);
	expect(__LINE__, TRAP_AT("amomaxu.w a0, a2, (a1)", a + 1), 6, a + 1);
	/* Nothing was written. */
	CHECK_EQ(LOAD("ld", page), ref(0, 8));
	/* Aligned .w atomics at a 4-byte (not 8-byte) boundary are fine. */
	uint64_t r;
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(1ULL) : "memory");
	CHECK_EQ(r, sext(ref(4, 4), 4));
}

int main(void)
{
	test_loads();
	test_stores();
	test_atomics();
	return 0;
}
