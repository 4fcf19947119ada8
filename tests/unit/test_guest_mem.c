// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO above the guest's built map (guest_mem.c): mapped a GiB at a time on
 * first access, identity and writable, up to the CPU's physical width, never
 * over hidden memory, and within a budget of table pages per space, so that a
 * guest touching every GiB cannot empty the hv's heap.
 */
#include "harness.h"
#include <asm/guest_mem.h>
#include <asm/paging.h>
#include <hv/hv.h>
#include <hv/mm.h>
#include <hv/percpu.h>
#include <stdlib.h>

struct percpu percpu_area[MAX_CPUS];

#define PHYS_BITS 40 /* OVMF's q35 under QEMU: the 64-bit window just below 1 TiB */

static struct gpm g;
static unsigned int pages, freed;

unsigned int __wrap_cpu_phys_bits(void);
unsigned int __wrap_cpu_phys_bits(void)
{
	return PHYS_BITS;
}

void *pt_alloc_page(void)
{
	pages++;
	return test_page();
}

void *page_alloc(unsigned int n)
{
	assert_int_equal(n, 1);
	return pt_alloc_page();
}

/* Really freed: a table still used after its reclaim is an ASan report. */
void page_free(void *page)
{
	freed++;
	free(page);
}

/* A 1 GiB guest, 2 MiB nested pages (no Page1GB, as under TCG): the map ends at 64 GiB. */
static int build(void **state)
{
	(void)state;
	memset(&hv.guest_map, 0, sizeof(hv.guest_map));
	memmap_add(&hv.guest_map, 0, 1ull << 30, E820_RAM);
	memset(&g, 0, sizeof(g));
	assert_int_equal(gpm_build(&g, GPM_GUEST, &pt_x86_64, 2), 0);
	assert_int_equal(gpm_limit(), 64ull << 30);
	pages = 0;
	log_reset();
	return 0;
}

static void test_first_access_maps_the_gib(void **state)
{
	u64 bar = 0xe000000014ull, pa;
	unsigned int flags, level;

	(void)state;
	assert_false(pt_walk(&g.pt, bar, &pa, &flags, &level));
	assert_int_equal(gpm_map_mmio(&g, bar), 0);
	assert_true(pt_walk(&g.pt, bar, &pa, &flags, &level));
	assert_int_equal(pa, bar);
	assert_true(flags & PT_WRITE);
	assert_true(pt_walk(&g.pt, 0xe03ffff000ull, &pa, &flags, &level));
	assert_false(pt_walk(&g.pt, 0xe040000000ull, &pa, &flags, &level));
	assert_int_equal(pages, 2); /* a PDPT for the 512 GiB, a page directory for the GiB */
	assert_int_equal(g.mmio_tables, 2);
	assert_logged("guest memory: 0xe000000000-0xe03fffffff (above RAM: MMIO) mapped at the first access, 2 table page(s)");
	/* The next GiB in the same 512 GiB costs one page; a second fault on a mapped GiB nothing. */
	assert_int_equal(gpm_map_mmio(&g, 0xe040000000ull), 0);
	assert_int_equal(pages, 3);
	assert_int_equal(gpm_map_mmio(&g, 0xe040001000ull), 0);
	assert_int_equal(pages, 3);
}

static void test_outside_the_range(void **state)
{
	(void)state;
	assert_int_equal(gpm_map_mmio(&g, 0x80000000ull), -EFAULT);	    /* inside the built map */
	assert_int_equal(gpm_map_mmio(&g, 1ull << PHYS_BITS), -EFAULT);    /* beyond the width */
	park_gpm.mode = GPM_PARK;
	assert_int_equal(gpm_map_mmio(&park_gpm, 0xe000000000ull), -EFAULT); /* the park guest */
	assert_int_equal(pages, 0);
}

/* A guest touching GiB after GiB: the budget ends it, with a message, and nothing more is taken. */
static void test_budget(void **state)
{
	u64 gpa = 64ull << 30;
	int ret = 0;

	(void)state;
	for (unsigned int i = 0; i < 1000 && !ret; i++, gpa += 1ull << 30)
		ret = gpm_map_mmio(&g, gpa);
	assert_int_equal(ret, -ENOMEM);
	assert_true(g.mmio_tables <= GPM_MMIO_TABLES);
	assert_true(g.mmio_tables >= GPM_MMIO_TABLES - 2);
	assert_int_equal(pages, g.mmio_tables);
	assert_logged("table pages for MMIO mapped on access are spent");
	assert_int_equal(gpm_map_mmio(&g, gpa + (1ull << 30)), -ENOMEM);
	assert_int_equal(pages, g.mmio_tables);
}

/* Every vCPU running in the guest's space takes its current generation: it flushed. */
static void flush_all(void)
{
	for (unsigned int i = 0; i < 2; i++)
		percpu_area[i].arch.gpm_gen = guest_gpm.gen;
}

