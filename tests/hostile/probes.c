// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile.ko: a guest kernel that attacks the hv it runs on (docs/security.md,
 * docs/testing.md). Loaded with run=CLASS,CLASS... after the parachute
 * module, it tries each class of escape and prints what the CPU and the hv
 * did, one line per probe, and a verdict ("hostile: N probes, M bad"):
 *  msr, xcr0, cr, init, heap
 *         the parachute module's own probes (guest/module/selftest.c, what
 *         `parachutectl selftest` runs on a production machine), heap with
 *         `cycles` seal/write/unseal rounds: "selftest: ..." lines;
 *  flood  `cycles` rounds of requests each of which makes the hv log a
 *         line (refused WRMSR, pvpanic CRASH_LOADED, DUMP_STATS, refused
 *         hypercalls from CPL 0): the test counts the hv's lines.
 * With crash=1, after the classes, this CPU sends INIT and start-up IPIs to
 * another, back to back, whose start-up code asks for a capture: the INITs
 * and SIPIs that reach it once it captures must be dropped, the capture go
 * on (the test reads the vmcore). With crash=2 it overwrites its own struct
 * pages instead, so that no free block of 2 MiB or more is left to see, and
 * panics: the hv's lending search must find nothing and the capture still
 * run. Neither is safe outside a test machine.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <parachute/abi.h>
#include "pc.h"

static char *run = "msr,xcr0,cr,init,heap,flood";
module_param(run, charp, 0444);
static unsigned int cycles = 10000;
module_param(cycles, uint, 0444);
static unsigned int crash;
module_param(crash, uint, 0444);
static unsigned long maxpfn;	/* crash=2: the end of RAM, in pages (max_pfn is not exported) */
module_param(maxpfn, ulong, 0444);

static unsigned int probes, bad;

#define report(class, probe, ok, fmt, ...)                                                  \
	do {                                                                                \
		probes++;                                                                   \
		bad += !(ok);                                                               \
		pr_info("hostile: %s: %s: " fmt ": %s\n", class, probe, ##__VA_ARGS__,      \
			(ok) ? "ok" : "BAD");                                               \
	} while (0)

static struct parachute_status *status_page; /* a page of the direct map, for STATUS */

static struct parachute_status hv_status(void)
{
	memset(status_page, 0, sizeof(*status_page));
	pc_hypercall(PARACHUTE_HC_STATUS, virt_to_phys(status_page), sizeof(*status_page), 0);
	return *status_page;
}

static int wrmsr_try(u32 msr, u64 v)
{
	return wrmsr_safe(msr, (u32)v, (u32)(v >> 32)) ? -EFAULT : 0;
}

/* ---- flood ---- */

static void class_flood(void)
{
	struct parachute_status st;
	u64 base;
	unsigned int i;

	rdmsrl(MSR_IA32_APICBASE, base);
	pr_info("hostile: flood: begins\n");
	for (i = 0; i < cycles; i++) {
		wrmsr_try(MSR_IA32_APICBASE, base | 1);	/* refused WRMSR */
		outb(2, 0x505);					/* pvpanic CRASH_LOADED */
		pc_hypercall(PARACHUTE_HC_DUMP_STATS, 0, 0, 0);
		pc_hypercall(PARACHUTE_HC_LOAD_COMMIT, 0, 0, 0);		/* no load open: refused */
		pc_hypercall(PARACHUTE_HC_GUEST_INFO, 0, 16, 0);		/* not RAM: refused */
		pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, 4096, 4096, 0);	/* below 1 MiB: refused */
	}
	st = hv_status();
	report("flood", "requests that each log a line", st.abi_version == PARACHUTE_ABI_VERSION,
	       "%u rounds of 6, the hv still answers (ABI 0x%x)", i, st.abi_version);
	pr_info("hostile: flood: ends\n");
}

/* ---- The crash, and INIT at the capturing vCPU. ---- */

/*
 * INIT and start-up IPIs from this CPU to the first other one, back to back:
 * the start-up code asks for a capture (CRASH), so that CPU becomes the
 * capturing vCPU while INITs and SIPIs keep coming. Those after its election
 * must be dropped (logged by the hv), the capture go on; this CPU parks.
 */
static void crash_with_init(void)
{
	unsigned int self = smp_processor_id();
	unsigned int target = cpumask_any_but(cpu_online_mask, self);
	struct parachute_status st = hv_status();
	u32 apicid;
	u8 *page;

	if (target >= nr_cpu_ids) {
		pr_info("hostile: one CPU: no INIT at a capturing vCPU to send\n");
		return;
	}
	apicid = per_cpu(x86_cpu_to_apicid, target);
	page = memremap(PC_SIPI_PAGE, PAGE_SIZE, MEMREMAP_WB);
	if (!page)
		return;
	pc_sipi_install(page, (u32)st.capture_base, true);
	pr_info("hostile: cpu%u: INIT and start-up IPIs to cpu%u (APIC %u), whose start-up code asks for a capture\n",
		self, target, apicid);
	for (unsigned int i = 0; i < 100000; i++) {
		apic_icr_write(APIC_INT_ASSERT | APIC_DM_INIT, apicid);
		apic_icr_write(APIC_DM_STARTUP | (PC_SIPI_PAGE >> 12), apicid);
	}
	pr_info("hostile: cpu%u: still running: no capture came\n", self);
}

/*
 * A guest that overwrote its own struct pages: every free block of 2 MiB
 * and more (PageBuddy, its order in page->private) now reads as one free
 * page, the rest of it as pages in use. What makedumpfile and the hv's
 * lending search read of the page allocator then holds no free run to lend;
 * the dump keeps those pages (mostly zero, which makedumpfile drops anyway).
 * Interrupts off until the panic: the allocator never sees the damage.
 */
static void crash_with_scribbled_memmap(void)
{
	unsigned long pfn, n = 0;

	local_irq_disable();
	for (pfn = 0; pfn < maxpfn; pfn++) {
		struct page *pg;

		if (!pfn_valid(pfn))
			continue;
		pg = pfn_to_page(pfn);
		if (PageBuddy(pg) && page_private(pg) >= 9) {
			set_page_private(pg, 0);
			n++;
		}
	}
	pr_emerg("hostile: %lu free block(s) of 2 MiB or more below pfn 0x%lx now read as 4 KiB\n",
		 n, maxpfn);
	panic("hostile: struct pages overwritten");
}

static int __init hostile_init(void)
{
	struct pc_selftest_out o = { 0 };
	const char *p;
	bool flood = false;

	status_page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!status_page)
		return -ENOMEM;
	/* The parachute module's probes, then the flood if asked for. */
	pc_selftest(run, cycles, &o);
	for (p = run; *p && !flood; p += strcspn(p, ","), p += *p == ',')
		flood = strcspn(p, ",") == 5 && !strncmp(p, "flood", 5);
	if (flood)
		class_flood();
	pr_info("hostile: %u probes, %u bad\n", o.probes + probes, o.failed + bad);
	if (crash == 2 && maxpfn)
		crash_with_scribbled_memmap();
	if (crash == 1) {
		preempt_disable();
		crash_with_init();
		preempt_enable();
	}
	return 0;
}

static void __exit hostile_exit(void)
{
	free_page((unsigned long)status_page);
}

module_init(hostile_init);
module_exit(hostile_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("parachute: a guest kernel that attacks the hv (tests only)");
