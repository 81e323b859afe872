/*
 * virtio-net (virtio 1.2 §5.1) on a TAP device with IFF_VNET_HDR, or on any
 * packet fd that carries the same 12-byte virtio_net_hdr_v1 before each
 * frame (a test's socketpair). Transmit is zero-copy: the guest's buffers go
 * to writev on the fd. Receive reads one packet into a bounce buffer and
 * copies it into the driver's buffers, merged over several of them with
 * VIRTIO_NET_F_MRG_RXBUF (§5.1.6.4). Both ride the I/O thread's io_uring.
 *
 * --net tap=NAME[,mac=52:54:...][,queues=N][,bw=N][,iops=N]. Queue pair n is
 * receiveq 2n and transmitq 2n+1, each pair with its own fd (a TAP opened
 * with IFF_MULTI_QUEUE); with more than one pair the control queue comes
 * last and the driver picks how many pairs to use (§5.1.6.5.5).
 * Like blk, it must be attached to the I/O thread with virtio_kick_attach().
 */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "virtio/iothread.h"
#include "virtio/ratelimit.h"
#include "virtio/virtio.h"

#define VIRTIO_NET_QUEUE_MAX 256u
#define VIRTIO_NET_HDR_LEN   12u /* struct virtio_net_hdr_v1 (§5.1.6) */
/* Largest packet from the backend: a 64 KiB GSO frame, its Ethernet header, the vnet header. */
#define VIRTIO_NET_RX_MAX    (65536u + 14u + VIRTIO_NET_HDR_LEN)
#define VIRTIO_NET_MAX_PAIRS 16u

struct virtio_net_opts {
	const char *tap; /* TAP name: attached, or created when allowed */
	/* Without a TAP: one open packet fd per queue pair (not owned). */
	int fds[VIRTIO_NET_MAX_PAIRS];
	unsigned queue_pairs; /* 0 or 1: one pair; more needs CTRL_VQ + MQ */
	bool mac_set;
	uint8_t mac[6];
	uint64_t bw;   /* bytes/s per direction, 0 = unlimited */
	uint64_t iops; /* packets/s per direction, 0 = unlimited */
};

struct virtio_net_tx;

/* Queue pair @index: receiveq 2*index, transmitq 2*index+1 (§5.1.2). */
struct virtio_net_pair {
	struct virtio_net *net;
	unsigned index;
	int fd;
	/* Receive: one read in flight, at most one packet waiting for buffers. */
	struct io_task rx_task;
	bool rx_inflight;
	uint32_t rx_gen;
	uint8_t *rx_buf;
	uint32_t rx_len;
	struct io_timer rx_timer;
	/* Transmit: one slot per descriptor chain in flight. */
	struct virtio_net_tx *tx;
	struct virtio_net_tx *tx_free;
	unsigned tx_unused;
	bool tx_starved;
	unsigned tx_inflight;
	struct io_timer tx_timer;
	struct io_deferred tx_signal; /* one interrupt check per batch */
};

struct virtio_net {
	struct virtio_dev dev;
	struct iothread *io;
	bool own_fds;
	bool tap;
	unsigned tap_offloads; /* TUN_F_* the TAP accepted when probed */
	struct virtio_net_config cfg;
	uint32_t generation;
	unsigned max_pairs;
	unsigned active_pairs; /* set by VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET */
	struct virtio_net_pair *pairs;
	struct rate_limiter rx_rl, tx_rl; /* per direction, shared by the pairs */
	/* Statistics. */
	uint64_t rx_packets, rx_dropped, tx_packets, tx_errors;
};

/* Parse a --net value in place: "tap=NAME,mac=52:54:...,bw=N,iops=N". */
int virtio_net_parse(char *spec, struct virtio_net_opts *o, char *err, size_t errlen) must_check;

/* Parse "52:54:00:12:34:56". */
int virtio_net_parse_mac(const char *s, uint8_t mac[6]) must_check;

int virtio_net_init(struct virtio_net *net, const struct virtio_net_opts *o,
		    const struct guest_mem *gm, struct iothread *io) must_check;
/*
 * Shutdown: with the vCPUs and the I/O thread stopped, run the ring here
 * until every frame the guest handed over has been written to the backend.
 */
int virtio_net_drain(struct virtio_net *net, uint64_t timeout_ns) must_check;

/* Once the I/O thread's ring is gone (iothread_fini). */
void virtio_net_fini(struct virtio_net *net);

#endif
