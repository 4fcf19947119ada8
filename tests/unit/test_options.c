// SPDX-License-Identifier: GPL-2.0-only
/* hv option parsing. */
#include "harness.h"
#include <hv/lib.h>
#include <hv/options.h>

static struct hv_options o;
static char err[200];

static int reset(void **state)
{
	(void)state;
	options_defaults(&o);
	err[0] = '\0';
	return 0;
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(options_parse("", &o, err, sizeof(err)), 0);
	assert_int_equal(o.console, CONSOLE_COM1);
	assert_int_equal(o.capture_mem, 128ull << 20);
	assert_int_equal(o.loglevel, LOG_INFO);
	assert_int_equal(o.triple_fault, TRIGGER_CAPTURE);
	assert_int_equal(o.crash_hypercall, TRIGGER_CAPTURE);
	assert_int_equal(o.nmi, TRIGGER_CAPTURE);
	assert_int_equal(o.pvpanic, TRIGGER_CAPTURE);
	assert_int_equal(o.capture_failure, FAILURE_REBOOT);
	assert_int_equal(o.capture_test, CAPTURE_TEST_NONE);
	assert_int_equal(o.iommu, IOMMU_AUTO);
	assert_int_equal(o.apic_trap, APIC_TRAP_BOOT);
	assert_int_equal(o.capture_timeout, 300);
}

static void test_crash_policies(void **state)
{
	(void)state;
	assert_int_equal(options_parse("triple_fault=report crash_hypercall=refuse "
				       "capture_failure=halt capture_test=corrupt",
				       &o, err, sizeof(err)),
			 0);
	assert_int_equal(o.triple_fault, TRIGGER_REPORT);
	assert_int_equal(o.crash_hypercall, TRIGGER_REFUSE);
	assert_int_equal(o.capture_failure, FAILURE_HALT);
	assert_int_equal(o.capture_test, CAPTURE_TEST_CORRUPT);
	assert_int_equal(options_parse("triple_fault=refuse", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(
		err, "hv option \"triple_fault=refuse\": expected triple_fault=capture or report");
	assert_int_equal(options_parse("capture_failure=panic", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_timeout=0", &o, err, sizeof(err)), 0);
	assert_int_equal(o.capture_timeout, 0);
	assert_int_equal(options_parse("capture_timeout=86400", &o, err, sizeof(err)), 0);
	assert_int_equal(o.capture_timeout, 86400);
	assert_int_equal(options_parse("capture_timeout=86401", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "hv option \"capture_timeout=86401\": expected "
				 "capture_timeout=SECONDS, from 0 (no bound) to 86400");
	assert_int_equal(options_parse("capture_timeout=", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_timeout=5m", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_timeout=-1", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_timeout=999999", &o, err, sizeof(err)), -EINVAL);
	/* What a crash lends the capture kernel, and the dump level that allows it. */
	assert_int_equal(o.capture_lend, 0);
	assert_int_equal(o.dump_level, 31);
	assert_int_equal(options_parse("capture_lend=511M dump_level=17", &o, err, sizeof(err)), 0);
	assert_int_equal(o.capture_lend, 512ull << 20); /* whole 2 MiB runs */
	assert_int_equal(o.dump_level, 17);
	assert_int_equal(options_parse("dump_level=32", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "hv option \"dump_level=32\": expected "
				 "dump_level=makedumpfile's dump level, 0 to 31");
	assert_int_equal(options_parse("dump_level=-1", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_lend=lots", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_lend=513G", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("nmi=guest", &o, err, sizeof(err)), 0);
	assert_int_equal(o.nmi, TRIGGER_GUEST);
	assert_int_equal(options_parse("nmi=ignore", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("pvpanic=off", &o, err, sizeof(err)), 0);
	assert_int_equal(o.pvpanic, TRIGGER_REFUSE);
	assert_int_equal(options_parse("iommu=required", &o, err, sizeof(err)), 0);
	assert_int_equal(o.iommu, IOMMU_REQUIRED);
	assert_int_equal(options_parse("iommu=off", &o, err, sizeof(err)), 0);
	assert_int_equal(o.iommu, IOMMU_OFF);
	assert_int_equal(options_parse("iommu=on", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "hv option \"iommu=on\": expected iommu=auto, required or off");
	assert_int_equal(options_parse("apic_trap=always", &o, err, sizeof(err)), 0);
	assert_int_equal(o.apic_trap, APIC_TRAP_ALWAYS);
	assert_int_equal(options_parse("apic_trap=never", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "hv option \"apic_trap=never\": expected apic_trap=boot or always");
}

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(options_parse("  console=com2\tcapture_mem=1G loglevel=debug ", &o, err,
				       sizeof(err)),
			 0);
	assert_int_equal(o.console, CONSOLE_COM2);
	assert_int_equal(o.capture_mem, 1ull << 30);
	assert_int_equal(o.loglevel, LOG_DEBUG);
	assert_int_equal(
		options_parse("console=none capture_mem=3M loglevel=0", &o, err, sizeof(err)), 0);
	assert_int_equal(o.console, CONSOLE_NONE);
	assert_int_equal(o.capture_mem, 4ull << 20); /* rounded up to 2 MiB */
	assert_int_equal(o.loglevel, LOG_ERR);
	assert_int_equal(options_parse("capture_mem=0x10000000", &o, err, sizeof(err)), 0);
	assert_int_equal(o.capture_mem, 256ull << 20);
	assert_int_equal(options_parse("capture_mem=0", &o, err, sizeof(err)), 0);
	assert_int_equal(o.capture_mem, 0);
}

static void test_errors_name_the_option(void **state)
{
	(void)state;
	assert_int_equal(options_parse("console=com3", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "hv option \"console=com3\": expected console=com1, com2 or none");
	assert_int_equal(options_parse("capture_mem=12Q", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "\"capture_mem=12Q\""));
	assert_int_equal(options_parse("capture_mem=", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("capture_mem=99999999999999999999", &o, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(options_parse("capture_mem=1024G", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(options_parse("loglevel", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "expected loglevel="));
	assert_int_equal(options_parse("console=com1 frobnicate=1", &o, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown hv option \"frobnicate=1\" (known: console=, "));
}

static void test_peek_console(void **state)
{
	(void)state;
	assert_int_equal(options_peek_console(""), CONSOLE_COM1);
	assert_int_equal(options_peek_console("loglevel=debug console=com2"), CONSOLE_COM2);
	assert_int_equal(options_peek_console("console=none bogus"), CONSOLE_NONE);
	assert_int_equal(options_peek_console("xconsole=none"), CONSOLE_COM1);
}

static void test_parse_size(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(parse_size("64k", 3, &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("2g", 2, &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(parse_size("0x", 2, &v), -EINVAL);
	assert_int_equal(parse_size("12MB", 4, &v), -EINVAL);
	assert_int_equal(parse_size("18446744073709551616", 20, &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, reset),
		cmocka_unit_test_setup(test_values, reset),
		cmocka_unit_test_setup(test_crash_policies, reset),
		cmocka_unit_test_setup(test_errors_name_the_option, reset),
		cmocka_unit_test_setup(test_peek_console, reset),
		cmocka_unit_test_setup(test_parse_size, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
