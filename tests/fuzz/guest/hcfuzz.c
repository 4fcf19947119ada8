// SPDX-License-Identifier: GPL-2.0-only
/*
 * hcfuzz: the guest-side hypercall fuzzer (docs/testing.md). Loaded in a
 * guest running on the hv, it makes hypercalls from CPL 0 for `seconds`:
 * every call number (and unknown ones) with random and boundary arguments,
 * addresses in its own pages, the capture region, reserved ranges (the hv's
 * own among them), MMIO, past RAM, unaligned, across pages and wrapping.
 *
 * It never hands the hv a target that would let a legitimate call hurt the
 * guest itself: the calls that write guest memory (STATUS, CAPTURE_INFO,
 * DMA_FAULTS) get its own pages or addresses that are not RAM; SEAL_KEXEC
 * gets no RAM to seal; CRASH, UNLOAD and DUMP_STATS are left out (they
 * capture, disarm and flood the console by design). What it checks:
 *  - every call returns, with 0, a byte count or a PARACHUTE_E* code;
 *  - a write-type call wrote exactly the bytes it reported, inside one page:
 *    its four pages are filled with a pattern before each call and compared
 *    after;
 *  - capture stays armed (STATUS flags) throughout;
 *  - calls from CPL 0 to numbers the ABI lacks return -PARACHUTE_ENOSYS.
 * It prints a summary line per call number and a verdict line when the run
 * is over, before insmod returns; rmmod it to run it again.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <parachute/abi.h>

static unsigned int seconds = 20;
module_param(seconds, uint, 0444);
static unsigned long long seed;
module_param(seed, ullong, 0444);

#define NR_KNOWN  16 /* numbers 0-15 by name; others at random */
#define POOL_MAX  96
#define FILL	  0xa5

static u64 rng;
static u64 pool_any[POOL_MAX], pool_safe[POOL_MAX];
static unsigned int n_any, n_safe;
static struct page *pages; /* 4 pages: guard, buffer, buffer, guard */
static u8 *area;
static u64 area_pa;
static u64 capture_base, capture_size;

static struct {
	u64 calls, ok, err[64], bad;
} stat[NR_KNOWN + 1];

/* The PARACHUTE_E* codes the ABI defines: nothing else may come back. */
static bool abi_error(long ret)
{
	switch (-ret) {
	case PARACHUTE_EPERM:
	case PARACHUTE_E2BIG:
	case PARACHUTE_ENOEXEC:
	case PARACHUTE_EACCES:
	case PARACHUTE_EFAULT:
	case PARACHUTE_EBUSY:
	case PARACHUTE_ENODEV:
	case PARACHUTE_EINVAL:
	case PARACHUTE_ENOSPC:
	case PARACHUTE_ENOSYS:
		return true;
	}
	return false;
}

