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

#endif /* ASM_ACPI_H */
