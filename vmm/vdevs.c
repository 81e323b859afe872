#include "vmm/vdevs.h"

#include <errno.h>
#include <linux/virtio_mmio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "seccomp/seccomp.h"
#include "vmm/machine.h"

/* Upper bound on waiting for in-flight I/O at shutdown. */
#define VDEVS_DRAIN_NS (10ULL * 1000000000ULL)
#define VDEVS_RING_ENTRIES 256

unsigned vdevs_count(const struct vmm_config *cfg)
{
	return cfg->ndrives + cfg->nnets + (cfg->rng ? 1 : 0);
}

/* An irqfd-backed line: each rising level is one edge for the guest. */
static void vdev_irqfd_set(void *opaque, unsigned gsi, bool level)
{
	struct vdev *d = opaque;
	uint64_t one = 1;

	if (level && write(d->irqfd, &one, sizeof(one)) < 0)
		log_debug("virtio irqfd write failed for GSI %u", gsi);
}

static const struct irq_sink_ops vdev_irqfd_ops = {.set_level = vdev_irqfd_set};

static void vdev_setup_irq(struct vdev *d, struct machine *m)
{
	d->irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->irqfd >= 0 && m->accel->add_irqfd && m->accel->add_irqfd(m->vm, d->gsi, d->irqfd) == 0) {
		d->irq = (struct irq_line){.ops = &vdev_irqfd_ops, .opaque = d, .gsi = d->gsi};
		d->edge = true;
		return;
	}
	/* No irqfd (the JIT): the machine's level-triggered line. */
	if (d->irqfd >= 0)
		close(d->irqfd);
	d->irqfd = -1;
	d->irq = m->irq_sink;
	d->irq.gsi = d->gsi;
	d->edge = false;
}

static const char *vdev_flag(enum vdev_kind k)
{
	return k == VDEV_BLK ? "--drive" : k == VDEV_NET ? "--net" : "--rng";
}

/* Parse the option and open the backend; one clear message on failure. */
static int vdev_init_device(struct vdevs *v, struct vdev *d, struct machine *m)
{
	char err[256] = "";
	int ret;

	switch (d->kind) {
	case VDEV_BLK: {
		struct virtio_blk_opts o;

		ret = virtio_blk_parse(d->spec, &o, err, sizeof(err));
		if (ret == 0) {
			o.num_queues = m->ncpus; /* one request queue per vCPU */
			ret = virtio_blk_init(&d->blk, &o, &m->mem, &v->io);
			d->dev = &d->blk.dev;
		}
		break;
	}
	case VDEV_NET: {
		struct virtio_net_opts o;

		ret = virtio_net_parse(d->spec, &o, err, sizeof(err));
		if (ret == 0) {
			ret = virtio_net_init(&d->net, &o, &m->mem, &v->io);
			d->dev = &d->net.dev;
		}
		break;
	}
	case VDEV_RNG: {
		struct virtio_rng_opts o;

		ret = virtio_rng_parse(d->spec, &o, err, sizeof(err));
		if (ret == 0) {
			ret = virtio_rng_init(&d->rng, &o, &m->mem, &v->io);
			d->dev = &d->rng.dev;
		}
		break;
	}
	default:
		ret = -EINVAL;
	}
	if (ret < 0) {
		/* The device code logs its own open failures; parse errors are ours. */
		if (err[0])
			log_err("%s: %s", vdev_flag(d->kind), err);
		else
			log_err("%s %s: cannot set up the device: %s", vdev_flag(d->kind), d->spec,
				strerror(-ret));
		return ret;
	}
	d->inited = true;
	return 0;
}

static int vdev_add(struct vdevs *v, struct machine *m, enum vdev_kind kind, const char *opt,
		    const struct vdev_slot *slot)
{
	struct vdev *d = &v->d[v->n];
	static const char *const names[] = {"virtio-blk", "virtio-net", "virtio-rng"};
	int ret;

	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->irqfd = -1;
	d->base = slot->base;
	d->gsi = slot->gsi;
	d->spec = strdup(opt);
	if (!d->spec)
		return -ENOMEM;
	v->n++;
	ret = vdev_init_device(v, d, m);
	if (ret < 0)
		return ret;
	vdev_setup_irq(d, m);
	virtio_mmio_init(&d->mmio, d->dev, &d->irq);
	ret = io_bus_register(&m->mmio, d->base, VIRTIO_MMIO_WINDOW, &virtio_mmio_io_ops, &d->mmio,
			      names[kind]);
	if (ret < 0)
		return ret;
	/* Queue processing runs on the I/O thread: kicks go to eventfds it watches. */
	ret = virtio_kick_attach(&d->kick, d->dev, &v->io);
	if (ret < 0) {
		log_err("%s: cannot attach to the I/O thread: %s", vdev_flag(kind), strerror(-ret));
		return ret;
	}
	d->kick_attached = true;
	return 0;
}

