/*
 * Cross-check against a second implementation: random operands for every
 * F/D instruction in xcheck_ops.h, in all five rounding modes, computed by
 * rv_fp_exec() (fp_helpers.c on softfloat) and by QEMU's riscv64 user-mode
 * emulator running xcheck_rv. Results (raw bits, NaN boxing, sign extension)
 * and fflags must agree exactly.
 *
 *   test_xcheck_qemu XCHECK_RV_PROGRAM [count]
 *
 * Skips when qemu-riscv64-static is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel/tcg/fpu/softfloat.h"
#include "accel/tcg/fpu/xcheck_ops.h"
#include "accel/tcg/riscv64/fp_helpers.h"
#include "tests/test.h"

static const struct {
	const char *name;
	uint32_t insn;
	int kind; /* 0 FF, 1 XF, 2 FX */
	int dbl;
} ops[XC_NOPS] = {
#define FF			      0
#define XF			      1
#define FX			      2
#define XC_ROW(name, text, k, d, enc) {#name, enc, k, d},
    XCHECK_OPS(XC_ROW)
#undef XC_ROW
};

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Biased towards specials, extremes, integer-sized values and short fractions. */
static uint64_t rand_float(int fbits, int ebits)
{
	uint64_t emax = (1ull << ebits) - 1, bias = emax >> 1, e, frac = rnd();
	uint64_t mask = (1ull << fbits) - 1;

	switch (rnd() % 10) {
	case 0:
		e = 0;
		break;
	case 1:
		e = emax;
		break;
	case 2:
		e = rnd() & 1 ? emax - 1 - rnd() % 3 : 1 + rnd() % 3;
		break;
	case 3:
	case 4:
		e = bias + rnd() % 66; /* around the integer limits */
		break;
	case 5:
	case 6:
		e = bias - 10 + rnd() % 20;
		break;
	default:
		e = rnd() % emax;
		break;
	}
	if (rnd() % 3 == 0)
		frac &= ~(mask >> (rnd() % 6 + 1)); /* few significant bits */
	if (rnd() % 8 == 0)
		frac = rnd() & 1 ? 0 : mask;
	return (rnd() & 1) << (fbits + ebits) | e << fbits | (frac & mask);
}

static uint64_t rand_operand(int dbl)
{
	uint64_t v;

	if (dbl)
		return rand_float(52, 11);
	v = rand_float(23, 8);
	/* mostly NaN-boxed; sometimes not, which reads as the canonical NaN */
	return rnd() % 64 ? rv_fp_box32((uint32_t)v) : v | (rnd() << 32 >> 1);
}

static uint64_t rand_int(void)
{
	uint64_t r = rnd();

	switch (rnd() % 4) {
	case 0:
		return r >> (rnd() % 64);
	case 1:
		return -(r >> (rnd() % 64));
	case 2:
		return r & ~(~0ull >> (rnd() % 30 + 1));
	default:
		return r;
	}
}

static void make_req(struct xc_req *q, unsigned i)
{
	unsigned op = (unsigned)(rnd() % XC_NOPS);
	int dbl = ops[op].dbl;

	q->op = op;
	q->frm = i % 5;
	/* sticky NX already set in half the cases: the host fast path's condition */
	q->flags0 = rnd() & 1 ? SF_NX : 0;
	if (ops[op].kind == FX) {
		q->a = rand_int();
		q->b = q->c = 0;
		return;
	}
	/* fcvt.d.s takes an S operand although its row says D for the result */
	if (op == XC_FCVT_D_S)
		dbl = 0;
	q->a = rand_operand(dbl);
	q->b = rnd() % 4 ? rand_operand(dbl) : q->a;
	q->c = rand_operand(dbl);
	/* fma addends cancelling the product */
	if (rnd() % 2 && (op == XC_FMADD_D || op == XC_FNMADD_D))
		q->c = sf_f64_mul(q->a, q->b, SF_RNE, &(uint32_t){0}) ^ (1ull << 63);
	if (rnd() % 2 && (op >= XC_FMADD_S && op <= XC_FNMADD_S))
		q->c = rv_fp_box32(
		    sf_f32_mul(rv_fp_unbox32(q->a), rv_fp_unbox32(q->b), SF_RNE, &(uint32_t){0}) ^
		    0x80000000u);
}

static int run_qemu(const char *prog, const struct xc_req *req, struct xc_rep *rep, size_t n)
{
	char in[] = "/tmp/fpu_xc_inXXXXXX", out[] = "/tmp/fpu_xc_outXXXXXX", cmd[512];
	int fi = mkstemp(in), fo = mkstemp(out), rc = -1;
	FILE *f;

	if (fi < 0 || fo < 0)
		goto out;
	if (write(fi, req, n * sizeof(*req)) != (ssize_t)(n * sizeof(*req)))
		goto out;
	snprintf(cmd, sizeof(cmd), "qemu-riscv64-static '%s' < %s > %s", prog, in, out);
	if (system(cmd) != 0)
		goto out;
	f = fdopen(fo, "rb");
	if (!f)
		goto out;
	fo = -1;
	rc = fread(rep, sizeof(*rep), n, f) == n ? 0 : -1;
	fclose(f);
out:
	if (fi >= 0)
		close(fi);
	if (fo >= 0)
		close(fo);
	unlink(in);
	unlink(out);
	return rc;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;
	struct xc_req *req = calloc(n, sizeof(*req));
	struct xc_rep *rep = calloc(n, sizeof(*rep));
	int shown = 0;

	if (argc < 2)
		TEST_SKIP("usage: %s XCHECK_RV_PROGRAM [count]", argv[0]);
	if (system("command -v qemu-riscv64-static >/dev/null 2>&1") != 0)
		TEST_SKIP("qemu-riscv64-static not installed (Debian package qemu-user-static)");
	if (!req || !rep)
		return 1;
	for (size_t i = 0; i < n; i++)
		make_req(&req[i], (unsigned)i);
	if (run_qemu(argv[1], req, rep, n)) {
		fprintf(stderr, "running %s under qemu-riscv64-static failed\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct rv_fp_insn d;
		uint32_t fl = (uint32_t)req[i].flags0;
		uint64_t r = 0;

		test_checks++;
		if (rv_fp_decode(ops[req[i].op].insn, &d) ||
		    rv_fp_exec(&d, (uint32_t)req[i].frm, &fl, req[i].a, req[i].b, req[i].c, &r) ||
		    r != rep[i].r || fl != rep[i].flags) {
			test_failures++;
			if (shown++ < 20)
				fprintf(stderr,
					"%s frm %" PRIu64 " a 0x%" PRIx64 " b 0x%" PRIx64
					" c 0x%" PRIx64 ": vmm 0x%" PRIx64 "/0x%x qemu 0x%" PRIx64
					"/0x%" PRIx64 "\n",
					ops[req[i].op].name, req[i].frm, req[i].a, req[i].b,
					req[i].c, r, fl, rep[i].r, rep[i].flags);
		}
	}
	free(req);
	free(rep);
	return test_result("xcheck_qemu");
}
