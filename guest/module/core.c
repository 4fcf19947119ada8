// SPDX-License-Identifier: GPL-2.0-only
/*
 * parachute guest module: talks to the hv at CPL 0 (docs/guest.md).
 *
 * /dev/parachute (misc device, 0600), the stable interface for tools such as
 * parachutectl; its ioctls are in include/parachute/ioctl.h:
 *   PARACHUTE_IOC_STATUS        one PARACHUTE_HC_STATUS call
 *   PARACHUTE_IOC_CAPTURE_INFO  the armed capture kernel (HC_CAPTURE_INFO)
 *   PARACHUTE_IOC_LOAD          replace the capture kernel, or only check that
 *                               the hv would take it (LOAD_BEGIN, LOAD_DATA
 *                               page by page, LOAD_COMMIT); CAP_SYS_BOOT
 *   PARACHUTE_IOC_UNLOAD        disarm capture (HC_UNLOAD); CAP_SYS_BOOT
 *   PARACHUTE_IOC_DMA_FAULTS    the DMA the hv blocked (HC_DMA_FAULTS)
 *   PARACHUTE_IOC_HISTORY       the captures since the machine booted (HC_HISTORY)
 *   PARACHUTE_IOC_WATCHDOG      start (a timeout in ms) or stop (0) the hv's
 *                               watchdog, petted from a timer; CAP_SYS_BOOT
 *   PARACHUTE_IOC_SEAL_KEXEC    seal (or unseal) the crashkernel region that
 *                               kexec -p loaded (HC_SEAL_KEXEC); CAP_SYS_BOOT
 *   PARACHUTE_IOC_CAPTURE_REPORT in the capture kernel: the capture's outcome
 *   PARACHUTE_IOC_RESTART       in the capture kernel: reboot it, and from its
 *                               syscore shutdown ask the hv to start the
 *                               production guest again (HC_RESTART)
 *   PARACHUTE_IOC_SELFTEST      the isolation probes safe on a production
 *                               machine (selftest.c, docs/security.md);
 *                               CAP_SYS_ADMIN
 *
 * Module parameters, for the tests and for a look by hand:
 *   /sys/module/parachute/parameters/status      read: one PARACHUTE_HC_STATUS call
 *   /sys/module/parachute/parameters/dump_stats  write 1: exit counters on the hv console
 *   /sys/module/parachute/parameters/selftest    write 1: STATUS range checks, results in dmesg
 *   /sys/module/parachute/parameters/crash       write 1: CRASH hypercall now (capture)
 *   /sys/module/parachute/parameters/oops        write 1: an oops here (a NULL write)
 *   /sys/module/parachute/parameters/nmi_send    write N: N NMIs to nmi_target (-1: this
 *                                                CPU), each taken by a handler of ours
 *   /sys/module/parachute/parameters/nmi_panic   write 1: a self-NMI whose handler panics
 *   /sys/module/parachute/parameters/hardlockup  write 1: every CPU spins, interrupts off
 *   /sys/module/parachute/parameters/scribble    write "ADDR SIZE": a stray write of one
 *                                                byte every 64 KiB (memremap), as a buggy
 *                                                driver would scribble over kdump's region
 *   crash_on_panic=1 (load time): a panic notifier issues the CRASH hypercall
 *   crashing_cpu=ADDR (load time): crashing_cpu's address, from /proc/kallsyms
 * At load it tells the hv where each CPU's running task is (GUEST_INFO), so
 * the vmcore's NT_PRSTATUS notes carry its pid. Loading fails with -ENODEV
 * when the CPU does not report ParachuteHV (require_hv=0, for the benchmark's
 * direct boots: it loads anyway, without /dev/parachute and hypercalls).
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/nmi.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <linux/capability.h>
#include <linux/io.h>
#include <linux/vmalloc.h>
#include <linux/ioport.h>
#include <linux/kexec.h>
#include <linux/crash_core.h>
#include <linux/crash_dump.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/reboot.h>
#include <linux/timer.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/syscore_ops.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <parachute/abi.h>
#include <parachute/ioctl.h>
#include "pc.h"

static unsigned long status_page;
static bool on_hv; /* CPUID says ParachuteHV: hypercalls can be made */
static long hv_abi; /* PARACHUTE_HC_VERSION at load */
static bool capture_kernel; /* loaded in the kdump kernel the hv started */

