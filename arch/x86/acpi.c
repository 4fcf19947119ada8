// SPDX-License-Identifier: GPL-2.0-only
/* Locating the ACPI RSDP on BIOS machines (ACPI 6.5, 5.2.5.1). */
#include <asm/acpi.h>
#include <hv/lib.h>
#include <hv/mm.h>

static bool rsdp_valid(const u8 *p)
{
	u8 sum = 0;

	if (memcmp(p, "RSD PTR ", 8))
		return false;
	for (unsigned int i = 0; i < 20; i++)
		sum += p[i];
	return sum == 0;
}

static u64 scan(u64 start, u64 len)
{
	for (u64 pa = start; pa + 20 <= start + len; pa += 16)
		if (rsdp_valid(phys_to_virt(pa)))
			return pa;
	return 0;
}

u64 acpi_find_rsdp(void)
{
	/* The first KiB of the EBDA, whose segment is at 0x40e, then 0xE0000-0xFFFFF. */
	u64 ebda = (u64) * (const u16 *)phys_to_virt(0x40e) << 4;
	u64 pa = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		pa = scan(ebda, 1024);
	return pa ? pa : scan(0xe0000, 0x20000);
}
