// SPDX-License-Identifier: GPL-2.0-only
/* Guest-physical address spaces: the guest's and the capture kernel's. */
#include <asm/cpuid.h>
#include <asm/guest_mem.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/spinlock.h>

struct gpm guest_gpm, capture_gpm, park_gpm;
static u8 *ones_page, *scratch_page;
static u64 mapped_limit; /* mapped at build time: RAM, the 32-bit hole, a 64-bit window */
static u64 phys_limit;	 /* the CPU's physical address width: MMIO may lie up to here */
static spinlock_t map_lock;

/* Firmware pages the guest reads through a copy in the hv's memory (firmware.c). */
#define GPM_OVERLAYS 2
static struct {
	u64 gpa, pa;
} overlay[GPM_OVERLAYS];
static unsigned int nr_overlays;

int gpm_overlay(u64 gpa, u64 pa)
{
	if (nr_overlays == GPM_OVERLAYS || !IS_ALIGNED(gpa, PAGE_SIZE) || hv_is_hidden(gpa, 1))
		return -ENOSPC;
	overlay[nr_overlays].gpa = gpa;
	overlay[nr_overlays++].pa = pa;
	return 0;
}

/* The guest's sealed kexec region (seal.c): read-only, not executable, in its space only. */
static u64 sealed_start, sealed_end;

static bool sealed_in(const struct gpm *g, u64 gpa)
{
	return g->mode == GPM_GUEST && gpa >= sealed_start && gpa < sealed_end;
}

bool gpm_sealed(u64 gpa)
{
	return sealed_in(&guest_gpm, gpa);
}

static u64 overlay_at(u64 gpa)
{
	for (unsigned int i = 0; i < nr_overlays; i++)
		if (overlay[i].gpa == ALIGN_DOWN(gpa, PAGE_SIZE))
			return overlay[i].pa;
	return 0;
}

u64 gpm_limit(void)
{
	return mapped_limit;
}

static bool in_capture_region(u64 gpa)
{
	return gpa >= hv.capture_base && gpa < hv.capture_base + hv.capture_size;
}

/* Hidden from this space: the hv's ranges, and the capture region for the guest. */
static bool hidden_in(const struct gpm *g, u64 gpa)
{
	return hv_is_hidden(gpa, 1) && !(g->mode == GPM_CAPTURE && in_capture_region(gpa));
}

/* Crashed-guest RAM lent to the capture kernel at the crash (lend.c): its own now. */
static struct phys_range lent[GPM_LENT_MAX];
static unsigned int nr_lent;

bool gpm_capture_lent(u64 pa, u64 len)
{
	for (unsigned int i = 0; i < nr_lent; i++)
		if (pa >= lent[i].start && pa < lent[i].end && len <= lent[i].end - pa)
			return true;
	return false;
}

bool arch_capture_lent(u64 gpa, u64 len)
{
	return gpm_capture_lent(gpa, len);
}

int gpm_capture_lend(u64 start, u64 end)
{
	int ret;

	if (nr_lent == GPM_LENT_MAX || !IS_ALIGNED(start | end, PAGE_SIZE) || start >= end ||
	    start < 1 * MiB || !memmap_is_ram(&hv.guest_map, start, end - start) ||
	    hv_is_hidden(start, end - start))
		return -EINVAL;
	ret = pt_map(&capture_gpm.pt, start, start, end - start, PT_RWX);
	if (!ret)
		lent[nr_lent++] = (struct phys_range){ start, end, "lent" };
	__atomic_add_fetch(&capture_gpm.gen, 1, __ATOMIC_SEQ_CST);
	return ret;
}

int gpm_capture_unlend(void)
{
	int ret = 0;

	for (unsigned int i = 0; !ret && i < nr_lent; i++)
		ret = pt_map(&capture_gpm.pt, lent[i].start, lent[i].start,
			     lent[i].end - lent[i].start, PT_READ | PT_EXEC);
	nr_lent = 0;
	__atomic_add_fetch(&capture_gpm.gen, 1, __ATOMIC_SEQ_CST);
	return ret;
}