long pc_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2)
{
	unsigned long ret = nr;

	if (!on_hv) /* VMMCALL/VMCALL without a hypervisor would be #UD */
		return -ENODEV;
	/* include/parachute/abi.h: VMCALL on Intel, VMMCALL on AMD. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL)
		asm volatile("vmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	else
		asm volatile("vmmcall" : "+a"(ret) : "b"(a0), "c"(a1), "d"(a2) : "memory");
	return (long)ret;
}
EXPORT_SYMBOL_GPL(pc_hypercall); /* tests/hostile/hostile.ko's hypercalls */

static int status_get(char *buf, const struct kernel_param *kp)
{
	struct parachute_status *st = (void *)status_page;
	long ret = pc_hypercall(PARACHUTE_HC_STATUS, virt_to_phys(st), sizeof(*st), 0);

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
	long ret = pc_hypercall(PARACHUTE_HC_DUMP_STATS, 0, 0, 0);

	return ret < 0 ? -EIO : 0;
}

static void check(const char *what, unsigned long gpa, unsigned long size)
{
	pr_info("parachute: selftest %s: STATUS(0x%lx, %lu) = %ld\n", what, gpa, size,
		pc_hypercall(PARACHUTE_HC_STATUS, gpa, size, 0));
}

/* The hv must validate every range: only guest RAM, never its own, one page. */
static int selftest_set(const char *val, const struct kernel_param *kp)
{
	struct parachute_status *st = (void *)status_page;
	unsigned long pa = virt_to_phys(st);
	struct page *pages[64];
	int n = 0;

	check("own-page", pa, sizeof(*st));
	if (pc_hypercall(PARACHUTE_HC_STATUS, pa, sizeof(*st), 0) > 0 && st->capture_size)
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
	long ret = pc_hypercall(PARACHUTE_HC_CRASH, 1, 0, 0);

	/* Only returns when the hv refuses (capture disarmed or refused by policy). */
	pr_err("parachute: CRASH hypercall returned %ld\n", ret);
	return -EIO;
}

static bool crash_on_panic;
module_param(crash_on_panic, bool, 0444);

/* Runs after panic() has logged its message: the vmcore's dmesg holds it. */
static int pc_panic(struct notifier_block *nb, unsigned long event, void *msg)
{
	long ret = pc_hypercall(PARACHUTE_HC_CRASH, 2, 0, 0);

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

/*
 * The guest's own NMIs, for the tests: NMIs it sends, to itself or another
 * CPU, must reach its handlers and start no capture.
 */
static atomic_t nmi_expected = ATOMIC_INIT(0), nmi_handled = ATOMIC_INIT(0);
static int nmi_target = -1;
module_param(nmi_target, int, 0644);

static int pc_nmi(unsigned int type, struct pt_regs *regs)
{
	if (atomic_add_unless(&nmi_expected, -1, 0)) {
		atomic_inc(&nmi_handled);
		return NMI_HANDLED;
	}
	return NMI_DONE;
}

/*
 * Up to 1 s for nmi_handled to reach count, on the clock: under emulation an
 * AP's delay loop can be calibrated far off, so mdelay() is no timer here.
 */
static void nmi_wait(int count)
{
	u64 end = ktime_get_ns() + NSEC_PER_SEC;

	while (atomic_read(&nmi_handled) < count && ktime_get_ns() < end)
		cpu_relax();
}

static int nmi_send_set(const char *val, const struct kernel_param *kp)
{
	int cpu = nmi_target < 0 ? raw_smp_processor_id() : nmi_target, i, n, ret;
	u64 t0;

	ret = kstrtoint(val, 0, &n);
	if (ret || n < 0 || !cpu_online(cpu))
		return ret ? ret : -EINVAL;
	ret = register_nmi_handler(NMI_LOCAL, pc_nmi, 0, "parachute_test");
	if (ret)
		return ret;
	atomic_set(&nmi_handled, 0);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		int before = atomic_read(&nmi_handled);

		atomic_inc(&nmi_expected);
		/* Not send_IPI_self(): with x2APIC that is a fixed interrupt, vector 2. */
		apic->send_IPI(cpu, NMI_VECTOR);
		nmi_wait(before + 1);
	}
	nmi_wait(n); /* one that came late still counts; a lost one does not */
	atomic_set(&nmi_expected, 0);
	unregister_nmi_handler(NMI_LOCAL, "parachute_test");
	pr_info("parachute: NMIs to cpu%d from cpu%d: %d sent, %d taken by our handler, %llu ns each\n",
		cpu, raw_smp_processor_id(), n, atomic_read(&nmi_handled),
		n ? (ktime_get_ns() - t0) / n : 0);
	return 0;
}

static const struct kernel_param_ops nmi_send_ops = { .set = nmi_send_set };
module_param_cb(nmi_send, &nmi_send_ops, NULL, 0200);

static int pc_nmi_panic(unsigned int type, struct pt_regs *regs)
{
	panic("parachute: panic in the NMI handler");
	return NMI_HANDLED;
}

static int nmi_panic_set(const char *val, const struct kernel_param *kp)
{
	int ret = register_nmi_handler(NMI_LOCAL, pc_nmi_panic, 0, "parachute_panic");

	if (!ret)
		apic->send_IPI(raw_smp_processor_id(), NMI_VECTOR);
	mdelay(1000);
	return ret ? ret : -EIO; /* only here if the NMI never came */
}

static const struct kernel_param_ops nmi_panic_ops = { .set = nmi_panic_set };
module_param_cb(nmi_panic, &nmi_panic_ops, NULL, 0200);

/* A hard lockup: a thread on every CPU spins with interrupts off (only an NMI gets in). */
static int pc_spin_irqs_off(void *unused)
{
	local_irq_disable();
	for (;;)
		cpu_relax();
	return 0;
}

static int hardlockup_set(const char *val, const struct kernel_param *kp)
{
	static struct task_struct *spinner[64];
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		struct task_struct *t = kthread_create_on_cpu(pc_spin_irqs_off, NULL, cpu, "pc_spin/%u");

		if (IS_ERR(t))
			return PTR_ERR(t);
		sched_set_fifo(t);
		if (n < ARRAY_SIZE(spinner))
			spinner[n++] = t;
	}
	/* All at once: the one on this CPU takes it over as soon as preemption is back. */
	preempt_disable();
	while (n)
		wake_up_process(spinner[--n]);
	preempt_enable();
	return 0;
}

