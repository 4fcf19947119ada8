/* SPDX-License-Identifier: GPL-2.0-only */
/* hv console log. Every line starts with "[hv] " so tests can tell it from the guest. */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <hv/types.h>
#include <stdarg.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level hv_loglevel;

/** hv_log() - print one formatted message at level if the log level allows it. */
void hv_log(enum log_level level, const char *fmt, ...) __printf(2, 3);

/**
 * log_hold() - from now on keep informational lines in memory, in order, and
 * write them at log_release() (or before the next error or warning): what
 * the hand-over logs must not hold up the capture kernel's entry.
 */
void log_hold(void);
void log_release(void);
/** log_holding() - lines are held: the exit path calls log_release(). */
bool log_holding(void);

/** vsnprintf_hv() - the subset of vsnprintf the hv needs: %s %c %d %i %u %x %X %p %%. */
int vsnprintf_hv(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf_hv(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/**
 * log_ratelimit() - count one more event in *count; true for the first 8 and
 * then every power of two, so a guest cannot flood the console with them.
 */
static inline bool log_would_print(u64 n)
{
	return n <= 8 || !(n & (n - 1));
}

static inline bool log_ratelimit(u64 *count)
{
	return log_would_print(++*count);
}

/*
 * A line a guest's request causes (a refusal, a watchdog started): counted in
 * count (the vCPU's) and rate-limited, whatever the guest repeats.
 */
#define pr_warn_limited(count, ...)                    \
	do {                                           \
		if (log_ratelimit(count))              \
			hv_log(LOG_WARN, __VA_ARGS__); \
	} while (0)
#define pr_info_limited(count, ...)                    \
	do {                                           \
		if (log_ratelimit(count))              \
			hv_log(LOG_INFO, __VA_ARGS__); \
	} while (0)

/*
 * An error about an input named by a string `what` in scope: none while what
 * is NULL, which a check of a guest's input that the caller rate-limits
 * passes once the guest has been heard enough (a loop of bad loads).
 */
#define pr_err_what(...)                               \
	do {                                           \
		if (what)                              \
			hv_log(LOG_ERR, __VA_ARGS__);  \
	} while (0)

#define pr_err(...)   hv_log(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  hv_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  hv_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hv_log(LOG_DEBUG, __VA_ARGS__)

#endif /* HV_PRINTK_H */
