/* SPDX-License-Identifier: GPL-2.0-only */
/* Host unit-test harness: what the hv sources expect from the rest of the hv. */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
#include <string.h>

/* The last message the code under test logged, and how many it logged. */
extern char last_log[512];
extern char all_log[16384];
extern unsigned int log_count;
void log_reset(void);

/* Memory below 4 GiB (MAP_32BIT), for structures that hold 32-bit addresses. */
void *alloc_low(size_t size);

/* A zeroed, page-aligned page for page-table tests. */
void *test_page(void);

#define assert_logged(substr) assert_non_null_msg(strstr(last_log, (substr)), last_log)
/* Any line since log_reset() (the first 16 KiB of them). */
#define assert_logged_since_reset(substr) \
	assert_non_null_msg(strstr(all_log, (substr)), "(not among the lines since the reset)")

static inline void assert_non_null_msg(const void *p, const char *msg)
{
	if (!p)
		fail_msg("last log line: \"%s\"", msg);
}

#endif
