// SPDX-License-Identifier: GPL-2.0-only
/*
 * arch/x86/firmware.c's neighbours for host builds (stub.h), shared by
 * tests/unit/test_firmware.c and tests/fuzz/fuzz_firmware.c. Host memory has
 * no BIOS area, so the scan (acpi_find_rsdp(), replaced with -Wl,--wrap)
 * answers stub_bios_rsdp; firmware_guest_smbios() is not run (it reads
 * 0xF0000-0xFFFFF), so there is no overlay and no page for it.
 */
#include "stub.h"
#include <asm/guest_mem.h>
#include <hv/mm.h>

u64 stub_bios_rsdp;
unsigned int stub_bios_scans;

u64 __wrap_acpi_find_rsdp(void);
u64 __wrap_acpi_find_rsdp(void)
{
	stub_bios_scans++;
	return stub_bios_rsdp;
}

int gpm_overlay(u64 gpa, u64 pa)
{
	(void)gpa, (void)pa;
	return -ENOSPC;
}

void *page_alloc(unsigned int n)
{
	(void)n;
	return NULL;
}
