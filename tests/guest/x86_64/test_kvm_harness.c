/*
 * KVM guest tests at the machine level (selftest style): the real x86
 * machine boots a tiny test guest, with a test device of our own on the PIO
 * and MMIO buses that records what the guest wrote and answers reads.
 * SKIPs where /dev/kvm is absent or unusable.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/test.h"
#include "vmm/machine.h"

#define MAX_REC 32

struct rec {
	uint64_t addr, val;
	unsigned size;
};

static struct rec pio_rec[MAX_REC], mmio_rec[MAX_REC];
static _Atomic unsigned n_pio, n_mmio;

static uint64_t pio_read(void *opaque, uint64_t off, unsigned size)
{
	return 0xa0 + size;
}

static void pio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	unsigned i = atomic_fetch_add(&n_pio, 1);

	if (i < MAX_REC)
		pio_rec[i] = (struct rec){off, val, size};
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
	return 0xb0 + off;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
	unsigned i = atomic_fetch_add(&n_mmio, 1);

	if (i < MAX_REC)
		mmio_rec[i] = (struct rec){off, val, size};
}

static const struct io_dev_ops pio_ops = {.read = pio_read, .write = pio_write};
static const struct io_dev_ops mmio_ops = {.read = mmio_read, .write = mmio_write};

static void skip_without_kvm(void)
{
	char why[256];

	if (access("/dev/kvm", F_OK) != 0)
		TEST_SKIP("/dev/kvm does not exist");
	if (kvm_accel_ops.probe(ARCH_X86_64, why, sizeof(why)) < 0)
		TEST_SKIP("KVM is not usable: %s", why);
}

static int boot(const char *guest, unsigned cpus, struct machine *m, struct vmm_config *cfg)
{
	static char path[512];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(path, sizeof(path), "%s/%s", GUEST_DIR, guest);
	cfg->kernel = path;
	cfg->mem_bytes = 64 << 20;
	cfg->cpus = cpus;
	cfg->console = CONSOLE_NONE;
	cfg->seccomp = SECCOMP_OFF;
	if (machine_init(m, cfg, &kvm_accel_ops) < 0 || machine_x86_setup(m) < 0)
		return -1;
	if (io_bus_register(&m->pio, 0x500, 4, &pio_ops, NULL, "test") < 0 ||
	    io_bus_register(&m->mmio, 0xd0000000, 0x1000, &mmio_ops, NULL, "test") < 0)
		return -1;
	return 0;
}

static void test_pio_mmio(void)
{
	struct vmm_config cfg;
	struct machine m;
	int code;

	n_pio = n_mmio = 0;
	CHECK_EQ(boot("guest_pio_mmio.bin", 1, &m, &cfg), 0);
	code = machine_run(&m);
	machine_destroy(&m);
	CHECK_EQ(code, 0); /* the guest's own read checks */
	CHECK_EQ(n_pio, 3);
	CHECK_EQ(pio_rec[0].size, 1);
	CHECK_EQ(pio_rec[0].val, 0x11);
	CHECK_EQ(pio_rec[1].size, 2);
	CHECK_EQ(pio_rec[1].val, 0x2222);
	CHECK_EQ(pio_rec[2].size, 4);
	CHECK_EQ(pio_rec[2].val, 0x33333333);
	CHECK_EQ(n_mmio, 4);
	CHECK_EQ(mmio_rec[0].addr, 0);
	CHECK_EQ(mmio_rec[0].size, 1);
	CHECK_EQ(mmio_rec[0].val, 0x44);
	CHECK_EQ(mmio_rec[1].addr, 8);
	CHECK_EQ(mmio_rec[1].size, 2);
	CHECK_EQ(mmio_rec[1].val, 0x5555);
	CHECK_EQ(mmio_rec[2].addr, 16);
	CHECK_EQ(mmio_rec[2].size, 4);
	CHECK_EQ(mmio_rec[2].val, 0x66666666);
	CHECK_EQ(mmio_rec[3].addr, 24);
	CHECK_EQ(mmio_rec[3].size, 8);
	CHECK_EQ(mmio_rec[3].val, 0x7777777777777777ULL);
}

static void test_smp(void)
{
	struct vmm_config cfg;
	struct machine m;
	bool seen[2] = {false, false}, done = false;
	unsigned i;
	int code;

	n_pio = 0;
	CHECK_EQ(boot("guest_smp.bin", 2, &m, &cfg), 0);
	/* Start the AP in 64-bit mode too (Linux would use INIT/SIPI). */
	CHECK_EQ(m.accel->set_regs(m.vcpu[1], machine_x86_boot_regs(&m)), 0);
	code = machine_run(&m);
	machine_destroy(&m);
	CHECK_EQ(code, 0);
	for (i = 0; i < n_pio && i < MAX_REC; i++) {
		if (pio_rec[i].val < 2)
			seen[pio_rec[i].val] = true;
		else if (pio_rec[i].val == 0xff)
			done = true;
	}
	CHECK(seen[0]);
	CHECK(seen[1]);
	CHECK(done);
}

int main(void)
{
	skip_without_kvm();
	log_set_level(LOG_WARN);
	alarm(80); /* a hung guest fails the test instead of hanging it */
	test_pio_mmio();
	test_smp();
	return test_result("test_kvm_harness");
}
