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

#define PHYS_BITS 40 /* OVMF's q35 under QEMU: the 64-bit window just below 1 TiB */

static struct gpm g;
static unsigned int pages;

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_first_access_maps_the_gib, build),
		cmocka_unit_test_setup(test_outside_the_range, build),
		cmocka_unit_test_setup(test_budget, build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
