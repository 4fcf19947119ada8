// SPDX-License-Identifier: GPL-2.0-only
/*
 * `parachutectl selftest` (docs/security.md): probes of the hv's promises
 * against a hostile guest that are safe on a production machine, run from
 * CPL 0. Each reports what the CPU and the hv did:
 *   msr    WRMSR values a processor refuses: #GP, the MSR unchanged
 *   xcr0   XSETBV values that break XCR0's rules: #GP, XCR0 unchanged
 *   cr     MOV to CR3/CR4 (and, under VMX, CR0) with reserved or hidden bits
 *   init   INIT and start-up IPIs to a CPU taken offline, whose start-up code
 *          reads the hv's image and the capture region: it must run in guest
 *          mode (both reads all-ones), and the CPU come back online
 *   heap   seal/write/unseal rounds on a buffer of its own: the writes
 *          dropped, the hv's heap where it was (STATUS.heap_used)
 *   iommu  the hv's view of its DMA isolation (STATUS)
 * tests/hostile/hostile.ko runs the same classes, with 10,000 heap rounds,
 * and what is not safe on a production machine besides.
 */
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <parachute/abi.h>
#include "pc.h"

static struct pc_selftest_out *out;

static void report(const char *class, const char *probe, bool ok, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	out->probes++;
	out->failed += !ok;
	pr_info("selftest: %s: %s: %s: %s\n", class, probe, what, ok ? "ok" : "FAILED");
	if (out->buf && out->len < out->size)
		out->len += scnprintf(out->buf + out->len, out->size - out->len,
				      "selftest: %s: %s: %s: %s\n", class, probe, what,
				      ok ? "ok" : "FAILED");
}

static bool vmx(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_INTEL;
}

/* STATUS into a page of the direct map (the hv writes only guest RAM it may). */
static bool hv_status(struct parachute_status *st)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);
	long ret = page ? pc_hypercall(PARACHUTE_HC_STATUS, virt_to_phys((void *)page),
				       sizeof(*st), 0) :
			  -ENOMEM;

	if (ret >= 0)
		memcpy(st, (void *)page, sizeof(*st));
	free_page(page);
	return ret >= 0;
}

/* ---- The instructions, a fault taken as -EFAULT (the kernel's exception table). ---- */

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

#define MOV_CR_TRY(n)                                                                      \
	static int mov_cr##n##_try(unsigned long v)                                        \
	{                                                                                  \
		int err = 0;                                                               \
		asm volatile("1: mov %[v], %%cr" #n "\n2:\n" _ASM_EXTABLE_TYPE_REG(         \
				     1b, 2b, EX_TYPE_EFAULT_REG, %[err])                     \
			     : [err] "+r"(err)                                               \
			     : [v] "r"(v)                                                    \
			     : "memory");                                                    \
		return err;                                                                \
	}
MOV_CR_TRY(0)
MOV_CR_TRY(3)
MOV_CR_TRY(4)

/* INVLPGA (0f 01 df): an SVM instruction, #UD on a CPU that shows no SVM. */
static int invlpga_try(void)
{
	int err = 0;

	asm volatile("1: .byte 0x0f, 0x01, 0xdf\n2:\n" _ASM_EXTABLE_TYPE_REG(1b, 2b, EX_TYPE_EFAULT_REG,
									  %[err])
		     : [err] "+r"(err)
		     : "a"(0UL), "c"(0U)
		     : "memory");
	return err;
}

static const char *gp(int err)
{
	return err ? "#GP" : "taken";
}

/* ---- msr ---- */

