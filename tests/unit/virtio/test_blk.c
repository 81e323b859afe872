/*
 * virtio-blk against a temp file, driven like a guest: requests written as
 * descriptor chains into fake guest memory, QueueNotify through the MMIO
 * registers, completions through the real io_uring I/O thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vmmio.h"
#include "virtio/blk.h"
#include "virtio/kick.h"

#define IMG_SIZE  (4ULL << 20)
#define NO_STATUS 0xee

static char dir[64];
static unsigned img_seq;

struct bfx {
	struct vdrv d;
	struct vdrv_q dq[2];
	struct iothread *io;
	struct virtio_blk blk;
	struct virtio_mmio m;
	struct virtio_kick k;
	uint64_t hdr, st;
};

static struct iothread io;

static void make_image(char *path, size_t n, uint64_t size)
{
	int fd;

	snprintf(path, n, "%s/img%u", dir, img_seq++);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static int bfx_init(struct bfx *x, const char *path, struct virtio_blk_opts o, uint64_t features)
{
	uint64_t offered;
	int ret;

	memset(x, 0, sizeof(*x));
	CHECK_EQ(vdrv_init(&x->d), 0);
	o.path = path;
	ret = virtio_blk_init(&x->blk, &o, &x->d.gm, &io);
	if (ret < 0) {
		vdrv_fini(&x->d);
		return ret;
	}
	virtio_mmio_init(&x->m, &x->blk.dev, NULL);
	CHECK_EQ(virtio_kick_attach(&x->k, &x->blk.dev, &io), 0);
	offered = vmmio_device_features(&x->m);
	CHECK(vmmio_negotiate(&x->m, offered & features));
	for (unsigned q = 0; q < x->blk.dev.num_queues && q < 2; q++) {
		vdrv_q_init(&x->d, &x->dq[q], 64);
		vmmio_queue(&x->m, q, &x->dq[q]);
	}
	vmmio_driver_ok(&x->m);
	x->hdr = vdrv_alloc(&x->d, 64, 16);
	x->st = vdrv_alloc(&x->d, 1, 1);
	return 0;
}

static void bfx_fini(struct bfx *x)
{
	vmmio_wr(&x->m, VIRTIO_MMIO_STATUS, 0);
	virtio_kick_detach(&x->k);
	virtio_blk_fini(&x->blk);
	virtio_mmio_fini(&x->m);
	vdrv_fini(&x->d);
}

/* Kick queue @q and run the I/O thread until a used entry arrives. */
static bool bfx_wait(struct bfx *x, unsigned q, uint32_t *used_len)
{
	uint32_t id;
	int i;

	vmmio_wr(&x->m, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	for (i = 0; i < 600; i++) {
		if (vdrv_get_used(&x->d, &x->dq[q], &id, used_len))
			return true;
		if (iothread_poll(&io, 100000000ULL) < 0)
			break;
	}
	return false;
}

/* One request: header, optional data, status. Returns the status byte. */
static uint8_t bfx_req(struct bfx *x, unsigned q, uint32_t type, uint64_t sector, uint64_t data,
		       uint32_t len, bool data_write, uint32_t *used_len)
{
	struct virtio_blk_outhdr *h = vdrv_host(&x->d, x->hdr);
	struct vdrv_buf b[3] = {{x->hdr, sizeof(*h), false}};
	unsigned n = 1;
	uint32_t dummy;

	h->type = htole32(type);
	h->ioprio = 0;
	h->sector = htole64(sector);
	if (len)
		b[n++] = (struct vdrv_buf){data, len, data_write};
	b[n++] = (struct vdrv_buf){x->st, 1, true};
	*(uint8_t *)vdrv_host(&x->d, x->st) = NO_STATUS;
	vdrv_add(&x->d, &x->dq[q], b, n);
	if (!bfx_wait(x, q, used_len ? used_len : &dummy))
		return NO_STATUS;
	return *(uint8_t *)vdrv_host(&x->d, x->st);
}

static uint8_t bfx_dwz(struct bfx *x, uint32_t type, uint64_t sector, uint32_t num, uint32_t flags)
{
	uint64_t seg_gpa = vdrv_alloc(&x->d, 16, 8);
	struct virtio_blk_discard_write_zeroes *seg = vdrv_host(&x->d, seg_gpa);

	seg->sector = htole64(sector);
	seg->num_sectors = htole32(num);
	seg->flags = htole32(flags);
	return bfx_req(x, 0, type, 0, seg_gpa, sizeof(*seg), false, NULL);
}

static void file_read(const char *path, uint64_t off, void *buf, size_t n)
{
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, buf, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

#define ALL_FEATURES (~0ULL)

static void test_rw(void)
{
	static uint8_t want[8192], got[8192];
	struct bfx x;
	char path[96];
	uint64_t buf, buf2;
	uint32_t used;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(
	    bfx_init(&x, path, (struct virtio_blk_opts){.serial = "vmm-serial-1"}, ALL_FEATURES),
	    0);
	/* Config space: capacity in sectors, seg_max, blk_size (§5.2.4). */
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG, 8), IMG_SIZE / 512);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_CONFIG + 12), VIRTIO_BLK_SEG_MAX);
	CHECK_EQ(vmmio_rd(&x.m, VIRTIO_MMIO_CONFIG + 20), 512);
	buf = vdrv_alloc(&x.d, sizeof(want), 4096);
	buf2 = vdrv_alloc(&x.d, sizeof(want), 4096);
	fill(want, sizeof(want), 3);
	memcpy(vdrv_host(&x.d, buf), want, sizeof(want));
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_OUT, 8, buf, sizeof(want), false, &used),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1);
	file_read(path, 8 * 512, got, sizeof(got));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 8, buf2, sizeof(want), true, &used),
		 VIRTIO_BLK_S_OK);
	CHECK_EQ(used, sizeof(want) + 1);
	CHECK(memcmp(vdrv_host(&x.d, buf2), want, sizeof(want)) == 0);
	/* Last sector of the disk is fine, one past it is not. */
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, buf2, 512, true, NULL),
		 VIRTIO_BLK_S_OK);
	/* FLUSH is a real fdatasync through the ring. */
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(x.blk.flushes, 1);
	/* GET_ID: the serial, NUL padded to 20 bytes. */
	memset(vdrv_host(&x.d, buf2), 0x55, 20);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_GET_ID, 0, buf2, 20, true, &used), VIRTIO_BLK_S_OK);
	CHECK(memcmp(vdrv_host(&x.d, buf2), "vmm-serial-1\0\0\0\0\0\0\0\0", 20) == 0);
	CHECK_EQ(used, 21);
	/* Header, data and status in one writable-after-readable chain via indirect. */
	{
		struct virtio_blk_outhdr *h = vdrv_host(&x.d, x.hdr);

		h->type = htole32(VIRTIO_BLK_T_IN);
		h->sector = htole64(9);
		vdrv_add_indirect(&x.d, &x.dq[0],
				  (struct vdrv_buf[]){{x.hdr, 16, false},
						      {buf2, 100, true},
						      {buf2 + 100, 412, true},
						      {x.st, 1, true}},
				  4);
		CHECK(bfx_wait(&x, 0, &used));
		CHECK_EQ(used, 513);
		CHECK(memcmp(vdrv_host(&x.d, buf2), want + 512, 512) == 0);
	}
	CHECK_EQ(x.blk.dev.guest_errors, 0);
	bfx_fini(&x);
}

