/*
 * The bare-metal test library: checks, the SiFive test finisher, a UART
 * print helper and expected traps.
 *
 * A failed check prints its number, line and values on the ns16550a UART and
 * ends the run through the finisher with (code << 16) | 0x3333, code = the
 * check's sequence number folded into 1..255 so that it survives as a process
 * exit status (QEMU's sifive_test calls exit(code); only the low 8 bits reach
 * the parent).
 */
#ifndef RVTEST_H
#define RVTEST_H

#include <stdint.h>

typedef unsigned long size_t;

#define RVT_UART     0x10000000UL
#define RVT_FINISHER 0x100000UL
#define RVT_PASS     0x5555
#define RVT_FAIL     0x3333

/* Code used when an unexpected trap ends the run. */
#define RVT_CODE_TRAP 254

struct rvt_frame {
	uint64_t x[32]; /* x[2] = sp at the trap */
};

void rvt_putc(char c);
void rvt_puts(const char *s);
void rvt_puthex(uint64_t v);
void rvt_putdec(uint64_t v);

__attribute__((noreturn)) void rvt_exit(int code);
__attribute__((noreturn)) void rvt_fail(unsigned code);

void rvt_check_eq(unsigned line, uint64_t got, uint64_t want);
#define CHECK_EQ(got, want) rvt_check_eq(__LINE__, (uint64_t)(got), (uint64_t)(want))
#define CHECK(cond)	    rvt_check_eq(__LINE__, !!(cond), 1)

/*
 * Expected traps. rvt_expect_trap() arms one trap: the handler records
 * mcause/mtval/mepc and resumes after the trapping instruction (its length
 * read from the instruction itself). An unarmed trap fails the run.
 */
struct rvt_trap_info {
	uint64_t cause;
	uint64_t tval;
	uint64_t epc;
	unsigned count;
};
extern volatile struct rvt_trap_info rvt_last_trap;
void rvt_expect_trap(void);
/* Optional hook run on every trap; returning nonzero means "handled". */
extern int (*volatile rvt_trap_hook)(struct rvt_frame *f, uint64_t cause, uint64_t epc);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#define CSR_READ(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define CSR_WRITE(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(v)))

/* One instruction on registers, hidden from the compiler's constant folding. */
#define OP_RR(insn, a, b)                                                                          \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, %1, %2"                                                \
				 : "=r"(r_)                                                        \
				 : "r"((uint64_t)(a)), "r"((uint64_t)(b)));                        \
		r_;                                                                                \
	})
#define OP_RI(insn, a, imm)                                                                        \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, %1, " #imm : "=r"(r_) : "r"((uint64_t)(a)));           \
		r_;                                                                                \
	})
#define OP_R(insn, a)                                                                              \
	({                                                                                         \
		uint64_t r_;                                                                       \
		__asm__ volatile(insn " %0, %1" : "=r"(r_) : "r"((uint64_t)(a)));                  \
		r_;                                                                                \
	})

#endif
