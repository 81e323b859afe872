/*
 * The JIT's intermediate representation.
 *
 * A translation block (TB) is a flat array of ops. Every op names its
 * outputs, inputs and constants by position in args[]: outputs first, then
 * inputs (temp indices), then constants (immediates, conditions, labels,
 * memops). The one table below defines every op; the builder, optimizer,
 * interpreter, printer and native backend are all driven by it.
 *
 * Value types: an op carries its type (TCG_TYPE_I32 or TCG_TYPE_I64) in
 * op->type; the same opcode serves both widths. An i32 value is held
 * zero-extended in a 64-bit slot by the interpreter (backends may keep junk
 * in the high half; only the low 32 bits are meaningful).
 *
 * Frontends do not touch this file's structs; they call builder.h.
 */
#ifndef VMM_ACCEL_TCG_IR_H
#define VMM_ACCEL_TCG_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/compiler.h"

/*
 * Op flags.
 * BB_END:   ends a basic block (branches, labels, exits); globals and
 *           locals are synced here, normal temps die at a label.
 * SIDE:     has side effects beyond its outputs (stores, branches, calls):
 *           never removed by dead-code elimination.
 * COND:     the first constant is an enum tcg_cond.
 * LABEL:    the last constant is a label index.
 * MAY_RAISE: may leave the TB through an exception (guest memory ops):
 *           guest state must be precise at this op (see tcg.h).
 * I64_ONLY: only valid with op->type == TCG_TYPE_I64.
 * VARARGS:  the output/input counts come from the op, not the table (call).
 * EXIT:     leaves the TB (goto_tb falls through to its exit_tb).
 */
#define TCG_OPF_BB_END	  (1u << 0)
#define TCG_OPF_SIDE	  (1u << 1)
#define TCG_OPF_COND	  (1u << 2)
#define TCG_OPF_LABEL	  (1u << 3)
#define TCG_OPF_MAY_RAISE (1u << 4)
#define TCG_OPF_I64_ONLY  (1u << 5)
#define TCG_OPF_VARARGS	  (1u << 6)
#define TCG_OPF_EXIT	  (1u << 7)

/*
 * The op table: DEF(name, outputs, inputs, constants, flags).
 * Semantics (W = width of op->type in bits; all arithmetic wraps mod 2^W;
 * a, b, c, d are inputs in order; k0, k1 constants in order):
 */
