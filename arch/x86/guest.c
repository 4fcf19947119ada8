// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux guest: place the kernel and initrd in guest RAM clear of the hv,
 * the modules and low memory, write boot_params, command line and a boot GDT
 * into low guest pages, and enter through the 32-bit boot protocol.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/layout.h>
#include <asm/linux.h>
#include <asm/vcpu.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

#define BUSY_MAX (BOOT_MAX_MODULES + HV_MAX_HIDDEN + 3)

struct placement {
	struct phys_range busy[BUSY_MAX];
	unsigned int n;
};

static void busy_add(struct placement *p, u64 start, u64 end, const char *what)
{
	p->busy[p->n].start = start;
	p->busy[p->n].end = end;
	p->busy[p->n++].what = what;
}

static int place_kernel(struct placement *p, const struct bzimage *bz, u64 *addr)
{
	u64 a;

	if (bz->relocatable) {
		a = memmap_find_free(&hv.guest_map, p->busy, p->n, bz->init_size, bz->alignment,
				     MAX(bz->pref_address, 1 * MiB), 4 * GiB, false);
	} else {
		a = bz->pref_address;
		for (unsigned int i = 0; i < p->n; i++)
			if (ranges_overlap(a, bz->init_size, p->busy[i].start,
					   p->busy[i].end - p->busy[i].start))
				a = 0;
		if (a && !memmap_is_ram(&hv.guest_map, a, bz->init_size))
			a = 0;
	}
	if (!a) {
		pr_err("guest kernel: no room for its %llu MiB (alignment %llu KiB) in guest RAM below 4 GiB",
		       (unsigned long long)(bz->init_size / MiB),
		       (unsigned long long)(bz->alignment / KiB));
		return -ENOMEM;
	}
	memmove(phys_to_virt(a), bz->image + bz->setup_size, bz->kernel_size);
	busy_add(p, a, a + bz->init_size, "guest kernel");
	*addr = a;
	return 0;
}

/* The initrd stays where the loader put it when the kernel can reach it there. */
static int place_initrd(struct placement *p, const struct bzimage *bz, const struct boot_module *m,
			u64 *addr)
{
	u64 limit = MIN(bz->initrd_max, 4 * GiB), a;

	if (m->start + m->size <= limit && memmap_is_ram(&hv.guest_map, m->start, m->size)) {
		*addr = m->start;
		return 0;
	}
	a = memmap_find_free(&hv.guest_map, p->busy, p->n, ALIGN_UP(m->size, PAGE_SIZE), PAGE_SIZE,
			     1 * MiB, limit, true);
	if (!a) {
		pr_err("guest initrd: no room for %llu bytes below 0x%llx",
		       (unsigned long long)m->size, (unsigned long long)limit);
		return -ENOMEM;
	}
	memmove(phys_to_virt(a), phys_to_virt(m->start), m->size);
	*addr = a;
	return 0;
}

/*
 * New ACPI root tables, in a guest page typed ACPI data: without the IOMMU
 * tables, with a pvpanic device when that trigger is on.
 */
static u64 rewrite_acpi(struct placement *p, u64 rsdp)
{
	bool pvpanic = crash_source_enabled(CRASH_PVPANIC);
	u64 page = memmap_find_free(&hv.guest_map, p->busy, p->n, PAGE_SIZE, PAGE_SIZE, 1 * MiB,
				    4 * GiB, true);
	u64 new_rsdp;

	/* An RSDP the hv keeps (the loader's copy) is no use to the guest: always rewritten. */
	if (!pvpanic && !acpi_needs_rewrite(rsdp) && !hv_is_hidden(rsdp, 36))
		return rsdp;
	if (!page || memmap_add(&hv.guest_map, page, PAGE_SIZE, E820_ACPI) ||
	    memmap_sanitize(&hv.guest_map)) {
		pr_err("no guest page for new ACPI root tables; the guest sees the firmware's");
		return rsdp;
	}
	new_rsdp = acpi_rewrite(rsdp, page, pvpanic ? PVPANIC_PORT : -1);
	return new_rsdp ? new_rsdp : rsdp;
}

static int write_boot_pages(const struct bzimage *bz, const struct boot_module *km,
			    struct linux_boot *lb)
{
	size_t len = strlen(km->args);

