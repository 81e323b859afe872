/*
 * A tiny virtio-mmio driver run as a KVM test guest (virtio 1.2 §4.2.3):
 * it brings up the devices vmm gives it (a virtio-blk at 0xd0000000 and a
 * virtio-rng at 0xd0001000, I/O APIC pins 16 and 17), sends requests, and
 * waits for the interrupts, so that the whole path runs: QueueNotify ->
 * ioeventfd -> I/O thread -> io_uring -> used ring -> irqfd -> I/O APIC ->
 * LAPIC -> this guest's handler.
 *
 * Kernel command line: "rw" (default) writes sector 1, flushes, reads
 * sector 2 and the serial; "ro" expects the write to fail with IOERR.
 * Exit status 0 = every check passed; otherwise the failing check's number.
 */
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

void uart_putc(int c);
void guest_exit(int status) __attribute__((noreturn));
void guest_main(void);
void guest_irq(uint64_t vector);
extern uint64_t zero_page;
extern char irq_stub_0x30[], irq_stub_0x31[], irq_stub_spurious[];

#define BLK_BASE 0xd0000000UL
#define RNG_BASE 0xd0001000UL
#define IOAPIC 0xfec00000UL
#define LAPIC 0xfee00000UL
#define QSZ 8

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static void puts_(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void fail(int code, const char *what)
{
	puts_("virtio guest: FAIL: ");
	puts_(what);
	puts_("\r\n");
	guest_exit(code);
}

/* --- interrupts: IDT, I/O APIC, LAPIC --- */

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static volatile unsigned irq_count[2];

static void idt_set(unsigned vec, void *handler)
{
	uint64_t h = (uint64_t)handler;

	idt[vec] = (struct idt_gate){(uint16_t)h, 0x10, 0, 0x8e, (uint16_t)(h >> 16),
				     (uint32_t)(h >> 32), 0};
}

static void ioapic_route(unsigned gsi, unsigned vector)
{
	/* I/O APIC redirection entry: fixed, physical, edge/high as ACPI said, unmasked, to APIC 0. */
	wr32(IOAPIC, 0x10 + 2 * gsi + 1);
	wr32(IOAPIC + 0x10, 0);
	wr32(IOAPIC, 0x10 + 2 * gsi);
	wr32(IOAPIC + 0x10, vector);
}

static void irq_setup(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (uint64_t)idt};

	idt_set(0x30, irq_stub_0x30);
	idt_set(0x31, irq_stub_0x31);
	idt_set(0xff, irq_stub_spurious);
	__asm__ volatile("lidt %0" : : "m"(idtr));
	wr32(LAPIC + 0xf0, 0x1ff); /* SVR: APIC enabled, spurious vector 0xff */
	wr32(LAPIC + 0x80, 0);     /* TPR: accept everything */
	ioapic_route(16, 0x30);
	ioapic_route(17, 0x31);
	__asm__ volatile("sti");
}

void guest_irq(uint64_t vector)
{
	uintptr_t base = vector == 0x30 ? BLK_BASE : RNG_BASE;
	uint32_t isr = rd32(base + VIRTIO_MMIO_INTERRUPT_STATUS);

	wr32(base + VIRTIO_MMIO_INTERRUPT_ACK, isr);
	if (isr & VIRTIO_MMIO_INT_VRING)
		irq_count[vector - 0x30]++;
	wr32(LAPIC + 0xb0, 0); /* EOI */
}

/* --- one split virtqueue per device --- */

struct vq {
	uintptr_t base;
	struct vring_desc desc[QSZ] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[QSZ], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct vring_used_elem ring[QSZ];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t last_used;
};

static struct vq blkq, rngq;

