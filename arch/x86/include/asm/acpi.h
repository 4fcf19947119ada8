/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <hv/types.h>

/** acpi_find_rsdp() - physical address of the RSDP in BIOS memory, or 0. */
u64 acpi_find_rsdp(void);

#endif /* ASM_ACPI_H */