static void test_bad_requests(void)
{
	struct bfx x;
	char path[96];
	uint64_t buf;
	uint32_t used;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	buf = vdrv_alloc(&x.d, 4096, 4096);
	/* Past the end, straddling the end, not a whole sector. */
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, IMG_SIZE / 512, buf, 512, true, &used),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(used, 1);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_OUT, IMG_SIZE / 512 - 1, buf, 1024, false, NULL),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_OUT, ~0ULL, buf, 512, false, NULL),
		 VIRTIO_BLK_S_IOERR);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 0, buf, 100, true, NULL), VIRTIO_BLK_S_IOERR);
	/* Unknown request type. */
	CHECK_EQ(bfx_req(&x, 0, 77, 0, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
	/* Discard with UNMAP, unknown flags: unsupported; too large: error. */
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_DISCARD, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
		 VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 0x80), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_DISCARD, IMG_SIZE / 512 - 4, 8, 0), VIRTIO_BLK_S_IOERR);
	/* Two segments where max_discard_seg is 1. */
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_DISCARD, 0, buf, 32, false, NULL), VIRTIO_BLK_S_IOERR);
	/* A header shorter than 16 bytes. */
	vdrv_add(&x.d, &x.dq[0], (struct vdrv_buf[]){{x.hdr, 8, false}, {x.st, 1, true}}, 2);
	CHECK(bfx_wait(&x, 0, &used));
	CHECK_EQ(*(uint8_t *)vdrv_host(&x.d, x.st), VIRTIO_BLK_S_IOERR);
	CHECK(virtio_dev_live(&x.blk.dev));
	CHECK(x.blk.dev.guest_errors >= 4);
	/* No writable status byte: nothing to answer in, so NEEDS_RESET. */
	vdrv_add(&x.d, &x.dq[0], (struct vdrv_buf[]){{x.hdr, 16, false}}, 1);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 50 && virtio_dev_live(&x.blk.dev); i++)
		iothread_poll(&io, 100000000ULL);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	bfx_fini(&x);

	/* A malformed chain (descriptor loop) also ends in NEEDS_RESET. */
	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	vdrv_set_desc(vdrv_desc(&x.d, &x.dq[0], 0), x.hdr, 16, VRING_DESC_F_NEXT, 1);
	vdrv_set_desc(vdrv_desc(&x.d, &x.dq[0], 1), x.st, 1, VRING_DESC_F_NEXT, 0);
	vdrv_publish(&x.d, &x.dq[0], 0);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 50 && virtio_dev_live(&x.blk.dev); i++)
		iothread_poll(&io, 100000000ULL);
	CHECK(vmmio_rd(&x.m, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	bfx_fini(&x);
}

static uint64_t file_blocks(const char *path)
{
	struct stat st;

	CHECK_EQ(stat(path, &st), 0);
	return (uint64_t)st.st_blocks;
}

static bool has_hole_at(const char *path, off_t off)
{
	int fd = open(path, O_RDONLY);
	off_t h = lseek(fd, off, SEEK_HOLE);

	close(fd);
	return h == off;
}

static void test_discard_zeroes(void)
{
	static uint8_t zero[65536], got[65536];
	struct bfx x;
	char path[96];
	uint64_t buf;
	uint64_t before;
	int fd;

	make_image(path, sizeof(path), IMG_SIZE);
	/* Make the first MiB real data so there is something to punch. */
	fd = open(path, O_RDWR);
	{
		static uint8_t ones[1 << 20];

		memset(ones, 0xff, sizeof(ones));
		CHECK_EQ(pwrite(fd, ones, sizeof(ones), 0), (ssize_t)sizeof(ones));
		CHECK_EQ(fsync(fd), 0);
	}
	close(fd);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	before = file_blocks(path);
	/* DISCARD 256 KiB at 256 KiB: the file system sees a hole there. */
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_DISCARD, 512, 512, 0), VIRTIO_BLK_S_OK);
	CHECK(has_hole_at(path, 256 * 1024));
	CHECK(file_blocks(path) < before);
	file_read(path, 256 * 1024, got, sizeof(got));
	CHECK(memcmp(got, zero, sizeof(got)) == 0);
	/* WRITE_ZEROES (no unmap) at 0..64 KiB reads back as zeroes. */
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_WRITE_ZEROES, 0, 128, 0), VIRTIO_BLK_S_OK);
	file_read(path, 0, got, sizeof(got));
	CHECK(memcmp(got, zero, sizeof(got)) == 0);
	/* With UNMAP it may punch: still zeroes, and a hole here. */
	CHECK_EQ(
	    bfx_dwz(&x, VIRTIO_BLK_T_WRITE_ZEROES, 1024, 128, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
	    VIRTIO_BLK_S_OK);
	file_read(path, 512 * 1024, got, sizeof(got));
	CHECK(memcmp(got, zero, sizeof(got)) == 0);
	CHECK(has_hole_at(path, 512 * 1024));
	/* The guest reads zeroes too; bytes around the ranges are untouched. */
	buf = vdrv_alloc(&x.d, 512, 512);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 511, buf, 512, true, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(((uint8_t *)vdrv_host(&x.d, buf))[0], 0xff);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 600, buf, 512, true, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(((uint8_t *)vdrv_host(&x.d, buf))[100], 0);
	bfx_fini(&x);
}

