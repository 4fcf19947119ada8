// SPDX-License-Identifier: GPL-2.0-only
/* A bump allocator of zeroed pages over the hv heap. The hv never frees. */
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/spinlock.h>

static u64 heap_next, heap_end, heap_start;
static spinlock_t heap_lock;

void heap_init(u64 start, u64 size)
{
	heap_start = heap_next = start;
	heap_end = start + size;
}

void *page_alloc(unsigned int n)
{
	u64 size = (u64)n * PAGE_SIZE, pa = 0;

	spin_lock(&heap_lock);
	if (n && heap_end - heap_next >= size) {
		pa = heap_next;
		heap_next += size;
	}
	spin_unlock(&heap_lock);
	if (!pa)
		return NULL;
	return memset(phys_to_virt(pa), 0, size);
}

u64 heap_used(void)
{
	return heap_next - heap_start;
}

void *pt_alloc_page(void)
{
	return page_alloc(1);
}
