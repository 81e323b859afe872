/*
 * SBI 2.0 calls answered by vmm (sbi.h). Every argument comes from the
 * guest: hart masks, ids and addresses are checked here and a bad one
 * gets SBI_ERR_INVALID_PARAM / INVALID_ADDRESS, never a crash.
 */
#include "accel/tcg/riscv64/sbi.h"

#include <errno.h>
#include <stdatomic.h>

#include "accel/tcg/riscv64/cpu.h"
#include "accel/tcg/tcg.h"
#include "common/log.h"

/* Extension ids (SBI spec chapters 4-12). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_GETCHAR	 0x02
#define SBI_EXT_LEGACY_SHUTDOWN	 0x08
#define SBI_EXT_BASE		 0x10
#define SBI_EXT_TIME		 0x54494d45
#define SBI_EXT_IPI		 0x735049
#define SBI_EXT_RFENCE		 0x52464e43
#define SBI_EXT_HSM		 0x48534d
#define SBI_EXT_SRST		 0x53525354
#define SBI_EXT_DBCN		 0x4442434e

/* Error codes (SBI §3.2). */
#define SBI_SUCCESS		0
#define SBI_ERR_FAILED		(-1)
#define SBI_ERR_NOT_SUPPORTED	(-2)
#define SBI_ERR_INVALID_PARAM	(-3)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

#define SBI_SPEC_VERSION (2ULL << 24) /* 2.0 */
/* Not a registered implementation id (SBI §4.9): "vmm". */
#define SBI_IMPL_ID	 0x766d6dULL
#define SBI_IMPL_VERSION 1

struct sbi_ret {
	int64_t error;
	uint64_t value;
};

static struct sbi_ret ok(uint64_t v)
{
	return (struct sbi_ret){SBI_SUCCESS, v};
}

static struct sbi_ret err(int64_t e)
{
	return (struct sbi_ret){e, 0};
}

static bool ext_present(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_LEGACY_SHUTDOWN:
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
		return true;
	}
	return false;
}

static struct sbi_ret base_call(unsigned fid, const uint64_t *a)
{
	switch (fid) {
	case 0:
		return ok(SBI_SPEC_VERSION);
	case 1:
		return ok(SBI_IMPL_ID);
	case 2:
		return ok(SBI_IMPL_VERSION);
	case 3:
		return ok(ext_present(a[0]));
	case 4: /* mvendorid, marchid, mimpid: as the CSRs read */
	case 5:
	case 6:
		return ok(0);
	}
	return err(SBI_ERR_NOT_SUPPORTED);
}

static void set_timer(struct rv_cpu *cpu, uint64_t when)
{
	/* SBI §6.1: also clears the pending timer interrupt (stimecmp's STIP follows). */
	atomic_store(&cpu->stimecmp, when);
	if (cpu->env.timer_changed)
		cpu->env.timer_changed(cpu->env.opaque);
	tcg_cpu_kick(&cpu->tcg);
}

/*
 * The harts a (hart_mask, hart_mask_base) pair names, as a bit mask
 * (SBI §3.3: base -1 means every hart). -1 if it names a hart that does
 * not exist.
 */
static int64_t hart_mask(struct rv_sbi *sbi, uint64_t mask, uint64_t base, uint64_t *out)
{
	unsigned n = rv_accel_nharts(sbi->vm);
	uint64_t all = n >= 64 ? ~0ULL : (1ULL << n) - 1;

	if (base == ~0ULL) {
		*out = all;
		return 0;
	}
	/* guest-controlled */
	if (base >= n || (mask << base >> base) != mask || ((mask << base) & ~all))
		return -1;
	*out = mask << base;
	return 0;
}

static struct sbi_ret ipi_call(struct rv_sbi *sbi, unsigned fid, const uint64_t *a)
{
	uint64_t m;

	if (fid != 0)
		return err(SBI_ERR_NOT_SUPPORTED);
	if (hart_mask(sbi, a[0], a[1], &m) < 0)
		return err(SBI_ERR_INVALID_PARAM);
	for (unsigned h = 0; h < RV_MAX_HARTS; h++)
		if ((m >> h) & 1)
			rv_accel_send_ipi(sbi->vm, h);
	return ok(0);
}

