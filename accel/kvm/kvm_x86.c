/*
 * x86 specifics of a KVM vCPU: CPUID (from KVM_GET_SUPPORTED_CPUID, with
 * per-vCPU APIC IDs and topology), the boot MSRs, LAPIC LINT pins, FPU
 * state, register transfer to and from struct x86_cpu_state, and the dump.
 */
#include "accel/kvm/kvm_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/log.h"

/* Architectural MSR numbers (SDM vol. 4); the UAPI headers do not export them. */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_TSC 0x10
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING (1ULL << 0)
#define MSR_MTRRdefType 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

/* SDM vol. 2A, CPUID leaf 1: ECX bit 31 is reserved for hypervisors to set. */
#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID1_EDX_HTT (1U << 28)

static unsigned order_base_2(unsigned n)
{
	unsigned s = 0;

	while ((1U << s) < n)
		s++;
	return s;
}

/*
 * One socket, one thread per core, @ncpus cores; APIC ID = vCPU index.
 * SDM vol. 2A: leaf 1 EBX[31:24] initial APIC ID, EBX[23:16] logical
 * processors per package; leaf 4 EAX[31:26] cores per package - 1; leaves
 * 0xB/0x1F: x2APIC ID in EDX, SMT then Core level.
 */
static void cpuid_fix_entry(struct kvm_cpuid_entry2 *e, unsigned index, unsigned ncpus)
{
	unsigned shift = order_base_2(ncpus);

	switch (e->function) {
	case 1:
		e->ebx = (e->ebx & 0x0000ffff) | (index << 24) | ((ncpus & 0xff) << 16);
		e->ecx |= CPUID1_ECX_HYPERVISOR;
		if (ncpus > 1)
			e->edx |= CPUID1_EDX_HTT;
		break;
	case 4:
		e->eax = (e->eax & 0x03ffffff) | ((ncpus - 1) << 26);
		/* EAX[25:14]: logical processors sharing this cache - 1: private caches... */
		if (((e->eax >> 5) & 7) >= 3) /* ...except the last level, shared by all */
			e->eax = (e->eax & ~(0xfffU << 14)) | ((ncpus - 1) << 14);
		else
			e->eax &= ~(0xfffU << 14);
		break;
	case 0xb:
	case 0x1f:
		e->edx = index;
		if (e->index == 0) {
			e->eax = 0;
			e->ebx = 1;
			e->ecx = (1U << 8) | 0; /* SMT level */
		} else if (e->index == 1) {
			e->eax = shift;
			e->ebx = ncpus;
			e->ecx = (2U << 8) | 1; /* Core level */
		} else {
			e->eax = 0;
			e->ebx = 0;
			e->ecx = e->index & 0xff; /* invalid level */
		}
		break;
	case 0x80000008:
		/* AMD: ECX[7:0] cores per package - 1, ECX[15:12] APIC ID size. */
		e->ecx = (e->ecx & ~0xf0ffU) | (ncpus - 1) | (shift << 12);
		break;
	}
}

