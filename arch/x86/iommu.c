// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA isolation, the vendor-neutral part: policy (iommu=), the two domains
 * built with the shared page-table engine, hiding the register pages, the
 * switch to capture mode and fault polling. Every device gets the same
 * domain: the guest owns all of them, and the hv none.
 */
#include <asm/acpi.h>
#include <asm/iommu.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/spinlock.h>

static struct iommu_acpi desc;
static const struct iommu_driver *drv;
static struct pt_root guest_dom, capture_dom;
static u64 guest_root[PT_ENTRIES]; /* the guest domain's root entries, kept in capture mode */
static unsigned int levels;
static bool active, in_capture;
static u64 last_poll_us;
static u64 fault_lines; /* a device the guest makes fault in a loop is heard rate-limited */
static spinlock_t poll_lock;
/*
 * Held while the guest domain's tables or its root entries change: a seal
 * on one vCPU and the crash's switch to capture mode on another must not
 * interleave (a seal would write into the capture domain's tables through
 * the swapped root entries).
 */
static spinlock_t dom_lock;
static u64 ecam;

bool iommu_active(void)
{
	return active;
}

/*
 * The table the hardware walks: the engine's 4-level root, or for a 3-level
 * (39-bit) unit the level-3 table under its first entry, which covers the
 * 512 GiB a 3-level table can.
 */
static u64 *hw_root(struct pt_root *pt)
{
	if (levels == 4)
		return pt->root;
	return pt_phys_to_virt(pt->fmt->phys(pt->root[0], 1));
}

static int map_unity(struct pt_root *pt)
{
	int ret = 0;

	for (unsigned int i = 0; !ret && i < desc.nr_unity; i++)
		if (!hv_is_hidden(desc.unity[i].start, desc.unity[i].end - desc.unity[i].start))
			ret = pt_map(pt, desc.unity[i].start, desc.unity[i].start,
				     desc.unity[i].end - desc.unity[i].start, PT_READ | PT_WRITE);
	return ret;
}

/*
 * Guest mode: the guest's RAM (its e820 already lacks the hidden ranges) and
 * the firmware's reserved DMA ranges. Capture mode adds the capture region
 * and leaves the crashed guest's RAM above 1 MiB read-only: the capture
 * kernel uses low memory (backed up at hand-over) and its own region.
 */
static int build_domain(struct pt_root *pt, bool capture, unsigned int max_leaf)
{
	int ret = pt_init(pt, drv->fmt, max_leaf, pt_alloc_page);

	for (unsigned int i = 0; !ret && i < hv.guest_map.nr; i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = ALIGN_UP(e->addr, PAGE_SIZE), b = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);
		u64 split = capture ? MIN(MAX(a, 1 * MiB), b) : b;

		if ((e->type != E820_RAM && e->type != E820_ACPI) || a >= b)
			continue;
		if (a < split)
			ret = pt_map(pt, a, a, split - a, PT_READ | PT_WRITE);
		if (!ret && split < b)
			ret = pt_map(pt, split, split, b - split, PT_READ);
	}
	if (!ret && capture)
		ret = pt_map(pt, hv.capture_base, hv.capture_base, hv.capture_size,
			     PT_READ | PT_WRITE);
	if (!ret)
		ret = map_unity(pt);
	/* A 3-level unit walks root[0]'s table; low guest RAM always creates it. */
	if (!ret && !pt->fmt->present(pt->root[0]))
		ret = -EINVAL;
	return ret;
}

static int find_units(u64 rsdp, char *err, size_t errlen)
{
	u32 len;
	const u8 *t;

	if (!rsdp)
		return snprintf_hv(err, errlen, "no ACPI tables"), -ENODEV;
	t = acpi_find_table(rsdp, "DMAR", &len);
	if (t)
		return drv = &vtd_driver, dmar_parse(t, len, &desc, err, errlen);
	t = acpi_find_table(rsdp, "IVRS", &len);
	if (t)
		return drv = &amdvi_driver, ivrs_parse(t, len, &desc, err, errlen);
	snprintf_hv(err, errlen, "no DMAR or IVRS table: this machine has no IOMMU");
	return -ENODEV;
}

static int refuse_or_warn(const char *why)
{
	if (hv.opt.iommu == IOMMU_REQUIRED) {
		pr_err("iommu=required, but %s: refusing to start", why);
		return -ENODEV;
	}
	pr_warn("**************************************************************");
	pr_warn("DMA isolation: off (%s)", why);
	pr_warn("devices can write anywhere, the hv and the capture kernel included");
	pr_warn("**************************************************************");
	return 0;
}