static void class_msr(void)
{
	u64 base, efer, after;
	int err;

	rdmsrl(MSR_IA32_APICBASE, base);
	if (!(base & X2APIC_ENABLE)) {
		err = wrmsr_try(0x830, 0);
		report("msr", "x2APIC ICR in xAPIC mode", err, "WRMSR 0x830 <- 0 %s", gp(err));
	}
	err = wrmsr_try(MSR_IA32_APICBASE, base | 1);
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base bit 0", err && after == base, "%s, APIC base 0x%llx", gp(err),
	       after);
	err = wrmsr_try(MSR_IA32_APICBASE, base | (1ull << 9));
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base bit 9", err && after == base, "%s, APIC base 0x%llx", gp(err),
	       after);
	err = wrmsr_try(MSR_IA32_APICBASE, base | (1ull << boot_cpu_data.x86_phys_bits));
	report("msr", "APIC base past MAXPHYADDR", err, "%s", gp(err));
	err = wrmsr_try(MSR_IA32_APICBASE, base ^ 0x100000);
	rdmsrl(MSR_IA32_APICBASE, after);
	report("msr", "APIC base moved", err && after == base, "%s, APIC base 0x%llx", gp(err),
	       after);
	if (!boot_cpu_has(X86_FEATURE_X2APIC)) {
		err = wrmsr_try(MSR_IA32_APICBASE, base | X2APIC_ENABLE);
		report("msr", "x2APIC without the feature", err, "%s", gp(err));
	}
	rdmsrl(MSR_EFER, efer);
	err = wrmsr_try(MSR_EFER, efer | (1ull << 63));
	report("msr", "EFER bit 63", err, "%s", gp(err));
	err = wrmsr_try(MSR_EFER, efer | (1ull << 13));
	report("msr", "EFER.LMSLE", err, "%s", gp(err));
	if (!boot_cpu_has(X86_FEATURE_FXSR_OPT)) {
		err = wrmsr_try(MSR_EFER, efer | (1ull << 14));
		report("msr", "EFER.FFXSR without the feature", err, "%s", gp(err));
	}
	if (!boot_cpu_has(X86_FEATURE_TCE)) {
		err = wrmsr_try(MSR_EFER, efer | (1ull << 15));
		report("msr", "EFER.TCE without the feature", err, "%s", gp(err));
	}
	/* LME off while paging is on: #GP, or a VM entry the CPU would refuse. */
	err = wrmsr_try(MSR_EFER, efer & ~EFER_LME);
	rdmsrl(MSR_EFER, after);
	report("msr", "EFER.LME off under paging", err && after == efer, "%s, EFER 0x%llx",
	       gp(err), after);
	/*
	 * AMD routes memory with MSRs (TOP_MEM, the IORRs, SYSCFG): the hv keeps
	 * them. TOP_MEM written with the value it reads, so that a machine that
	 * took the write is unchanged.
	 */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD) {
		u64 top = 0;

		rdmsrl_safe(MSR_K8_TOP_MEM1, &top);
		err = wrmsr_try(MSR_K8_TOP_MEM1, top);
		report("msr", "TOP_MEM (AMD memory routing)", err, "WRMSR 0xc001001a <- 0x%llx %s",
		       top, gp(err));
	}
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
	report("xcr0", "AVX without SSE", err, "%s", gp(err));
	err = xsetbv_try(0, xcr0 & ~XFEATURE_MASK_FP);
	report("xcr0", "x87 off", err, "%s", gp(err));
	err = xsetbv_try(1, xcr0);
	report("xcr0", "XCR1", err, "%s", gp(err));
	err = xsetbv_try(0, xcr0 | XFEATURE_MASK_BNDREGS);
	report("xcr0", "MPX half", err, "%s", gp(err));
	err = xsetbv_try(0, xcr0 | (1ull << 17));
	report("xcr0", "AMX half", err, "%s", gp(err));
	err = xsetbv_try(0, xcr0 | (1ull << 62));
	report("xcr0", "reserved bit 62", err, "%s", gp(err));
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
	report("cr", "CR4 bit 15", err && native_read_cr4() == cr4, "%s", gp(err));
	err = mov_cr4_try(cr4 | X86_CR4_VMXE);
	report("cr", "CR4.VMXE", err && native_read_cr4() == cr4, "%s", gp(err));
	err = mov_cr4_try(cr4 | (1ul << 32));
	report("cr", "CR4 bit 32", err && native_read_cr4() == cr4, "%s", gp(err));
	err = mov_cr3_try(cr3 | (1ul << 62));
	report("cr", "CR3 past MAXPHYADDR", err && __native_read_cr3() == cr3, "%s", gp(err));
	/* SVM is hidden (CPUID): its instructions fault, INVLPGA too, though the hv sets EFER.SVME. */
	err = invlpga_try();
	report("cr", "INVLPGA, SVM hidden", err, "%s", err ? "#UD" : "executed");
	/*
	 * The hv sees CR0 and CR4 writes only under VMX; under SVM the CPU
	 * checks them itself (QEMU's TCG lets a CR0 with its upper half set,
	 * and paging off in 64-bit code, through: not tried there).
	 */
	if (vmx()) {
		err = mov_cr0_try(cr0 | (1ul << 32));
		report("cr", "CR0 bit 32", err && native_read_cr0() == cr0, "%s", gp(err));
		err = mov_cr4_try(cr4 & ~X86_CR4_PAE);
		report("cr", "CR4.PAE off in long mode", err && native_read_cr4() == cr4, "%s",
		       gp(err));
		err = mov_cr0_try(cr0 & ~X86_CR0_PG);
		report("cr", "CR0.PG off in 64-bit code", err && native_read_cr0() == cr0, "%s",
		       gp(err));
	}
	local_irq_restore(flags);
}