static int vdevs_thread_init(void *opaque)
{
	const struct vmm_config *cfg = opaque;

	return seccomp_install(SECCOMP_THREAD_IO, cfg->seccomp);
}

int vdevs_create(struct vdevs *v, struct machine *m, const struct vdev_slot *slots)
{
	const struct vmm_config *cfg = m->cfg;
	unsigned i, s = 0;
	int ret;

	memset(v, 0, sizeof(*v));
	if (vdevs_count(cfg) == 0)
		return 0;
	ret = iothread_init(&v->io, VDEVS_RING_ENTRIES);
	if (ret < 0) {
		log_err("cannot set up io_uring for the virtio devices: %s", strerror(-ret));
		return ret;
	}
	v->io_inited = true;
	v->io.thread_init = vdevs_thread_init;
	v->io.thread_init_opaque = (void *)cfg;
	for (i = 0; i < cfg->ndrives; i++)
		if ((ret = vdev_add(v, m, VDEV_BLK, cfg->drives[i], &slots[s++])) < 0)
			return ret;
	for (i = 0; i < cfg->nnets; i++)
		if ((ret = vdev_add(v, m, VDEV_NET, cfg->nets[i], &slots[s++])) < 0)
			return ret;
	if (cfg->rng && (ret = vdev_add(v, m, VDEV_RNG, cfg->rng, &slots[s++])) < 0)
		return ret;
	return 0;
}

int vdevs_start(struct vdevs *v, struct machine *m)
{
	unsigned i, q;
	int ret;

	if (!v->io_inited)
		return 0;
	for (i = 0; i < v->n; i++) {
		struct vdev *d = &v->d[i];

		/*
		 * virtio 1.2 §4.2.2: the driver writes the queue index to
		 * QueueNotify; one ioeventfd per queue with that datamatch. Where
		 * the accelerator has none, the MMIO handler kicks the same fd.
		 */
		for (q = 0; q < d->dev->num_queues; q++) {
			ret = m->accel->add_ioeventfd(m->vm, false, d->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4,
						      virtio_kick_fd(&d->kick, q), true, q);
			if (ret == -ENOTSUP)
				break;
			if (ret < 0)
				return ret;
		}
	}
	ret = iothread_start(&v->io);
	if (ret < 0) {
		log_err("cannot start the I/O thread: %s", strerror(-ret));
		return ret;
	}
	v->io_started = true;
	return 0;
}

static void vdev_drain(struct vdev *d)
{
	int ret = 0;

	if (!d->inited)
		return;
	if (d->kind == VDEV_BLK)
		ret = virtio_blk_drain(&d->blk, VDEVS_DRAIN_NS);
	else if (d->kind == VDEV_NET)
		ret = virtio_net_drain(&d->net, VDEVS_DRAIN_NS);
	if (ret < 0)
		log_warn("%s %s: in-flight requests did not complete: %s", vdev_flag(d->kind),
			 d->spec, strerror(-ret));
}

static void vdev_fini(struct vdev *d)
{
	if (d->inited) {
		if (d->kind == VDEV_BLK)
			virtio_blk_fini(&d->blk);
		else if (d->kind == VDEV_NET)
			virtio_net_fini(&d->net);
		else
			virtio_rng_fini(&d->rng);
		virtio_mmio_fini(&d->mmio);
	}
	if (d->irqfd >= 0)
		close(d->irqfd);
	free(d->spec);
}

void vdevs_destroy(struct vdevs *v)
{
	unsigned i;

	/* The order virtio/README.md gives: stop, drain, detach, ring, devices. */
	if (v->io_started)
		iothread_stop(&v->io);
	for (i = 0; i < v->n; i++)
		vdev_drain(&v->d[i]);
	for (i = 0; i < v->n; i++)
		if (v->d[i].kick_attached)
			virtio_kick_detach(&v->d[i].kick);
	if (v->io_inited)
		iothread_fini(&v->io);
	for (i = 0; i < v->n; i++)
		vdev_fini(&v->d[i]);
	memset(v, 0, sizeof(*v));
}