static struct sbi_ret rfence_call(struct rv_sbi *sbi, struct rv_cpu *cpu, unsigned fid,
				  const uint64_t *a)
{
	uint64_t m;

	if (fid > 2)
		return err(SBI_ERR_NOT_SUPPORTED); /* hypervisor fences: no H extension */
	if (hart_mask(sbi, a[0], a[1], &m) < 0)
		return err(SBI_ERR_INVALID_PARAM);
	if (fid == 0) { /* remote fence.i: see helper_fence_i; a flush is global */
		tcg_sync_code(&cpu->tcg);
		return ok(0);
	}
	/* The TLBs are not ASID-tagged: flush the whole TLB of each target. */
	rv_accel_remote_flush(sbi->vm, cpu, m);
	return ok(0);
}

static struct sbi_ret hsm_call(struct rv_sbi *sbi, struct rv_cpu *cpu, unsigned fid,
			       const uint64_t *a)
{
	int st;

	switch (fid) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
		st = rv_accel_hart_status(sbi->vm, a[0] < RV_MAX_HARTS ? (unsigned)a[0] : ~0u);
		if (st < 0)
			return err(SBI_ERR_INVALID_PARAM);
		if (!cpu->env.mem || !gm_ptr(cpu->env.mem, a[1], 4))
			return err(SBI_ERR_INVALID_ADDRESS);
		if (rv_accel_hart_start(sbi->vm, (unsigned)a[0], a[1], a[2]) < 0)
			return err(SBI_ERR_ALREADY_AVAILABLE); /* §9.1: already started */
		return ok(0);
	case 1: /* hart_stop(): does not return on success */
		rv_accel_hart_stop(sbi->vm, cpu);
		return ok(0);
	case 2: /* hart_get_status(hartid) */
		st = rv_accel_hart_status(sbi->vm, a[0] < RV_MAX_HARTS ? (unsigned)a[0] : ~0u);
		return st < 0 ? err(SBI_ERR_INVALID_PARAM) : ok((uint64_t)st);
	case 3: /* hart_suspend(type, ...): the default retentive suspend is a wfi */
		if (a[0] != 0)
			return err(SBI_ERR_NOT_SUPPORTED);
		if (!rv_cpu_wfi_wake(cpu))
			cpu->tcg.halted = true;
		return ok(0);
	}
	return err(SBI_ERR_NOT_SUPPORTED);
}

static struct sbi_ret srst_call(struct rv_sbi *sbi, struct rv_cpu *cpu, unsigned fid,
				const uint64_t *a)
{
	if (fid != 0)
		return err(SBI_ERR_NOT_SUPPORTED);
	/* SBI §10.1: type 0 shutdown, 1 cold reboot, 2 warm reboot. */
	if (a[0] > 2 || a[1] > 1)
		return err(SBI_ERR_INVALID_PARAM);
	vm_stop_request(sbi->host.stop, a[0] == 0 ? VM_STOP_POWEROFF : VM_STOP_RESET, 0);
	tcg_cpu_stop(&cpu->tcg);
	return ok(0);
}

/*
 * DBCN takes physical addresses (SBI §12.1.1): all @len bytes there must be
 * RAM (base_hi is the part above XLEN bits, so 0 on RV64), else
 * SBI_ERR_INVALID_PARAM.
 */
static uint8_t *dbcn_buf(struct rv_cpu *cpu, uint64_t lo, uint64_t hi, uint64_t len)
{
	if (hi || !cpu->env.mem || !len)
		return NULL;
	return gm_ptr(cpu->env.mem, lo, len); /* guest-controlled */
}

/*
 * Console input into guest RAM (DBCN console_read, §12.1.2): non-blocking,
 * 0 bytes when there is none. The bytes are written behind the JIT's back,
 * so translations of them go, as for any other store.
 */
