/* Split virtqueue: well-formed chains, EVENT_IDX, and every malformed case. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "common/log.h"
#include "tests/test.h"
#include "tests/unit/virtio/vdrv.h"
#include "virtio/queue.h"

#define FEAT_ALL ((1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

static _Atomic uint64_t errors;
static struct iovec iov[64];

struct fixture {
	struct vdrv d;
	struct vdrv_q dq;
	struct virtq q;
	struct virtq_req req;
};

static void fx_init(struct fixture *f, uint16_t num, uint64_t features)
{
	CHECK_EQ(vdrv_init(&f->d), 0);
	vdrv_q_init(&f->d, &f->dq, num);
	memset(&f->q, 0, sizeof(f->q));
	f->q.num = num;
	f->q.desc_gpa = f->dq.desc;
	f->q.avail_gpa = f->dq.avail;
	f->q.used_gpa = f->dq.used;
	CHECK_EQ(virtq_enable(&f->q, &f->d.gm, features, 256, &errors), 0);
	f->req = (struct virtq_req){.iov = iov, .iov_max = ARRAY_SIZE(iov)};
}

static void test_chain(void)
{
	struct fixture f;
	uint64_t a, b, c;
	uint32_t id = ~0u, len = ~0u;
	uint16_t head;

	fx_init(&f, 8, 0);
	a = vdrv_alloc(&f.d, 16, 8);
	b = vdrv_alloc(&f.d, 100, 8);
	c = vdrv_alloc(&f.d, 1, 1);
	memcpy(vdrv_host(&f.d, a), "0123456789abcdef", 16);
	head = vdrv_add(&f.d, &f.dq,
			(struct vdrv_buf[]){{a, 16, false}, {b, 100, false}, {c, 1, true}}, 3);
	CHECK(virtq_has_avail(&f.q));
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.head, head);
	CHECK_EQ(f.req.n_out, 2);
	CHECK_EQ(f.req.n_in, 1);
	CHECK_EQ(f.req.out_len, 116);
	CHECK_EQ(f.req.in_len, 1);
	CHECK(iov[0].iov_base == vdrv_host(&f.d, a));
	CHECK(iov[2].iov_base == vdrv_host(&f.d, c));
	{
		char buf[4] = {0};

		CHECK_EQ(virtq_req_read(&f.req, 10, buf, 4), 4);
		CHECK(memcmp(buf, "abcd", 4) == 0);
		CHECK_EQ(virtq_req_write(&f.req, 0, "Z", 1), 1);
		CHECK_EQ(*(char *)vdrv_host(&f.d, c), 'Z');
	}
	CHECK_EQ(virtq_pop(&f.q, &f.req), 0);
	virtq_push(&f.q, head, 1);
	CHECK(virtq_need_notify(&f.q));
	CHECK(vdrv_get_used(&f.d, &f.dq, &id, &len));
	CHECK_EQ(id, head);
	CHECK_EQ(len, 1);
	/* VRING_AVAIL_F_NO_INTERRUPT suppresses the interrupt without EVENT_IDX. */
	vdrv_avail(&f.d, &f.dq)->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	head = vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{c, 1, true}}, 1);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.n_out, 0);
	virtq_push(&f.q, head, 0);
	CHECK(!virtq_need_notify(&f.q));
	/* used->flags NO_NOTIFY toggled by disable/enable; enable re-checks. */
	virtq_disable_notify(&f.q);
	CHECK_EQ(vdrv_used(&f.d, &f.dq)->flags, htole16(VRING_USED_F_NO_NOTIFY));
	CHECK(!virtq_enable_notify(&f.q));
	CHECK_EQ(vdrv_used(&f.d, &f.dq)->flags, 0);
	vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{c, 1, true}}, 1);
	CHECK(virtq_enable_notify(&f.q));
	CHECK_EQ(errors, 0);
	vdrv_fini(&f.d);
}

/* Ring index wrap-around: 3 * num requests through a 4-entry queue. */
/* The guest-memory DMA hook hears of every byte the device may write. */
struct dma_log {
	unsigned n;
	uint64_t gpa[8], len[8];
};

static void dma_record(void *opaque, uint64_t gpa, uint64_t len)
{
	struct dma_log *l = opaque;

	if (l->n < ARRAY_SIZE(l->gpa)) {
		l->gpa[l->n] = gpa;
		l->len[l->n] = len;
	}
	l->n++;
}

