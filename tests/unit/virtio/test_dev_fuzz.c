/*
 * Hostile guests, deterministic: random MMIO register traffic against a
 * device, and random requests against a read-only drive whose file must
 * come out unchanged. Run under ASan, any stray access shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"
#include "virtio/blk.h"
#include "virtio/kick.h"
#include "virtio/rng.h"

static uint64_t seed = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return seed * 0x2545f4914f6cdd1dULL;
}

/* Register offsets worth hitting often, plus anything in the window. */
static uint64_t rnd_off(void)
{
	static const uint16_t regs[] = {
	    VIRTIO_MMIO_STATUS,		 VIRTIO_MMIO_QUEUE_SEL,
	    VIRTIO_MMIO_QUEUE_NUM,	 VIRTIO_MMIO_QUEUE_READY,
	    VIRTIO_MMIO_QUEUE_NOTIFY,	 VIRTIO_MMIO_QUEUE_DESC_LOW,
	    VIRTIO_MMIO_QUEUE_AVAIL_LOW, VIRTIO_MMIO_QUEUE_USED_LOW,
	    VIRTIO_MMIO_DRIVER_FEATURES, VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	    VIRTIO_MMIO_INTERRUPT_ACK,	 VIRTIO_MMIO_CONFIG,
	};

	if (rnd() % 4 == 0)
		return rnd() % VIRTIO_MMIO_WINDOW;
	return regs[rnd() % ARRAY_SIZE(regs)];
}

static uint64_t rnd_val(struct vdrv *d)
{
	switch (rnd() % 6) {
	case 0:
		return rnd();
	case 1:
		return rnd() % 16;
	case 2:
		return VDRV_RAM_GPA + (rnd() % VDRV_RAM_SIZE);
	default:
		return 1u << (rnd() % 8);
	}
}

/* 50000 random accesses, with a proper set-up now and then, on virtio-rng. */
static void fuzz_registers(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct vdrv d;
	struct vdrv_q dq;
	struct virtio_rng rng;
	struct virtio_mmio m;
	unsigned i, live = 0;

	CHECK_EQ(vdrv_init(&d), 0);
	CHECK_EQ(virtio_rng_init(&rng, &(struct virtio_rng_opts){0}, &d.gm, NULL), 0);
	virtio_mmio_init(&m, &rng.dev, NULL);
	for (i = 0; i < 50000; i++) {
		unsigned size = rnd() % 8 ? 4 : sizes[rnd() % 4];

		if (i % 500 == 0) {
			d.next = VDRV_RAM_GPA;
			vdrv_q_init(&d, &dq, (uint16_t)(1u << (rnd() % 7)));
			if (vmmio_negotiate(&m, vmmio_device_features(&m))) {
				uint64_t buf = vdrv_alloc(&d, 64, 8);

				vmmio_queue(&m, 0, &dq);
				vmmio_driver_ok(&m);
				vdrv_add(&d, &dq, (struct vdrv_buf[]){{buf, 64, true}}, 1);
				vmmio_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
			}
		}
		if (rnd() % 3 == 0) {
			/* Scribble over the rings the device may be using. */
			uint64_t gpa = VDRV_RAM_GPA + rnd() % 4096;

			*(uint8_t *)vdrv_host(&d, gpa) = (uint8_t)rnd();
		}
		if (rnd() % 2)
			virtio_mmio_io_ops.write(&m, rnd_off(), rnd_val(&d), size);
		else
			(void)virtio_mmio_io_ops.read(&m, rnd_off(), size);
		live += virtio_dev_live(&rng.dev);
	}
	CHECK(live > 0);
	CHECK(rng.dev.guest_errors > 0);
	CHECK(rng.bytes > 0);
	fprintf(stderr, "registers: %u accesses live, %llu guest errors, %llu entropy bytes\n",
		live, (unsigned long long)rng.dev.guest_errors, (unsigned long long)rng.bytes);
	virtio_mmio_fini(&m);
	virtio_rng_fini(&rng);
	vdrv_fini(&d);
}

static uint64_t file_sum(const char *path)
{
	static uint8_t buf[65536];
	uint64_t h = 1469598103934665603ULL;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ULL;
	close(fd);
	return h;
}

