/*
 * An interrupt line as devices see it. The machine hands each device one;
 * behind it is the accelerator's interrupt controller (KVM_IRQ_LINE under KVM,
 * the emulated PLIC under the JIT). Devices never know which.
 */
#ifndef VMM_COMMON_IRQ_H
#define VMM_COMMON_IRQ_H

#include <stdbool.h>

struct irq_sink_ops {
	/* Drive line @gsi to @level (level-triggered semantics). */
	void (*set_level)(void *opaque, unsigned gsi, bool level);
};

struct irq_line {
	const struct irq_sink_ops *ops;
	void *opaque;
	unsigned gsi;
};

static inline void irq_line_set(const struct irq_line *l, bool level)
{
	if (l && l->ops)
		l->ops->set_level(l->opaque, l->gsi, level);
}

#endif