static const struct kernel_param_ops hardlockup_ops = { .set = hardlockup_set };
module_param_cb(hardlockup, &hardlockup_ops, NULL, 0200);

static const struct kernel_param_ops crash_ops = { .set = crash_set };
module_param_cb(crash, &crash_ops, NULL, 0200);

static const struct kernel_param_ops status_ops = { .get = status_get };
static const struct kernel_param_ops dump_ops = { .set = dump_stats_set };
static const struct kernel_param_ops selftest_ops = { .set = selftest_set };
module_param_cb(status, &status_ops, NULL, 0444);
module_param_cb(dump_stats, &dump_ops, NULL, 0200);
module_param_cb(selftest, &selftest_ops, NULL, 0200);

/*
 * crashing_cpu=ADDR (load time): where the kernel keeps crashing_cpu, which
 * is not exported; userspace reads it from /proc/kallsyms.
 */
static unsigned long crashing_cpu_addr; /* asm/reboot.h has the kernel's own crashing_cpu */
module_param_named(crashing_cpu, crashing_cpu_addr, ulong, 0444);

/*
 * What the kernel's own crash path would record, for the hv to record in its
 * place: where crash_save_cpu() finds current->pid (the per-CPU current_task,
 * the pid's offset), each CPU's number, and crashing_cpu.
 */
static void guest_info(void)
{
	struct parachute_guest_info *gi = (void *)status_page;
	long ret;

	*gi = (struct parachute_guest_info){
		.struct_size = sizeof(*gi),
		.task_pid_offset = offsetof(struct task_struct, pid),
		.current_task = (unsigned long)&current_task,
		.cpu_number = (unsigned long)&cpu_number,
		.crashing_cpu = crashing_cpu_addr,
		/* What kexec-tools reads from /sys/kernel/vmcoreinfo. */
		.vmcoreinfo_note = paddr_vmcoreinfo_note(),
	};
	/* An ABI 1.1 hv takes the 32 bytes it knows. */
	ret = pc_hypercall(PARACHUTE_HC_GUEST_INFO, virt_to_phys(gi),
			   hv_abi >= ((PARACHUTE_ABI_MAJOR << 16) | 2) ? sizeof(*gi) : 32, 0);
	pr_info("parachute: GUEST_INFO (task pid at +%u, current task at per-CPU +0x%llx, crashing_cpu at 0x%llx, VMCOREINFO at 0x%llx) returned %ld\n",
		gi->task_pid_offset, gi->current_task, gi->crashing_cpu, gi->vmcoreinfo_note, ret);
}

/*
 * /dev/parachute: the ioctls of include/parachute/ioctl.h. Each call has a
 * page of its own for the hv to read or write (guest RAM, one page), so
 * callers never share a buffer.
 */