static void test_dma_hook(void)
{
	struct fixture f;
	struct dma_log log = {0};
	uint64_t a, b, c;
	uint16_t head;

	fx_init(&f, 8, 0);
	f.d.gm.dma = (struct gm_dma_hook){.written = dma_record, .opaque = &log};
	a = vdrv_alloc(&f.d, 16, 8);
	b = vdrv_alloc(&f.d, 100, 8);
	c = vdrv_alloc(&f.d, 1, 1);
	head = vdrv_add(&f.d, &f.dq,
			(struct vdrv_buf[]){{a, 16, false}, {b, 100, true}, {c, 1, true}}, 3);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	/* The writable buffers, when the device takes them; not the readable one. */
	CHECK_EQ(log.n, 2);
	CHECK_EQ(log.gpa[0], b);
	CHECK_EQ(log.len[0], 100);
	CHECK_EQ(log.gpa[1], c);
	CHECK_EQ(log.len[1], 1);
	/* The used element (slot 0), then the index that publishes it. */
	virtq_push(&f.q, head, 101);
	CHECK_EQ(log.n, 4);
	CHECK_EQ(log.gpa[2], f.dq.used + offsetof(struct vring_used, ring));
	CHECK_EQ(log.len[2], sizeof(struct vring_used_elem));
	CHECK_EQ(log.gpa[3], f.dq.used + offsetof(struct vring_used, idx));
	CHECK_EQ(log.len[3], 2);
	/* Nothing to report for a pop that finds nothing. */
	CHECK_EQ(virtq_pop(&f.q, &f.req), 0);
	CHECK_EQ(log.n, 4);
	vdrv_fini(&f.d);
}

static void test_wrap(void)
{
	struct fixture f;
	uint64_t a;
	unsigned i;
	uint32_t id = ~0u, len = ~0u;

	fx_init(&f, 4, 0);
	a = vdrv_alloc(&f.d, 8, 8);
	for (i = 0; i < 70000; i++) {
		uint16_t head = vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{a, 8, true}}, 1);

		if (virtq_pop(&f.q, &f.req) != 1 || f.req.head != head)
			break;
		virtq_push(&f.q, head, 8);
		if (!vdrv_get_used(&f.d, &f.dq, &id, &len) || id != head)
			break;
	}
	CHECK_EQ(i, 70000);
	vdrv_fini(&f.d);
}

static void test_indirect(void)
{
	struct fixture f;
	uint64_t a, b;

	fx_init(&f, 4, FEAT_ALL);
	a = vdrv_alloc(&f.d, 512, 8);
	b = vdrv_alloc(&f.d, 512, 8);
	vdrv_add_indirect(
	    &f.d, &f.dq,
	    (struct vdrv_buf[]){
		{a, 16, false}, {a + 16, 496, false}, {b, 256, true}, {b + 256, 256, true}},
	    4);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.n_out, 2);
	CHECK_EQ(f.req.n_in, 2);
	CHECK_EQ(f.req.out_len, 512);
	CHECK_EQ(f.req.in_len, 512);
	CHECK(iov[3].iov_base == vdrv_host(&f.d, b + 256));
	/* A chain of direct descriptors may end in an indirect one. */
	{
		uint64_t t = vdrv_alloc(&f.d, 16, 16);

		vdrv_set_desc(vdrv_host(&f.d, t), b, 8, VRING_DESC_F_WRITE, 0);
		vdrv_set_desc(vdrv_desc(&f.d, &f.dq, 2), a, 16, VRING_DESC_F_NEXT, 3);
		vdrv_set_desc(vdrv_desc(&f.d, &f.dq, 3), t, 16, VRING_DESC_F_INDIRECT, 0);
		vdrv_publish(&f.d, &f.dq, 2);
		CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
		CHECK_EQ(f.req.n_out, 1);
		CHECK_EQ(f.req.n_in, 1);
	}
	CHECK_EQ(errors, 0);
	vdrv_fini(&f.d);
}

