// SPDX-License-Identifier: GPL-2.0-only
/*
 * Back in service after a capture, the x86 part (docs/capture.md): what the
 * restart stash must hold of the staged capture kernel, and the guest's
 * machine put back (low memory, interrupts, seal, DMA domain, vCPUs) before
 * its kernel is entered again.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/capture_region.h>
#include <asm/guest.h>
#include <asm/guest_mem.h>
#include <asm/iommu.h>
#include <asm/lend.h>
#include <asm/linux.h>
#include <asm/seal.h>
#include <asm/madt.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/percpu.h>

/* What the restart stash keeps of the staged capture kernel: its hashed ranges' bytes. */
u64 arch_capture_stash_need(const struct boot_info *bi)
{
	const struct boot_module *km = bi->by_role[ROLE_CAPTURE];
	const struct boot_module *im = bi->by_role[ROLE_CAPTURE_INITRD];
	const struct boot_module *vm = bi->by_role[ROLE_CAPTURE_VMLINUX];
	u64 need = TAIL_ELF + (im ? ALIGN_UP(im->size, PAGE_SIZE) : 0);
	struct bzimage bz;
	struct vmlinux vl;

	if (!km)
		return 0;
	if (bzimage_parse(phys_to_virt(km->start), km->size, &bz, "capture kernel"))
		return 0; /* refused again, and logged, when staged */
	if (vm && !vmlinux_parse(phys_to_virt(vm->start), vm->size, &vl, "capture vmlinux")) {
		need += TAIL_PGT_MAX * PAGE_SIZE; /* its entry's identity map, at most */
		for (unsigned int i = 0; i < vl.nchecked; i++)
			need += ALIGN_UP(vl.checked[i].end - vl.checked[i].start, PAGE_SIZE);
		return need;
	}
	return need + ALIGN_UP(bz.kernel_size, PAGE_SIZE);
}

int arch_capture_restart(struct percpu *cpu, const struct boot_module *km,
			 const struct boot_module *im)
{
	struct x86_entry e;
	int ret;

	/* Guest RAM below 640 KiB as the crash left it: the capture kernel ran there. */
	for (unsigned int i = 0; i < hv.guest_map.nr; i++) {
		const struct e820_entry *r = &hv.guest_map.e[i];

		if (r->type == E820_RAM && r->addr < LOW_MEM_END)
			memcpy(phys_to_virt(r->addr), phys_to_virt(capture_tail() + TAIL_BACKUP + r->addr),
			       MIN(r->addr + r->size, (u64)LOW_MEM_END) - r->addr);
	}
	/* What the crash lent the capture kernel is the guest's RAM again. */
	ret = lend_return();
	if (ret)
		return ret;
	ret = guest_prepare_restart(km, im, &e);
	if (ret)
		return ret;
	/* As at the hand-over: the capture kernel's interrupt set-up is not the guest's. */
	apic_quiesce(boot_madt.ioapic, boot_madt.nr_ioapics, "the guest kernel");
	seal_reset();
	ret = iommu_guest_mode();
	if (ret)
		return ret;
	/*
	 * Every other vCPU waits for the guest's start-up IPI again, as at boot
	 * (the capture kernel's other CPUs were stopped first, hv/restart.c).
	 */
	cpu->arch.mbox.capture = 0;
	for (unsigned int i = 0; i < MAX_CPUS; i++) {
		struct percpu *t = &percpu_area[i];

		if (t == cpu)
			continue;
		t->arch.crash_saved = false;
		t->arch.mbox.init = 0;
		t->arch.mbox.sipi = 0;
		t->arch.mbox.capture = 0;
		__atomic_store_n(&t->arch.mbox.park, 0, __ATOMIC_SEQ_CST);
	}
	if (nr_cpus_online > 1 && apic_trap_set(true))
		return -ENOMEM;
	cpu->arch.reset = e;
	cpu->arch.reset_gpm = &guest_gpm;
	return 0;
}
