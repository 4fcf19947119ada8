// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD-Vi DMA remapping (AMD IOMMU spec 48882): a device table for all 65536
 * requester IDs, every entry naming domain 1 and its I/O page table; a
 * command buffer for invalidation; an event log read by polling.
 */
#include <asm/iommu.h>
#include <hv/arch.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* MMIO registers (48882, 3.4). */
#define AMDVI_DEV_TABLE 0x0000
#define AMDVI_CMD_BASE	0x0008
#define AMDVI_EVT_BASE	0x0010
#define AMDVI_CONTROL	0x0018
#define AMDVI_EXT_FEAT	0x0030
#define AMDVI_CMD_HEAD	0x2000
#define AMDVI_CMD_TAIL	0x2008
#define AMDVI_EVT_HEAD	0x2010
#define AMDVI_EVT_TAIL	0x2018
#define AMDVI_STATUS	0x2020

#define CTRL_IOMMU_EN	(1ull << 0)
#define CTRL_EVT_LOG_EN (1ull << 2)
#define CTRL_CMD_BUF_EN (1ull << 12)
#define STATUS_EVT_OVF	(1ull << 0)

#define DEV_TABLE_ENTRIES 65536
#define DEV_TABLE_BYTES	  (DEV_TABLE_ENTRIES * 32)
#define RING_ENTRIES	  256 /* 4 KiB of 16-byte entries; length field log2 = 8 */
#define RING_LEN_FIELD	  (8ull << 56)

/* Device table entry, first qword (48882, 2.2.2.1). */
#define DTE_V	     (1ull << 0)
#define DTE_TV	     (1ull << 1)
#define DTE_MODE(l)  ((u64)(l) << 9)
#define DTE_IR	     (1ull << 61)
#define DTE_IW	     (1ull << 62)
#define AMDVI_DOMAIN 1

#define CMD_COMPLETION_WAIT  0x1
#define CMD_INVAL_DEVTAB     0x2
#define CMD_INVAL_PAGES	     0x3
#define CMD_INVAL_ALL	     0x8
#define EFR_IA_SUP	     (1ull << 6) /* INVALIDATE_IOMMU_ALL supported */
#define EVT_IO_PAGE_FAULT    0x2
#define EVT_DEV_TAB_HW_ERROR 0x3
#define EVT_PAGE_TAB_HW_ERR  0x4
#define EVT_ILLEGAL_DEV_TAB  0x1
#define EVT_ILLEGAL_CMD	     0x5
#define EVT_FLAG_RW	     (1u << 5) /* in the flags field: a write */

#define WAIT_US 100000

struct amdvi_ring {
	u32 *buf;
	u32 tail; /* bytes */
};

static u64 *dev_table;
static struct amdvi_ring cmd[IOMMU_MAX_UNITS], evt[IOMMU_MAX_UNITS];
static volatile u64 *wait_sem;
static u64 wait_seq;

#define PCI_STATUS		    0x06
#define PCI_STATUS_SIG_TARGET_ABORT (1u << 11)

static int amdvi_probe(struct iommu_unit *u, unsigned int *levels, unsigned int *max_leaf)
{
	u64 ctrl = unit_read64(u, AMDVI_CONTROL), efr = unit_read64(u, AMDVI_EXT_FEAT);

	if (ctrl == ~0ull) {
		pr_err("AMD-Vi unit at 0x%llx: registers read all-ones: no IOMMU there",
		       (unsigned long long)u->base);
		return -ENODEV;
	}
	*levels = 4;
	*max_leaf = 2;
	pr_info("AMD-Vi unit at 0x%llx: device %02x:%02x.%u, extended features 0x%llx",
		(unsigned long long)u->base, u->devid >> 8, (u->devid >> 3) & 0x1f, u->devid & 7,
		(unsigned long long)efr);
	return 0;
}

