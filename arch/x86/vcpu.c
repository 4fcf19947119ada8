// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both backends decide alike. svm.c and vmx.c only read the exit from
 * their VMCB or VMCS and apply the decision to it; the policy is here.
 */
#include <asm/acpi.h>
#include <asm/cpuid.h>
#include <asm/vcpu.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/printk.h>

void vcpu_cpuid(struct percpu *cpu, u64 guest_cr4)
{
	struct guest_regs *r = &cpu->arch.regs;
	struct cpuid_regs c;
	u32 leaf = (u32)r->rax, sub = (u32)r->rcx;

	cpuid_count(leaf, sub, &c);
	cpuid_policy(leaf, sub, guest_cr4, &c);
	r->rax = c.eax;
	r->rbx = c.ebx;
	r->rcx = c.ecx;
	r->rdx = c.edx;
}

enum vcpu_nmi vcpu_nmi(struct percpu *cpu)
{
	/* A kick from another CPU: its mailbox says why. */
	if (cpu->arch.mbox.park)
		arch_crash_park_self(cpu);
	if (cpu->arch.mbox.init) {
		cpu->arch.leave_guest = true;
		return VCPU_NMI_DONE;
	}
	if (cpu->arch.guest_nmis || hv.opt.nmi == TRIGGER_GUEST) {
		if (cpu->arch.guest_nmis)
			__atomic_sub_fetch(&cpu->arch.guest_nmis, 1, __ATOMIC_SEQ_CST);
		return VCPU_NMI_GUEST;
	}
	return crash_trigger(cpu, "operator NMI") ? VCPU_NMI_DONE : VCPU_NMI_FATAL;
}

bool vcpu_pvpanic_io(struct percpu *cpu, u16 port, bool in, bool plain)
{
	u64 *rax = &cpu->arch.regs.rax;
	u8 val = (u8)*rax;

	/* The vmcore records the OUT itself; a vCPU that goes on resumes after it. */
	if (!in && plain && port == PVPANIC_PORT && (val & PVPANIC_PANICKED) &&
	    crash_trigger(cpu, "pvpanic (the guest kernel panicked)"))
		return true;
	if (port != PVPANIC_PORT || !plain)
		return false; /* not a form pvpanic uses: ignored */
	if (in)		      /* reading tells the driver which events are supported */
		*rax = (*rax & ~0xffull) | PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
	else if (val & PVPANIC_CRASH_LOADED)
		pr_info("cpu%u: pvpanic: the guest is starting its own crash kernel", cpu->cpu_id);
	return false;
}

void vcpu_fatal(struct percpu *cpu)
{
	vendor->dump(cpu);
	exit_stats_dump(cpu, vendor->exit_name);
	pr_err("cpu%u: vCPU parked after a fatal guest event", cpu->cpu_id);
	cpu->state = CPU_HALTED;
}

bool vcpu_take_sipi(struct percpu *cpu, u32 *vector)
{
	struct cpu_mailbox *mb = &cpu->arch.mbox;

	if (mb->park || !mb->sipi)
		return false;
	*vector = mb->sipi & 0xff;
	mb->sipi = 0;
	mb->init = 0;
	return true;
}

void __noreturn vcpu_cpu_loop(struct percpu *cpu)
{
	for (;;) {
		u32 vector = vendor->wait_for_sipi(cpu);

		vendor->start_at_sipi(cpu, vector);
		pr_info("cpu%u: vCPU started by the guest (SIPI vector 0x%02x), in guest mode",
			cpu->cpu_id, vector);
		vendor->run(cpu);
		if (cpu->state == CPU_HALTED)
			cpu->arch.mbox.park = 1; /* fatal: never started again */
	}
}
