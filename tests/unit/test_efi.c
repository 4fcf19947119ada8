// SPDX-License-Identifier: GPL-2.0-only
/* The EFI configuration table, in a system table built in low memory. */
#include "harness.h"
#include <asm/efi.h>

#define LIMIT (4ull << 30)

static u8 *systab;
static u8 *tables;

static u64 lo(const void *p)
{
	return (u64)(uintptr_t)p;
}

static void put(u8 *p, u32 off, const void *v, size_t n)
{
	memcpy(p + off, v, n);
}

/* An EFI_SYSTEM_TABLE with three configuration tables: ACPI 1.0, SMBIOS3, ACPI 2.0. */
static int build(void **state)
{
	u64 sig = EFI_SYSTAB_SIGNATURE, nr = 3, tab;
	u32 hsize = 120;
	const struct efi_guid *g[3] = { &efi_acpi10_guid, &efi_smbios3_guid, &efi_acpi20_guid };

	(void)state;
	systab = alloc_low(4096);
	tables = alloc_low(4096);
	put(systab, 0, &sig, 8);
	put(systab, 12, &hsize, 4);
	put(systab, 104, &nr, 8);
	tab = lo(tables);
	put(systab, 112, &tab, 8);
	for (unsigned int i = 0; i < 3; i++) {
		u64 v = 0xe0000 + i * 0x100;

		put(tables, i * 24, g[i], 16);
		put(tables, i * 24 + 16, &v, 8);
	}
	log_reset();
	return 0;
}

static void test_found(void **state)
{
	(void)state;
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_acpi20_guid), 0xe0200);
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_acpi10_guid), 0xe0000);
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_smbios3_guid), 0xe0100);
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_smbios_guid), 0);
	assert_int_equal(log_count, 0);
}

static void test_damaged(void **state)
{
	u64 v = 100000;

	(void)state;
	systab[0] ^= 1; /* signature */
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_acpi20_guid), 0);
	assert_logged("is damaged (signature");
	systab[0] ^= 1;
	put(systab, 104, &v, 8); /* absurd number of tables */
	assert_int_equal(efi_config_table(lo(systab), LIMIT, &efi_acpi20_guid), 0);
	assert_logged("100000 configuration tables");
	v = 3;
	put(systab, 104, &v, 8);
	/* Out of reach: the system table, or its configuration table, beyond the limit. */
	assert_int_equal(efi_config_table(lo(systab), lo(systab) + 64, &efi_acpi20_guid), 0);
	assert_logged("out of reach");
	assert_int_equal(efi_config_table(lo(systab), lo(tables) + 48, &efi_acpi20_guid), 0);
	assert_int_equal(efi_config_table(0, LIMIT, &efi_acpi20_guid), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_found, build),
		cmocka_unit_test_setup(test_damaged, build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
