// SPDX-License-Identifier: GPL-2.0-only
/* parachutectl's texts (guest/parachutectl_report.c): the status report and the load errors. */
/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */
#include "parachutectl.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1ull << 20)

static const struct parachute_status status_armed = {
	.abi_version = PARACHUTE_ABI_VERSION,
	.struct_size = sizeof(struct parachute_status),
	.flags = PARACHUTE_STATUS_CAPTURE_ARMED | PARACHUTE_STATUS_DMA_ISOLATION,
	.vendor = PARACHUTE_VENDOR_SVM,
	.nr_cpus = 4,
	.nr_vcpus = 4,
	.capture_base = 0x7e000000,
	.capture_size = 128 * MIB,
	.tsc_khz = 2000000,
};

static struct parachute_capture_info info_armed(void)
{
	struct parachute_capture_info ci = {
		.struct_size = sizeof(ci),
		.flags = PARACHUTE_CAPTURE_ARMED,
		.generation = 2,
		.kernel_size = 8247232,
		.initrd_size = 31457280,
		.loaded_tsc = 2468000000ull, /* 1.234 s at 2 GHz */
		.region_free = 40 * MIB,
	};

	strcpy(ci.kernel_version, "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP");
	strcpy(ci.cmdline, "console=ttyS0 nr_cpus=1 reset_devices");
	return ci;
}

/* The report as text; *ret gets pc_print_status()'s result. */
static char *report(const struct parachute_status *st, const struct parachute_capture_info *ci,
		    int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*ret = pc_print_status(f, st, ci);
	fclose(f);
	return text;
}

static void test_status_ready(void **state)
{
	struct parachute_capture_info ci = info_armed();
	int ret;
	char *text = report(&status_armed, &ci, &ret);

	(void)state;
	assert_int_equal(ret, PC_EXIT_OK);
	assert_string_equal(
		text,
		"parachute: ready to capture\n"
		"hv: ABI 1.6, vendor svm, 4 CPUs, 4 vCPUs\n"
		"capture region: 0x7e000000+128 MiB\n"
		"capture kernel: 6.1.0-57-amd64 (8247232 bytes), initrd 31457280 bytes, generation 2, loaded 1.234 s after hv start\n"
		"command line: console=ttyS0 nr_cpus=1 reset_devices\n"
		"reload: allowed\n"
		"DMA isolation: on\n"
		"watchdog: off\n");
	free(text);
}

/* restart=on (ABI 1.4): one more line, after DMA isolation. */
static void test_status_restart(void **state)
{
	struct parachute_capture_info ci = info_armed();
	struct parachute_status st = status_armed;
	int ret;
	char *text;

	(void)state;
	st.flags |= PARACHUTE_STATUS_RESTART;
	text = report(&st, &ci, &ret);
	assert_int_equal(ret, PC_EXIT_OK);
	assert_non_null(strstr(text, "DMA isolation: on\n"
				     "restart: on (after a capture the guest boots again, no machine reset)\n"
				     "watchdog: off\n"));
	free(text);
}

static void test_status_disarmed(void **state)
{
	struct parachute_status st = status_armed;
	struct parachute_capture_info ci = { .struct_size = sizeof(ci), .generation = 3 };
	int ret;
	char *text;

	(void)state;
	st.flags = 0;
	st.vendor = PARACHUTE_VENDOR_VMX;
	st.nr_cpus = 1;
	st.nr_vcpus = 1;
	st.capture_size = 160 * MIB + 4096;
	text = report(&st, &ci, &ret);
	assert_int_equal(ret, PC_EXIT_NOT_READY);
	assert_string_equal(text,
			    "parachute: not ready: capture disarmed (no capture kernel loaded)\n"
			    "hv: ABI 1.6, vendor vmx, 1 CPU, 1 vCPU\n"
			    "capture region: 0x7e000000+163844 KiB\n"
			    "capture kernel: none (generation 3)\n"
			    "reload: allowed\n"
			    "DMA isolation: off\n"
			    "watchdog: off\n");
	free(text);
}

static void test_status_ticks_lock_no_initrd(void **state)
{
	struct parachute_status st = status_armed;
	struct parachute_capture_info ci = info_armed();
	int ret;
	char *text;

	(void)state;
	st.tsc_khz = 0;
	ci.initrd_size = 0;
	ci.flags |= PARACHUTE_CAPTURE_RELOAD_LOCK;
	ci.kernel_version[0] = '\0';
	st.watchdog_ms = 30000;
	st.watchdog_left_ms = 27250;
	text = report(&st, &ci, &ret);
	assert_int_equal(ret, PC_EXIT_OK);
	assert_non_null(strstr(text, "watchdog: on, 30.000 s timeout, 27.250 s left\n"));
	assert_non_null(strstr(text, "capture kernel: unknown version (8247232 bytes), no initrd, "
				     "generation 2, loaded 2468000000 TSC ticks after hv start\n"));
	assert_non_null(strstr(text, "reload: locked\n"));
	free(text);
}

