// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DMA domains iommu.c builds, read back from the tables a fake VT-d
 * driver is given: guest mode (guest RAM, reserved ranges; never the hv nor
 * the capture region) and capture mode (low memory and the capture region
 * writable, the crashed guest's RAM read-only), and the iommu= policy.
 */
#include "harness.h"
#include <stdlib.h>
#include <asm/acpi.h>
#include <asm/iommu.h>
#include <hv/arch.h>
#include <hv/hv.h>
#include <hv/mm.h>

#define CAPTURE_BASE 0x30000000ull
#define CAPTURE_SIZE (128ull << 20)
#define HEAP_BASE    (CAPTURE_BASE + CAPTURE_SIZE)
#define RMRR_START   0xe8000ull
#define MIB	     (1ull << 20)

static u8 dmar[128];
static bool have_dmar;
static u64 hw_root;
static unsigned int hw_levels, flushes;

const u8 *acpi_find_table(u64 rsdp, const char *sig, u32 *len)
{
	(void)rsdp;
	if (!have_dmar || memcmp(sig, "DMAR", 4))
		return NULL;
	*len = 88;
	return dmar;
}

u64 acpi_ecam_base(u64 rsdp)
{
	(void)rsdp;
	return 0;
}

u64 arch_timestamp(void)
{
	return 0;
}

u64 arch_timestamp_us(void)
{
	return 0;
}

void *pt_alloc_page(void)
{
	return test_page();
}

/* Really freed: a table the IOMMU could still walk after its reclaim is an ASan report. */
void page_free(void *page)
{
	free(page);
}

static int fake_probe(struct iommu_unit *u, unsigned int *levels, unsigned int *max_leaf)
{
	(void)u;
	*levels = 4;
	*max_leaf = 3;
	return 0;
}

static int fake_enable(struct iommu_unit *u, u64 root, unsigned int levels)
{
	(void)u;
	hw_root = root;
	hw_levels = levels;
	return 0;
}

static void fake_flush(struct iommu_unit *u)
{
	(void)u;
	flushes++;
}

static void fake_poll(struct iommu_unit *u)
{
	(void)u;
}

const struct iommu_driver vtd_driver = { "fake VT-d", &pt_vtd_sl, fake_probe, fake_enable,
					 fake_flush, fake_poll };
const struct iommu_driver amdvi_driver = { "fake AMD-Vi", &pt_amdvi, fake_probe, fake_enable,
					   fake_flush, fake_poll };

/* A DMAR like QEMU's: one DRHD for every device, one RMRR at 0xe8000. */
static void make_dmar(void)
{
	u16 v16;
	u64 v64;

	memset(dmar, 0, sizeof(dmar));
	memcpy(dmar, "DMAR", 4);
	dmar[36] = 38;
	v16 = 16, memcpy(dmar + 50, &v16, 2);
	dmar[52] = 1;
	v64 = 0xfed90000, memcpy(dmar + 56, &v64, 8);
	v16 = 1, memcpy(dmar + 64, &v16, 2);
	v16 = 24, memcpy(dmar + 66, &v16, 2);
	v64 = RMRR_START, memcpy(dmar + 72, &v64, 8);
	v64 = RMRR_START + 0xfff, memcpy(dmar + 80, &v64, 8);
}

/* 1 GiB of RAM with a BIOS hole, the hv's ranges hidden as plan_memory() hides them. */
static int setup(void **state)
{
	(void)state;
	memset(&hv, 0, sizeof(hv));
	options_defaults(&hv.opt);
	hv.capture_base = CAPTURE_BASE;
	hv.capture_size = CAPTURE_SIZE;
	memmap_add(&hv.guest_map, 0, 0x9fc00, E820_RAM);
	memmap_add(&hv.guest_map, 0xf0000, 0x10000, E820_RESERVED);
	memmap_add(&hv.guest_map, MIB, (1ull << 30) - MIB - 0x10000, E820_RAM);
	memmap_add(&hv.guest_map, (1ull << 30) - 0x10000, 0x10000, E820_ACPI);
	hv_hide(MIB, MIB + 0x80000, "hv image");
	hv_hide(CAPTURE_BASE, CAPTURE_BASE + CAPTURE_SIZE, "capture region");
	hv_hide(HEAP_BASE, HEAP_BASE + 8 * MIB, "hv heap");
	for (unsigned int i = 0; i < hv.nr_hidden; i++)
		memmap_remove(&hv.guest_map, hv.hidden[i].start,
			      hv.hidden[i].end - hv.hidden[i].start);
	make_dmar();
	have_dmar = true;
	hw_root = 0;
	flushes = 0;
	log_reset();
	return 0;
}

/* What a device may do at addr in the domain the units walk now: 0, PT_READ, or both. */
static unsigned int access(u64 addr)
{
	struct pt_root view = { .fmt = &pt_vtd_sl, .root = pt_phys_to_virt(hw_root) };
	unsigned int flags = 0, level;
	u64 phys;

	if (!pt_walk(&view, addr, &phys, &flags, &level))
		return 0;
	assert_int_equal(phys, addr); /* identity, where mapped at all */
	return flags & (PT_READ | PT_WRITE);
}

static void test_guest_then_capture_domain(void **state)
{
	(void)state;
	assert_int_equal(iommu_init(1), 0);
	assert_true(iommu_active());
	assert_int_equal(hw_levels, 4);
	/* Guest mode: guest RAM and ACPI data, the RMRR; not the hv, not the capture region. */
	assert_int_equal(access(0x1000), PT_READ | PT_WRITE);
	assert_int_equal(access(RMRR_START), PT_READ | PT_WRITE);
	assert_int_equal(access(MIB), 0); /* hv image */
	assert_int_equal(access(MIB + 0x80000), PT_READ | PT_WRITE);
	assert_int_equal(access(CAPTURE_BASE - PAGE_SIZE), PT_READ | PT_WRITE);
	assert_int_equal(access(CAPTURE_BASE), 0);
	assert_int_equal(access(CAPTURE_BASE + CAPTURE_SIZE - PAGE_SIZE), 0);
	assert_int_equal(access(HEAP_BASE), 0);
	assert_int_equal(access((1ull << 30) - PAGE_SIZE), PT_READ | PT_WRITE); /* ACPI */
	assert_int_equal(access(0xfed90000), 0); /* the IOMMU's own registers */
	assert_int_equal(access(0xfee00000), 0);

	/* Capture mode: the same root now holds the capture domain's entries. */
	iommu_capture_mode();
	assert_int_equal(flushes, 1);
	assert_int_equal(access(0x1000), PT_READ | PT_WRITE);		/* backed up at hand-over */
	assert_int_equal(access(MIB + 0x80000), PT_READ);		/* evidence */
	assert_int_equal(access(CAPTURE_BASE - PAGE_SIZE), PT_READ);	/* evidence */
	assert_int_equal(access((1ull << 30) - PAGE_SIZE), PT_READ);	/* ACPI data too */
	assert_int_equal(access(CAPTURE_BASE), PT_READ | PT_WRITE);	/* the capture kernel's */
	assert_int_equal(access(CAPTURE_BASE + CAPTURE_SIZE - PAGE_SIZE), PT_READ | PT_WRITE);
	assert_int_equal(access(HEAP_BASE), 0);
	assert_int_equal(access(MIB), 0);
	assert_int_equal(access(RMRR_START), PT_READ | PT_WRITE);
	/* Once only. */
	iommu_capture_mode();
	assert_int_equal(flushes, 1);
}

static void test_policy_without_iommu(void **state)
{
	(void)state;
	have_dmar = false;
	assert_int_equal(iommu_init(1), 0); /* auto: warned, boots */
	assert_false(iommu_active());
	assert_false(arch_dma_isolated());
	hv.opt.iommu = IOMMU_REQUIRED;
	assert_int_equal(iommu_init(1), -ENODEV);
	assert_logged("iommu=required, but no DMAR or IVRS table");
	have_dmar = true;
	hv.opt.iommu = IOMMU_OFF;
	assert_int_equal(iommu_init(1), 0);
	assert_int_equal(hw_root, 0); /* nothing enabled */
	/* A malformed table under iommu=required: refused, named. */
	hv.opt.iommu = IOMMU_REQUIRED;
	dmar[50] = 200;
	assert_int_equal(iommu_init(1), -ENODEV);
	assert_logged("DMAR: structure type 0 at offset 48 has length 200");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* The policy test first: iommu.c keeps its state once a domain is active. */
		cmocka_unit_test_setup(test_policy_without_iommu, setup),
		cmocka_unit_test_setup(test_guest_then_capture_domain, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
