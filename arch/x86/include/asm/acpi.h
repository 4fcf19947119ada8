/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <asm/madt.h>
#include <hv/types.h>

/** acpi_find_rsdp() - physical address of the RSDP in BIOS memory, or 0. */
u64 acpi_find_rsdp(void);

/**
 * acpi_rsdp_valid() - true if p (avail bytes readable) holds an RSDP whose
 * checksums hold: the first 20 bytes, and for revision 2 its whole length.
 */
bool acpi_rsdp_valid(const u8 *p, u32 avail);

/* The firmware's MADT, parsed once at boot; empty without one. */
extern struct madt_info boot_madt;

/**
 * acpi_madt() - the MADT listed by the RSDP at rsdp, parsed into m; -ENOENT
 * (m empty) if there is no valid one. A bad entry is reported and ends it.
 */
int acpi_madt(u64 rsdp, struct madt_info *m);

#define PVPANIC_PORT	     0x505
#define PVPANIC_PANICKED     (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

/**
 * acpi_find_table() - the valid table with signature sig listed by the RSDP at
 * rsdp (its length in *len), or NULL. A listed table with a bad checksum or
 * length is reported and ignored.
 */
const u8 *acpi_find_table(u64 rsdp, const char *sig, u32 *len);

/** acpi_ecam_base() - MCFG's configuration space base for segment 0, bus 0, or 0. */
u64 acpi_ecam_base(u64 rsdp);

/** acpi_needs_rewrite() - true if the root table lists a table the guest must not see. */
bool acpi_needs_rewrite(u64 rsdp);

/**
 * acpi_rewrite() - write into the guest page at page a new RSDP, XSDT and
 * RSDT listing the firmware's tables without DMAR and IVRS, plus (if
 * pvpanic_port >= 0) an SSDT with a pvpanic device (QEMU0001) at that port.
 * Returns the new RSDP's address, or 0 (with a message) when the firmware's
 * tables are unusable.
 */
u64 acpi_rewrite(u64 rsdp, u64 page, int pvpanic_port);

#endif /* ASM_ACPI_H */
