#ifndef VMM_SECCOMP_FILTERS_H
#define VMM_SECCOMP_FILTERS_H

#include "seccomp/seccomp.h"

struct seccomp_rule {
	long nr;
	unsigned long ioctl_req; /* for SYS_ioctl: the one request allowed; else 0 */
	const char *why;
};

struct seccomp_table {
	const char *name;
	const struct seccomp_rule *rules;
	unsigned n;
};

extern const struct seccomp_table seccomp_tables[];

#endif
