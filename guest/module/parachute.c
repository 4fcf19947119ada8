// SPDX-License-Identifier: GPL-2.0-only
/*
 * parachute guest module (minimal): talks to the hv at CPL 0.
 *   /sys/module/parachute/parameters/status      read: one PARACHUTE_HC_STATUS call
 *   /sys/module/parachute/parameters/dump_stats  write 1: exit counters on the hv console
 *   /sys/module/parachute/parameters/selftest    write 1: STATUS range checks, results in dmesg
 *   /sys/module/parachute/parameters/crash       write 1: CRASH hypercall now (capture)
 *   /sys/module/parachute/parameters/oops        write 1: an oops here (a NULL write)
 *   crash_on_panic=1 (load time): a panic notifier issues the CRASH hypercall
 * At load it tells the hv where each CPU's running task is (GUEST_INFO), so
 * the vmcore's NT_PRSTATUS notes carry its pid. Loading fails with -ENODEV
 * when the CPU does not report ParachuteHV.
 */
#include <asm/io.h>
#include <asm/processor.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <parachute/abi.h>

static unsigned long status_page;

static long pc_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	unsigned long ret = nr;

	/* include/parachute/abi.h: VMCALL on Intel, VMMCALL on AMD. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		asm volatile("vmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(0UL) : "memory");
	else
		asm volatile("vmmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(0UL) : "memory");
	return (long)ret;
}

static int status_get(char *buf, const struct kernel_param *kp)
{
	struct parachute_status *st = (void *)status_page;
	long ret = pc_hypercall(PARACHUTE_HC_STATUS, virt_to_phys(st), sizeof(*st));

	if (ret < 0)
		return sysfs_emit(buf, "error %ld\n", ret);
	return sysfs_emit(
		buf,
		"abi %u.%u vendor %u cpus %u vcpus %u flags 0x%x capture 0x%llx+0x%llx exits %llu tsc_khz %llu uptime_tsc %llu\n",
		st->abi_version >> 16, st->abi_version & 0xffff, st->vendor, st->nr_cpus,
		st->nr_vcpus, st->flags, st->capture_base, st->capture_size, st->exits_total,
		st->tsc_khz, st->uptime_tsc);
}

static int dump_stats_set(const char *val, const struct kernel_param *kp)
{
	long ret = pc_hypercall(PARACHUTE_HC_DUMP_STATS, 0, 0);

	return ret < 0 ? -EIO : 0;
}

static void check(const char *what, unsigned long gpa, unsigned long size)
{
	pr_info("parachute: selftest %s: STATUS(0x%lx, %lu) = %ld\n", what, gpa, size,
		pc_hypercall(PARACHUTE_HC_STATUS, gpa, size));
}

/* The hv must validate every range: only guest RAM, never its own, one page. */
static int selftest_set(const char *val, const struct kernel_param *kp)
{
	struct parachute_status *st = (void *)status_page;
	unsigned long pa = virt_to_phys(st);
	struct page *pages[64];
	int n = 0;

	check("own-page", pa, sizeof(*st));
	if (pc_hypercall(PARACHUTE_HC_STATUS, pa, sizeof(*st)) > 0 && st->capture_size)
		check("capture-region", st->capture_base + PAGE_SIZE, sizeof(*st));
	check("crosses-page", pa + PAGE_SIZE - 16, sizeof(*st));
	check("too-small", pa, 4);
	check("wraps", ~0UL - 8, sizeof(*st));
	check("beyond-ram", 1UL << 45, sizeof(*st));
	/* A page above 4 GiB, if the guest has RAM there. */
	while (n < 64) {
		struct page *p = alloc_page(GFP_KERNEL);

		if (!p)
			break;
		pages[n++] = p;
		if (page_to_phys(p) >= (1UL << 32)) {
			check("above-4g", page_to_phys(p), sizeof(*st));
			break;
		}
	}
	while (n)
		__free_page(pages[--n]);
	return 0;
}

static int crash_set(const char *val, const struct kernel_param *kp)
{
	long ret = pc_hypercall(PARACHUTE_HC_CRASH, 1, 0);

	/* Only returns when the hv refuses (capture disarmed or refused by policy). */
	pr_err("parachute: CRASH hypercall returned %ld\n", ret);
	return -EIO;
}

static bool crash_on_panic;
module_param(crash_on_panic, bool, 0444);

/* Runs after panic() has logged its message: the vmcore's dmesg holds it. */
static int pc_panic(struct notifier_block *nb, unsigned long event, void *msg)
{
	long ret = pc_hypercall(PARACHUTE_HC_CRASH, 2, 0);

	pr_emerg("parachute: CRASH hypercall from the panic notifier returned %ld\n", ret);
	return NOTIFY_DONE;
}

static struct notifier_block pc_panic_nb = {
	.notifier_call = pc_panic,
	.priority = INT_MAX,
};

static int *volatile null_page;

static int oops_set(const char *val, const struct kernel_param *kp)
{
	*null_page = 1;
	return 0;
}

static const struct kernel_param_ops oops_ops = { .set = oops_set };
module_param_cb(oops, &oops_ops, NULL, 0200);

static const struct kernel_param_ops crash_ops = { .set = crash_set };
module_param_cb(crash, &crash_ops, NULL, 0200);

static const struct kernel_param_ops status_ops = { .get = status_get };
static const struct kernel_param_ops dump_ops = { .set = dump_stats_set };
static const struct kernel_param_ops selftest_ops = { .set = selftest_set };
module_param_cb(status, &status_ops, NULL, 0444);
module_param_cb(dump_stats, &dump_ops, NULL, 0200);
module_param_cb(selftest, &selftest_ops, NULL, 0200);

/* Where crash_save_cpu() finds current->pid: the per-CPU current_task and the pid's offset. */
static void guest_info(void)
{
	struct parachute_guest_info *gi = (void *)status_page;
	long ret;

	*gi = (struct parachute_guest_info){
		.struct_size = sizeof(*gi),
		.task_pid_offset = offsetof(struct task_struct, pid),
		.current_task = (unsigned long)&current_task,
	};
	ret = pc_hypercall(PARACHUTE_HC_GUEST_INFO, virt_to_phys(gi), sizeof(*gi));
	pr_info("parachute: GUEST_INFO (task pid at +%u, current task at per-CPU +0x%llx) returned %ld\n",
		gi->task_pid_offset, gi->current_task, ret);
}

static int __init pc_init(void)
{
	unsigned int eax, ebx, ecx, edx;
	long ver;

	cpuid(PARACHUTE_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	if (ebx != PARACHUTE_CPUID_EBX || ecx != PARACHUTE_CPUID_ECX ||
	    edx != PARACHUTE_CPUID_EDX) {
		pr_info("parachute: not running on ParachuteHV\n");
		return -ENODEV;
	}
	status_page = get_zeroed_page(GFP_KERNEL);
	if (!status_page)
		return -ENOMEM;
	ver = pc_hypercall(PARACHUTE_HC_VERSION, 0, 0);
	pr_info("parachute: hypercall VERSION from CPL 0 returned %ld (abi %ld.%ld)\n", ver,
		ver >> 16, ver & 0xffff);
	if (ver >= ((1 << 16) | 1))
		guest_info();
	if (crash_on_panic)
		atomic_notifier_chain_register(&panic_notifier_list, &pc_panic_nb);
	return 0;
}

static void __exit pc_exit(void)
{
	if (crash_on_panic)
		atomic_notifier_chain_unregister(&panic_notifier_list, &pc_panic_nb);
	free_page(status_page);
}

module_init(pc_init);
module_exit(pc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("parachute guest interface (CPL 0 hypercalls)");
