/*
 * Optimizer rules added for JIT performance: store-to-load forwarding of
 * CPU-struct fields (ld_env after st_env of the same field in one extended
 * block becomes a copy), and the cases where it must not happen.
 */
#include <stdlib.h>

#include "accel/tcg/internal.h"
#include "tests/test.h"
#include "tests/unit/tcg/test_fe.h"

#define SCR(i) ((int32_t)(offsetof(struct toy_cpu, scratch) + 8 * (i)))

static struct tcg_ctx *ctx;
static struct tcg_builder bld;
static struct tcg_builder *b = &bld;

static uint64_t h_any(struct tcg_cpu *cpu, uint64_t a)
{
	return a + 1;
}
static const struct tcg_helper h_pure = TCG_HELPER(h_any, 1, TCG_CALL_PURE);

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

static void begin(void)
{
	tcg_builder_reset(b, NULL, 0x1000, 0);
}

static void test_forwarded(void)
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

static void test_kept(void)
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
	test_forwarded();
	test_kept();
	tcg_builder_fini(b);
	tcg_ctx_free(ctx);
	return test_result("tcg_jitperf");
}
