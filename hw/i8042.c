/*
 * 8042 keyboard controller, controller side only. Command set and status
 * bits follow the IBM PC AT / PS/2 Technical Reference descriptions of the
 * 8042 (commands written to port 0x64, data through port 0x60).
 *
 * Nothing is attached behind it:
 * - a byte for the keyboard gets the PS/2 "receive timeout" answer: 0xff in
 *   the output buffer with the status timeout bit, so a driver's probe fails
 *   at once instead of waiting for its own timeout;
 * - there is no aux port: the aux commands 0xd3/0xd4 are not implemented and
 *   the aux interface test 0xa9 reports "clock line stuck high" (0x02).
 * Commands are executed at once, so the input buffer is never full (IBF=0).
 * The reset line is output port bit 0: pulsing it (0xfe, or any 0xf0..0xff
 * command with bit 0 clear) or writing it low (0xd1) requests a VM reset.
 */
#include "hw/i8042.h"

#include <pthread.h>
#include <stdlib.h>

#include "common/log.h"

/* Status register (port 0x64 read). */
#define I8042_STR_OBF	  0x01
#define I8042_STR_SYS	  0x04
#define I8042_STR_CMD	  0x08 /* last write was to port 0x64 */
#define I8042_STR_KEYLOCK 0x10 /* 1 = keyboard not inhibited */
#define I8042_STR_TIMEOUT 0x40

/* Command byte (internal RAM byte 0). */
#define I8042_CTR_KBDINT 0x01
#define I8042_CTR_SYS	 0x04
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE	 0x40

/* Output port. */
#define I8042_OUT_RESET	  0x01 /* active low */
#define I8042_OUT_A20	  0x02
#define I8042_OUT_KBD_OBF 0x10

/* Controller commands. */
#define I8042_CMD_READ_RAM	0x20 /* 0x20..0x3f: read RAM byte n; 0x20 = CTR */
#define I8042_CMD_WRITE_RAM	0x60 /* 0x60..0x7f: write RAM byte n */
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_AUX_ENABLE	0xa8
#define I8042_CMD_AUX_TEST	0xa9
#define I8042_CMD_SELF_TEST	0xaa
#define I8042_CMD_KBD_TEST	0xab
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae
#define I8042_CMD_READ_OUTPORT	0xd0
#define I8042_CMD_WRITE_OUTPORT 0xd1
#define I8042_CMD_KBD_LOOP	0xd2
#define I8042_CMD_PULSE		0xf0 /* 0xf0..0xff: pulse output bits whose mask bit is 0 */

#define I8042_SELF_TEST_OK     0x55
#define I8042_NO_DEVICE	       0xff
#define I8042_CLOCK_STUCK_HIGH 0x02
#define I8042_RAM_SIZE	       32

struct i8042 {
	pthread_mutex_t lock;
	struct irq_line irq;
	bool has_irq;
	struct vm_stop stop;

	uint8_t ram[I8042_RAM_SIZE]; /* ram[0] is the command byte (CTR) */
	uint8_t out;		     /* output buffer */
	bool obf;
	uint8_t out_err; /* status error bits for the byte in the buffer */
	uint8_t pending; /* command waiting for its data byte, 0 if none */
	bool cmd_last;
	uint8_t outport;
	bool irq_level;

	struct i8042_counters ctr;
};

struct i8042 *i8042_create(const struct irq_line *kbd_irq, const struct vm_stop *stop)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	if (pthread_mutex_init(&k->lock, NULL)) {
		free(k);
		return NULL;
	}
	if (kbd_irq) {
		k->irq = *kbd_irq;
		k->has_irq = true;
	}
	if (stop)
		k->stop = *stop;
	/* As firmware leaves it: POST passed, translation, keyboard IRQ on. */
	k->ram[0] = I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_XLATE;
	k->outport = I8042_OUT_RESET | I8042_OUT_A20;
	return k;
}

void i8042_destroy(struct i8042 *k)
{
	if (!k)
		return;
	pthread_mutex_destroy(&k->lock);
	free(k);
}

const struct i8042_counters *i8042_counters(const struct i8042 *k)
{
	return &k->ctr;
}

static void i8042_update_irq(struct i8042 *k)
{
	bool level = k->obf && (k->ram[0] & I8042_CTR_KBDINT);

	if (level == k->irq_level)
		return;
	k->irq_level = level;
	if (k->has_irq)
		irq_line_set(&k->irq, level);
}

static void i8042_output(struct i8042 *k, uint8_t v, uint8_t err)
{
	k->out = v;
	k->out_err = err;
	k->obf = true;
}

static uint8_t i8042_status(const struct i8042 *k)
{
	uint8_t s = I8042_STR_KEYLOCK | k->out_err;

	if (k->obf)
		s |= I8042_STR_OBF;
	if (k->ram[0] & I8042_CTR_SYS)
		s |= I8042_STR_SYS;
	if (k->cmd_last)
		s |= I8042_STR_CMD;
	return s;
}

