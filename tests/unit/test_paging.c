// SPDX-License-Identifier: GPL-2.0-only
/* The shared page-table engine with the x86 (host/NPT) format. */
#include "harness.h"
#include <asm/paging.h>

static unsigned int pages;

static void *alloc(void)
{
	pages++;
	return test_page();
}

static void check(const struct pt_root *pt, u64 va, u64 want_pa, unsigned int want_level,
		  bool writable)
{
	u64 pa;
	unsigned int flags, level;

	assert_true(pt_walk(pt, va, &pa, &flags, &level));
	assert_int_equal(pa, want_pa);
	assert_int_equal(level, want_level);
	assert_int_equal(!!(flags & PT_WRITE), writable);
}

static void test_identity_uses_largest_pages(void **state)
{
	struct pt_root pt;

	(void)state;
	pages = 0;
	assert_int_equal(pt_init(&pt, &pt_x86_64, 2, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 4ull << 30, PT_RWX), 0);
	check(&pt, 0x12345678, 0x12345678, 2, true);
	check(&pt, 0xfee00000, 0xfee00000, 2, true);
	/* 1 PML4 + 1 PDPT + 4 PDs, no 4 KiB tables. */
	assert_int_equal(pages, 6);
	assert_false(pt_walk(&pt, 4ull << 30, NULL, NULL, NULL));

	assert_int_equal(pt_init(&pt, &pt_x86_64, 3, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 8ull << 30, PT_RWX), 0);
	check(&pt, 0x100000000ull + 5, 0x100000000ull + 5, 3, true);
	/* The instance's limit wins over the format's: 4 KiB only. */
	assert_int_equal(pt_init(&pt, &pt_x86_64, 1, alloc), 0);
	assert_int_equal(pt.max_leaf_level, 1);
	assert_int_equal(pt_map(&pt, 0, 0, 4 << 20, PT_RWX), 0);
	check(&pt, 0x3ff123, 0x3ff123, 1, true);
	assert_int_equal(pt_init(&pt, &pt_x86_64, 9, alloc), 0);
	assert_int_equal(pt.max_leaf_level, 3);
}

static void test_split_keeps_neighbours(void **state)
{
	struct pt_root pt;
	u64 *ones = test_page();
	u64 ones_pa = pt_virt_to_phys(ones);

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_x86_64, 3, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 2ull << 30, PT_RWX), 0);
	check(&pt, 0x40000000, 0x40000000, 3, true);
	/* One hidden page inside a 1 GiB page: 1G -> 2M -> 4K split. */
	assert_int_equal(pt_map(&pt, 0x40201000, ones_pa, 0x1000, PT_READ), 0);
	check(&pt, 0x40201abc, ones_pa + 0xabc, 1, false);
	check(&pt, 0x40200fff, 0x40200fff, 1, true);
	check(&pt, 0x40202000, 0x40202000, 1, true);
	check(&pt, 0x40400000, 0x40400000, 2, true);
	check(&pt, 0x7fffffff, 0x7fffffff, 2, true);
	check(&pt, 0x3fffffff, 0x3fffffff, 3, true);
}

static void test_unmap_partial_and_unaligned(void **state)
{
	struct pt_root pt;

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_x86_64, 2, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 0x400000, PT_RWX), 0);
	assert_int_equal(pt_unmap(&pt, 0x1ff000, 0x2000), 0);
	assert_false(pt_walk(&pt, 0x1ff000, NULL, NULL, NULL));
	assert_false(pt_walk(&pt, 0x200fff, NULL, NULL, NULL));
	check(&pt, 0x1fe000, 0x1fe000, 1, true);
	check(&pt, 0x201000, 0x201000, 1, true);
	check(&pt, 0x3ff000, 0x3ff000, 1, true);
	/* Unaligned requests are refused, not rounded. */
	assert_int_equal(pt_map(&pt, 0x1000, 0x1800, 0x1000, PT_RWX), -EINVAL);
	assert_int_equal(pt_map(&pt, 0x1000, 0x1000, 0x800, PT_RWX), -EINVAL);
	assert_int_equal(pt_unmap(&pt, 0x10, 0x1000), -EINVAL);
	/* Unmapping what is not mapped is fine. */
	assert_int_equal(pt_unmap(&pt, 0x40000000, 0x200000), 0);
}