/* One random request: random type, sector, layout, lengths. */
static void rnd_request(struct vdrv *d, struct vdrv_q *q, uint64_t area)
{
	struct virtio_blk_outhdr *h;
	struct vdrv_buf b[6];
	unsigned n = 0, k, parts = 1 + rnd() % 5;
	static const uint32_t types[] = {VIRTIO_BLK_T_IN,      VIRTIO_BLK_T_OUT,
					 VIRTIO_BLK_T_FLUSH,   VIRTIO_BLK_T_GET_ID,
					 VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES};
	uint64_t hdr = area + 16 * (rnd() % 64);

	h = vdrv_host(d, hdr);
	h->type = htole32(rnd() % 8 ? types[rnd() % ARRAY_SIZE(types)] : (uint32_t)rnd());
	h->sector = htole64(rnd() % 4 ? rnd() % 9000 : rnd());
	b[n++] = (struct vdrv_buf){hdr, rnd() % 8 ? 16 : (uint32_t)(rnd() % 40), false};
	for (k = 0; k < parts && n < 5; k++)
		b[n++] = (struct vdrv_buf){area + 4096 + rnd() % 65536,
					   (uint32_t)(rnd() % 3 ? 512 * (rnd() % 9) : rnd() % 5000),
					   rnd() % 2 == 0};
	if (rnd() % 8)
		b[n++] = (struct vdrv_buf){area + 100000 + rnd() % 100, 1, true};
	/* Readable after writable is a malformed chain: keep most well ordered. */
	if (rnd() % 4) {
		struct vdrv_buf sorted[6];
		unsigned m = 0;

		for (k = 0; k < n; k++)
			if (!b[k].write)
				sorted[m++] = b[k];
		for (k = 0; k < n; k++)
			if (b[k].write)
				sorted[m++] = b[k];
		memcpy(b, sorted, sizeof(b[0]) * n);
	}
	vdrv_add(d, q, b, n);
}

static void fuzz_blk_ro(void)
{
	char dir[] = "/tmp/vmm-test-fuzz-XXXXXX", path[64], cmd[96];
	struct iothread io;
	struct vdrv d;
	struct vdrv_q dq;
	struct virtio_blk blk;
	struct virtio_mmio m;
	struct virtio_kick k;
	uint64_t before, area;
	unsigned i, answered = 0, resets = 0;
	int fd;

	if (iothread_init(&io, 256) < 0 || !mkdtemp(dir)) {
		fprintf(stderr, "no io_uring or temp dir: blk part skipped\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/ro.img", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	for (i = 0; i < 4096; i++) {
		uint8_t sector[512];

		memset(sector, (int)(i * 37), sizeof(sector));
		CHECK_EQ(write(fd, sector, sizeof(sector)), 512);
	}
	close(fd);
	before = file_sum(path);
	CHECK_EQ(vdrv_init(&d), 0);
	CHECK_EQ(
	    virtio_blk_init(&blk, &(struct virtio_blk_opts){.path = path, .ro = true}, &d.gm, &io),
	    0);
	virtio_mmio_init(&m, &blk.dev, NULL);
	CHECK_EQ(virtio_kick_attach(&k, &blk.dev, &io), 0);
	for (i = 0; i < 3000; i++) {
		uint32_t id, len;

		if (i % 100 == 0 || !virtio_dev_live(&blk.dev)) {
			resets += !virtio_dev_live(&blk.dev);
			d.next = VDRV_RAM_GPA;
			vdrv_q_init(&d, &dq, 64);
			area = vdrv_alloc(&d, 200000, 4096);
			CHECK(vmmio_negotiate(&m, vmmio_device_features(&m)));
			vmmio_queue(&m, 0, &dq);
			vmmio_driver_ok(&m);
		}
		rnd_request(&d, &dq, area);
		vmmio_wr(&m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		for (int t = 0; t < 50; t++) {
			if (vdrv_get_used(&d, &dq, &id, &len)) {
				answered++;
				break;
			}
			if (!virtio_dev_live(&blk.dev))
				break;
			iothread_poll(&io, 10000000ULL);
		}
	}
	CHECK_EQ(virtio_blk_drain(&blk, 10000000000ULL), 0);
	fprintf(stderr, "blk: %u answered, %u device resets, %llu guest errors, %llu ioerrs\n",
		answered, resets, (unsigned long long)blk.dev.guest_errors,
		(unsigned long long)blk.ioerrs);
	CHECK(answered > 1000);
	CHECK(resets > 0);
	CHECK_EQ(file_sum(path), before);
	virtio_kick_detach(&k);
	iothread_fini(&io);
	virtio_mmio_fini(&m);
	virtio_blk_fini(&blk);
	vdrv_fini(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
}

int main(void)
{
	log_set_level(LOG_ERR - 1); /* tens of thousands of expected complaints */
	fuzz_registers();
	fuzz_blk_ro();
	return test_result("test_dev_fuzz");
}
