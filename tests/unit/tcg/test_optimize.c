/*
 * The optimizer, one folding rule at a time: build IR, optimize, print it
 * in the canonical text form and compare with the expected text.
 */
#include <stdlib.h>

#include "accel/tcg/internal.h"
#include "tests/test.h"
#include "tests/unit/tcg/test_fe.h"

static struct tcg_ctx *ctx;
static struct tcg_builder bld;
static struct tcg_builder *b = &bld;

static void begin(void)
{
	tcg_builder_reset(b, NULL, 0x1000, 0);
}

static void expect(const char *name, const char *want)
{
	char *got;

	tcg_optimize(tcg_builder_ir(b));
	got = tcg_ir_to_string(tcg_builder_ir(b));
	CHECK(got != NULL);
	if (got && strcmp(got, want) != 0) {
		fprintf(stderr, "%s: got:\n%s-- want:\n%s--\n", name, got, want);
		CHECK(false);
	} else {
		CHECK(true);
	}
	free(got);
}

#define SCR(i) ((int32_t)(offsetof(struct toy_cpu, scratch) + 8 * (i)))

static uint64_t h_any(struct tcg_cpu *cpu, uint64_t a)
{
	return a + 1;
}
static const struct tcg_helper h_pure = TCG_HELPER(h_any, 1, TCG_CALL_PURE);
static const struct tcg_helper h_nowg = TCG_HELPER(h_any, 1, TCG_CALL_NO_WG);
static const struct tcg_helper h_plain = TCG_HELPER(h_any, 1, 0);

static void test_const_fold(void)
{
	tcg_i64 t = tcg_temp_new_i64(b);
	tcg_i32 w = tcg_temp_new_i32(b);

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, tcg_const_i64(b, 2), tcg_const_i64(b, 3));
	tcg_gen_mov_i64(b, toy_r[0], t);
	expect("add consts", "mov_i64 r0, $0x5\n");

	begin();
	w = tcg_temp_new_i32(b);
	tcg_gen_add_i32(b, w, tcg_const_i32(b, 0xffffffff), tcg_const_i32(b, 2));
	tcg_gen_mov_i32(b, toy_w0, w);
	expect("add_i32 wraps", "mov_i32 w0, $0x1\n");

	begin();
	tcg_gen_div_i64(b, toy_r[0], tcg_const_i64(b, 5), tcg_const_i64(b, 0));
	expect("div by zero folds to -1", "mov_i64 r0, $0xffffffffffffffff\n");

	begin();
	tcg_gen_ext32s_i64(b, toy_r[0], tcg_const_i64(b, 0x80000000));
	expect("ext32s const", "mov_i64 r0, $0xffffffff80000000\n");

	begin();
	tcg_gen_setcond_i64(b, TCG_COND_LTU, toy_r[0], tcg_const_i64(b, 1), tcg_const_i64(b, 2));
	expect("setcond consts", "mov_i64 r0, $0x1\n");

	begin();
	tcg_gen_extract_i64(b, toy_r[0], tcg_const_i64(b, 0xabcd), 4, 8);
	expect("extract const", "mov_i64 r0, $0xbc\n");
}

