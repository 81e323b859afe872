/*
 * Boyer-Moore-Horspool search: counts every occurrence of a pattern (6 to 21
 * bytes, cut from the text itself, sometimes with its last byte changed so it
 * may not occur) in 1 MiB of text over a 16-letter alphabet; a new pattern
 * each repetition. Byte loads, a shift-table lookup per step and short
 * compare loops.
 */
#include "bench.h"

#define SS_TEXT (1024u * 1024)
#define SS_REPS 1000
#define SS_MAXP 21

const char bench_name[] = "strsearch";

static uint8_t ss_text[SS_TEXT];

static uint64_t ss_count(const uint8_t *pat, size_t m)
{
	size_t shift[256], pos = 0;
	uint64_t hits = 0;

	for (int c = 0; c < 256; c++)
		shift[c] = m;
	for (size_t i = 0; i + 1 < m; i++)
		shift[pat[i]] = m - 1 - i;
	while (pos + m <= SS_TEXT) {
		const uint8_t *t = ss_text + pos;
		uint8_t last = t[m - 1];
		if (last == pat[m - 1]) {
			size_t i = 0;
			while (i + 1 < m && t[i] == pat[i])
				i++;
			hits += i + 1 == m;
		}
		pos += shift[last];
	}
	return hits;
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t seed = 5, reps = bench_reps(SS_REPS, scale), sum = 0;
	uint8_t pat[SS_MAXP];

	for (size_t i = 0; i < SS_TEXT; i += 16) {
		uint64_t r = bench_rand(&seed);
		for (int k = 0; k < 16; k++)
			ss_text[i + k] = (uint8_t)('a' + ((r >> (4 * k)) & 15));
	}
	for (uint64_t r = 0; r < reps; r++) {
		uint64_t x = bench_rand(&seed);
		size_t m = 6 + x % (SS_MAXP - 5);
		size_t at = (x >> 8) % (SS_TEXT - SS_MAXP);
		for (size_t i = 0; i < m; i++)
			pat[i] = ss_text[at + i];
		if ((x >> 40) & 1)
			pat[m - 1] = (uint8_t)('a' + ((x >> 41) & 15));
		sum = bench_mix(sum, ss_count(pat, m));
	}
	return sum;
}
