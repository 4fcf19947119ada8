/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DMA isolation: the hv takes the platform's IOMMUs (Intel VT-d or AMD-Vi)
 * before the guest starts and confines every device to one address space:
 *  - guest mode: guest RAM identity-mapped, the hv and the capture region
 *    absent;
 *  - capture mode (from the crash election on): the capture region and low
 *    memory writable, the crashed guest's RAM read-only, so stray DMA cannot
 *    change the evidence or the capture kernel.
 * The guest never sees DMAR or IVRS, and the register pages read as all-ones.
 */
#ifndef ASM_IOMMU_H
#define ASM_IOMMU_H

#include <asm/paging.h>
#include <asm/processor.h>
#include <hv/memmap.h>
#include <hv/types.h>
#include <parachute/abi.h>

#define IOMMU_MAX_UNITS 8
#define IOMMU_MAX_UNITY 8

enum iommu_kind { IOMMU_NONE, IOMMU_VTD, IOMMU_AMDVI };

struct iommu_unit {
	u64 base;	  /* register block (host physical) */
	u64 size;	  /* bytes of registers */
	u16 segment;	  /* PCI segment */
	u16 devid;	  /* AMD-Vi: the IOMMU's own requester ID */
	bool all;	  /* VT-d INCLUDE_PCI_ALL */
	unsigned int idx; /* position in iommu_acpi.unit[] */
};

/* What the firmware's DMAR or IVRS describes. */
struct iommu_acpi {
	enum iommu_kind kind;
	unsigned int nr_units;
	struct iommu_unit unit[IOMMU_MAX_UNITS];
	unsigned int nr_unity; /* RMRR / IVMD: ranges devices must keep reaching */
	struct phys_range unity[IOMMU_MAX_UNITY];
	u8 addr_width; /* DMAR host address width in bits; 0 for IVRS */
};

/**
 * dmar_parse() - read a checksummed DMAR table of len bytes (VT-d 3.4, 8.1)
 * into out. Returns 0, or -EINVAL with a message naming the problem in err.
 */
int dmar_parse(const u8 *t, u32 len, struct iommu_acpi *out, char *err, size_t errlen);

/** ivrs_parse() - the same for an IVRS table (AMD IOMMU spec 48882, 5.2). */
int ivrs_parse(const u8 *t, u32 len, struct iommu_acpi *out, char *err, size_t errlen);

/**
 * iommu_init() - find DMAR or IVRS from the RSDP at rsdp, hide the register
 * pages, build both domains and switch every unit on in guest mode. Applies
 * the iommu= policy: with none found (or a malformed table) it warns and
 * returns 0, or refuses with -ENODEV under iommu=required.
 */
int iommu_init(u64 rsdp);

/** iommu_active() - true once every unit confines DMA. */
bool iommu_active(void);

/** iommu_capture_mode() - switch every unit to the capture-mode tables. */
void iommu_capture_mode(void);

/**
 * iommu_capture_lend() - [start, end) of the crashed guest's RAM, lent to the
 * capture kernel, becomes device-writable in the capture-mode tables (lend),
 * or read-only evidence again (!lend, before a restart). Returns 0 or -ENOMEM.
 */
int iommu_capture_lend(u64 start, u64 end, bool lend);

/**
 * iommu_guest_mode() - back from capture mode for a restart: the guest
 * domain's tables again, guest RAM writable to devices again (a seal of the
 * kexec region lifted too). 0 or the error of a table update.
 */
int iommu_guest_mode(void);

/** iommu_poll() - report (and clear) recorded DMA faults on the console. */
void iommu_poll(void);

/** iommu_poll_lazy() - iommu_poll(), at most once a millisecond (the exit path). */
void iommu_poll_lazy(void);

/* What a vendor driver offers the common code (iommu.c). */
struct iommu_driver {
	const char *name;
	const struct pt_format *fmt;
	/* Check the unit; *levels and *max_leaf get what it supports. */
	int (*probe)(struct iommu_unit *u, unsigned int *levels, unsigned int *max_leaf);
	/* Point every requester at the table hw_root (levels deep) and enable. */
	int (*enable)(struct iommu_unit *u, u64 hw_root, unsigned int levels);
	/* Translations for the one domain changed: drop cached ones, wait. */
	void (*flush)(struct iommu_unit *u);
	void (*poll)(struct iommu_unit *u);
};

extern const struct iommu_driver vtd_driver, amdvi_driver;

/** iommu_pci_cfg() - the configuration space of bus:dev.fn (segment 0), or NULL. */
volatile void *iommu_pci_cfg(u16 bdf);

/* A unit's registers (the hv's page tables map MMIO identity, uncached). */
static inline u32 unit_read32(const struct iommu_unit *u, u32 off)
{
	return mmio_read32(u->base + off);
}

static inline u64 unit_read64(const struct iommu_unit *u, u32 off)
{
	return mmio_read64(u->base + off);
}

static inline void unit_write32(const struct iommu_unit *u, u32 off, u32 v)
{
	mmio_write32(u->base + off, v);
}

static inline void unit_write64(const struct iommu_unit *u, u32 off, u64 v)
{
	mmio_write64(u->base + off, v);
}

/* What devices may do with a sealed kexec region (seal.c). */
enum iommu_seal {
	IOMMU_SEALED,	/* read it only */
	IOMMU_UNSEALED, /* the guest's RAM again */
	IOMMU_KEXEC,	/* kdump runs: write it and low memory, the rest of guest RAM read-only */
};

/**
 * iommu_seal() - apply how to [start, end) of guest RAM in the guest's DMA
 * domain and flush the units. Nothing without DMA isolation or once a
 * capture began. Returns 0 or -ENOMEM.
 */
int iommu_seal(u64 start, u64 end, enum iommu_seal how);

/**
 * iommu_report() - one blocked DMA, the same for both vendors: a console
 * line and a record in the ring PARACHUTE_HC_DMA_FAULTS reads. iommu is
 * PARACHUTE_DMA_VTD or _AMDVI, reason the VT-d fault reason (0 for AMD-Vi).
 */
void iommu_report(unsigned int iommu, u16 sid, u64 addr, bool write, u8 reason, const char *why);

#endif /* ASM_IOMMU_H */
