#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static _Atomic int g_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	atomic_store(&g_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&g_level);
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vmm_log(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char buf[1024];
	va_list ap;
	int n;

	if ((int)level > atomic_load(&g_level))
		return;
	n = snprintf(buf, sizeof(buf), "vmm: %s: ", names[level]);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	/*
	 * One write per line so that lines from several threads never
	 * interleave; "\r\n" because stdin may be in raw mode.
	 */
	fprintf(stderr, "%s\r\n", buf);
}

bool ratelimit_ok(struct ratelimit *rl)
{
	uint64_t now = monotonic_ns();
	uint64_t start = atomic_load_explicit(&rl->window_start_ns, memory_order_relaxed);

	if (now - start > RATELIMIT_WINDOW_NS) {
		unsigned dropped = atomic_exchange(&rl->suppressed, 0);

		if (atomic_compare_exchange_strong(&rl->window_start_ns, &start, now)) {
			atomic_store(&rl->count, 0);
			if (dropped)
				vmm_log(LOG_WARN, "(%u similar messages suppressed)", dropped);
		}
	}
	if (atomic_fetch_add(&rl->count, 1) < RATELIMIT_BURST)
		return true;
	atomic_fetch_add(&rl->suppressed, 1);
	return false;
}

int err_fmt(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}
