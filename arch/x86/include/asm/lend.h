/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory lent to the capture kernel at the crash (arch/x86/lend.c): the
 * crashed kernel's free blocks, found through VMCOREINFO, given to the
 * capture kernel as RAM and left out of the vmcore.
 */
#ifndef ASM_LEND_H
#define ASM_LEND_H

#include <asm/percpu.h>
#include <hv/memmap.h>
#include <hv/types.h>

/* What a search found, for the log. */
struct lend_report {
	u64 bytes;	   /* lent, in 2 MiB-aligned runs */
	u64 cache;	   /* of which chunks of page cache and user pages (and free pages) */
	unsigned int runs; /* how many runs */
	u64 us;		   /* the search's time */
	bool cut;	   /* stopped by its time budget or the run limit */
};

/**
 * lend_find() - at the crash, before the vmcore is described: up to
 * capture_lend= bytes of the crashed kernel's free blocks of 2 MiB or more,
 * then of 2 MiB chunks of pages the dump level drops (free, page cache,
 * user) (paging: a vCPU state whose tables map the kernel; vi: its
 * VMCOREINFO), where dump_level= drops free pages. Returns NULL when something was
 * found, else why nothing was (nothing is lent then).
 */
const char *lend_find(const struct x86_cpu_state *paging, const char *vi, u32 vi_len,
		      struct lend_report *rep);

/** lend_runs() - the runs lend_find() found, by address; returns how many. */
unsigned int lend_runs(const struct phys_range **runs);

/**
 * lend_apply() - at the hand-over: the runs become the capture kernel's RAM
 * (e820 gets them), writable in its nested tables and, for its devices, in
 * the capture DMA domain. Returns 0 or a negative errno.
 */
int lend_apply(struct memmap *e820);

/** lend_return() - before a restart: the runs are the guest's evidence again. */
int lend_return(void);

#endif /* ASM_LEND_H */
