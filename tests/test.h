/*
 * A minimal test harness: CHECK() records a failure and goes on, so one run
 * reports every broken case; TEST_SKIP() exits 77, which meson reports as a
 * skip. main() returns test_result().
 */
#ifndef VMM_TESTS_TEST_H
#define VMM_TESTS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                        \
	do {                                                                                \
		test_checks++;                                                              \
		if (!(cond)) {                                                              \
			test_failures++;                                                    \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,    \
				#cond);                                                     \
		}                                                                           \
	} while (0)

#define CHECK_EQ(a, b)                                                                     \
	do {                                                                                \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                            \
		test_checks++;                                                              \
		if (a_ != b_) {                                                             \
			test_failures++;                                                    \
			fprintf(stderr,                                                     \
				"%s:%d: CHECK_EQ failed: %s == %s (0x%" PRIx64 " != 0x%" PRIx64 \
				")\n",                                                      \
				__FILE__, __LINE__, #a, #b, a_, b_);                        \
		}                                                                           \
	} while (0)

#define TEST_SKIP(...)                                                                     \
	do {                                                                                \
		fprintf(stderr, "SKIP: " __VA_ARGS__);                                      \
		fprintf(stderr, "\n");                                                      \
		exit(77);                                                                   \
	} while (0)

static inline int test_result(const char *name)
{
	if (test_checks == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	fprintf(stderr, "%s: %d checks, %d failed\n", name, test_checks, test_failures);
	return test_failures ? 1 : 0;
}

#endif
