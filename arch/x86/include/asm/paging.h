/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One page-table engine for every 4-level, 512-entry radix table the hv builds:
 * its own page tables, AMD NPT, Intel EPT, VT-d second-level and AMD-Vi I/O
 * tables. A format supplies only how entries are encoded; map,
 * unmap (with splitting of large pages) and walk are shared.
 */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <hv/types.h>

/* Generic permissions, translated by each format. */
#define PT_READ	    (1u << 0)
#define PT_WRITE    (1u << 1)
#define PT_EXEC	    (1u << 2)
#define PT_RWX	    (PT_READ | PT_WRITE | PT_EXEC)
#define PT_UNCACHED (1u << 3) /* device memory: strong uncacheable */

#define PT_LEVELS  4
#define PT_ENTRIES 512

/* Bytes one entry maps at level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB, 4 = 512 GiB). */
#define PT_LEVEL_SIZE(level) (1ull << (PAGE_SHIFT + 9 * ((level)-1)))

struct pt_format {
	const char *name;
	/* Highest level the encoding allows a terminal (leaf) entry at: 1, 2 or 3. */
	unsigned int max_leaf_level;
	u64 (*leaf)(u64 phys, unsigned int level, unsigned int flags);
	/* An entry at level (2..4) pointing to a table of level - 1. */
	u64 (*table)(u64 phys, unsigned int level);
	bool (*present)(u64 entry);
	bool (*is_leaf)(u64 entry, unsigned int level);
	u64 (*phys)(u64 entry, unsigned int level);
	unsigned int (*flags)(u64 entry);
	/* What an unmapped entry holds (0 for most formats); present() is false for it. */
	u64 absent;
};

/* Tables a merge may unhook before pt_reclaim() frees them. */
#define PT_RETIRE_MAX 32

struct pt_root {
	const struct pt_format *fmt;
	unsigned int max_leaf_level; /* what the CPU or IOMMU supports, <= the format's */
	u64 *root;		     /* top-level table (virtual address) */
	unsigned int tables;	     /* table pages in use (hooked or retired) */
	void *(*alloc)(void);	     /* one zeroed page; NULL when out of memory */
	/*
	 * Where a table page goes back (pt_reclaim()); NULL: tables are never
	 * freed, and a mapping over a whole table's range fills that table
	 * with leaves instead of replacing it (nothing leaks either way).
	 */
	void (*free)(void *page);
	/*
	 * Tables a merge unhooked (a leaf now maps their whole range). A
	 * walker, a CPU's or an IOMMU's, may still hold them in its caches
	 * until it flushes: the owner calls pt_reclaim() once every one has.
	 * When a merge would need more room than is left, it reuses the table.
	 */
	unsigned int nr_retired;
	u64 *retired[PT_RETIRE_MAX];
};

/**
 * pt_init() - allocate the top-level table. Leaves go no higher than
 * max_leaf_level (1 = 4 KiB only, 2 = 2 MiB, 3 = 1 GiB) nor than the format
 * allows. Returns 0 or -ENOMEM.
 */
int pt_init(struct pt_root *pt, const struct pt_format *fmt, unsigned int max_leaf_level,
	    void *(*alloc)(void));

/**
 * pt_map() - map [virt, virt + size) to [phys, phys + size) with flags, using
 * the largest pages that alignment and format allow. Existing mappings are
 * replaced; a large page that the range only partly covers is split first so
 * the rest of it keeps its mapping. virt, phys and size must be page-aligned.
 */
int pt_map(struct pt_root *pt, u64 virt, u64 phys, u64 size, unsigned int flags);

/** pt_unmap() - remove [virt, virt + size), splitting large pages at the edges. */
int pt_unmap(struct pt_root *pt, u64 virt, u64 size);

/**
 * pt_reclaim() - hand the tables earlier maps and unmaps unhooked to
 * pt->free. Only once no walker can hold them any more (every CPU in the
 * space flushed, the IOMMU invalidated). Returns how many were freed.
 */
unsigned int pt_reclaim(struct pt_root *pt);

/**
 * pt_walk() - translate virt. Returns true and the physical address, the
 * generic flags and the level of the leaf if it is mapped.
 */
bool pt_walk(const struct pt_root *pt, u64 virt, u64 *phys, unsigned int *flags,
	     unsigned int *level);

/* The x86 long-mode format: the hv's own page tables and AMD NPT. */
extern const struct pt_format pt_npt;
extern const struct pt_format pt_x86_64;

/* Intel EPT (for the VMX backend). */
extern const struct pt_format pt_ept;

/* IOMMU formats: VT-d second-level tables and AMD-Vi I/O page tables. */
extern const struct pt_format pt_vtd_sl, pt_amdvi;

/** pt_x86_max_leaf() - 3 if the CPU has 1 GiB pages (CPUID Page1GB), else 2. */
unsigned int pt_x86_max_leaf(void);

/* Physical/virtual conversion the engine uses (identity in the hv and in tests). */
u64 pt_virt_to_phys(const void *p);
void *pt_phys_to_virt(u64 pa);

#endif /* ASM_PAGING_H */
