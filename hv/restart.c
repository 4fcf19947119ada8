// SPDX-License-Identifier: GPL-2.0-only
/*
 * Back in service without a machine reset (hv/restart.h). The stash is a
 * hidden range next to the capture region and the heap:
 *
 *   +0                 the guest kernel, as its module came (a bzImage)
 *   +kernel            the guest initrd, as its module came
 *   +kernel + initrd   the armed capture kernel's staged bytes, its hashed
 *                      ranges one after the other (kept again after a load)
 */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/history.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <hv/restart.h>
#include <hv/watchdog.h>

static struct {
	struct boot_module kernel, initrd; /* start: in the stash */
	bool have_initrd;
	u64 capture_at, capture_room; /* the capture part */
	bool capture_kept;	      /* it holds the armed contents */
	char cmdline[BOOT_MODSTR_MAX];
} stash;

static u64 guest_part(const struct boot_info *bi)
{
	const struct boot_module *km = bi->by_role[ROLE_GUEST];
	const struct boot_module *im = bi->by_role[ROLE_GUEST_INITRD];

	return ALIGN_UP(km ? km->size : 0, PAGE_SIZE) + ALIGN_UP(im ? im->size : 0, PAGE_SIZE);
}

u64 restart_stash_size(const struct boot_info *bi)
{
	if (hv.opt.restart != RESTART_ON)
		return 0;
	return ALIGN_UP(guest_part(bi) + arch_capture_stash_need(bi), 2 * MiB);
}

void restart_keep_guest(const struct boot_info *bi)
{
	const struct boot_module *km = bi->by_role[ROLE_GUEST];
	const struct boot_module *im = bi->by_role[ROLE_GUEST_INITRD];
	u64 at = hv.restart_base;

	if (!hv.restart_size)
		return;
	stash.kernel = (struct boot_module){ .start = at, .size = km->size, .role = ROLE_GUEST };
	memcpy(phys_to_virt(at), phys_to_virt(km->start), km->size);
	at += ALIGN_UP(km->size, PAGE_SIZE);
	strlcpy_hv(stash.cmdline, km->args, sizeof(stash.cmdline));
	stash.kernel.args = stash.cmdline;
	if (im) {
		stash.initrd = (struct boot_module){ .start = at, .size = im->size,
						     .role = ROLE_GUEST_INITRD, .args = "" };
		memcpy(phys_to_virt(at), phys_to_virt(im->start), im->size);
		at += ALIGN_UP(im->size, PAGE_SIZE);
	}
	stash.have_initrd = im != NULL;
	stash.capture_at = at;
	stash.capture_room = hv.restart_base + hv.restart_size - at;
	pr_info("restart: %llu KiB kept for a restart without a machine reset (guest kernel %llu KiB, initrd %llu KiB, capture kernel up to %llu KiB)",
		(unsigned long long)(hv.restart_size / KiB), (unsigned long long)(km->size / KiB),
		(unsigned long long)(im ? im->size / KiB : 0),
		(unsigned long long)(stash.capture_room / KiB));
}

void restart_keep_capture(void)
{
	u64 at = stash.capture_at, need = 0;

	stash.capture_kept = false;
	if (!hv.restart_size || !stash.capture_at)
		return;
	for (unsigned int i = 0; i < capture.nhashed; i++)
		need += ALIGN_UP(capture.hashed[i].end - capture.hashed[i].start, PAGE_SIZE);
	if (need > stash.capture_room) {
		pr_warn("restart: the armed capture kernel (%llu KiB staged) does not fit the %llu KiB kept for it; a restart will be refused",
			(unsigned long long)(need / KiB),
			(unsigned long long)(stash.capture_room / KiB));
		return;
	}
	for (unsigned int i = 0; i < capture.nhashed; i++) {
		u64 n = capture.hashed[i].end - capture.hashed[i].start;

		memcpy(phys_to_virt(at), phys_to_virt(capture.hashed[i].start), n);
		at += ALIGN_UP(n, PAGE_SIZE);
	}
	stash.capture_kept = true;
}

/* The capture kernel as it was armed: its staged bytes back where they were. */
static void put_capture_back(void)
{
	u64 at = stash.capture_at;

	for (unsigned int i = 0; i < capture.nhashed; i++) {
		u64 n = capture.hashed[i].end - capture.hashed[i].start;

		memcpy(phys_to_virt(capture.hashed[i].start), phys_to_virt(at), n);
		at += ALIGN_UP(n, PAGE_SIZE);
	}
}

bool restart_available(void)
{
	return hv.restart_size && stash.capture_kept && capture.armed;
}

enum vcpu_action capture_restart(struct percpu *cpu, s64 *ret)
{
	u64 t0 = arch_timestamp_us();
	int err;

	if (!capture_kernel_cpu(cpu)) {
		pr_warn_limited(&cpu->refused, "cpu%u: RESTART outside a capture kernel refused",
				cpu->cpu_id);
		*ret = -PARACHUTE_EPERM;
		return VCPU_SKIP;
	}
	if (!hv.restart_size) {
		pr_warn("restart refused: the hv keeps nothing to restart from (restart=off); the capture kernel resets the machine");
		*ret = -PARACHUTE_EACCES;
		return VCPU_SKIP;
	}
	if (!stash.capture_kept) {
		pr_warn("restart refused: the armed capture kernel was not kept (larger than the stash); the capture kernel resets the machine");
		*ret = -PARACHUTE_ENOSPC;
		return VCPU_SKIP;
	}
	/* One CPU ends the capture: two would wait for each other to stop. */
	if (!capture_end_claim()) {
		pr_warn_limited(&cpu->refused, "cpu%u: RESTART refused: another CPU of the capture kernel restarts or fails the capture",
				cpu->cpu_id);
		*ret = -PARACHUTE_EBUSY;
		return VCPU_SKIP;
	}
	/* From here on memory changes: a failure can only reset the machine. */
	watchdog_stop();
	/* The capture kernel's other CPUs stop first: nothing runs it while it is put back. */
	if (arch_capture_cpus_stop(cpu)) {
		pr_err("restart failed: the capture kernel's other CPUs did not stop; resetting the machine");
		arch_reboot();
	}
	put_capture_back();
	if (capture_check_region() != capture.check) {
		pr_err("restart failed: the capture kernel put back does not match what was armed; resetting the machine");
		arch_reboot();
	}
	err = arch_capture_restart(cpu, &stash.kernel, stash.have_initrd ? &stash.initrd : NULL);
	if (err) {
		pr_err("restart failed (%d): the guest cannot be booted again; resetting the machine",
		       err);
		arch_reboot();
	}
	history_restarted();
	pr_info("restart %u: the guest kernel boots again on cpu%u, capture re-armed, in %llu us (no machine reset)",
		capture_rearm(), cpu->cpu_id, (unsigned long long)(arch_timestamp_us() - t0));
	return VCPU_RESET;
}
