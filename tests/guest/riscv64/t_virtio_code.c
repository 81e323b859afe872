/*
 * Code that a device wrote: a bare-metal virtio-blk driver (virtio 1.2
 * §4.2.3 virtio-mmio, §5.2 block, polling, one queue of 8) reads sector 0
 * of the --drive image (code_drive.S: a function returning 0x11) into a
 * page, executes fence.i and calls it; then reads sector 1 (the same
 * function returning 0x22) to the same address and calls it again. The
 * second call must run the new code: a translation of the first that
 * survived the device's write would return 0x11. A third read brings
 * sector 0 back. Runs under vmm only (run with --drive file=code_drive.bin
 * in the first virtio-mmio slot).
 */
#include "rvtest.h"

#define VIRTIO_MMIO	 0x10001000UL
#define REG_MAGIC	 0x000
#define REG_VERSION	 0x004
#define REG_DEVICE_ID	 0x008
#define REG_DEV_FEAT	 0x010
#define REG_DEV_FEAT_SEL 0x014
#define REG_DRV_FEAT	 0x020
#define REG_DRV_FEAT_SEL 0x024
#define REG_QUEUE_SEL	 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM	 0x038
#define REG_QUEUE_READY	 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INT_STATUS	 0x060
#define REG_INT_ACK	 0x064
#define REG_STATUS	 0x070
#define REG_DESC_LO	 0x080
#define REG_DESC_HI	 0x084
#define REG_DRIVER_LO	 0x090
#define REG_DRIVER_HI	 0x094
#define REG_DEVICE_LO	 0x0a0
#define REG_DEVICE_HI	 0x0a4

#define S_ACK	      1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8

#define QNUM	    8
#define D_NEXT	    1
#define D_WRITE	    2
#define BLK_T_IN    0
#define SECTOR_SIZE 512

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct desc descs[QNUM] __attribute__((aligned(16)));
static struct {
	uint16_t flags, idx, ring[QNUM], used_event;
} avail __attribute__((aligned(2)));
static struct {
	uint16_t flags;
	volatile uint16_t idx;
	struct {
		uint32_t id, len;
	} ring[QNUM];
	uint16_t avail_event;
} used __attribute__((aligned(4)));

static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr;
static volatile uint8_t status;
/* The device writes code here (a page of its own). */
static uint8_t code[4096] __attribute__((aligned(4096)));

static uint32_t rd(unsigned off)
{
	return *(volatile uint32_t *)(VIRTIO_MMIO + off);
}

static void wr(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(VIRTIO_MMIO + off) = v;
}

static void setup(void)
{
	CHECK_EQ(rd(REG_MAGIC), 0x74726976); /* "virt" */
	CHECK_EQ(rd(REG_VERSION), 2);
	CHECK_EQ(rd(REG_DEVICE_ID), 2); /* block */
	wr(REG_STATUS, 0);
	wr(REG_STATUS, S_ACK);
	wr(REG_STATUS, S_ACK | S_DRIVER);
	wr(REG_DEV_FEAT_SEL, 1);
	CHECK(rd(REG_DEV_FEAT) & 1); /* VIRTIO_F_VERSION_1 (bit 32) */
	wr(REG_DRV_FEAT_SEL, 1);
	wr(REG_DRV_FEAT, 1);
	wr(REG_DRV_FEAT_SEL, 0);
	wr(REG_DRV_FEAT, 0);
	wr(REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	CHECK(rd(REG_STATUS) & S_FEATURES_OK);
	wr(REG_QUEUE_SEL, 0);
	CHECK(rd(REG_QUEUE_NUM_MAX) >= QNUM);
	wr(REG_QUEUE_NUM, QNUM);
	wr(REG_DESC_LO, (uint32_t)(uintptr_t)descs);
	wr(REG_DESC_HI, (uint32_t)((uintptr_t)descs >> 32));
	wr(REG_DRIVER_LO, (uint32_t)(uintptr_t)&avail);
	wr(REG_DRIVER_HI, (uint32_t)((uintptr_t)&avail >> 32));
	wr(REG_DEVICE_LO, (uint32_t)(uintptr_t)&used);
	wr(REG_DEVICE_HI, (uint32_t)((uintptr_t)&used >> 32));
	wr(REG_QUEUE_READY, 1);
	wr(REG_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Read one sector into code[] through the queue and wait for it. */
static void read_sector(uint64_t sector)
{
	uint16_t want = (uint16_t)(used.idx + 1);
	unsigned long spins = 0;

	hdr = (typeof(hdr)){BLK_T_IN, 0, sector};
	status = 0xff;
	descs[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1};
	descs[1] = (struct desc){(uintptr_t)code, SECTOR_SIZE, D_NEXT | D_WRITE, 2};
	descs[2] = (struct desc){(uintptr_t)&status, 1, D_WRITE, 0};
	avail.ring[avail.idx % QNUM] = 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	avail.idx++;
	__asm__ volatile("fence rw, rw" ::: "memory");
	wr(REG_QUEUE_NOTIFY, 0);
	while (used.idx != want) {
		if (++spins > 2000000000UL)
			rvt_fail(250); /* no completion */
	}
	__asm__ volatile("fence rw, rw" ::: "memory");
	CHECK_EQ(status, 0); /* VIRTIO_BLK_S_OK */
	CHECK_EQ(used.ring[(uint16_t)(want - 1) % QNUM].id, 0);
	CHECK_EQ(used.ring[(uint16_t)(want - 1) % QNUM].len, SECTOR_SIZE + 1);
	wr(REG_INT_ACK, rd(REG_INT_STATUS));
}

/* fence.i (Zifencei) orders the device's write before the fetches. */
static uint64_t run_code(void)
{
	uint64_t (*fn)(void) = (uint64_t (*)(void))(uintptr_t)code;
	uint64_t r = 0;

	__asm__ volatile("fence.i" ::: "memory");
	/* Several calls: the block is translated, cached and found again. */
	for (int i = 0; i < 3; i++)
		r = fn();
	return r;
}

int main(void)
{
	setup();
	read_sector(0);
	CHECK_EQ(run_code(), 0x11);
	read_sector(1);
	CHECK_EQ(run_code(), 0x22);
	read_sector(0);
	CHECK_EQ(run_code(), 0x11);
	rvt_puts("PASS\n");
	return 0;
}
