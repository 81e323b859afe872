/*
 * virtio-mmio transport and the device core, driven through io_dev_ops by
 * the test driver, with a fake device that fills writable buffers with 0xab.
 */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"

struct fake {
	struct virtio_dev dev;
	unsigned notifies, resets, activates;
	uint32_t cfg;
};

static void fake_process(struct virtio_dev *dev, unsigned q)
{
	struct fake *f = container_of(dev, struct fake, dev);
	struct iovec iov[8];
	struct virtq_req req = {.iov = iov, .iov_max = 8};
	int ret;

	f->notifies++;
	while ((ret = virtq_pop(&dev->vq[q], &req)) == 1) {
		for (unsigned i = 0; i < req.n_in; i++)
			memset(iov[req.n_out + i].iov_base, 0xab, iov[req.n_out + i].iov_len);
		virtq_push(&dev->vq[q], req.head, req.in_len);
	}
	if (ret < 0)
		virtio_dev_needs_reset(dev);
	virtio_dev_signal_used(dev, q);
}

static void fake_config_read(struct virtio_dev *dev, uint32_t off, void *buf, unsigned len)
{
	struct fake *f = container_of(dev, struct fake, dev);

	memcpy(buf, (uint8_t *)&f->cfg + off, len);
}

static void fake_reset(struct virtio_dev *dev)
{
	container_of(dev, struct fake, dev)->resets++;
}

static int fake_activate(struct virtio_dev *dev)
{
	container_of(dev, struct fake, dev)->activates++;
	return 0;
}

static const struct virtio_dev_ops fake_ops = {
    .name = "fake",
    .device_id = VIRTIO_ID_RNG,
    .config_read = fake_config_read,
    .queue_notify = fake_process,
    .reset = fake_reset,
    .activate = fake_activate,
};

static int irq_level, irq_edges;

static void sink_set(void *opaque, unsigned gsi, bool level)
{
	if (level && !irq_level)
		irq_edges++;
	irq_level = level;
}

static const struct irq_sink_ops sink_ops = {.set_level = sink_set};

#define FEAT_OK (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX))

struct fx {
	struct vdrv d;
	struct vdrv_q dq;
	struct fake f;
	struct virtio_mmio m;
};

static void fx_init(struct fx *x)
{
	struct irq_line line = {.ops = &sink_ops, .gsi = 5};

	memset(x, 0, sizeof(*x));
	irq_level = irq_edges = 0;
	CHECK_EQ(vdrv_init(&x->d), 0);
	vdrv_q_init(&x->d, &x->dq, 16);
	CHECK_EQ(virtio_dev_init(&x->f.dev, &fake_ops, &x->d.gm, 1, 64,
				 VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), sizeof(uint32_t)),
		 0);
	x->f.cfg = 0x11223344;
	virtio_mmio_init(&x->m, &x->f.dev, &line);
}

static void fx_fini(struct fx *x)
{
	virtio_mmio_fini(&x->m);
	virtio_dev_fini(&x->f.dev);
	vdrv_fini(&x->d);
}

static void test_identity(void)
{
	struct fx x;

	fx_init(&x);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	CHECK_EQ(vmmio_device_features(&x.m), FEAT_OK);
	vmmio_wr(&x.m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 7);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_NUM_MAX), 64);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_SEL, 1); /* no such queue */
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	/* Config space: any width inside, zero and an error outside. */
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG, 4), 0x11223344);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG + 1, 2), 0x2233);
	CHECK_EQ(x.f.dev.guest_errors, 0);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG + 2, 4), 0);
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_WINDOW - 4, 4), 0);
	CHECK_EQ(x.f.dev.guest_errors, 2);
	fx_fini(&x);
}

static void test_handshake(void)
{
	struct fx x;

	fx_init(&x);
	/* Unoffered feature bit 20: FEATURES_OK does not stick (§3.1.1). */
	CHECK(!vmmio_negotiate(&x.m, FEAT_OK | (1ULL << 20)));
	/* A legacy driver (no VERSION_1) is refused. */
	CHECK(!vmmio_negotiate(&x.m, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX)));
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	CHECK_EQ(x.f.dev.driver_features, FEAT_OK);
	/* Features are frozen after FEATURES_OK. */
	vmmio_wr(&x.m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vmmio_wr(&x.m, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	CHECK_EQ(x.f.dev.driver_features, FEAT_OK);
	/* Clearing a status bit without reset is refused. */
	vmmio_wr(&x.m, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	vmmio_queue(&x.m, 0, &x.dq);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_NUM), 16);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)x.dq.desc);
	/* Layout writes while ready are ignored. */
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NUM, 8);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_NUM), 16);
	vmmio_driver_ok(&x.m);
	CHECK_EQ(x.f.activates, 1);
	CHECK(virtio_dev_live(&x.f.dev));
	/* Reset: status 0, queue gone, device told. */
	vmmio_wr(&x.m, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_NUM), 0);
	CHECK(x.f.resets >= 1);
	CHECK(x.f.dev.guest_errors >= 4);
	fx_fini(&x);
}

