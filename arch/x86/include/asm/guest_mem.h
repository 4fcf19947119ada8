/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest-physical address space: an identity map of everything except the
 * hidden ranges (hv image, heap, capture region). Hidden pages read as
 * all-ones through one read-only page; a write to one is stepped over with a
 * private scratch page mapped in its place, so it lands nowhere.
 */
#ifndef ASM_GUEST_MEM_H
#define ASM_GUEST_MEM_H

#include <asm/paging.h>

extern struct pt_root guest_pt;

/**
 * guest_mem_build() - build the nested tables in format fmt with leaves up to
 * max_leaf; 0 or -ENOMEM.
 */
int guest_mem_build(const struct pt_format *fmt, unsigned int max_leaf);

/** guest_mem_limit() - end of the guest-physical space that is mapped. */
u64 guest_mem_limit(void);

/**
 * guest_mem_redirect() - point the hidden page at gpa to the writable scratch
 * page (scratch = true) or back to the all-ones page, refilling the scratch.
 */
int guest_mem_redirect(u64 gpa, bool scratch);

#endif /* ASM_GUEST_MEM_H */
