/*
 * Enough of the PC's 8042 keyboard controller for Linux to probe it quietly
 * and to reset the machine through it. No keyboard and no aux (mouse) port
 * are attached; Linux is booted with i8042.noaux (and usually i8042.nokbd).
 *
 * The controller answers at two ports that are not adjacent (0x61..0x63
 * belong to other devices), so it exports two ops tables over the same
 * device: register i8042_data_io_ops at I8042_DATA_PORT and
 * i8042_cmd_io_ops at I8042_CMD_PORT, each with length 1 and the same opaque.
 */
#ifndef VMM_HW_I8042_H
#define VMM_HW_I8042_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/irq.h"
#include "common/vmstop.h"
#include "memory/io_bus.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT	0x64

struct i8042_counters {
	_Atomic uint64_t bad_access;  /* size != 1 or offset != 0 */
	_Atomic uint64_t unknown_cmd; /* controller commands not implemented */
	_Atomic uint64_t resets;      /* reset requests made */
};

struct i8042;

/*
 * @kbd_irq (IRQ 1, copied, may be NULL) is high while the output buffer
 * holds a byte and the command byte enables the keyboard interrupt.
 * @stop (copied) receives VM_STOP_RESET. Returns NULL on ENOMEM.
 */
struct i8042 *i8042_create(const struct irq_line *kbd_irq, const struct vm_stop *stop);
void i8042_destroy(struct i8042 *k);
const struct i8042_counters *i8042_counters(const struct i8042 *k);

extern const struct io_dev_ops i8042_data_io_ops;
extern const struct io_dev_ops i8042_cmd_io_ops;

#endif