/* One load or unload at a time: the hv has one open load. */
static DEFINE_MUTEX(load_mutex);

/* The hv's error codes are Linux errno values (include/parachute/abi.h). */
static_assert(PARACHUTE_EPERM == EPERM && PARACHUTE_E2BIG == E2BIG &&
	      PARACHUTE_ENOEXEC == ENOEXEC && PARACHUTE_EACCES == EACCES &&
	      PARACHUTE_EFAULT == EFAULT && PARACHUTE_EBUSY == EBUSY &&
	      PARACHUTE_ENODEV == ENODEV && PARACHUTE_EINVAL == EINVAL &&
	      PARACHUTE_ENOSPC == ENOSPC && PARACHUTE_ENOSYS == ENOSYS);
static_assert(sizeof(struct parachute_status) <= PAGE_SIZE &&
	      sizeof(struct parachute_capture_info) <= PAGE_SIZE &&
	      sizeof(struct parachute_dma_faults) <= PAGE_SIZE &&
	      sizeof(struct parachute_history) <= PAGE_SIZE &&
	      PARACHUTE_LOAD_CMDLINE_MAX <= PAGE_SIZE);

/* A hypercall's result as an ioctl's: a call the hv does not know is EOPNOTSUPP. */
static long pc_errno(long ret)
{
	if (ret == -PARACHUTE_ENOSYS)
		return -EOPNOTSUPP;
	if (ret < -MAX_ERRNO)
		return -EIO;
	return ret;
}

/* The calls of ABI 1.2: the armed kernel, loads, unload. */
static bool hv_can_load(void)
{
	return hv_abi >= ((PARACHUTE_ABI_MAJOR << 16) | 2);
}

/* STATUS, CAPTURE_INFO: the hv fills a zeroed page; what it did not write reads as 0. */
static long pc_ioc_read(unsigned long nr, void __user *arg, size_t size)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL);
	long ret;

	if (!page)
		return -ENOMEM;
	ret = pc_errno(pc_hypercall(nr, virt_to_phys((void *)page), size, 0));
	if (ret >= 0)
		ret = copy_to_user(arg, (void *)page, size) ? -EFAULT : 0;
	free_page(page);
	return ret;
}

/* One LOAD_DATA call: the hv takes n bytes of the page at offset of the part. */
static long pc_load_data(unsigned int part, u64 offset, void *page, size_t n)
{
	long ret;

	if (n < PAGE_SIZE)
		memset(page + n, 0, PAGE_SIZE - n);
	ret = pc_hypercall(PARACHUTE_HC_LOAD_DATA, part, offset, virt_to_phys(page));
	if (ret < 0)
		return pc_errno(ret);
	if ((size_t)ret != n) {
		pr_warn("parachute: LOAD_DATA(%u, 0x%llx) took %ld of %zu bytes\n", part, offset,
			ret, n);
		return -EIO;
	}
	return 0;
}