static void test_read_only(void)
{
	static uint8_t before[16384], after[16384];
	struct bfx x;
	char path[96];
	uint64_t buf;
	int fd;

	make_image(path, sizeof(path), IMG_SIZE);
	fd = open(path, O_RDWR);
	fill(before, sizeof(before), 9);
	CHECK_EQ(pwrite(fd, before, sizeof(before), 0), (ssize_t)sizeof(before));
	close(fd);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){.ro = true}, ALL_FEATURES), 0);
	CHECK(x.blk.dev.driver_features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	CHECK(!(x.blk.dev.host_features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)));
	buf = vdrv_alloc(&x.d, 4096, 4096);
	memset(vdrv_host(&x.d, buf), 0, 4096);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_OUT, 0, buf, 4096, false, NULL), VIRTIO_BLK_S_IOERR);
	/* DISCARD was not offered, so it is not supported. */
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_DISCARD, 0, 8, 0), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(bfx_dwz(&x, VIRTIO_BLK_T_WRITE_ZEROES, 0, 8, 0), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 0, buf, 4096, true, NULL), VIRTIO_BLK_S_OK);
	CHECK(memcmp(vdrv_host(&x.d, buf), before, 4096) == 0);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
	file_read(path, 0, after, sizeof(after));
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	bfx_fini(&x);
}

