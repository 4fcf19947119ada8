// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness.h"
#include <hv/printk.h>

char last_log[512];
char all_log[16384];
unsigned int log_count;
enum log_level hv_loglevel = LOG_DEBUG;
/* hv/printk.c's held lines: the tests see every line at once and only whether they are held. */
static bool log_held;

void log_reset(void)
{
	last_log[0] = '\0';
	all_log[0] = '\0';
	log_count = 0;
	log_held = false;
}

void log_hold(void)
{
	log_held = true;
}

void log_release(void)
{
	log_held = false;
}

bool log_holding(void)
{
	return log_held;
}

void hv_log(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf_hv(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	if (strlen(all_log) + strlen(last_log) + 2 < sizeof(all_log)) {
		strcat(all_log, last_log);
		strcat(all_log, "\n");
	}
	log_count++;
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "  log: %s\n", last_log);
}

void *alloc_low(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);

	assert_true(p != MAP_FAILED);
	memset(p, 0, size);
	return p;
}

void *test_page(void)
{
	void *p = aligned_alloc(4096, 4096);

	assert_non_null(p);
	memset(p, 0, 4096);
	return p;
}
