// SPDX-License-Identifier: GPL-2.0-only
/*
 * The MADT (arch/x86/madt.c, arch/x86/acpi_sub.c): the firmware's table, its
 * checksum and length already accepted by the ACPI walk.
 *
 * Input: the table, in a buffer of exactly its size, parsed with that length.
 */
#include "fuzz.h"
#include <asm/madt.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct madt_info m;
	char err[96];
	u8 *t = malloc(size ? size : 1);
	int ret;

	memcpy(t, data, size);
	memset(err, 0x55, sizeof(err));
	ret = madt_parse(t, (u32)size, &m, err, sizeof(err));
	fuzz_check(ret == 0 ||
		   (ret == -EINVAL && memchr(err, 0, sizeof(err)) && !strncmp(err, "MADT: ", 6)));
	fuzz_check(m.enabled <= m.cpus && m.nr_ioapics <= MADT_MAX_IOAPICS);
	for (u32 i = 0; i < m.cpus && i < MADT_MAX_CPUS; i++)
		fuzz_check(madt_has_cpu(&m, m.apic_id[i]));
	free(t);
	return 0;
}