int kvm_cpuid_setup(struct accel_vcpu *v)
{
	const struct kvm_cpuid2 *sup = v->vm->supported_cpuid;
	struct kvm_cpuid2 *c;
	unsigned i, ncpus = v->vm->cfg.ncpus, n = sup->nent;
	int ret;

	c = calloc(1, sizeof(*c) + (n + 4) * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	memcpy(c->entries, sup->entries, n * sizeof(c->entries[0]));
	c->nent = n;
	for (i = 0; i < n; i++)
		cpuid_fix_entry(&c->entries[i], v->index, ncpus);
	ret = kvm_ioctl(v->fd, KVM_SET_CPUID2, c);
	free(c);
	return ret;
}

/* The MSRs a 64-bit entry expects in their reset/firmware state. */
static int kvm_set_boot_msrs(struct accel_vcpu *v)
{
	static const struct {
		uint32_t index;
		uint64_t value;
	} msrs[] = {
		{MSR_IA32_SYSENTER_CS, 0},
		{MSR_IA32_SYSENTER_ESP, 0},
		{MSR_IA32_SYSENTER_EIP, 0},
		{MSR_STAR, 0},
		{MSR_CSTAR, 0},
		{MSR_KERNEL_GS_BASE, 0},
		{MSR_SYSCALL_MASK, 0},
		{MSR_LSTAR, 0},
		{MSR_IA32_TSC, 0},
		/* Fast-string enable, as firmware leaves it. */
		{MSR_IA32_MISC_ENABLE, MSR_IA32_MISC_ENABLE_FAST_STRING},
		/* MTRRs enabled, default type write-back (firmware would do this). */
		{MSR_MTRRdefType, (1U << 11) | 6},
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[ARRAY_SIZE(msrs)];
	} buf;
	unsigned i;
	int ret;

	memset(&buf, 0, sizeof(buf));
	buf.hdr.nmsrs = ARRAY_SIZE(msrs);
	for (i = 0; i < ARRAY_SIZE(msrs); i++) {
		buf.e[i].index = msrs[i].index;
		buf.e[i].data = msrs[i].value;
	}
	ret = ioctl(v->fd, KVM_SET_MSRS, &buf);
	if (ret < 0)
		return kvm_ioctl(v->fd, KVM_SET_MSRS, &buf);
	if ((unsigned)ret != ARRAY_SIZE(msrs))
		log_warn("kvm: vcpu%u: only %d of %zu boot MSRs accepted (MSR 0x%x refused)",
			 v->index, ret, ARRAY_SIZE(msrs), msrs[ret].index);
	return 0;
}

/*
 * LAPIC LVT LINT0 = ExtINT (the PIC's output), LINT1 = NMI, as firmware
 * programs them (SDM vol. 3A §11.5.1; LVT LINT0 at 0x350, LINT1 at 0x360).
 */
static int kvm_set_lint(struct accel_vcpu *v)
{
	struct kvm_lapic_state lapic;
	uint32_t *lint0, *lint1;
	int ret;

	ret = kvm_ioctl(v->fd, KVM_GET_LAPIC, &lapic);
	if (ret < 0)
		return ret;
	lint0 = (uint32_t *)&lapic.regs[0x350];
	lint1 = (uint32_t *)&lapic.regs[0x360];
	*lint0 = (*lint0 & ~0x700U) | (7U << 8); /* delivery mode ExtINT */
	*lint1 = (*lint1 & ~0x700U) | (4U << 8); /* delivery mode NMI */
	return kvm_ioctl(v->fd, KVM_SET_LAPIC, &lapic);
}

static int kvm_set_fpu_defaults(struct accel_vcpu *v)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;     /* x87 reset value: all exceptions masked */
	fpu.mxcsr = 0x1f80;  /* SSE reset value */
	return kvm_ioctl(v->fd, KVM_SET_FPU, &fpu);
}

int kvm_vcpu_init_x86(struct accel_vcpu *v)
{
	int ret = kvm_set_boot_msrs(v);

	if (ret < 0)
		return ret;
	ret = kvm_set_lint(v);
	if (ret < 0)
		return ret;
	return kvm_set_fpu_defaults(v);
}

static void seg_to_kvm(const struct x86_seg *s, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->type;
	k->present = s->present;
	k->dpl = s->dpl;
	k->db = s->db;
	k->s = s->s;
	k->l = s->l;
	k->g = s->g;
	k->avl = s->avl;
	k->unusable = !s->present;
}

static void seg_from_kvm(const struct kvm_segment *k, struct x86_seg *s)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->type = k->type;
	s->present = k->present;
	s->dpl = k->dpl;
	s->db = k->db;
	s->s = k->s;
	s->l = k->l;
	s->g = k->g;
	s->avl = k->avl;
}

int kvm_vcpu_set_regs(struct accel_vcpu *v, const struct accel_regs *regs)
{
	const struct x86_cpu_state *st = &regs->x86;
	struct kvm_sregs sregs;
	struct kvm_regs r;
	int ret;

	if (regs->arch != ARCH_X86_64)
		return -EINVAL;
	ret = kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	seg_to_kvm(&st->cs, &sregs.cs);
	seg_to_kvm(&st->ds, &sregs.ds);
	seg_to_kvm(&st->es, &sregs.es);
	seg_to_kvm(&st->fs, &sregs.fs);
	seg_to_kvm(&st->gs, &sregs.gs);
	seg_to_kvm(&st->ss, &sregs.ss);
	seg_to_kvm(&st->tr, &sregs.tr);
	seg_to_kvm(&st->ldt, &sregs.ldt);
	sregs.gdt.base = st->gdt.base;
	sregs.gdt.limit = st->gdt.limit;
	sregs.idt.base = st->idt.base;
	sregs.idt.limit = st->idt.limit;
	sregs.cr0 = st->cr0;
	sregs.cr2 = st->cr2;
	sregs.cr3 = st->cr3;
	sregs.cr4 = st->cr4;
	sregs.cr8 = st->cr8;
	sregs.efer = st->efer;
	ret = kvm_ioctl(v->fd, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	memset(&r, 0, sizeof(r));
	r.rax = st->gpr[X86_RAX];
	r.rbx = st->gpr[X86_RBX];
	r.rcx = st->gpr[X86_RCX];
	r.rdx = st->gpr[X86_RDX];
	r.rsi = st->gpr[X86_RSI];
	r.rdi = st->gpr[X86_RDI];
	r.rsp = st->gpr[X86_RSP];
	r.rbp = st->gpr[X86_RBP];
	r.r8 = st->gpr[X86_R8];
	r.r9 = st->gpr[X86_R9];
	r.r10 = st->gpr[X86_R10];
	r.r11 = st->gpr[X86_R11];
	r.r12 = st->gpr[X86_R12];
	r.r13 = st->gpr[X86_R13];
	r.r14 = st->gpr[X86_R14];
	r.r15 = st->gpr[X86_R15];
	r.rip = st->rip;
	r.rflags = st->rflags | 2; /* bit 1 is reserved, always 1 */
	ret = kvm_ioctl(v->fd, KVM_SET_REGS, &r);
	if (ret < 0)
		return ret;
	/*
	 * Loading a full state means "run from here": an AP that would wait
	 * for INIT/SIPI becomes runnable (snapshot restore, tests).
	 */
	if (v->index != 0) {
		struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};

		ret = kvm_ioctl(v->fd, KVM_SET_MP_STATE, &mp);
	}
	return ret;
}