static void test_io(void)
{
	struct fx x;
	uint64_t buf;
	uint32_t id = ~0u, len = ~0u;
	uint16_t head;

	fx_init(&x);
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	vmmio_queue(&x.m, 0, &x.dq);
	vmmio_driver_ok(&x.m);
	buf = vdrv_alloc(&x.d, 32, 8);
	head = vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{buf, 32, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(x.f.notifies, 1);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, 32);
	CHECK_EQ(((uint8_t *)vdrv_host(&x.d, buf))[31], 0xab);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(vmmio_take_irq(&x.m), VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 0);
	/* Notify for a queue that does not exist: counted, nothing runs. */
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 99);
	CHECK_EQ(x.f.notifies, 1);
	CHECK_EQ(x.f.dev.guest_errors, 1);
	/* Narrow or misaligned register accesses are refused. */
	virtio_mmio_io_ops.write(&x.m, VIRTIO_MMIO_STATUS, 0, 1);
	virtio_mmio_io_ops.write(&x.m, VIRTIO_MMIO_STATUS + 2, 0, 4);
	CHECK(virtio_dev_live(&x.f.dev));
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	CHECK_EQ(x.f.dev.guest_errors, 4);
	/* Writes to read-only registers are counted. */
	vmmio_wr(&x.m, VIRTIO_MMIO_MAGIC_VALUE, 1);
	CHECK_EQ(x.f.dev.guest_errors, 5);
	/* A malformed chain: NEEDS_RESET and a config interrupt (§2.1.2). */
	vdrv_set_desc(vdrv_desc(&x.d, &x.dq, 5), buf, 8, VRING_DESC_F_NEXT, 5);
	vdrv_publish(&x.d, &x.dq, 5);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	CHECK(vmmio_take_irq(&x.m) & VIRTIO_MMIO_INT_CONFIG);
	CHECK(!virtio_dev_live(&x.f.dev));
	/* Further kicks do nothing until the driver resets. */
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(x.f.notifies, 2);
	/* After reset and a fresh set-up the device works again. */
	vdrv_q_init(&x.d, &x.dq, 16);
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	vmmio_queue(&x.m, 0, &x.dq);
	vmmio_driver_ok(&x.m);
	head = vdrv_add(&x.d, &x.dq, (struct vdrv_buf[]){{buf, 8, true}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(vdrv_get_used(&x.d, &x.dq, &id, &len));
	CHECK_EQ(id, head);
	fx_fini(&x);
}

static void test_bad_queue(void)
{
	struct fx x;

	fx_init(&x);
	/* Queue ready before FEATURES_OK is ignored. */
	vmmio_queue(&x.m, 0, &x.dq);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	/* Size not a power of two: the queue stays off, device needs reset. */
	x.dq.num = 12;
	vmmio_queue(&x.m, 0, &x.dq);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Ring outside RAM. */
	x.dq.num = 16;
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	x.dq.used = 0xdead0000ULL << 16;
	vmmio_queue(&x.m, 0, &x.dq);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* DRIVER_OK without FEATURES_OK is refused. */
	vmmio_wr(&x.m, VIRTIO_MMIO_STATUS, 0);
	vmmio_wr(&x.m, VIRTIO_MMIO_STATUS,
		 VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
	CHECK(!(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK));
	CHECK_EQ(x.f.activates, 0);
	CHECK(x.f.dev.guest_errors >= 4);
	fx_fini(&x);
}

static unsigned hook_calls, hook_q;

static void hook(void *opaque, unsigned q)
{
	hook_calls++;
	hook_q = q;
}

static void test_kick_hook(void)
{
	struct fx x;

	fx_init(&x);
	CHECK(vmmio_negotiate(&x.m, FEAT_OK));
	vmmio_queue(&x.m, 0, &x.dq);
	vmmio_driver_ok(&x.m);
	x.f.dev.kick_hook = hook;
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(hook_calls, 1);
	CHECK_EQ(hook_q, 0);
	CHECK_EQ(x.f.notifies, 0);
	virtio_dev_process(&x.f.dev, 0);
	CHECK_EQ(x.f.notifies, 1);
	/* Config change: generation moves and a config interrupt is raised. */
	virtio_dev_config_changed(&x.f.dev);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	CHECK(vmmio_take_irq(&x.m) & VIRTIO_MMIO_INT_CONFIG);
	fx_fini(&x);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_identity();
	test_handshake();
	test_io();
	test_bad_queue();
	test_kick_hook();
	return test_result("test_mmio");
}
