// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compat mode (PARACHUTE_HC_SEAL_KEXEC): a guest that keeps stock kdump
 * seals its crashkernel region once kexec -p has loaded it. Sealed, the
 * region is read-only and not executable in the guest's nested tables (a
 * stray write is stepped over and dropped, vcpu_handle_npf()) and read-only
 * to devices. The kernel's crash path writes into the region before it
 * jumps there (machine_kexec() copies relocate_kernel into kexec's control
 * page; the CPU sets accessed bits in kexec's page tables, which live there
 * too), so the seal is lifted at the crash path's start: the guest module's
 * emergency callback calls SEAL_KEXEC with PARACHUTE_SEAL_CRASHING. A fetch
 * in the region (a guest without the module) lifts it as well. Lifted, the
 * rest of guest RAM is read-only to devices, and kdump runs as it would
 * have without the hv.
 */
#include <asm/guest_mem.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/seal.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <hv/watchdog.h>
#include <parachute/abi.h>

#define SEAL_MAX (64 * GiB)

static struct {
	u64 start, end; /* end == start: nothing sealed */
	bool jumped;	/* the crash path entered the region: kdump's now */
	spinlock_t lock;
} seal;

static s64 unseal(struct percpu *cpu)
{
	if (seal.end == seal.start)
		return 0;
	if (gpm_seal(0, 0) || iommu_seal(seal.start, seal.end, IOMMU_UNSEALED))
		return -PARACHUTE_EINVAL;
	smp_flush_guest(cpu);
	pr_info_limited(&cpu->guest_lines, "cpu%u: kexec region 0x%llx-0x%llx unsealed by the guest", cpu->cpu_id,
		(unsigned long long)seal.start, (unsigned long long)(seal.end - 1));
	seal.start = seal.end = 0;
	return 0;
}

/* The crash path began: the region is kdump's. Called with seal.lock held. */
static void lift(struct percpu *cpu, const char *why)
{
	seal.jumped = true;
	pr_warn("cpu%u: %s (rip 0x%llx): the seal of the kexec region 0x%llx-0x%llx is lifted for kdump, the rest of guest RAM is read-only to devices",
		cpu->cpu_id, why, (unsigned long long)vendor->get(cpu, VCPU_RIP),
		(unsigned long long)seal.start, (unsigned long long)(seal.end - 1));
	/* The crashed kernel's memory is evidence now: devices may write kdump's only. */
	iommu_seal(seal.start, seal.end, IOMMU_KEXEC);
	gpm_seal(0, 0);
	watchdog_stop(); /* the kdump kernel does not pet it */
}

void seal_reset(void)
{
	spin_lock(&seal.lock);
	if (seal.end != seal.start)
		gpm_seal(0, 0);
	seal.start = seal.end = 0;
	seal.jumped = false;
	spin_unlock(&seal.lock);
}

s64 arch_seal_kexec(struct percpu *cpu, u64 base, u64 size, u64 flags)
{
	s64 ret = 0;

	spin_lock(&seal.lock);
	if (flags & ~(u64)PARACHUTE_SEAL_CRASHING) {
		ret = -PARACHUTE_EINVAL;
	} else if (capture_running()) {
		/* The capture's own (its bound, its tables): nothing a crashed guest changes. */
		ret = -PARACHUTE_EBUSY;
	} else if (flags) {
		if (seal.end != seal.start && !seal.jumped)
			lift(cpu, "the guest's crash path began");
	} else if (seal.jumped) {
		ret = -PARACHUTE_EBUSY;
	} else if (!size) {
		ret = unseal(cpu);
	} else if (vendor->id == PARACHUTE_VENDOR_SVM && !cpu_has_nx()) {
		pr_warn_limited(&cpu->refused, "cpu%u: SEAL_KEXEC refused: this CPU has no NX, which nested pages need to forbid execution",
			cpu->cpu_id);
		ret = -PARACHUTE_EINVAL;
	} else if (!IS_ALIGNED(base | size, PAGE_SIZE) || base + size < base || size > SEAL_MAX ||
		   base < 1 * MiB || !memmap_is_ram(&hv.guest_map, base, size) ||
		   hv_is_hidden(base, size)) {
		pr_warn_limited(&cpu->refused, "cpu%u: SEAL_KEXEC refused: 0x%llx+0x%llx is not page-aligned guest RAM above 1 MiB (at most %llu GiB)",
			cpu->cpu_id, (unsigned long long)base, (unsigned long long)size,
			(unsigned long long)(SEAL_MAX / GiB));
		ret = -PARACHUTE_EINVAL;
	} else if (seal.end != seal.start && (base != seal.start || base + size != seal.end)) {
		pr_warn_limited(&cpu->refused, "cpu%u: SEAL_KEXEC refused: 0x%llx-0x%llx is sealed; unseal it first",
			cpu->cpu_id, (unsigned long long)seal.start, (unsigned long long)(seal.end - 1));
		ret = -PARACHUTE_EINVAL;
	} else if (seal.end != seal.start) {
		/* Sealed again as it is (kexec -p reloads seal after they unseal): nothing changes. */
	} else if (gpm_seal(base, base + size)) {
		gpm_seal(0, 0);
		ret = -PARACHUTE_EINVAL;
	} else if (iommu_seal(base, base + size, IOMMU_SEALED)) {
		/* Both sides back as they were: nothing sealed. */
		gpm_seal(0, 0);
		iommu_seal(base, base + size, IOMMU_UNSEALED);
		smp_flush_guest(cpu);
		ret = -PARACHUTE_EINVAL;
	} else {
		seal.start = base;
		seal.end = base + size;
		smp_flush_guest(cpu);
		pr_info_limited(&cpu->guest_lines, "cpu%u: kexec region 0x%llx-0x%llx sealed: read-only and not executable to the guest's CPUs, read-only to devices",
			cpu->cpu_id, (unsigned long long)base, (unsigned long long)(base + size - 1));
	}
	spin_unlock(&seal.lock);
	return ret;
}

enum vcpu_action seal_fetch(struct percpu *cpu, u64 gpa)
{
	spin_lock(&seal.lock);
	if (!seal.jumped && gpm_sealed(gpa))
		lift(cpu, "the guest jumped into its sealed kexec region");
	spin_unlock(&seal.lock);
	vendor->flush(cpu);
	return VCPU_RESUME;
}