/* ---- init ---- */

extern const u8 pc_sipi[], pc_sipi_end[];

void pc_sipi_install(u8 *page, u32 capture_base, bool crash)
{
	memset(page, 0, PAGE_SIZE);
	memcpy(page, pc_sipi, pc_sipi_end - pc_sipi);
	*(u32 *)(page + PC_SIPI_CAPTURE) = capture_base;
	page[PC_SIPI_CRASH] = !crash ? 0 : vmx() ? 2 : 1;
	wbinvd();
}
EXPORT_SYMBOL_GPL(pc_sipi_install);

/* Runs on a CPU other than target (work_on_cpu()): target goes offline and comes back. */
static long init_probe(void *arg)
{
	unsigned int target = *(unsigned int *)arg;
	struct parachute_status st;
	u8 *page = NULL, *saved;
	volatile u32 *res;
	u32 apicid;
	int err;

	if (!hv_status(&st)) {
		report("init", "INIT/SIPI to an offline CPU", false, "STATUS refused");
		return 0;
	}
	saved = kmalloc(PAGE_SIZE, GFP_KERNEL);
	page = memremap(PC_SIPI_PAGE, PAGE_SIZE, MEMREMAP_WB);
	if (!saved || !page) {
		report("init", "INIT/SIPI to an offline CPU", false, "cannot map the start-up page");
		goto out;
	}
	apicid = per_cpu(x86_cpu_to_apicid, target);
	err = remove_cpu(target);
	if (err) {
		report("init", "INIT/SIPI to an offline CPU", false, "remove_cpu(%u): %d", target,
		       err);
		goto out;
	}
	memcpy(saved, page, PAGE_SIZE);
	pc_sipi_install(page, (u32)st.capture_base, false);
	res = (volatile u32 *)(page + PC_SIPI_RESULT);
	/*
	 * SDM vol. 3A, 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI; without the
	 * CMOS warm-reset write Linux makes first, so that with the xAPIC trap
	 * lifted the INIT goes to the CPU itself. An edge INIT: a level one's
	 * de-assert would find the trap back on (Bochs keeps the level asserted
	 * until it sees one). The SIPIs may be lost while the hv puts the trap
	 * back (docs/smp.md): they are sent again every 50 ms, as a guest that
	 * wants its CPU would.
	 */
	apic_icr_write(APIC_INT_ASSERT | APIC_DM_INIT, apicid);
	mdelay(10);
	for (int ms = 0; ms < 2000 && READ_ONCE(res[0]) != PC_SIPI_MARKER; ms++) {
		if (ms % 50 == 0) {
			apic_icr_write(APIC_DM_STARTUP | (PC_SIPI_PAGE >> 12), apicid);
			udelay(200);
			apic_icr_write(APIC_DM_STARTUP | (PC_SIPI_PAGE >> 12), apicid);
		}
		mdelay(1);
	}
	if (READ_ONCE(res[0]) != PC_SIPI_MARKER)
		report("init", "INIT/SIPI to an offline CPU", false,
		       "cpu%u (APIC %u): the start-up code never ran", target, apicid);
	else
		report("init", "INIT/SIPI to an offline CPU",
		       res[1] == 0xffffffff && res[2] == 0xffffffff,
		       "cpu%u (APIC %u) ran it, in guest mode: 1 MiB reads 0x%08x, the capture region 0x%08x",
		       target, apicid, res[1], res[2]);
	memcpy(page, saved, PAGE_SIZE);
	/* Linux starts it again: the hv's INIT/SIPI path once more. */
	err = add_cpu(target);
	report("init", "CPU back online", !err && cpu_online(target), "add_cpu(%u): %d", target,
	       err);
out:
	if (page)
		memunmap(page);
	kfree(saved);
	return 0;
}

