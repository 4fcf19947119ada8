// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall service. The guest is untrusted: the caller's CPL is checked first,
 * and every guest-physical range is checked against the guest's own RAM before
 * the hv touches it, so no call can reach hv or capture memory.
 */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/history.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/restart.h>
#include <hv/spinlock.h>
#include <hv/watchdog.h>
#include <parachute/abi.h>

/*
 * A buffer the hv reads for the guest: guest RAM, outside every hidden
 * range, within one page. One it writes is arch_guest_writable()'s: what
 * the vCPU itself could write (not its sealed region, not evidence).
 */
static bool guest_range_ok(u64 gpa, u64 size)
{
	if (!size || gpa + size < gpa)
		return false;
	if ((gpa & ~(PAGE_SIZE - 1)) != ((gpa + size - 1) & ~(PAGE_SIZE - 1)))
		return false;
	return memmap_is_ram(&hv.guest_map, gpa, size) && !hv_is_hidden(gpa, size);
}

static s64 hc_status(struct percpu *cpu, u64 gpa, u64 size)
{
	struct parachute_status st = { 0 };
	u64 n;

	if (size < 2 * sizeof(u32))
		return -PARACHUTE_EINVAL;
	n = MIN(size, sizeof(st));
	/* The capture kernel's own memory is the capture region (RESTART asks first). */
	if (!arch_guest_writable(cpu, gpa, n))
		return -PARACHUTE_EFAULT;

	st.abi_version = PARACHUTE_ABI_VERSION;
	st.struct_size = sizeof(st);
	st.flags = capture.armed ? PARACHUTE_STATUS_CAPTURE_ARMED : 0;
	if (arch_dma_isolated())
		st.flags |= PARACHUTE_STATUS_DMA_ISOLATION;
	if (restart_available())
		st.flags |= PARACHUTE_STATUS_RESTART;
	st.vendor = arch_vendor();
	st.nr_cpus = nr_cpus_online;
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		st.nr_vcpus += percpu_area[i].state == CPU_GUEST;
	st.capture_base = hv.capture_base;
	st.capture_size = hv.capture_size;
	st.exits_total = cpu->stats.total;
	st.tsc_khz = hv.tsc_khz;
	st.uptime_tsc = arch_timestamp() - hv.start_tsc;
	watchdog_status(&st.watchdog_ms, &st.watchdog_left_ms);
	st.heap_used = heap_used();
	memcpy(phys_to_virt(gpa), &st, n);
	return (s64)n;
}

/*
 * Offsets the crash path will follow through the crashed kernel's memory:
 * bounded, so that a hostile value cannot send it far; reads there are
 * checked against guest RAM all the same.
 */
#define GUEST_INFO_MAX_OFFSET (1 * GiB)
#define KERNEL_HALF	      0xffff800000000000ull

static s64 hc_guest_info(struct percpu *cpu, u64 gpa, u64 size)
{
	struct parachute_guest_info gi = { 0 };
	u64 text;
	u32 len;

	if (size < 16)
		return -PARACHUTE_EINVAL;
	size = MIN(size, sizeof(gi));
	if (!guest_range_ok(gpa, size))
		return -PARACHUTE_EFAULT;
	memcpy(&gi, phys_to_virt(gpa), size);
	if (gi.task_pid_offset >= 64 * KiB || gi.current_task >= GUEST_INFO_MAX_OFFSET ||
	    gi.cpu_number >= GUEST_INFO_MAX_OFFSET ||
	    (gi.crashing_cpu && gi.crashing_cpu < KERNEL_HALF)) {
		pr_warn_limited(&cpu->refused, "cpu%u: GUEST_INFO refused: task pid offset 0x%x, per-CPU offsets 0x%llx and 0x%llx, crashing_cpu at 0x%llx",
			cpu->cpu_id, gi.task_pid_offset, (unsigned long long)gi.current_task,
			(unsigned long long)gi.cpu_number, (unsigned long long)gi.crashing_cpu);
		return -PARACHUTE_EINVAL;
	}
	if (gi.vmcoreinfo_note && vmcoreinfo_note_at(&hv.guest_map, gi.vmcoreinfo_note, &text, &len)) {
		pr_warn_limited(&cpu->refused, "cpu%u: GUEST_INFO refused: no VMCOREINFO note at 0x%llx", cpu->cpu_id,
			(unsigned long long)gi.vmcoreinfo_note);
		return -PARACHUTE_EINVAL;
	}
	capture_set_kernel_info(&(struct guest_kernel_info){ true, gi.task_pid_offset, gi.current_task,
							     gi.cpu_number, gi.crashing_cpu,
							     gi.vmcoreinfo_note });
	pr_info_limited(&cpu->guest_lines, "cpu%u: guest kernel info: task pid at +0x%x, per-CPU current task at +0x%llx, CPU number at +0x%llx, crashing_cpu at 0x%llx, VMCOREINFO at 0x%llx",
		cpu->cpu_id, gi.task_pid_offset, (unsigned long long)gi.current_task,
		(unsigned long long)gi.cpu_number, (unsigned long long)gi.crashing_cpu,
		(unsigned long long)gi.vmcoreinfo_note);
	return 0;
}