/* A part from user memory, page by page through the kernel page. */
static long pc_load_part(unsigned int part, u64 uptr, u64 size, void *page)
{
	const char __user *src = u64_to_user_ptr(uptr);
	u64 off;
	long ret;

	for (off = 0; off < size; off += PAGE_SIZE) {
		size_t n = min_t(u64, size - off, PAGE_SIZE);

		if (fatal_signal_pending(current))
			return -EINTR;
		if (copy_from_user(page, src + off, n))
			return -EFAULT;
		ret = pc_load_data(part, off, page, n);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

/*
 * LOAD_BEGIN, the kernel, the initrd and the command line page by page, then
 * LOAD_COMMIT. Everything the hv would refuse for its form is refused here
 * first, before any hypercall. A load that fails halfway stays open in the
 * hv, harmlessly: the armed kernel is untouched and the next LOAD_BEGIN
 * drops it.
 */
static long pc_ioc_load(const void __user *arg)
{
	bool check;
	struct parachute_ioc_load ld;
	char *cmdline;
	void *page;
	long ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (copy_from_user(&ld, arg, sizeof(ld)))
		return -EFAULT;
	if (!ld.kernel_size || !ld.cmdline_size || ld.cmdline_size > PARACHUTE_LOAD_CMDLINE_MAX ||
	    (ld.flags & ~PARACHUTE_LOAD_CHECK_ONLY) || ld.pad)
		return -EINVAL;
	check = ld.flags & PARACHUTE_LOAD_CHECK_ONLY;
	/* As for kexec_load(): under lockdown, no kernel that nothing verified waits to run. */
	if (!check && security_locked_down(LOCKDOWN_KEXEC))
		return -EPERM;
	if (!access_ok(u64_to_user_ptr(ld.kernel_ptr), ld.kernel_size) ||
	    !access_ok(u64_to_user_ptr(ld.initrd_ptr), ld.initrd_size))
		return -EFAULT;
	if (!hv_can_load())
		return -EOPNOTSUPP;
	/* Copied once: the string checked is the string sent. */
	cmdline = memdup_user(u64_to_user_ptr(ld.cmdline_ptr), ld.cmdline_size);
	if (IS_ERR(cmdline))
		return PTR_ERR(cmdline);
	ret = -EINVAL;
	if (strnlen(cmdline, ld.cmdline_size) != ld.cmdline_size - 1)
		goto out_cmdline;
	ret = -ENOMEM;
	page = (void *)__get_free_page(GFP_KERNEL);
	if (!page)
		goto out_cmdline;
	ret = mutex_lock_killable(&load_mutex);
	if (ret)
		goto out_page;
	ret = pc_errno(pc_hypercall(PARACHUTE_HC_LOAD_BEGIN, ld.kernel_size, ld.initrd_size,
				    ld.cmdline_size));
	if (!ret)
		ret = pc_load_part(PARACHUTE_LOAD_KERNEL, ld.kernel_ptr, ld.kernel_size, page);
	if (!ret)
		ret = pc_load_part(PARACHUTE_LOAD_INITRD, ld.initrd_ptr, ld.initrd_size, page);
	if (!ret) {
		memcpy(page, cmdline, ld.cmdline_size);
		ret = pc_load_data(PARACHUTE_LOAD_CMDLINE, 0, page, ld.cmdline_size);
	}
	if (!ret)
		ret = pc_errno(pc_hypercall(PARACHUTE_HC_LOAD_COMMIT, ld.flags, 0, 0));
	mutex_unlock(&load_mutex);
	if (ret)
		pr_info("parachute: capture kernel %s failed: %ld\n", check ? "check" : "load",
			ret);
	else
		pr_info("parachute: capture kernel %s: kernel %llu bytes, initrd %llu bytes\n",
			check ? "checked" : "loaded", ld.kernel_size, ld.initrd_size);
out_page:
	free_page((unsigned long)page);
out_cmdline:
	kfree(cmdline);
	return ret;
}

static long pc_ioc_unload(void)
{
	long ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (!hv_can_load())
		return -EOPNOTSUPP;
	ret = mutex_lock_killable(&load_mutex);
	if (ret)
		return ret;
	ret = pc_errno(pc_hypercall(PARACHUTE_HC_UNLOAD, 0, 0, 0));
	mutex_unlock(&load_mutex);
	if (!ret)
		pr_warn("parachute: capture kernel unloaded: capture disarmed\n");
	return ret;
}

/*
 * The watchdog: a timer pets the hv four times per timeout. It runs from the
 * timer interrupt, so a guest whose CPUs stopped taking interrupts (or whose
 * timer CPU did) stops petting, and the hv captures.
 */
static DEFINE_SPINLOCK(wd_lock);
static struct timer_list wd_timer;
static u32 wd_ms; /* 0: stopped */

static void wd_pet(struct timer_list *t)
{
	spin_lock(&wd_lock);
	if (wd_ms) { /* not stopped meanwhile: then the timer must not come back */
		pc_hypercall(PARACHUTE_HC_WATCHDOG, wd_ms, 0, 0);
		mod_timer(&wd_timer, jiffies + msecs_to_jiffies(wd_ms / 4));
	}
	spin_unlock(&wd_lock);
}

static long pc_watchdog(u32 ms)
{
	long ret;

	if (ms && (ms < PARACHUTE_WATCHDOG_MIN_MS || ms > PARACHUTE_WATCHDOG_MAX_MS))
		return -EINVAL;
	spin_lock_bh(&wd_lock);
	ret = pc_errno(pc_hypercall(PARACHUTE_HC_WATCHDOG, ms, 0, 0));
	if (!ret) {
		WRITE_ONCE(wd_ms, ms);
		if (ms)
			mod_timer(&wd_timer, jiffies + msecs_to_jiffies(ms / 4));
	}
	spin_unlock_bh(&wd_lock);
	if (!ms)
		del_timer_sync(&wd_timer);
	if (!ret)
		pr_info("parachute: watchdog %s (%u ms)\n", ms ? "started" : "stopped", ms);
	return ret;
}

/* Reboot, power-off, halt and kexec: the next kernel does not pet it. */
static int pc_reboot(struct notifier_block *nb, unsigned long event, void *unused)
{
	if (READ_ONCE(wd_ms))
		pc_watchdog(0);
	return NOTIFY_DONE;
}

static struct notifier_block pc_reboot_nb = { .notifier_call = pc_reboot };

/*
 * The kernel's crash path runs the emergency callback (KVM's, to leave VMX
 * or SVM) in native_machine_crash_shutdown(), before machine_kexec() writes
 * into the sealed region: the hv lifts the seal there. Also on an emergency
 * reboot, which needs it no longer either.
 */
static bool sealed;

static void pc_crashing(void)
{
	pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, 0, 0, PARACHUTE_SEAL_CRASHING);
}

/* The "Crash kernel" resource (crashk_res is not exported). */
static int crash_res(struct resource *r, void *arg)
{
	*(struct resource *)arg = *r;
	return 1;
}

static long pc_seal_kexec(u32 flags)
{
	struct resource r = { 0 };
	long ret;

	if (flags & ~PARACHUTE_SEAL_UNSEAL)
		return -EINVAL;
	if (flags & PARACHUTE_SEAL_UNSEAL) {
		ret = pc_errno(pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, 0, 0, 0));
		if (!ret && sealed) {
			cpu_emergency_unregister_virt_callback(pc_crashing);
			sealed = false;
		}
		return ret;
	}
	walk_iomem_res_desc(IORES_DESC_CRASH_KERNEL, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0,
			    -1, &r, crash_res);
	if (!r.end || !kexec_crash_loaded())
		return -ENOENT;
	ret = pc_errno(pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, r.start,
				    PAGE_ALIGN(resource_size(&r)), 0));
	if (!ret && !sealed) {
		/* Nobody else has it: KVM cannot load under the hv. */
		cpu_emergency_register_virt_callback(pc_crashing);
		sealed = true;
	}
	if (!ret)
		pr_info("parachute: crashkernel region %pR sealed\n", &r);
	return ret;
}