static void class_init(void)
{
	unsigned int target = nr_cpu_ids, runner = nr_cpu_ids;

	/* The last CPU Linux can take offline (not the boot CPU), the probe run from another. */
	cpus_read_lock();
	for (unsigned int c = 1; c < nr_cpu_ids; c++)
		if (cpu_online(c))
			target = c;
	for (unsigned int c = 0; c < nr_cpu_ids && runner >= nr_cpu_ids; c++)
		if (cpu_online(c) && c != target)
			runner = c;
	cpus_read_unlock();
	if (target >= nr_cpu_ids || runner >= nr_cpu_ids) {
		report("init", "INIT/SIPI to an offline CPU", true, "one CPU: not reachable");
		return;
	}
	work_on_cpu(runner, init_probe, &target);
}

/* ---- heap ---- */

static void class_heap(unsigned int cycles)
{
	const unsigned int order = 10; /* 4 MiB: 2 MiB leaves inside, split by the writes */
	struct page *pg = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	struct parachute_status before, after;
	unsigned int i, dropped = 0;
	long refused = 0;
	volatile u8 *buf;
	u64 base;

	if (!pg || !hv_status(&before)) {
		report("heap", "seal/write/unseal cycles", false, "no 4 MiB buffer");
		goto out;
	}
	buf = page_address(pg);
	base = page_to_phys(pg);
	for (i = 0; i < cycles && !refused; i++) {
		/* Page edges inside 2 MiB leaves, and a write in a different page each time. */
		unsigned int off = PAGE_SIZE + ((i * 17) % 512) * PAGE_SIZE + 8;

		refused = pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, base + PAGE_SIZE,
				       (2ull << 20) + PAGE_SIZE, 0);
		if (refused)
			break;
		buf[off] = 0x5a;
		dropped += buf[off] == 0;
		refused = pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, 0, 0, 0);
		cond_resched(); /* thousands of cycles from hostile.ko */
	}
	hv_status(&after);
	report("heap", "seal/write/unseal cycles",
	       !refused && dropped == i && after.heap_used == before.heap_used,
	       "%u cycles, %u writes dropped, hv heap %llu KiB before, %llu KiB after%s", i, dropped,
	       before.heap_used >> 10, after.heap_used >> 10, refused ? ", SEAL_KEXEC refused" : "");
out:
	if (pg)
		__free_pages(pg, order);
}

/* ---- iommu ---- */

static void class_iommu(void)
{
	struct parachute_status st;
	bool on = hv_status(&st) && (st.flags & PARACHUTE_STATUS_DMA_ISOLATION);

	/* Not a failure of the hv: a machine without an IOMMU (docs/security.md). */
	report("iommu", "DMA isolation", true, "%s", on ? "on: devices confined" :
		     "off: no IOMMU, devices can write anywhere (warning)");
}

int pc_selftest(const char *classes, unsigned int cycles, struct pc_selftest_out *o)
{
	static const char *const names[] = { "msr", "xcr0", "cr", "init", "heap", "iommu" };

	out = o;
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		size_t n = strlen(names[i]);
		bool wanted = false;

		/* classes is a comma-separated list: a class runs if one of its words names it. */
		for (const char *p = classes; *p && !wanted; p += strcspn(p, ","), p += *p == ',')
			wanted = strcspn(p, ",") == n && !strncmp(p, names[i], n);
		if (!wanted)
			continue;
		switch (i) {
		case 0:
			class_msr();
			break;
		case 1:
			class_xcr0();
			break;
		case 2:
			class_cr();
			break;
		case 3:
			class_init();
			break;
		case 4:
			class_heap(cycles);
			break;
		default:
			class_iommu();
		}
	}
	pr_info("selftest: %u probes, %u failed\n", o->probes, o->failed);
	if (o->buf && o->len < o->size)
		o->len += scnprintf(o->buf + o->len, o->size - o->len,
				    "selftest: %u probes, %u failed\n", o->probes, o->failed);
	return 0;
}
EXPORT_SYMBOL_GPL(pc_selftest);
