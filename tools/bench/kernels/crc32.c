/*
 * CRC-32 (the IEEE 802.3 / zlib polynomial, reflected 0xEDB88320), one byte
 * per table lookup, over a 256 KiB buffer of random bytes, repeated; one byte
 * changes between passes so no pass repeats the previous one. A load-and-shift
 * chain: it measures guest loads through the TLB and short dependent ALU ops.
 */
#include "bench.h"

#define CRC_BUF	 (256u * 1024)
#define CRC_REPS 1000

const char bench_name[] = "crc32";

static uint8_t crc_buf[CRC_BUF];
static uint32_t crc_table[256];

static void crc_init_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	for (size_t i = 0; i < n; i++)
		crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t seed = 1, reps = bench_reps(CRC_REPS, scale), sum = 0;
	uint32_t crc = 0;

	crc_init_table();
	for (size_t i = 0; i < CRC_BUF; i += 8) {
		uint64_t r = bench_rand(&seed);
		for (int k = 0; k < 8; k++)
			crc_buf[i + k] = (uint8_t)(r >> (8 * k));
	}
	/* The check value of CRC-32 over "123456789" is 0xCBF43926. */
	sum = bench_mix(sum, crc_update(0, (const uint8_t *)"123456789", 9));
	for (uint64_t r = 0; r < reps; r++) {
		crc = crc_update(crc, crc_buf, CRC_BUF);
		crc_buf[r % CRC_BUF] ^= (uint8_t)crc;
		sum = bench_mix(sum, crc);
	}
	return sum;
}
