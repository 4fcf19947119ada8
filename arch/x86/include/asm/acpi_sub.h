/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The subtables of an ACPI table: MADT entries (ACPI 6.5, 5.2.12), DMAR
 * remapping structures (VT-d 3.4, 8.1) and IVRS blocks (AMD IOMMU spec
 * 48882, 5.2) each start with a type and a length. One walker checks them
 * against the table's length for every parser.
 */
#ifndef ASM_ACPI_SUB_H
#define ASM_ACPI_SUB_H

#include <hv/types.h>

/* Where a table's subtables start, and where their type and length sit. */
struct acpi_sub_layout {
	const char *table; /* signature, for messages */
	const char *what;  /* a subtable's name in messages: a format of its type */
	u32 first;	   /* offset of the first subtable: the table's own header ends there */
	u8 type_size;	   /* bytes of the type, at offset 0: 1 or 2 */
	u8 len_at;	   /* offset of the length */
	u8 len_size;	   /* bytes of the length: 1 or 2 */
};

/* One subtable, as acpi_sub_next() found it. */
struct acpi_sub {
	const u8 *p; /* its first byte; NULL before the first call */
	u32 off;     /* its offset in the table */
	u16 type;
	u16 len;
};

/**
 * acpi_sub_check() - 0 if the table t of len bytes holds its own header
 * (l->first bytes), else -EINVAL with a message in err.
 */
int acpi_sub_check(const u8 *t, u32 len, const struct acpi_sub_layout *l, char *err,
		   size_t errlen);

/**
 * acpi_sub_next() - the subtable after s (the first if s->p is NULL) of the
 * table t, which acpi_sub_check() accepted. Returns 1 with s filled in, 0 at
 * the table's end, or -EINVAL with a message in err when the subtable's
 * length is below its own header or runs past the table, or stray bytes end
 * the table.
 */
int acpi_sub_next(const u8 *t, u32 len, const struct acpi_sub_layout *l, struct acpi_sub *s,
		  char *err, size_t errlen);

#endif /* ASM_ACPI_SUB_H */
