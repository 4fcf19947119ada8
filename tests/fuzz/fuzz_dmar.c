// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMAR table (arch/x86/iommu_acpi.c, arch/x86/acpi_sub.c): the firmware's
 * description of its IOMMUs, checksum and length already accepted by the
 * ACPI walk. fuzz_ivrs.c builds the same target for the IVRS table.
 *
 * Input: the table, in a buffer of exactly its size, parsed with that length.
 */
#include "fuzz.h"
#include <asm/iommu.h>
#include <stdlib.h>

#ifndef TABLE_PARSE
#define TABLE_PARSE dmar_parse
#define TABLE_NAME  "DMAR"
#endif

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct iommu_acpi a;
	char err[160];
	u8 *t = malloc(size ? size : 1);
	int ret;

	memcpy(t, data, size);
	memset(err, 0x55, sizeof(err));
	ret = TABLE_PARSE(t, (u32)size, &a, err, sizeof(err));
	if (ret) {
		fuzz_check(ret == -EINVAL && memchr(err, 0, sizeof(err)));
		fuzz_check(!strncmp(err, TABLE_NAME, 4));
	} else {
		fuzz_check(a.nr_units >= 1 && a.nr_units <= IOMMU_MAX_UNITS);
		fuzz_check(a.nr_unity <= IOMMU_MAX_UNITY);
	}
	for (unsigned int i = 0; i < a.nr_units; i++) {
		const struct iommu_unit *u = &a.unit[i];

		fuzz_check(u->idx == i && u->base && IS_ALIGNED(u->base, PAGE_SIZE) && !u->segment);
		for (unsigned int j = 0; j < i; j++)
			fuzz_check(a.unit[j].base != u->base);
	}
	for (unsigned int i = 0; i < a.nr_unity; i++)
		fuzz_check(a.unity[i].start < a.unity[i].end &&
			   IS_ALIGNED(a.unity[i].start | a.unity[i].end, PAGE_SIZE));
	free(t);
	return 0;
}