/* An hv of ABI 1.1: STATUS only. */
static void test_status_old_hv(void **state)
{
	struct parachute_status st = status_armed;
	int ret;
	char *text;

	(void)state;
	st.abi_version = (1 << 16) | 1;
	st.struct_size = 64; /* no watchdog fields */
	text = report(&st, NULL, &ret);
	assert_int_equal(ret, PC_EXIT_OK);
	assert_non_null(strstr(text,
			       "capture kernel: unknown (the hv's ABI 1.1 predates CAPTURE_INFO)\n"
			       "reload: not supported by this hv\n"));
	assert_null(strstr(text, "command line:"));
	assert_null(strstr(text, "watchdog"));
	free(text);
}

static void test_not_ready_without_hv(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(pc_print_not_ready(f, PC_WHY_NO_MODULE), PC_EXIT_NOT_READY);
	fclose(f);
	assert_string_equal(
		text,
		"parachute: not ready: the parachute module is not loaded (modprobe parachute)\n");
	free(text);
}

static void test_load_errors(void **state)
{
	struct parachute_capture_info ci = info_armed();
	struct pc_load_req req = { .kernel_path = "/boot/vmlinuz-6.1.0-57-amd64",
				   .kernel_size = 8247232,
				   .initrd_size = 36 * MIB,
				   .cmdline_len = 1500 };
	char b[512];

	(void)state;
	pc_load_error(b, sizeof(b), EACCES, &req, &ci);
	assert_string_equal(b, "reload is locked (hv option reload=lock)");
	pc_load_error(b, sizeof(b), EBUSY, &req, &ci);
	assert_string_equal(b, "a capture is running");
	pc_load_error(b, sizeof(b), ENOEXEC, &req, &ci);
	assert_string_equal(b, "/boot/vmlinuz-6.1.0-57-amd64 is not a bzImage the hv can boot");
	/* 8247232 bytes are 2014 pages: 7.87 MiB, + 36 MiB = 43.9 MiB rounded up. */
	pc_load_error(b, sizeof(b), ENOSPC, &req, &ci);
	assert_string_equal(
		b, "kernel and initrd (43.9 MiB) do not fit the capture region (40.0 MiB free)");
	/* The hv calls a file larger than the whole region invalid: the same message. */
	pc_load_error(b, sizeof(b), EINVAL, &req, &ci);
	assert_string_equal(
		b, "kernel and initrd (43.9 MiB) do not fit the capture region (40.0 MiB free)");
	pc_load_error(b, sizeof(b), ENOSPC, &req, NULL);
	assert_string_equal(b, "kernel and initrd (43.9 MiB) do not fit the capture region");
	ci.region_free = 64 * MIB;
	pc_load_error(b, sizeof(b), ENOSPC, &req, &ci);
	assert_string_equal(b,
			    "kernel and initrd (43.9 MiB) fit the capture region (64.0 MiB free), "
			    "but not with the memory the kernel needs to run");
	pc_load_error(b, sizeof(b), EINVAL, &req, &ci);
	assert_string_equal(b, "the hv refused the load as invalid (see its log)");
	pc_load_error(b, sizeof(b), E2BIG, &req, &ci);
	assert_string_equal(
		b, "the command line (1500 bytes) is too long for /boot/vmlinuz-6.1.0-57-amd64");
	pc_load_error(b, sizeof(b), EOPNOTSUPP, &req, &ci);
	assert_string_equal(b, "the hv predates run-time loads (ABI 1.2)");
	pc_load_error(b, sizeof(b), ENODEV, &req, &ci);
	assert_string_equal(b, PC_WHY_NO_HV);
	pc_load_error(b, sizeof(b), EPERM, NULL, NULL);
	assert_string_equal(b, "not permitted (CAP_SYS_BOOT is needed)");
	pc_load_error(b, sizeof(b), EFAULT, &req, &ci);
	assert_string_equal(b, strerror(EFAULT));
}