static void test_offset_mapping_and_npt_bits(void **state)
{
	struct pt_root pt;
	u64 pa;

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_x86_64, 2, alloc), 0);
	/* Phys not aligned like virt: the engine must fall back to 4 KiB pages. */
	assert_int_equal(pt_map(&pt, 0x200000, 0x1000, 0x200000, PT_READ), 0);
	check(&pt, 0x200000, 0x1000, 1, false);
	check(&pt, 0x3ff000, 0x200000, 1, false);
	/* APM vol. 2, 15.25.5: every level must have U/S set for NPT. */
	u64 *t = pt.root;
	for (int l = 4; l >= 1; l--) {
		u64 e = t[(0x200000ull >> (12 + 9 * (l - 1))) & 511];

		assert_true(e & 1);
		assert_true(e & 4);
		t = pt_phys_to_virt(e & 0x000ffffffffff000ull);
	}
	assert_true(pt_walk(&pt, 0x200123, &pa, NULL, NULL));
	assert_int_equal(pa, 0x1123);
}

/* The entry at each level on the way to va, top first. */
static void entries_to(const struct pt_root *pt, u64 va, u64 out[4])
{
	u64 *t = pt->root;

	for (int l = 4; l >= 1; l--) {
		u64 e = t[(va >> (12 + 9 * (l - 1))) & 511];

		out[4 - l] = e;
		if (pt->fmt->is_leaf(e, (unsigned int)l) || !pt->fmt->present(e))
			break;
		t = pt_phys_to_virt(e & 0x000ffffffffff000ull);
	}
}

static void test_vtd_second_level_bits(void **state)
{
	struct pt_root pt;
	u64 e[4] = { 0 };

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_vtd_sl, 2, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 1ull << 30, PT_READ | PT_WRITE), 0);
	assert_int_equal(pt_map(&pt, 0x5000, 0x5000, 0x1000, PT_READ), 0);
	check(&pt, 0x5123, 0x5123, 1, false);
	check(&pt, 0x400000, 0x400000, 2, true);
	/* Tables carry R|W (permissions AND down the walk); 2 MiB leaves carry PS. */
	entries_to(&pt, 0x400000, e);
	assert_int_equal(e[0] & 0x83, 3);
	assert_int_equal(e[1] & 0x83, 3);
	assert_int_equal(e[2] & 0xfff, 0x83);
	/* A read-only 4 KiB leaf: R, no W, no PS. */
	entries_to(&pt, 0x5000, e);
	assert_int_equal(e[3], 0x5000 | 1);
	/* Absent means neither R nor W. */
	assert_int_equal(pt_unmap(&pt, 0x200000, 0x200000), 0);
	assert_false(pt_walk(&pt, 0x3fffff, NULL, NULL, NULL));
	entries_to(&pt, 0x200000, e);
	assert_int_equal(e[2], 0);
}

/* AMD NPT: x86-64 entries with NX where execution is not allowed (a sealed region). */
static void test_npt_nx(void **state)
{
	struct pt_root pt;
	u64 e[4] = { 0 }, phys;
	unsigned int flags;

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_npt, 2, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 1ull << 30, PT_RWX), 0);
	assert_int_equal(pt_map(&pt, 0x400000, 0x400000, 0x200000, PT_READ), 0);
	/* The sealed 2 MiB leaf: present, user, no RW, NX; its neighbours as before. */
	entries_to(&pt, 0x400000, e);
	assert_int_equal(e[2], 0x400000 | 0x5 | 1 << 7 | 1ull << 63);
	assert_true(pt_walk(&pt, 0x400010, &phys, &flags, NULL));
	assert_int_equal(phys, 0x400010); /* NX is no address bit */
	assert_int_equal(flags, PT_READ);
	entries_to(&pt, 0x600000, e);
	assert_int_equal(e[2], 0x600000 | 0x7 | 1 << 7);
	assert_true(pt_walk(&pt, 0x600000, NULL, &flags, NULL));
	assert_int_equal(flags, PT_RWX);
	/* Unsealed: the same entry as never sealed. */
	assert_int_equal(pt_map(&pt, 0x400000, 0x400000, 0x200000, PT_RWX), 0);
	entries_to(&pt, 0x400000, e);
	assert_int_equal(e[2], 0x400000 | 0x7 | 1 << 7);
}

