// SPDX-License-Identifier: GPL-2.0-only
/* The hv log: one line per call, prefixed "[hv] ", serialised across CPUs. */
#include <asm/console.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/spinlock.h>

enum log_level hv_loglevel = LOG_INFO;
static spinlock_t log_lock;

/*
 * Informational lines held back while the hand-over runs (log_hold()): the
 * UART is polled, a character at a time, and the hand-over should not wait
 * for it. An error or a warning writes out what is held, then itself, so
 * the order on the console is always the order of the calls.
 */
static struct {
	char buf[4096];
	unsigned int len;
	bool on;
} held;

static void held_write(void)
{
	if (held.len) {
		held.buf[held.len] = '\0';
		console_puts(held.buf);
		held.len = 0;
	}
}

void log_hold(void)
{
	spin_lock(&log_lock);
	held.on = true;
	spin_unlock(&log_lock);
}

void log_release(void)
{
	spin_lock(&log_lock);
	held_write();
	__atomic_store_n(&held.on, false, __ATOMIC_RELEASE);
	spin_unlock(&log_lock);
}

bool log_holding(void)
{
	return __atomic_load_n(&held.on, __ATOMIC_ACQUIRE);
}

void hv_log(enum log_level level, const char *fmt, ...)
{
	static const char *const tag[] = { "ERROR: ", "WARNING: ", "", "" };
	char line[256];
	va_list ap;
	int n;

	if (level > hv_loglevel)
		return;
	n = snprintf_hv(line, sizeof(line), "[hv] %s", tag[level]);
	va_start(ap, fmt);
	vsnprintf_hv(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);

	spin_lock(&log_lock);
	if (held.on && level >= LOG_INFO) {
		if (held.len + n + 2 > sizeof(held.buf))
			held_write();
		memcpy(held.buf + held.len, line, n);
		held.len += n;
		held.buf[held.len++] = '\n';
	} else {
		held_write();
		console_puts(line);
		console_puts("\n");
	}
	spin_unlock(&log_lock);
}