int kvm_vcpu_get_regs(struct accel_vcpu *v, struct accel_regs *regs)
{
	struct x86_cpu_state *st = &regs->x86;
	struct kvm_sregs sregs;
	struct kvm_regs r;
	int ret;

	memset(regs, 0, sizeof(*regs));
	regs->arch = ARCH_X86_64;
	ret = kvm_ioctl(v->fd, KVM_GET_REGS, &r);
	if (ret < 0)
		return ret;
	ret = kvm_ioctl(v->fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	st->gpr[X86_RAX] = r.rax;
	st->gpr[X86_RBX] = r.rbx;
	st->gpr[X86_RCX] = r.rcx;
	st->gpr[X86_RDX] = r.rdx;
	st->gpr[X86_RSI] = r.rsi;
	st->gpr[X86_RDI] = r.rdi;
	st->gpr[X86_RSP] = r.rsp;
	st->gpr[X86_RBP] = r.rbp;
	st->gpr[X86_R8] = r.r8;
	st->gpr[X86_R9] = r.r9;
	st->gpr[X86_R10] = r.r10;
	st->gpr[X86_R11] = r.r11;
	st->gpr[X86_R12] = r.r12;
	st->gpr[X86_R13] = r.r13;
	st->gpr[X86_R14] = r.r14;
	st->gpr[X86_R15] = r.r15;
	st->rip = r.rip;
	st->rflags = r.rflags;
	seg_from_kvm(&sregs.cs, &st->cs);
	seg_from_kvm(&sregs.ds, &st->ds);
	seg_from_kvm(&sregs.es, &st->es);
	seg_from_kvm(&sregs.fs, &st->fs);
	seg_from_kvm(&sregs.gs, &st->gs);
	seg_from_kvm(&sregs.ss, &st->ss);
	seg_from_kvm(&sregs.tr, &st->tr);
	seg_from_kvm(&sregs.ldt, &st->ldt);
	st->gdt.base = sregs.gdt.base;
	st->gdt.limit = sregs.gdt.limit;
	st->idt.base = sregs.idt.base;
	st->idt.limit = sregs.idt.limit;
	st->cr0 = sregs.cr0;
	st->cr2 = sregs.cr2;
	st->cr3 = sregs.cr3;
	st->cr4 = sregs.cr4;
	st->cr8 = sregs.cr8;
	st->efer = sregs.efer;
	return 0;
}

static void dump_seg(const char *name, const struct kvm_segment *s)
{
	fprintf(stderr, "  %-3s sel=%04x base=%016llx limit=%08x type=%x p=%u dpl=%u db=%u s=%u l=%u g=%u\r\n",
		name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->present,
		s->dpl, s->db, s->s, s->l, s->g);
}

void kvm_vcpu_dump_regs(struct accel_vcpu *v)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 || ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(stderr, "  (registers unavailable: %s)\r\n", strerror(errno));
		return;
	}
	fprintf(stderr,
		"  rip=%016llx rflags=%016llx\r\n"
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\r\n"
		"  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\r\n"
		"  r8 =%016llx r9 =%016llx r10=%016llx r11=%016llx\r\n"
		"  r12=%016llx r13=%016llx r14=%016llx r15=%016llx\r\n",
		r.rip, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp, r.r8,
		r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15);
	fprintf(stderr,
		"  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx\r\n"
		"  efer=%016llx apic_base=%016llx\r\n",
		s.cr0, s.cr2, s.cr3, s.cr4, s.efer, s.apic_base);
	dump_seg("cs", &s.cs);
	dump_seg("ds", &s.ds);
	dump_seg("ss", &s.ss);
	dump_seg("tr", &s.tr);
	fprintf(stderr, "  gdt=%016llx/%04x idt=%016llx/%04x\r\n", s.gdt.base, s.gdt.limit,
		s.idt.base, s.idt.limit);
}