/* Two vCPUs in the guest's space, a 1 GiB guest with 2 MiB nested pages. */
static int build_guest(void **state)
{
	build(state);
	memset(&guest_gpm, 0, sizeof(guest_gpm));
	memset(percpu_area, 0, sizeof(percpu_area));
	assert_int_equal(gpm_build(&guest_gpm, GPM_GUEST, &pt_npt, 2), 0);
	for (unsigned int i = 0; i < 2; i++) {
		percpu_area[i].state = CPU_GUEST;
		percpu_area[i].arch.gpm = &guest_gpm;
	}
	flush_all();
	pages = freed = 0;
	return 0;
}

/*
 * A guest that seals a region, writes into it (the hv steps over the write
 * with the scratch page, splitting a 2 MiB leaf) and unseals, 10,000 times:
 * the tables the split and the seal's edges took come back once both vCPUs
 * flushed, so the heap ends where it started; and the space maps what it
 * mapped before.
 */
static void test_seal_cycles_leave_the_heap_flat(void **state)
{
	const u64 base = 0x2001000, end = 0x4003000; /* page edges inside 2 MiB leaves */
	u64 pa;
	unsigned int flags, level, tables = guest_gpm.pt.tables;

	(void)state;
	for (unsigned int i = 0; i < 10000; i++) {
		u64 stray = 0x3000000 + (i % 8) * 0x200000 + (i % 512) * PAGE_SIZE;

		assert_int_equal(gpm_seal(base, end), 0);
		flush_all();
		assert_true(pt_walk(&guest_gpm.pt, stray, &pa, &flags, &level));
		assert_true(pa == stray && !(flags & PT_WRITE));
		assert_int_equal(gpm_redirect(&guest_gpm, stray, true), 0);
		assert_true(pt_walk(&guest_gpm.pt, stray, &pa, &flags, &level) && level == 1);
		assert_int_equal(gpm_redirect(&guest_gpm, stray, false), 0);
		/* Back to one read-only 2 MiB leaf: the split's table is retired. */
		assert_true(pt_walk(&guest_gpm.pt, stray, &pa, &flags, &level));
		assert_true(pa == stray && level == 2 && !(flags & PT_WRITE));
		flush_all();
		assert_int_equal(gpm_seal(0, 0), 0);
		flush_all();
	}
	gpm_reclaim(&guest_gpm);
	assert_int_equal(guest_gpm.pt.tables, tables);
	assert_int_equal(pages, freed);
	assert_true(pages >= 20000); /* it did split, every cycle */
	/* Unsealed, the region is writable 2 MiB leaves again, its edges too. */
	assert_true(pt_walk(&guest_gpm.pt, base, &pa, &flags, &level));
	assert_true(pa == base && (flags & PT_WRITE) && level == 2);
	assert_true(pt_walk(&guest_gpm.pt, end, &pa, &flags, &level));
	assert_true(pa == end && (flags & PT_WRITE) && level == 2);
}

/* Retired tables wait for every vCPU in the space: one that never flushed holds them. */
static void test_reclaim_waits_for_every_vcpu(void **state)
{
	unsigned int tables = guest_gpm.pt.tables;
	int ret = 0;

	(void)state;
	assert_int_equal(gpm_redirect(&guest_gpm, 0x3000000, true), 0);
	assert_int_equal(gpm_redirect(&guest_gpm, 0x3000000, false), 0);
	assert_int_equal(guest_gpm.pt.nr_retired, 1);
	percpu_area[0].arch.gpm_gen = guest_gpm.gen; /* vCPU 1 has not flushed */
	assert_int_equal(gpm_reclaim(&guest_gpm), 0);
	assert_int_equal(freed, 0);
	percpu_area[1].state = CPU_PARKED; /* it left the space: it flushes before it comes back */
	assert_int_equal(gpm_reclaim(&guest_gpm), 1);
	assert_int_equal(freed, 1);
	percpu_area[1].state = CPU_GUEST;

	/*
	 * A vCPU that never flushes while the guest writes all over its sealed
	 * RAM: the splits stop at the budget (-ENOMEM), the heap with them.
	 */
	assert_int_equal(gpm_seal(0x2000000, 0x22000000), 0);
	for (u64 gpa = 0x2000000; gpa < 0x22000000 && !ret; gpa += 2 * MiB) {
		ret = gpm_redirect(&guest_gpm, gpa, true);
		if (!ret)
			assert_int_equal(gpm_redirect(&guest_gpm, gpa, false), 0);
	}
	assert_int_equal(ret, -ENOMEM);
	assert_true(guest_gpm.pt.tables - tables <= GPM_SPLIT_TABLES);
	assert_true(pages - freed <= GPM_SPLIT_TABLES);
	/* Once every vCPU flushed, the splits go on. */
	flush_all();
	assert_int_equal(gpm_redirect(&guest_gpm, 0x20000000, true), 0);
	assert_int_equal(gpm_redirect(&guest_gpm, 0x20000000, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_access_maps_the_gib, build),
		cmocka_unit_test_setup(test_outside_the_range, build),
		cmocka_unit_test_setup(test_budget, build),
		cmocka_unit_test_setup(test_seal_cycles_leave_the_heap_flat, build_guest),
		cmocka_unit_test_setup(test_reclaim_waits_for_every_vcpu, build_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
