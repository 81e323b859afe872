/*
 * virtio-blk (virtio 1.2 §5.2) over a raw image file or block device, with
 * every data request carried by the I/O thread's io_uring.
 *
 * --drive file=PATH[,ro=on][,direct=on][,serial=ID][,id=NAME][,iops=N][,bw=N]
 * maps onto struct virtio_blk_opts; the machine gives one queue per vCPU.
 *
 * The device submits to the I/O thread's ring, so its queues must be served
 * on that thread: attach it with virtio_kick_attach() (see README.md).
 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_blk.h>

#include "virtio/iothread.h"
#include "virtio/ratelimit.h"
#include "virtio/virtio.h"

#define VIRTIO_BLK_QUEUE_MAX 256u
/* Data segments per request (config seg_max); header and status come on top. */
#define VIRTIO_BLK_SEG_MAX    126u
#define VIRTIO_BLK_MAX_QUEUES 64u

struct virtio_blk_opts {
	const char *path;
	bool ro;
	bool direct;	    /* O_DIRECT: bypass the host page cache */
	const char *serial; /* GET_ID answer, at most 20 bytes */
	const char *id;	    /* name in logs */
	unsigned num_queues;
	uint64_t bw;   /* bytes/s, 0 = unlimited */
	uint64_t iops; /* requests/s, 0 = unlimited */
};

struct virtio_blk_queue;

struct virtio_blk {
	struct virtio_dev dev;
	struct iothread *io;
	int fd;
	int fd_buffered; /* == fd unless direct: used for misaligned requests */
	bool ro;
	bool direct;
	uint32_t dio_mem_align;
	uint32_t dio_off_align;
	uint64_t sectors;
	char serial[VIRTIO_BLK_ID_BYTES];
	char name[32];
	struct virtio_blk_config cfg;
	struct virtio_blk_queue *qs;
	unsigned num_queues;
	struct rate_limiter rl;
	uint32_t generation; /* bumped by reset: older completions are dropped */
	unsigned inflight;
	/* Statistics. */
	uint64_t reads, writes, flushes, discards, ioerrs;
};

/*
 * Parse a --drive value in place ("file=PATH,ro=on,direct=on,serial=ID,
 * id=NAME,iops=N,bw=N"); @o's strings point into @spec. -EINVAL with a
 * message in @err on an unknown key, a bad value or a missing file=.
 */
int virtio_blk_parse(char *spec, struct virtio_blk_opts *o, char *err, size_t errlen) must_check;

/*
 * Open the image and set up the device. Refuses (with a message naming the
 * file) an image whose size is not a multiple of 512 (-EINVAL), a file that
 * another vmm holds locked (-EBUSY; an exclusive flock, shared for ro=on),
 * and an unsupported O_DIRECT set-up.
 */
int virtio_blk_init(struct virtio_blk *blk, const struct virtio_blk_opts *opts,
		    const struct guest_mem *gm, struct iothread *io) must_check;

/*
 * Shutdown: with the vCPUs and the I/O thread stopped, run the ring on the
 * caller's thread until every request in flight has completed (what the
 * guest saw as flushed already is on disk). -ETIMEDOUT after @timeout_ns.
 */
int virtio_blk_drain(struct virtio_blk *blk, uint64_t timeout_ns) must_check;

/* Close the image. Call once the I/O thread has stopped. */
void virtio_blk_fini(struct virtio_blk *blk);

#endif