static bool cmd_submit(struct iommu_unit *u, const u32 c[4])
{
	struct amdvi_ring *r = &cmd[u->idx];
	u32 next = (r->tail + 16) % (RING_ENTRIES * 16);
	u64 t0 = arch_timestamp_us();

	/* Full when the tail would meet the head. */
	while ((u32)unit_read64(u, AMDVI_CMD_HEAD) == next)
		if (arch_timestamp_us() - t0 > WAIT_US)
			return false;
	memcpy((u8 *)r->buf + r->tail, c, 16);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->tail = next;
	unit_write64(u, AMDVI_CMD_TAIL, next);
	return true;
}

/* COMPLETION_WAIT with a store: everything queued before it has finished. */
static bool cmd_sync(struct iommu_unit *u)
{
	u64 pa = virt_to_phys((const void *)wait_sem), seq = ++wait_seq, t0;
	u32 c[4] = { (u32)(pa & 0xfffffff8u) | 1,
		     (u32)((pa >> 32) & 0xfffff) | CMD_COMPLETION_WAIT << 28, (u32)seq,
		     (u32)(seq >> 32) };

	if (!cmd_submit(u, c))
		return false;
	t0 = arch_timestamp_us();
	while (*wait_sem != seq)
		if (arch_timestamp_us() - t0 > WAIT_US)
			return false;
	return true;
}

/* INVALIDATE_IOMMU_PAGES for the whole of domain 1 (S = 1, all-ones address). */
static bool inval_domain(struct iommu_unit *u)
{
	u32 c[4] = { 0, AMDVI_DOMAIN | CMD_INVAL_PAGES << 28, 0xfffff000u | 3, 0x7fffffffu };

	return cmd_submit(u, c);
}

static int amdvi_enable(struct iommu_unit *u, u64 hw_root, unsigned int levels)
{
	u64 ctrl = unit_read64(u, AMDVI_CONTROL);
	bool ok = true;

	/* Shared by every unit: all requesters go to domain 1. */
	if (!dev_table) {
		dev_table = page_alloc(DEV_TABLE_BYTES / PAGE_SIZE);
		wait_sem = page_alloc(1);
		if (!dev_table || !wait_sem)
			return -ENOMEM;
		for (unsigned int i = 0; i < DEV_TABLE_ENTRIES; i++) {
			dev_table[i * 4] =
				hw_root | DTE_V | DTE_TV | DTE_MODE(levels) | DTE_IR | DTE_IW;
			dev_table[i * 4 + 1] = AMDVI_DOMAIN;
		}
	}
	cmd[u->idx].buf = page_alloc(1);
	evt[u->idx].buf = page_alloc(1);
	if (!cmd[u->idx].buf || !evt[u->idx].buf)
		return -ENOMEM;
	if (ctrl & CTRL_IOMMU_EN) {
		pr_warn("AMD-Vi unit at 0x%llx was left on (control 0x%llx): switching it off first",
			(unsigned long long)u->base, (unsigned long long)ctrl);
		unit_write64(u, AMDVI_CONTROL, 0);
	}
	unit_write64(u, AMDVI_DEV_TABLE,
		     virt_to_phys(dev_table) | (DEV_TABLE_BYTES / PAGE_SIZE - 1));
	unit_write64(u, AMDVI_CMD_BASE, virt_to_phys(cmd[u->idx].buf) | RING_LEN_FIELD);
	unit_write64(u, AMDVI_EVT_BASE, virt_to_phys(evt[u->idx].buf) | RING_LEN_FIELD);
	unit_write64(u, AMDVI_CMD_HEAD, 0);
	unit_write64(u, AMDVI_CMD_TAIL, 0);
	unit_write64(u, AMDVI_EVT_HEAD, 0);
	unit_write64(u, AMDVI_EVT_TAIL, 0);
	cmd[u->idx].tail = 0;
	unit_write64(u, AMDVI_CONTROL, CTRL_IOMMU_EN | CTRL_EVT_LOG_EN | CTRL_CMD_BUF_EN);
	/* Drop anything cached from before: all of it, else every device table entry. */
	if (unit_read64(u, AMDVI_EXT_FEAT) & EFR_IA_SUP) {
		u32 c[4] = { 0, CMD_INVAL_ALL << 28, 0, 0 };

		ok = cmd_submit(u, c);
	} else {
		for (u32 id = 0; ok && id < DEV_TABLE_ENTRIES; id++) {
			u32 c[4] = { id, CMD_INVAL_DEVTAB << 28, 0, 0 };

			ok = cmd_submit(u, c);
		}
	}
	if (!ok || !inval_domain(u) || !cmd_sync(u)) {
		pr_err("AMD-Vi unit at 0x%llx: the command buffer did not complete",
		       (unsigned long long)u->base);
		return -EIO;
	}
	return 0;
}