static void test_ept_bits(void **state)
{
	struct pt_root pt;
	u64 e[4] = { 0 };
	unsigned int flags;

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_ept, 3, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 2ull << 30, PT_RWX), 0);
	assert_int_equal(pt_map(&pt, 0xfee00000, 0xfee00000, 0x1000, PT_READ | PT_UNCACHED), 0);
	check(&pt, 0x40000000, 0x40000000, 3, true);
	/* Tables: R|W|X, no memory type. 1 GiB leaf: RWX, WB (6 << 3), bit 7. */
	entries_to(&pt, 0x40000000, e);
	assert_int_equal(e[0] & 0xff, 7);
	assert_int_equal(e[1], 0x40000000 | 7 | 6 << 3 | 1 << 7);
	/* An uncached read-only 4 KiB leaf: R only, memory type 0 (UC), no bit 7. */
	entries_to(&pt, 0xfee00000, e);
	assert_int_equal(e[3], 0xfee00000 | 1);
	assert_true(pt_walk(&pt, 0xfee00010, NULL, &flags, NULL));
	assert_int_equal(flags, PT_READ | PT_UNCACHED);
	/* Not present means none of R, W, X. */
	assert_int_equal(pt_unmap(&pt, 0x200000, 0x200000), 0);
	assert_false(pt_walk(&pt, 0x200000, NULL, NULL, NULL));
}

static void test_amdvi_next_level_bits(void **state)
{
	struct pt_root pt;
	u64 e[4] = { 0 };

	(void)state;
	assert_int_equal(pt_init(&pt, &pt_amdvi, 2, alloc), 0);
	assert_int_equal(pt_map(&pt, 0, 0, 1ull << 30, PT_READ | PT_WRITE), 0);
	assert_int_equal(pt_map(&pt, 0x7000, 0x7000, 0x1000, PT_READ), 0);
	check(&pt, 0x7abc, 0x7abc, 1, false);
	check(&pt, 0x600000, 0x600000, 2, true);
	/* A table entry names the level of the table it points to (NextLevel, 11:9). */
	entries_to(&pt, 0x7000, e);
	assert_int_equal((e[0] >> 9) & 7, 3);
	assert_int_equal((e[1] >> 9) & 7, 2);
	assert_int_equal((e[2] >> 9) & 7, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(e[i] & (1ull << 61 | 1ull << 62 | 1), 1ull << 61 | 1ull << 62 | 1);
	/* Leaves have NextLevel 0; read-only means IR without IW. */
	assert_int_equal(e[3], 0x7000 | 1 | 1ull << 61);
	entries_to(&pt, 0x600000, e);
	assert_int_equal(e[2], 0x600000 | 1 | 1ull << 61 | 1ull << 62);
	/* Unmapped: not present, but not all-zero either (NextLevel 1). */
	assert_int_equal(pt_unmap(&pt, 0x200000, 0x200000), 0);
	assert_false(pt_walk(&pt, 0x200000, NULL, NULL, NULL));
	entries_to(&pt, 0x200000, e);
	assert_int_equal(e[2], 1 << 9);
	assert_int_equal(pt.root[5], 1 << 9);
	assert_false(pt_walk(&pt, 5ull << 39, NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_uses_largest_pages),
		cmocka_unit_test(test_split_keeps_neighbours),
		cmocka_unit_test(test_unmap_partial_and_unaligned),
		cmocka_unit_test(test_offset_mapping_and_npt_bits),
		cmocka_unit_test(test_ept_bits),
		cmocka_unit_test(test_npt_nx),
		cmocka_unit_test(test_vtd_second_level_bits),
		cmocka_unit_test(test_amdvi_next_level_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
