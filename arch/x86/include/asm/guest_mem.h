/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest-physical address spaces (nested page tables), identity maps of
 * everything except the hidden ranges:
 *  - the guest's: hidden pages (hv image, heap, capture region) read as
 *    all-ones through one read-only page;
 *  - capture mode, for the capture kernel: the capture region and low memory
 *    are writable, the crashed guest's RAM is read-only evidence, the hv's own
 *    ranges stay all-ones.
 *  - the park guest's, where a CPU without a running vCPU waits: one page
 *    at 0 holding "hlt; jmp back", nothing else.
 * A write to a page the space does not let the guest write is stepped over
 * with a private scratch page mapped in its place, so it lands nowhere.
 */
#ifndef ASM_GUEST_MEM_H
#define ASM_GUEST_MEM_H

#include <asm/paging.h>

enum gpm_mode { GPM_GUEST, GPM_CAPTURE, GPM_PARK };

struct gpm {
	struct pt_root pt;
	enum gpm_mode mode;
	/*
	 * Bumped after a change that vCPUs may hold in their TLBs: each flushes
	 * before it next enters the space with another generation than it saw.
	 */
	volatile u32 gen;
	unsigned int mmio_tables; /* table pages gpm_map_mmio() has added */
	unsigned int built_tables; /* table pages when it was built */
	u32 retire_gen;		   /* the generation that frees the retired tables (gpm_reclaim()) */
};

extern struct gpm guest_gpm, capture_gpm, park_gpm;

/** gpm_build() - build space g in mode with format fmt, leaves up to max_leaf. */
int gpm_build(struct gpm *g, enum gpm_mode mode, const struct pt_format *fmt,
	      unsigned int max_leaf);

/** gpm_limit() - end of the guest-physical space mapped from the start. */
u64 gpm_limit(void);

/**
 * gpm_is_ram() - true if [pa, pa + n) is RAM the vCPU in space g owns: guest
 * RAM, and in capture mode the capture region too; never the hv's own ranges.
 */
bool gpm_is_ram(const struct gpm *g, u64 pa, u64 n);

/** gpm_read() - copy n bytes of the RAM space g owns at pa (gpm_is_ram()), or -EFAULT. */
int gpm_read(const struct gpm *g, u64 pa, void *buf, unsigned int n);

/** gpm_write_protected() - true if g maps gpa but refuses guest writes to it. */
bool gpm_write_protected(const struct gpm *g, u64 gpa);

#define GPM_LENT_MAX 32 /* runs of crashed-guest RAM lent to the capture kernel, at most */

/**
 * gpm_capture_lend() - [start, end), RAM of the crashed guest above 1 MiB,
 * becomes the capture kernel's: writable in capture mode, no longer
 * evidence. Returns 0, -EINVAL (not such RAM, or the runs are full) or
 * -ENOMEM.
 */
int gpm_capture_lend(u64 start, u64 end);

/** gpm_capture_unlend() - every lent run read-only evidence again (before a restart). */
int gpm_capture_unlend(void);

/** gpm_capture_lent() - true if [pa, pa + len) lies in one lent run. */
bool gpm_capture_lent(u64 pa, u64 len);

/**
 * gpm_overlay() - before any space is built: the guest-physical page gpa
 * reads as the hv's page at pa, read-only, in the guest's space and in
 * capture mode (a firmware page the guest must see with an addition).
 * Returns 0, or -ENOSPC.
 */
int gpm_overlay(u64 gpa, u64 pa);

/**
 * gpm_map_mmio() - map the GiB around gpa, which lies above what g maps from
 * the start and below the CPU's physical address width (64-bit BARs), on the
 * guest's first access there. Each space may add GPM_MMIO_TABLES table pages
 * this way, so that a guest touching every GiB cannot empty the hv's heap
 * (nor take what the capture kernel's space needs). Returns 0, -EFAULT for
 * an address outside that range, or -ENOMEM past the budget (logged).
 */
#define GPM_MMIO_TABLES 64
int gpm_map_mmio(struct gpm *g, u64 gpa);

/**
 * gpm_redirect() - point the page at gpa to the writable scratch page
 * (scratch = true), or back to what g maps there, refilling the scratch and
 * mapping its 2 MiB with one leaf again where build and seal left it
 * uniform (the table the redirect split off is retired). A guest's writes
 * split at most GPM_SPLIT_TABLES table pages that are not given back yet:
 * past that, -ENOMEM until gpm_reclaim() frees some.
 */
#define GPM_SPLIT_TABLES 64
int gpm_redirect(struct gpm *g, u64 gpa, bool scratch);

/**
 * gpm_reclaim() - free the table pages g's merges retired, once every vCPU
 * running in g has flushed since (taken the generation that retired them).
 * Returns how many were freed.
 */
unsigned int gpm_reclaim(struct gpm *g);

/**
 * gpm_seal() - in the guest's space, make [start, end) of its RAM read-only
 * and not executable (a write is stepped over like one to hidden memory),
 * or with start == end give the sealed range back, writable and executable.
 * The vCPUs flush before their next entry. Returns 0 or -ENOMEM.
 */
int gpm_seal(u64 start, u64 end);

/** gpm_sealed() - true if gpa lies in the guest's sealed range. */
bool gpm_sealed(u64 gpa);

#endif /* ASM_GUEST_MEM_H */