static void amdvi_flush(struct iommu_unit *u)
{
	if (!inval_domain(u) || !cmd_sync(u))
		pr_err("AMD-Vi unit at 0x%llx: invalidation timed out",
		       (unsigned long long)u->base);
}

/*
 * An IOMMU that blocks a request without logging it (QEMU 7.2's never writes
 * its event log) still signals a target abort in its PCI status register.
 */
static u64 unlogged_aborts, other_events; /* lines a guest's device can repeat: rate-limited */

static void blocked_without_event(struct iommu_unit *u, bool reported)
{
	volatile u16 *status = iommu_pci_cfg(u->devid);

	if (!status)
		return;
	status += PCI_STATUS / 2;
	if (!(*status & PCI_STATUS_SIG_TARGET_ABORT))
		return;
	*status = PCI_STATUS_SIG_TARGET_ABORT; /* write 1 to clear */
	if (!reported && log_ratelimit(&unlogged_aborts))
		pr_warn("AMD-Vi: a DMA was blocked (signalled target abort); the IOMMU logged no event naming the device and address");
}

static void amdvi_poll(struct iommu_unit *u)
{
	u32 head = (u32)unit_read64(u, AMDVI_EVT_HEAD), tail = (u32)unit_read64(u, AMDVI_EVT_TAIL);
	u64 status = unit_read64(u, AMDVI_STATUS);
	char why[48];
	bool reported = false;

	while (head != tail && evt[u->idx].buf) {
		const u32 *e = (const u32 *)((const u8 *)evt[u->idx].buf + head);
		u32 code = e[1] >> 28, flags = (e[1] >> 16) & 0xfff;
		u64 addr = e[2] | (u64)e[3] << 32;

		if (code == EVT_IO_PAGE_FAULT) {
			snprintf_hv(why, sizeof(why), "AMD-Vi I/O page fault, domain %u",
				    e[1] & 0xffff);
			iommu_report(PARACHUTE_DMA_AMDVI, (u16)e[0], addr, flags & EVT_FLAG_RW, 0,
				     why);
			reported = true;
		} else if (log_ratelimit(&other_events)) {
			pr_warn("AMD-Vi: event 0x%x from device %02x:%02x.%u, address 0x%llx", code,
				(e[0] >> 8) & 0xff, (e[0] >> 3) & 0x1f, e[0] & 7,
				(unsigned long long)addr);
		}
		head = (head + 16) % (RING_ENTRIES * 16);
	}
	unit_write64(u, AMDVI_EVT_HEAD, head);
	blocked_without_event(u, reported);
	if (status & STATUS_EVT_OVF) {
		pr_warn("AMD-Vi unit at 0x%llx: the event log overflowed; some faults were lost",
			(unsigned long long)u->base);
		unit_write64(u, AMDVI_STATUS, STATUS_EVT_OVF);
	}
}

const struct iommu_driver amdvi_driver = {
	.name = "AMD-Vi",
	.fmt = &pt_amdvi,
	.probe = amdvi_probe,
	.enable = amdvi_enable,
	.flush = amdvi_flush,
	.poll = amdvi_poll,
};
