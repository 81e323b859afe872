/*
 * S-mode test programs in the Linux Image format (boot-image-header.rst,
 * linked with link_s.ld): the header's fields, the SBI extension ids they
 * use, and the ecall wrapper (SBI 2.0 §3: a7 = EID, a6 = FID, a0.. args;
 * a0 = error, a1 = value).
 */
#ifndef RVSBI_H
#define RVSBI_H

#define SBI_EXT_BASE	      0x10
#define SBI_EXT_TIME	      0x54494d45
#define SBI_EXT_IPI	      0x735049
#define SBI_EXT_RFENCE	      0x52464e43
#define SBI_EXT_HSM	      0x48534d
#define SBI_EXT_SRST	      0x53525354
#define SBI_EXT_DBCN	      0x4442434e
#define SBI_ERR_INVALID_PARAM (-3)

/*
 * The Image header in front of _start's code (assembler text, for the
 * program's top-level __asm__): code0 jumps to local label 1, which the
 * program's entry code must define right after it.
 */
#define RVSBI_IMAGE_HEADER                                                                         \
	".section .text.head, \"ax\"\n"                                                            \
	".globl _start\n"                                                                          \
	"_start:\n"                                                                                \
	"	j 1f\n" /* code0, code1 */                                                         \
	"	.balign 8\n"                                                                       \
	"	.dword 0x200000\n" /* text_offset */                                               \
	"	.dword __image_end - __image_start\n"                                              \
	"	.dword 0\n" /* flags: little-endian */                                             \
	"	.word 2\n"  /* version 0.2 */                                                      \
	"	.word 0\n"                                                                         \
	"	.dword 0\n"                                                                        \
	"	.ascii \"RISCV\\0\\0\\0\"\n"                                                       \
	"	.ascii \"RSC\\x05\"\n"                                                             \
	"	.word 0\n"

struct sbiret {
	long error;
	unsigned long value;
};

static inline struct sbiret sbi(unsigned long eid, unsigned long fid, unsigned long a0,
				unsigned long a1, unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){(long)r0, r1};
}

#endif
