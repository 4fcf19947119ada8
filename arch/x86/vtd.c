// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-d DMA remapping (VT-d 3.4): one root table whose 256 buses share
 * one context table whose 256 devfns all name domain 1 and its second-level
 * table. Register-based invalidation; faults are read from the fault
 * recording registers by polling (the fault event interrupt stays masked).
 */
#include <asm/iommu.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* Register offsets (VT-d 3.4, 11.4). */
#define VTD_CAP	   0x08
#define VTD_ECAP   0x10
#define VTD_GCMD   0x18
#define VTD_GSTS   0x1c
#define VTD_RTADDR 0x20
#define VTD_CCMD   0x28
#define VTD_FSTS   0x34
#define VTD_FECTL  0x38

#define CAP_ND(c)    ((c)&7)
#define CAP_RWBF     (1ull << 4)
#define CAP_SAGAW(c) (((c) >> 8) & 0x1f)
#define CAP_MGAW(c)  ((unsigned int)(((c) >> 16) & 0x3f) + 1)
#define CAP_FRO(c)   ((unsigned int)(((c) >> 24) & 0x3ff) * 16)
#define CAP_SLLPS(c) (((c) >> 34) & 0xf)
#define CAP_NFR(c)   ((unsigned int)(((c) >> 40) & 0xff) + 1)
#define ECAP_C	     (1ull << 0)
#define ECAP_IRO(e)  ((unsigned int)(((e) >> 8) & 0x3ff) * 16)

#define GCMD_TE		(1u << 31)
#define GCMD_SRTP	(1u << 30)
#define GCMD_WBF	(1u << 27)
#define GCMD_QIE	(1u << 26)
#define GCMD_IRE	(1u << 25)
#define GSTS_TES	(1u << 31)
#define GSTS_RTPS	(1u << 30)
#define GSTS_WBFS	(1u << 27)
#define GSTS_PERSISTENT 0x96ffffffu /* GSTS less the one-shot commands (SRTP, SFL, WBF, SIRTP) */

#define CCMD_ICC     (1ull << 63)
#define CCMD_GLOBAL  (1ull << 61)
#define IOTLB_IVT    (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DR     (1ull << 49)
#define IOTLB_DW     (1ull << 48)

#define FSTS_PFO    (1u << 0)
#define FSTS_PPF    (1u << 1)
#define FECTL_IM    (1u << 31)
#define FRCD_F	    (1ull << 63) /* in the high qword */
#define FRCD_T_READ (1ull << 62)

#define CTX_AW_39  1
#define CTX_AW_48  2
#define VTD_DOMAIN 1 /* 0 is reserved when the unit caches invalid entries (CM) */

#define WAIT_US 100000

struct vtd_entry {
	u64 lo, hi;
};

static struct vtd_entry *root_table, *context_table;

/* Wait until (reg & mask) == want; false after WAIT_US. */
static bool wait32(const struct iommu_unit *u, u32 off, u32 mask, u32 want)
{
	u64 t0 = arch_timestamp_us();

	while ((unit_read32(u, off) & mask) != want)
		if (arch_timestamp_us() - t0 > WAIT_US)
			return false;
	return true;
}

static bool wait64_clear(const struct iommu_unit *u, u32 off, u64 bit)
{
	u64 t0 = arch_timestamp_us();

	while (unit_read64(u, off) & bit)
		if (arch_timestamp_us() - t0 > WAIT_US)
			return false;
	return true;
}

/* One-shot or persistent command: GCMD takes the persistent bits plus cmd. */
static bool gcmd(const struct iommu_unit *u, u32 cmd, u32 status, bool set)
{
	u32 persistent = unit_read32(u, VTD_GSTS) & GSTS_PERSISTENT;

	unit_write32(u, VTD_GCMD, set ? persistent | cmd : persistent & ~cmd);
	return wait32(u, VTD_GSTS, status, set ? status : 0);
}

static int vtd_probe(struct iommu_unit *u, unsigned int *levels, unsigned int *max_leaf)
{
	u64 cap = unit_read64(u, VTD_CAP), ecap = unit_read64(u, VTD_ECAP);
	u32 ver = unit_read32(u, 0);

	if (cap == ~0ull || !cap) {
		pr_err("VT-d unit at 0x%llx: capability register reads 0x%llx: no unit there",
		       (unsigned long long)u->base, (unsigned long long)cap);
		return -ENODEV;
	}
	if (CAP_SAGAW(cap) & (1u << 2))
		*levels = 4;
	else if (CAP_SAGAW(cap) & (1u << 1))
		*levels = 3;
	else {
		pr_err("VT-d unit at 0x%llx: supports neither 3- nor 4-level tables (SAGAW 0x%llx)",
		       (unsigned long long)u->base, (unsigned long long)CAP_SAGAW(cap));
		return -ENODEV;
	}
	*max_leaf = (CAP_SLLPS(cap) & 2) ? 3 : (CAP_SLLPS(cap) & 1) ? 2 : 1;
	pr_info("VT-d unit at 0x%llx: version %u.%u, %u-bit guest addresses, %u-level tables, %u fault records, %s",
		(unsigned long long)u->base, (ver >> 4) & 0xf, ver & 0xf, CAP_MGAW(cap), *levels,
		CAP_NFR(cap), (ecap & ECAP_C) ? "coherent" : "non-coherent walks");
	return 0;
}

