// SPDX-License-Identifier: GPL-2.0-only
/* Guest-physical memory: identity map less the hidden ranges. */
#include <asm/guest_mem.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

struct pt_root guest_pt;
static u8 *ones_page, *scratch_page;
static u64 mapped_limit;

static void *pt_page(void)
{
	return page_alloc(1);
}

u64 guest_mem_limit(void)
{
	return mapped_limit;
}

int guest_mem_build(const struct pt_format *fmt, unsigned int max_leaf)
{
	u64 top = ALIGN_UP(MAX(memmap_ram_top(&hv.guest_map), 4 * GiB), GiB);
	int ret;

	/*
	 * Map RAM, the 32-bit MMIO hole and a generous 64-bit MMIO window: with
	 * 1 GiB pages 512 GiB costs one table; with 2 MiB pages 64 GiB costs 64.
	 */
	ret = pt_init(&guest_pt, fmt, max_leaf, pt_page);
	if (ret)
		return ret;
	mapped_limit = MAX(top, guest_pt.max_leaf_level >= 3 ? 512 * GiB : 64 * GiB);
	ones_page = page_alloc(1);
	scratch_page = page_alloc(1);
	if (!ones_page || !scratch_page)
		return -ENOMEM;
	memset(ones_page, 0xff, PAGE_SIZE);
	memset(scratch_page, 0xff, PAGE_SIZE);

	ret = pt_map(&guest_pt, 0, 0, mapped_limit, PT_RWX);
	for (unsigned int i = 0; !ret && i < hv.nr_hidden; i++)
		for (u64 pa = hv.hidden[i].start; !ret && pa < hv.hidden[i].end; pa += PAGE_SIZE)
			ret = pt_map(&guest_pt, pa, virt_to_phys(ones_page), PAGE_SIZE,
				     PT_READ | PT_EXEC);
	if (ret)
		return ret;
	pr_info("guest memory: identity map to 0x%llx (%s, pages up to %s), %u table pages, hidden ranges read as all-ones",
		(unsigned long long)mapped_limit, fmt->name,
		guest_pt.max_leaf_level >= 3 ? "1 GiB" : "2 MiB", guest_pt.tables);
	return 0;
}

int guest_mem_redirect(u64 gpa, bool scratch)
{
	u64 page = ALIGN_DOWN(gpa, PAGE_SIZE);

	if (!scratch)
		memset(scratch_page, 0xff, PAGE_SIZE);
	return pt_map(&guest_pt, page, virt_to_phys(scratch ? scratch_page : ones_page), PAGE_SIZE,
		      scratch ? PT_RWX : PT_READ | PT_EXEC);
}