static s64 hc_capture_info(const struct percpu *cpu, u64 gpa, u64 size)
{
	static struct parachute_capture_info ci; /* 2.3 KiB: not on a 16 KiB stack */
	static spinlock_t lock;
	u64 n;

	if (size < 2 * sizeof(u32))
		return -PARACHUTE_EINVAL;
	n = MIN(size, sizeof(ci));
	if (!arch_guest_writable(cpu, gpa, n))
		return -PARACHUTE_EFAULT;
	spin_lock(&lock);
	capture_info(&ci);
	memcpy(phys_to_virt(gpa), &ci, n);
	spin_unlock(&lock);
	return (s64)n;
}

/*
 * A header and the most recent records that fit in size bytes, into a guest
 * buffer (DMA_FAULTS, HISTORY): fill() completes the header in buf, puts at
 * most max records after it and returns how many. One call at a time: the
 * buffers are static (not on a 16 KiB stack).
 */
static s64 hc_records(const struct percpu *cpu, u64 gpa, u64 size, void *buf, u64 hdr,
		      u64 rec, u64 buf_size, unsigned int (*fill)(void *buf, unsigned int max))
{
	static spinlock_t lock;
	u64 n;

	if (size < hdr)
		return -PARACHUTE_EINVAL;
	size = MIN(size, buf_size);
	if (!arch_guest_writable(cpu, gpa, size))
		return -PARACHUTE_EFAULT;
	spin_lock(&lock);
	n = hdr + fill(buf, (unsigned int)((size - hdr) / rec)) * rec;
	memcpy(phys_to_virt(gpa), buf, n);
	spin_unlock(&lock);
	return (s64)n;
}

static struct parachute_dma_faults dma_faults;
static struct parachute_history history;

static unsigned int fill_dma_faults(void *buf, unsigned int max)
{
	struct parachute_dma_faults *df = buf;

	df->struct_size = __builtin_offsetof(struct parachute_dma_faults, f);
	df->nr = arch_dma_faults(df->f, max, &df->total);
	return df->nr;
}

static unsigned int fill_history(void *buf, unsigned int max)
{
	struct parachute_history *h = buf;

	h->struct_size = __builtin_offsetof(struct parachute_history, r);
	h->nr = history_read(h->r, max, &h->total);
	return h->nr;
}

/* One page of a load: the guest's page must be guest RAM, whole and aligned. */
static s64 hc_load_data(struct percpu *cpu, u64 part, u64 offset, u64 gpa)
{
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !guest_range_ok(gpa, PAGE_SIZE))
		return -PARACHUTE_EFAULT;
	return capture_load_data(cpu, part, offset, phys_to_virt(gpa));
}

/*
 * The counters on the console: a page of lines per call, so rate-limited per
 * vCPU, and cut short by a crash: a vCPU printing them for seconds through a
 * polled UART would miss the park request (1 s) and its registers the dump.
 */