	if (!memmap_is_ram(&hv.guest_map, GUEST_GDT_ADDR,
			   GUEST_CMDLINE_ADDR + GUEST_CMDLINE_MAX - GUEST_GDT_ADDR)) {
		pr_err("guest low memory 0x%x-0x%x is not RAM; cannot place boot_params",
		       GUEST_GDT_ADDR, GUEST_CMDLINE_ADDR + GUEST_CMDLINE_MAX - 1);
		return -ENOMEM;
	}
	if (len > bz->cmdline_max || len >= GUEST_CMDLINE_MAX) {
		pr_err("guest command line is %llu bytes; this kernel takes at most %llu",
		       (unsigned long long)len,
		       (unsigned long long)MIN(bz->cmdline_max, (u64)GUEST_CMDLINE_MAX - 1));
		return -E2BIG;
	}
	memcpy(phys_to_virt(GUEST_CMDLINE_ADDR), km->args, len + 1);
	lb->cmdline_addr = GUEST_CMDLINE_ADDR;
	return linux_build_boot_params(phys_to_virt(GUEST_BOOT_PARAMS_ADDR), bz, &hv.guest_map, lb);
}

u64 guest_rsdp;
static const struct boot_fb *boot_fb; /* the firmware's screen, for every boot of the guest */

void guest_acpi_init(const struct boot_info *bi)
{
	struct placement p = { .n = 0 };

	busy_add(&p, 0, 1 * MiB, "low memory");
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		busy_add(&p, ALIGN_DOWN(bi->mods[i].start, PAGE_SIZE),
			 ALIGN_UP(bi->mods[i].start + bi->mods[i].size, PAGE_SIZE),
			 role_name(bi->mods[i].role));
	guest_rsdp = bi->rsdp ? rewrite_acpi(&p, bi->rsdp) : 0;
}

/*
 * The guest kernel km (and initrd im) placed in guest RAM clear of the hv,
 * low memory and bi's modules (none at a restart), its boot pages written,
 * and its entry in e.
 */
static int prepare_linux(const struct boot_info *bi, const struct boot_module *km,
			 const struct boot_module *im, struct x86_entry *e)
{
	struct placement p = { .n = 0 };
	struct linux_boot lb = { 0 };
	struct bzimage bz;
	int ret;

	ret = bzimage_parse(phys_to_virt(km->start), km->size, &bz, "guest kernel");
	if (ret)
		return ret;
	busy_add(&p, 0, 1 * MiB, "low memory");
	for (unsigned int i = 0; i < hv.nr_hidden; i++)
		busy_add(&p, hv.hidden[i].start, hv.hidden[i].end, hv.hidden[i].what);
	for (unsigned int i = 0; bi && i < bi->nr_modules; i++)
		busy_add(&p, ALIGN_DOWN(bi->mods[i].start, PAGE_SIZE),
			 ALIGN_UP(bi->mods[i].start + bi->mods[i].size, PAGE_SIZE),
			 role_name(bi->mods[i].role));

	ret = place_kernel(&p, &bz, &lb.kernel_addr);
	if (!ret && im) {
		ret = place_initrd(&p, &bz, im, &lb.initrd_addr);
		lb.initrd_size = im->size;
	}
	lb.rsdp = guest_rsdp;
	lb.fb = boot_fb;
	if (!ret)
		ret = write_boot_pages(&bz, km, &lb);
	if (ret)
		return ret;
	pr_info("guest kernel: boot protocol %u.%02u at 0x%llx (needs %llu KiB), initrd 0x%llx+%llu, RSDP 0x%llx",
		bz.hdr->version >> 8, bz.hdr->version & 0xff, (unsigned long long)lb.kernel_addr,
		(unsigned long long)(bz.init_size / KiB), (unsigned long long)lb.initrd_addr,
		(unsigned long long)lb.initrd_size, (unsigned long long)lb.rsdp);
	linux_boot_entry(e, lb.kernel_addr, GUEST_BOOT_PARAMS_ADDR, GUEST_GDT_ADDR);
	return 0;
}

int guest_prepare_restart(const struct boot_module *km, const struct boot_module *im,
			  struct x86_entry *e)
{
	return prepare_linux(NULL, km, im, e);
}

int guest_boot_linux(const struct boot_info *bi, struct percpu *cpu)
{
	struct x86_entry entry;
	int ret;

	boot_fb = &bi->fw.fb;
	ret = prepare_linux(bi, bi->by_role[ROLE_GUEST], bi->by_role[ROLE_GUEST_INITRD], &entry);
	if (ret)
		return ret;
	ret = gpm_build(&guest_gpm, GPM_GUEST, vendor->npt_format, vendor->npt_max_leaf);
	/* Only CPUs the hv holds could be started by a guest INIT/SIPI. */
	if (!ret && nr_cpus_online > 1)
		ret = apic_trap_init(&guest_gpm);
	if (ret) {
		pr_err("cannot build guest memory: %d (hv heap used %llu KiB)", ret,
		       (unsigned long long)(heap_used() / KiB));
		return ret;
	}
	pr_info("entering the guest on cpu0 (%s); hv heap used %llu KiB", vendor->name,
		(unsigned long long)(heap_used() / KiB));
	vcpu_cpu_loop(cpu, &entry, &guest_gpm);
}
