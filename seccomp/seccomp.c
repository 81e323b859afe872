#include "seccomp/seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/log.h"
#include "seccomp/filters.h"
#include "vmm_config.h"

unsigned seccomp_rule_count(enum seccomp_thread kind)
{
	return seccomp_tables[kind].n;
}

static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r)
{
	if (r->nr == SYS_ioctl && r->ioctl_req)
		return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, (int)r->nr, 1,
					      SCMP_A1_32(SCMP_CMP_EQ, (uint32_t)r->ioctl_req));
	/* The same call may appear twice (common + own table): EEXIST is fine. */
	return seccomp_rule_add_exact(ctx, SCMP_ACT_ALLOW, (int)r->nr, 0);
}

int seccomp_install(enum seccomp_thread kind, enum seccomp_mode mode)
{
	const struct seccomp_table *t = &seccomp_tables[kind];
	uint32_t deflt = mode == SECCOMP_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	unsigned i;
	int ret;

	if (mode == SECCOMP_OFF)
		return 0;
	ctx = seccomp_init(deflt);
	if (!ctx)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		ret = add_rule(ctx, &t->rules[i]);
		if (ret < 0 && ret != -EEXIST) {
			log_err("seccomp: %s filter: rule for syscall %ld (%s): %s", t->name,
				t->rules[i].nr, t->rules[i].why, strerror(-ret));
			goto out;
		}
	}
	/*
	 * Opening files after set-up is never vmm's own doing, but libraries
	 * may try it in passing (glibc reads /proc files lazily and copes
	 * with a failure): answer EACCES rather than kill the VM for that.
	 */
	if (mode == SECCOMP_ON) {
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat), 0);
		if (ret == 0)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(open), 0);
		if (ret < 0) {
			log_err("seccomp: %s filter: open rule: %s", t->name, strerror(-ret));
			goto out;
		}
	}
	/* Only this thread: other threads get their own filter. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
	if (ret == 0)
		ret = seccomp_load(ctx);
	if (ret < 0)
		log_err("seccomp: cannot load the %s filter: %s", t->name, strerror(-ret));
out:
	seccomp_release(ctx);
	return ret < 0 ? ret : 0;
}
