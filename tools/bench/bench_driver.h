/*
 * The guest driver side that the device benchmarks (blk.c, net.c) share:
 * guest RAM and a vdrv over it, the I/O thread, the virtio-mmio transport
 * with queue kicks on eventfds, and an interrupt line that wakes the
 * driver thread through an eventfd, as the guest's interrupt controller
 * would. Everything between the driver and the device is vmm's own code
 * (virtio/mmio.c, kick.c, iothread.c, queue.c and the device).
 *
 * Order: bdrv_init(), the device's own init on bdrv.d.gm and bdrv.io,
 * bdrv_attach(), bdrv_start(); at the end bdrv_stop(), the device's fini,
 * bdrv_fini(). bdrv_stop() and bdrv_fini() undo what was done, so they
 * also serve after a failed set-up (with the struct zeroed and irq_fd -1
 * before bdrv_init()).
 */
#ifndef VMM_TOOLS_BENCH_BENCH_DRIVER_H
#define VMM_TOOLS_BENCH_BENCH_DRIVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tests/unit/virtio/vmmio.h"
#include "virtio/iothread.h"
#include "virtio/kick.h"

/* With no interrupt for this long, the caller looks for a lost notification. */
#define BDRV_WAIT_MS 200

/*
 * How long an idle driver may look at its used ring before it sleeps: KVM's
 * halt polling, which keeps a guest vCPU that waits for I/O from paying a
 * host wake-up per interrupt. As in KVM (halt_poll_ns 200 us on x86,
 * grow_start 10 us, doubling, reset when a sleep outlasts the bound), the
 * window adapts: it grows while interrupts come soon after the vCPU went
 * to sleep and drops to nothing while they come late. KVM also stops
 * polling when another task is runnable on the CPU; the driver yields
 * between looks instead, so the io_uring workers of a 2-CPU host get to run.
 */
#define BDRV_HALT_POLL_NS 200000u
#define BDRV_HALT_POLL_START_NS 10000u

struct bdrv {
	struct vdrv d;
	struct iothread io;
	struct virtio_mmio m;
	struct virtio_kick k;
	bool io_ok, io_started, mmio_ok;
	int irq_fd;
	_Atomic uint64_t irqs; /* raised by the device (I/O thread) */
	uint64_t kicks;	       /* notifications the driver sent */
	uint64_t halt_poll_ns; /* the halt-poll window now */
	uint64_t halt_polls;   /* waits that ended within it */
};

/* @id's clock in nanoseconds (0 if it cannot be read). */
uint64_t bdrv_clock(clockid_t id);

/* The interrupt eventfd, @ram_size bytes of guest RAM at VDRV_RAM_GPA, the I/O thread's ring. */
int bdrv_init(struct bdrv *b, uint64_t ram_size) must_check;

/*
 * Put @dev on virtio-mmio with the interrupt line and queue kicks, and
 * initialise it as Linux does: negotiate @features (-ENOTSUP if the device
 * lacks one), set up @nq queues of @qsize entries in @qs, DRIVER_OK.
 */
int bdrv_attach(struct bdrv *b, struct virtio_dev *dev, uint64_t features, struct vdrv_q *qs,
		unsigned nq, uint16_t qsize) must_check;

/* Start the I/O thread. */
int bdrv_start(struct bdrv *b) must_check;

/* Stop the I/O thread, reset the device, detach its kicks and the transport, close the ring. */
void bdrv_stop(struct bdrv *b);

/* Free guest RAM and the interrupt eventfd. */
void bdrv_fini(struct bdrv *b);

/* avail_event, where the device asks to be notified (§2.7.10, EVENT_IDX). */
uint16_t bdrv_avail_event(struct bdrv *b, struct vdrv_q *q);

/* QueueNotify for queue @qi. */
void bdrv_notify(struct bdrv *b, unsigned qi);

/*
 * Notify queue @qi (@q) of the buffers made available since avail idx
 * @old, unless the device said it will look anyway (§2.7.10, EVENT_IDX).
 */
void bdrv_kick(struct bdrv *b, struct vdrv_q *q, unsigned qi, uint16_t old);

/* Ask for an interrupt at the next used buffer of @q; false if one is there already. */
bool bdrv_arm_irq(struct bdrv *b, struct vdrv_q *q);

/*
 * After bdrv_arm_irq(): spin like a halt-polling vCPU, for the window now,
 * until @q has a new used buffer (true) or not (false: sleep in
 * bdrv_wait_irq()). An interrupt raised meanwhile stays pending and makes
 * the next bdrv_wait_irq() return at once, as a guest would take it late.
 */
bool bdrv_halt_poll(struct bdrv *b, struct vdrv_q *q);

/*
 * Sleep until the device interrupts and take the interrupt as Linux's
 * handler does (InterruptStatus + InterruptACK). False if BDRV_WAIT_MS
 * passed without one.
 */
bool bdrv_wait_irq(struct bdrv *b);

#endif