#define TCG_OPS(DEF)                                                                               \
	/* No operation (deleted op). */                                                           \
	DEF(nop, 0, 0, 0, 0)                                                                       \
	/* Start of guest insn: k0, k1 = insn data words (k0 = guest pc). */                       \
	DEF(insn_start, 0, 0, 2, TCG_OPF_SIDE)                                                     \
	/* Copy. */                                                                                \
	DEF(mov, 1, 1, 0, 0)                                                                       \
	/* Two-input arithmetic/logic. */                                                          \
	DEF(add, 1, 2, 0, 0)                                                                       \
	DEF(sub, 1, 2, 0, 0)                                                                       \
	DEF(mul, 1, 2, 0, 0)                                                                       \
	/* High W bits of the 2W-bit product: signed*signed, unsigned*unsigned, */                 \
	/* signed(a)*unsigned(b). */                                                               \
	DEF(mulsh, 1, 2, 0, 0)                                                                     \
	DEF(muluh, 1, 2, 0, 0)                                                                     \
	DEF(mulsuh, 1, 2, 0, 0)                                                                    \
	/* Division with RISC-V semantics (unpriv spec §13.2), never a trap: */                   \
	/* x/0 = -1 (all ones), x%0 = x, MIN/-1 = MIN, MIN%-1 = 0. */                              \
	DEF(div, 1, 2, 0, 0)                                                                       \
	DEF(divu, 1, 2, 0, 0)                                                                      \
	DEF(rem, 1, 2, 0, 0)                                                                       \
	DEF(remu, 1, 2, 0, 0)                                                                      \
	DEF(and, 1, 2, 0, 0)                                                                       \
	DEF(or, 1, 2, 0, 0)                                                                        \
	DEF(xor, 1, 2, 0, 0)                                                                       \
	/* a & ~b, a | ~b, ~(a ^ b). */                                                            \
	DEF(andc, 1, 2, 0, 0)                                                                      \
	DEF(orc, 1, 2, 0, 0)                                                                       \
	DEF(eqv, 1, 2, 0, 0)                                                                       \
	/* Shifts and rotates: the count b is taken modulo W. */                                   \
	DEF(shl, 1, 2, 0, 0)                                                                       \
	DEF(shr, 1, 2, 0, 0)                                                                       \
	DEF(sar, 1, 2, 0, 0)                                                                       \
	DEF(rotl, 1, 2, 0, 0)                                                                      \
	DEF(rotr, 1, 2, 0, 0)                                                                      \
	/* Signed/unsigned minimum and maximum. */                                                 \
	DEF(smin, 1, 2, 0, 0)                                                                      \
	DEF(smax, 1, 2, 0, 0)                                                                      \
	DEF(umin, 1, 2, 0, 0)                                                                      \
	DEF(umax, 1, 2, 0, 0)                                                                      \
	/* One-input. */                                                                           \
	DEF(neg, 1, 1, 0, 0)                                                                       \
	DEF(not, 1, 1, 0, 0)                                                                       \
	/* Sign/zero extension of the low 8/16/32 bits to W. */                                    \
	DEF(ext8s, 1, 1, 0, 0)                                                                     \
	DEF(ext8u, 1, 1, 0, 0)                                                                     \
	DEF(ext16s, 1, 1, 0, 0)                                                                    \
	DEF(ext16u, 1, 1, 0, 0)                                                                    \
	DEF(ext32s, 1, 1, 0, TCG_OPF_I64_ONLY)                                                     \
	DEF(ext32u, 1, 1, 0, TCG_OPF_I64_ONLY)                                                     \
	/* Width changes: i64 <- sign/zero-extended i32; i32 <- low half of i64. */                \
	/* op->type is the output's type. */                                                       \
	DEF(ext_i32_i64, 1, 1, 0, TCG_OPF_I64_ONLY)                                                \
	DEF(extu_i32_i64, 1, 1, 0, TCG_OPF_I64_ONLY)                                               \
	DEF(extrl_i64_i32, 1, 1, 0, 0)                                                             \
	/* Byte swap of all W bits. */                                                             \
	DEF(bswap, 1, 1, 0, 0)                                                                     \
	/* Count leading/trailing zeros of a; b is the result when a == 0. */                      \
	DEF(clz, 1, 2, 0, 0)                                                                       \
	DEF(ctz, 1, 2, 0, 0)                                                                       \
	/* Number of set bits. */                                                                  \
	DEF(ctpop, 1, 1, 0, 0)                                                                     \
	/* Bit fields, k0 = pos, k1 = len, 1 <= len, pos + len <= W: */                            \
	/* extract = (a >> pos) & mask(len); sextract sign-extends the field; */                   \
	/* deposit = a with bits [pos, pos+len) replaced by the low len bits of b. */              \
	DEF(extract, 1, 1, 2, 0)                                                                   \
	DEF(sextract, 1, 1, 2, 0)                                                                  \
	DEF(deposit, 1, 2, 2, 0)                                                                   \
	/* d = cond(a, b) ? 1 : 0; k0 = cond. */                                                   \
	DEF(setcond, 1, 2, 1, TCG_OPF_COND)                                                        \
	/* d = cond(a, b) ? c : e (inputs a, b, c, e); k0 = cond. */                               \
	DEF(movcond, 1, 4, 1, TCG_OPF_COND)                                                        \
	/* CPU state access: k0 = byte offset from the CPU struct, k1 = memop */                   \
	/* (size/sign; TCG_MO_ALIGN ignored). Never faults. */                                     \
	DEF(ld_env, 1, 0, 2, 0)                                                                    \
	DEF(st_env, 0, 1, 2, TCG_OPF_SIDE)                                                         \
	/* Guest memory through the softmmu TLB: a = address (always i64), */                      \
	/* k0 = memop, k1 = mmu index. Loads extend to W per memop. */                             \
	DEF(guest_ld, 1, 1, 2, TCG_OPF_SIDE | TCG_OPF_MAY_RAISE)                                   \
	/* Store: a = value (W bits, low memop size stored), b = address. */                       \
	DEF(guest_st, 0, 2, 2, TCG_OPF_SIDE | TCG_OPF_MAY_RAISE)                                   \
	/* Control flow inside the TB. */                                                          \
	DEF(set_label, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE | TCG_OPF_LABEL)                     \
	DEF(br, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE | TCG_OPF_LABEL)                            \
	/* if (cond(a, b)) goto k1; k0 = cond. */                                                  \
	DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_SIDE | TCG_OPF_COND | TCG_OPF_LABEL)         \
	/* Helper call: args = [out?] in... ; k (last arg) = struct tcg_helper *. */               \
	DEF(call, 0, 0, 1, TCG_OPF_SIDE | TCG_OPF_VARARGS)                                         \
	/* Leaving the TB. goto_tb k0 = slot (0/1): a patchable jump to the next */                \
	/* TB, initially to the exit_tb that must follow it. exit_tb k0 = value */                 \
	/* returned to the exec loop (see tcg.h, TCG_EXIT_*). goto_ptr a = the */                  \
	/* new guest pc: jump through the vCPU's jump cache or exit with 0. */                     \
	DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE)                                       \
	DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE | TCG_OPF_EXIT)                        \
	DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_END | TCG_OPF_SIDE | TCG_OPF_EXIT)

