// SPDX-License-Identifier: GPL-2.0-only
/* The hv log: one line per call, prefixed "[hv] ", serialised across CPUs. */
#include <asm/console.h>
#include <hv/printk.h>
#include <hv/spinlock.h>

enum log_level hv_loglevel = LOG_INFO;
static spinlock_t log_lock;

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

	spin_lock(&log_lock);
	console_puts(line);
	console_puts("\n");
	spin_unlock(&log_lock);
}
