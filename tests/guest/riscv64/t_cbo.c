/*
 * Zicboz / Zicbom in M-mode (CMO spec 1.0): cbo.zero clears exactly the
 * 64-byte block holding the address (any address inside it, the block
 * size the device tree announces), the bytes around it stay; cbo.clean,
 * cbo.flush and cbo.inval leave memory as it is (coherent RAM).
 */
#include "rvtest.h"

#define BLOCK 64

static uint8_t buf[4 * BLOCK] __attribute__((aligned(BLOCK)));

#define CBO(op, p) __asm__ volatile(".insn i 0x0f, 2, x0, %0, " #op ::"r"(p) : "memory")

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
}

static void check_block(unsigned zeroed)
{
	for (unsigned i = 0; i < sizeof(buf); i++) {
		uint8_t want = i / BLOCK == zeroed ? 0 : (uint8_t)(i * 13 + 1);
		if (buf[i] != want) {
			CHECK_EQ(i, ~0u); /* reports the first wrong byte's index */
			return;
		}
	}
}

int main(void)
{
	/* cbo.zero (imm 4), at the block start and in its middle. */
	fill();
	CBO(4, buf + BLOCK);
	check_block(1);
	fill();
	CBO(4, buf + 2 * BLOCK + 37);
	check_block(2);
	/* cbo.inval (0), cbo.clean (1), cbo.flush (2): memory unchanged. */
	fill();
	CBO(0, buf + 5);
	CBO(1, buf + BLOCK + 9);
	CBO(2, buf + 3 * BLOCK);
	check_block(~0u);
	return 0;
}