enum tcg_opcode {
#define TCG_OP_ENUM(name, o, i, c, f) TCG_OP_##name,
	TCG_OPS(TCG_OP_ENUM)
#undef TCG_OP_ENUM
	    TCG_NB_OPS
};

struct tcg_op_def {
	const char *name;
	uint8_t n_out, n_in, n_const;
	uint32_t flags;
};

extern const struct tcg_op_def tcg_op_defs[TCG_NB_OPS];

enum tcg_type { TCG_TYPE_I32 = 0, TCG_TYPE_I64 = 1 };

/* The 10 comparison conditions. Signed: LT GE LE GT; unsigned: LTU... */
enum tcg_cond {
	TCG_COND_EQ,
	TCG_COND_NE,
	TCG_COND_LT,
	TCG_COND_GE,
	TCG_COND_LE,
	TCG_COND_GT,
	TCG_COND_LTU,
	TCG_COND_GEU,
	TCG_COND_LEU,
	TCG_COND_GTU,
	TCG_NB_CONDS
};

/* !cond: EQ<->NE, LT<->GE, ... */
enum tcg_cond tcg_cond_invert(enum tcg_cond c);
/* cond with operands swapped: LT<->GT, ... */
enum tcg_cond tcg_cond_swap(enum tcg_cond c);
/* Evaluate cond on two values of @type. */
bool tcg_cond_eval(enum tcg_cond c, enum tcg_type type, uint64_t a, uint64_t b);

/*
 * Memory operation descriptor (constant of ld_env/st_env/guest_ld/guest_st).
 * Guest and host memory are little-endian.
 */
enum tcg_memop {
	TCG_MO_8 = 0,
	TCG_MO_16 = 1,
	TCG_MO_32 = 2,
	TCG_MO_64 = 3,
	TCG_MO_SIZE = 3,  /* mask: log2 of the access size */
	TCG_MO_SIGN = 4,  /* loads: sign-extend to the op's width */
	TCG_MO_ALIGN = 8, /* guest access must be naturally aligned: else */
			  /* the frontend's unaligned() hook raises */
	TCG_MO_UB = TCG_MO_8,
	TCG_MO_SB = TCG_MO_8 | TCG_MO_SIGN,
	TCG_MO_UW = TCG_MO_16,
	TCG_MO_SW = TCG_MO_16 | TCG_MO_SIGN,
	TCG_MO_UL = TCG_MO_32,
	TCG_MO_SL = TCG_MO_32 | TCG_MO_SIGN,
	TCG_MO_UQ = TCG_MO_64,
};

/* Kinds of temps (see builder.h for the frontend's view). */
enum tcg_temp_kind {
	TCG_TEMP_NORMAL, /* value dies at the next set_label */
	TCG_TEMP_LOCAL,	 /* value survives labels (spilled at block ends) */
	TCG_TEMP_GLOBAL, /* a field of the CPU struct; registered per context */
	TCG_TEMP_CONST,	 /* an immediate; interned per (type, value) */
};

struct tcg_temp {
	uint8_t kind; /* enum tcg_temp_kind */
	uint8_t type; /* enum tcg_type */
	uint16_t pad;
	int32_t mem_offset; /* GLOBAL: offset in the CPU struct */
	int64_t val;	    /* CONST: the value (i32: zero-extended) */
	const char *name;   /* GLOBAL: for dumps */
};

