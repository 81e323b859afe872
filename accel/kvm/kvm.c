/*
 * The KVM accelerator: VM creation, memory slots, the in-kernel irqchip and
 * PIT, ioeventfd/irqfd. vCPUs live in kvm_vcpu.c, CPUID in kvm_cpuid.c.
 * Documentation/virt/kvm/api.rst is the reference for every ioctl here.
 */
#include "accel/kvm/kvm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"

/* api.rst: KVM_SET_TSS_ADDR needs three pages below 4 GiB outside RAM. */
#define KVM_TSS_ADDR 0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

int kvm_ioctl_named(int fd, unsigned long req, void *arg, const char *name)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0) {
		ret = -errno;
		log_err("kvm: %s failed: %s", name, strerror(errno));
	}
	return ret;
}

static int kvm_open(char *why, size_t why_len)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int ver;

	if (fd < 0) {
		int e = errno;

		snprintf(why, why_len, "/dev/kvm: %s%s", strerror(e),
			 e == EACCES ? " (add yourself to the kvm group)" : "");
		return -e;
	}
	ver = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		snprintf(why, why_len, "/dev/kvm: API version %d, need %d", ver, KVM_API_VERSION);
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

/* Capabilities the x86 machine cannot do without. */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
	{KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
	{KVM_CAP_PIT2, "KVM_CAP_PIT2"},
	{KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"},
	{KVM_CAP_IRQFD, "KVM_CAP_IRQFD"},
	{KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
	{KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"},
	{KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
};

static int kvm_probe(enum guest_arch arch, char *why, size_t why_len)
{
	unsigned i;
	int fd;

	if (arch != ARCH_X86_64) {
		snprintf(why, why_len, "KVM runs only x86_64 guests on this host");
		return -ENOTSUP;
	}
	fd = kvm_open(why, why_len);
	if (fd < 0)
		return fd;
	for (i = 0; i < ARRAY_SIZE(required_caps); i++) {
		if (ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			snprintf(why, why_len, "KVM lacks %s", required_caps[i].name);
			close(fd);
			return -ENOTSUP;
		}
	}
	close(fd);
	return 0;
}

static unsigned kvm_max_vcpus(void)
{
	char why[128];
	int fd = kvm_open(why, sizeof(why)), n;

	if (fd < 0)
		return 0;
	/* api.rst: KVM_CAP_MAX_VCPUS, falling back to KVM_CAP_NR_VCPUS, then 4. */
	n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n <= 0)
		n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	close(fd);
	return n > 0 ? (unsigned)n : 4;
}

static struct kvm_cpuid2 *kvm_get_supported_cpuid(int sys_fd)
{
	unsigned n = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG || n > 4096) {
			log_err("kvm: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
			return NULL;
		}
		n *= 2;
	}
}

static int kvm_vm_setup(struct accel_vm *vm)
{
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	uint64_t ident = KVM_IDENTITY_MAP_ADDR;
	int ret;

	ret = kvm_ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (void *)(uintptr_t)KVM_TSS_ADDR);
	if (ret < 0)
		return ret;
	ret = kvm_ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident);
	if (ret < 0)
		return ret;
	/* In-kernel PIC + IOAPIC + LAPICs, then the PIT on top (api.rst order). */
	ret = kvm_ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, NULL);
	if (ret < 0)
		return ret;
	return kvm_ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit);
}

static int kvm_vm_create(const struct accel_vm_config *cfg, struct accel_vm **out)
{
	struct accel_vm *vm;
	char why[160];
	int ret;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->cfg = *cfg;
	vm->vm_fd = -1;
	vm->sys_fd = kvm_open(why, sizeof(why));
	if (vm->sys_fd < 0) {
		log_err("%s", why);
		ret = vm->sys_fd;
		goto err_free;
	}
	vm->vcpu_mmap_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		ret = -ENOTSUP;
		goto err_sys;
	}
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		log_err("kvm: KVM_CREATE_VM failed: %s", strerror(errno));
		goto err_sys;
	}
	vm->supported_cpuid = kvm_get_supported_cpuid(vm->sys_fd);
	if (!vm->supported_cpuid) {
		ret = -ENOTSUP;
		goto err_vm;
	}
	ret = kvm_vm_setup(vm);
	if (ret < 0)
		goto err_cpuid;
	*out = vm;
	return 0;

err_cpuid:
	free(vm->supported_cpuid);
err_vm:
	close(vm->vm_fd);
err_sys:
	close(vm->sys_fd);
err_free:
	free(vm);
	return ret;
}

static void kvm_vm_destroy(struct accel_vm *vm)
{
	if (!vm)
		return;
	free(vm->supported_cpuid);
	close(vm->vm_fd);
	close(vm->sys_fd);
	free(vm);
}

static int kvm_map_ram(struct accel_vm *vm, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = vm->nslots,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	int ret;

	if (vm->nslots >= KVM_MAX_SLOTS)
		return -ENOSPC;
	ret = kvm_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
	if (ret == 0)
		vm->nslots++;
	return ret;
}

static int kvm_set_irq_line(struct accel_vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = level};

	return kvm_ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

static int kvm_add_ioeventfd(struct accel_vm *vm, bool pio, uint64_t addr, unsigned len, int fd,
			     bool match, uint64_t datamatch)
{
	struct kvm_ioeventfd ev = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = (pio ? KVM_IOEVENTFD_FLAG_PIO : 0) |
			 (match ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0),
	};

	return kvm_ioctl(vm->vm_fd, KVM_IOEVENTFD, &ev);
}

static int kvm_add_irqfd(struct accel_vm *vm, unsigned gsi, int fd)
{
	struct kvm_irqfd irqfd = {.fd = (uint32_t)fd, .gsi = gsi};

	return kvm_ioctl(vm->vm_fd, KVM_IRQFD, &irqfd);
}

const struct accel_ops kvm_accel_ops = {
	.name = "kvm",
	.probe = kvm_probe,
	.max_vcpus = kvm_max_vcpus,
	.vm_create = kvm_vm_create,
	.vm_destroy = kvm_vm_destroy,
	.map_ram = kvm_map_ram,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.get_regs = kvm_vcpu_get_regs,
	.set_regs = kvm_vcpu_set_regs,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_kick = kvm_vcpu_kick,
	.vcpu_dump = kvm_vcpu_dump_regs,
	.set_irq_line = kvm_set_irq_line,
	.add_ioeventfd = kvm_add_ioeventfd,
	.add_irqfd = kvm_add_irqfd,
};
