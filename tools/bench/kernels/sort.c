/*
 * Quicksort (median of three, insertion sort below 16 elements, recursion on
 * the smaller side only so the stack stays O(log n)) of 64 Ki random 32-bit
 * keys, refilled and sorted again each repetition. Branchy compare-and-swap
 * code with data-dependent branches and short loops.
 */
#include "bench.h"

#define SORT_N	  (64u * 1024)
#define SORT_REPS 150

const char bench_name[] = "sort";

static uint32_t sort_a[SORT_N];

static void sort_swap(uint32_t *a, size_t i, size_t j)
{
	uint32_t t = a[i];
	a[i] = a[j];
	a[j] = t;
}

static void sort_insertion(uint32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t v = a[i];
		size_t j = i;
		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}

/* Hoare partition around the median of a[0], a[n/2], a[n-1]; returns the split. */
static size_t sort_partition(uint32_t *a, size_t n)
{
	size_t m = n / 2, i = 0, j = n - 1;
	uint32_t p;

	if (a[m] < a[0])
		sort_swap(a, m, 0);
	if (a[n - 1] < a[0])
		sort_swap(a, n - 1, 0);
	if (a[n - 1] < a[m])
		sort_swap(a, n - 1, m);
	p = a[m];
	for (;;) {
		while (a[i] < p)
			i++;
		while (a[j] > p)
			j--;
		if (i >= j)
			return j + 1;
		sort_swap(a, i++, j--);
	}
}

static void sort_quick(uint32_t *a, size_t n)
{
	while (n > 16) {
		size_t k = sort_partition(a, n);
		if (k < n - k) {
			sort_quick(a, k);
			a += k;
			n -= k;
		} else {
			sort_quick(a + k, n - k);
			n = k;
		}
	}
	sort_insertion(a, n);
}

uint64_t bench_kernel(unsigned scale)
{
	uint64_t seed = 2, reps = bench_reps(SORT_REPS, scale), sum = 0;

	for (uint64_t r = 0; r < reps; r++) {
		uint64_t unsorted = 0;
		for (size_t i = 0; i < SORT_N; i++)
			sort_a[i] = (uint32_t)bench_rand(&seed);
		sort_quick(sort_a, SORT_N);
		for (size_t i = 1; i < SORT_N; i++)
			unsorted += sort_a[i - 1] > sort_a[i];
		sum = bench_mix(sum, unsorted);
		for (size_t i = 0; i < SORT_N; i += 1024)
			sum = bench_mix(sum, sort_a[i]);
	}
	return sum;
}