/* A buffer crossing two adjacent RAM regions becomes two iovecs. */
static void test_region_split(void)
{
	static uint8_t r1[4096] __attribute__((aligned(16))), r2[4096];
	struct guest_mem gm = {0};
	struct virtq q = {.num = 2, .desc_gpa = 0, .avail_gpa = 64, .used_gpa = 128};
	struct virtq_req req = {.iov = iov, .iov_max = ARRAY_SIZE(iov)};
	struct vring_avail *av = (void *)(r1 + 64);

	CHECK_EQ(gm_add_region(&gm, 0, sizeof(r1), r1), 0);
	CHECK_EQ(gm_add_region(&gm, 4096, sizeof(r2), r2), 0);
	CHECK_EQ(virtq_enable(&q, &gm, 0, 256, &errors), 0);
	vdrv_set_desc((struct vring_desc *)r1, 4000, 200, VRING_DESC_F_WRITE, 0);
	av->ring[0] = 0;
	av->idx = htole16(1);
	CHECK_EQ(virtq_pop(&q, &req), 1);
	CHECK_EQ(req.n_in, 2);
	CHECK(iov[0].iov_base == r1 + 4000);
	CHECK_EQ(iov[0].iov_len, 96);
	CHECK(iov[1].iov_base == r2);
	CHECK_EQ(iov[1].iov_len, 104);
	CHECK_EQ(req.in_len, 200);
}

static void test_event_idx(void)
{
	struct fixture f;
	uint64_t a;
	uint16_t h[4];
	unsigned i;

	fx_init(&f, 8, FEAT_ALL);
	a = vdrv_alloc(&f.d, 8, 8);
	for (i = 0; i < 4; i++)
		h[i] = vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{a, 8, true}}, 1);
	for (i = 0; i < 4; i++)
		CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	/* avail_event tells the driver to kick when it adds entry 4 (§2.7.10). */
	CHECK_EQ(vdrv_avail_event(&f.d, &f.dq), 4);
	/* The driver wants an interrupt once used idx passes 2 (used_event = 2). */
	vdrv_set_used_event(&f.d, &f.dq, 2);
	virtq_push(&f.q, h[0], 8);
	CHECK(virtq_need_notify(&f.q)); /* first notification is always sent */
	virtq_push(&f.q, h[1], 8);
	CHECK(!virtq_need_notify(&f.q)); /* used idx 2: event 2 not yet crossed */
	virtq_push(&f.q, h[2], 8);
	CHECK(virtq_need_notify(&f.q)); /* used idx 3 crosses used_event 2 */
	virtq_push(&f.q, h[3], 8);
	CHECK(!virtq_need_notify(&f.q)); /* already signalled past the event */
	/* NO_INTERRUPT flag is ignored once EVENT_IDX is negotiated. */
	vdrv_set_used_event(&f.d, &f.dq, 4);
	vdrv_avail(&f.d, &f.dq)->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	h[0] = vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{a, 8, true}}, 1);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	virtq_push(&f.q, h[0], 8);
	CHECK(virtq_need_notify(&f.q));
	/* enable_notify republishes avail_event and sees a late buffer. */
	CHECK(!virtq_enable_notify(&f.q));
	vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{a, 8, true}}, 1);
	CHECK(virtq_enable_notify(&f.q));
	CHECK_EQ(errors, 0);
	vdrv_fini(&f.d);
}

/* fill/flush publish several elements at once; unpop gives chains back. */
static void test_fill_unpop(void)
{
	struct fixture f;
	uint64_t a;
	uint16_t h[3];
	uint32_t id = ~0u, len = ~0u;
	unsigned i;

	fx_init(&f, 8, FEAT_ALL);
	a = vdrv_alloc(&f.d, 8, 8);
	for (i = 0; i < 3; i++)
		h[i] = vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{a, 8, true}}, 1);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.head, h[1]);
	virtq_unpop(&f.q, 1);
	CHECK_EQ(vdrv_avail_event(&f.d, &f.dq), 1);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.head, h[1]);
	virtq_fill(&f.q, h[0], 1);
	virtq_fill(&f.q, h[1], 2);
	CHECK(!vdrv_get_used(&f.d, &f.dq, &id, &len)); /* nothing published yet */
	virtq_flush(&f.q);
	CHECK(vdrv_get_used(&f.d, &f.dq, &id, &len));
	CHECK_EQ(id, h[0]);
	CHECK(vdrv_get_used(&f.d, &f.dq, &id, &len));
	CHECK_EQ(id, h[1]);
	CHECK_EQ(len, 2);
	CHECK_EQ(virtq_pop(&f.q, &f.req), 1);
	CHECK_EQ(f.req.head, h[2]);
	vdrv_fini(&f.d);
}