/* Call flags (struct tcg_helper.flags). Default 0 is the safe choice. */
#define TCG_CALL_NO_RG	  (1u << 0) /* does not read globals from the CPU struct */
#define TCG_CALL_NO_WG	  (1u << 1) /* does not write globals */
#define TCG_CALL_NO_RAISE (1u << 2) /* never calls tcg_raise_exception() */
#define TCG_CALL_NO_SE	  (1u << 3) /* no side effects: removable if result unused */
/* A pure function of its arguments. */
#define TCG_CALL_PURE (TCG_CALL_NO_RG | TCG_CALL_NO_WG | TCG_CALL_NO_RAISE | TCG_CALL_NO_SE)

#define TCG_MAX_CALL_ARGS 5

struct tcg_cpu;

/*
 * Every helper has the C type
 *   uint64_t fn(struct tcg_cpu *cpu, uint64_t a1, ..., uint64_t aN)
 * with N = nargs (0..TCG_MAX_CALL_ARGS): the CPU pointer is always passed
 * first (a guest struct embeds struct tcg_cpu first, so a cast gets it
 * back); i32 arguments arrive zero-extended; the return value is ignored
 * when the call has no output (return 0). Declare them with TCG_HELPER().
 */
typedef void (*tcg_helper_fn)(void);
typedef uint64_t (*tcg_helper_fn0)(struct tcg_cpu *);
typedef uint64_t (*tcg_helper_fn1)(struct tcg_cpu *, uint64_t);
typedef uint64_t (*tcg_helper_fn2)(struct tcg_cpu *, uint64_t, uint64_t);
typedef uint64_t (*tcg_helper_fn3)(struct tcg_cpu *, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*tcg_helper_fn4)(struct tcg_cpu *, uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*tcg_helper_fn5)(struct tcg_cpu *, uint64_t, uint64_t, uint64_t, uint64_t,
				   uint64_t);

/*
 * A helper that is one IEEE 754 binary64 (_D) or binary32 (_S) operation,
 * fn(cpu, desc, a, b), which a backend may compute on the host FPU
 * inline, calling the helper only otherwise. Exactly where
 * accel/tcg/fpu/hostfloat.h's hf_f64/f32_arith_nx() apply: the rounding
 * mode is round-to-nearest-even (desc >> 32 is 0, or is rm_dyn and the
 * uint32 at rm_off is 0), the inexact flag (nx_bit of the uint32 at
 * flags_off) is already set, both operands are normal numbers and the
 * result is finite with a biased exponent of at least 2. Then the result
 * is the host's and the flags do not change. The backend must also know
 * the host FPU is in its default mode (RNE, no flush-to-zero). binary32
 * operands and results are NaN-boxed in 64 bits (upper half all ones, as
 * RISC-V keeps them): an operand that is not boxed takes the helper.
 */
enum tcg_fp_op {
	TCG_FP_ADD_D = 1,
	TCG_FP_SUB_D,
	TCG_FP_MUL_D,
	TCG_FP_DIV_D,
	TCG_FP_ADD_S,
	TCG_FP_SUB_S,
	TCG_FP_MUL_S,
	TCG_FP_DIV_S,
};

struct tcg_fp_fast {
	uint8_t op;		   /* enum tcg_fp_op */
	int32_t flags_off, rm_off; /* CPU-struct offsets (uint32 fields) */
	uint32_t nx_bit, rm_dyn;
};

struct tcg_helper {
	const char *name;
	tcg_helper_fn func; /* really a tcg_helper_fn<nargs> */
	uint8_t nargs;
	uint8_t flags; /* TCG_CALL_* */
	const struct tcg_fp_fast *fp; /* NULL, or see struct tcg_fp_fast */
};

/*
 * static const struct tcg_helper rv_helper_foo = TCG_HELPER(helper_foo, 2, TCG_CALL_PURE);
 * where helper_foo is a tcg_helper_fn2.
 */
#define TCG_HELPER(fn, n, fl)                                                                      \
	{                                                                                          \
		.name = #fn, .func = (tcg_helper_fn)(tcg_helper_fn##n)(fn), .nargs = (n),          \
		.flags = (fl)                                                                      \
	}
