/*
 * Shared macros of the F/D test programs (fp_*.c): run one FP instruction
 * on raw register bits with a given frm, and read back the raw result and
 * the fflags it raised. ft0, ft1, ft2 hold the operands (loaded with
 * fmv.d.x, so an S operand must be passed NaN-boxed, or deliberately not);
 * the instruction text writes ft3 (FPF) or the integer result %[v] (FPX).
 * fflags starts as fp_fflags_preset; the flags read back include it.
 */
#ifndef FP_TEST_H
#define FP_TEST_H

#include "rvtest.h"

/* fflags before each instruction (normally 0: the flags it raises alone). */
static uint64_t fp_fflags_preset;

#define FP_RUN(text, out, A_, B_, C_, FRM_, FLP_)                                                  \
	({                                                                                         \
		uint64_t v_, f_;                                                                   \
		__asm__ volatile("csrw frm, %[rm]\n\t"                                             \
				 "csrw fflags, %[pre]\n\t"                                         \
				 "fmv.d.x ft0, %[xa]\n\t"                                          \
				 "fmv.d.x ft1, %[xb]\n\t"                                          \
				 "fmv.d.x ft2, %[xc]\n\t" text "\n\t" out "\n\t"                   \
				 "frflags %[f]"                                                    \
				 : [v] "=&r"(v_), [f] "=&r"(f_)                                    \
				 : [xa] "r"((uint64_t)(A_)), [xb] "r"((uint64_t)(B_)),             \
				   [xc] "r"((uint64_t)(C_)), [rm] "r"((uint64_t)(FRM_)),           \
				   [pre] "r"(fp_fflags_preset)                                     \
				 : "ft0", "ft1", "ft2", "ft3", "memory");                          \
		*(FLP_) = f_;                                                                      \
		v_;                                                                                \
	})

/* Float result: the raw 64-bit ft3 (an S result shows its NaN boxing). */
#define FPF(text, A_, B_, C_, FRM_, FLP_) FP_RUN(text, "fmv.x.d %[v], ft3", A_, B_, C_, FRM_, FLP_)
/* Integer result written by the instruction itself to %[v]. */
#define FPX(text, A_, B_, C_, FRM_, FLP_) FP_RUN(text, "", A_, B_, C_, FRM_, FLP_)

/* fflags bits (unpriv spec §11.2) and rounding modes (frm values). */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10
enum { RNE, RTZ, RDN, RUP, RMM };

#define BOX(v) (0xffffffff00000000ULL | (uint32_t)(v))
#define CNAN_S 0x7fc00000ULL
#define CNAN_D 0x7ff8000000000000ULL

/* A value and its flags for each of the five rounding modes. */
#define CHECK_RES(got, fl, want, wantfl)                                                           \
	do {                                                                                       \
		CHECK_EQ(got, want);                                                               \
		CHECK_EQ(fl, wantfl);                                                              \
	} while (0)

#endif
