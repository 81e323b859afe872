/*
 * Logging to stderr, and the rate-limited, counted report of a guest error.
 *
 * Guest-controlled input that is wrong (a bad register write, descriptor,
 * address) is reported with guest_err(): it bumps the caller's counter and
 * logs at most a few lines per second per call site, so a hostile guest
 * cannot flood the host's log.
 */
#ifndef VMM_COMMON_LOG_H
#define VMM_COMMON_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void vmm_log(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

#define log_err(...)   vmm_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  vmm_log(LOG_WARN, __VA_ARGS__)
#define log_info(...)  vmm_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) vmm_log(LOG_DEBUG, __VA_ARGS__)

/* Allows RATELIMIT_BURST messages per RATELIMIT_WINDOW_NS per instance. */
#define RATELIMIT_BURST	    5
#define RATELIMIT_WINDOW_NS 1000000000ULL

struct ratelimit {
	_Atomic uint64_t window_start_ns;
	_Atomic unsigned count;
	_Atomic unsigned suppressed;
};

/* True when the caller may log now. Thread-safe; never blocks. */
bool ratelimit_ok(struct ratelimit *rl);

/*
 * Report a guest error: count it in *counter (an _Atomic uint64_t) and log a
 * rate-limited warning naming the call site's message.
 */
#define guest_err(counter, fmt, ...)                                                               \
	do {                                                                                       \
		static struct ratelimit rl_;                                                       \
		atomic_fetch_add_explicit((counter), 1, memory_order_relaxed);                     \
		if (ratelimit_ok(&rl_))                                                            \
			vmm_log(LOG_WARN, "guest error: " fmt, ##__VA_ARGS__);                     \
	} while (0)

/*
 * Like guest_err(), for guest behaviour that is legal but worth counting,
 * e.g. probing an I/O port where nothing is: logged only at debug level.
 */
#define guest_note(counter, fmt, ...)                                                              \
	do {                                                                                       \
		static struct ratelimit rl_;                                                       \
		atomic_fetch_add_explicit((counter), 1, memory_order_relaxed);                     \
		if (log_get_level() >= LOG_DEBUG && ratelimit_ok(&rl_))                            \
			vmm_log(LOG_DEBUG, "guest: " fmt, ##__VA_ARGS__);                          \
	} while (0)

/*
 * Format a one-line error message into a caller's buffer (@err may be
 * NULL) and return @ret: the parsers' and loaders' error idiom.
 */
int err_fmt(char *err, size_t errlen, int ret, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

uint64_t monotonic_ns(void);

#endif