static void flush_writes(const struct iommu_unit *u)
{
	u64 ecap = unit_read64(u, VTD_ECAP);

	/* Non-coherent units read the tables from memory: write back the caches. */
	if (!(ecap & ECAP_C))
		asm volatile("wbinvd" ::: "memory");
	if (unit_read64(u, VTD_CAP) & CAP_RWBF)
		gcmd(u, GCMD_WBF, GSTS_WBFS, false);
}

static bool invalidate(const struct iommu_unit *u)
{
	u32 iotlb = ECAP_IRO(unit_read64(u, VTD_ECAP)) + 8;

	flush_writes(u);
	unit_write64(u, VTD_CCMD, CCMD_ICC | CCMD_GLOBAL);
	if (!wait64_clear(u, VTD_CCMD, CCMD_ICC))
		return false;
	unit_write64(u, iotlb, IOTLB_IVT | IOTLB_GLOBAL | IOTLB_DR | IOTLB_DW);
	return wait64_clear(u, iotlb, IOTLB_IVT);
}

static int vtd_enable(struct iommu_unit *u, u64 hw_root, unsigned int levels)
{
	u32 gsts = unit_read32(u, VTD_GSTS);

	/* Shared by every unit: all requesters go to domain 1. */
	if (!root_table) {
		root_table = page_alloc(1);
		context_table = page_alloc(1);
		if (!root_table || !context_table)
			return -ENOMEM;
		for (unsigned int i = 0; i < 256; i++) {
			root_table[i].lo = virt_to_phys(context_table) | 1;
			context_table[i].lo = hw_root | 1; /* present, TT 00: untranslated only */
			context_table[i].hi =
				(levels == 4 ? CTX_AW_48 : CTX_AW_39) | ((u64)VTD_DOMAIN << 8);
		}
	}
	/* What firmware or an earlier kernel left on goes off first. */
	if (gsts & (GSTS_TES | GCMD_QIE | GCMD_IRE)) {
		pr_warn("VT-d unit at 0x%llx was left on (status 0x%x): switching it off first",
			(unsigned long long)u->base, gsts);
		if (!gcmd(u, GCMD_TE | GCMD_QIE | GCMD_IRE, GSTS_TES | GCMD_QIE | GCMD_IRE, false))
			return -EIO;
	}
	unit_write32(u, VTD_FECTL, FECTL_IM);
	unit_write64(u, VTD_RTADDR, virt_to_phys(root_table)); /* TTM 00: legacy tables */
	flush_writes(u);
	if (!gcmd(u, GCMD_SRTP, GSTS_RTPS, true) || !invalidate(u)) {
		pr_err("VT-d unit at 0x%llx: root table or invalidation did not complete",
		       (unsigned long long)u->base);
		return -EIO;
	}
	unit_write32(u, VTD_FSTS, FSTS_PFO | FSTS_PPF);
	if (!gcmd(u, GCMD_TE, GSTS_TES, true)) {
		pr_err("VT-d unit at 0x%llx: translation did not enable",
		       (unsigned long long)u->base);
		return -EIO;
	}
	return 0;
}

static void vtd_flush(struct iommu_unit *u)
{
	if (!invalidate(u))
		pr_err("VT-d unit at 0x%llx: invalidation timed out", (unsigned long long)u->base);
}

static const char *reason(unsigned int fr)
{
	switch (fr) {
	case 0x1:
		return "root entry not present";
	case 0x2:
		return "context entry not present";
	case 0x3:
		return "invalid context entry";
	case 0x4:
		return "address beyond the guest address width";
	case 0x5:
		return "no write permission";
	case 0x6:
		return "no read permission";
	case 0x7:
		return "table entry unreadable";
	default:
		return "fault reason not decoded";
	}
}

static void vtd_poll(struct iommu_unit *u)
{
	u64 cap = unit_read64(u, VTD_CAP);
	u32 fsts = unit_read32(u, VTD_FSTS);
	char why[64];

	if (fsts == ~0u || !(fsts & (FSTS_PPF | FSTS_PFO)))
		return;
	for (unsigned int i = 0; i < CAP_NFR(cap); i++) {
		u32 off = CAP_FRO(cap) + i * 16;
		u64 hi = unit_read64(u, off + 8), lo;

		if (!(hi & FRCD_F))
			continue;
		lo = unit_read64(u, off);
		snprintf_hv(why, sizeof(why), "VT-d reason 0x%x, %s",
			    (unsigned int)(hi >> 32) & 0xff, reason((hi >> 32) & 0xff));
		iommu_report(PARACHUTE_DMA_VTD, (u16)hi, lo & ~0xfffull, !(hi & FRCD_T_READ),
			     (u8)(hi >> 32), why);
		unit_write64(u, off + 8, FRCD_F); /* write 1 to clear */
	}
	if (fsts & FSTS_PFO)
		pr_warn("VT-d unit at 0x%llx: fault records overflowed; some faults were not recorded",
			(unsigned long long)u->base);
	unit_write32(u, VTD_FSTS, FSTS_PFO | FSTS_PPF);
}

const struct iommu_driver vtd_driver = {
	.name = "Intel VT-d",
	.fmt = &pt_vtd_sl,
	.probe = vtd_probe,
	.enable = vtd_enable,
	.flush = vtd_flush,
	.poll = vtd_poll,
};
