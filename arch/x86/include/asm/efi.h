/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parts of UEFI the hv reads after the loader left boot services: the
 * system table's configuration table (UEFI 2.10, 4.3 and 4.6), GUID-named
 * pointers to the ACPI RSDP and the SMBIOS entry points.
 */
#ifndef ASM_EFI_H
#define ASM_EFI_H

#include <hv/types.h>

struct efi_guid {
	u32 a;
	u16 b, c;
	u8 d[8];
};
BUILD_BUG_ON(sizeof(struct efi_guid) != 16);

extern const struct efi_guid efi_acpi20_guid, efi_acpi10_guid, efi_smbios3_guid, efi_smbios_guid;

#define EFI_SYSTAB_SIGNATURE  0x5453595320494249ull /* "IBI SYST" */
#define EFI_CONFIG_TABLES_MAX 512		    /* more is taken for a damaged table */

/**
 * efi_config_table() - the pointer the configuration table of the EFI
 * system table at systab (64-bit layout) gives for guid, or 0. A system
 * table with a bad signature or entry count, or one beyond limit (what the
 * hv maps), is reported once and yields 0.
 */
u64 efi_config_table(u64 systab, u64 limit, const struct efi_guid *guid);

#endif /* ASM_EFI_H */
