// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the hv sources expect from the rest of the hv, for the fuzz targets
 * (the unit tests' tests/unit/harness.c without cmocka): the log, whose
 * every message is formatted by the hv's own formatter and printed only
 * with FUZZ_VERBOSE=1, and fixed mappings with ASan poisoning.
 */
#define _GNU_SOURCE
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "fuzz.h"
#include <hv/printk.h>

enum log_level hv_loglevel = LOG_DEBUG;
char fuzz_last_log[512];
unsigned int fuzz_log_count;

/* hv/printk.c's held lines: every line is seen at once here. */
static bool fuzz_log_held;

void log_hold(void)
{
	fuzz_log_held = true;
}

void log_release(void)
{
	fuzz_log_held = false;
}

bool log_holding(void)
{
	return fuzz_log_held;
}

void hv_log(enum log_level level, const char *fmt, ...)
{
	static int verbose = -1;
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf_hv(fuzz_last_log, sizeof(fuzz_last_log), fmt, ap);
	va_end(ap);
	fuzz_log_count++;
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "  log: %s\n", fuzz_last_log);
}

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz: %s:%d: invariant failed: %s\n  last log: %s\n", file, line, what,
		fuzz_last_log);
	abort();
}

bool fuzz_skip_known(void)
{
	static int skip = -1;

	if (skip < 0) {
		const char *e = getenv("FUZZ_KNOWN_BUGS");

		skip = e && !strcmp(e, "skip");
	}
	return skip;
}

void *fuzz_map_fixed(u64 addr, size_t size)
{
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != (void *)(uintptr_t)addr) {
		fprintf(stderr, "fuzz: cannot map 0x%llx bytes at 0x%llx\n",
			(unsigned long long)size, (unsigned long long)addr);
		abort();
	}
	fuzz_poison(p, size);
	return p;
}

void fuzz_poison(const void *p, size_t size)
{
	ASAN_POISON_MEMORY_REGION(p, size);
	(void)p, (void)size;
}

void fuzz_unpoison(const void *p, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	(void)p, (void)size;
}
