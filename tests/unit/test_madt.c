// SPDX-License-Identifier: GPL-2.0-only
/* MADT parsing: QEMU's layout, x2APIC entries, disabled processors, bad lengths. */
#include "harness.h"
#include <asm/madt.h>

static u8 tbl[256];
static u32 len;
static char err[120];
static struct madt_info m;

static void put32(u32 off, u32 v)
{
	memcpy(tbl + off, &v, 4);
}

static void lapic(u8 uid, u8 apic_id, u32 flags)
{
	tbl[len] = MADT_LAPIC;
	tbl[len + 1] = 8;
	tbl[len + 2] = uid;
	tbl[len + 3] = apic_id;
	put32(len + 4, flags);
	len += 8;
}

/* Like QEMU's -smp 2,maxcpus=3: two enabled CPUs, one not present, an IO-APIC, overrides. */
static void qemu_madt(void)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, "APIC", 4);
	put32(36, 0xfee00000);
	put32(40, 1); /* PCAT_COMPAT */
	len = MADT_ENTRIES;
	lapic(0, 0, MADT_CPU_ENABLED);
	lapic(1, 1, MADT_CPU_ENABLED);
	lapic(2, 2, 0);
	tbl[len] = MADT_IOAPIC;
	tbl[len + 1] = 12;
	put32(len + 4, 0xfec00000);
	len += 12;
	tbl[len] = 2; /* interrupt source override: skipped */
	tbl[len + 1] = 10;
	len += 10;
}

static void test_madt_qemu(void **state)
{
	(void)state;
	qemu_madt();
	assert_int_equal(madt_parse(tbl, len, &m, err, sizeof(err)), 0);
	assert_int_equal(m.cpus, 2);
	assert_int_equal(m.enabled, 2);
	assert_true(madt_has_cpu(&m, 0));
	assert_true(madt_has_cpu(&m, 1));
	assert_false(madt_has_cpu(&m, 2)); /* listed, but neither enabled nor online capable */
	assert_int_equal(m.nr_ioapics, 1);
	assert_int_equal(m.ioapic[0], 0xfec00000);
}

static void test_madt_x2apic_and_online_capable(void **state)
{
	(void)state;
	qemu_madt();
	tbl[len] = MADT_X2APIC;
	tbl[len + 1] = 16;
	put32(len + 4, 300); /* an APIC ID past 255 */
	put32(len + 8, MADT_CPU_ENABLED);
	len += 16;
	lapic(3, 3, MADT_CPU_CAPABLE);
	assert_int_equal(madt_parse(tbl, len, &m, err, sizeof(err)), 0);
	assert_int_equal(m.cpus, 4);
	assert_int_equal(m.enabled, 3); /* the online-capable one is not up at boot */
	assert_true(madt_has_cpu(&m, 300));
	assert_true(madt_has_cpu(&m, 3));
}

static void test_madt_malformed(void **state)
{
	(void)state;
	qemu_madt();
	tbl[MADT_ENTRIES + 9] = 40; /* the second processor's entry runs past the end */
	assert_int_equal(madt_parse(tbl, len, &m, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "MADT: entry at offset 52 has length 40"), err);
	assert_int_equal(m.cpus, 1); /* what came before it is kept */
	qemu_madt();
	tbl[MADT_ENTRIES + 1] = 0;
	assert_int_equal(madt_parse(tbl, len, &m, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "offset 44 has length 0"), err);
	assert_int_equal(madt_parse(tbl, 20, &m, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "20 bytes, shorter than its 44-byte header"), err);
	qemu_madt();
	tbl[len++] = MADT_LAPIC; /* one stray byte at the end */
	assert_int_equal(madt_parse(tbl, len, &m, err, sizeof(err)), -EINVAL);
	assert_non_null_msg(strstr(err, "MADT: 1 stray bytes at offset 90"), err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madt_qemu),
		cmocka_unit_test(test_madt_x2apic_and_online_capable),
		cmocka_unit_test(test_madt_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