/* Crashed-guest RAM is evidence in capture mode; only low memory was backed up. */
static bool evidence_in(const struct gpm *g, u64 gpa)
{
	return g->mode == GPM_CAPTURE && gpa >= 1 * MiB && memmap_is_ram(&hv.guest_map, gpa, 1) &&
	       !gpm_capture_lent(gpa, 1);
}

bool gpm_is_ram(const struct gpm *g, u64 pa, u64 n)
{
	if (g->mode == GPM_PARK)
		return false;
	if (g->mode == GPM_CAPTURE && in_capture_region(pa) && in_capture_region(pa + n - 1))
		return true;
	return memmap_is_ram(&hv.guest_map, pa, n) && !hv_is_hidden(pa, n);
}

int gpm_read(const struct gpm *g, u64 pa, void *buf, unsigned int n)
{
	if (!gpm_is_ram(g, pa, n))
		return -EFAULT;
	memcpy(buf, phys_to_virt(pa), n);
	return 0;
}

bool gpm_write_protected(const struct gpm *g, u64 gpa)
{
	return g->mode != GPM_PARK && gpa < mapped_limit &&
	       (hidden_in(g, gpa) || evidence_in(g, gpa) || overlay_at(gpa) || sealed_in(g, gpa));
}

/* What g maps at page, and with which permissions, as build and seal decide it. */
static u64 mapping_of(const struct gpm *g, u64 page, unsigned int *flags)
{
	if (overlay_at(page)) {
		*flags = PT_READ | PT_EXEC;
		return overlay_at(page);
	}
	if (hidden_in(g, page)) {
		*flags = PT_READ | PT_EXEC;
		return virt_to_phys(ones_page);
	}
	*flags = sealed_in(g, page)   ? PT_READ :
		 evidence_in(g, page) ? PT_READ | PT_EXEC :
					PT_RWX;
	return page;
}

static int map_page(struct gpm *g, u64 page)
{
	unsigned int flags;
	u64 pa = mapping_of(g, page, &flags);

	return pt_map(&g->pt, page, pa, PAGE_SIZE, flags);
}

/* The park guest: real mode at 0:0 runs "hlt; jmp back to the hlt" with interrupts off. */
static int map_park_code(struct gpm *g)
{
	static const u8 code[] = { 0xf4, 0xeb, 0xfd };
	u8 *page = page_alloc(1);

	if (!page)
		return -ENOMEM;
	memcpy(page, code, sizeof(code));
	return pt_map(&g->pt, 0, virt_to_phys(page), PAGE_SIZE, PT_READ | PT_EXEC);
}

