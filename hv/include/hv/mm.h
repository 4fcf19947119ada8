/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv memory: a page allocator over the hv heap, which the guest never sees,
 * with single pages given back for reuse.
 * The hv runs on an identity map, so physical and virtual addresses agree.
 */
#ifndef HV_MM_H
#define HV_MM_H

#include <hv/types.h>

/** heap_init() - hand [start, start + size) to the page allocator. */
void heap_init(u64 start, u64 size);

/** page_alloc() - n zeroed, page-aligned pages, or NULL when the heap is exhausted. */
void *page_alloc(unsigned int n);

/** page_free() - give back one page page_alloc(1) returned; the next page_alloc(1) takes it. */
void page_free(void *page);

/** pt_alloc_page() - one zeroed page, for the page-table engine (struct pt_root's alloc). */
void *pt_alloc_page(void);

/** heap_used() - bytes handed out and not given back. */
u64 heap_used(void);

static inline u64 virt_to_phys(const void *p)
{
	return (u64)(uintptr_t)p;
}

static inline void *phys_to_virt(u64 pa)
{
	void *p = (void *)(uintptr_t)pa;

	/* Opaque to the compiler: fixed low addresses are real memory here. */
	asm("" : "+r"(p));
	return p;
}

#endif /* HV_MM_H */