/* The same for a struct tcg_fp_fast helper (a tcg_helper_fn3). */
#define TCG_HELPER_FP(fn, fl, fast)                                                                \
	{                                                                                          \
		.name = #fn, .func = (tcg_helper_fn)(tcg_helper_fn3)(fn), .nargs = 3,              \
		.flags = (fl), .fp = (fast)                                                        \
	}

#define TCG_MAX_OP_ARGS 8

struct tcg_op {
	uint16_t opc;  /* enum tcg_opcode */
	uint8_t type;  /* enum tcg_type of the output (or of the operation) */
	uint8_t n_out; /* call only: 0 or 1 */
	uint8_t n_in;  /* call only: 0..TCG_MAX_CALL_ARGS */
	uint8_t pad[3];
	/* outputs, inputs: temp indices; constants: values. */
	uint64_t args[TCG_MAX_OP_ARGS];
};

/* Outputs/inputs/constants of @op (handles call's variable counts). */
static inline unsigned tcg_op_nout(const struct tcg_op *op)
{
	return (tcg_op_defs[op->opc].flags & TCG_OPF_VARARGS) ? op->n_out
							      : tcg_op_defs[op->opc].n_out;
}

static inline unsigned tcg_op_nin(const struct tcg_op *op)
{
	return (tcg_op_defs[op->opc].flags & TCG_OPF_VARARGS) ? op->n_in
							      : tcg_op_defs[op->opc].n_in;
}

static inline unsigned tcg_op_nconst(const struct tcg_op *op)
{
	return tcg_op_defs[op->opc].n_const;
}

/* The call op's helper. */
static inline const struct tcg_helper *tcg_op_helper(const struct tcg_op *op)
{
	return (const struct tcg_helper *)(uintptr_t)op->args[op->n_out + op->n_in];
}

/* Limits of one TB. */
#define TCG_MAX_OPS	8192
#define TCG_MAX_TEMPS	8192
#define TCG_MAX_LABELS	512
#define TCG_MAX_GLOBALS 128
#define TCG_MAX_INSNS	512
#define TCG_INSN_DATA	2

/*
 * One TB's IR under construction (struct tcg_builder in builder.h is the
 * same object). Temps [0, n_globals) are the context's globals.
 */
struct tcg_ir {
	struct tcg_op *ops;
	unsigned n_ops;
	struct tcg_temp *temps;
	unsigned n_temps;
	unsigned n_globals;
	unsigned n_labels;
	unsigned n_insns;
	int error; /* sticky: -ENOSPC when a limit was hit */
	/* The optimizer's per-temp tables (tcg_opt_scratch_new; owned by the builder). */
	struct tcg_opt_scratch *opt_scratch;
};

/* Canonical text of the IR (one op per line), for tests and debugging. */
void tcg_ir_print(const struct tcg_ir *ir, FILE *f);
/* The same into a malloc'd string (caller frees), NULL on ENOMEM. */
char *tcg_ir_to_string(const struct tcg_ir *ir);

/*
 * The indexes of @ir's local temps, written to @out[0, *n_local), and of
 * its normal temps, written to the end of @out (room for ir->n_temps) and
 * returned: both lists in one pass over the temps. Passes that act on
 * "every temp of a kind" at many ops use these lists instead of scanning
 * all temps each time (blocks hold thousands of constant temps). Globals
 * are simply [0, n_globals).
 */
uint32_t *tcg_ir_locals_normals(const struct tcg_ir *ir, uint32_t *out, uint32_t *n_local,
				uint32_t *n_normal);

/* Evaluate a non-memory, non-control op on constant inputs (interp + folding). */
uint64_t tcg_eval_op(unsigned opc, enum tcg_type type, const uint64_t *in, const uint64_t *k);

/*
 * Optimizer passes (optimize.c): folding, copy propagation, known bits, DCE.
 * @ir->opt_scratch must come from tcg_opt_scratch_new() (heap, not per
 * thread: static thread-local tables cost every thread of the process
 * their memory, also threads that never translate).
 */
void tcg_optimize(struct tcg_ir *ir);
struct tcg_opt_scratch *tcg_opt_scratch_new(void);
void tcg_opt_scratch_free(struct tcg_opt_scratch *s);

#endif
