// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile.ko: a guest kernel that attacks the hv it runs on (docs/security.md,
 * docs/testing.md). Loaded with run=CLASS,CLASS... it tries each class of
 * escape and prints what the CPU and the hv did, one line per probe:
 *
 *   hostile: CLASS: PROBE: WHAT HAPPENED: ok|BAD
 *
 * and a verdict line, "hostile: N probes, M bad". Classes:
 *  msr    WRMSR values a processor refuses: the x2APIC ICR in xAPIC mode,
 *         reserved APIC base bits, a moved APIC base, EFER reserved bits,
 *         EFER.LME cleared under paging. Each must #GP, and leave the MSR.
 *  xcr0   XSETBV values that break XCR0's rules (SDM vol. 1, 13.3): #GP.
 *  cr     MOV to CR4 with a reserved or hidden bit, to CR3 past MAXPHYADDR;
 *         under VMX, which sees them, CR0's upper half and CR4.PAE off in
 *         long mode too: #GP, nothing changed.
 *  init   INIT and start-up IPIs to an offline CPU whose SIPI page reads
 *         the hv's image at 1 MiB and the capture region: the code must run
 *         in guest mode, reading all-ones, and the CPU come back online.
 *  seal   `cycles` rounds of sealing a buffer, writing into it and
 *         unsealing: every write dropped, the hv's heap (STATUS) where it
 *         started.
 *  flood  `cycles` rounds of requests each of which makes the hv log a
 *         line (refused WRMSR, pvpanic CRASH_LOADED, DUMP_STATS, a refused
 *         hypercall from CPL 0 ...): the test counts the hv's lines.
 * With crash=1, after the classes, this CPU sends INIT and start-up IPIs to
 * another, back to back, whose start-up code asks for a capture: the INITs
 * and SIPIs that reach it once it captures must be dropped, the capture go
 * on (the test reads the vmcore).
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

static char *run = "msr,xcr0,cr,init,seal,flood";
module_param(run, charp, 0444);
static unsigned int cycles = 10000;
module_param(cycles, uint, 0444);
static unsigned int crash;
module_param(crash, uint, 0444);

static unsigned int probes, bad;

#define report(class, probe, ok, fmt, ...)                                                  \
	do {                                                                                \
		probes++;                                                                   \
		bad += !(ok);                                                               \
		pr_info("hostile: %s: %s: " fmt ": %s\n", class, probe, ##__VA_ARGS__,      \
			(ok) ? "ok" : "BAD");                                               \
	} while (0)

