// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both backends decide alike. svm.c and vmx.c only read the exit from
 * their VMCB or VMCS and apply the decision to it; the policy is here.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/processor.h>
#include <asm/smp.h>
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

bool vcpu_tlb_stale(struct percpu *cpu)
{
	u32 gen = cpu->arch.gpm->gen;

	if (cpu->arch.gpm_gen == gen)
		return false;
	cpu->arch.gpm_gen = gen;
	/* The APIC trap may have been lifted when the guest set this CPU's LDR. */
	cpu->arch.ldr = apic_ldr();
	return true;
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
	if (cpu->arch.mbox.flush) { /* the entry that follows flushes (gpm->gen) */
		cpu->arch.mbox.flush = 0;
		return VCPU_NMI_DONE;
	}
	/*
	 * Not the hv's. The guest's if the APIC trap saw it send one here, or if
	 * this CPU's LINT1, where the platform's NMI comes in, is masked: the
	 * guest's NMI IPIs and perf interrupts. Otherwise it is taken for the
	 * operator's; with the xAPIC trap lifted (apic_trap=boot) an NMI IPI to
	 * the CPU that listens on LINT1 (the boot CPU in Linux) is one too.
	 */
	if (cpu->arch.guest_nmis || hv.opt.nmi == TRIGGER_GUEST || !apic_lint1_takes_nmi()) {
		if (cpu->arch.guest_nmis)
			__atomic_sub_fetch(&cpu->arch.guest_nmis, 1, __ATOMIC_SEQ_CST);
		return VCPU_NMI_GUEST;
	}
	return crash_trigger(cpu, "operator NMI") ? VCPU_NMI_DONE : VCPU_NMI_FATAL;
}

/*
 * The RTC/CMOS ports, performed on the hardware byte by byte (PC ports decode
 * so). The hv follows the index: a non-zero shutdown code is the warm-reset
 * step that precedes a CPU start-up (MP spec 1.4, B.4: code 0Ah, then INIT);
 * Linux writes 0 there again once the CPU is up.
 */
static u8 cmos_index;

static void cmos_io(struct percpu *cpu, u16 port, bool in, unsigned int size, u64 *rax)
{
	for (unsigned int i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		u8 b = (u8)(*rax >> (8 * i));

		if (in) {
			*rax = (*rax & ~(0xffull << (8 * i))) | ((u64)inb(p) << (8 * i));
			continue;
		}
		if (p == CMOS_INDEX_PORT)
			cmos_index = b & 0x7f; /* bit 7: the NMI mask of old chipsets */
		else if (p == CMOS_DATA_PORT && cmos_index == CMOS_SHUTDOWN_STATUS && b)
			smp_start_up_coming(cpu, "the guest wrote the CMOS warm-reset code");
		outb(p, b);
	}
}

static void set_port(u8 *bitmap, u16 port)
{
	bitmap[port / 8] |= (u8)(1u << (port % 8));
}

bool vcpu_io_bitmap(u8 *bitmap)
{
	if (hv.opt.pvpanic == TRIGGER_CAPTURE)
		set_port(bitmap, PVPANIC_PORT);
	if (hv.opt.apic_trap == APIC_TRAP_BOOT) { /* to see CPU start-ups coming */
		set_port(bitmap, CMOS_INDEX_PORT);
		set_port(bitmap, CMOS_DATA_PORT);
	}
	return hv.opt.pvpanic == TRIGGER_CAPTURE || hv.opt.apic_trap == APIC_TRAP_BOOT;
}

bool vcpu_io(struct percpu *cpu, u16 port, bool in, unsigned int size, bool plain)
{
	u64 *rax = &cpu->arch.regs.rax;
	u8 val = (u8)*rax;

	if (port + size > CMOS_INDEX_PORT && port <= CMOS_DATA_PORT) {
		if (plain)
			cmos_io(cpu, port, in, size, rax);
		else if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: string I/O to the CMOS ports not performed", cpu->cpu_id);
		return false;
	}
	if (port != PVPANIC_PORT || !plain || hv.opt.pvpanic != TRIGGER_CAPTURE)
		return false; /* not a form pvpanic uses: ignored */
	/* The vmcore records the OUT itself; a vCPU that goes on resumes after it. */
	if (!in && (val & PVPANIC_PANICKED) &&
	    crash_trigger(cpu, "pvpanic (the guest kernel panicked)"))
		return true;
	if (in) /* reading tells the driver which events are supported */
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
	mb->flush = 0; /* the vCPU starts with a full flush */
	return true;
}

void __noreturn vcpu_cpu_loop(struct percpu *cpu)
{
	for (;;) {
		u32 vector = vendor->wait_for_sipi(cpu);

		vendor->start_at_sipi(cpu, vector);
		pr_info("cpu%u: vCPU started by the guest (SIPI vector 0x%02x), in guest mode",
			cpu->cpu_id, vector);
		cpu->state = CPU_GUEST;
		smp_vcpu_started();
		vendor->run(cpu);
		if (cpu->state == CPU_HALTED)
			cpu->arch.mbox.park = 1; /* fatal: never started again */
	}
}
