/*
 * Device status, feature negotiation and queue set-up common to every
 * transport: virtio 1.2 §2.1 (status), §2.2 (features), §3.1.1 (driver
 * initialisation sequence), §2.4 (reset).
 */
#include "virtio/virtio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

int virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops,
		    const struct guest_mem *gm, unsigned num_queues, uint16_t queue_max,
		    uint64_t host_features, uint32_t config_size)
{
	unsigned i;

	if (!ops || !ops->queue_notify || !gm || num_queues == 0 || queue_max == 0 ||
	    (queue_max & (queue_max - 1)))
		return -EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->vq = calloc(num_queues, sizeof(*dev->vq));
	if (!dev->vq)
		return -ENOMEM;
	dev->ops = ops;
	dev->gm = gm;
	dev->num_queues = num_queues;
	dev->queue_max = queue_max;
	dev->host_features = host_features | VIRTIO_BIT(VIRTIO_F_VERSION_1);
	dev->config_size = config_size;
	for (i = 0; i < num_queues; i++)
		dev->vq[i].errors = &dev->guest_errors;
	pthread_mutex_init(&dev->lock, NULL);
	return 0;
}

void virtio_dev_fini(struct virtio_dev *dev)
{
	if (!dev->vq)
		return;
	pthread_mutex_destroy(&dev->lock);
	free(dev->vq);
	dev->vq = NULL;
}

void virtio_dev_lock(struct virtio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
}

void virtio_dev_unlock(struct virtio_dev *dev)
{
	pthread_mutex_unlock(&dev->lock);
}

static void virtio_dev_reset(struct virtio_dev *dev)
{
	unsigned i;

	if (dev->ops->reset)
		dev->ops->reset(dev);
	for (i = 0; i < dev->num_queues; i++) {
		virtq_disable(&dev->vq[i]);
		virtq_reset(&dev->vq[i]);
	}
	dev->driver_features = 0;
	atomic_store(&dev->status, 0);
}

/* §3.1.1 step 5: accept FEATURES_OK only for a subset that includes VERSION_1. */
static bool virtio_dev_features_ok(struct virtio_dev *dev)
{
	uint64_t f = dev->driver_features; /* guest-controlled */

	if (f & ~dev->host_features) {
		guest_err(&dev->guest_errors, "%s: driver accepted unoffered features 0x%llx",
			  dev->ops->name, (unsigned long long)(f & ~dev->host_features));
		return false;
	}
	if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		/* §6.1: a modern-only device may refuse a legacy driver. */
		guest_err(&dev->guest_errors, "%s: driver did not accept VERSION_1",
			  dev->ops->name);
		return false;
	}
	return true;
}

void virtio_dev_set_status(struct virtio_dev *dev, uint8_t val)
{
	uint8_t old = atomic_load(&dev->status); /* val is guest-controlled */
	uint8_t added = val & ~old;

	if (val == 0) {
		virtio_dev_reset(dev);
		return;
	}
	/* §2.1.2: the driver never clears a status bit except by reset. */
	if (old & ~val & ~VIRTIO_CONFIG_S_NEEDS_RESET) {
		guest_err(&dev->guest_errors, "%s: status 0x%x clears bits of 0x%x", dev->ops->name,
			  val, old);
		return;
	}
	val |= old & VIRTIO_CONFIG_S_NEEDS_RESET; /* only the device sets it */
	if ((added & VIRTIO_CONFIG_S_FEATURES_OK) && !virtio_dev_features_ok(dev))
		val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !(val & VIRTIO_CONFIG_S_FEATURES_OK)) {
		guest_err(&dev->guest_errors, "%s: DRIVER_OK before FEATURES_OK", dev->ops->name);
		val &= ~VIRTIO_CONFIG_S_DRIVER_OK;
		added &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	}
	atomic_store(&dev->status, val);
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && dev->ops->activate &&
	    dev->ops->activate(dev) < 0)
		virtio_dev_needs_reset(dev);
}

void virtio_dev_set_driver_features(struct virtio_dev *dev, unsigned sel, uint32_t val)
{
	uint8_t status = atomic_load(&dev->status);

	/* §2.2.2: features are fixed once FEATURES_OK is set. */
	if (status & VIRTIO_CONFIG_S_FEATURES_OK) {
		guest_err(&dev->guest_errors, "%s: feature write after FEATURES_OK",
			  dev->ops->name);
		return;
	}
	if (sel > 1)
		return; /* no feature bits above 63 exist; writes of zero are fine */
	dev->driver_features &= ~(0xffffffffULL << (32 * sel));
	dev->driver_features |= (uint64_t)val << (32 * sel);
}

