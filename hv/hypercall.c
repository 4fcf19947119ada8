// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercall service. The guest is untrusted: the caller's CPL is checked first,
 * and every guest-physical range is checked against the guest's own RAM before
 * the hv touches it, so no call can reach hv or capture memory.
 */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <parachute/abi.h>

/* The buffer must be guest RAM, outside every hidden range, within one page. */
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
	if (!guest_range_ok(gpa, n))
		return -PARACHUTE_EFAULT;

	st.abi_version = PARACHUTE_ABI_VERSION;
	st.struct_size = sizeof(st);
	st.flags = capture.armed ? PARACHUTE_STATUS_CAPTURE_ARMED : 0;
	if (arch_dma_isolated())
		st.flags |= PARACHUTE_STATUS_DMA_ISOLATION;
	st.vendor = arch_vendor();
	st.nr_cpus = nr_cpus_online;
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		st.nr_vcpus += percpu_area[i].state == CPU_GUEST;
	st.capture_base = hv.capture_base;
	st.capture_size = hv.capture_size;
	st.exits_total = cpu->stats.total;
	st.tsc_khz = hv.tsc_khz;
	st.uptime_tsc = arch_timestamp() - hv.start_tsc;
	memcpy(phys_to_virt(gpa), &st, n);
	return (s64)n;
}

s64 hypercall(struct percpu *cpu, unsigned int cpl, u64 nr, u64 a0, u64 a1, u64 a2)
{
	(void)a2;
	if (cpl != 0) {
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: hypercall %llu from CPL %u refused (%llu refusals)",
				cpu->cpu_id, (unsigned long long)nr, cpl,
				(unsigned long long)cpu->refused);
		return -PARACHUTE_EPERM;
	}
	arch_dma_poll(); /* DMA faults are reported before the call's own output */
	switch (nr) {
	case PARACHUTE_HC_VERSION:
		return PARACHUTE_ABI_VERSION;
	case PARACHUTE_HC_STATUS:
		return hc_status(cpu, a0, a1);
	case PARACHUTE_HC_CRASH:
		if (hv.opt.crash_hypercall == TRIGGER_REFUSE || !capture.armed) {
			pr_warn("cpu%u: CRASH hypercall (reason %llu) refused: %s", cpu->cpu_id,
				(unsigned long long)a0,
				capture.armed ? "crash_hypercall=refuse" : "capture disarmed");
			return capture.armed ? -PARACHUTE_EPERM : -PARACHUTE_ENODEV;
		}
		cpu->vcpu_reset = crash_trigger(cpu, "guest CRASH hypercall");
		return 0;
	case PARACHUTE_HC_DUMP_STATS:
		for (unsigned int i = 0; i < MAX_CPUS; i++)
			if (percpu_area[i].state == CPU_GUEST || percpu_area[i].state == CPU_PARKED)
				exit_stats_dump(&percpu_area[i], arch_exit_name);
		return 0;
	default:
		return -PARACHUTE_ENOSYS;
	}
}
