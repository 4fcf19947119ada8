// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding the guest's VMCOREINFO note in its RAM (docs/capture.md): a page
 * that starts with the note, a resumable scan of guest RAM for one, and a
 * note known by address checked again. hv/capture.c keeps what was found
 * (the probe at boot, the guest's registration) and chooses at the crash.
 */
#include <hv/capture.h>
#include <hv/elfcore.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

int vmcoreinfo_note_at(const struct memmap *map, u64 pa, u64 *desc_pa, u32 *desc_len)
{
	const u8 *p;
	struct elf64_nhdr h;

	if (!IS_ALIGNED(pa, PAGE_SIZE) || !memmap_is_ram(map, pa, PAGE_SIZE) ||
	    hv_is_hidden(pa, PAGE_SIZE))
		return -ENOENT;
	p = phys_to_virt(pa);
	memcpy(&h, p, sizeof(h));
	/* name "VMCOREINFO\0" pads to 12 bytes: the text starts at 24. */
	if (h.n_namesz != 11 || h.n_type != NT_VMCOREINFO || h.n_descsz < 10 ||
	    h.n_descsz > PAGE_SIZE - 24 || memcmp(p + 12, "VMCOREINFO", 11) ||
	    memcmp(p + 24, "OSRELEASE=", 10))
		return -ENOENT;
	*desc_pa = pa + 24;
	*desc_len = h.n_descsz;
	return 0;
}

/*
 * The scan of guest RAM's page starts for the note, from where p stopped
 * (all zero: from the start), at most budget pages: pass 0 takes the RAM
 * above 4 GiB, pass 1 the RAM below. The kernel allocates the note at boot
 * (crash_save_vmcoreinfo_init(), GFP_KERNEL), from ZONE_NORMAL before
 * ZONE_DMA32: on x86-64, RAM above 4 GiB where the guest has any. Never a
 * hidden page; one load per page, the whole check where n_namesz is 11.
 * Returns true when it has ended, with *found saying whether at a note that
 * ok (NULL: any) accepts, its text at *desc_pa.
 */
bool vmcoreinfo_scan(struct vmcoreinfo_probe *p, const struct memmap *map, u64 budget,
		     vmcoreinfo_ok_fn ok, const void *ctx, u64 *desc_pa, u32 *desc_len, bool *found)
{
	static const u64 lo[2] = { 4 * GiB, 0 }, hi[2] = { ~0ull, 4 * GiB };

	*found = false;
	for (; p->pass < 2; p->pass++, p->idx = 0, p->pa = 0)
		for (; p->idx < map->nr; p->idx++, p->pa = 0) {
			const struct e820_entry *e = &map->e[p->idx];
			u64 end = MIN(e->addr + e->size, hi[p->pass]);

			if (e->type != E820_RAM)
				continue;
			for (p->pa = MAX(MAX(p->pa, ALIGN_UP(e->addr, PAGE_SIZE)), lo[p->pass]);
			     p->pa + PAGE_SIZE <= end; p->pa += PAGE_SIZE) {
				if (!budget--)
					return false;
				if (hv_is_hidden(p->pa, PAGE_SIZE) ||
				    *(const volatile u32 *)phys_to_virt(p->pa) != 11 ||
				    vmcoreinfo_note_at(map, p->pa, desc_pa, desc_len))
					continue;
				if (!ok || ok(*desc_pa, *desc_len, ctx)) {
					*found = true;
					return true;
				}
				if (++p->rejected >= VMCOREINFO_SCAN_MAX_REJECTED) {
					pr_warn("crash: the scan for VMCOREINFO stopped at 0x%llx: %u notes in guest RAM that are not the crashed kernel's",
						(unsigned long long)p->pa, p->rejected);
					return true;
				}
			}
		}
	return true;
}

int vmcoreinfo_scan_all(const struct memmap *map, vmcoreinfo_ok_fn ok, const void *ctx,
			u64 *desc_pa, u32 *desc_len)
{
	struct vmcoreinfo_probe from_start = { 0 };
	bool found;

	vmcoreinfo_scan(&from_start, map, ~0ull, ok, ctx, desc_pa, desc_len, &found);
	return found ? 0 : -ENOENT;
}

bool vmcoreinfo_still_at(const struct memmap *map, u64 pa, vmcoreinfo_ok_fn ok, const void *ctx,
			 u64 *desc_pa, u32 *desc_len)
{
	return pa && !vmcoreinfo_note_at(map, pa, desc_pa, desc_len) &&
	       (!ok || ok(*desc_pa, *desc_len, ctx));
}

const char *vmcoreinfo_way_name(enum vmcoreinfo_way way)
{
	return way == VMCOREINFO_REGISTERED ? "registered" :
	       way == VMCOREINFO_PROBED	    ? "probed" :
					      "scanned";
}
