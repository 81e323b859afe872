/* --drive / --net / --rng option strings. */
#include <errno.h>
#include <string.h>

#include "common/log.h"
#include "tests/test.h"
#include "virtio/blk.h"
#include "virtio/net.h"
#include "virtio/opts.h"
#include "virtio/rng.h"

static void test_primitives(void)
{
	char s[] = "a=1,b=,c=x=y";
	char bad[] = "novalue,a=1";
	char *cur = s, *k, *v;
	uint64_t n;
	bool b;

	CHECK_EQ(virtio_opts_next(&cur, &k, &v), 1);
	CHECK(!strcmp(k, "a") && !strcmp(v, "1"));
	CHECK_EQ(virtio_opts_next(&cur, &k, &v), 1);
	CHECK(!strcmp(k, "b") && !strcmp(v, ""));
	CHECK_EQ(virtio_opts_next(&cur, &k, &v), 1);
	CHECK(!strcmp(k, "c") && !strcmp(v, "x=y"));
	CHECK_EQ(virtio_opts_next(&cur, &k, &v), 0);
	cur = bad;
	CHECK_EQ(virtio_opts_next(&cur, &k, &v), -EINVAL);
	CHECK_EQ(virtio_opts_bool("on", &b), 0);
	CHECK(b);
	CHECK_EQ(virtio_opts_bool("OFF", &b), 0);
	CHECK(!b);
	CHECK_EQ(virtio_opts_bool("maybe", &b), -EINVAL);
	CHECK_EQ(virtio_opts_u64("100M", &n), 0);
	CHECK_EQ(n, 100ULL << 20);
	CHECK_EQ(virtio_opts_u64("7", &n), 0);
	CHECK_EQ(n, 7);
	CHECK_EQ(virtio_opts_u64("K", &n), -EINVAL);
	CHECK_EQ(virtio_opts_u64("1KB", &n), -EINVAL);
	CHECK_EQ(virtio_opts_u64("-1", &n), -EINVAL);
	CHECK_EQ(virtio_opts_u64("18446744073709551616", &n), -EINVAL);
	CHECK_EQ(virtio_opts_u64("17179869184G", &n), -EINVAL);
}

static void test_drive(void)
{
	char s1[] = "file=/tmp/a.img,ro=on,direct=off,serial=SER1,id=root,iops=100,bw=10M";
	char s2[] = "ro=on";
	char s3[] = "file=x,color=red";
	char s4[] = "file=x,serial=012345678901234567890";
	char s5[] = "file=x,ro=perhaps";
	struct virtio_blk_opts o;
	char err[128];

	CHECK_EQ(virtio_blk_parse(s1, &o, err, sizeof(err)), 0);
	CHECK(!strcmp(o.path, "/tmp/a.img"));
	CHECK(o.ro && !o.direct);
	CHECK(!strcmp(o.serial, "SER1") && !strcmp(o.id, "root"));
	CHECK_EQ(o.iops, 100);
	CHECK_EQ(o.bw, 10ULL << 20);
	CHECK_EQ(virtio_blk_parse(s2, &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "file=") != NULL);
	CHECK_EQ(virtio_blk_parse(s3, &o, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "color") != NULL);
	CHECK_EQ(virtio_blk_parse(s4, &o, err, sizeof(err)), -EINVAL);
	CHECK_EQ(virtio_blk_parse(s5, &o, err, sizeof(err)), -EINVAL);
}

static void test_net_rng(void)
{
	char n1[] = "tap=tap0,mac=52:54:00:01:02:03,bw=1G";
	char n2[] = "mac=52:54:00:01:02:03";
	char n3[] = "tap=tap0,mac=ff:ff:ff:ff:ff:ff";
	char n4[] = "tap=averyveryverylongname";
	char n5[] = "tap=t,queues=4";
	char n6[] = "tap=t,queues=17";
	char r1[] = "bw=1024";
	char r2[] = "";
	char r3[] = "rate=1";
	struct virtio_net_opts no;
	struct virtio_rng_opts ro;
	char err[128];

	CHECK_EQ(virtio_net_parse(n1, &no, err, sizeof(err)), 0);
	CHECK(!strcmp(no.tap, "tap0"));
	CHECK(no.mac_set);
	CHECK_EQ(no.mac[5], 3);
	CHECK_EQ(no.bw, 1ULL << 30);
	CHECK_EQ(no.queue_pairs, 0);
	CHECK_EQ(virtio_net_parse(n2, &no, err, sizeof(err)), -EINVAL);
	CHECK_EQ(virtio_net_parse(n3, &no, err, sizeof(err)), -EINVAL);
	CHECK_EQ(virtio_net_parse(n4, &no, err, sizeof(err)), -EINVAL);
	CHECK_EQ(virtio_net_parse(n5, &no, err, sizeof(err)), 0);
	CHECK_EQ(no.queue_pairs, 4);
	CHECK_EQ(virtio_net_parse(n6, &no, err, sizeof(err)), -EINVAL);
	CHECK_EQ(virtio_rng_parse(r1, &ro, err, sizeof(err)), 0);
	CHECK_EQ(ro.bw, 1024);
	CHECK_EQ(virtio_rng_parse(r2, &ro, err, sizeof(err)), 0);
	CHECK_EQ(ro.bw, 0);
	CHECK_EQ(virtio_rng_parse(r3, &ro, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	log_set_level(LOG_ERR);
	test_primitives();
	test_drive();
	test_net_rng();
	return test_result("test_opts");
}
