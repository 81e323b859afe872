/*
 * Runs a libFuzzer harness without libFuzzer, as a deterministic regression
 * test in the normal (and the ASan+UBSan) build: every seed file as is, then
 * MUTATIONS seeded mutations of each (bit flips, byte stores of boundary
 * values, truncation, extension, header-field overwrites). A crash or a
 * sanitizer report fails the test; so does a harness that never returns.
 *
 * Usage: fuzz_driver_<name> [-n MUTATIONS] SEED...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible across runs and hosts */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n > 0 ? (size_t)n : 0;
	return buf;
}

static void mutate(uint8_t *buf, size_t *len, size_t cap)
{
	static const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20};
	unsigned k, n = 1 + (unsigned)(rng() % 8);

	for (k = 0; k < n && *len; k++) {
		size_t at;

		switch (rng() % 6) {
		case 0: /* flip a bit */
			at = rng() % *len;
			buf[at] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1: /* a boundary byte */
			at = rng() % *len;
			buf[at] = interesting[rng() % sizeof(interesting)];
			break;
		case 2: /* a header field: the first 4 KiB are where parsers look */
			at = rng() % (*len < 4096 ? *len : 4096);
			buf[at] = (uint8_t)rng();
			break;
		case 3: /* truncate */
			*len = rng() % (*len + 1);
			break;
		case 4: /* extend with junk */
			while (*len < cap && rng() % 4)
				buf[(*len)++] = (uint8_t)rng();
			break;
		default: /* a 32-bit field set to an extreme */
			if (*len >= 4) {
				uint32_t v = (rng() & 1) ? 0xffffffffu : (uint32_t)rng();

				at = rng() % (*len - 3);
				memcpy(buf + at, &v, 4);
			}
			break;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned long mutations = 2000, m, runs = 0;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		mutations = strtoul(argv[2], NULL, 0);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-n MUTATIONS] SEED...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++) {
		size_t len, cap, cur;
		uint8_t *seed = read_file(argv[i], &len), *buf;

		if (!seed) {
			fprintf(stderr, "cannot read seed %s\n", argv[i]);
			return 1;
		}
		cap = len + 4096;
		buf = malloc(cap);
		if (!buf)
			return 1;
		LLVMFuzzerTestOneInput(seed, len);
		runs++;
		for (m = 0; m < mutations; m++) {
			memcpy(buf, seed, len);
			cur = len;
			mutate(buf, &cur, cap);
			/* An exact-size copy, so ASan sees any read past the end. */
			uint8_t *exact = malloc(cur ? cur : 1);

			memcpy(exact, buf, cur);
			LLVMFuzzerTestOneInput(exact, cur);
			free(exact);
			runs++;
		}
		free(buf);
		free(seed);
	}
	fprintf(stderr, "%lu inputs, no crash\n", runs);
	return 0;
}