/*
 * Test aid: "ADDR SIZE", one byte of 0x5a every 64 KiB. Through a mapping of
 * its own (vmap of the page), as a stale mapping in a buggy driver would:
 * the kernel's own protection of a loaded crashkernel region
 * (arch_kexec_protect_crashkres(): not present in the direct map) does not
 * see it.
 */
static int scribble_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long addr, size, off;
	unsigned int n = 0;

	if (sscanf(val, "%llx %llx", &addr, &size) != 2 || !size || size > (1ull << 32))
		return -EINVAL;
	for (off = 0; off < size; off += SZ_64K) {
		struct page *pg;
		u8 *p;

		if (!pfn_valid(PFN_DOWN(addr + off)))
			continue;
		pg = pfn_to_page(PFN_DOWN(addr + off));
		p = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
		if (!p)
			continue;
		WRITE_ONCE(p[offset_in_page(addr + off)], 0x5a);
		vunmap(p);
		n++;
	}
	pr_info("parachute: scribbled on %u pages of 0x%llx+0x%llx\n", n, addr, size);
	return 0;
}

static const struct kernel_param_ops scribble_ops = { .set = scribble_set };
module_param_cb(scribble, &scribble_ops, NULL, 0200);

/* The argument of an ABI 1.2 control ioctl: CAP_SYS_BOOT, the device open for writing. */
static long pc_ioc_u32(struct file *file, const void __user *argp, u32 *v)
{
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!hv_can_load())
		return -EOPNOTSUPP;
	return copy_from_user(v, argp, sizeof(*v)) ? -EFAULT : 0;
}

/*
 * In a capture kernel (ABI 1.3): the report to the hv, from the module's
 * page, which lies in the capture region the hv accepts it from.
 */
static DEFINE_SPINLOCK(report_lock);

static long pc_report(u32 stage, const char *msg, size_t len)
{
	unsigned long flags;
	long ret;

	if (hv_abi < ((PARACHUTE_ABI_MAJOR << 16) | 3))
		return -EOPNOTSUPP;
	len = min_t(size_t, len, PARACHUTE_REPORT_MAX);
	spin_lock_irqsave(&report_lock, flags);
	memcpy((void *)status_page, msg, len);
	ret = pc_hypercall(PARACHUTE_HC_CAPTURE_REPORT, stage, virt_to_phys((void *)status_page),
			   len);
	spin_unlock_irqrestore(&report_lock, flags);
	return pc_errno(ret);
}