int gpm_build(struct gpm *g, enum gpm_mode mode, const struct pt_format *fmt, unsigned int max_leaf)
{
	u64 top = ALIGN_UP(MAX(memmap_ram_top(&hv.guest_map), 4 * GiB), GiB);
	int ret;

	g->mode = mode;
	ret = pt_init(&g->pt, fmt, max_leaf, pt_alloc_page);
	if (ret || mode == GPM_PARK)
		return ret ? ret : map_park_code(g);
	g->pt.free = page_free; /* a merge's tables come back (gpm_reclaim()) */
	/*
	 * Map RAM, the 32-bit MMIO hole and a generous 64-bit MMIO window: with
	 * 1 GiB pages 512 GiB costs one table; with 2 MiB pages 64 GiB costs 64.
	 * Above, up to the physical address width, where firmware puts 64-bit
	 * BARs, a GiB is mapped when the guest first touches it (gpm_map_mmio()).
	 */
	mapped_limit = MAX(top, g->pt.max_leaf_level >= 3 ? 512 * GiB : 64 * GiB);
	phys_limit = MAX(1ull << cpu_phys_bits(), mapped_limit);
	if (!ones_page) {
		ones_page = page_alloc(1);
		scratch_page = page_alloc(1);
		if (!ones_page || !scratch_page)
			return -ENOMEM;
		memset(ones_page, 0xff, PAGE_SIZE);
		memset(scratch_page, 0xff, PAGE_SIZE);
	}
	ret = pt_map(&g->pt, 0, 0, mapped_limit, PT_RWX);
	for (unsigned int i = 0; !ret && i < hv.nr_hidden; i++)
		for (u64 pa = hv.hidden[i].start; !ret && pa < hv.hidden[i].end; pa += PAGE_SIZE)
			ret = map_page(g, pa);
	for (unsigned int i = 0; !ret && i < nr_overlays; i++)
		ret = map_page(g, overlay[i].gpa);
	/* Evidence: whole RAM ranges read-only, with the largest pages that fit. */
	for (unsigned int i = 0; !ret && mode == GPM_CAPTURE && i < hv.guest_map.nr; i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = MAX(ALIGN_UP(e->addr, PAGE_SIZE), 1 * MiB);
		u64 b = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);

		if (e->type == E820_RAM && a < b)
			ret = pt_map(&g->pt, a, a, b - a, PT_READ | PT_EXEC);
	}
	if (ret)
		return ret;
	g->built_tables = g->pt.tables;
	pr_info("%s memory: identity map to 0x%llx (%s, pages up to %s), %u table pages%s",
		mode == GPM_CAPTURE ? "capture-mode" : "guest", (unsigned long long)mapped_limit,
		fmt->name, g->pt.max_leaf_level >= 3 ? "1 GiB" : "2 MiB", g->pt.tables,
		mode == GPM_CAPTURE ? ", crashed guest RAM read-only" :
				      ", hidden ranges read as all-ones");
	return 0;
}

int gpm_map_mmio(struct gpm *g, u64 gpa)
{
	/* A GiB costs at most a page directory and a PDPT (2 MiB pages). */
	const unsigned int worst = 2;
	u64 base = ALIGN_DOWN(gpa, GiB), pa;
	unsigned int tables, flags, level;
	int ret = 0;

	if (g->mode == GPM_PARK || gpa < mapped_limit || gpa >= phys_limit ||
	    hv_is_hidden(base, GiB))
		return -EFAULT;
	spin_lock(&map_lock); /* two vCPUs may fault on the same GiB */
	tables = g->pt.tables;
	if (pt_walk(&g->pt, gpa, &pa, &flags, &level))
		; /* another vCPU mapped it meanwhile */
	else if (g->mmio_tables + worst > GPM_MMIO_TABLES)
		ret = -ENOMEM;
	else
		ret = pt_map(&g->pt, base, base, GiB, PT_RWX);
	g->mmio_tables += g->pt.tables - tables;
	spin_unlock(&map_lock);
	if (ret == -ENOMEM)
		pr_err("%s memory: 0x%llx is above RAM, but the %u table pages for MMIO mapped on access are spent",
		       g->mode == GPM_CAPTURE ? "capture-mode" : "guest", (unsigned long long)gpa,
		       GPM_MMIO_TABLES);
	if (!ret && g->pt.tables != tables)
		pr_info("%s memory: 0x%llx-0x%llx (above RAM: MMIO) mapped at the first access, %u table page(s)",
			g->mode == GPM_CAPTURE ? "capture-mode" : "guest", (unsigned long long)base,
			(unsigned long long)(base + GiB - 1), g->pt.tables - tables);
	return ret;
}

/* After a change to g's tables under map_lock: what it retired waits for every vCPU's flush. */
static void changed(struct gpm *g, unsigned int retired_before)
{
	u32 gen = __atomic_add_fetch(&g->gen, 1, __ATOMIC_SEQ_CST);

	if (g->pt.nr_retired != retired_before)
		g->retire_gen = gen;
}

static unsigned int reclaim_locked(struct gpm *g)
{
	if (!g->pt.nr_retired)
		return 0;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct percpu *c = &percpu_area[i];

		/* A vCPU that left g flushes it when it enters any space again. */
		if (c->state == CPU_GUEST && c->arch.gpm == g &&
		    (s32)(c->arch.gpm_gen - g->retire_gen) < 0)
			return 0;
	}
	return pt_reclaim(&g->pt);
}