int iommu_init(u64 rsdp)
{
	char err[160];
	unsigned int max_leaf = 3, lv;
	u64 top = memmap_ram_top(&hv.guest_map);
	int ret;

	if (hv.opt.iommu == IOMMU_OFF) {
		pr_warn("DMA isolation: off (iommu=off)");
		return 0;
	}
	ret = find_units(rsdp, err, sizeof(err));
	if (ret)
		return refuse_or_warn(err);
	ecam = acpi_ecam_base(rsdp);
	levels = 4;
	for (unsigned int i = 0; i < desc.nr_units; i++) {
		unsigned int ml;

		/* The registers are the hv's: the guest reads all-ones there. */
		if (hv_hide(desc.unit[i].base, desc.unit[i].base + desc.unit[i].size,
			    "IOMMU registers"))
			return refuse_or_warn("too many hidden ranges");
		if (drv->probe(&desc.unit[i], &lv, &ml)) {
			snprintf_hv(err, sizeof(err), "%s unit at 0x%llx is unusable", drv->name,
				    (unsigned long long)desc.unit[i].base);
			return refuse_or_warn(err);
		}
		levels = MIN(levels, lv);
		max_leaf = MIN(max_leaf, ml);
	}
	if (levels == 3 && MAX(top, hv.capture_base + hv.capture_size) > 512 * GiB)
		return refuse_or_warn("RAM reaches above the 512 GiB a 3-level IOMMU table maps");
	ret = build_domain(&guest_dom, false, max_leaf);
	if (!ret)
		ret = build_domain(&capture_dom, true, max_leaf);
	guest_dom.free = page_free; /* a seal's merges give tables back (pt_reclaim()) */
	if (ret) {
		snprintf_hv(err, sizeof(err), "cannot build the I/O page tables (%d)", ret);
		return refuse_or_warn(err);
	}
	for (unsigned int i = 0; i < desc.nr_units; i++) {
		ret = drv->enable(&desc.unit[i], pt_virt_to_phys(hw_root(&guest_dom)), levels);
		if (ret) {
			snprintf_hv(err, sizeof(err), "%s unit at 0x%llx did not enable", drv->name,
				    (unsigned long long)desc.unit[i].base);
			return refuse_or_warn(err);
		}
	}
	active = true;
	pr_info("DMA isolation: on, %s, %u unit%s, %u-level %s tables (%u + %u pages), %u reserved range%s mapped",
		drv->name, desc.nr_units, desc.nr_units == 1 ? "" : "s", levels, drv->fmt->name,
		guest_dom.tables, capture_dom.tables, desc.nr_unity, desc.nr_unity == 1 ? "" : "s");
	return 0;
}

void iommu_capture_mode(void)
{
	u64 *dst, *src;

	if (!active)
		return;
	spin_lock(&dom_lock);
	if (in_capture) {
		spin_unlock(&dom_lock);
		return;
	}
	iommu_poll();
	/*
	 * Every requester points at the guest domain's root: giving that root
	 * the capture domain's entries switches all devices at once, and one
	 * flush per unit drops what they cached.
	 */
	dst = hw_root(&guest_dom);
	src = hw_root(&capture_dom);
	memcpy(guest_root, dst, sizeof(guest_root));
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < desc.nr_units; i++)
		drv->flush(&desc.unit[i]);
	in_capture = true;
	spin_unlock(&dom_lock);
	pr_info("DMA isolation: capture mode, devices may write only the capture region and low memory");
}

int iommu_capture_lend(u64 start, u64 end, bool lend)
{
	int ret;

	if (!active)
		return 0;
	spin_lock(&dom_lock);
	/* Below the roots: what the switched requesters walk sees it at once. */
	ret = pt_map(&capture_dom, start, start, end - start,
		     lend ? PT_READ | PT_WRITE : PT_READ);
	for (unsigned int i = 0; in_capture && i < desc.nr_units; i++)
		drv->flush(&desc.unit[i]);
	spin_unlock(&dom_lock);
	return ret;
}

int iommu_guest_mode(void)
{
	u64 *dst = active ? hw_root(&guest_dom) : NULL;
	int ret = 0;

	if (!active)
		return 0;
	spin_lock(&dom_lock);
	if (in_capture)
		for (unsigned int i = 0; i < PT_ENTRIES; i++)
			__atomic_store_n(&dst[i], guest_root[i], __ATOMIC_RELEASE);
	/* What a seal or its lifting left read-only is the guest's again. */
	for (unsigned int i = 0; !ret && i < hv.guest_map.nr; i++) {
		const struct e820_entry *e = &hv.guest_map.e[i];
		u64 a = ALIGN_UP(e->addr, PAGE_SIZE), b = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);

		if ((e->type == E820_RAM || e->type == E820_ACPI) && a < b)
			ret = pt_map(&guest_dom, a, a, b - a, PT_READ | PT_WRITE);
	}
	for (unsigned int i = 0; i < desc.nr_units; i++)
		drv->flush(&desc.unit[i]);
	pt_reclaim(&guest_dom); /* the units flushed: no walk holds what the maps merged */
	in_capture = false;
	spin_unlock(&dom_lock);
	if (!ret)
		pr_info("DMA isolation: guest mode again, devices may write guest RAM");
	return ret;
}

