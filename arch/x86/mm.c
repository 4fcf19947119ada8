// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hv's own address space: an identity map of all RAM (write-back) and of
 * everything else below the top of RAM or 4 GiB (uncached: MMIO), built with
 * the shared page-table engine once the heap exists. The boot tables from
 * head.S cover only the first 4 GiB and stay for the AP trampoline.
 */
#include <asm/mm.h>
#include <asm/paging.h>
#include <hv/hv.h>
#include <hv/mm.h>
#include <hv/printk.h>

static struct pt_root hv_pt;

int hv_mm_init(const struct memmap *mem)
{
	u64 top = ALIGN_UP(MAX(memmap_ram_top(mem), 4 * GiB), GiB);
	int ret;

	ret = pt_init(&hv_pt, &pt_x86_64, pt_x86_max_leaf(), pt_alloc_page);
	if (!ret)
		ret = pt_map(&hv_pt, 0, 0, top, PT_RWX | PT_UNCACHED);
	for (unsigned int i = 0; !ret && i < mem->nr; i++) {
		u64 a = ALIGN_DOWN(mem->e[i].addr, PAGE_SIZE);
		u64 b = ALIGN_UP(mem->e[i].addr + mem->e[i].size, PAGE_SIZE);

		if (mem->e[i].type == E820_RAM)
			ret = pt_map(&hv_pt, a, a, b - a, PT_RWX);
	}
	if (ret) {
		pr_err("cannot build the hv page tables (%d)", ret);
		return ret;
	}
	hv_mm_activate();
	pr_debug("hv page tables: identity to 0x%llx, %u tables", (unsigned long long)top,
		 hv_pt.tables);
	return 0;
}

void hv_mm_activate(void)
{
	asm volatile("mov %0, %%cr3" : : "r"(pt_virt_to_phys(hv_pt.root)) : "memory");
}
