/* i8042 controller driven through its two ports, as Linux's i8042 driver does. */
#include "hw/i8042.h"
#include "tests/test.h"
#include "tests/unit/hw/fakes.h"

#define STR_OBF	    0x01
#define STR_SYS	    0x04
#define STR_CMD	    0x08
#define STR_KEYLOCK 0x10
#define STR_TIMEOUT 0x40

static struct fake_irq irq_state;
static struct fake_stop stop_state;

static struct i8042 *setup(void)
{
	struct irq_line irq = fake_irq_line(&irq_state, 1);
	struct vm_stop stop = fake_vm_stop(&stop_state);
	struct i8042 *k;

	irq_state = (struct fake_irq){0};
	stop_state = (struct fake_stop){0};
	k = i8042_create(&irq, &stop);
	CHECK(k != NULL);
	return k;
}

static uint8_t status(struct i8042 *k)
{
	return (uint8_t)i8042_cmd_io_ops.read(k, 0, 1);
}

static void command(struct i8042 *k, uint8_t cmd)
{
	i8042_cmd_io_ops.write(k, 0, cmd, 1);
}

static uint8_t data_rd(struct i8042 *k)
{
	return (uint8_t)i8042_data_io_ops.read(k, 0, 1);
}

static void data_wr(struct i8042 *k, uint8_t v)
{
	i8042_data_io_ops.write(k, 0, v, 1);
}

/* One command with a one-byte answer, the way i8042_command() polls. */
static int query(struct i8042 *k, uint8_t cmd)
{
	command(k, cmd);
	if (!(status(k) & STR_OBF))
		return -1;
	return data_rd(k);
}

static void test_probe(void)
{
	struct i8042 *k = setup();
	uint8_t s = status(k);

	CHECK(s != 0xff); /* "no controller" to Linux */
	CHECK_EQ(s & STR_OBF, 0);
	CHECK_EQ(s & STR_KEYLOCK, STR_KEYLOCK); /* no "Keylock active" warning */
	CHECK_EQ(query(k, 0xaa), 0x55);		/* controller self-test */
	CHECK_EQ(status(k) & (STR_OBF | STR_SYS), STR_SYS);
	CHECK_EQ(query(k, 0xab), 0x00); /* keyboard interface test */
	CHECK_EQ(query(k, 0xa9), 0x02); /* no aux port: clock stuck high */
	/* The command byte reads stably and writes back. */
	CHECK_EQ(query(k, 0x20), 0x45);
	CHECK_EQ(query(k, 0x20), 0x45);
	command(k, 0x60);
	CHECK_EQ(status(k) & STR_CMD, STR_CMD);
	data_wr(k, 0x44);
	CHECK_EQ(status(k) & (STR_CMD | STR_OBF), 0);
	CHECK_EQ(query(k, 0x20), 0x44);
	command(k, 0xad);
	CHECK_EQ(query(k, 0x20), 0x54);
	command(k, 0xae);
	command(k, 0xa7);
	CHECK_EQ(query(k, 0x20), 0x64);
	command(k, 0xa8);
	CHECK_EQ(query(k, 0x20), 0x44);
	/* Other RAM bytes. */
	command(k, 0x65);
	data_wr(k, 0x99);
	CHECK_EQ(query(k, 0x25), 0x99);
	CHECK_EQ(stop_state.requests, 0);
	i8042_destroy(k);
}

static void test_irq_and_keyboard(void)
{
	struct i8042 *k = setup();

	/* KBDINT is on: an answer raises IRQ 1 until it is read. */
	command(k, 0xaa);
	CHECK(irq_state.level);
	CHECK_EQ(data_rd(k), 0x55);
	CHECK(!irq_state.level);
	CHECK_EQ(data_rd(k), 0x55); /* stale byte, OBF stays clear */
	CHECK_EQ(status(k) & STR_OBF, 0);
	/* A byte for the absent keyboard times out with 0xff. */
	data_wr(k, 0xf2);
	CHECK_EQ(status(k) & (STR_OBF | STR_TIMEOUT), STR_OBF | STR_TIMEOUT);
	CHECK(irq_state.level);
	CHECK_EQ(data_rd(k), 0xff);
	CHECK_EQ(status(k) & (STR_OBF | STR_TIMEOUT), 0);
	/* With KBDINT off the line stays low. */
	command(k, 0x60);
	data_wr(k, 0x44);
	command(k, 0x20);
	CHECK(!irq_state.level);
	CHECK_EQ(data_rd(k), 0x44);
	/* 0xd2 echoes the next data byte as keyboard data. */
	command(k, 0xd2);
	data_wr(k, 0x5a);
	CHECK_EQ(status(k) & (STR_OBF | STR_TIMEOUT), STR_OBF);
	CHECK_EQ(data_rd(k), 0x5a);
	CHECK_EQ(irq_state.rises, 2);
	CHECK_EQ(irq_state.falls, 2);
	i8042_destroy(k);
}

static void test_reset(void)
{
	struct i8042 *k = setup();
	const struct i8042_counters *c = i8042_counters(k);

	command(k, 0xff); /* pulse nothing */
	command(k, 0xfd); /* pulse bit 1 (A20), not reset */
	CHECK_EQ(stop_state.requests, 0);
	CHECK_EQ(query(k, 0xd0) & 0x03, 0x03);
	command(k, 0xd1);
	data_wr(k, 0x03); /* reset line stays high */
	CHECK_EQ(stop_state.requests, 0);
	command(k, 0xfe);
	CHECK_EQ(stop_state.requests, 1);
	CHECK_EQ(stop_state.reason, VM_STOP_RESET);
	command(k, 0xd1);
	data_wr(k, 0x02); /* reset line low */
	CHECK_EQ(stop_state.requests, 2);
	CHECK_EQ(stop_state.reason, VM_STOP_RESET);
	command(k, 0xf0);
	CHECK_EQ(stop_state.requests, 3);
	CHECK_EQ(atomic_load(&c->resets), 3);
	i8042_destroy(k);
}

static void test_oddities(void)
{
	struct i8042 *k = setup();
	const struct i8042_counters *c = i8042_counters(k);

	command(k, 0xc0);
	command(k, 0xd4);
	CHECK_EQ(atomic_load(&c->unknown_cmd), 2);
	CHECK_EQ(status(k) & STR_OBF, 0);
	CHECK_EQ(i8042_data_io_ops.read(k, 0, 2), 0xffff);
	CHECK_EQ(i8042_cmd_io_ops.read(k, 1, 1), 0xff);
	i8042_cmd_io_ops.write(k, 0, 0xfe, 4);
	i8042_data_io_ops.write(k, 0, 0xf2, 2);
	CHECK_EQ(atomic_load(&c->bad_access), 4);
	CHECK_EQ(stop_state.requests, 0);
	CHECK_EQ(status(k) & STR_OBF, 0);
	/* A command cancels a pending data byte: this one goes to the keyboard. */
	command(k, 0x60);
	command(k, 0xae);
	data_wr(k, 0x00);
	CHECK_EQ(query(k, 0x20), 0x45);
	i8042_destroy(k);
	/* No irq line and no stop requester. */
	k = i8042_create(NULL, NULL);
	CHECK(k != NULL);
	command(k, 0xfe);
	CHECK_EQ(query(k, 0xaa), 0x55);
	i8042_destroy(k);
}

int main(void)
{
	test_probe();
	test_irq_and_keyboard();
	test_reset();
	test_oddities();
	return test_result("i8042");
}