int iommu_seal(u64 start, u64 end, enum iommu_seal how)
{
	int ret = 0;

	if (!active)
		return 0;
	spin_lock(&dom_lock);
	if (in_capture) { /* the crash came first: the capture domain is not the seal's */
		spin_unlock(&dom_lock);
		return 0;
	}
	/* The crashed kernel's memory above 1 MiB is evidence now, as in capture mode. */
	if (how == IOMMU_KEXEC)
		for (unsigned int i = 0; !ret && i < hv.guest_map.nr; i++) {
			const struct e820_entry *e = &hv.guest_map.e[i];
			u64 a = MAX(ALIGN_UP(e->addr, PAGE_SIZE), 1 * MiB);
			u64 b = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);

			if (e->type == E820_RAM && a < b)
				ret = pt_map(&guest_dom, a, a, b - a, PT_READ);
		}
	if (!ret)
		ret = pt_map(&guest_dom, start, start, end - start,
			     how == IOMMU_SEALED ? PT_READ : PT_READ | PT_WRITE);
	for (unsigned int i = 0; i < desc.nr_units; i++)
		drv->flush(&desc.unit[i]);
	pt_reclaim(&guest_dom);
	spin_unlock(&dom_lock);
	return ret;
}

/* At most every millisecond from the exit path; always when forced. */
static void poll_units(bool force)
{
	u64 now;

	if (!active)
		return;
	now = arch_timestamp_us();
	if (!force && now - last_poll_us < 1000)
		return;
	if (!spin_trylock(&poll_lock))
		return;
	last_poll_us = now;
	for (unsigned int i = 0; i < desc.nr_units; i++)
		drv->poll(&desc.unit[i]);
	spin_unlock(&poll_lock);
}

void iommu_poll(void)
{
	poll_units(true);
}

void iommu_poll_lazy(void)
{
	poll_units(false);
}

volatile void *iommu_pci_cfg(u16 bdf)
{
	return ecam ? phys_to_virt(ecam + ((u64)bdf << 12)) : NULL;
}

/* The last PARACHUTE_DMA_FAULTS_MAX blocked DMAs, under poll_lock. */
static struct parachute_dma_fault ring[PARACHUTE_DMA_FAULTS_MAX];
static u64 ring_total;

void iommu_report(unsigned int iommu, u16 sid, u64 addr, bool write, u8 reason, const char *why)
{
	u8 target = addr - hv.capture_base < hv.capture_size ? PARACHUTE_DMA_TO_CAPTURE :
		    hv_is_hidden(addr, 1)		       ? PARACHUTE_DMA_TO_HV :
							 PARACHUTE_DMA_TO_GUEST;
	static const char *const to[] = { [PARACHUTE_DMA_TO_GUEST] = "",
					  [PARACHUTE_DMA_TO_CAPTURE] = ", the capture region",
					  [PARACHUTE_DMA_TO_HV] = ", hv memory" };

	ring[ring_total++ % PARACHUTE_DMA_FAULTS_MAX] = (struct parachute_dma_fault){
		.tsc = arch_timestamp() - hv.start_tsc,
		.addr = addr,
		.source = sid,
		.write = write,
		.iommu = (u8)iommu,
		.domain = in_capture ? PARACHUTE_DMA_CAPTURE : PARACHUTE_DMA_GUEST,
		.target = target,
		.reason = reason,
	};
	if (!log_ratelimit(&fault_lines))
		return; /* in the ring, which DMA_FAULTS and the capture log read */
	pr_warn("%s: DMA fault: device %02x:%02x.%u %s at 0x%llx blocked (%s)%s",
		iommu == PARACHUTE_DMA_VTD ? "VT-d" : "AMD-Vi", sid >> 8, (sid >> 3) & 0x1f,
		sid & 7, write ? "write" : "read", (unsigned long long)addr, why,
		target == PARACHUTE_DMA_TO_GUEST && in_capture ? ", crashed guest memory" :
								  to[target]);
}

unsigned int arch_dma_faults(struct parachute_dma_fault *out, unsigned int max, u64 *total)
{
	unsigned int n;

	spin_lock(&poll_lock);
	*total = ring_total;
	n = (unsigned int)MIN(MIN(ring_total, (u64)PARACHUTE_DMA_FAULTS_MAX), (u64)max);
	for (unsigned int i = 0; i < n; i++)
		out[i] = ring[(ring_total - n + i) % PARACHUTE_DMA_FAULTS_MAX];
	spin_unlock(&poll_lock);
	return n;
}

bool arch_dma_isolated(void)
{
	return active;
}

void arch_dma_poll(void)
{
	iommu_poll();
}

void arch_dma_capture_mode(void)
{
	iommu_capture_mode();
}
