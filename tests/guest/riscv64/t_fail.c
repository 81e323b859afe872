/*
 * Not a test of the CPU: it fails on purpose, with code 42 through the test
 * finisher, after printing a line. Checks that a failure code reaches the
 * exit status (QEMU's sifive_test and vmm's finisher alike).
 */
#include "rvtest.h"

int main(void)
{
	rvt_puts("failing on purpose with code 42\n");
	rvt_fail(42);
}
