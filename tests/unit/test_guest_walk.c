// SPDX-License-Identifier: GPL-2.0-only
/* Walking guest page tables held in a fake guest-physical memory. */
#include "harness.h"
#include <asm/guest_walk.h>
#include <asm/processor.h>

#define MEM_SIZE (64 * 4096)
static u8 mem[MEM_SIZE] __attribute__((aligned(4096)));

static int read_phys(const void *ctx, u64 pa, void *buf, unsigned int n)
{
	(void)ctx;
	if (pa + n > MEM_SIZE || pa + n < pa)
		return -EFAULT;
	memcpy(buf, mem + pa, n);
	return 0;
}

static void set64(u64 pa, u64 v)
{
	memcpy(mem + pa, &v, 8);
}

static void set32(u64 pa, u32 v)
{
	memcpy(mem + pa, &v, 4);
}

static void test_long_mode(void **state)
{
	struct guest_paging gp = { X86_CR0_PG | X86_CR0_PE, 0x1000, X86_CR4_PAE,
				   EFER_LMA | EFER_LME, read_phys, NULL };
	u64 la = 0xffffffff81000000ull, pa;
	u8 bytes[4];

	(void)state;
	memset(mem, 0, sizeof(mem));
	/* PML4 at 0x1000 -> PDPT at 0x2000 -> PD at 0x3000 -> PT at 0x4000 */
	set64(0x1000 + ((la >> 39) & 511) * 8, 0x2000 | 1);
	set64(0x2000 + ((la >> 30) & 511) * 8, 0x3000 | 1);
	set64(0x3000 + ((la >> 21) & 511) * 8, 0x4000 | 1);
	set64(0x4000 + ((la >> 12) & 511) * 8, 0x7000 | 1);
	set64(0x4000 + (((la >> 12) + 1) & 511) * 8, 0x9000 | 1);
	assert_int_equal(guest_translate(&gp, la + 0x123, &pa), 0);
	assert_int_equal(pa, 0x7123);
	/* A read across the page boundary is stitched from two frames. */
	mem[0x7ffe] = 0xaa;
	mem[0x7fff] = 0xbb;
	mem[0x9000] = 0xcc;
	mem[0x9001] = 0xdd;
	assert_int_equal(guest_read_linear(&gp, la + 0xffe, bytes, 4), 0);
	assert_memory_equal(bytes, "\xaa\xbb\xcc\xdd", 4);
	/* Not present, and a table outside guest memory, both fail. */
	assert_int_equal(guest_translate(&gp, la + 0x200000, &pa), -EFAULT);
	set64(0x3000 + (((la >> 21) + 2) & 511) * 8, 0x10000000 | 1);
	assert_int_equal(guest_translate(&gp, la + 0x400000, &pa), -EFAULT);
	/* 2 MiB and 1 GiB pages. */
	set64(0x3000 + (((la >> 21) + 3) & 511) * 8, 0x40000000 | 0x81);
	assert_int_equal(guest_translate(&gp, la + 0x600000 + 0x12345, &pa), 0);
	assert_int_equal(pa, 0x40012345);
	set64(0x2000 + (((la >> 30) + 1) & 511) * 8, 0x80000000ull | 0x81);
	assert_int_equal(guest_translate(&gp, la + 0x40000000 + 0x1234567, &pa), 0);
	assert_int_equal(pa, 0x80000000ull + 0x1234567 + (la & 0x3fffffff));
}

static void test_legacy_modes(void **state)
{
	struct guest_paging off = { X86_CR0_PE, 0, 0, 0, read_phys, NULL };
	struct guest_paging pae = { X86_CR0_PG | X86_CR0_PE, 0x1000, X86_CR4_PAE, 0, read_phys, NULL };
	struct guest_paging p32 = { X86_CR0_PG | X86_CR0_PE, 0x5000, 1 << 4, 0, read_phys, NULL };
	u64 pa;

	(void)state;
	memset(mem, 0, sizeof(mem));
	assert_int_equal(guest_translate(&off, 0x12345678, &pa), 0);
	assert_int_equal(pa, 0x12345678);
	/* PAE: PDPTE 3 -> PD at 0x2000 -> PT at 0x3000 */
	set64(0x1000 + 3 * 8, 0x2000 | 1);
	set64(0x2000 + 1 * 8, 0x3000 | 1);
	set64(0x3000 + 2 * 8, 0x8000 | 1);
	assert_int_equal(guest_translate(&pae, 0xc0202abc, &pa), 0);
	assert_int_equal(pa, 0x8abc);
	/* 32-bit: a 4 MiB page (PSE) and a 4 KiB page. */
	set32(0x5000 + 0x300 * 4, 0xc0000000u | 0x81);
	assert_int_equal(guest_translate(&p32, 0xc0123456, &pa), 0);
	assert_int_equal(pa, 0xc0123456);
	set32(0x5000 + 1 * 4, 0x6000 | 1);
	set32(0x6000 + 5 * 4, 0xa000 | 1);
	assert_int_equal(guest_translate(&p32, 0x00405010, &pa), 0);
	assert_int_equal(pa, 0xa010);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_mode),
		cmocka_unit_test(test_legacy_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