static s64 hc_dump_stats(struct percpu *cpu)
{
	if (capture_running())
		return -PARACHUTE_EBUSY;
	if (!log_ratelimit(&cpu->guest_lines))
		return 0;
	for (unsigned int i = 0; i < MAX_CPUS && !capture_running(); i++)
		if (percpu_area[i].state == CPU_GUEST || percpu_area[i].state == CPU_PARKED)
			exit_stats_dump(&percpu_area[i], arch_exit_name);
	return 0;
}

/* Served: a->ret is the result. The CRASH call may instead hand the vCPU over. */
static enum vcpu_action hc_crash(struct percpu *cpu, struct hypercall_args *a)
{
	enum vcpu_action act = crash_trigger(cpu, CRASH_HYPERCALL);

	if (act != VCPU_RESUME)
		return act;
	pr_warn_limited(&cpu->refused, "cpu%u: CRASH hypercall (reason %llu) refused: %s", cpu->cpu_id,
		(unsigned long long)a->a0,
		capture.armed ? "crash_hypercall=refuse" : "capture disarmed");
	a->ret = capture.armed ? -PARACHUTE_EPERM : -PARACHUTE_ENODEV;
	return VCPU_SKIP;
}

enum vcpu_action hypercall(struct percpu *cpu, unsigned int cpl, struct hypercall_args *a)
{
	if (cpl != 0) {
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: hypercall %llu from CPL %u refused (%llu refusals)",
				cpu->cpu_id, (unsigned long long)a->nr, cpl,
				(unsigned long long)cpu->refused);
		a->ret = -PARACHUTE_EPERM;
		return VCPU_SKIP;
	}
	arch_dma_poll(); /* DMA faults are reported before the call's own output */
	switch (a->nr) {
	case PARACHUTE_HC_VERSION:
		a->ret = PARACHUTE_ABI_VERSION;
		break;
	case PARACHUTE_HC_STATUS:
		a->ret = hc_status(cpu, a->a0, a->a1);
		break;
	case PARACHUTE_HC_CRASH:
		return hc_crash(cpu, a);
	case PARACHUTE_HC_DUMP_STATS:
		a->ret = hc_dump_stats(cpu);
		break;
	case PARACHUTE_HC_GUEST_INFO:
		a->ret = hc_guest_info(cpu, a->a0, a->a1);
		break;
	case PARACHUTE_HC_CAPTURE_INFO:
		a->ret = hc_capture_info(cpu, a->a0, a->a1);
		break;
	case PARACHUTE_HC_LOAD_BEGIN:
		a->ret = capture_load_begin(cpu, a->a0, a->a1, a->a2);
		break;
	case PARACHUTE_HC_LOAD_DATA:
		a->ret = hc_load_data(cpu, a->a0, a->a1, a->a2);
		break;
	case PARACHUTE_HC_LOAD_COMMIT:
		a->ret = capture_load_commit(cpu, a->a0);
		break;
	case PARACHUTE_HC_DMA_FAULTS:
		a->ret = hc_records(cpu, a->a0, a->a1, &dma_faults,
				    __builtin_offsetof(struct parachute_dma_faults, f),
				    sizeof(dma_faults.f[0]), sizeof(dma_faults), fill_dma_faults);
		break;
	case PARACHUTE_HC_SEAL_KEXEC:
		a->ret = arch_seal_kexec(cpu, a->a0, a->a1, a->a2);
		break;
	case PARACHUTE_HC_WATCHDOG:
		a->ret = watchdog_set(cpu, a->a0);
		break;
	case PARACHUTE_HC_UNLOAD:
		a->ret = capture_unload(cpu);
		break;
	case PARACHUTE_HC_CAPTURE_REPORT:
		a->ret = capture_report(cpu, a->a0, a->a1, a->a2);
		break;
	case PARACHUTE_HC_RESTART:
		return capture_restart(cpu, &a->ret);
	case PARACHUTE_HC_HISTORY:
		a->ret = hc_records(cpu, a->a0, a->a1, &history,
				    __builtin_offsetof(struct parachute_history, r),
				    sizeof(history.r[0]), sizeof(history), fill_history);
		break;
	default:
		a->ret = -PARACHUTE_ENOSYS;
	}
	return VCPU_SKIP;
}
