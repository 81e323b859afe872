/*
 * riscv64 Linux user-mode program for the QEMU cross-check: reads struct
 * xc_req records on stdin, executes each instruction on the raw operand
 * bits with frm set, writes struct xc_rep records (result, fflags).
 * Built with riscv64-linux-gnu-gcc -static, run under qemu-riscv64-static.
 */
#include <stdint.h>
#include <unistd.h>

#include "accel/tcg/fpu/xcheck_ops.h"

#define XC_ASM(text, out)                                                                          \
	__asm__ volatile("csrw frm, %[rm]\n\t"                                                     \
			 "csrw fflags, %[f0]\n\t"                                                  \
			 "fmv.d.x ft0, %[xa]\n\t"                                                  \
			 "fmv.d.x ft1, %[xb]\n\t"                                                  \
			 "fmv.d.x ft2, %[xc]\n\t" text "\n\t" out "\n\t"                           \
			 "frflags %[f]"                                                            \
			 : [v] "=&r"(rep.r), [f] "=&r"(rep.flags)                                  \
			 : [xa] "r"(q->a), [xb] "r"(q->b), [xc] "r"(q->c), [rm] "r"(q->frm),       \
			   [f0] "r"(q->flags0)                                                     \
			 : "ft0", "ft1", "ft2", "ft3")

#define RUN_FF(text) XC_ASM(text, "fmv.x.d %[v], ft3")
#define RUN_FX(text) XC_ASM(text, "fmv.x.d %[v], ft3")
#define RUN_XF(text) XC_ASM(text, "")

static struct xc_rep run(const struct xc_req *q)
{
	struct xc_rep rep = {0, 0};

	switch (q->op) {
#define XC_CASE(name, text, kind, dbl, enc)                                                        \
	case XC_##name:                                                                            \
		RUN_##kind(text);                                                                  \
		break;
		XCHECK_OPS(XC_CASE)
#undef XC_CASE
	default:
		rep.flags = ~0ull;
	}
	return rep;
}

int main(void)
{
	static struct xc_req in[1024];
	static struct xc_rep out[1024];
	ssize_t n;

	while ((n = read(0, in, sizeof(in))) > 0) {
		size_t k = (size_t)n / sizeof(in[0]);

		/* requests are written in whole records; finish a partial one */
		while ((size_t)n % sizeof(in[0])) {
			ssize_t m =
			    read(0, (char *)in + n, sizeof(in[0]) - (size_t)n % sizeof(in[0]));
			if (m <= 0)
				return 1;
			n += m;
			k = (size_t)n / sizeof(in[0]);
		}
		for (size_t i = 0; i < k; i++)
			out[i] = run(&in[i]);
		if (write(1, out, k * sizeof(out[0])) != (ssize_t)(k * sizeof(out[0])))
			return 1;
	}
	return 0;
}
