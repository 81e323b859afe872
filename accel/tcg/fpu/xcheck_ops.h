/*
 * The instructions of the QEMU cross-check (test_xcheck_qemu.c on the host,
 * xcheck_rv.c under qemu-riscv64-static, fp_random.c in tests/guest/riscv64):
 * name, assembly (operands in ft0, ft1, ft2 or the x register %[xa]; result
 * in ft3 or %[v]), operand kind, and encoding for rv_fp_exec() (rm = DYN,
 * frm selects the mode).
 * Kinds: FF = float result from float sources, XF = integer result from
 * float sources, FX = float result from an integer source.
 */
#ifndef VMM_ACCEL_TCG_FPU_XCHECK_OPS_H
#define VMM_ACCEL_TCG_FPU_XCHECK_OPS_H

#define XC_OP(f5, fmt, rs2, f3)                                                                    \
	((f5) << 27 | (fmt) << 25 | (rs2) << 20 | (f3) << 12 | 3u << 7 | 0x53u)
#define XC_R4(opc, fmt) (2u << 27 | (fmt) << 25 | 1u << 20 | 7u << 12 | 3u << 7 | (opc))

/* X(name, asm, kind, is_double, encoding) */
#define XCHECK_OPS(X)                                                                              \
	X(FADD_S, "fadd.s ft3, ft0, ft1, dyn", FF, 0, XC_OP(0x00u, 0u, 1u, 7u))                    \
	X(FSUB_S, "fsub.s ft3, ft0, ft1, dyn", FF, 0, XC_OP(0x01u, 0u, 1u, 7u))                    \
	X(FMUL_S, "fmul.s ft3, ft0, ft1, dyn", FF, 0, XC_OP(0x02u, 0u, 1u, 7u))                    \
	X(FDIV_S, "fdiv.s ft3, ft0, ft1, dyn", FF, 0, XC_OP(0x03u, 0u, 1u, 7u))                    \
	X(FSQRT_S, "fsqrt.s ft3, ft0, dyn", FF, 0, XC_OP(0x0bu, 0u, 0u, 7u))                       \
	X(FMIN_S, "fmin.s ft3, ft0, ft1", FF, 0, XC_OP(0x05u, 0u, 1u, 0u))                         \
	X(FMAX_S, "fmax.s ft3, ft0, ft1", FF, 0, XC_OP(0x05u, 0u, 1u, 1u))                         \
	X(FSGNJN_S, "fsgnjn.s ft3, ft0, ft1", FF, 0, XC_OP(0x04u, 0u, 1u, 1u))                     \
	X(FMADD_S, "fmadd.s ft3, ft0, ft1, ft2, dyn", FF, 0, XC_R4(0x43u, 0u))                     \
	X(FMSUB_S, "fmsub.s ft3, ft0, ft1, ft2, dyn", FF, 0, XC_R4(0x47u, 0u))                     \
	X(FNMSUB_S, "fnmsub.s ft3, ft0, ft1, ft2, dyn", FF, 0, XC_R4(0x4bu, 0u))                   \
	X(FNMADD_S, "fnmadd.s ft3, ft0, ft1, ft2, dyn", FF, 0, XC_R4(0x4fu, 0u))                   \
	X(FEQ_S, "feq.s %[v], ft0, ft1", XF, 0, XC_OP(0x14u, 0u, 1u, 2u))                          \
	X(FLT_S, "flt.s %[v], ft0, ft1", XF, 0, XC_OP(0x14u, 0u, 1u, 1u))                          \
	X(FLE_S, "fle.s %[v], ft0, ft1", XF, 0, XC_OP(0x14u, 0u, 1u, 0u))                          \
	X(FCLASS_S, "fclass.s %[v], ft0", XF, 0, XC_OP(0x1cu, 0u, 0u, 1u))                         \
	X(FCVT_W_S, "fcvt.w.s %[v], ft0, dyn", XF, 0, XC_OP(0x18u, 0u, 0u, 7u))                    \
	X(FCVT_WU_S, "fcvt.wu.s %[v], ft0, dyn", XF, 0, XC_OP(0x18u, 0u, 1u, 7u))                  \
	X(FCVT_L_S, "fcvt.l.s %[v], ft0, dyn", XF, 0, XC_OP(0x18u, 0u, 2u, 7u))                    \
	X(FCVT_LU_S, "fcvt.lu.s %[v], ft0, dyn", XF, 0, XC_OP(0x18u, 0u, 3u, 7u))                  \
	X(FCVT_S_W, "fcvt.s.w ft3, %[xa], dyn", FX, 0, XC_OP(0x1au, 0u, 0u, 7u))                   \
	X(FCVT_S_WU, "fcvt.s.wu ft3, %[xa], dyn", FX, 0, XC_OP(0x1au, 0u, 1u, 7u))                 \
	X(FCVT_S_L, "fcvt.s.l ft3, %[xa], dyn", FX, 0, XC_OP(0x1au, 0u, 2u, 7u))                   \
	X(FCVT_S_LU, "fcvt.s.lu ft3, %[xa], dyn", FX, 0, XC_OP(0x1au, 0u, 3u, 7u))                 \
	X(FCVT_S_D, "fcvt.s.d ft3, ft0, dyn", FF, 1, XC_OP(0x08u, 0u, 1u, 7u))                     \
	X(FADD_D, "fadd.d ft3, ft0, ft1, dyn", FF, 1, XC_OP(0x00u, 1u, 1u, 7u))                    \
	X(FSUB_D, "fsub.d ft3, ft0, ft1, dyn", FF, 1, XC_OP(0x01u, 1u, 1u, 7u))                    \
	X(FMUL_D, "fmul.d ft3, ft0, ft1, dyn", FF, 1, XC_OP(0x02u, 1u, 1u, 7u))                    \
	X(FDIV_D, "fdiv.d ft3, ft0, ft1, dyn", FF, 1, XC_OP(0x03u, 1u, 1u, 7u))                    \
	X(FSQRT_D, "fsqrt.d ft3, ft0, dyn", FF, 1, XC_OP(0x0bu, 1u, 0u, 7u))                       \
	X(FMIN_D, "fmin.d ft3, ft0, ft1", FF, 1, XC_OP(0x05u, 1u, 1u, 0u))                         \
	X(FMAX_D, "fmax.d ft3, ft0, ft1", FF, 1, XC_OP(0x05u, 1u, 1u, 1u))                         \
	X(FMADD_D, "fmadd.d ft3, ft0, ft1, ft2, dyn", FF, 1, XC_R4(0x43u, 1u))                     \
	X(FNMADD_D, "fnmadd.d ft3, ft0, ft1, ft2, dyn", FF, 1, XC_R4(0x4fu, 1u))                   \
	X(FEQ_D, "feq.d %[v], ft0, ft1", XF, 1, XC_OP(0x14u, 1u, 1u, 2u))                          \
	X(FLT_D, "flt.d %[v], ft0, ft1", XF, 1, XC_OP(0x14u, 1u, 1u, 1u))                          \
	X(FLE_D, "fle.d %[v], ft0, ft1", XF, 1, XC_OP(0x14u, 1u, 1u, 0u))                          \
	X(FCLASS_D, "fclass.d %[v], ft0", XF, 1, XC_OP(0x1cu, 1u, 0u, 1u))                         \
	X(FCVT_W_D, "fcvt.w.d %[v], ft0, dyn", XF, 1, XC_OP(0x18u, 1u, 0u, 7u))                    \
	X(FCVT_WU_D, "fcvt.wu.d %[v], ft0, dyn", XF, 1, XC_OP(0x18u, 1u, 1u, 7u))                  \
	X(FCVT_L_D, "fcvt.l.d %[v], ft0, dyn", XF, 1, XC_OP(0x18u, 1u, 2u, 7u))                    \
	X(FCVT_LU_D, "fcvt.lu.d %[v], ft0, dyn", XF, 1, XC_OP(0x18u, 1u, 3u, 7u))                  \
	X(FCVT_D_W, "fcvt.d.w ft3, %[xa]", FX, 1, XC_OP(0x1au, 1u, 0u, 0u))                        \
	X(FCVT_D_L, "fcvt.d.l ft3, %[xa], dyn", FX, 1, XC_OP(0x1au, 1u, 2u, 7u))                   \
	X(FCVT_D_LU, "fcvt.d.lu ft3, %[xa], dyn", FX, 1, XC_OP(0x1au, 1u, 3u, 7u))                 \
	X(FCVT_D_S, "fcvt.d.s ft3, ft0", FF, 0, XC_OP(0x08u, 1u, 0u, 0u))

enum xc_op {
#define XC_ENUM(name, text, kind, dbl, enc) XC_##name,
	XCHECK_OPS(XC_ENUM)
#undef XC_ENUM
	    XC_NOPS
};

/* One request: op, frm, fflags before, operands; one reply: result, fflags after. */
struct xc_req {
	uint64_t op, frm, flags0, a, b, c;
};
struct xc_rep {
	uint64_t r, flags;
};

#endif
