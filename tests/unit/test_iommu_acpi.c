// SPDX-License-Identifier: GPL-2.0-only
/* DMAR and IVRS parsing: the layouts QEMU and firmware produce, and bad ones. */
#include "harness.h"
#include <asm/iommu.h>

static u8 tbl[512];
static u32 len;
static char err[160];

static void put16(u32 off, u16 v)
{
	memcpy(tbl + off, &v, 2);
}

static void put64(u32 off, u64 v)
{
	memcpy(tbl + off, &v, 8);
}

/* A DMAR like QEMU's intel-iommu: one DRHD with INCLUDE_PCI_ALL, then an RMRR. */
static void dmar(void)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "DMAR", 4);
	tbl[36] = 38; /* 39-bit host address width */
	put16(48, 0); /* DRHD */
	put16(50, 16);
	tbl[52] = 1;
	put64(56, 0xfed90000);
	put16(64, 1); /* RMRR */
	put16(66, 24);
	put64(72, 0xe8000);
	put64(80, 0xe8fff);
	len = 88;
}

static void ivrs(u8 ivhd_type)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "IVRS", 4);
	tbl[48] = ivhd_type;
	put16(50, ivhd_type == 0x10 ? 24 : 40);
	put16(52, 0x10); /* the IOMMU is 00:02.0 */
	put64(56, 0xfed80000);
	len = 48 + (ivhd_type == 0x10 ? 24 : 40);
}

static void test_dmar_good(void **state)
{
	struct iommu_acpi a;

	(void)state;
	dmar();
	assert_int_equal(dmar_parse(tbl, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.kind, IOMMU_VTD);
	assert_int_equal(a.addr_width, 39);
	assert_int_equal(a.nr_units, 1);
	assert_int_equal(a.unit[0].base, 0xfed90000);
	assert_int_equal(a.unit[0].size, 4096);
	assert_true(a.unit[0].all);
	assert_int_equal(a.nr_unity, 1);
	assert_int_equal(a.unity[0].start, 0xe8000);
	assert_int_equal(a.unity[0].end, 0xe9000);
	/* Register-set size field: 2^n pages. */
	tbl[53] = 2;
	assert_int_equal(dmar_parse(tbl, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.unit[0].size, 16384);
}

static void expect_dmar_error(const char *what)
{
	struct iommu_acpi a;

	err[0] = 0;
	assert_int_equal(dmar_parse(tbl, len, &a, err, sizeof(err)), -EINVAL);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not name \"%s\"", err, what);
}

static void test_dmar_malformed(void **state)
{
	(void)state;
	dmar();
	put16(50, 200); /* DRHD longer than the table */
	expect_dmar_error("type 0 at offset 48 has length 200");
	dmar();
	put16(50, 2);
	expect_dmar_error("has length 2");
	dmar();
	put16(50, 12);
	put16(60, 1);
	put16(62, 16);
	expect_dmar_error("DRHD at offset 48 is 12 bytes");
	dmar();
	put64(56, 0);
	expect_dmar_error("register base 0x0 (zero)");
	dmar();
	put64(56, 0xfed90010);
	expect_dmar_error("not page-aligned");
	dmar();
	put16(54, 1);
	expect_dmar_error("PCI segment 1");
	dmar();
	put64(80, 0xe7fff); /* RMRR limit below its base */
	expect_dmar_error("offset 64");
	dmar();
	put16(48, 2); /* the only unit becomes an ATSR */
	expect_dmar_error("no remapping unit");
	dmar();
	len = 40;
	expect_dmar_error("shorter than its 48-byte header");
	dmar();
	len = 90;
	expect_dmar_error("2 stray bytes at offset 88");
}

static void test_ivrs_good_and_deduplicated(void **state)
{
	struct iommu_acpi a;

	(void)state;
	ivrs(0x10);
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.kind, IOMMU_AMDVI);
	assert_int_equal(a.nr_units, 1);
	assert_int_equal(a.unit[0].base, 0xfed80000);
	assert_int_equal(a.unit[0].devid, 0x10);
	/* The same IOMMU again as type 0x11, plus an IVMD unity range. */
	tbl[72] = 0x11;
	put16(74, 40);
	put64(80, 0xfed80000);
	tbl[112] = 0x20;
	put16(114, 32);
	put64(128, 0x100000);
	put64(136, 0x3000);
	len = 144;
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.nr_units, 1);
	assert_int_equal(a.nr_unity, 1);
	assert_int_equal(a.unity[0].end, 0x103000);
}

static void test_ivrs_malformed(void **state)
{
	struct iommu_acpi a;

	(void)state;
	ivrs(0x11);
	put16(50, 24); /* type 0x11 needs 40 bytes */
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "IVHD type 0x11 at offset 48 is 24 bytes, under 40"), err);
	ivrs(0x10);
	put16(50, 300);
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "block type 0x10 at offset 48 has length 300"), err);
	ivrs(0x10);
	tbl[48] = 0x30; /* unknown types are skipped: then no IOMMU is left */
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "no IOMMU"), err);
	ivrs(0x10);
	put16(64, 2);
	assert_int_equal(ivrs_parse(tbl, len, &a, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "segment 2"), err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmar_good),
		cmocka_unit_test(test_dmar_malformed),
		cmocka_unit_test(test_ivrs_good_and_deduplicated),
		cmocka_unit_test(test_ivrs_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
