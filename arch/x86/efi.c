// SPDX-License-Identifier: GPL-2.0-only
/* The EFI configuration table (asm/efi.h). */
#include <asm/efi.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* UEFI 2.10, 4.6.1 (ACPI), and SMBIOS 3.6, 5.2.1 and 5.2.2. */
const struct efi_guid efi_acpi20_guid = {
	0x8868e871, 0xe4f1, 0x11d3, { 0xbc, 0x22, 0x00, 0x80, 0xc7, 0xc8, 0x81, 0x81 }
};
const struct efi_guid efi_acpi10_guid = {
	0xeb9d2d30, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d }
};
const struct efi_guid efi_smbios3_guid = {
	0xf2fd1544, 0x9794, 0x4a2c, { 0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94 }
};
const struct efi_guid efi_smbios_guid = {
	0xeb9d2d31, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d }
};

/* EFI_SYSTEM_TABLE, 64-bit (UEFI 2.10, 4.3.1): the fields the hv reads. */
#define SYSTAB_HEADER_SIZE 12  /* u32 in the 24-byte EFI_TABLE_HEADER */
#define SYSTAB_NR_TABLES   104 /* UINTN NumberOfTableEntries */
#define SYSTAB_TABLES	   112 /* EFI_CONFIGURATION_TABLE * */
#define SYSTAB_MIN	   120

struct efi_config_entry {
	struct efi_guid guid;
	u64 table;
} __packed;
BUILD_BUG_ON(sizeof(struct efi_config_entry) != 24);

static bool in_reach(u64 pa, u64 n, u64 limit)
{
	return pa && pa < limit && n <= limit - pa;
}

u64 efi_config_table(u64 systab, u64 limit, const struct efi_guid *guid)
{
	const u8 *st = phys_to_virt(systab);
	u64 sig, nr, tables;
	u32 hsize;

	if (!in_reach(systab, SYSTAB_MIN, limit)) {
		pr_warn("EFI: system table at 0x%llx is out of reach", (unsigned long long)systab);
		return 0;
	}
	memcpy(&sig, st, 8);
	memcpy(&hsize, st + SYSTAB_HEADER_SIZE, 4);
	memcpy(&nr, st + SYSTAB_NR_TABLES, 8);
	memcpy(&tables, st + SYSTAB_TABLES, 8);
	if (sig != EFI_SYSTAB_SIGNATURE || hsize < SYSTAB_MIN || nr > EFI_CONFIG_TABLES_MAX ||
	    !in_reach(tables, nr * sizeof(struct efi_config_entry), limit)) {
		pr_warn("EFI: system table at 0x%llx is damaged (signature 0x%llx, %llu configuration tables at 0x%llx)",
			(unsigned long long)systab, (unsigned long long)sig, (unsigned long long)nr,
			(unsigned long long)tables);
		return 0;
	}
	for (u64 i = 0; i < nr; i++) {
		struct efi_config_entry e;

		memcpy(&e, phys_to_virt(tables + i * sizeof(e)), sizeof(e));
		if (!memcmp(&e.guid, guid, sizeof(*guid)))
			return e.table;
	}
	return 0;
}