static uint64_t console_read(struct rv_sbi *sbi, struct rv_cpu *cpu, uint8_t *p, uint64_t gpa,
			     uint64_t len)
{
	size_t n = sbi->host.read ? sbi->host.read(sbi->host.opaque, p, len) : 0;

	if (n)
		tcg_invalidate_phys_range(cpu->tcg.ctx, gpa, n);
	return n;
}

static struct sbi_ret dbcn_call(struct rv_sbi *sbi, struct rv_cpu *cpu, unsigned fid,
				const uint64_t *a)
{
	uint8_t *p, byte;
	/* One call moves at most 4 KiB; the caller loops on the count (§12.1.1). */
	uint64_t len = MIN(a[0], 4096ULL);

	switch (fid) {
	case 0: /* console_write(num_bytes, base_lo, base_hi) */
	case 1: /* console_read(num_bytes, base_lo, base_hi) */
		if (a[0] == 0)
			return ok(0);
		p = dbcn_buf(cpu, a[1], a[2], a[0]);
		if (!p) {
			guest_err(&sbi->guest_errors, "sbi: DBCN buffer %#llx+%#llx not in RAM",
				  (unsigned long long)a[1], (unsigned long long)a[0]);
			return err(SBI_ERR_INVALID_PARAM);
		}
		if (fid == 0) {
			sbi->host.write(sbi->host.opaque, p, len);
			return ok(len);
		}
		return ok(console_read(sbi, cpu, p, a[1], len));
	case 2: /* console_write_byte(byte) */
		byte = (uint8_t)a[0];
		sbi->host.write(sbi->host.opaque, &byte, 1);
		return ok(0);
	}
	return err(SBI_ERR_NOT_SUPPORTED);
}

/* Legacy extensions (SBI §5): the result is a0 only. */
static bool legacy_call(struct rv_sbi *sbi, struct rv_cpu *cpu, uint64_t eid)
{
	uint8_t c;

	switch (eid) {
	case SBI_EXT_LEGACY_SET_TIMER:
		set_timer(cpu, cpu->x[10]);
		cpu->x[10] = 0;
		return true;
	case SBI_EXT_LEGACY_PUTCHAR:
		c = (uint8_t)cpu->x[10];
		sbi->host.write(sbi->host.opaque, &c, 1);
		cpu->x[10] = 0;
		return true;
	case SBI_EXT_LEGACY_GETCHAR:
		cpu->x[10] = (sbi->host.read && sbi->host.read(sbi->host.opaque, &c, 1) == 1)
				 ? c
				 : ~0ULL;
		return true;
	case SBI_EXT_LEGACY_SHUTDOWN:
		vm_stop_request(sbi->host.stop, VM_STOP_POWEROFF, 0);
		tcg_cpu_stop(&cpu->tcg);
		return true;
	}
	return false;
}

void rv_sbi_call(struct rv_sbi *sbi, struct rv_cpu *cpu)
{
	uint64_t eid = cpu->x[17], a[6];
	unsigned fid = (unsigned)cpu->x[16];
	struct sbi_ret r;

	for (unsigned i = 0; i < 6; i++)
		a[i] = cpu->x[10 + i];
	if (legacy_call(sbi, cpu, eid))
		return;
	switch (eid) {
	case SBI_EXT_BASE:
		r = base_call(fid, a);
		break;
	case SBI_EXT_TIME:
		if (fid != 0) {
			r = err(SBI_ERR_NOT_SUPPORTED);
			break;
		}
		set_timer(cpu, a[0]);
		r = ok(0);
		break;
	case SBI_EXT_IPI:
		r = ipi_call(sbi, fid, a);
		break;
	case SBI_EXT_RFENCE:
		r = rfence_call(sbi, cpu, fid, a);
		break;
	case SBI_EXT_HSM:
		r = hsm_call(sbi, cpu, fid, a);
		break;
	case SBI_EXT_SRST:
		r = srst_call(sbi, cpu, fid, a);
		break;
	case SBI_EXT_DBCN:
		r = dbcn_call(sbi, cpu, fid, a);
		break;
	default:
		r = err(SBI_ERR_NOT_SUPPORTED);
	}
	cpu->x[10] = (uint64_t)r.error;
	cpu->x[11] = r.value;
}