static long pc_ioc_report(const void __user *argp)
{
	struct parachute_ioc_report r;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if ((r.stage != PARACHUTE_REPORT_DONE && r.stage != PARACHUTE_REPORT_FAILED) ||
	    r.len > sizeof(r.msg))
		return -EINVAL;
	return pc_report(r.stage, r.msg, r.len);
}

/* A capture kernel that panics says so: the hv applies capture_failure= at once. */
static int pc_capture_panic(struct notifier_block *nb, unsigned long event, void *msg)
{
	char buf[PARACHUTE_REPORT_MAX];
	int n = scnprintf(buf, sizeof(buf), "the capture kernel panicked: %s",
			  msg ? (const char *)msg : "?");

	pc_report(PARACHUTE_REPORT_FAILED, buf, n);
	return NOTIFY_DONE;
}

static struct notifier_block pc_capture_panic_nb = {
	.notifier_call = pc_capture_panic,
	.priority = INT_MAX,
};

/*
 * A restart without a machine reset (ABI 1.4): the capture kernel reboots
 * as it would (kernel_restart(): reboot notifiers, then device_shutdown(),
 * so its devices stop their DMA and interrupts), and the last step before
 * the machine reset, the syscore shutdown, asks the hv instead. A refusal
 * there lets the reboot go on.
 */
static bool restart_wanted;

static void pc_restart_shutdown(void)
{
	long ret;

	if (!READ_ONCE(restart_wanted))
		return;
	local_irq_disable();
	ret = pc_hypercall(PARACHUTE_HC_RESTART, 0, 0, 0);
	/* Only a refusal comes back: the machine reset follows. */
	local_irq_enable();
	pr_emerg("parachute: the hv refused the restart (%ld); resetting the machine\n", ret);
}

static struct syscore_ops pc_restart_ops = {
	.shutdown = pc_restart_shutdown,
};

static long pc_ioc_restart(void)
{
	unsigned long page;
	long ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (hv_abi < ((PARACHUTE_ABI_MAJOR << 16) | 4))
		return -EOPNOTSUPP;
	if (!capture_kernel)
		return -EPERM;
	page = get_zeroed_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	ret = pc_errno(pc_hypercall(PARACHUTE_HC_STATUS, virt_to_phys((void *)page),
				    sizeof(struct parachute_status), 0));
	if (ret >= 0)
		ret = ((struct parachute_status *)page)->flags & PARACHUTE_STATUS_RESTART ?
			      0 : -EACCES;
	free_page(page);
	if (ret)
		return ret;
	pr_info("parachute: restarting the production guest (no machine reset)\n");
	WRITE_ONCE(restart_wanted, true);
	kernel_restart(NULL); /* does not return */
	return 0;
}

/* One selftest at a time: it takes a CPU offline and seals a buffer. */
static DEFINE_MUTEX(selftest_mutex);

static long pc_ioc_selftest(void __user *argp)
{
	struct parachute_ioc_selftest req;
	struct pc_selftest_out o = { 0 };
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (hv_abi < ((PARACHUTE_ABI_MAJOR << 16) | 5))
		return -EOPNOTSUPP;
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (!req.text_size || req.text_size > (64u << 10))
		return -EINVAL;
	o.size = req.text_size;
	o.buf = kvzalloc(o.size, GFP_KERNEL);
	if (!o.buf)
		return -ENOMEM;
	mutex_lock(&selftest_mutex);
	ret = pc_selftest("msr,xcr0,cr,init,heap,iommu", PARACHUTE_SELFTEST_HEAP_CYCLES, &o);
	mutex_unlock(&selftest_mutex);
	req.probes = o.probes;
	req.failed = o.failed;
	if (!ret && (copy_to_user(u64_to_user_ptr(req.text_ptr), o.buf, min(o.len + 1, o.size)) ||
		     copy_to_user(argp, &req, sizeof(req))))
		ret = -EFAULT;
	kvfree(o.buf);
	return ret;
}