static void test_open_refusals(void)
{
	struct virtio_blk a, b, c;
	struct guest_mem gm = {0};
	static uint8_t ram[4096];
	char path[96];

	CHECK_EQ(gm_add_region(&gm, 0, sizeof(ram), ram), 0);
	/* Size not a multiple of 512. */
	make_image(path, sizeof(path), 1000);
	CHECK_EQ(virtio_blk_init(&a, &(struct virtio_blk_opts){.path = path}, &gm, &io), -EINVAL);
	/* Missing file. */
	CHECK_EQ(virtio_blk_init(&a, &(struct virtio_blk_opts){.path = "/nonexistent/x"}, &gm, &io),
		 -ENOENT);
	/* Serial longer than 20 bytes. */
	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(virtio_blk_init(
		     &a, &(struct virtio_blk_opts){.path = path, .serial = "0123456789abcdefghijk"},
		     &gm, &io),
		 -EINVAL);
	/* A writer excludes everyone else; readers share. */
	CHECK_EQ(virtio_blk_init(&a, &(struct virtio_blk_opts){.path = path}, &gm, &io), 0);
	CHECK_EQ(virtio_blk_init(&b, &(struct virtio_blk_opts){.path = path}, &gm, &io), -EBUSY);
	CHECK_EQ(virtio_blk_init(&b, &(struct virtio_blk_opts){.path = path, .ro = true}, &gm, &io),
		 -EBUSY);
	virtio_blk_fini(&a);
	CHECK_EQ(virtio_blk_init(&b, &(struct virtio_blk_opts){.path = path, .ro = true}, &gm, &io),
		 0);
	CHECK_EQ(virtio_blk_init(&c, &(struct virtio_blk_opts){.path = path, .ro = true}, &gm, &io),
		 0);
	CHECK_EQ(virtio_blk_init(&a, &(struct virtio_blk_opts){.path = path}, &gm, &io), -EBUSY);
	virtio_blk_fini(&b);
	virtio_blk_fini(&c);
	CHECK_EQ(virtio_blk_init(&a, &(struct virtio_blk_opts){.path = path, .num_queues = 65}, &gm,
				 &io),
		 -EINVAL);
}