static long hc(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	unsigned long ret = nr;

	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		asm volatile("vmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	else
		asm volatile("vmmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	return (long)ret;
}

static bool vmx(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
}

static struct parachute_status *status_page; /* a page of the direct map, for STATUS */

static struct parachute_status hv_status(void)
{
	memset(status_page, 0, sizeof(*status_page));
	hc(PARACHUTE_HC_STATUS, virt_to_phys(status_page), sizeof(*status_page), 0);
	return *status_page;
}

/* ---- The instructions, each with a fault taken as -EFAULT (the kernel's extable). ---- */

static int wrmsr_try(u32 msr, u64 v)
{
	return wrmsr_safe(msr, (u32)v, (u32)(v >> 32)) ? -EFAULT : 0;
}

static int xsetbv_try(u32 index, u64 v)
{
	int err = 0;

	asm volatile("1: xsetbv\n2:\n" _ASM_EXTABLE_TYPE_REG(1b, 2b, EX_TYPE_EFAULT_REG, %[err])
		     : [err] "+r"(err)
		     : "c"(index), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
	return err;
}

#define MOV_CR_TRY(n)                                                                       \
	static int mov_cr##n##_try(unsigned long v)                                         \
	{                                                                                   \
		int err = 0;                                                                \
		asm volatile("1: mov %[v], %%cr" #n "\n2:\n" _ASM_EXTABLE_TYPE_REG(          \
				     1b, 2b, EX_TYPE_EFAULT_REG, %[err])                      \
			     : [err] "+r"(err)                                                \
			     : [v] "r"(v)                                                     \
			     : "memory");                                                     \
		return err;                                                                 \
	}
MOV_CR_TRY(0)
MOV_CR_TRY(3)
MOV_CR_TRY(4)

/* ---- msr ---- */

static void class_msr(void)
{
	u64 base, efer, after;
	int err;

	rdmsrl(MSR_IA32_APICBASE, base);
	if (!(base & X2APIC_ENABLE)) {
		err = wrmsr_try(0x830, 0);
		report("msr", "x2APIC ICR in xAPIC mode", err, "WRMSR 0x830 <- 0 %s",
		       err ? "#GP" : "taken");
	}
	err = wrmsr_try(MSR_IA32_APICBASE, base | 1);
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base bit 0", err && after == base, "%s, APIC base 0x%llx",
	       err ? "#GP" : "taken", after);
	err = wrmsr_try(MSR_IA32_APICBASE, base | (1ull << 9));
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base bit 9", err && after == base, "%s, APIC base 0x%llx",
	       err ? "#GP" : "taken", after);
	err = wrmsr_try(MSR_IA32_APICBASE, base | (1ull << boot_cpu_data.x86_phys_bits));
	report("msr", "APIC base past MAXPHYADDR", err, "%s", err ? "#GP" : "taken");
	err = wrmsr_try(MSR_IA32_APICBASE, base ^ 0x100000);
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base moved", err && after == base, "%s, APIC base 0x%llx",
	       err ? "#GP" : "taken", after);
	if (!boot_cpu_has(X86_FEATURE_X2APIC)) {
		err = wrmsr_try(MSR_IA32_APICBASE, base | X2APIC_ENABLE);
		report("msr", "x2APIC without the feature", err, "%s", err ? "#GP" : "taken");
	}
	rdmsrl(MSR_EFER, efer);
	err = wrmsr_try(MSR_EFER, efer | (1ull << 63));
	report("msr", "EFER bit 63", err, "%s", err ? "#GP" : "taken");
	err = wrmsr_try(MSR_EFER, efer | (1ull << 13));
	report("msr", "EFER.LMSLE", err, "%s", err ? "#GP" : "taken");
	if (!boot_cpu_has(X86_FEATURE_FXSR_OPT)) {
		err = wrmsr_try(MSR_EFER, efer | (1ull << 14));
		report("msr", "EFER.FFXSR without the feature", err, "%s", err ? "#GP" : "taken");
	}
	if (!boot_cpu_has(X86_FEATURE_TCE)) {
		err = wrmsr_try(MSR_EFER, efer | (1ull << 15));
		report("msr", "EFER.TCE without the feature", err, "%s", err ? "#GP" : "taken");
	}
	/* LME off while paging is on: #GP, or a VM entry the CPU refuses. */
	err = wrmsr_try(MSR_EFER, efer & ~EFER_LME);
	rdmsrl(MSR_EFER, after);
	report("msr", "EFER.LME off under paging", err && after == efer, "%s, EFER 0x%llx",
	       err ? "#GP" : "taken", after);
}

/* ---- xcr0 ---- */

static void class_xcr0(void)
{
	u64 xcr0, after;
	int err;

	if (!(native_read_cr4() & X86_CR4_OSXSAVE)) {
		report("xcr0", "XSETBV", true, "no XSAVE on this CPU: not reachable");
		return;
	}
	xcr0 = xgetbv(0);
	err = xsetbv_try(0, (xcr0 & ~XFEATURE_MASK_SSE) | XFEATURE_MASK_YMM);
	report("xcr0", "AVX without SSE", err, "%s", err ? "#GP" : "taken");
	err = xsetbv_try(0, xcr0 & ~XFEATURE_MASK_FP);
	report("xcr0", "x87 off", err, "%s", err ? "#GP" : "taken");
	err = xsetbv_try(1, xcr0);
	report("xcr0", "XCR1", err, "%s", err ? "#GP" : "taken");
	err = xsetbv_try(0, xcr0 | XFEATURE_MASK_BNDREGS);
	report("xcr0", "MPX half", err, "%s", err ? "#GP" : "taken");
	err = xsetbv_try(0, xcr0 | (1ull << 17));
	report("xcr0", "AMX half", err, "%s", err ? "#GP" : "taken");
	err = xsetbv_try(0, xcr0 | (1ull << 62));
	report("xcr0", "reserved bit 62", err, "%s", err ? "#GP" : "taken");
	after = xgetbv(0);
	report("xcr0", "XCR0 afterwards", after == xcr0, "0x%llx, was 0x%llx", after, xcr0);
}

/* ---- cr ---- */

