/* SPDX-License-Identifier: GPL-2.0-only */
/* The firmware's ACPI and SMBIOS tables, found on BIOS and UEFI machines (firmware.c). */
#ifndef ASM_FIRMWARE_H
#define ASM_FIRMWARE_H

#include <hv/bootinfo.h>

/**
 * firmware_resolve() - set bi->rsdp and bi->smbios once, from the EFI
 * configuration table, else the loader's copies (Multiboot2 tags), else (the
 * RSDP) the BIOS areas; each logged with where it came from. Before the hv's
 * own page tables: only the first 4 GiB are read.
 */
void firmware_resolve(struct boot_info *bi);

/**
 * firmware_guest_smbios() - under UEFI, copy the SMBIOS entry point to where
 * a non-EFI Linux scans for it (0xF0000-0xFFFFF), unless one is there.
 */
void firmware_guest_smbios(const struct boot_info *bi);

#endif /* ASM_FIRMWARE_H */
