// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the hv takes the RSDP and the SMBIOS entry point from (firmware.c):
 * the EFI configuration table first, then the loader's copies, then (the
 * RSDP) the BIOS area, whose scan tests/stub/firmware.c replaces (host
 * memory has no BIOS area).
 */
#include "harness.h"
#include "stub.h"
#include <asm/efi.h>
#include <asm/firmware.h>
#include <asm/guest_mem.h>
#include <hv/mm.h>

#define BIOS_RSDP 0xf5a10

static struct boot_info bi;
static u8 *systab, *tables, *acpi20, *acpi10, *smbios3;

static u64 lo(const void *p)
{
	return (u64)(uintptr_t)p;
}

static void checksum(u8 *p, u32 len, u32 at)
{
	u8 sum = 0;

	p[at] = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	p[at] = (u8)-sum;
}

/* An RSDP: revision 0 (20 bytes) or 2 (36 bytes, extended checksum). */
static void rsdp(u8 *p, u8 rev)
{
	u32 len = 36;

	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "PARACH", 6);
	p[15] = rev;
	memcpy(p + 20, &len, 4);
	checksum(p, 20, 8);
	if (rev >= 2)
		checksum(p, 36, 32);
}

static void smbios3_entry(u8 *p)
{
	memcpy(p, "_SM3_", 5);
	p[6] = 24; /* length */
	p[7] = 3;  /* major */
	checksum(p, 24, 5);
}

static void config_entry(unsigned int i, const struct efi_guid *g, const void *table)
{
	u64 v = lo(table);

	memcpy(tables + i * 24, g, 16);
	memcpy(tables + i * 24 + 16, &v, 8);
}

/* A system table with ACPI 2.0, ACPI 1.0 and SMBIOS3 entries, all valid. */
static int build(void **state)
{
	u64 sig = EFI_SYSTAB_SIGNATURE, nr = 3, tab;
	u32 hsize = 120;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	systab = alloc_low(4096);
	tables = alloc_low(4096);
	acpi20 = alloc_low(4096);
	acpi10 = alloc_low(4096);
	smbios3 = alloc_low(4096);
	memcpy(systab, &sig, 8);
	memcpy(systab + 12, &hsize, 4);
	memcpy(systab + 104, &nr, 8);
	tab = lo(tables);
	memcpy(systab + 112, &tab, 8);
	rsdp(acpi20, 2);
	rsdp(acpi10, 0);
	smbios3_entry(smbios3);
	config_entry(0, &efi_acpi10_guid, acpi10);
	config_entry(1, &efi_acpi20_guid, acpi20);
	config_entry(2, &efi_smbios3_guid, smbios3);
	stub_bios_scans = 0;
	stub_bios_rsdp = BIOS_RSDP;
	log_reset();
	return 0;
}

static void test_efi_first(void **state)
{
	(void)state;
	bi.fw.efi_systab = lo(systab);
	rsdp(bi.fw.rsdp, 0); /* the loader's copy is not needed */
	bi.fw.rsdp_len = 20;
	firmware_resolve(&bi);
	assert_int_equal(bi.rsdp, lo(acpi20));
	assert_int_equal(bi.smbios, lo(smbios3));
	assert_int_equal(stub_bios_scans, 0);
	assert_true(bi.fw.fb.efi);
}

/* A damaged ACPI 2.0 RSDP: the 1.0 one from the same table. */
static void test_efi_acpi10_fallback(void **state)
{
	(void)state;
	acpi20[32] ^= 0xff; /* extended checksum */
	bi.fw.efi_systab = lo(systab);
	firmware_resolve(&bi);
	assert_int_equal(bi.rsdp, lo(acpi10));
}

/* Nothing in the EFI table: the loader's copies, kept by the hv, not the tag's memory. */
static void test_loader_copies(void **state)
{
	(void)state;
	memset(tables, 0, 3 * 24);
	bi.fw.efi_systab = lo(systab);
	rsdp(bi.fw.rsdp, 2);
	bi.fw.rsdp_len = 36;
	smbios3_entry(bi.fw.smbios);
	bi.fw.smbios_len = 24;
	firmware_resolve(&bi);
	assert_int_not_equal(bi.rsdp, 0);
	assert_int_not_equal(bi.rsdp, lo(bi.fw.rsdp));
	assert_memory_equal(phys_to_virt(bi.rsdp), bi.fw.rsdp, 36);
	assert_int_not_equal(bi.smbios, 0);
	assert_memory_equal(phys_to_virt(bi.smbios), "_SM3_", 5);
	assert_int_equal(stub_bios_scans, 0);
	assert_logged("SMBIOS: entry point at");
	assert_logged("(Multiboot2 SMBIOS tag)");
}

/* A BIOS machine (no EFI, no tags), and a damaged copy: the BIOS-area scan. */
static void test_bios_area(void **state)
{
	(void)state;
	firmware_resolve(&bi);
	assert_int_equal(bi.rsdp, BIOS_RSDP);
	assert_int_equal(bi.smbios, 0); /* Linux finds SMBIOS itself there */
	assert_false(bi.fw.fb.efi);
	assert_int_equal(stub_bios_scans, 1);

	rsdp(bi.fw.rsdp, 2);
	bi.fw.rsdp_len = 36;
	bi.fw.rsdp[8] ^= 1;
	log_reset();
	firmware_resolve(&bi);
	assert_int_equal(bi.rsdp, BIOS_RSDP);
	assert_int_equal(log_count, 2); /* the warning, then where the RSDP was found */
	assert_logged("(BIOS area)");
}

/* A damaged system table is reported, and the loader's copy is used. */
static void test_damaged_systab(void **state)
{
	(void)state;
	systab[0] ^= 1;
	bi.fw.efi_systab = lo(systab);
	rsdp(bi.fw.rsdp, 0);
	bi.fw.rsdp_len = 20;
	firmware_resolve(&bi);
	assert_memory_equal(phys_to_virt(bi.rsdp), "RSD PTR ", 8);
	assert_int_not_equal(bi.rsdp, lo(acpi20));
	assert_int_equal(stub_bios_scans, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_efi_first, build),
		cmocka_unit_test_setup(test_efi_acpi10_fallback, build),
		cmocka_unit_test_setup(test_loader_copies, build),
		cmocka_unit_test_setup(test_bios_area, build),
		cmocka_unit_test_setup(test_damaged_systab, build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
