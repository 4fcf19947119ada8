// SPDX-License-Identifier: GPL-2.0-only
/* e820 handling: sanitising, carving out hv ranges, placement. */
#include "harness.h"
#include <hv/memmap.h>

static void qemu_like_map(struct memmap *m)
{
	memset(m, 0, sizeof(*m));
	memmap_add(m, 0x0, 0x9fc00, E820_RAM);
	memmap_add(m, 0x9fc00, 0x400, E820_RESERVED);
	memmap_add(m, 0xf0000, 0x10000, E820_RESERVED);
	memmap_add(m, 0x100000, 0x3fee0000, E820_RAM);
	memmap_add(m, 0x3ffe0000, 0x20000, E820_RESERVED);
	memmap_add(m, 0xfffc0000, 0x40000, E820_RESERVED);
	assert_int_equal(memmap_sanitize(m), 0);
}

static void test_sanitize_sorts_merges_and_reserved_wins(void **state)
{
	struct memmap m = { 0 };

	(void)state;
	memmap_add(&m, 0x200000, 0x100000, E820_RAM);
	memmap_add(&m, 0x100000, 0x100000, E820_RAM);	  /* adjacent: merged */
	memmap_add(&m, 0x280000, 0x10000, E820_RESERVED); /* inside RAM: splits it */
	memmap_add(&m, 0x0, 0x1000, E820_ACPI);
	assert_int_equal(memmap_sanitize(&m), 0);
	assert_int_equal(m.nr, 4);
	assert_int_equal(m.e[0].addr, 0x0);
	assert_int_equal(m.e[0].type, E820_ACPI);
	assert_int_equal(m.e[1].addr, 0x100000);
	assert_int_equal(m.e[1].size, 0x180000);
	assert_int_equal(m.e[1].type, E820_RAM);
	assert_int_equal(m.e[2].addr, 0x280000);
	assert_int_equal(m.e[2].type, E820_RESERVED);
	assert_int_equal(m.e[3].addr, 0x290000);
	assert_int_equal(m.e[3].size, 0x70000);
}

static void test_add_rejects_empty_and_full(void **state)
{
	struct memmap m = { 0 };

	(void)state;
	assert_int_equal(memmap_add(&m, 0x1000, 0, E820_RAM), -EINVAL);
	assert_int_equal(memmap_add(&m, ~0ull - 10, 100, E820_RAM), -EINVAL);
	for (unsigned int i = 0; i < MEMMAP_MAX; i++)
		assert_int_equal(memmap_add(&m, i * 0x2000ull, 0x1000, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0x10000000, 0x1000, E820_RAM), -ENOSPC);
}

static void test_remove_middle_edge_whole(void **state)
{
	struct memmap m;

	(void)state;
	qemu_like_map(&m);
	/* hv image at 1 MiB: cut from the front of the big RAM entry. */
	assert_int_equal(memmap_remove(&m, 0x100000, 0x5b000), 0);
	/* capture + heap in the middle of it: split in two. */
	assert_int_equal(memmap_remove(&m, 0x37600000, 0x8800000), 0);
	assert_false(memmap_is_ram(&m, 0x100000, 0x1000));
	assert_true(memmap_is_ram(&m, 0x15b000, 0x1000));
	assert_true(memmap_is_ram(&m, 0x375ff000, 0x1000));
	assert_false(memmap_is_ram(&m, 0x37600000, 0x1000));
	assert_false(memmap_is_ram(&m, 0x3fdff000, 0x1000));
	assert_true(memmap_is_ram(&m, 0x3fe00000, 0x1000));
	assert_int_equal(memmap_ram_total(&m), 0x9fc00 + 0x3fee0000 - 0x5b000 - 0x8800000);
	/* Removing a whole reserved entry deletes it. */
	assert_int_equal(memmap_remove(&m, 0xf0000, 0x10000), 0);
	for (unsigned int i = 0; i < m.nr; i++)
		assert_false(m.e[i].addr == 0xf0000);
	assert_int_equal(memmap_ram_top(&m), 0x3ffe0000);
}

static void test_find_free_top_down_avoids_busy(void **state)
{
	struct memmap m;
	struct phys_range busy[] = {
		{ 0x3f000000, 0x3f100000, "module" },
	};
	u64 a;

	(void)state;
	qemu_like_map(&m);
	/* Highest 2 MiB-aligned 16 MiB below the module that sits near the top:
	 * it may end exactly where the module starts. */
	a = memmap_find_free(&m, busy, 1, 16 << 20, 2 << 20, 16 << 20, 4ull << 30, true);
	assert_int_equal(a, 0x3e000000);
	/* Without the module: just below the end of RAM (0x3ffe0000), aligned. */
	a = memmap_find_free(&m, NULL, 0, 16 << 20, 2 << 20, 16 << 20, 4ull << 30, true);
	assert_int_equal(a, 0x3ee00000);
	/* More than there is. */
	a = memmap_find_free(&m, NULL, 0, 2ull << 30, 2 << 20, 0, 4ull << 30, true);
	assert_int_equal(a, 0);
}

static void test_find_free_bottom_up_steps_over_busy(void **state)
{
	struct memmap m;
	struct phys_range busy[] = {
		{ 0x15c000, 0x93a000, "guest" },
		{ 0x93a000, 0x1100000, "initrd" },
		{ 0x0, 0x100000, "low" },
	};
	u64 a;

	(void)state;
	qemu_like_map(&m);
	a = memmap_find_free(&m, busy, 3, 64 << 20, 2 << 20, 16 << 20, 4ull << 30, false);
	assert_int_equal(a, 0x1200000);
	/* Low memory is busy: the first fit is just above it. */
	a = memmap_find_free(&m, busy, 3, 0x1000, 0x1000, 0, 4ull << 30, false);
	assert_int_equal(a, 0x100000);
	/* Address 0 is never handed out. */
	a = memmap_find_free(&m, NULL, 0, 0x1000, 0x1000, 0, 4ull << 30, false);
	assert_int_equal(a, 0x1000);
	/* Non-power-of-two alignment is refused. */
	assert_int_equal(memmap_find_free(&m, busy, 3, 0x1000, 0x3000, 0, ~0ull, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_sorts_merges_and_reserved_wins),
		cmocka_unit_test(test_add_rejects_empty_and_full),
		cmocka_unit_test(test_remove_middle_edge_whole),
		cmocka_unit_test(test_find_free_top_down_avoids_busy),
		cmocka_unit_test(test_find_free_bottom_up_steps_over_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