static void test_enable_checks(void)
{
	struct vdrv d;
	struct vdrv_q dq;
	struct virtq q;

	CHECK_EQ(vdrv_init(&d), 0);
	vdrv_q_init(&d, &dq, 8);
	q = (struct virtq){
	    .num = 8, .desc_gpa = dq.desc, .avail_gpa = dq.avail, .used_gpa = dq.used};
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), 0);
	q.num = 6; /* not a power of two */
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.num = 0;
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.num = 512; /* above the device's maximum */
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.num = 8;
	q.desc_gpa = dq.desc + 8; /* misaligned */
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.desc_gpa = VDRV_RAM_GPA + VDRV_RAM_SIZE - 64; /* ring runs past RAM */
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.desc_gpa = dq.desc;
	q.used_gpa = dq.used + 2;
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	q.used_gpa = 0x10; /* not RAM */
	CHECK_EQ(virtq_enable(&q, &d.gm, 0, 256, &errors), -EINVAL);
	vdrv_fini(&d);
}

enum bad_case {
	BAD_LOOP,
	BAD_SELF_LOOP,
	BAD_ADDR,
	BAD_LEN_PAST_RAM,
	BAD_ADDR_WRAP,
	BAD_NEXT,
	BAD_HEAD,
	BAD_READ_AFTER_WRITE,
	BAD_TOO_LONG_4G,
	BAD_TOO_MANY_SEGS,
	BAD_IND_NOT_NEGOTIATED,
	BAD_IND_LEN0,
	BAD_IND_LEN15,
	BAD_IND_HUGE,
	BAD_IND_ADDR,
	BAD_IND_NESTED,
	BAD_IND_NEXT,
	BAD_IND_LOOP,
	BAD_IND_NEXT_OOR,
	BAD_IND_READ_AFTER_WRITE,
	BAD_AVAIL_IDX,
	BAD_COUNT,
};

