// SPDX-License-Identifier: GPL-2.0-only
/* Generic start-up: options, the memory plan, the hidden ranges it makes. */
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <hv/printk.h>
#include <hv/restart.h>

extern char __image_start[], __image_end[];

void hv_halt(void)
{
	pr_err("parachute halted.");
	arch_cpu_halt();
}

void hv_panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_hv(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("PANIC: %s", msg);
	arch_stop_other_cpus();
	hv_halt();
}

/* Modules must stay intact until the guest is loaded: they are busy ranges. */
static unsigned int module_ranges(const struct boot_info *bi, struct phys_range *r)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		r[i].start = ALIGN_DOWN(bi->mods[i].start, PAGE_SIZE);
		r[i].end = ALIGN_UP(bi->mods[i].start + bi->mods[i].size, PAGE_SIZE);
		r[i].what = role_name(bi->mods[i].role);
	}
	return bi->nr_modules;
}

static int plan_memory(const struct boot_info *bi)
{
	u64 img_start = ALIGN_DOWN((u64)(uintptr_t)__image_start, PAGE_SIZE);
	u64 img_end = ALIGN_UP((u64)(uintptr_t)__image_end, PAGE_SIZE);
	u64 ram = memmap_ram_total(&bi->mem), cap = hv.opt.capture_mem;
	u64 stash = restart_stash_size(bi), area = HV_HEAP_SIZE + cap + stash, base;
	struct phys_range busy[BOOT_MAX_MODULES + 1];
	unsigned int n = module_ranges(bi, busy);

	busy[n].start = img_start;
	busy[n].end = img_end;
	busy[n++].what = "hv image";
	if (cap >= ram) {
		pr_err("capture_mem=%lluM is larger than the machine's RAM (%lluM)",
		       (unsigned long long)(cap / MiB), (unsigned long long)(ram / MiB));
		return -ENOMEM;
	}
	if (ram < area + (img_end - img_start) + GUEST_MIN_RAM) {
		pr_err("capture_mem=%lluM leaves the guest less than %lluM of the machine's %lluM",
		       (unsigned long long)(cap / MiB), (unsigned long long)(GUEST_MIN_RAM / MiB),
		       (unsigned long long)(ram / MiB));
		return -ENOMEM;
	}
	/* Highest fit below 4 GiB, 2 MiB aligned so capture kernels can load in place. */
	base = memmap_find_free(&bi->mem, busy, n, area, 2 * MiB, 16 * MiB, 4 * GiB, true);
	if (!base) {
		pr_err("no %llu MiB of contiguous free RAM below 4 GiB for the hv heap (%llu MiB), capture_mem=%lluM and the restart stash (%llu MiB)",
		       (unsigned long long)(area / MiB), (unsigned long long)(HV_HEAP_SIZE / MiB),
		       (unsigned long long)(cap / MiB), (unsigned long long)(stash / MiB));
		return -ENOMEM;
	}
	hv.capture_base = base;
	hv.capture_size = cap;
	hv.heap_base = base + cap;
	hv.heap_size = HV_HEAP_SIZE;
	hv.restart_base = stash ? hv.heap_base + HV_HEAP_SIZE : 0;
	hv.restart_size = stash;

	hv_hide(img_start, img_end, "hv image");
	hv_hide(hv.heap_base, hv.heap_base + hv.heap_size, "hv heap");
	hv_hide(hv.capture_base, hv.capture_base + hv.capture_size, "capture region");
	if (stash)
		hv_hide(hv.restart_base, hv.restart_base + stash, "restart stash");

	hv.guest_map = bi->mem;
	for (unsigned int i = 0; i < hv.nr_hidden; i++)
		if (memmap_remove(&hv.guest_map, hv.hidden[i].start,
				  hv.hidden[i].end - hv.hidden[i].start))
			return -ENOSPC;
	pr_info("guest RAM: %llu MiB of %llu MiB",
		(unsigned long long)(memmap_ram_total(&hv.guest_map) / MiB),
		(unsigned long long)(ram / MiB));
	return 0;
}

static int check_modules(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *m = &bi->mods[i];

		if (m->start + m->size > 4 * GiB || !memmap_is_ram(&bi->mem, m->start, m->size)) {
			pr_err("module %u (%s) at 0x%llx+0x%llx is not in RAM below 4 GiB", i,
			       role_name(m->role), (unsigned long long)m->start,
			       (unsigned long long)m->size);
			return -EINVAL;
		}
		pr_info("module %u: %-14s 0x%08llx %8llu bytes  \"%s\"", i, role_name(m->role),
			(unsigned long long)m->start, (unsigned long long)m->size, m->args);
	}
	return bootinfo_check(bi);
}

void hv_main(struct boot_info *bi)
{
	char err[200];

	hv.start_tsc = arch_timestamp();
	options_defaults(&hv.opt);
	if (options_parse(bi->cmdline, &hv.opt, err, sizeof(err))) {
		pr_err("%s", err);
		hv_halt();
	}
	hv_loglevel = hv.opt.loglevel;
	pr_info("loader %s, options \"%s\"", bi->loader, bi->cmdline);
	for (unsigned int i = 0; i < bi->mem.nr; i++)
		pr_debug("e820: 0x%09llx-0x%09llx %s", (unsigned long long)bi->mem.e[i].addr,
			 (unsigned long long)(bi->mem.e[i].addr + bi->mem.e[i].size - 1),
			 e820_type_name(bi->mem.e[i].type));
	if (check_modules(bi) || plan_memory(bi))
		hv_halt();
	heap_init(hv.heap_base, hv.heap_size);
	arch_boot(bi);
	hv_halt();
}
