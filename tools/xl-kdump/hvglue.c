// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the hv sources xl-kdump shares (arch/x86/linux.c, hv/elfcore.c,
 * arch/x86/guest_walk.c, hv/vmcoreinfo.c, hv/sha256.c) expect from the rest
 * of the hv: its log. xl-kdump keeps the last error for its own message.
 */
#include <stdio.h>

#include <hv/printk.h>

enum log_level hv_loglevel = LOG_ERR;
char hv_last_error[256];

int snprintf_hv(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void hv_log(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level != LOG_ERR)
		return;
	va_start(ap, fmt);
	vsnprintf(hv_last_error, sizeof(hv_last_error), fmt, ap);
	va_end(ap);
}