unsigned int gpm_reclaim(struct gpm *g)
{
	unsigned int n;

	if (!g->pt.nr_retired)
		return 0;
	spin_lock(&map_lock);
	n = reclaim_locked(g);
	spin_unlock(&map_lock);
	return n;
}

/*
 * The flags build and seal give every page of the 2 MiB at base in g, if
 * each maps to itself with the same ones (one leaf can map them all); else 0.
 */
static unsigned int uniform_flags(const struct gpm *g, u64 base)
{
	unsigned int flags = 0, f;

	for (u64 page = base; page < base + 2 * MiB; page += PAGE_SIZE)
		if (mapping_of(g, page, &f) != page || (flags && f != flags))
			return 0;
		else
			flags = f;
	return flags;
}

/* Another vCPU steps over a write in [chunk, chunk + 2 MiB), other than to page. */
static bool stepping_in(u64 chunk, u64 page)
{
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		const struct hidden_step *st = &percpu_area[i].arch.step;

		if (st->active && ((st->gpa - chunk < 2 * MiB && ALIGN_DOWN(st->gpa, PAGE_SIZE) != page) ||
				   (st->gpa2 && st->gpa2 - chunk < 2 * MiB &&
				    ALIGN_DOWN(st->gpa2, PAGE_SIZE) != page)))
			return true;
	}
	return false;
}

/*
 * The 2 MiB around gpa as one leaf again, if its pages are all alike
 * (uniform_flags()) and no other vCPU's step has the scratch page there.
 */
static int merge_chunk(struct gpm *g, u64 gpa)
{
	u64 chunk = ALIGN_DOWN(gpa, 2 * MiB);
	unsigned int flags = uniform_flags(g, chunk);

	if (!flags || g->pt.max_leaf_level < 2 || stepping_in(chunk, ALIGN_DOWN(gpa, PAGE_SIZE)))
		return 0;
	return pt_map(&g->pt, chunk, chunk, 2 * MiB, flags);
}

int gpm_redirect(struct gpm *g, u64 gpa, bool scratch)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);
	unsigned int before;
	int ret;

	spin_lock(&map_lock); /* every vCPU of g steps over its own writes */
	before = g->pt.nr_retired;
	if (scratch) {
		reclaim_locked(g);
		if (g->pt.tables - g->built_tables - g->mmio_tables >= GPM_SPLIT_TABLES)
			ret = -ENOMEM;
		else
			ret = pt_map(&g->pt, page, virt_to_phys(scratch_page), PAGE_SIZE, PT_RWX);
	} else {
		memset(scratch_page, 0xff, PAGE_SIZE);
		ret = map_page(g, page);
		if (!ret)
			ret = merge_chunk(g, page);
	}
	changed(g, before);
	spin_unlock(&map_lock);
	return ret;
}

int gpm_seal(u64 start, u64 end)
{
	u64 old_start = sealed_start, old_end = sealed_end;
	unsigned int before;
	int ret;

	if (start < end && (nr_overlays && overlay[0].gpa >= start && overlay[0].gpa < end))
		return -EINVAL;
	spin_lock(&map_lock);
	reclaim_locked(&guest_gpm);
	before = guest_gpm.pt.nr_retired;
	sealed_start = start;
	sealed_end = end;
	/* Unsealed: the guest's own RAM again; sealed: read-only, no execution. */
	if (start < end) {
		ret = pt_map(&guest_gpm.pt, start, start, end - start, PT_READ);
	} else {
		ret = pt_map(&guest_gpm.pt, old_start, old_start, old_end - old_start, PT_RWX);
		/* The seal's edges split 2 MiB leaves: whole again, their tables retired. */
		if (!ret && old_start < old_end)
			ret = merge_chunk(&guest_gpm, old_start);
		if (!ret && old_start < old_end)
			ret = merge_chunk(&guest_gpm, old_end - 1);
	}
	changed(&guest_gpm, before);
	spin_unlock(&map_lock);
	return ret;
}
