/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The MADT (ACPI 6.5, 5.2.12), parsed from a copy in memory: the processors
 * the firmware lists as usable and the IO-APICs. The hv starts the CPUs, and
 * quiesces the IO-APICs at a hand-over, from it.
 */
#ifndef ASM_MADT_H
#define ASM_MADT_H

#include <hv/types.h>

#define MADT_MAX_CPUS	 256
#define MADT_MAX_IOAPICS 8
#define MADT_LAPIC	 0 /* processor local APIC: uid, APIC ID, flags */
#define MADT_IOAPIC	 1
#define MADT_X2APIC	 9 /* processor local x2APIC: 32-bit APIC ID, flags, uid */
#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_CAPABLE (1u << 1) /* online capable: may be enabled at run time */
#define MADT_ENTRIES	 44	   /* header (36), local APIC address, flags */

struct madt_info {
	u32 cpus;		    /* processors enabled or online capable */
	u32 enabled;		    /* of those, the enabled ones: up at boot */
	u32 apic_id[MADT_MAX_CPUS]; /* the first MADT_MAX_CPUS of their APIC IDs */
	u32 nr_ioapics;
	u64 ioapic[MADT_MAX_IOAPICS];
};

/**
 * madt_parse() - read the MADT at t (len bytes) into m. An entry with a bad
 * length ends the walk: -EINVAL with a message naming it in err, and m holds
 * what came before it.
 */
int madt_parse(const u8 *t, u32 len, struct madt_info *m, char *err, size_t errlen);

/** madt_has_cpu() - true if m lists a usable processor with APIC ID apic_id. */
bool madt_has_cpu(const struct madt_info *m, u32 apic_id);

#endif /* ASM_MADT_H */