static void test_direct_mq(void)
{
	static uint8_t want[4096], got[4096];
	struct bfx x;
	char path[96];
	uint64_t buf;
	int ret;

	make_image(path, sizeof(path), IMG_SIZE);
	ret = bfx_init(&x, path, (struct virtio_blk_opts){.direct = true, .num_queues = 2},
		       ALL_FEATURES);
	if (ret == -EINVAL) {
		fprintf(stderr, "direct=on unsupported on %s: skipping that part\n", dir);
		return;
	}
	CHECK_EQ(ret, 0);
	CHECK(x.blk.dev.driver_features & VIRTIO_BIT(VIRTIO_BLK_F_MQ));
	CHECK_EQ(virtio_mmio_io_ops.read(&x.m, VIRTIO_MMIO_CONFIG + 34, 2), 2);
	buf = vdrv_alloc(&x.d, 8192, 4096);
	fill(want, sizeof(want), 77);
	/* Aligned: O_DIRECT. Misaligned by 8 bytes: the buffered fallback. */
	memcpy(vdrv_host(&x.d, buf), want, sizeof(want));
	CHECK_EQ(bfx_req(&x, 1, VIRTIO_BLK_T_OUT, 16, buf, 4096, false, NULL), VIRTIO_BLK_S_OK);
	memcpy(vdrv_host(&x.d, buf + 8), want, sizeof(want));
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_OUT, 24, buf + 8, 4096, false, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(bfx_req(&x, 1, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
	file_read(path, 16 * 512, got, sizeof(got));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	file_read(path, 24 * 512, got, sizeof(got));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	memset(vdrv_host(&x.d, buf), 0, 4096);
	CHECK_EQ(bfx_req(&x, 1, VIRTIO_BLK_T_IN, 24, buf, 4096, true, NULL), VIRTIO_BLK_S_OK);
	CHECK(memcmp(vdrv_host(&x.d, buf), want, sizeof(want)) == 0);
	bfx_fini(&x);
}

/* iops=1: the second request waits for the limiter's timer, then completes. */
static void test_rate_limited(void)
{
	struct bfx x;
	char path[96];
	uint64_t buf;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){.iops = 1}, ALL_FEATURES), 0);
	buf = vdrv_alloc(&x.d, 512, 512);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 0, buf, 512, true, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 1, buf, 512, true, NULL), VIRTIO_BLK_S_OK);
	bfx_fini(&x);
}

/*
 * The I/O thread on its own thread, the test as the guest on another: 128
 * writes of 4 KiB with up to 32 in flight, then read back through the file.
 */
static void test_threaded(void)
{
	enum { N = 128, QD = 32 };
	static uint8_t want[4096], got[4096];
	struct bfx x;
	char path[96];
	uint64_t data, hdrs, sts;
	unsigned submitted = 0, done = 0, ok = 0, same = 0, spins = 0;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	data = vdrv_alloc(&x.d, 4096ULL * N, 4096);
	hdrs = vdrv_alloc(&x.d, 16ULL * N, 16);
	sts = vdrv_alloc(&x.d, N, 1);
	CHECK_EQ(iothread_start(&io), 0);
	while (done < N && spins < 100000) {
		uint32_t id, len;

		while (submitted < N && submitted - done < QD) {
			struct virtio_blk_outhdr *h = vdrv_host(&x.d, hdrs + 16ULL * submitted);
			uint64_t buf = data + 4096ULL * submitted;

			h->type = htole32(VIRTIO_BLK_T_OUT);
			h->ioprio = 0;
			h->sector = htole64(8ULL * submitted);
			fill(vdrv_host(&x.d, buf), 4096, (uint8_t)submitted);
			*(uint8_t *)vdrv_host(&x.d, sts + submitted) = NO_STATUS;
			vdrv_add_indirect(&x.d, &x.dq[0],
					  (struct vdrv_buf[]){{hdrs + 16ULL * submitted, 16, false},
							      {buf, 4096, false},
							      {sts + submitted, 1, true}},
					  3);
			submitted++;
			if (submitted % 8 == 0 || submitted == N)
				vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		}
		if (vdrv_get_used(&x.d, &x.dq[0], &id, &len)) {
			done++;
			continue;
		}
		spins++;
		usleep(100);
	}
	iothread_stop(&io);
	CHECK_EQ(done, N);
	for (unsigned i = 0; i < N; i++) {
		ok += *(uint8_t *)vdrv_host(&x.d, sts + i) == VIRTIO_BLK_S_OK;
		fill(want, sizeof(want), (uint8_t)i);
		file_read(path, 4096ULL * i, got, sizeof(got));
		same += memcmp(want, got, sizeof(want)) == 0;
	}
	CHECK_EQ(ok, N);
	CHECK_EQ(same, N);
	CHECK_EQ(x.blk.writes, N);
	bfx_fini(&x);
}

/*
 * A driver reset while a write is in flight: the late completion must not
 * land in the new rings, and the device works again after set-up.
 */