static void class_cr(void)
{
	unsigned long cr0 = native_read_cr0(), cr3 = __native_read_cr3(), cr4 = native_read_cr4();
	unsigned long flags;
	int err;

	local_irq_save(flags);
	err = mov_cr4_try(cr4 | (1ul << 15));
	report("cr", "CR4 bit 15", err && native_read_cr4() == cr4, "%s", err ? "#GP" : "taken");
	err = mov_cr4_try(cr4 | X86_CR4_VMXE);
	report("cr", "CR4.VMXE", err && native_read_cr4() == cr4, "%s", err ? "#GP" : "taken");
	err = mov_cr4_try(cr4 | (1ul << 32));
	report("cr", "CR4 bit 32", err && native_read_cr4() == cr4, "%s", err ? "#GP" : "taken");
	err = mov_cr3_try(cr3 | (1ul << 62));
	report("cr", "CR3 past MAXPHYADDR", err && __native_read_cr3() == cr3, "%s",
	       err ? "#GP" : "taken");
	/*
	 * The hv sees CR0 and CR4 writes only under VMX; under SVM the CPU
	 * checks them itself (QEMU's TCG lets a CR0 with its upper half set,
	 * and paging off in 64-bit code, through: not tried there).
	 */
	if (vmx()) {
		err = mov_cr0_try(cr0 | (1ul << 32));
		report("cr", "CR0 bit 32", err && native_read_cr0() == cr0, "%s",
		       err ? "#GP" : "taken");
		err = mov_cr4_try(cr4 & ~X86_CR4_PAE);
		report("cr", "CR4.PAE off in long mode", err && native_read_cr4() == cr4, "%s",
		       err ? "#GP" : "taken");
		err = mov_cr0_try(cr0 & ~X86_CR0_PG);
		report("cr", "CR0.PG off in 64-bit code", err && native_read_cr0() == cr0, "%s",
		       err ? "#GP" : "taken");
	}
	local_irq_restore(flags);
}

/* ---- init ---- */

/*
 * The start-up code for the offline CPU, at a page below 1 MiB: from real
 * mode into flat 32-bit protected mode, read a dword at 1 MiB (the hv's
 * image: its Multiboot header) and at the capture region, store them with
 * a marker, halt for good.
 */
extern const u8 hostile_sipi[], hostile_sipi_end[];
/* Offsets in the page, fixed by sipi.S. */
#define SIPI_CAPTURE 0x100 /* u32: the capture region's address, filled in */
#define SIPI_RESULT  0x104 /* u32 marker, u32 at 1 MiB, u32 at the capture region */
#define SIPI_MARKER  0x5eed1e55

#define SIPI_PAGE 0x5000 /* vector 5: an unused page of the low 1 MiB Linux keeps */

static int wait_marker(volatile u32 *res, unsigned int ms)
{
	for (unsigned int i = 0; i < ms; i++) {
		if (READ_ONCE(res[0]) == SIPI_MARKER)
			return 0;
		mdelay(1);
	}
	return -ETIMEDOUT;
}

static void class_init(void)
{
	struct parachute_status st = hv_status();
	unsigned int target = num_online_cpus() - 1;
	static u8 saved[PAGE_SIZE];
	u8 *page;
	volatile u32 *res;
	u32 apicid;
	int err;

	if (num_online_cpus() < 2) {
		report("init", "INIT/SIPI to an offline CPU", true, "one CPU: not reachable");
		return;
	}
	page = memremap(SIPI_PAGE, PAGE_SIZE, MEMREMAP_WB);
	if (!page) {
		report("init", "INIT/SIPI to an offline CPU", false, "cannot map the SIPI page");
		return;
	}
	apicid = per_cpu(x86_cpu_to_apicid, target);
	err = remove_cpu(target);
	if (err) {
		report("init", "INIT/SIPI to an offline CPU", false, "remove_cpu(%u): %d", target,
		       err);
		memunmap(page);
		return;
	}
	memcpy(saved, page, PAGE_SIZE);
	memset(page, 0, PAGE_SIZE);
	memcpy(page, hostile_sipi, hostile_sipi_end - hostile_sipi);
	*(u32 *)(page + SIPI_CAPTURE) = (u32)st.capture_base;
	res = (volatile u32 *)(page + SIPI_RESULT);
	wbinvd();
	/* SDM vol. 3A, 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI. */
	apic_icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apicid);
	mdelay(10);
	for (int i = 0; i < 2 && READ_ONCE(res[0]) != SIPI_MARKER; i++) {
		apic_icr_write(APIC_DM_STARTUP | (SIPI_PAGE >> 12), apicid);
		udelay(200);
	}
	err = wait_marker(res, 2000);
	if (err)
		report("init", "INIT/SIPI to an offline CPU", false,
		       "cpu%u (APIC %u): the start-up code never ran", target, apicid);
	else
		report("init", "INIT/SIPI to an offline CPU",
		       res[1] == 0xffffffff && res[2] == 0xffffffff,
		       "cpu%u (APIC %u) ran it, in guest mode: 1 MiB reads 0x%08x, the capture region 0x%08x",
		       target, apicid, res[1], res[2]);
	memcpy(page, saved, PAGE_SIZE);
	memunmap(page);
	/* Linux starts it again: the hv's INIT/SIPI path once more. */
	err = add_cpu(target);
	report("init", "CPU back online", !err && cpu_online(target), "add_cpu(%u): %d", target,
	       err);
}

