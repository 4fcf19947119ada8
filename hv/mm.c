// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bump allocator of zeroed pages over the hv heap, and a free list of
 * single pages: page tables a merge unhooked come back (paging.c), so a
 * guest that seals, writes and unseals again and again cannot drain it.
 */
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/spinlock.h>

static u64 heap_next, heap_end, heap_start;
static u64 free_head, free_count; /* freed pages, each holding the next's address */
static spinlock_t heap_lock;

void heap_init(u64 start, u64 size)
{
	heap_start = heap_next = start;
	heap_end = start + size;
	free_head = free_count = 0;
}

void *page_alloc(unsigned int n)
{
	u64 size = (u64)n * PAGE_SIZE, pa = 0;

	spin_lock(&heap_lock);
	if (n == 1 && free_head) {
		pa = free_head;
		free_head = *(const u64 *)phys_to_virt(pa);
		free_count--;
	} else if (n && heap_end - heap_next >= size) {
		pa = heap_next;
		heap_next += size;
	}
	spin_unlock(&heap_lock);
	if (!pa)
		return NULL;
	return memset(phys_to_virt(pa), 0, size);
}

void page_free(void *page)
{
	spin_lock(&heap_lock);
	*(u64 *)page = free_head;
	free_head = virt_to_phys(page);
	free_count++;
	spin_unlock(&heap_lock);
}

u64 heap_used(void)
{
	return heap_next - heap_start - free_count * PAGE_SIZE;
}

void *pt_alloc_page(void)
{
	return page_alloc(1);
}