static void test_reset_inflight(void)
{
	struct bfx x;
	char path[96];
	uint64_t buf;
	uint32_t id = ~0u, len = ~0u;
	struct virtio_blk_outhdr *h;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	buf = vdrv_alloc(&x.d, 4096, 4096);
	h = vdrv_host(&x.d, x.hdr);
	h->type = htole32(VIRTIO_BLK_T_OUT);
	h->sector = htole64(0);
	vdrv_add(&x.d, &x.dq[0],
		 (struct vdrv_buf[]){{x.hdr, 16, false}, {buf, 4096, false}, {x.st, 1, true}}, 3);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	/* Taken as the kick handler does; its completion is not reaped yet. */
	virtio_dev_process(&x.blk.dev, 0);
	CHECK_EQ(x.blk.inflight, 1);
	/* Reset and set up fresh rings before the write completes. */
	vdrv_q_init(&x.d, &x.dq[0], 32);
	CHECK(vmmio_negotiate(&x.m, vmmio_device_features(&x.m)));
	vmmio_queue(&x.m, 0, &x.dq[0]);
	vmmio_driver_ok(&x.m);
	CHECK_EQ(virtio_blk_drain(&x.blk, 10000000000ULL), 0);
	CHECK(!vdrv_get_used(&x.d, &x.dq[0], &id, &len));
	CHECK_EQ(le16toh(vdrv_used(&x.d, &x.dq[0])->idx), 0);
	/* The new rings carry requests as usual. */
	CHECK_EQ(bfx_req(&x, 0, VIRTIO_BLK_T_IN, 0, buf, 4096, true, &len), VIRTIO_BLK_S_OK);
	CHECK_EQ(len, 4097);
	bfx_fini(&x);
}

/* Shutdown: a write in flight when the loop stops still reaches the disk. */
static void test_drain(void)
{
	static uint8_t want[4096], got[4096];
	struct bfx x;
	char path[96];
	uint64_t buf;
	struct virtio_blk_outhdr *h;

	make_image(path, sizeof(path), IMG_SIZE);
	CHECK_EQ(bfx_init(&x, path, (struct virtio_blk_opts){0}, ALL_FEATURES), 0);
	buf = vdrv_alloc(&x.d, 4096, 4096);
	fill(want, sizeof(want), 42);
	memcpy(vdrv_host(&x.d, buf), want, sizeof(want));
	h = vdrv_host(&x.d, x.hdr);
	h->type = htole32(VIRTIO_BLK_T_OUT);
	h->sector = htole64(100);
	vdrv_add(&x.d, &x.dq[0],
		 (struct vdrv_buf[]){{x.hdr, 16, false}, {buf, 4096, false}, {x.st, 1, true}}, 3);
	vmmio_wr(&x.m, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	/*
	 * Take the request as the kick handler does, without reaping: the
	 * write is on the ring (submitted at once: the disk is idle) and its
	 * completion unseen when the loop stops.
	 */
	virtio_dev_process(&x.blk.dev, 0);
	CHECK_EQ(x.blk.inflight, 1);
	CHECK_EQ(virtio_blk_drain(&x.blk, 10000000000ULL), 0);
	CHECK_EQ(x.blk.inflight, 0);
	file_read(path, 100 * 512, got, sizeof(got));
	CHECK(memcmp(got, want, sizeof(want)) == 0);
	CHECK_EQ(*(uint8_t *)vdrv_host(&x.d, x.st), VIRTIO_BLK_S_OK);
	bfx_fini(&x);
}

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int main(void)
{
	int ret;

	log_set_level(LOG_ERR);
	ret = iothread_init(&io, 256);
	if (ret < 0)
		TEST_SKIP("io_uring unavailable here: %s", strerror(-ret));
	snprintf(dir, sizeof(dir), "/tmp/vmm-test-blk-XXXXXX");
	if (!mkdtemp(dir))
		TEST_SKIP("cannot create a temp dir");
	test_rw();
	test_bad_requests();
	test_discard_zeroes();
	test_read_only();
	test_open_refusals();
	test_direct_mq();
	test_rate_limited();
	test_drain();
	test_reset_inflight();
	test_threaded(); /* last: the I/O thread leaves this thread's hands */
	iothread_fini(&io);
	cleanup();
	return test_result("test_blk");
}