static void test_identities(void)
{
	static const struct {
		const char *name;
		void (*gen)(struct tcg_builder *, tcg_i64, tcg_i64, tcg_i64);
		uint64_t k;
		const char *want;
	} cases[] = {
	    {"add 0", tcg_gen_add_i64, 0, "mov_i64 r1, r0\n"},
	    {"sub 0", tcg_gen_sub_i64, 0, "mov_i64 r1, r0\n"},
	    {"mul 1", tcg_gen_mul_i64, 1, "mov_i64 r1, r0\n"},
	    {"mul 0", tcg_gen_mul_i64, 0, "mov_i64 r1, $0x0\n"},
	    {"and 0", tcg_gen_and_i64, 0, "mov_i64 r1, $0x0\n"},
	    {"and -1", tcg_gen_and_i64, ~0ULL, "mov_i64 r1, r0\n"},
	    {"or 0", tcg_gen_or_i64, 0, "mov_i64 r1, r0\n"},
	    {"or -1", tcg_gen_or_i64, ~0ULL, "mov_i64 r1, $0xffffffffffffffff\n"},
	    {"xor 0", tcg_gen_xor_i64, 0, "mov_i64 r1, r0\n"},
	    {"andc 0", tcg_gen_andc_i64, 0, "mov_i64 r1, r0\n"},
	    {"shl 0", tcg_gen_shl_i64, 0, "mov_i64 r1, r0\n"},
	    {"shr 64 (count masked)", tcg_gen_shr_i64, 64, "mov_i64 r1, r0\n"},
	    {"sar 0", tcg_gen_sar_i64, 0, "mov_i64 r1, r0\n"},
	    {"rotl 0", tcg_gen_rotl_i64, 0, "mov_i64 r1, r0\n"},
	    {"div 1", tcg_gen_div_i64, 1, "mov_i64 r1, r0\n"},
	    {"divu 1", tcg_gen_divu_i64, 1, "mov_i64 r1, r0\n"},
	    {"rem 1", tcg_gen_rem_i64, 1, "mov_i64 r1, $0x0\n"},
	    {"remu 1", tcg_gen_remu_i64, 1, "mov_i64 r1, $0x0\n"},
	    {"add 5 stays", tcg_gen_add_i64, 5, "add_i64 r1, r0, $0x5\n"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		begin();
		cases[i].gen(b, toy_r[1], toy_r[0], tcg_const_i64(b, cases[i].k));
		expect(cases[i].name, cases[i].want);
	}

	begin();
	tcg_gen_add_i64(b, toy_r[1], tcg_const_i64(b, 0), toy_r[0]);
	expect("0 + x", "mov_i64 r1, r0\n");

	begin();
	tcg_gen_shl_i64(b, toy_r[1], tcg_const_i64(b, 0), toy_r[0]);
	expect("0 << x", "mov_i64 r1, $0x0\n");
}

static void test_same_operand(void)
{
	begin();
	tcg_gen_xor_i64(b, toy_r[1], toy_r[0], toy_r[0]);
	expect("xor x,x", "mov_i64 r1, $0x0\n");

	begin();
	tcg_gen_sub_i64(b, toy_r[1], toy_r[0], toy_r[0]);
	expect("sub x,x", "mov_i64 r1, $0x0\n");

	begin();
	tcg_gen_and_i64(b, toy_r[1], toy_r[0], toy_r[0]);
	expect("and x,x", "mov_i64 r1, r0\n");

	begin();
	tcg_gen_or_i64(b, toy_r[1], toy_r[0], toy_r[0]);
	expect("or x,x", "mov_i64 r1, r0\n");

	begin();
	tcg_gen_andc_i64(b, toy_r[1], toy_r[0], toy_r[0]);
	expect("andc x,x", "mov_i64 r1, $0x0\n");

	begin();
	tcg_gen_setcond_i64(b, TCG_COND_GEU, toy_r[1], toy_r[0], toy_r[0]);
	expect("setcond geu x,x", "mov_i64 r1, $0x1\n");

	begin();
	tcg_gen_setcond_i64(b, TCG_COND_LT, toy_r[1], toy_r[0], toy_r[0]);
	expect("setcond lt x,x", "mov_i64 r1, $0x0\n");

	begin();
	tcg_gen_movcond_i64(b, TCG_COND_EQ, toy_r[1], toy_r[2], toy_r[3], toy_r[0], toy_r[0]);
	expect("movcond same values", "mov_i64 r1, r0\n");

	begin();
	tcg_gen_movcond_i64(b, TCG_COND_LT, toy_r[1], tcg_const_i64(b, 1), tcg_const_i64(b, 2),
			    toy_r[4], toy_r[5]);
	expect("movcond const cond", "mov_i64 r1, r4\n");

	begin();
	tcg_gen_mov_i64(b, toy_r[1], toy_r[1]);
	expect("mov x,x", "");
}

static void test_copies(void)
{
	tcg_i64 t;

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_mov_i64(b, t, toy_r[0]);
	tcg_gen_add_i64(b, toy_r[1], t, toy_r[2]);
	expect("copy propagated", "add_i64 r1, r0, r2\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_mov_i64(b, t, toy_r[0]);
	tcg_gen_mov_i64(b, toy_r[0], toy_r[3]);
	tcg_gen_addi_i64(b, toy_r[1], t, 1);
	expect("copy source overwritten",
	       "mov_i64 tmp0, r0\nmov_i64 r0, r3\nadd_i64 r1, tmp0, $0x1\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_mov_i64(b, t, toy_r[0]);
	tcg_gen_call1(b, &h_plain, TCG_I64_NONE, toy_r[5]);
	tcg_gen_addi_i64(b, toy_r[1], t, 1);
	expect("copy of a global dies at a call that writes globals",
	       "mov_i64 tmp0, r0\ncall r5, h_any\nadd_i64 r1, tmp0, $0x1\n");
}

static void test_known_bits(void)
{
	tcg_i64 t;

	begin();
	tcg_gen_ext32s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_ext32s_i64(b, toy_r[2], toy_r[1]);
	expect("ext32s of ext32s", "ext32s_i64 r1, r0\nmov_i64 r2, r1\n");

	begin();
	tcg_gen_ext8s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_ext32s_i64(b, toy_r[2], toy_r[1]);
	expect("ext32s of ext8s", "ext8s_i64 r1, r0\nmov_i64 r2, r1\n");

	begin();
	tcg_gen_ext16s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_ext8s_i64(b, toy_r[2], toy_r[1]);
	expect("ext8s of ext16s stays", "ext16s_i64 r1, r0\next8s_i64 r2, r1\n");

	/* Constants go second in commutative ops (immediate forms, lea). */
	begin();
	tcg_gen_add_i64(b, toy_r[1], tcg_const_i64(b, 0x800), toy_r[0]);
	tcg_gen_sub_i64(b, toy_r[2], tcg_const_i64(b, 0x800), toy_r[0]);
	expect("add const-first swapped, sub not",
	       "add_i64 r1, r0, $0x800\nsub_i64 r2, $0x800, r0\n");

	/* RV64: xor/or/and of two W-op (sign-extended) results needs no sext.w. */
	begin();
	tcg_gen_ext32s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_ext16s_i64(b, toy_r[2], toy_r[0]);
	tcg_gen_xor_i64(b, toy_r[3], toy_r[1], toy_r[2]);
	tcg_gen_ext32s_i64(b, toy_r[3], toy_r[3]);
	expect("ext32s of xor of sign-extended values",
	       "ext32s_i64 r1, r0\next16s_i64 r2, r0\nxor_i64 r3, r1, r2\n");

	begin();
	tcg_gen_ext32s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_xor_i64(b, toy_r[3], toy_r[1], toy_r[2]);
	tcg_gen_ext32s_i64(b, toy_r[3], toy_r[3]);
	expect("ext32s of xor with an unknown value stays",
	       "ext32s_i64 r1, r0\nxor_i64 r3, r1, r2\next32s_i64 r3, r3\n");

	begin();
	tcg_gen_ext32s_i64(b, toy_r[1], toy_r[0]);
	tcg_gen_not_i64(b, toy_r[2], toy_r[1]);
	tcg_gen_sari_i64(b, toy_r[3], toy_r[2], 4);
	tcg_gen_ext32s_i64(b, toy_r[3], toy_r[3]);
	tcg_gen_ext16s_i64(b, toy_r[4], toy_r[3]);
	expect("not and sar keep sign copies",
	       "ext32s_i64 r1, r0\nnot_i64 r2, r1\nsar_i64 r3, r2, $0x4\next16s_i64 r4, r3\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_guest_ld_i64(b, t, toy_r[0], TCG_MO_UL, 0);
	tcg_gen_ext32u_i64(b, toy_r[1], t);
	expect("ext32u of a 32-bit load", "guest_ld_i64 tmp0, r0, 0x2, 0x0\nmov_i64 r1, tmp0\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_guest_ld_i64(b, t, toy_r[0], TCG_MO_SW, 0);
	tcg_gen_ext32s_i64(b, toy_r[1], t);
	expect("ext32s of a signed 16-bit load",
	       "guest_ld_i64 tmp0, r0, 0x5, 0x0\nmov_i64 r1, tmp0\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_ext8u_i64(b, t, toy_r[0]);
	tcg_gen_andi_i64(b, toy_r[1], t, 0xff);
	expect("and of known-zero bits", "ext8u_i64 tmp0, r0\nmov_i64 r1, tmp0\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_ext8u_i64(b, t, toy_r[0]);
	tcg_gen_andi_i64(b, toy_r[1], t, 0x7f);
	expect("and that clears bits stays", "ext8u_i64 tmp0, r0\nand_i64 r1, tmp0, $0x7f\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_setcond_i64(b, TCG_COND_EQ, t, toy_r[0], toy_r[1]);
	tcg_gen_ext8u_i64(b, toy_r[2], t);
	expect("setcond is 0/1", "setcond_i64 tmp0, r0, r1, eq\nmov_i64 r2, tmp0\n");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_extract_i64(b, t, toy_r[0], 3, 10);
	tcg_gen_ext16u_i64(b, toy_r[2], t);
	expect("extract width", "extract_i64 tmp0, r0, 0x3, 0xa\nmov_i64 r2, tmp0\n");
}

static void test_widening(void)
{
	tcg_i32 w;

	begin();
	w = tcg_temp_new_i32(b);
	tcg_gen_extrl_i64_i32(b, w, toy_r[0]);
	tcg_gen_ext_i32_i64(b, toy_r[1], w);
	expect("ext_i32_i64 of extrl", "ext32s_i64 r1, r0\n");

	begin();
	w = tcg_temp_new_i32(b);
	tcg_gen_extrl_i64_i32(b, w, toy_r[0]);
	tcg_gen_extu_i32_i64(b, toy_r[1], w);
	expect("extu_i32_i64 of extrl", "ext32u_i64 r1, r0\n");

	/* The source changed in between: keep the i32 value. */
	begin();
	w = tcg_temp_new_i32(b);
	tcg_gen_extrl_i64_i32(b, w, toy_r[0]);
	tcg_gen_movi_i64(b, toy_r[0], 5);
	tcg_gen_ext_i32_i64(b, toy_r[1], w);
	expect("extrl source overwritten",
	       "extrl_i64_i32 tmp0, r0\nmov_i64 r0, $0x5\next_i32_i64 r1, tmp0\n");

	/* An addw-like sequence keeps its i32 add. */
	begin();
	w = tcg_temp_new_i32(b);
	tcg_gen_extrl_i64_i32(b, w, toy_r[0]);
	tcg_gen_addi_i32(b, w, w, 1);
	tcg_gen_ext_i32_i64(b, toy_r[1], w);
	expect("addw", "extrl_i64_i32 tmp0, r0\nadd_i32 tmp0, tmp0, $0x1\next_i32_i64 r1, tmp0\n");

	/* slli r1, r0, 32; srli r1, r1, 32 (zext.w) and srai (sext.w). */
	begin();
	tcg_gen_shli_i64(b, toy_r[1], toy_r[0], 32);
	tcg_gen_shri_i64(b, toy_r[1], toy_r[1], 32);
	expect("shl 32 then shr 32", "ext32u_i64 r1, r0\n");

	begin();
	tcg_gen_shli_i64(b, toy_r[1], toy_r[0], 32);
	tcg_gen_sari_i64(b, toy_r[2], toy_r[1], 32);
	expect("shl 32 then sar 32", "shl_i64 r1, r0, $0x20\next32s_i64 r2, r0\n");

	/* The source changed in between (slli r0, r0, 32): no shortcut. */
	begin();
	tcg_gen_shli_i64(b, toy_r[0], toy_r[0], 32);
	tcg_gen_shri_i64(b, toy_r[1], toy_r[0], 32);
	expect("shl 32 of itself", "shl_i64 r0, r0, $0x20\nshr_i64 r1, r0, $0x20\n");

	/* Other shift amounts are not extensions. */
	begin();
	tcg_gen_shli_i64(b, toy_r[1], toy_r[0], 32);
	tcg_gen_shri_i64(b, toy_r[2], toy_r[1], 31);
	expect("shl 32 then shr 31", "shl_i64 r1, r0, $0x20\nshr_i64 r2, r1, $0x1f\n");
}

static void test_branches(void)
{
	tcg_label l;

	begin();
	l = tcg_label_new(b);
	tcg_gen_brcond_i64(b, TCG_COND_EQ, tcg_const_i64(b, 1), tcg_const_i64(b, 1), l);
	tcg_gen_set_label(b, l);
	expect("brcond always", "br L0\nset_label L0\n");

	begin();
	l = tcg_label_new(b);
	tcg_gen_brcond_i64(b, TCG_COND_GT, tcg_const_i64(b, 1), tcg_const_i64(b, 1), l);
	tcg_gen_set_label(b, l);
	expect("brcond never", "set_label L0\n");

	/* Facts do not cross a label: r1 may come from another path. */
	begin();
	l = tcg_label_new(b);
	tcg_gen_movi_i64(b, toy_r[1], 5);
	tcg_gen_set_label(b, l);
	tcg_gen_addi_i64(b, toy_r[2], toy_r[1], 1);
	expect("label forgets", "mov_i64 r1, $0x5\nset_label L0\nadd_i64 r2, r1, $0x1\n");

	/* ...but they do survive a conditional branch's fall-through. */
	begin();
	l = tcg_label_new(b);
	tcg_gen_movi_i64(b, toy_r[1], 5);
	tcg_gen_brcond_i64(b, TCG_COND_EQ, toy_r[0], toy_r[3], l);
	tcg_gen_addi_i64(b, toy_r[2], toy_r[1], 1);
	tcg_gen_set_label(b, l);
	expect("fall-through keeps",
	       "mov_i64 r1, $0x5\nbrcond r0, r3, eq, L0\nmov_i64 r2, $0x6\nset_label L0\n");
}

static void test_dce(void)
{
	tcg_i64 t;

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_mul_i64(b, t, toy_r[0], toy_r[1]);
	expect("dead temp", "");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_call1(b, &h_pure, t, toy_r[0]);
	expect("unused pure call", "");

	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_call1(b, &h_nowg, t, toy_r[0]);
	expect("unused impure call stays", "call tmp0, r0, h_any\n");

	/* A global written twice: the first write is dead, the second stays. */
	begin();
	tcg_gen_movi_i64(b, toy_r[1], 1);
	tcg_gen_movi_i64(b, toy_r[1], 2);
	expect("overwritten global", "mov_i64 r1, $0x2\n");

	/* ...unless something may observe it in between. */
	begin();
	t = tcg_temp_new_i64(b);
	tcg_gen_movi_i64(b, toy_r[1], 1);
	tcg_gen_guest_ld_i64(b, t, toy_r[0], TCG_MO_UQ, 0);
	tcg_gen_mov_i64(b, toy_r[1], t);
	expect("global observed by a faulting op",
	       "mov_i64 r1, $0x1\nguest_ld_i64 tmp0, r0, 0x3, 0x0\nmov_i64 r1, tmp0\n");

	/* Constants flow through a NO_WG call into later folding. */
	begin();
	tcg_gen_movi_i64(b, toy_r[1], 5);
	tcg_gen_call1(b, &h_nowg, TCG_I64_NONE, toy_r[0]);
	tcg_gen_addi_i64(b, toy_r[2], toy_r[1], 1);
	expect("no_wg call keeps facts", "mov_i64 r1, $0x5\ncall r0, h_any\nmov_i64 r2, $0x6\n");
}

/* Optimize; does the IR still hold an ld_env? (and print it if @want differs) */
static bool has_ld_env(const char *name, bool want)
{
	char *got;
	bool has;

	tcg_optimize(tcg_builder_ir(b));
	got = tcg_ir_to_string(tcg_builder_ir(b));
	CHECK(got != NULL);
	if (!got)
		return want;
	has = strstr(got, "ld_env") != NULL;
	if (has != want)
		fprintf(stderr, "%s: want %s ld_env, got:\n%s--\n", name, want ? "an" : "no", got);
	free(got);
	return has;
}

/*
 * Store-to-load forwarding of CPU-struct fields: ld_env after st_env of the
 * same field in one extended block becomes a copy; and where it must not.
 */
static void test_env_forwarded(void)
{
	tcg_i64 t, u;

	begin();
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(!has_ld_env("same field, full width", false));

	begin();
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	/* a guest store cannot alias the CPU struct */
	tcg_gen_guest_st_i64(b, toy_r[3], toy_r[4], TCG_MO_UQ, 0);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(!has_ld_env("across a guest store", false));
}

static void test_env_kept(void)
{
	tcg_i64 t, u;
	tcg_label l;

	begin(); /* a helper may write any field */
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	tcg_gen_call1(b, &h_pure, toy_r[5], toy_r[6]);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(has_ld_env("across a call", true));

	begin(); /* low 32 bits stored: the load must not see the temp's high half */
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UL);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UL);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(has_ld_env("narrow store", true));

	begin(); /* an overlapping store replaces the value */
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	tcg_gen_st_env_i64(b, toy_r[3], SCR(0) + 4, TCG_MO_UL);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(has_ld_env("overlapping store", true));

	begin(); /* the stored temp was redefined */
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	tcg_gen_add_i64(b, t, t, toy_r[1]);
	tcg_gen_mov_i64(b, toy_r[3], t);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(has_ld_env("stored temp redefined", true));

	begin(); /* a label: another path may have stored something else */
	t = tcg_temp_new_i64(b);
	u = tcg_temp_new_i64(b);
	l = tcg_label_new(b);
	tcg_gen_add_i64(b, t, toy_r[0], toy_r[1]);
	tcg_gen_st_env_i64(b, t, SCR(0), TCG_MO_UQ);
	tcg_gen_set_label(b, l);
	tcg_gen_ld_env_i64(b, u, SCR(0), TCG_MO_UQ);
	tcg_gen_mov_i64(b, toy_r[2], u);
	CHECK(has_ld_env("after a label", true));
}

int main(void)
{
	struct tcg_ctx_config cfg = {.fe = &toy_fe, .backend = TCG_BACKEND_KIND_INTERP};

	CHECK_EQ(tcg_ctx_new(&cfg, &ctx), 0);
	if (!ctx)
		return 1;
	CHECK_EQ(tcg_builder_init(b, ctx), 0);
	test_const_fold();
	test_identities();
	test_same_operand();
	test_copies();
	test_known_bits();
	test_widening();
	test_branches();
	test_dce();
	test_env_forwarded();
	test_env_kept();
	tcg_builder_fini(b);
	tcg_ctx_free(ctx);
	return test_result("tcg_optimize");
}