void virtio_dev_queue_ready(struct virtio_dev *dev, unsigned q, bool ready)
{
	struct virtq *vq = &dev->vq[q];
	int ret;

	if (!ready) {
		virtq_disable(vq);
		return;
	}
	if (vq->enabled)
		return;
	/* §3.1.1: queues are set up after FEATURES_OK, before DRIVER_OK. */
	if (!(atomic_load(&dev->status) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		guest_err(&dev->guest_errors, "%s: queue %u ready before FEATURES_OK",
			  dev->ops->name, q);
		return;
	}
	ret = virtq_enable(vq, dev->gm, dev->driver_features, dev->queue_max, &dev->guest_errors);
	if (ret < 0) {
		guest_err(&dev->guest_errors,
			  "%s: queue %u: bad size %u or rings 0x%llx/0x%llx/0x%llx", dev->ops->name,
			  q, vq->num, (unsigned long long)vq->desc_gpa,
			  (unsigned long long)vq->avail_gpa, (unsigned long long)vq->used_gpa);
		virtio_dev_needs_reset(dev);
	}
}

void virtio_dev_config_read(struct virtio_dev *dev, uint32_t off, void *buf, unsigned len)
{
	memset(buf, 0, len);
	if (off > dev->config_size || len > dev->config_size - off) { /* guest-controlled */
		guest_err(&dev->guest_errors, "%s: config read %u+%u beyond %u", dev->ops->name,
			  off, len, dev->config_size);
		return;
	}
	if (dev->ops->config_read)
		dev->ops->config_read(dev, off, buf, len);
}

void virtio_dev_config_write(struct virtio_dev *dev, uint32_t off, const void *buf, unsigned len)
{
	if (off > dev->config_size || len > dev->config_size - off || !dev->ops->config_write) {
		guest_err(&dev->guest_errors, "%s: config write %u+%u refused", dev->ops->name, off,
			  len);
		return;
	}
	dev->ops->config_write(dev, off, buf, len);
}

void virtio_dev_kick(struct virtio_dev *dev, unsigned q)
{
	if (q >= dev->num_queues) { /* guest-controlled */
		guest_err(&dev->guest_errors, "%s: notify for queue %u of %u", dev->ops->name, q,
			  dev->num_queues);
		return;
	}
	if (dev->kick_hook)
		dev->kick_hook(dev->kick_opaque, q);
	else
		virtio_dev_process(dev, q);
}

void virtio_dev_process(struct virtio_dev *dev, unsigned q)
{
	if (q >= dev->num_queues)
		return;
	virtio_dev_lock(dev);
	if (virtio_dev_live(dev) && dev->vq[q].enabled)
		dev->ops->queue_notify(dev, q);
	virtio_dev_unlock(dev);
}

void virtio_dev_signal_used(struct virtio_dev *dev, unsigned q)
{
	if (!virtq_need_notify(&dev->vq[q]))
		return;
	if (dev->tr.signal)
		dev->tr.signal(dev->tr.opaque, VIRTIO_IRQ_VRING, q);
}

void virtio_dev_config_changed(struct virtio_dev *dev)
{
	atomic_fetch_add(&dev->config_generation, 1);
	if ((atomic_load(&dev->status) & VIRTIO_CONFIG_S_DRIVER_OK) && dev->tr.signal)
		dev->tr.signal(dev->tr.opaque, VIRTIO_IRQ_CONFIG, 0);
}

void virtio_dev_needs_reset(struct virtio_dev *dev)
{
	uint8_t old = atomic_fetch_or(&dev->status, VIRTIO_CONFIG_S_NEEDS_RESET);

	if (old & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	{
		/* A guest can loop reset / bad ring: keep the log readable. */
		static struct ratelimit rl;

		if (ratelimit_ok(&rl))
			log_warn("%s: device needs reset", dev->ops->name);
	}
	/* §2.1.2: once DRIVER_OK is set, tell the driver with a config change. */
	if ((old & VIRTIO_CONFIG_S_DRIVER_OK) && dev->tr.signal)
		dev->tr.signal(dev->tr.opaque, VIRTIO_IRQ_CONFIG, 0);
}
