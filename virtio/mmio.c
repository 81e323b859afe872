/*
 * virtio-mmio v2 register file, virtio 1.2 §4.2.2. Every offset, size and
 * value here comes from the guest.
 */
#include "virtio/mmio.h"

#include <string.h>

#include "common/log.h"

static void virtio_mmio_signal(void *opaque, enum virtio_irq cause, unsigned q)
{
	struct virtio_mmio *m = opaque;

	/* The lock keeps the status word and the line level in step. */
	pthread_mutex_lock(&m->irq_lock);
	m->isr |= cause == VIRTIO_IRQ_CONFIG ? VIRTIO_MMIO_INT_CONFIG : VIRTIO_MMIO_INT_VRING;
	irq_line_set(&m->irq, true);
	pthread_mutex_unlock(&m->irq_lock);
}

static void virtio_mmio_ack(struct virtio_mmio *m, uint32_t bits)
{
	pthread_mutex_lock(&m->irq_lock);
	m->isr &= ~bits;
	if (!m->isr)
		irq_line_set(&m->irq, false);
	pthread_mutex_unlock(&m->irq_lock);
}

uint32_t virtio_mmio_isr(struct virtio_mmio *m)
{
	uint32_t v;

	pthread_mutex_lock(&m->irq_lock);
	v = m->isr;
	pthread_mutex_unlock(&m->irq_lock);
	return v;
}

void virtio_mmio_init(struct virtio_mmio *m, struct virtio_dev *dev, const struct irq_line *irq)
{
	memset(m, 0, sizeof(*m));
	m->dev = dev;
	if (irq)
		m->irq = *irq;
	pthread_mutex_init(&m->irq_lock, NULL);
	dev->tr.signal = virtio_mmio_signal;
	dev->tr.opaque = m;
}

void virtio_mmio_fini(struct virtio_mmio *m)
{
	pthread_mutex_destroy(&m->irq_lock);
}

static struct virtq *virtio_mmio_vq(struct virtio_mmio *m)
{
	return m->queue_sel < m->dev->num_queues ? &m->dev->vq[m->queue_sel] : NULL;
}

static uint32_t virtio_mmio_read_queue(struct virtio_mmio *m, uint64_t off)
{
	struct virtq *vq = virtio_mmio_vq(m);

	if (!vq)
		return 0; /* §4.2.2: QueueNumMax 0 says the queue does not exist */
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return m->dev->queue_max;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq->enabled;
	case VIRTIO_MMIO_QUEUE_NUM:
		return vq->num;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return (uint32_t)vq->desc_gpa;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return (uint32_t)(vq->desc_gpa >> 32);
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return (uint32_t)vq->avail_gpa;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		return (uint32_t)(vq->avail_gpa >> 32);
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return (uint32_t)vq->used_gpa;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return (uint32_t)(vq->used_gpa >> 32);
	}
	return 0;
}

static uint32_t virtio_mmio_read_reg(struct virtio_mmio *m, uint64_t off)
{
	struct virtio_dev *dev = m->dev;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return 0x74726976; /* "virt", §4.2.2 */
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return m->dev_features_sel > 1
			   ? 0
			   : (uint32_t)(dev->host_features >> (32 * m->dev_features_sel));
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return virtio_mmio_isr(m);
	case VIRTIO_MMIO_STATUS:
		return atomic_load(&dev->status);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return atomic_load(&dev->config_generation);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return virtio_mmio_read_queue(m, off);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return ~0u; /* §4.2.2: no shared memory region at this index */
	}
	guest_err(&dev->guest_errors, "%s: mmio read of register 0x%llx", dev->ops->name,
		  (unsigned long long)off);
	return 0;
}

static uint64_t virtio_mmio_read(void *opaque, uint64_t off, unsigned size)
{
	struct virtio_mmio *m = opaque;
	uint64_t v = 0;

	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_dev_lock(m->dev);
		virtio_dev_config_read(m->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG), &v, size);
		virtio_dev_unlock(m->dev);
		return v;
	}
	/* §4.2.2.2: control registers are 32 bits wide and aligned. */
	if (size != 4 || (off & 3)) { /* guest-controlled */
		guest_err(&m->dev->guest_errors, "%s: mmio read size %u at 0x%llx",
			  m->dev->ops->name, size, (unsigned long long)off);
		return 0;
	}
	return virtio_mmio_read_reg(m, off);
}

static void virtio_mmio_write_queue(struct virtio_mmio *m, uint64_t off, uint32_t val)
{
	struct virtio_dev *dev = m->dev;
	struct virtq *vq = virtio_mmio_vq(m);

	if (!vq) {
		guest_err(&dev->guest_errors, "%s: write to missing queue %u", dev->ops->name,
			  m->queue_sel);
		return;
	}
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		virtio_dev_queue_ready(dev, m->queue_sel, val & 1);
		return;
	}
	/* §4.2.2.3: queue layout is written only while the queue is not ready. */
	if (vq->enabled) {
		guest_err(&dev->guest_errors, "%s: queue %u layout write while ready",
			  dev->ops->name, m->queue_sel);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		vq->num = val > 0xffff ? 0 : (uint16_t)val; /* checked at ready */
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		vq->desc_gpa = (vq->desc_gpa & ~0xffffffffULL) | val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		vq->desc_gpa = (vq->desc_gpa & 0xffffffffULL) | ((uint64_t)val << 32);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		vq->avail_gpa = (vq->avail_gpa & ~0xffffffffULL) | val;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		vq->avail_gpa = (vq->avail_gpa & 0xffffffffULL) | ((uint64_t)val << 32);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		vq->used_gpa = (vq->used_gpa & ~0xffffffffULL) | val;
		break;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		vq->used_gpa = (vq->used_gpa & 0xffffffffULL) | ((uint64_t)val << 32);
		break;
	}
}

static void virtio_mmio_write_reg(struct virtio_mmio *m, uint64_t off, uint32_t val)
{
	struct virtio_dev *dev = m->dev;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->dev_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->drv_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_dev_set_driver_features(dev, m->drv_features_sel, val);
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = val;
		return;
	case VIRTIO_MMIO_STATUS:
		virtio_dev_set_status(dev, (uint8_t)val);
		if (val == 0)
			virtio_mmio_ack(m, ~0u); /* reset clears InterruptStatus */
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		virtio_mmio_write_queue(m, off, val);
		return;
	}
	guest_err(&dev->guest_errors, "%s: mmio write 0x%x to register 0x%llx", dev->ops->name, val,
		  (unsigned long long)off);
}

static void virtio_mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
	struct virtio_mmio *m = opaque;

	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_dev_lock(m->dev);
		virtio_dev_config_write(m->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG), &value, size);
		virtio_dev_unlock(m->dev);
		return;
	}
	if (size != 4 || (off & 3)) { /* guest-controlled, §4.2.2.2 */
		guest_err(&m->dev->guest_errors, "%s: mmio write size %u at 0x%llx",
			  m->dev->ops->name, size, (unsigned long long)off);
		return;
	}
	/* Notify and ACK take their own locks; the device runs unlocked here. */
	if (off == VIRTIO_MMIO_QUEUE_NOTIFY) {
		virtio_dev_kick(m->dev, (uint32_t)value);
		return;
	}
	if (off == VIRTIO_MMIO_INTERRUPT_ACK) {
		virtio_mmio_ack(m, (uint32_t)value);
		return;
	}
	virtio_dev_lock(m->dev);
	virtio_mmio_write_reg(m, off, (uint32_t)value);
	virtio_dev_unlock(m->dev);
}

const struct io_dev_ops virtio_mmio_io_ops = {
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
};
