// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory lent to the capture kernel at the crash (docs/capture.md, "Memory
 * lent at the crash"). The standing capture region holds what must be there
 * before the crash; at the crash the hv finds RAM the dump will not keep
 * (the crashed kernel's free pages, where the dump level drops them) and
 * gives it to the capture kernel as RAM. It reads the crashed kernel's page
 * allocator as makedumpfile does, from VMCOREINFO: SPARSEMEM's section
 * table (SYMBOL(mem_section), a root array of SECTIONS_PER_ROOT sections),
 * each section's mem_map, and in each struct page the buddy mark
 * (_mapcount == NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE), makedumpfile's own test)
 * and the block's order (page.private). Only whole free blocks of 2 MiB or
 * more are taken, so every lent run is 2 MiB-aligned.
 *
 * Everything read is the crashed guest's and untrusted: a guest that marks
 * pages free that are not loses them from its own dump, nothing else. Lent
 * runs lie in guest RAM above 1 MiB (never a hidden range, the capture
 * region or the backed-up low memory), and are left out of the vmcore.
 */
#include <asm/guest_mem.h>
#include <asm/guest_walk.h>
#include <asm/iommu.h>
#include <asm/lend.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/vmcoreinfo.h>

#define LEND_MIN_ORDER 9	   /* 2 MiB blocks and larger: 2 MiB-aligned runs */
#define LEND_BUDGET_US 200000 /* the search's time at a crash, at most */

static struct phys_range lent[GPM_LENT_MAX]; /* the search's runs, by address */
static unsigned int nlent;

static int read_ram(const void *space, u64 pa, void *buf, unsigned int n)
{
	return gpm_read(space, pa, buf, n);
}

/* What the search needs of the crashed kernel's struct page and mem_section. */
struct page_layout {
	u64 page_size, off_mapcount, off_private, max_order;
	s64 buddy;
	u64 roots, nr_roots, per_root, sec_size, sec_off_map, pfn_shift;
	/* For page cache and user pages (without flags_known: free blocks only). */
	bool flags_known;
	u64 off_flags, off_mapping, off_compound_head, off_compound_order;
};

/*
 * Linux 6.x's page flags (include/linux/page-flags.h), trusted only where
 * VMCOREINFO's own PG_ numbers match them: PG_locked and PG_writeback mark a
 * page under I/O, which a device may still write.
 */
#define PG_LOCKED     (1ull << 0)
#define PG_LRU	      (1ull << 4)
#define PG_SLAB	      (1ull << 9)
#define PG_RESERVED   (1ull << 12)
#define PG_PRIVATE    (1ull << 13)
#define PG_WRITEBACK  (1ull << 15)
#define PG_HEAD	      (1ull << 16)
#define PG_SWAPBACKED (1ull << 19)
#define PG_SWAPCACHE  (1ull << 10) /* PG_owner_priv_1, with PG_swapbacked */

/* The 6.x flag layout above, if VMCOREINFO confirms it. */
static void cache_layout(const char *vi, u32 len, struct page_layout *l)
{
	s64 lru, priv, sb, sc, head, flags, mapping, chead, corder;

	if (vmcoreinfo_number(vi, len, "NUMBER(PG_lru)", &lru) ||
	    vmcoreinfo_number(vi, len, "NUMBER(PG_private)", &priv) ||
	    vmcoreinfo_number(vi, len, "NUMBER(PG_swapbacked)", &sb) ||
	    vmcoreinfo_number(vi, len, "NUMBER(PG_swapcache)", &sc) ||
	    vmcoreinfo_number(vi, len, "NUMBER(PG_head_mask)", &head) ||
	    vmcoreinfo_number(vi, len, "OFFSET(page.flags)", &flags) ||
	    vmcoreinfo_number(vi, len, "OFFSET(page.mapping)", &mapping) ||
	    vmcoreinfo_number(vi, len, "OFFSET(page.compound_head)", &chead) ||
	    vmcoreinfo_number(vi, len, "OFFSET(page.compound_order)", &corder))
		return;
	if (lru != 4 || priv != 13 || sb != 19 || sc != 10 || (u64)head != PG_HEAD ||
	    (u64)flags + 8 > l->page_size || (u64)mapping + 8 > l->page_size ||
	    (u64)chead + 8 > l->page_size ||
	    (u64)corder >= l->page_size)
		return;
	l->off_flags = (u64)flags;
	l->off_mapping = (u64)mapping;
	l->off_compound_head = (u64)chead;
	l->off_compound_order = (u64)corder;
	l->flags_known = true;
}

static const char *layout_from(const char *vi, u32 len, struct page_layout *l)
{
	s64 v[8];
	static const char *const key[8] = {
		"SIZE(page)",		  "OFFSET(page._mapcount)", "OFFSET(page.private)",
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", "LENGTH(mem_section)", "SIZE(mem_section)",
		"OFFSET(mem_section.section_mem_map)", "NUMBER(SECTION_SIZE_BITS)",
	};

	if (!vi)
		return "no VMCOREINFO";
	for (unsigned int i = 0; i < ARRAY_SIZE(key); i++)
		if (vmcoreinfo_number(vi, len, key[i], &v[i]))
			return key[i];
	if (vmcoreinfo_hex(vi, len, "SYMBOL(mem_section)", &l->roots))
		return "SYMBOL(mem_section)";
	*l = (struct page_layout){ .page_size = (u64)v[0], .off_mapcount = (u64)v[1],
				   .off_private = (u64)v[2], .buddy = v[3], .roots = l->roots,
				   .nr_roots = (u64)v[4], .sec_size = (u64)v[5],
				   .sec_off_map = (u64)v[6], .pfn_shift = (u64)v[7] - PAGE_SHIFT,
				   .max_order = 10 };
	/* MAX_ORDER: 11 in Linux 6.1, at most 16 with the largest page sizes it allows. */
	if (!vmcoreinfo_number(vi, len, "LENGTH(zone.free_area)", &v[0]) && v[0] > 0 && v[0] <= 16)
		l->max_order = (u64)v[0] - 1;
	/* Sane for any x86-64 kernel, or the numbers are not a kernel's. */
	if (l->page_size < 32 || l->page_size > 256 || l->off_mapcount + 4 > l->page_size ||
	    l->off_private + 8 > l->page_size || l->sec_size < 8 || l->sec_size > PAGE_SIZE ||
	    l->sec_off_map + 8 > l->sec_size || l->pfn_shift < 9 || l->pfn_shift > 40 ||
	    !l->nr_roots || l->nr_roots > (1u << 20))
		return "a struct page or mem_section layout no x86-64 kernel has";
	l->per_root = PAGE_SIZE / l->sec_size;
	cache_layout(vi, len, l);
	return NULL;
}

/* The search's reads: struct pages a page at a time, through the crashed kernel's tables. */
struct reader {
	const struct guest_paging *gp;
	const struct page_layout *l;
	u64 sec, sec_base; /* the section last looked up, and its mem_map base (0: none) */
	u64 page_va;	   /* the page of struct pages in buf, or 1 */
	u8 buf[PAGE_SIZE];
};

/* pfn's struct page base for its section: mem_map less the section's first pfn, or 0. */
static u64 section_base(struct reader *rd, u64 pfn)
{
	const struct page_layout *l = rd->l;
	u64 nr = pfn >> l->pfn_shift, root = 0, map = 0;

	if (nr == rd->sec)
		return rd->sec_base;
	rd->sec = nr;
	rd->sec_base = 0;
	if (nr / l->per_root >= l->nr_roots ||
	    guest_read_linear(rd->gp, l->roots + nr / l->per_root * 8, &root, 8) || !root ||
	    guest_read_linear(rd->gp, root + nr % l->per_root * l->sec_size + l->sec_off_map, &map,
			      8))
		return 0;
	/* SECTION_MARKED_PRESENT and SECTION_HAS_MEM_MAP, then the encoded mem_map. */
	if ((map & 3) == 3)
		rd->sec_base = map & ~0x3full;
	return rd->sec_base;
}

/* pfn's struct page, in the reader's buffer; NULL if it cannot be read. */
static const u8 *read_page(struct reader *rd, u64 pfn)
{
	const struct page_layout *l = rd->l;
	u64 base = section_base(rd, pfn), va, page_va;

	if (!base)
		return NULL;
	va = base + pfn * l->page_size;
	page_va = va & ~(PAGE_SIZE - 1);
	if (va - page_va + l->page_size > PAGE_SIZE)
		return NULL; /* a struct page across two pages: not with a power-of-two size */
	if (page_va != rd->page_va) {
		rd->page_va = 1;
		if (guest_read_linear(rd->gp, page_va, rd->buf, PAGE_SIZE))
			return NULL;
		rd->page_va = page_va;
	}
	return rd->buf + (va - page_va);
}

static u64 word(const u8 *p, u64 off)
{
	u64 v;

	memcpy(&v, p + off, 8);
	return v;
}

/* The buddy order of the free block whose head is pfn, or -1. */
static int free_order(struct reader *rd, u64 pfn)
{
	const u8 *p = read_page(rd, pfn);
	s32 mapcount;
	u64 order;

	if (!p)
		return -1;
	memcpy(&mapcount, p + rd->l->off_mapcount, 4);
	order = word(p, rd->l->off_private);
	if ((s64)mapcount != rd->l->buddy || order > rd->l->max_order)
		return -1;
	return (int)order;
}

/*
 * How many pages from pfn on the dump level drops as one (a free block, a
 * page cache or user page, or a compound page of them), by makedumpfile's
 * rules for -d 2, 4, 8 and 16; 0 if pfn is kept, is under I/O, or is the
 * tail of a compound page whose head lies before it.
 */
static u64 dropped_pages(struct reader *rd, u64 pfn)
{
	const struct page_layout *l = rd->l;
	u32 dl = hv.opt.dump_level;
	int order = free_order(rd, pfn);
	const u8 *p;
	u64 flags, mapping, n = 1;
	bool cache, anon;

	if (order >= 0)
		return (dl & DUMP_LEVEL_FREE) ? 1ull << order : 0;
	p = read_page(rd, pfn);
	if (!p)
		return 0;
	flags = word(p, l->off_flags);
	mapping = word(p, l->off_mapping);
	if (word(p, l->off_compound_head) & 1) /* bit 0: a tail page */
		return 0;
	if (flags & (PG_LOCKED | PG_WRITEBACK | PG_SLAB | PG_RESERVED))
		return 0;
	if (flags & PG_HEAD) {
		const u8 *t = read_page(rd, pfn + 1);

		if (!t || t[l->off_compound_order] > l->max_order + 9)
			return 0;
		n = 1ull << t[l->off_compound_order];
	}
	cache = (flags & PG_LRU) || ((flags & PG_SWAPBACKED) && (flags & PG_SWAPCACHE));
	anon = (mapping & 3) == 1;
	if (cache && !anon && (((dl & 2) && !(flags & PG_PRIVATE)) || (dl & 4)))
		return n;
	if (anon && (dl & 8))
		return n;
	return 0;
}

/* Adds [a, b) to the runs, merged with the last; false once the runs are full. */
static bool add_run(u64 a, u64 b)
{
	if (nlent && lent[nlent - 1].end == a) {
		lent[nlent - 1].end = b;
		return true;
	}
	if (nlent == GPM_LENT_MAX)
		return false;
	lent[nlent++] = (struct phys_range){ a, b, "lent" };
	return true;
}

/* Free blocks of 2 MiB and more in [a, b), until want bytes are found or time is up. */
static bool search_range(struct reader *rd, u64 a, u64 b, u64 *found, u64 want, u64 t_end)
{
	u64 pfn = ALIGN_UP(a, PAGE_SIZE) >> PAGE_SHIFT, end = b >> PAGE_SHIFT;

	for (u32 steps = 1; pfn < end && *found < want; steps++) {
		int order;

		if (steps % 1024 == 0 && arch_timestamp_us() > t_end)
			return false;
		if (!section_base(rd, pfn)) { /* a section without a mem_map: skip it whole */
			pfn = ALIGN_UP(pfn + 1, 1ull << rd->l->pfn_shift);
			continue;
		}
		order = free_order(rd, pfn);
		if (order < 0) {
			pfn++;
			continue;
		}
		/* A free block: whole, aligned, inside this RAM range, 2 MiB or more. */
		if (order >= LEND_MIN_ORDER && IS_ALIGNED(pfn, 1ull << order) &&
		    pfn + (1ull << order) <= end) {
			u64 pa = pfn << PAGE_SHIFT, len = MIN(PAGE_SIZE << order, want - *found);

			len = ALIGN_DOWN(len, 2 * MiB);
			if (len && !add_run(pa, pa + len))
				return false;
			*found += len;
		}
		pfn += 1ull << order;
	}
	return true;
}

static bool in_runs(u64 pa)
{
	for (unsigned int i = 0; i < nlent; i++)
		if (pa >= lent[i].start && pa < lent[i].end)
			return true;
	return false;
}

/*
 * The second pass, where the dump level drops page cache or user pages:
 * whole 2 MiB chunks of [a, b) of which every page is dropped (free, cache,
 * user), not already lent.
 */
static bool search_chunks(struct reader *rd, u64 a, u64 b, struct lend_report *rep, u64 want,
			  u64 t_end)
{
	for (u64 c = ALIGN_UP(a, 2 * MiB); c + 2 * MiB <= b && rep->bytes < want; c += 2 * MiB) {
		u64 pfn = c >> PAGE_SHIFT, end = (c + 2 * MiB) >> PAGE_SHIFT, n = 1;

		if (arch_timestamp_us() > t_end)
			return false;
		if (in_runs(c))
			continue;
		while (pfn < end && (n = dropped_pages(rd, pfn)))
			pfn += n;
		if (pfn < end)
			continue;
		if (!add_run(c, c + 2 * MiB))
			return false;
		rep->bytes += 2 * MiB;
		rep->cache += 2 * MiB;
	}
	return true;
}

const char *lend_find(const struct x86_cpu_state *paging, const char *vi, u32 vi_len,
		      struct lend_report *rep)
{
	static struct reader rd;
	struct guest_paging gp = { paging->cr0, paging->cr3 & ~0x1fffull, paging->cr4,
				   paging->efer, read_ram, &guest_gpm };
	struct page_layout l;
	u64 t0 = arch_timestamp_us(), want = hv.opt.capture_lend;
	const char *why;

	nlent = 0;
	*rep = (struct lend_report){ 0 };
	if (!(hv.opt.dump_level & DUMP_LEVEL_FREE))
		return "the dump level keeps free pages";
	why = layout_from(vi, vi_len, &l);
	if (why)
		return why;
	rd = (struct reader){ .gp = &gp, .l = &l, .sec = ~0ull, .page_va = 1 };
	/* The RAM above 4 GiB first, as the guest's own allocator prefers ZONE_NORMAL. */
	for (unsigned int pass = 0; pass < 2 && rep->bytes < want; pass++)
		for (unsigned int i = 0; i < hv.guest_map.nr && rep->bytes < want; i++) {
			const struct e820_entry *e = &hv.guest_map.e[i];
			u64 a = MAX(e->addr, 1 * MiB), b = e->addr + e->size;

			if (e->type != E820_RAM || a >= b || (pass == 0) != (a >= 4 * GiB))
				continue;
			if (!search_range(&rd, a, b, &rep->bytes, want, t0 + LEND_BUDGET_US)) {
				rep->cut = true;
				pass = 2;
				break;
			}
		}
	/* Then chunks of pages the dump level drops besides free ones, if their flags are known. */
	for (unsigned int i = 0; l.flags_known && (hv.opt.dump_level & 14) && !rep->cut &&
				 i < hv.guest_map.nr && rep->bytes < want;
	     i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = MAX(e->addr, 1 * MiB), b = e->addr + e->size;

		if (e->type == E820_RAM && a < b &&
		    !search_chunks(&rd, a, b, rep, want, t0 + LEND_BUDGET_US))
			rep->cut = true;
	}
	/* By address: the vmcore's PT_LOADs are cut around them in order. */
	for (unsigned int i = 1; i < nlent; i++)
		for (unsigned int j = i; j && lent[j - 1].start > lent[j].start; j--) {
			struct phys_range t = lent[j];

			lent[j] = lent[j - 1];
			lent[j - 1] = t;
		}
	rep->runs = nlent;
	rep->us = arch_timestamp_us() - t0;
	return rep->bytes ? NULL : "no free block of 2 MiB or more";
}

int lend_apply(struct memmap *e820)
{
	int ret = 0;

	for (unsigned int i = 0; !ret && i < nlent; i++) {
		ret = gpm_capture_lend(lent[i].start, lent[i].end);
		if (!ret)
			ret = iommu_capture_lend(lent[i].start, lent[i].end, true);
		if (!ret)
			ret = memmap_add(e820, lent[i].start, lent[i].end - lent[i].start, E820_RAM);
	}
	return ret ? ret : memmap_sanitize(e820);
}

int lend_return(void)
{
	int ret = gpm_capture_unlend();

	for (unsigned int i = 0; !ret && i < nlent; i++)
		ret = iommu_capture_lend(lent[i].start, lent[i].end, false);
	nlent = 0;
	return ret;
}

unsigned int lend_runs(const struct phys_range **runs)
{
	*runs = lent;
	return nlent;
}