/* Simple commands: no data byte follows. Returns true to request a reset. */
static bool i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case I8042_CMD_AUX_DISABLE:
		k->ram[0] |= I8042_CTR_AUXDIS;
		return false;
	case I8042_CMD_AUX_ENABLE:
		k->ram[0] &= (uint8_t)~I8042_CTR_AUXDIS;
		return false;
	case I8042_CMD_AUX_TEST:
		i8042_output(k, I8042_CLOCK_STUCK_HIGH, 0);
		return false;
	case I8042_CMD_SELF_TEST:
		k->ram[0] |= I8042_CTR_SYS;
		i8042_output(k, I8042_SELF_TEST_OK, 0);
		return false;
	case I8042_CMD_KBD_TEST:
		i8042_output(k, 0x00, 0); /* no error */
		return false;
	case I8042_CMD_KBD_DISABLE:
		k->ram[0] |= I8042_CTR_KBDDIS;
		return false;
	case I8042_CMD_KBD_ENABLE:
		k->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS;
		return false;
	case I8042_CMD_READ_OUTPORT:
		i8042_output(k, (uint8_t)(k->outport | (k->obf ? I8042_OUT_KBD_OBF : 0)), 0);
		return false;
	default:
		break;
	}
	if (cmd >= I8042_CMD_PULSE)
		return !(cmd & I8042_OUT_RESET);
	guest_err(&k->ctr.unknown_cmd, "i8042: command 0x%02x not implemented", cmd);
	return false;
}

static bool i8042_write_cmd(struct i8042 *k, uint8_t cmd)
{
	/* guest-controlled: any byte is a command; a new one cancels a pending one */
	k->cmd_last = true;
	k->pending = 0;
	if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + I8042_RAM_SIZE) {
		i8042_output(k, k->ram[cmd - I8042_CMD_READ_RAM], 0);
		return false;
	}
	if ((cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + I8042_RAM_SIZE) ||
	    cmd == I8042_CMD_WRITE_OUTPORT || cmd == I8042_CMD_KBD_LOOP) {
		k->pending = cmd;
		return false;
	}
	return i8042_command(k, cmd);
}

static bool i8042_write_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->cmd_last = false;
	k->pending = 0;
	if (cmd == I8042_CMD_WRITE_OUTPORT) {
		k->outport = v;
		/* A20 is always on here; only the reset line matters. */
		return !(v & I8042_OUT_RESET);
	}
	if (cmd == I8042_CMD_KBD_LOOP)
		i8042_output(k, v, 0);
	else if (cmd)
		k->ram[cmd - I8042_CMD_WRITE_RAM] = v;
	else
		i8042_output(k, I8042_NO_DEVICE, I8042_STR_TIMEOUT); /* no keyboard */
	return false;
}

static uint8_t i8042_read_data(struct i8042 *k)
{
	/* With OBF clear the stale byte is read again, as on the real part. */
	k->obf = false;
	k->out_err = 0;
	return k->out;
}

static bool i8042_access_ok(struct i8042 *k, uint64_t offset, unsigned size)
{
	/* guest-controlled: each port is one byte */
	if (size == 1 && offset == 0)
		return true;
	guest_err(&k->ctr.bad_access, "i8042: %u-byte access at offset 0x%llx", size,
		  (unsigned long long)offset);
	return false;
}

/* Finish an access: update the line, unlock, then request a reset if due. */
static void i8042_finish(struct i8042 *k, bool reset)
{
	i8042_update_irq(k);
	pthread_mutex_unlock(&k->lock);
	if (!reset)
		return;
	atomic_fetch_add_explicit(&k->ctr.resets, 1, memory_order_relaxed);
	log_info("i8042: guest pulsed the reset line");
	vm_stop_request(&k->stop, VM_STOP_RESET, 0);
}

static uint64_t i8042_data_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t v;

	if (!i8042_access_ok(k, offset, size))
		return io_mask(size);
	pthread_mutex_lock(&k->lock);
	v = i8042_read_data(k);
	i8042_finish(k, false);
	return v;
}

static void i8042_data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct i8042 *k = opaque;
	bool reset;

	if (!i8042_access_ok(k, offset, size))
		return;
	pthread_mutex_lock(&k->lock);
	reset = i8042_write_data(k, (uint8_t)value);
	i8042_finish(k, reset);
}

static uint64_t i8042_cmd_read(void *opaque, uint64_t offset, unsigned size)
{
	struct i8042 *k = opaque;
	uint8_t v;

	if (!i8042_access_ok(k, offset, size))
		return io_mask(size);
	pthread_mutex_lock(&k->lock);
	v = i8042_status(k);
	pthread_mutex_unlock(&k->lock);
	return v;
}

static void i8042_cmd_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct i8042 *k = opaque;
	bool reset;

	if (!i8042_access_ok(k, offset, size))
		return;
	pthread_mutex_lock(&k->lock);
	reset = i8042_write_cmd(k, (uint8_t)value);
	i8042_finish(k, reset);
}

const struct io_dev_ops i8042_data_io_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
};

const struct io_dev_ops i8042_cmd_io_ops = {
    .read = i8042_cmd_read,
    .write = i8042_cmd_write,
};