static void bad_setup(struct fixture *f, enum bad_case c, uint64_t buf)
{
	struct vring_desc *d0 = vdrv_desc(&f->d, &f->dq, 0);
	struct vring_desc *d1 = vdrv_desc(&f->d, &f->dq, 1);
	uint64_t t = vdrv_alloc(&f->d, 64, 16);
	struct vring_desc *td = vdrv_host(&f->d, t);
	uint16_t ind = VRING_DESC_F_INDIRECT;

	vdrv_set_desc(d0, buf, 8, 0, 0);
	switch (c) {
	case BAD_LOOP:
		vdrv_set_desc(d0, buf, 8, VRING_DESC_F_NEXT, 1);
		vdrv_set_desc(d1, buf, 8, VRING_DESC_F_NEXT, 0);
		break;
	case BAD_SELF_LOOP:
		vdrv_set_desc(d0, buf, 8, VRING_DESC_F_NEXT, 0);
		break;
	case BAD_ADDR:
		vdrv_set_desc(d0, 0x1000, 8, 0, 0);
		break;
	case BAD_LEN_PAST_RAM:
		vdrv_set_desc(d0, VDRV_RAM_GPA + VDRV_RAM_SIZE - 4, 8, 0, 0);
		break;
	case BAD_ADDR_WRAP:
		vdrv_set_desc(d0, ~0ULL - 2, 8, 0, 0);
		break;
	case BAD_NEXT:
		vdrv_set_desc(d0, buf, 8, VRING_DESC_F_NEXT, 4);
		break;
	case BAD_HEAD:
		break; /* published head 9 below */
	case BAD_READ_AFTER_WRITE:
		vdrv_set_desc(d0, buf, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
		vdrv_set_desc(d1, buf, 8, 0, 0);
		break;
	case BAD_TOO_LONG_4G:
		vdrv_set_desc(d0, buf, 0x200, VRING_DESC_F_NEXT, 1);
		vdrv_set_desc(d1, buf, 0xffffff00u, 0, 0);
		break;
	case BAD_TOO_MANY_SEGS:
		/* 65 indirect entries of 8 bytes: more than the 64 iovecs given. */
		t = vdrv_alloc(&f->d, 16 * 65, 16);
		td = vdrv_host(&f->d, t);
		for (unsigned i = 0; i < 65; i++)
			vdrv_set_desc(&td[i], buf, 8, i < 64 ? VRING_DESC_F_NEXT : 0, i + 1);
		vdrv_set_desc(d0, t, 16 * 65, ind, 0);
		break;
	case BAD_IND_NOT_NEGOTIATED:
		vdrv_set_desc(td, buf, 8, 0, 0);
		vdrv_set_desc(d0, t, 16, ind, 0);
		f->q.indirect = false;
		break;
	case BAD_IND_LEN0:
		vdrv_set_desc(d0, t, 0, ind, 0);
		break;
	case BAD_IND_LEN15:
		vdrv_set_desc(d0, t, 15, ind, 0);
		break;
	case BAD_IND_HUGE:
		vdrv_set_desc(d0, t, 16 * (VIRTQ_MAX_INDIRECT + 1), ind, 0);
		break;
	case BAD_IND_ADDR:
		vdrv_set_desc(d0, VDRV_RAM_GPA + VDRV_RAM_SIZE - 16, 32, ind, 0);
		break;
	case BAD_IND_NESTED:
		vdrv_set_desc(td, t, 16, ind, 0);
		vdrv_set_desc(d0, t, 16, ind, 0);
		break;
	case BAD_IND_NEXT:
		vdrv_set_desc(td, buf, 8, 0, 0);
		vdrv_set_desc(d0, t, 16, ind | VRING_DESC_F_NEXT, 1);
		break;
	case BAD_IND_LOOP:
		vdrv_set_desc(&td[0], buf, 8, VRING_DESC_F_NEXT, 1);
		vdrv_set_desc(&td[1], buf, 8, VRING_DESC_F_NEXT, 0);
		vdrv_set_desc(d0, t, 32, ind, 0);
		break;
	case BAD_IND_NEXT_OOR:
		vdrv_set_desc(&td[0], buf, 8, VRING_DESC_F_NEXT, 2);
		vdrv_set_desc(d0, t, 32, ind, 0);
		break;
	case BAD_IND_READ_AFTER_WRITE:
		vdrv_set_desc(&td[0], buf, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
		vdrv_set_desc(&td[1], buf, 8, 0, 0);
		vdrv_set_desc(d0, t, 32, ind, 0);
		break;
	default:
		break;
	}
}

/* Each malformed chain: -EBADMSG, one counted error, queue broken after. */
static void test_malformed(void)
{
	enum bad_case c;

	for (c = 0; c < BAD_COUNT; c++) {
		struct fixture f;
		uint64_t before, buf;
		int ret;

		fx_init(&f, 4, FEAT_ALL);
		buf = vdrv_alloc(&f.d, 64, 8);
		bad_setup(&f, c, buf);
		if (c == BAD_HEAD) {
			vdrv_publish(&f.d, &f.dq, 9);
		} else if (c == BAD_AVAIL_IDX) {
			/* The driver claims 5 new entries in a 4-entry queue. */
			vdrv_avail(&f.d, &f.dq)->idx = htole16(5);
		} else {
			vdrv_publish(&f.d, &f.dq, 0);
		}
		before = errors;
		ret = virtq_pop(&f.q, &f.req);
		if (c == BAD_AVAIL_IDX)
			CHECK_EQ(ret, -EIO);
		else
			CHECK_EQ(ret, -EBADMSG);
		if (ret != -EBADMSG && ret != -EIO)
			fprintf(stderr, "case %d: pop returned %d\n", c, ret);
		CHECK_EQ(errors, before + 1);
		CHECK(f.q.broken);
		/* A broken queue yields nothing more until reset. */
		vdrv_add(&f.d, &f.dq, (struct vdrv_buf[]){{buf, 8, true}}, 1);
		CHECK_EQ(virtq_pop(&f.q, &f.req), -EIO);
		CHECK(!virtq_has_avail(&f.q));
		vdrv_fini(&f.d);
	}
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_chain();
	test_dma_hook();
	test_wrap();
	test_indirect();
	test_region_split();
	test_event_idx();
	test_fill_unpop();
	test_enable_checks();
	test_malformed();
	return test_result("test_virtq");
}
