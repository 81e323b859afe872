/* Queue notifications as eventfds on the I/O thread's ring. */
#include "virtio/kick.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"

static void virtio_kick_ready(struct io_watch *w)
{
	struct virtio_kick_q *kq = container_of(w, struct virtio_kick_q, watch);
	uint64_t v;

	/* Drain the counter first so a kick during processing is not lost. */
	if (read(w->fd, &v, sizeof(v)) != sizeof(v))
		return;
	virtio_dev_process(kq->k->dev, kq->q);
}

static void virtio_kick_hook(void *opaque, unsigned q)
{
	struct virtio_kick *k = opaque;
	uint64_t one = 1;

	if (write(k->qs[q].watch.fd, &one, sizeof(one)) != sizeof(one))
		log_err("%s: queue %u kick lost: %s", k->dev->ops->name, q, strerror(errno));
}

int virtio_kick_attach(struct virtio_kick *k, struct virtio_dev *dev, struct iothread *t)
{
	unsigned i;
	int ret;

	memset(k, 0, sizeof(*k));
	k->qs = calloc(dev->num_queues, sizeof(*k->qs));
	if (!k->qs)
		return -ENOMEM;
	k->dev = dev;
	k->t = t;
	for (i = 0; i < dev->num_queues; i++) {
		int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (fd < 0) {
			ret = -errno;
			goto err;
		}
		k->qs[i].k = k;
		k->qs[i].q = i;
		k->n = i + 1;
		ret = iothread_watch(t, &k->qs[i].watch, fd, virtio_kick_ready);
		if (ret < 0) {
			close(fd);
			k->n = i;
			goto err;
		}
	}
	dev->kick_opaque = k;
	dev->kick_hook = virtio_kick_hook;
	return 0;
err:
	virtio_kick_detach(k);
	return ret;
}

void virtio_kick_detach(struct virtio_kick *k)
{
	unsigned i;

	if (k->dev && k->dev->kick_opaque == k) {
		k->dev->kick_hook = NULL;
		k->dev->kick_opaque = NULL;
	}
	for (i = 0; i < k->n; i++) {
		if (iothread_unwatch(k->t, &k->qs[i].watch) < 0)
			log_err("%s: queue %u watch not removed", k->dev->ops->name, i);
		close(k->qs[i].watch.fd);
	}
	free(k->qs);
	k->qs = NULL;
	k->n = 0;
}

int virtio_kick_fd(const struct virtio_kick *k, unsigned q)
{
	return q < k->n ? k->qs[q].watch.fd : -EINVAL;
}
