/* Fake interrupt sink and stop requester shared by the hw device tests. */
#ifndef VMM_TESTS_UNIT_HW_FAKES_H
#define VMM_TESTS_UNIT_HW_FAKES_H

#include <stdbool.h>

#include "common/irq.h"
#include "common/vmstop.h"

struct fake_irq {
	bool level;
	unsigned rises, falls;
};

static inline void fake_irq_set_level(void *opaque, unsigned gsi, bool level)
{
	struct fake_irq *f = opaque;

	if (level && !f->level)
		f->rises++;
	if (!level && f->level)
		f->falls++;
	f->level = level;
}

static inline struct irq_line fake_irq_line(struct fake_irq *f, unsigned gsi)
{
	static const struct irq_sink_ops ops = {.set_level = fake_irq_set_level};

	return (struct irq_line){.ops = &ops, .opaque = f, .gsi = gsi};
}

struct fake_stop {
	unsigned requests;
	enum vm_stop_reason reason;
	int status;
};

static inline void fake_stop_request(void *opaque, enum vm_stop_reason reason, int status)
{
	struct fake_stop *f = opaque;

	f->requests++;
	f->reason = reason;
	f->status = status;
}

static inline struct vm_stop fake_vm_stop(struct fake_stop *f)
{
	return (struct vm_stop){.request = fake_stop_request, .opaque = f};
}

#endif