static long pc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	long ret;
	u32 v;

	switch (cmd) {
	case PARACHUTE_IOC_STATUS:
		return pc_ioc_read(PARACHUTE_HC_STATUS, argp, sizeof(struct parachute_status));
	case PARACHUTE_IOC_CAPTURE_INFO:
		if (!hv_can_load())
			return -EOPNOTSUPP;
		return pc_ioc_read(PARACHUTE_HC_CAPTURE_INFO, argp,
				   sizeof(struct parachute_capture_info));
	case PARACHUTE_IOC_DMA_FAULTS:
		if (!hv_can_load())
			return -EOPNOTSUPP;
		return pc_ioc_read(PARACHUTE_HC_DMA_FAULTS, argp,
				   sizeof(struct parachute_dma_faults));
	case PARACHUTE_IOC_HISTORY:
		return pc_ioc_read(PARACHUTE_HC_HISTORY, argp, sizeof(struct parachute_history));
	case PARACHUTE_IOC_WATCHDOG:
		ret = pc_ioc_u32(file, argp, &v);
		return ret ? ret : pc_watchdog(v);
	case PARACHUTE_IOC_SEAL_KEXEC:
		ret = pc_ioc_u32(file, argp, &v);
		return ret ? ret : pc_seal_kexec(v);
	case PARACHUTE_IOC_LOAD:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return pc_ioc_load(argp);
	case PARACHUTE_IOC_UNLOAD:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return pc_ioc_unload();
	case PARACHUTE_IOC_CAPTURE_REPORT:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return pc_ioc_report(argp);
	case PARACHUTE_IOC_RESTART:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return pc_ioc_restart();
	case PARACHUTE_IOC_SELFTEST:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return pc_ioc_selftest(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pc_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.llseek = no_llseek,
	.unlocked_ioctl = pc_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice pc_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "parachute",
	.fops = &pc_fops,
	.mode = 0600,
};

/* require_hv=0 (benchmarks only): load without the hv, for the NMI tests alone. */
static bool require_hv = true;
module_param(require_hv, bool, 0444);

static int __init pc_init(void)
{
	unsigned int eax, ebx, ecx, edx;
	int ret;

	cpuid(PARACHUTE_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	if (ebx != PARACHUTE_CPUID_EBX || ecx != PARACHUTE_CPUID_ECX ||
	    edx != PARACHUTE_CPUID_EDX) {
		pr_info("parachute: not running on ParachuteHV\n");
		return require_hv ? -ENODEV : 0;
	}
	on_hv = true;
	status_page = get_zeroed_page(GFP_KERNEL);
	if (!status_page)
		return -ENOMEM;
	hv_abi = pc_hypercall(PARACHUTE_HC_VERSION, 0, 0, 0);
	pr_info("parachute: hypercall VERSION from CPL 0 returned %ld (abi %ld.%ld)\n", hv_abi,
		hv_abi >> 16, hv_abi & 0xffff);
	if (is_kdump_kernel()) {
		/* The capture kernel reached its initramfs: the hv's boot bound stops. */
		char up[64];
		int n = scnprintf(up, sizeof(up), "Linux %s", init_utsname()->release);

		capture_kernel = true;
		ret = pc_report(PARACHUTE_REPORT_STARTED, up, n);
		pr_info("parachute: capture kernel: CAPTURE_REPORT(STARTED) returned %d\n", ret);
	} else if (hv_abi >= ((1 << 16) | 1)) {
		guest_info();
	}
	timer_setup(&wd_timer, wd_pet, 0);
	register_reboot_notifier(&pc_reboot_nb);
	ret = misc_register(&pc_misc);
	if (ret) {
		pr_err("parachute: cannot register /dev/parachute: %d\n", ret);
		unregister_reboot_notifier(&pc_reboot_nb);
		free_page(status_page);
		return ret;
	}
	if (capture_kernel) {
		atomic_notifier_chain_register(&panic_notifier_list, &pc_capture_panic_nb);
		register_syscore_ops(&pc_restart_ops);
	} else if (crash_on_panic) {
		atomic_notifier_chain_register(&panic_notifier_list, &pc_panic_nb);
	}
	return 0;
}

static void __exit pc_exit(void)
{
	if (capture_kernel) {
		atomic_notifier_chain_unregister(&panic_notifier_list, &pc_capture_panic_nb);
		unregister_syscore_ops(&pc_restart_ops);
	} else if (crash_on_panic) {
		atomic_notifier_chain_unregister(&panic_notifier_list, &pc_panic_nb);
	}
	if (on_hv) {
		misc_deregister(&pc_misc);
		unregister_reboot_notifier(&pc_reboot_nb);
		if (READ_ONCE(wd_ms))
			pc_watchdog(0);
		if (sealed) { /* a crash without the module could not lift it */
			pc_hypercall(PARACHUTE_HC_SEAL_KEXEC, 0, 0, 0);
			cpu_emergency_unregister_virt_callback(pc_crashing);
		}
	}
	free_page(status_page);
}

module_init(pc_init);
module_exit(pc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("parachute guest interface (CPL 0 hypercalls)");
