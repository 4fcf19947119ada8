/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Physical memory maps in e820 form: the firmware's map as the boot loader
 * reported it, and the guest's map, which is the firmware's less every range
 * the hv keeps for itself.
 */
#ifndef HV_MEMMAP_H
#define HV_MEMMAP_H

#include <hv/types.h>

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

/* Documentation/arch/x86/zero-page.rst: 128 entries fit in boot_params. */
#define MEMMAP_MAX 128

/* The e820 entry exactly as boot_params carries it. */
struct e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __packed;
BUILD_BUG_ON(sizeof(struct e820_entry) != 20);

struct memmap {
	unsigned int nr;
	struct e820_entry e[MEMMAP_MAX];
};

/* A half-open physical range [start, end) that something occupies. */
struct phys_range {
	u64 start;
	u64 end;
	const char *what;
};

/** memmap_add() - append an entry; -ENOSPC when full, -EINVAL for a zero size. */
int memmap_add(struct memmap *map, u64 addr, u64 size, u32 type);

/**
 * memmap_sanitize() - sort, resolve overlaps (the more restrictive type wins,
 * so RAM never covers a reserved range) and merge adjacent entries of one type.
 */
int memmap_sanitize(struct memmap *map);

/** memmap_remove() - carve [addr, addr + size) out of every entry (leaves a hole). */
int memmap_remove(struct memmap *map, u64 addr, u64 size);

/** memmap_ram_total() - bytes of E820_RAM in the map. */
u64 memmap_ram_total(const struct memmap *map);

/** memmap_ram_top() - end of the highest E820_RAM entry, 0 if none. */
u64 memmap_ram_top(const struct memmap *map);

/** memmap_is_ram() - true if [addr, addr + size) lies entirely in one RAM entry. */
bool memmap_is_ram(const struct memmap *map, u64 addr, u64 size);

/**
 * memmap_find_free() - find size bytes of RAM aligned to align within
 * [min, max) that overlap none of the busy ranges. top_down picks the highest
 * such address, otherwise the lowest. Returns the address, or 0 on failure
 * (address 0 is never handed out).
 */
u64 memmap_find_free(const struct memmap *map, const struct phys_range *busy, unsigned int nbusy,
		     u64 size, u64 align, u64 min, u64 max, bool top_down);

const char *e820_type_name(u32 type);

#endif /* HV_MEMMAP_H */
