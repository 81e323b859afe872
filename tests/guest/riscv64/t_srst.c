/*
 * An S-mode program in the Linux Image format that only powers off through
 * SBI SRST. Under --bios the firmware's reset driver must end vmm with exit
 * status 0: Debian 12's OpenSBI 1.1 writes the SiFive test finisher with a
 * 16-bit store. If the call returns, the run fails through the finisher.
 */
#include "rvsbi.h"
#include "rvtest.h"

__asm__(RVSBI_IMAGE_HEADER
	"1:	la sp, __stack_top\n"
	"	call s_main\n"
	"2:	wfi\n"
	"	j 2b\n");

void s_main(void);

void s_main(void)
{
	rvt_puts("t_srst: shutting down through SBI SRST\n");
	sbi(SBI_EXT_SRST, 0, 0 /* shutdown */, 0 /* no reason */, 0);
	rvt_fail(1);
}
