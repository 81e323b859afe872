/*
 * A seeded, reproducible generator of random but valid RV64 instruction
 * sequences for differential tests: I, M, Zba, Zbb, Zbs, C (ALU forms),
 * forward branches, jal and jalr inside the sequence, counted loops (x30,
 * 1-4 iterations, bodies of 1-8 items), loads/stores/AMOs at
 * offsets below RVGEN_SCRATCH_LEN / 2 + 8 from x31 (which the sequence never
 * writes). The code is position-independent except for what auipc/jal
 * compute from the pc, so both sides of a comparison must place it at the
 * same address. It ends with `wfi; j .` at the returned length.
 */
#ifndef RV_GEN_H
#define RV_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RVGEN_MAX_ITEMS	  64
#define RVGEN_MAX_CODE	  (RVGEN_MAX_ITEMS * 4 + 8)
#define RVGEN_BASE_REG	  31
#define RVGEN_LOOP_REG	  30 /* loop counter; never written by other items */
#define RVGEN_SCRATCH_LEN 4096

/*
 * Leave out ctzw: QEMU 7.2 counts ctzw over 64 bits when the low word is
 * zero (ctzw(1 << 63) gives 63, not 32), so a cross-check against it must
 * not generate it.
 */
extern bool rvgen_no_ctzw;

void rvgen_seed(uint64_t seed);
uint64_t rvgen_rand(void);
unsigned rvgen_rand_n(unsigned n);
/* Random register values, biased towards edge cases; x0 = 0. */
void rvgen_regs(uint64_t regs[32]);

/* One sequence into @code (RVGEN_MAX_CODE bytes); returns its length without the final `wfi; j .`.
 */
size_t rvgen_sequence(uint8_t *code);

uint32_t rvgen_enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
		     unsigned op);
uint32_t rvgen_enc_i(uint32_t imm12, unsigned rs1, unsigned f3, unsigned rd, unsigned op);
uint32_t rvgen_enc_s(uint32_t imm, unsigned rs2, unsigned rs1, unsigned f3);
uint32_t rvgen_enc_j(int32_t off, unsigned rd);

#endif