static void test_dma_faults(void **state)
{
	static struct parachute_dma_faults df = {
		.struct_size = 16, .nr = 2, .total = 70,
		.f = { { 3000000000ull, 0x7e001000, 0x0018, 1, PARACHUTE_DMA_VTD,
			 PARACHUTE_DMA_GUEST, PARACHUTE_DMA_TO_CAPTURE, 5, 0 },
		       { 5000000000ull, 0x1000, 0x0100, 0, PARACHUTE_DMA_AMDVI,
			 PARACHUTE_DMA_CAPTURE, PARACHUTE_DMA_TO_GUEST, 0, 0 } },
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	pc_print_dma_faults(f, &status_armed, &df);
	fclose(f);
	assert_string_equal(
		text,
		"parachute: 70 DMA(s) blocked since the hv started; the last 2 follow\n"
		"1.500 s: device 00:03.0 write at 0x7e001000 blocked by VT-d, guest domain, the capture region (VT-d fault reason 0x5)\n"
		"2.500 s: device 01:00.0 read at 0x1000 blocked by AMD-Vi, capture domain, guest memory\n");
	free(text);
}

/* The capture history: wall-clock times counted back from now by the TSC, each outcome. */
static void test_history(void **state)
{
	static struct parachute_history h = {
		.struct_size = 16, .nr = 3, .total = 11,
		.r = { { 4000000000ull, 0, PARACHUTE_OUTCOME_DONE, 11354, 1,
			 "pvpanic (the guest kernel panicked)", "dump written to /dev/vda" },
		       { 10000000000ull, 1, PARACHUTE_OUTCOME_FAILED, 30125, 0, "operator NMI",
			 "the capture kernel reports: dump target UUID=x not found after 30 s" },
		       { 16000000000ull, 0, PARACHUTE_OUTCOME_STARTED, 1956, 0, "triple fault",
			 "Linux 6.1.0-57-amd64" } },
	};
	struct parachute_status st = status_armed;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	st.uptime_tsc = 20000000000ull; /* 10 s at 2 GHz */
	assert_non_null(f);
	/* 2026-12-07 12:00:00 UTC now: the captures 8, 5 and 2 s ago. */
	pc_print_history(f, &st, &h, 1796644800000, false);
	pc_print_history(f, &st, &h, 1796644800000, true);
	h.nr = 0;
	pc_print_history(f, &st, &h, 1796644800000, false);
	fclose(f);
	assert_string_equal(
		text,
		"parachute: 11 capture(s) since the machine booted; the last 3 follow\n"
		"capture 9: 2026-12-07 11:59:52 UTC, pvpanic (the guest kernel panicked) on cpu0: "
		"saved 11354 ms after the hand-over: dump written to /dev/vda; the guest booted again "
		"without a machine reset\n"
		"capture 10: 2026-12-07 11:59:55 UTC, operator NMI on cpu1: FAILED 30125 ms after the "
		"hand-over: the capture kernel reports: dump target UUID=x not found after 30 s\n"
		"capture 11: 2026-12-07 11:59:58 UTC, triple fault on cpu0: the capture kernel started "
		"1956 ms after the hand-over (Linux 6.1.0-57-amd64); it reported no outcome\n"
		"capture 11: 2026-12-07 11:59:58 UTC, triple fault on cpu0: the capture kernel started "
		"1956 ms after the hand-over (Linux 6.1.0-57-amd64); it reported no outcome\n"
		"parachute: no record: no capture since the machine booted (a restart keeps the "
		"history, a machine reset clears it)\n");
	free(text);
}

static void test_mib(void **state)
{
	char b[32];

	(void)state;
	pc_mib(b, sizeof(b), 40 * MIB, false);
	assert_string_equal(b, "40.0 MiB");
	pc_mib(b, sizeof(b), 40 * MIB + 1, true);
	assert_string_equal(b, "40.1 MiB");
	pc_mib(b, sizeof(b), 40 * MIB - 1, false);
	assert_string_equal(b, "39.9 MiB");
	pc_mib(b, sizeof(b), 0, true);
	assert_string_equal(b, "0.0 MiB");
}

static void test_bzimage_release(void **state)
{
	static uint8_t img[0x1000];
	static const char version[] = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1";
	char b[64];

	(void)state;
	assert_false(pc_bzimage_release(img, sizeof(img), b, sizeof(b)));
	memcpy(img + 0x202, "HdrS", 4);
	assert_false(pc_bzimage_release(img, sizeof(img), b, sizeof(b))); /* no version */
	img[0x20e] = 0x00;
	img[0x20f] = 0x0c; /* at 0xc00 + 0x200 */
	memcpy(img + 0xe00, version, sizeof(version));
	assert_true(pc_bzimage_release(img, sizeof(img), b, sizeof(b)));
	assert_string_equal(b, "6.1.0-57-amd64");
	/* Cut short: as much of the word as the buffer and the image hold. */
	assert_true(pc_bzimage_release(img, sizeof(img), b, 6));
	assert_string_equal(b, "6.1.0");
	assert_true(pc_bzimage_release(img, 0xe03, b, sizeof(b)));
	assert_string_equal(b, "6.1");
	/* The pointer past the end of the image. */
	img[0x20f] = 0x10;
	assert_false(pc_bzimage_release(img, sizeof(img), b, sizeof(b)));
	assert_false(pc_bzimage_release(img, 0x100, b, sizeof(b)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_ready),
		cmocka_unit_test(test_status_restart),
		cmocka_unit_test(test_status_disarmed),
		cmocka_unit_test(test_status_ticks_lock_no_initrd),
		cmocka_unit_test(test_status_old_hv),
		cmocka_unit_test(test_not_ready_without_hv),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_dma_faults),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_mib),
		cmocka_unit_test(test_bzimage_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
