/*
 * Host wrapper for one kernel: `bench_<name> [SCALE]` (a percentage of the
 * default work, 100 when omitted) prints the same line as the RISC-V build.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long scale = 100;
	char *end;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [SCALE]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		scale = strtoul(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || scale == 0 || scale > 100000) {
			fprintf(stderr, "%s: bad scale '%s' (1..100000)\n", argv[0], argv[1]);
			return 2;
		}
	}
	printf("bench %s scale %lu checksum 0x%016" PRIx64 "\n", bench_name, scale,
	       bench_kernel((unsigned)scale));
	return 0;
}
