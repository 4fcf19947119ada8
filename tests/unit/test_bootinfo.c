// SPDX-License-Identifier: GPL-2.0-only
/* Module roles and the hv command line. */
#include "harness.h"
#include <hv/bootinfo.h>

static struct boot_info bi;

static int reset(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	log_reset();
	return 0;
}

static void test_role_first(void **state)
{
	(void)state;
	assert_int_equal(bootinfo_add_module(&bi, 0x200000, 0x300000, "guest console=ttyS0 quiet"),
			 0);
	assert_int_equal(bi.nr_modules, 1);
	assert_int_equal(bi.mods[0].role, ROLE_GUEST);
	assert_string_equal(bi.mods[0].args, "console=ttyS0 quiet");
	assert_int_equal(bi.mods[0].size, 0x100000);
	assert_ptr_equal(bi.by_role[ROLE_GUEST], &bi.mods[0]);
}

static void test_path_token_skipped(void **state)
{
	(void)state;
	assert_int_equal(
		bootinfo_add_module(&bi, 0x1000, 0x2000, "build/initrd.cpio.gz guest-initrd"), 0);
	assert_int_equal(bootinfo_add_module(&bi, 0x3000, 0x4000,
					     "/boot/vmlinuz capture  nr_cpus=1 reset_devices"),
			 0);
	assert_int_equal(bi.mods[0].role, ROLE_GUEST_INITRD);
	assert_string_equal(bi.mods[0].args, "");
	assert_int_equal(bi.mods[1].role, ROLE_CAPTURE);
	assert_string_equal(bi.mods[1].args, "nr_cpus=1 reset_devices");
	assert_int_equal(bootinfo_add_module(&bi, 0x5000, 0x6000, "capture-initrd"), 0);
	assert_int_equal(bi.mods[2].role, ROLE_CAPTURE_INITRD);
}

static void test_unknown_role_named(void **state)
{
	(void)state;
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, "/boot/vmlinuz kernel ro"),
			 -EINVAL);
	assert_logged("module 0: string \"/boot/vmlinuz kernel ro\" names no role");
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, ""), -EINVAL);
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, NULL), -EINVAL);
	assert_int_equal(bi.nr_modules, 0);
}

static void test_duplicate_and_empty(void **state)
{
	(void)state;
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, "guest"), 0);
	assert_int_equal(bootinfo_add_module(&bi, 0x3000, 0x4000, "guest a=b"), -EEXIST);
	assert_logged("role guest given twice");
	assert_int_equal(bootinfo_add_module(&bi, 0x5000, 0x5000, "guest-initrd"), -EINVAL);
	assert_logged("empty or inverted range");
}

static void test_too_many_modules(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++)
		bi.nr_modules++; /* pretend the table is full */
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, "guest"), -E2BIG);
	assert_logged("too many modules");
}

static void test_check_needs_guest(void **state)
{
	(void)state;
	assert_int_equal(bootinfo_add_module(&bi, 0x1000, 0x2000, "guest-initrd"), 0);
	assert_int_equal(bootinfo_check(&bi), -ENOENT);
	assert_logged("no guest module");
	assert_int_equal(bootinfo_add_module(&bi, 0x3000, 0x4000, "guest"), 0);
	assert_int_equal(bootinfo_check(&bi), 0);
}

static void test_cmdline_path_skipped(void **state)
{
	(void)state;
	assert_int_equal(
		bootinfo_set_cmdline(&bi, "build/parachute.elf console=com2 loglevel=debug"), 0);
	assert_string_equal(bi.cmdline, "console=com2 loglevel=debug");
	assert_int_equal(bootinfo_set_cmdline(&bi, "console=none"), 0);
	assert_string_equal(bi.cmdline, "console=none");
	assert_int_equal(bootinfo_set_cmdline(&bi, "/boot/parachute.elf"), 0);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bootinfo_set_cmdline(&bi, NULL), 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_cmdline_too_long(void **state)
{
	char s[BOOT_CMDLINE_MAX + 10];

	(void)state;
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(bootinfo_set_cmdline(&bi, s), -E2BIG);
	assert_logged("longer than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_role_first, reset),
		cmocka_unit_test_setup(test_path_token_skipped, reset),
		cmocka_unit_test_setup(test_unknown_role_named, reset),
		cmocka_unit_test_setup(test_duplicate_and_empty, reset),
		cmocka_unit_test_setup(test_too_many_modules, reset),
		cmocka_unit_test_setup(test_check_needs_guest, reset),
		cmocka_unit_test_setup(test_cmdline_path_skipped, reset),
		cmocka_unit_test_setup(test_cmdline_too_long, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
