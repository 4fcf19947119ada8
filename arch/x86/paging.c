// SPDX-License-Identifier: GPL-2.0-only
/* The shared page-table engine and the x86 long-mode entry format. */
#include <asm/cpuid.h>
#include <asm/paging.h>

#define X86_PTE_P   (1ull << 0)
#define X86_PTE_RW  (1ull << 1)
#define X86_PTE_US  (1ull << 2)
#define X86_PTE_PWT (1ull << 3)
#define X86_PTE_PCD (1ull << 4)

u64 pt_virt_to_phys(const void *p)
{
	return (u64)(uintptr_t)p;
}

void *pt_phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static unsigned int index_of(u64 virt, unsigned int level)
{
	return (virt >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

/*
 * Every format here keeps the address in bits 51:12, and all but AMD-Vi mark
 * a large page with bit 7: these two decoders are shared.
 */
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_PS	 (1ull << 7)

static bool ps_is_leaf(u64 e, unsigned int level)
{
	return level == 1 || (e & PTE_PS);
}

static u64 addr_phys(u64 e, unsigned int level)
{
	return e & PTE_ADDR & ~(PT_LEVEL_SIZE(level) - 1);
}

/*
 * APM vol. 2, 15.25.5: nested page-table walks are user accesses, so NPT
 * entries must have U/S set. NX is never set: it is reserved unless the host
 * runs with EFER.NXE, and the guest's own page tables decide execution.
 */
static u64 x86_leaf(u64 phys, unsigned int level, unsigned int flags)
{
	u64 e = phys | X86_PTE_P | X86_PTE_US;

	if (flags & PT_WRITE)
		e |= X86_PTE_RW;
	if (flags & PT_UNCACHED)
		e |= X86_PTE_PCD | X86_PTE_PWT; /* PAT entry 3: UC */
	if (level > 1)
		e |= PTE_PS;
	return e;
}

static u64 x86_table(u64 phys, unsigned int level)
{
	(void)level;
	return phys | X86_PTE_P | X86_PTE_RW | X86_PTE_US;
}

static bool x86_present(u64 e)
{
	return e & X86_PTE_P;
}

static unsigned int x86_flags(u64 e)
{
	return PT_READ | PT_EXEC | ((e & X86_PTE_RW) ? PT_WRITE : 0) |
	       ((e & X86_PTE_PCD) ? PT_UNCACHED : 0);
}

const struct pt_format pt_x86_64 = {
	.name = "x86-64",
	.max_leaf_level = 3,
	.leaf = x86_leaf,
	.table = x86_table,
	.present = x86_present,
	.is_leaf = ps_is_leaf,
	.phys = addr_phys,
	.flags = x86_flags,
};

/*
 * AMD nested page tables: x86-64 entries, and NX (bit 63) where execution is
 * not allowed, which the hv uses for a sealed kexec region only. NX is
 * honoured because the host runs with EFER.NXE (svm.c); the guest's own page
 * tables still decide execution everywhere else.
 */
#define PTE_NX (1ull << 63)

static u64 npt_leaf(u64 phys, unsigned int level, unsigned int flags)
{
	return x86_leaf(phys, level, flags) | ((flags & PT_EXEC) ? 0 : PTE_NX);
}

static unsigned int npt_flags(u64 e)
{
	return (x86_flags(e) & ~PT_EXEC) | ((e & PTE_NX) ? 0 : PT_EXEC);
}

static u64 npt_phys(u64 e, unsigned int level)
{
	return addr_phys(e & ~PTE_NX, level);
}

const struct pt_format pt_npt = {
	.name = "AMD NPT",
	.max_leaf_level = 3,
	.leaf = npt_leaf,
	.table = x86_table,
	.present = x86_present,
	.is_leaf = ps_is_leaf,
	.phys = npt_phys,
	.flags = npt_flags,
};

/*
 * Intel EPT entries (SDM vol. 3C, 29.3.2): R bit 0, W bit 1, X bit 2, the
 * memory type in 5:3 of a leaf (6 write-back, 0 uncacheable; the guest's PAT
 * still combines, IPAT stays clear), bit 7 for a 2 MiB or 1 GiB page,
 * address in 51:12. A table entry allows everything; leaves decide.
 */
#define EPT_R	    (1ull << 0)
#define EPT_W	    (1ull << 1)
#define EPT_X	    (1ull << 2)
#define EPT_MT_WB   (6ull << 3)
#define EPT_MT_MASK (7ull << 3)

static u64 ept_leaf(u64 phys, unsigned int level, unsigned int flags)
{
	u64 e = phys | ((flags & PT_UNCACHED) ? 0 : EPT_MT_WB);

	if (flags & PT_READ)
		e |= EPT_R;
	if (flags & PT_WRITE)
		e |= EPT_W;
	if (flags & PT_EXEC)
		e |= EPT_X;
	if (level > 1)
		e |= PTE_PS;
	return e;
}

static u64 ept_table(u64 phys, unsigned int level)
{
	(void)level;
	return phys | EPT_R | EPT_W | EPT_X;
}

static bool ept_present(u64 e)
{
	return e & (EPT_R | EPT_W | EPT_X);
}

static unsigned int ept_flags(u64 e)
{
	return ((e & EPT_R) ? PT_READ : 0) | ((e & EPT_W) ? PT_WRITE : 0) |
	       ((e & EPT_X) ? PT_EXEC : 0) | ((e & EPT_MT_MASK) ? 0 : PT_UNCACHED);
}

const struct pt_format pt_ept = {
	.name = "Intel EPT",
	.max_leaf_level = 3,
	.leaf = ept_leaf,
	.table = ept_table,
	.present = ept_present,
	.is_leaf = ps_is_leaf,
	.phys = addr_phys,
	.flags = ept_flags,
};

/*
 * VT-d second-level entries (VT-d 3.4, 9.8): R bit 0, W bit 1, PS bit 7 for a
 * 2 MiB or 1 GiB page, address in 51:12. A table entry needs R and W too:
 * permissions are the AND of every level.
 */
#define VTD_SL_R (1ull << 0)
#define VTD_SL_W (1ull << 1)

static u64 vtd_leaf(u64 phys, unsigned int level, unsigned int flags)
{
	u64 e = phys;

	if (flags & PT_READ)
		e |= VTD_SL_R;
	if (flags & PT_WRITE)
		e |= VTD_SL_W;
	if (level > 1)
		e |= PTE_PS;
	return e;
}

static u64 vtd_table(u64 phys, unsigned int level)
{
	(void)level;
	return phys | VTD_SL_R | VTD_SL_W;
}

static bool vtd_present(u64 e)
{
	return e & (VTD_SL_R | VTD_SL_W);
}

static unsigned int vtd_flags(u64 e)
{
	return ((e & VTD_SL_R) ? PT_READ : 0) | ((e & VTD_SL_W) ? PT_WRITE : 0);
}

const struct pt_format pt_vtd_sl = {
	.name = "VT-d second-level",
	.max_leaf_level = 3,
	.leaf = vtd_leaf,
	.table = vtd_table,
	.present = vtd_present,
	.is_leaf = ps_is_leaf,
	.phys = addr_phys,
	.flags = vtd_flags,
};

/*
 * AMD-Vi I/O page-table entries (AMD IOMMU spec 48882, 2.2.3): PR bit 0,
 * NextLevel in 11:9 (the level of the table pointed to; 0 in a leaf, which
 * at level 2 or 3 maps a 2 MiB or 1 GiB page), address in 51:12, IR bit 61,
 * IW bit 62. Permissions are the AND of every level, so tables allow both.
 * Unmapped entries are not zero but PR = 0 with NextLevel 1: hardware ignores
 * every other bit of a non-present entry, and QEMU 7.2 (which silently drops
 * a DMA that meets an all-zero entry) then reports the fault.
 */
#define AMDVI_PTE_PR	   (1ull << 0)
#define AMDVI_PTE_NEXT(l)  ((u64)(l) << 9)
#define AMDVI_PTE_NEXT_MSK (7ull << 9)
#define AMDVI_PTE_IR	   (1ull << 61)
#define AMDVI_PTE_IW	   (1ull << 62)

static u64 amdvi_leaf(u64 phys, unsigned int level, unsigned int flags)
{
	u64 e = phys | AMDVI_PTE_PR;

	(void)level; /* NextLevel 0: a page of this level's size */
	if (flags & PT_READ)
		e |= AMDVI_PTE_IR;
	if (flags & PT_WRITE)
		e |= AMDVI_PTE_IW;
	return e;
}

static u64 amdvi_table(u64 phys, unsigned int level)
{
	return phys | AMDVI_PTE_PR | AMDVI_PTE_NEXT(level - 1) | AMDVI_PTE_IR | AMDVI_PTE_IW;
}

static bool amdvi_present(u64 e)
{
	return e & AMDVI_PTE_PR;
}

static bool amdvi_is_leaf(u64 e, unsigned int level)
{
	return level == 1 || !(e & AMDVI_PTE_NEXT_MSK);
}

static unsigned int amdvi_flags(u64 e)
{
	return ((e & AMDVI_PTE_IR) ? PT_READ : 0) | ((e & AMDVI_PTE_IW) ? PT_WRITE : 0);
}

const struct pt_format pt_amdvi = {
	.name = "AMD-Vi I/O",
	.max_leaf_level = 3,
	.leaf = amdvi_leaf,
	.table = amdvi_table,
	.present = amdvi_present,
	.is_leaf = amdvi_is_leaf,
	.phys = addr_phys,
	.flags = amdvi_flags,
	.absent = AMDVI_PTE_NEXT(1),
};

unsigned int pt_x86_max_leaf(void)
{
	struct cpuid_regs c;

	cpuid_count(0x80000001, 0, &c);
	return (c.edx & CPUID_80000001_EDX_PAGE1GB) ? 3 : 2;
}

int pt_init(struct pt_root *pt, const struct pt_format *fmt, unsigned int max_leaf_level,
	    void *(*alloc)(void))
{
	pt->fmt = fmt;
	pt->max_leaf_level = MIN(max_leaf_level, fmt->max_leaf_level);
	pt->alloc = alloc;
	pt->tables = 1;
	pt->root = alloc();
	if (!pt->root)
		return -ENOMEM;
	for (unsigned int i = 0; fmt->absent && i < PT_ENTRIES; i++)
		pt->root[i] = fmt->absent;
	return 0;
}

/*
 * The table under entry *e at level, created empty if absent, or filled with
 * the equivalent smaller leaves if *e is a large page (so a split keeps
 * the mapping of the part that is not being changed).
 */
static u64 *next_table(struct pt_root *pt, u64 *e, unsigned int level)
{
	const struct pt_format *f = pt->fmt;
	u64 *t;

	if (f->present(*e) && !f->is_leaf(*e, level))
		return pt_phys_to_virt(f->phys(*e, 1));
	t = pt->alloc();
	if (!t)
		return NULL;
	pt->tables++;
	if (f->present(*e)) {
		u64 base = f->phys(*e, level);
		unsigned int flags = f->flags(*e);

		for (unsigned int i = 0; i < PT_ENTRIES; i++)
			t[i] = f->leaf(base + i * PT_LEVEL_SIZE(level - 1), level - 1, flags);
	} else {
		for (unsigned int i = 0; f->absent && i < PT_ENTRIES; i++)
			t[i] = f->absent;
	}
	*e = f->table(pt_virt_to_phys(t), level);
	return t;
}

/* The table pages under entry e at level (it and every table below it), at most max; -1 past. */
static int subtree_tables(const struct pt_root *pt, u64 e, unsigned int level, int max)
{
	const struct pt_format *f = pt->fmt;
	const u64 *t;
	int n = 1;

	if (!f->present(e) || f->is_leaf(e, level))
		return 0;
	t = pt_phys_to_virt(f->phys(e, 1));
	for (unsigned int i = 0; i < PT_ENTRIES && n <= max && level > 2; i++) {
		int below = subtree_tables(pt, t[i], level - 1, max - n);

		n = below < 0 ? max + 1 : n + below;
	}
	return n <= max ? n : -1;
}

static void retire_subtree(struct pt_root *pt, u64 e, unsigned int level)
{
	const struct pt_format *f = pt->fmt;
	u64 *t;

	if (!f->present(e) || f->is_leaf(e, level))
		return;
	t = pt_phys_to_virt(f->phys(e, 1));
	for (unsigned int i = 0; level > 2 && i < PT_ENTRIES; i++)
		retire_subtree(pt, t[i], level - 1);
	pt->retired[pt->nr_retired++] = t;
}

/*
 * *e at level is about to map its whole range as one leaf or as nothing.
 * True if it may be replaced: it holds no table, or its tables fit the
 * retire list (they are retired); false if the table must stay and be
 * filled instead (a format without a free hook, or no room left).
 */
static bool replaceable(struct pt_root *pt, u64 *e, unsigned int level)
{
	const struct pt_format *f = pt->fmt;
	int n;

	if (!f->present(*e) || f->is_leaf(*e, level))
		return true;
	if (!pt->free)
		return false;
	n = subtree_tables(pt, *e, level, (int)(PT_RETIRE_MAX - pt->nr_retired));
	if (n < 0)
		return false;
	retire_subtree(pt, *e, level);
	return true;
}

/* phys == ~0 means unmap. */
static int update(struct pt_root *pt, u64 *table, unsigned int level, u64 virt, u64 phys, u64 size,
		  unsigned int flags)
{
	const struct pt_format *f = pt->fmt;
	u64 step = PT_LEVEL_SIZE(level);
	bool unmap = phys == ~0ull;

	while (size) {
		u64 *e = &table[index_of(virt, level)];
		u64 chunk = MIN(size, ALIGN_DOWN(virt, step) + step - virt);
		bool whole = chunk == step;

		if (whole && unmap && replaceable(pt, e, level)) {
			*e = f->absent;
		} else if (whole && level <= pt->max_leaf_level && IS_ALIGNED(phys, step) &&
			   replaceable(pt, e, level)) {
			*e = f->leaf(phys, level, flags);
		} else if (unmap && !f->present(*e)) {
			/* nothing mapped here */
		} else if (level == 1) {
			return -EINVAL; /* unaligned request */
		} else {
			u64 *next = next_table(pt, e, level);
			int ret;

			if (!next)
				return -ENOMEM;
			ret = update(pt, next, level - 1, virt, phys, chunk, flags);
			if (ret)
				return ret;
		}
		virt += chunk;
		if (!unmap)
			phys += chunk;
		size -= chunk;
	}
	return 0;
}

int pt_map(struct pt_root *pt, u64 virt, u64 phys, u64 size, unsigned int flags)
{
	if (!IS_ALIGNED(virt | phys | size, PAGE_SIZE) || phys == ~0ull)
		return -EINVAL;
	return update(pt, pt->root, PT_LEVELS, virt, phys, size, flags);
}

int pt_unmap(struct pt_root *pt, u64 virt, u64 size)
{
	if (!IS_ALIGNED(virt | size, PAGE_SIZE))
		return -EINVAL;
	return update(pt, pt->root, PT_LEVELS, virt, ~0ull, size, 0);
}

unsigned int pt_reclaim(struct pt_root *pt)
{
	unsigned int n = pt->nr_retired;

	while (pt->nr_retired) {
		pt->free(pt->retired[--pt->nr_retired]);
		pt->tables--;
	}
	return n;
}

bool pt_walk(const struct pt_root *pt, u64 virt, u64 *phys, unsigned int *flags,
	     unsigned int *level)
{
	const struct pt_format *f = pt->fmt;
	u64 *table = pt->root;

	for (unsigned int l = PT_LEVELS; l >= 1; l--) {
		u64 e = table[index_of(virt, l)];

		if (!f->present(e))
			return false;
		if (f->is_leaf(e, l)) {
			if (phys)
				*phys = f->phys(e, l) | (virt & (PT_LEVEL_SIZE(l) - 1));
			if (flags)
				*flags = f->flags(e);
			if (level)
				*level = l;
			return true;
		}
		table = pt_phys_to_virt(f->phys(e, 1));
	}
	return false;
}