/* ---- seal ---- */

static void class_seal(void)
{
	const unsigned int order = 10; /* 4 MiB: a 2 MiB leaf at least, split by the writes */
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	u64 before, after, base;
	unsigned int i, dropped = 0, refused = 0;
	volatile u8 *buf;

	if (!pg) {
		report("seal", "seal/write/unseal cycles", false, "no 4 MiB buffer");
		return;
	}
	buf = page_address(pg);
	base = page_to_phys(pg);
	before = hv_status().heap_used;
	for (i = 0; i < cycles; i++) {
		/* Page edges inside 2 MiB leaves, and a write in a different page each time. */
		u64 start = base + PAGE_SIZE, size = (2ull << 20) + PAGE_SIZE;
		unsigned int off = PAGE_SIZE + ((i * 17) % 512) * PAGE_SIZE + 8;

		if (hc(PARACHUTE_HC_SEAL_KEXEC, start, size, 0)) {
			refused++;
			break;
		}
		buf[off] = 0x5a;
		dropped += buf[off] == 0;
		if (hc(PARACHUTE_HC_SEAL_KEXEC, 0, 0, 0)) {
			refused++;
			break;
		}
	}
	after = hv_status().heap_used;
	report("seal", "seal/write/unseal cycles", !refused && dropped == i && after == before,
	       "%u cycles, %u writes dropped, hv heap %llu KiB before, %llu KiB after", i, dropped,
	       before >> 10, after >> 10);
	__free_pages(pg, order);
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
		hc(PARACHUTE_HC_DUMP_STATS, 0, 0, 0);
		hc(PARACHUTE_HC_LOAD_COMMIT, 0, 0, 0);		/* no load open: refused */
		hc(PARACHUTE_HC_GUEST_INFO, 0, 16, 0);		/* not RAM: refused */
		hc(PARACHUTE_HC_SEAL_KEXEC, 4096, 4096, 0);	/* below 1 MiB: refused */
	}
	st = hv_status();
	report("flood", "requests that each log a line", st.abi_version == PARACHUTE_ABI_VERSION,
	       "%u rounds of 6, the hv still answers (ABI 0x%x)", i, st.abi_version);
	pr_info("hostile: flood: ends\n");
}

/* ---- The crash, and INIT at the capturing vCPU. ---- */

#define SIPI_CRASH 0x110 /* u8: 1 VMMCALL, 2 VMCALL: CRASH from the start-up code */

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
	page = memremap(SIPI_PAGE, PAGE_SIZE, MEMREMAP_WB);
	if (!page)
		return;
	memset(page, 0, PAGE_SIZE);
	memcpy(page, hostile_sipi, hostile_sipi_end - hostile_sipi);
	*(u32 *)(page + SIPI_CAPTURE) = (u32)st.capture_base;
	page[SIPI_CRASH] = vmx() ? 2 : 1;
	wbinvd();
	pr_info("hostile: cpu%u: INIT and start-up IPIs to cpu%u (APIC %u), whose start-up code asks for a capture\n",
		self, target, apicid);
	for (unsigned int i = 0; i < 100000; i++) {
		apic_icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apicid);
		apic_icr_write(APIC_DM_STARTUP | (SIPI_PAGE >> 12), apicid);
	}
	pr_info("hostile: cpu%u: still running: no capture came\n", self);
}

static int __init hostile_init(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} classes[] = { { "msr", class_msr },	{ "xcr0", class_xcr0 }, { "cr", class_cr },
			{ "init", class_init }, { "seal", class_seal }, { "flood", class_flood } };
	unsigned int i;

	status_page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!status_page)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		size_t n = strlen(classes[i].name);

		/* run is a comma-separated list: a class runs if one of its words is the name. */
		for (const char *p = run; *p; p += strcspn(p, ","), p += *p == ',')
			if (strcspn(p, ",") == n && !strncmp(p, classes[i].name, n)) {
				classes[i].fn();
				break;
			}
	}
	pr_info("hostile: %u probes, %u bad\n", probes, bad);
	if (crash) {
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
