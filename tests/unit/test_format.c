// SPDX-License-Identifier: GPL-2.0-only
/* The hv's vsnprintf subset. */
#include "harness.h"
#include <hv/printk.h>

static void test_conversions(void **state)
{
	char b[128];

	(void)state;
	snprintf_hv(b, sizeof(b), "%s|%d|%u|%x|%X|%c|%%", "ok", -42, 42u, 0xbeefu, 0xbeefu, 'z');
	assert_string_equal(b, "ok|-42|42|beef|BEEF|z|%");
	snprintf_hv(b, sizeof(b), "%llx %lu %016llx", 0x123456789abcull, 7ul, 0xabcull);
	assert_string_equal(b, "123456789abc 7 0000000000000abc");
	snprintf_hv(b, sizeof(b), "[%-6s][%6s][%.*s][%5d]", "ab", "cd", 3, "abcdef", -7);
	assert_string_equal(b, "[ab    ][    cd][abc][   -7]");
	const char *volatile null = NULL; /* opaque to the format checker */

	snprintf_hv(b, sizeof(b), "%s", null);
	assert_string_equal(b, "(null)");
}

static void test_truncation(void **state)
{
	char b[8];
	int n;

	(void)state;
	n = snprintf_hv(b, sizeof(b), "0123456789");
	assert_int_equal(n, 10);
	assert_string_equal(b, "0123456");
}

static void test_log_ratelimit(void **state)
{
	u64 count = 0;
	unsigned int logged = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		logged += log_ratelimit(&count);
	/* 1..8, then 16, 32, 64, 128, 256, 512 */
	assert_int_equal(logged, 14);
	assert_int_equal(count, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_log_ratelimit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
