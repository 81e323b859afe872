/* The IR optimizer (placeholder until the passes land). */
#include "accel/tcg/ir.h"

void tcg_optimize(struct tcg_ir *ir)
{
	(void)ir;
}
