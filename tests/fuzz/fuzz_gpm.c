// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's nested page tables under a guest that seals, writes where it
 * may not, unseals and touches MMIO in any order, with vCPUs that flush late
 * or leave the space (arch/x86/guest_mem.c, arch/x86/paging.c, hv/mm.c: the
 * real page-table engine, the real page allocator over a heap of its own).
 * After every operation each page checked maps where build, seal and the
 * steps in flight say (hidden pages to the all-ones page, the sealed range
 * read-only, a page being stepped over to the scratch page, the rest
 * identity and writable); the tables never exceed their budgets; and once
 * everything is unsealed, every step ended and every vCPU flushed, the heap
 * is back where the build left it.
 *
 * The guest: 64 MiB of RAM at 0, 2 MiB nested pages (as under TCG), a page
 * hidden at HIDDEN, two vCPUs.
 * Input: a sequence of operations, each a byte and its arguments:
 *   0  seal: u16 start page, u16 pages (the hv's SEAL_KEXEC checks first)
 *   1  unseal
 *   2  a write to a protected page begins (u16 page): the scratch mapped
 *   3  the newest step in flight ends (the page mapped back, merged)
 *   4  vCPU u8 % 2 flushes (takes the space's generation)
 *   5  vCPU u8 % 2 leaves the space, or comes back (parked and started again)
 *   6  MMIO above the map: u8 GiB past the end
 *   7  reclaim
 */
#include "fuzz.h"
/* Compiled here so that each input starts from fresh file-scope state. */
#include "../../arch/x86/guest_mem.c"
#include <hv/percpu.h>

#define RAM_SIZE   (64 * MiB)
#define HIDDEN	   (40 * MiB + 5 * PAGE_SIZE)
#define HEAP_BASE  0x50000000ull
#define HEAP_SIZE  (4 * MiB)
#define MAX_STEPS  4

struct percpu percpu_area[MAX_CPUS];
static u8 *heap;
static u64 built_heap;
static u64 steps[MAX_STEPS];
static unsigned int nr_steps;
static u64 seal_lo, seal_hi; /* what the harness sealed */

unsigned int __wrap_cpu_phys_bits(void);
unsigned int __wrap_cpu_phys_bits(void)
{
	return 40;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	heap = fuzz_map_fixed(HEAP_BASE, HEAP_SIZE);
	fuzz_unpoison(heap, HEAP_SIZE);
	return 0;
}

static void flush(unsigned int i)
{
	if (percpu_area[i].state == CPU_GUEST)
		percpu_area[i].arch.gpm_gen = guest_gpm.gen;
}

/* Where the page at gpa must map now, and with what. */
static void expect(u64 gpa, u64 *pa, bool *write)
{
	*pa = gpa;
	*write = true;
	for (unsigned int i = 0; i < nr_steps; i++)
		if (steps[i] == gpa) {
			*pa = ~0ull; /* the scratch page: any writable page but the guest's own */
			return;
		}
	if (gpa == HIDDEN) {
		*pa = ~1ull; /* the all-ones page */
		*write = false;
	} else if (gpa >= seal_lo && gpa < seal_hi) {
		*write = false;
	}
}

static void check_page(u64 gpa)
{
	u64 pa, want;
	unsigned int flags, level;
	bool write;

	fuzz_check(pt_walk(&guest_gpm.pt, gpa, &pa, &flags, &level));
	expect(gpa, &want, &write);
	if (want == ~0ull) {
		fuzz_check(pa != gpa && (flags & PT_WRITE) && level == 1);
	} else if (want == ~1ull) {
		fuzz_check(pa != gpa && !(flags & PT_WRITE));
	} else {
		fuzz_check(pa == gpa);
		fuzz_check(!!(flags & PT_WRITE) == write);
	}
}

static void check(const u64 *touched, unsigned int n)
{
	/* The pages the input named, their neighbours, the seal's edges and the hidden page. */
	for (unsigned int i = 0; i < n; i++)
		for (s64 d = -1; d <= 1; d++)
			if (touched[i] + d * PAGE_SIZE < RAM_SIZE)
				check_page(touched[i] + d * PAGE_SIZE);
	check_page(HIDDEN);
	if (seal_lo < seal_hi) {
		check_page(seal_lo);
		check_page(seal_hi - PAGE_SIZE);
		if (seal_hi < RAM_SIZE)
			check_page(seal_hi);
	}
	/* What the guest's writes split, the merges retired, the MMIO added: all bounded. */
	fuzz_check(guest_gpm.pt.nr_retired <= PT_RETIRE_MAX);
	fuzz_check(guest_gpm.mmio_tables <= GPM_MMIO_TABLES);
	fuzz_check(heap_used() <= built_heap +
			(u64)(GPM_SPLIT_TABLES + PT_RETIRE_MAX + GPM_MMIO_TABLES + 8) * PAGE_SIZE);
}

static void setup(void)
{
	memset(percpu_area, 0, sizeof(percpu_area));
	memset(&hv, 0, sizeof(hv));
	memset(&guest_gpm, 0, sizeof(guest_gpm));
	memmap_add(&hv.guest_map, 0, RAM_SIZE, E820_RAM);
	hv_hide(HIDDEN, HIDDEN + PAGE_SIZE, "hidden page");
	heap_init(HEAP_BASE, HEAP_SIZE);
	nr_steps = 0;
	seal_lo = seal_hi = 0;
	/* guest_mem.c's own state, as at boot. */
	ones_page = scratch_page = NULL;
	nr_overlays = 0;
	memset(&map_lock, 0, sizeof(map_lock));
	fuzz_check(!gpm_build(&guest_gpm, GPM_GUEST, &pt_npt, 2));
	for (unsigned int i = 0; i < 2; i++) {
		percpu_area[i].state = CPU_GUEST;
		percpu_area[i].arch.gpm = &guest_gpm;
		flush(i);
	}
	built_heap = heap_used();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u64 touched[64];
	unsigned int nt = 0, mmio_before;

	setup();
	while (in.n && nt < 64) {
		u8 o = fuzz_u8(&in) % 8, v;
		u64 page, pages;

		switch (o) {
		case 0:
			page = fuzz_u16(&in) % (RAM_SIZE / PAGE_SIZE);
			pages = fuzz_u16(&in) % 4096 + 1;
			/* What arch_seal_kexec() lets through: RAM above 1 MiB, not hidden, one range. */
			if (seal_lo < seal_hi || page * PAGE_SIZE < MiB ||
			    (page + pages) * PAGE_SIZE > RAM_SIZE ||
			    hv_is_hidden(page * PAGE_SIZE, pages * PAGE_SIZE))
				break;
			if (!gpm_seal(page * PAGE_SIZE, (page + pages) * PAGE_SIZE)) {
				seal_lo = page * PAGE_SIZE;
				seal_hi = (page + pages) * PAGE_SIZE;
			}
			touched[nt++] = page * PAGE_SIZE;
			break;
		case 1:
			if (seal_lo == seal_hi || nr_steps)
				break; /* a step in flight is in the seal's lock's way in the hv */
			fuzz_check(!gpm_seal(0, 0));
			touched[nt++] = seal_lo;
			seal_lo = seal_hi = 0;
			break;
		case 2:
			page = (fuzz_u16(&in) % (RAM_SIZE / PAGE_SIZE)) * PAGE_SIZE;
			if (nr_steps == MAX_STEPS || !gpm_write_protected(&guest_gpm, page))
				break;
			for (unsigned int i = 0; i < nr_steps; i++)
				if (steps[i] == page)
					goto skip;
			if (gpm_redirect(&guest_gpm, page, true) == 0) {
				/* The vCPU that steps records it, as vcpu_handle_npf() does. */
				percpu_area[nr_steps].arch.step = (struct hidden_step){ true, false, page, 0 };
				steps[nr_steps++] = page;
			}
			touched[nt++] = page;
skip:
			break;
		case 3:
			if (!nr_steps)
				break;
			page = steps[--nr_steps];
			fuzz_check(!gpm_redirect(&guest_gpm, page, false));
			percpu_area[nr_steps].arch.step.active = false; /* as vcpu_handle_db() does */
			touched[nt++] = page;
			break;
		case 4:
			flush(fuzz_u8(&in) % 2);
			break;
		case 5:
			v = fuzz_u8(&in) % 2;
			percpu_area[v].state = percpu_area[v].state == CPU_GUEST ? CPU_PARKED : CPU_GUEST;
			if (percpu_area[v].state == CPU_GUEST) /* started again: a full flush first */
				flush(v);
			break;
		case 6:
			mmio_before = guest_gpm.mmio_tables;
			page = gpm_limit() + (u64)fuzz_u8(&in) * GiB;
			if (!gpm_map_mmio(&guest_gpm, page))
				fuzz_check(guest_gpm.mmio_tables >= mmio_before);
			break;
		default:
			gpm_reclaim(&guest_gpm);
		}
		check(touched, nt);
	}
	/* Everything given back: no step in flight, unsealed, every vCPU flushed, reclaimed. */
	while (nr_steps) {
		fuzz_check(!gpm_redirect(&guest_gpm, steps[--nr_steps], false));
		percpu_area[nr_steps].arch.step.active = false;
	}
	if (seal_lo < seal_hi)
		fuzz_check(!gpm_seal(0, 0));
	seal_lo = seal_hi = 0;
	for (unsigned int i = 0; i < 2; i++) {
		percpu_area[i].state = CPU_GUEST;
		flush(i);
	}
	gpm_reclaim(&guest_gpm);
	check(touched, nt);
	fuzz_check(heap_used() == built_heap + (u64)guest_gpm.mmio_tables * PAGE_SIZE);
	return 0;
}
