/*
 * Traps: illegal and reserved encodings, unknown and read-only CSRs, FP with
 * mstatus.FS = Off, ecall, ebreak, mret, and vectored mtvec.
 *
 * Illegal-instruction traps write the instruction bits to mtval (priv spec
 * §3.1.16 allows the bits or zero; vmm writes the bits, as QEMU does).
 */
#include "rvtest.h"

/* Arm one trap and run @insn at a known pc; returns that pc. */
#define TRAP_AT(insn)                                                                              \
	({                                                                                         \
		uint64_t pc_;                                                                      \
		rvt_expect_trap();                                                                 \
		__asm__ volatile(".option push\n\t.option norvc\n\t"                               \
				 "lla %0, 1f\n"                                                    \
				 "1:\t" insn "\n\t"                                                \
				 ".option pop"                                                     \
				 : "=&r"(pc_)                                                      \
				 :                                                                 \
				 : "a0", "memory");                                                \
		pc_;                                                                               \
	})

static unsigned traps;

static uint64_t insn_at(uint64_t pc)
{
	uint16_t lo = *(volatile uint16_t *)pc;
	if ((lo & 3) != 3)
		return lo;
	return *(volatile uint16_t *)(pc + 2) * 0x10000ULL + lo;
}

static void expect(unsigned line, uint64_t pc, uint64_t cause, int tval_is_insn)
{
	traps++;
	rvt_check_eq(line, rvt_last_trap.count, traps);
	rvt_check_eq(line, rvt_last_trap.cause, cause);
	rvt_check_eq(line, rvt_last_trap.epc, pc);
	if (tval_is_insn)
		rvt_check_eq(line, rvt_last_trap.tval, insn_at(pc));
}
#define EXPECT_ILLEGAL(pc) expect(__LINE__, pc, 2, 1)

static void test_illegal(void)
{
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x0000"));     /* defined illegal (unpriv §16.2) */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0xdeadb077")); /* opcode 1110111: reserved */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0xfe000033")); /* OP, funct7 1111111 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x00007003")); /* LOAD funct3 111 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x00004023")); /* STORE funct3 100 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x00002067")); /* JALR funct3 010 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x00002063")); /* BRANCH funct3 010 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x0200101b")); /* slliw with imm[5] = 1 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x0000303b")); /* OP-32 funct3 011 */
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0x0000002f")); /* AMO funct3 000 */
}

/* Reserved compressed encodings (unpriv §16.8 tables). */
static void test_reserved_c(void)
{
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x0004")); /* c.addi4spn with nzuimm = 0 */
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x6501")); /* c.lui a0, 0 */
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x6101")); /* c.addi16sp 0 */
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x4002")); /* c.lwsp x0 */
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x6002")); /* c.ldsp x0 */
	EXPECT_ILLEGAL(TRAP_AT(".2byte 0x8002")); /* c.jr x0 */
}

static void test_csr_traps(void)
{
	EXPECT_ILLEGAL(TRAP_AT("csrr a0, 0x7ff"));     /* not implemented */
	EXPECT_ILLEGAL(TRAP_AT("csrw mhartid, zero")); /* read-only (priv §2.1) */
	EXPECT_ILLEGAL(TRAP_AT("csrrsi a0, mhartid, 1"));
	EXPECT_ILLEGAL(TRAP_AT("csrw cycle, a0"));
	/* Reading a read-only CSR with a zero set mask is fine. */
	uint64_t v;
	__asm__ volatile("csrrs %0, mhartid, zero\n\tcsrrsi %0, mhartid, 0" : "=r"(v));
	CHECK_EQ(v, 0);

	/* With mstatus.FS = Off, FP instructions and FP CSRs are illegal (priv §3.1.6.6). */
	__asm__ volatile("csrc mstatus, %0" ::"r"(0x6000ULL));
	EXPECT_ILLEGAL(TRAP_AT("csrr a0, fcsr"));
	EXPECT_ILLEGAL(TRAP_AT("csrwi fflags, 1"));
	EXPECT_ILLEGAL(TRAP_AT("fadd.d fa0, fa0, fa0"));
	EXPECT_ILLEGAL(TRAP_AT("fmv.x.d a0, fa0"));
	__asm__ volatile("csrs mstatus, %0" ::"r"(0x6000ULL));
}

static void test_ecall_ebreak(void)
{
	expect(__LINE__, TRAP_AT("ecall"), 11, 0); /* environment call from M-mode */
	CHECK_EQ(rvt_last_trap.tval, 0);
	expect(__LINE__, TRAP_AT("ebreak"), 3, 0);
	expect(__LINE__, TRAP_AT(".2byte 0x9002") /* c.ebreak */, 3, 0);
}

/* With mtvec.MODE = Vectored, exceptions still go to BASE (priv §3.1.7). */
static void test_vectored(void)
{
	extern char rvt_trap_entry[];
	uint64_t old = CSR_READ(mtvec);
	CSR_WRITE(mtvec, (uint64_t)(uintptr_t)rvt_trap_entry | 1);
	CHECK_EQ(CSR_READ(mtvec), (uint64_t)(uintptr_t)rvt_trap_entry | 1);
	expect(__LINE__, TRAP_AT("ecall"), 11, 0);
	EXPECT_ILLEGAL(TRAP_AT(".4byte 0xdeadb077"));
	CSR_WRITE(mtvec, old);
}

/* mret jumps to mepc and restores MIE from MPIE, setting MPIE (priv §3.1.6.1). */
static void test_mret(void)
{
	uint64_t r;
	__asm__ volatile("csrc mstatus, %0" ::"r"(0x8ULL));    /* MIE = 0 */
	__asm__ volatile("csrc mstatus, %0" ::"r"(0x80ULL));   /* MPIE = 0 */
	__asm__ volatile("csrs mstatus, %0" ::"r"(0x1800ULL)); /* MPP = M */
	__asm__ volatile("lla t0, 1f\n\tcsrw mepc, t0\n\tli %0, 1\n\tmret\n\tli %0, 2\n"
			 "1:"
			 : "=&r"(r)
			 :
			 : "t0");
	CHECK_EQ(r, 1);
	uint64_t st = CSR_READ(mstatus);
	CHECK_EQ((st >> 3) & 1, 0); /* MIE = old MPIE = 0 */
	CHECK_EQ((st >> 7) & 1, 1); /* MPIE = 1 */
	__asm__ volatile("csrs mstatus, %0" ::"r"(0x1800ULL));
}

int main(void)
{
	test_illegal();
	test_reserved_c();
	test_csr_traps();
	test_ecall_ebreak();
	test_vectored();
	test_mret();
	return 0;
}