static void dev_init(struct vq *q, uintptr_t base, uint32_t id)
{
	uint64_t a;

	q->base = base;
	if (rd32(base + VIRTIO_MMIO_MAGIC_VALUE) != 0x74726976)
		fail(1, "bad magic");
	if (rd32(base + VIRTIO_MMIO_VERSION) != 2)
		fail(2, "not virtio-mmio version 2");
	if (rd32(base + VIRTIO_MMIO_DEVICE_ID) != id)
		fail(3, "unexpected device id");
	wr32(base + VIRTIO_MMIO_STATUS, 0);
	wr32(base + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr32(base + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr32(base + VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(rd32(base + VIRTIO_MMIO_DEVICE_FEATURES) & 1)) /* VIRTIO_F_VERSION_1 = bit 32 */
		fail(4, "no VIRTIO_F_VERSION_1");
	wr32(base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr32(base + VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr32(base + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr32(base + VIRTIO_MMIO_DRIVER_FEATURES, 0);
	wr32(base + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(rd32(base + VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK))
		fail(5, "FEATURES_OK refused");
	wr32(base + VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd32(base + VIRTIO_MMIO_QUEUE_NUM_MAX) < QSZ)
		fail(6, "queue too small");
	wr32(base + VIRTIO_MMIO_QUEUE_NUM, QSZ);
	a = (uint64_t)q->desc;
	wr32(base + VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)a);
	wr32(base + VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(a >> 32));
	a = (uint64_t)&q->avail;
	wr32(base + VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)a);
	wr32(base + VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(a >> 32));
	a = (uint64_t)&q->used;
	wr32(base + VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)a);
	wr32(base + VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(a >> 32));
	wr32(base + VIRTIO_MMIO_QUEUE_READY, 1);
	wr32(base + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						VIRTIO_CONFIG_S_FEATURES_OK |
						VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Post the chain starting at descriptor 0, notify, wait for it and its interrupt. */
static uint32_t vq_run(struct vq *q, volatile unsigned *irqs, int code)
{
	unsigned before = *irqs;
	unsigned long spins;

	q->avail.ring[q->avail.idx % QSZ] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->avail.idx++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	wr32(q->base + VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (spins = 0; *(volatile uint16_t *)&q->used.idx == q->last_used || *irqs == before; spins++) {
		if (spins > 2000000000UL)
			fail(code, "no completion or no interrupt");
		__asm__ volatile("pause");
	}
	q->last_used++;
	return q->used.ring[(q->last_used - 1) % QSZ].len;
}

static void desc(struct vq *q, unsigned i, void *addr, uint32_t len, uint16_t flags)
{
	q->desc[i] = (struct vring_desc){(uint64_t)addr, len, flags, (uint16_t)(i + 1)};
}

static struct virtio_blk_outhdr hdr;
static uint8_t sector[512], status, id[VIRTIO_BLK_ID_BYTES];

static void blk_req(uint32_t type, uint64_t sec, void *data, uint32_t len, int writable, int code)
{
	unsigned n = 0;

	hdr = (struct virtio_blk_outhdr){type, 0, sec};
	status = 0xff;
	desc(&blkq, n++, &hdr, sizeof(hdr), VRING_DESC_F_NEXT);
	if (data)
		desc(&blkq, n++, data, len, VRING_DESC_F_NEXT | (writable ? VRING_DESC_F_WRITE : 0));
	desc(&blkq, n, &status, 1, VRING_DESC_F_WRITE);
	vq_run(&blkq, &irq_count[0], code);
}

static void test_blk(int ro)
{
	unsigned i;

	dev_init(&blkq, BLK_BASE, VIRTIO_ID_BLOCK);
	for (i = 0; i < 512; i++)
		sector[i] = (uint8_t)(i * 7 + 3);
	blk_req(VIRTIO_BLK_T_OUT, 1, sector, 512, 0, 10);
	if (ro) {
		if (status != VIRTIO_BLK_S_IOERR)
			fail(11, "write to a read-only drive did not fail");
	} else {
		if (status != VIRTIO_BLK_S_OK)
			fail(12, "write failed");
		blk_req(VIRTIO_BLK_T_FLUSH, 0, NULL, 0, 0, 13);
		if (status != VIRTIO_BLK_S_OK)
			fail(14, "flush failed");
	}
	blk_req(VIRTIO_BLK_T_IN, 2, sector, 512, 1, 15);
	if (status != VIRTIO_BLK_S_OK)
		fail(16, "read failed");
	for (i = 0; i < 512; i++)
		if (sector[i] != 0xa5)
			fail(17, "sector 2 does not hold the host's pattern");
	blk_req(VIRTIO_BLK_T_GET_ID, 0, id, sizeof(id), 1, 18);
	if (status != VIRTIO_BLK_S_OK || id[0] != 'v' || id[1] != 'm' || id[2] != 'm' || id[6] != 't')
		fail(19, "GET_ID did not return the serial");
	/* Past the end of the disk: an error status, not a crash. */
	blk_req(VIRTIO_BLK_T_IN, 1ULL << 40, sector, 512, 1, 20);
	if (status != VIRTIO_BLK_S_IOERR)
		fail(21, "read beyond the disk did not fail");
	puts_("virtio guest: blk ok\r\n");
}

static uint8_t entropy[64];

static void test_rng(void)
{
	unsigned i, nonzero = 0;
	uint32_t len;

	dev_init(&rngq, RNG_BASE, VIRTIO_ID_RNG);
	desc(&rngq, 0, entropy, sizeof(entropy), VRING_DESC_F_WRITE);
	len = vq_run(&rngq, &irq_count[1], 30);
	if (len == 0 || len > sizeof(entropy))
		fail(31, "rng returned a bad length");
	for (i = 0; i < len; i++)
		nonzero += entropy[i] != 0;
	if (nonzero < len / 2)
		fail(32, "rng bytes look like zeros");
	puts_("virtio guest: rng ok\r\n");
}

void guest_main(void)
{
	const char *cmdline = (const char *)(uintptr_t)*(uint32_t *)(zero_page + 0x228);

	irq_setup();
	test_blk(cmdline[0] == 'r' && cmdline[1] == 'o');
	test_rng();
	guest_exit(0);
}