static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long hc(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	unsigned long ret = nr;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		asm volatile("vmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	else
		asm volatile("vmmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	return (long)ret;
}

static void add(u64 *pool, unsigned int *n, u64 v)
{
	if (*n < POOL_MAX)
		pool[(*n)++] = v;
}

/* Addresses that are not RAM the guest could lose: the hv must refuse writes there. */
static void add_safe(u64 v)
{
	add(pool_safe, &n_safe, v);
	add(pool_any, &n_any, v);
}

static int reserved_range(struct resource *r, void *arg)
{
	add_safe(r->start);
	add_safe(r->end & PAGE_MASK);
	add_safe(r->start + ((r->end - r->start) / 2 & PAGE_MASK));
	return n_safe >= POOL_MAX - 16;
}

static void build_pools(void)
{
	static const u64 fixed[] = { 0xfee00000,  /* the xAPIC page */
				     0xfec00000,  /* the I/O APIC */
				     0xfed00000,  /* HPET */
				     0xffffffff,
				     1ull << 45,  /* far past RAM */
				     1ull << 52,
				     0x8000000000000000ull,
				     ~0ull,
				     ~0ull - 7,
				     ~0ull - PAGE_SIZE + 1 };

	for (unsigned int i = 0; i < ARRAY_SIZE(fixed); i++)
		add_safe(fixed[i]);
	/* Low RAM is the guest's: for reads only. */
	add(pool_any, &n_any, 0);
	add(pool_any, &n_any, 1);
	add(pool_any, &n_any, 0xfff);
	/* Its own pages, at their starts, ends and across the boundary. */
	for (unsigned int p = 1; p <= 2; p++) {
		u64 base = area_pa + p * PAGE_SIZE;

		add_safe(base);
		add_safe(base + 8);
		add_safe(base + 100);
		add_safe(base + PAGE_SIZE - 72);
		add_safe(base + PAGE_SIZE - 8);
		add_safe(base + PAGE_SIZE - 1);
	}
	if (capture_size) {
		add_safe(capture_base);
		add_safe(capture_base + PAGE_SIZE);
		add_safe(capture_base + capture_size / 2);
		add_safe(capture_base + capture_size - PAGE_SIZE);
		add_safe(capture_base + capture_size - 1);
		add_safe(capture_base - 8); /* guest RAM's last bytes, then the region */
		add_safe(capture_base + capture_size);
	}
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, 0, -1, NULL, reserved_range);
	/* Reads may come from anywhere: the kernel's own text and data too. */
	add(pool_any, &n_any, __pa_symbol(&jiffies) & PAGE_MASK);
	add(pool_any, &n_any, __pa_symbol(&jiffies) - PAGE_SIZE * 7);
}

/*
 * A value for an argument. safe: an address the hv may write or seal without
 * hurting the guest (its own pages, or not RAM), from the pool, perhaps a
 * few bytes on within its own pages. Otherwise also boundaries and random.
 */
static u64 arg(bool safe)
{
	u64 r = next(), v = safe ? pool_safe[(r >> 8) % n_safe] : pool_any[(r >> 8) % n_any];

	if (safe) {
		if ((r & 3) == 0 && v >= area_pa && v < area_pa + 3 * PAGE_SIZE)
			v += (r >> 16) % 64; /* across into the next page, its own too */
		return v;
	}
	switch (r % 8) {
	case 0:
	case 1:
	case 2:
		return v;
	case 3:
		return (r >> 8) & 0xff; /* small */
	case 4:
		return 1ull << ((r >> 8) % 64);
	case 5:
		return ((r >> 8) % 3) * PAGE_SIZE + ((r >> 16) % 3) - 1;
	case 6:
		return v + ((r >> 16) % 64);
	default:
		return next();
	}
}

/* A write-type call changed only the bytes it reported, all in gpa's page. */
static bool writes_ok(u64 gpa, long ret)
{
	for (u64 i = 0; i < 4 * PAGE_SIZE; i++) {
		u64 pa = area_pa + i;

		if (area[i] == FILL)
			continue;
		if (ret <= 0 || pa < gpa || pa >= gpa + ret || (pa & PAGE_MASK) != (gpa & PAGE_MASK)) {
			pr_err("hcfuzz: byte at 0x%llx changed (call wrote %ld at 0x%llx)\n", pa, ret,
			       gpa);
			return false;
		}
	}
	return true;
}

static bool armed(void)
{
	struct parachute_status *st = (void *)(area + PAGE_SIZE);
	long ret = hc(PARACHUTE_HC_STATUS, area_pa + PAGE_SIZE, sizeof(*st), 0);

	return ret > 0 && (st->flags & PARACHUTE_STATUS_CAPTURE_ARMED);
}

static bool one_call(void)
{
	u64 nr = next() % (NR_KNOWN + 4), a0, a1, a2;
	bool writes, ok = true;
	unsigned int slot;
	long ret;

	if (nr >= NR_KNOWN)
		nr = NR_KNOWN + (next() % 1000); /* numbers the ABI does not have */
	if (nr == PARACHUTE_HC_CRASH || nr == PARACHUTE_HC_UNLOAD || nr == PARACHUTE_HC_DUMP_STATS)
		return true;
	writes = nr == PARACHUTE_HC_STATUS || nr == PARACHUTE_HC_CAPTURE_INFO ||
		 nr == PARACHUTE_HC_DMA_FAULTS || nr == PARACHUTE_HC_HISTORY;
	a0 = arg(writes || nr == PARACHUTE_HC_SEAL_KEXEC);
	a1 = arg(false);
	a2 = arg(nr == PARACHUTE_HC_LOAD_DATA ? false : writes);
	if (nr == PARACHUTE_HC_SEAL_KEXEC) {
		/* Never a seal of RAM: base outside it, or size 0 (unseal), or flags. */
		if (a0 >= area_pa && a0 < area_pa + 4 * PAGE_SIZE)
			a0 = 1ull << 45;
		if (next() & 1)
			a1 = 0;
	}
	if (nr == PARACHUTE_HC_LOAD_DATA && (next() & 1))
		a2 = area_pa + PAGE_SIZE; /* random bytes from its own page as "kernel" data */
	if (nr == PARACHUTE_HC_WATCHDOG && a0 && (next() & 3))
		a0 = 0; /* mostly stop; an armed one is stopped below */
	memset(area, FILL, 4 * PAGE_SIZE);
	if (nr == PARACHUTE_HC_GUEST_INFO || nr == PARACHUTE_HC_LOAD_DATA)
		get_random_bytes(area + PAGE_SIZE, 2 * PAGE_SIZE);
	ret = hc(nr, a0, a1, a2);
	if (nr == PARACHUTE_HC_WATCHDOG && ret == 0 && a0)
		hc(PARACHUTE_HC_WATCHDOG, 0, 0, 0);
	slot = nr < NR_KNOWN ? nr : NR_KNOWN;
	stat[slot].calls++;
	if (ret >= 0)
		stat[slot].ok++;
	else if (-ret < 64)
		stat[slot].err[-ret]++;
	if ((ret < 0 && !abi_error(ret)) || (nr >= NR_KNOWN && ret != -PARACHUTE_ENOSYS)) {
		pr_err("hcfuzz: call %llu(0x%llx, 0x%llx, 0x%llx) returned %ld\n", nr, a0, a1, a2,
		       ret);
		ok = false;
	}
	if (writes && !writes_ok(a0, ret)) {
		pr_err("hcfuzz: call %llu(0x%llx, 0x%llx) wrote outside what it reported\n", nr, a0,
		       a1);
		ok = false;
	} else if (!writes && nr != PARACHUTE_HC_GUEST_INFO && nr != PARACHUTE_HC_LOAD_DATA &&
		   memchr_inv(area, FILL, 4 * PAGE_SIZE)) {
		pr_err("hcfuzz: call %llu(0x%llx, 0x%llx, 0x%llx) wrote into guest memory\n", nr, a0,
		       a1, a2);
		ok = false;
	}
	if (!ok)
		stat[slot].bad++;
	return ok;
}

static int __init hcfuzz_init(void)
{
	unsigned int eax, ebx, ecx, edx, bad = 0, disarmed = 0;
	unsigned long end;
	u64 total = 0;
	struct parachute_status *st;

	cpuid(PARACHUTE_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	if (ebx != PARACHUTE_CPUID_EBX || ecx != PARACHUTE_CPUID_ECX || edx != PARACHUTE_CPUID_EDX) {
		pr_err("hcfuzz: not running on ParachuteHV\n");
		return -ENODEV;
	}
	pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	if (!pages)
		return -ENOMEM;
	area = page_address(pages);
	area_pa = page_to_phys(pages);
	st = (void *)(area + PAGE_SIZE);
	if (hc(PARACHUTE_HC_STATUS, area_pa + PAGE_SIZE, sizeof(*st), 0) <= 0) {
		__free_pages(pages, 2);
		return -EIO;
	}
	capture_base = st->capture_base;
	capture_size = st->capture_size;
	rng = seed ? seed : get_random_u64() | 1;
	pr_info("hcfuzz: seed %llu, %u s from CPL 0, capture %s at 0x%llx+0x%llx\n", rng, seconds,
		armed() ? "armed" : "NOT armed", capture_base, capture_size);
	build_pools();
	end = jiffies + seconds * HZ;
	while (time_before(jiffies, end) && bad < 10) {
		for (unsigned int i = 0; i < 64; i++, total++)
			bad += !one_call();
		if (!armed())
			disarmed++;
		cond_resched();
	}
	hc(PARACHUTE_HC_WATCHDOG, 0, 0, 0);
	for (unsigned int i = 0; i <= NR_KNOWN; i++) {
		char errs[160];
		int n = 0;

		if (!stat[i].calls)
			continue;
		for (unsigned int e = 1; e < 64; e++)
			if (stat[i].err[e])
				n += scnprintf(errs + n, sizeof(errs) - n, " E%u:%llu", e,
					       stat[i].err[e]);
		errs[n] = 0;
		pr_info("hcfuzz: call %s%u: %llu calls, %llu ok,%s%s\n", i == NR_KNOWN ? ">=" : "", i,
			stat[i].calls, stat[i].ok, n ? errs : " no errors",
			stat[i].bad ? " (BAD)" : "");
	}
	pr_info("hcfuzz: %llu calls from CPL 0 in %u s, %u bad, capture %s (%u disarmed checks)\n",
		total, seconds, bad, !disarmed && armed() ? "still armed" : "DISARMED", disarmed);
	__free_pages(pages, 2);
	return 0;
}

static void __exit hcfuzz_exit(void)
{
}

module_init(hcfuzz_init);
module_exit(hcfuzz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("parachute: guest-side hypercall fuzzer (tests only)");
