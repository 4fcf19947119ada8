/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <hv/types.h>

/** acpi_find_rsdp() - physical address of the RSDP in BIOS memory, or 0. */
u64 acpi_find_rsdp(void);

/**
 * acpi_ioapics() - the IO-APIC addresses the MADT lists (at most max), from the
 * RSDP at rsdp. Tables with bad checksums or lengths are ignored with a warning.
 */
int acpi_ioapics(u64 rsdp, u64 *addr, unsigned int max);

#define PVPANIC_PORT	     0x505
#define PVPANIC_PANICKED     (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

/**
 * acpi_add_pvpanic() - write into the guest page at page a new RSDP, XSDT and
 * RSDT listing the firmware's tables plus an SSDT with a pvpanic device
 * (QEMU0001) at port. Returns the new RSDP's address, or 0 (with a message)
 * when the firmware's tables are unusable.
 */
u64 acpi_add_pvpanic(u64 rsdp, u64 page, u16 port);

#endif /* ASM_ACPI_H */
