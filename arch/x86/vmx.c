// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VMX backend: the same contract as svm.c (asm/vcpu.h); the decisions
 * are vcpu.c's, this file enters the guest and decodes exits; the VMCS
 * itself, its controls and the guest's registers in it are vmx_vmcs.c's.
 * The guest runs with EPT and unrestricted guest; interrupts, I/O ports and
 * MMIO go straight to it. Exits happen only for what the hv must see or the architecture
 * forces: CPUID, XSETBV, INVD, the VMX instructions, VMCALL, the MSRs that
 * would reveal VMX or move the APIC, CR0/CR4 bits the VMX fixed-bit MSRs
 * pin, NMIs, triple fault, INIT, the pvpanic port, and writes to hidden
 * memory (EPT violations).
 */
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/guest_mem.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <asm/vcpu.h>
#include <asm/vmx.h>
#include <asm/vmx_vmcs.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <parachute/abi.h>

static const char *vmx_exit_name(u64 reason);

static void set_cpu_controls(struct percpu *cpu, u32 v)
{
	if (cpu->arch.vmx.cpu_controls != v) {
		cpu->arch.vmx.cpu_controls = v;
		vmwrite(CPU_CONTROLS, v);
	}
}

static int vmx_cpu_init(struct percpu *cpu)
{
	u64 fc = rdmsr(MSR_FEATURE_CONTROL), cr4 = read_cr4() | X86_CR4_VMXE;
	struct cpuid_regs c;

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE)) {
		pr_err("cpu%u: VMX is disabled by the firmware (IA32_FEATURE_CONTROL 0x%llx is locked without VMX outside SMX)",
		       cpu->cpu_id, (unsigned long long)fc);
		return -ENODEV;
	}
	cpu->arch.vmx.vmxon = page_alloc(1);
	cpu->arch.vmx.vmcs = page_alloc(1);
	if (!cpu->arch.vmx.vmxon || !cpu->arch.vmx.vmcs)
		return -ENOMEM;
	*(u32 *)cpu->arch.vmx.vmxon = vmx_caps.revision;
	*(u32 *)cpu->arch.vmx.vmcs = vmx_caps.revision;
	cpu->arch.vmx.vmcs_pa = virt_to_phys(cpu->arch.vmx.vmcs);

	/* The guest's XSETBV exits; the hv executes it, which needs CR4.OSXSAVE. */
	cpuid_count(1, 0, &c);
	if (c.ecx & CPUID_1_ECX_XSAVE)
		cr4 |= X86_CR4_OSXSAVE;
	write_cr0((read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
	write_cr4((cr4 | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1));
	if (vmx_on(virt_to_phys(cpu->arch.vmx.vmxon))) {
		pr_err("cpu%u: VMXON failed (CR0 0x%llx, CR4 0x%llx)", cpu->cpu_id,
		       (unsigned long long)read_cr0(), (unsigned long long)read_cr4());
		return -ENODEV;
	}
	return 0;
}

static void vmx_skip(struct percpu *cpu)
{
	(void)cpu;
	vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN));
}

static void vmx_inject(struct percpu *cpu, unsigned int vector, bool has_err, u32 err)
{
	vmwrite(ENTRY_INTR_INFO,
		INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | vector | (has_err ? INTR_INFO_ERR : 0));
	if (has_err)
		vmwrite(ENTRY_EXC_ERROR, err);
	cpu->arch.vmx.event_injected = true;
}

/* A guest NMI waits for its window (inject_pending_nmi()). */
static void vmx_inject_nmi(struct percpu *cpu, bool watch)
{
	cpu->arch.vmx.nmi_pending++;
	if (watch)
		cpu->arch.vmx.nmi_watch_next = true;
}

/* From delivery to the handler's IRET, which the NMI window shows (inject_pending_nmi()). */
static bool vmx_nmi_blocked(struct percpu *cpu)
{
	return cpu->arch.vmx.nmi_in_guest;
}

/*
 * An exit during event delivery (an EPT violation on the stack, an NMI):
 * the event is delivered again at the next entry (SDM vol. 3C, 28.2.4).
 */
static void reinject_vectoring(struct percpu *cpu)
{
	u32 info = (u32)vmread(IDT_VECTORING_INFO);
	unsigned int type = INTR_TYPE(info);

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(ENTRY_INTR_INFO, info & ~(1u << 12));
	if (info & INTR_INFO_ERR)
		vmwrite(ENTRY_EXC_ERROR, vmread(IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW || type == INTR_TYPE_SW_EXC)
		vmwrite(ENTRY_INSN_LEN, vmread(EXIT_INSN_LEN));
	if (type == INTR_TYPE_NMI) /* entry refuses an NMI while virtual-NMI blocking is set */
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) & ~(u64)INTERRUPTIBILITY_NMI);
	cpu->arch.vmx.event_injected = true;
}

/*
 * A guest NMI goes in when the guest can take one: no event is injected
 * already, no virtual-NMI, STI or MOV-SS blocking. Otherwise the NMI window
 * exit comes back for it.
 */
static void inject_pending_nmi(struct percpu *cpu)
{
	typeof(cpu->arch.vmx) *vx = &cpu->arch.vmx;
	u32 ctl = vx->cpu_controls & ~CPU_NMI_WINDOW;

	if (vx->nmi_pending && !vx->event_injected &&
	    !(vmread(GUEST_INTERRUPTIBILITY) &
	      (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_NMI))) {
		vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | X86_EXC_NMI);
		vx->nmi_pending--;
		vx->event_injected = true;
		vx->nmi_in_guest = true;
		if (vx->nmi_watch_next) {
			vx->nmi_watch_next = false;
			vcpu_nmi_watch(cpu);
		}
	}
	/*
	 * The window opens when no NMI is pending delivery and the guest's
	 * handler has returned (its IRET ends virtual-NMI blocking): for the
	 * NMIs still waiting, and to see the one in the guest end.
	 */
	if (vx->nmi_pending || vx->nmi_in_guest)
		ctl |= CPU_NMI_WINDOW;
	set_cpu_controls(cpu, ctl);
}

/*
 * The step over a dropped write uses TF rather than the monitor trap flag:
 * not every VMX implementation has MTF (Bochs lacks it). No STI shadow is
 * forced, unlike SVM: VM entry would then demand a pending single-step trap
 * (SDM vol. 3C, 27.3.1.5). An interrupt taken first runs its handler without
 * TF and the step comes after its IRET.
 */
static void vmx_step_begin(struct percpu *cpu)
{
	(void)cpu;
	vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | X86_RFLAGS_TF);
	vmwrite(EXCEPTION_BITMAP, 1u << X86_EXC_DB);
}

static void vmx_step_end(struct percpu *cpu, bool guest_tf)
{
	vmwrite(EXCEPTION_BITMAP, 0);
	if (guest_tf) {
		/* The exit left DR6 alone: set BS as the guest's #DB would (SDM vol. 3B, 17.2.3). */
		asm volatile("mov %0, %%dr6" : : "r"(0xffff4ff0ull));
		vmx_inject(cpu, X86_EXC_DB, false, 0);
	} else {
		vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) & ~X86_RFLAGS_TF);
	}
}

/* The MSRs that would reveal VMX; the APIC's writes are vcpu.c's. */
static enum vcpu_action handle_msr(struct percpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;
	u32 msr = (u32)r->rcx;

	if ((cpu->arch.vmx.exit_reason & 0xffff) == EXIT_WRMSR)
		return vcpu_handle_wrmsr(cpu, msr, (r->rdx << 32) | (u32)r->rax);
	/* The VMX capability MSRs read as on a CPU without VMX. */
	if (msr != MSR_FEATURE_CONTROL)
		return vcpu_refuse(cpu, "RDMSR 0x%x", msr);
	r->rax = (u32)FEATURE_CONTROL_LOCK; /* "locked, VMX off": VMX is not there to use */
	r->rdx = 0;
	return VCPU_SKIP;
}

/*
 * SDM vol. 3C, table 28-3: a control-register exit. Writes, CLTS and LMSW
 * are vcpu.c's (the gate); a read of CR3 is served here.
 */
static enum vcpu_action handle_cr(struct percpu *cpu)
{
	u64 q = cpu->arch.vmx.exit_qual;
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	u64 cr0 = vmx_get(cpu, VCPU_CR0);

	switch (type) {
	case 0: /* MOV to CR */
		return vcpu_handle_cr_write(cpu, cr, vcpu_gpr(cpu, reg));
	case 1: /* MOV from CR */
		if (cr != 3)
			break;
		vcpu_set_gpr(cpu, reg, vmread(GUEST_CR3));
		return VCPU_SKIP;
	case 2: /* CLTS */
		return vcpu_handle_cr_write(cpu, 0, cr0 & ~X86_CR0_TS);
	default: /* LMSW: its source in 31:16; it sets PE, MP, EM, TS, and never clears PE */
		return vcpu_handle_cr_write(cpu, 0, (cr0 & ~0xeull) | ((q >> 16) & 0xf));
	}
	pr_err("cpu%u: unexpected control-register exit (qualification 0x%llx)", cpu->cpu_id,
	       (unsigned long long)q);
	return VCPU_FATAL;
}

/* SDM vol. 3C, 28.2.1 and table 28-7: what an EPT violation's qualification says. */
static enum vcpu_action handle_ept_violation(struct percpu *cpu)
{
	u64 q = cpu->arch.vmx.exit_qual;

	/* SDM vol. 3C, 28.2.3: an IRET that faulted had unblocked NMIs; block them again. */
	if ((q & (1ull << 12)) && !cpu->arch.vmx.event_injected)
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) | INTERRUPTIBILITY_NMI);
	return vcpu_handle_npf(cpu, vmread(GUEST_PHYS_ADDR), q & EPT_VIOLATION_WRITE,
			       q & EPT_VIOLATION_FETCH, cpu->arch.vmx.event_injected);
}

static enum vcpu_action exit_exception_nmi(struct percpu *cpu)
{
	u32 info = (u32)vmread(EXIT_INTR_INFO);

	if (INTR_TYPE(info) == INTR_TYPE_NMI)
		return vcpu_handle_nmi(cpu);
	if ((info & 0xff) == X86_EXC_DB)
		return vcpu_handle_db(cpu);
	pr_err("cpu%u: unexpected exception exit (interruption info 0x%x)", cpu->cpu_id, info);
	return VCPU_FATAL;
}

/* The guest's NMI handler returned; inject_pending_nmi() gives it the next. */
static enum vcpu_action exit_nmi_window(struct percpu *cpu)
{
	cpu->arch.vmx.nmi_in_guest = false;
	if (cpu->arch.nmi_watch) /* without a look at the NMI reason port */
		vcpu_nmi_unwatch(cpu);
	return VCPU_RESUME;
}

/* A capture kernel's idle loop: completed as a wake-up, the STI shadow dropped. */
static enum vcpu_action exit_hlt(struct percpu *cpu)
{
	(void)cpu;
	vmwrite(GUEST_INTERRUPTIBILITY, vmread(GUEST_INTERRUPTIBILITY) & ~3ull);
	return VCPU_SKIP;
}

/* INVD exits unconditionally; write back rather than lose data. */
static enum vcpu_action exit_invd(struct percpu *cpu)
{
	(void)cpu;
	asm volatile("wbinvd" ::: "memory");
	return VCPU_SKIP;
}

/* SDM vol. 3C, table 28-5: size - 1 in 2:0, IN in 3, string and REP in 5:4. */
static enum vcpu_action exit_io(struct percpu *cpu)
{
	u64 q = cpu->arch.vmx.exit_qual;

	return vcpu_handle_io(cpu, (u16)(q >> 16), q & (1u << 3), (unsigned int)(q & 7) + 1,
			      !(q & (3u << 4)));
}

/* Every exit the hv meets, by basic reason: its name (logs, the exit ring) and its handler. */
static const struct vmx_exit {
	const char *name;
	enum vcpu_action (*handle)(struct percpu *cpu);
} vmx_exits[EXIT_VMFUNC + 1] = {
	[EXIT_EXCEPTION_NMI] = { "EXC/NMI", exit_exception_nmi },
	[EXIT_EXTERNAL_INTR] = { "INTR", NULL },
	[EXIT_TRIPLE_FAULT] = { "TRIPLE_FAULT", vcpu_handle_triple_fault },
	[EXIT_INIT] = { "INIT", vcpu_handle_init },
	[EXIT_SIPI] = { "SIPI", NULL },
	[EXIT_NMI_WINDOW] = { "NMI_WINDOW", exit_nmi_window },
	[EXIT_CPUID] = { "CPUID", vcpu_handle_cpuid },
	[EXIT_GETSEC] = { "GETSEC", vcpu_handle_hidden_insn },
	[EXIT_HLT] = { "HLT", exit_hlt },
	[EXIT_INVD] = { "INVD", exit_invd },
	[EXIT_VMCALL] = { "VMCALL", vcpu_handle_hypercall },
	/* VMX is hidden: to the guest its instructions do not exist. */
	[EXIT_VMCLEAR ... EXIT_VMXON] = { "VMX insn", vcpu_handle_hidden_insn },
	[EXIT_CR_ACCESS] = { "CR", handle_cr },
	[EXIT_IO] = { "IO", exit_io },
	[EXIT_RDMSR] = { "RDMSR", handle_msr },
	[EXIT_WRMSR] = { "WRMSR", handle_msr },
	[EXIT_INVALID_STATE] = { "INVALID_STATE", NULL },
	[EXIT_MSR_LOADING] = { "MSR_LOADING", NULL },
	[EXIT_MTF] = { "MTF", NULL },
	[EXIT_PAUSE] = { "PAUSE", vcpu_handle_pause },
	[EXIT_MACHINE_CHECK] = { "MACHINE_CHECK", NULL },
	[EXIT_EPT_VIOLATION] = { "EPT_VIOLATION", handle_ept_violation },
	[EXIT_EPT_MISCONFIG] = { "EPT_MISCONFIG", NULL },
	[EXIT_INVEPT] = { "INVEPT", vcpu_handle_hidden_insn },
	[EXIT_PREEMPT_TIMER] = { "PREEMPT_TIMER", vcpu_handle_watchdog_tick },
	[EXIT_INVVPID] = { "INVVPID", vcpu_handle_hidden_insn },
	[EXIT_XSETBV] = { "XSETBV", vcpu_handle_xsetbv },
	[EXIT_VMFUNC] = { "VMFUNC", vcpu_handle_hidden_insn },
};

static const char *vmx_exit_name(u64 reason)
{
	u32 r = reason & 0xffff;

	return r < ARRAY_SIZE(vmx_exits) && vmx_exits[r].name ? vmx_exits[r].name : "other";
}

static enum vcpu_action vmx_handle_exit(struct percpu *cpu)
{
	u32 reason = cpu->arch.vmx.exit_reason & 0xffff;

	if (reason < ARRAY_SIZE(vmx_exits) && vmx_exits[reason].handle)
		return vmx_exits[reason].handle(cpu);
	pr_err("cpu%u: unhandled exit %u (%s), qualification 0x%llx", cpu->cpu_id, reason,
	       vmx_exit_name(reason), (unsigned long long)cpu->arch.vmx.exit_qual);
	return VCPU_FATAL;
}

static void vmx_dump_exit(struct percpu *cpu)
{
	pr_err("  exit %u (%s) qualification 0x%llx intinfo 0x%llx vectoring 0x%llx",
	       cpu->arch.vmx.exit_reason, vmx_exit_name(cpu->arch.vmx.exit_reason),
	       (unsigned long long)cpu->arch.vmx.exit_qual,
	       (unsigned long long)vmread(EXIT_INTR_INFO),
	       (unsigned long long)vmread(IDT_VECTORING_INFO));
}

static void entry_failed(struct percpu *cpu, int ret)
{
	if (ret == 1)
		pr_err("cpu%u: %s failed: no valid current VMCS", cpu->cpu_id,
		       cpu->arch.vmx.launched ? "VMRESUME" : "VMLAUNCH");
	else
		pr_err("cpu%u: %s failed: VM-instruction error %llu (7: bad control fields, 8: bad host state)",
		       cpu->cpu_id, cpu->arch.vmx.launched ? "VMRESUME" : "VMLAUNCH",
		       (unsigned long long)vmread(VM_INSN_ERROR));
}

/* Enter the guest once; returns the exit reason, or ~0u if the entry failed. */
static u32 enter_once(struct percpu *cpu)
{
	int ret = vmx_enter(&cpu->arch.regs, cpu->arch.vmx.launched);

	if (ret) {
		entry_failed(cpu, ret);
		return ~0u;
	}
	cpu->arch.vmx.launched = true;
	cpu->arch.vmx.event_injected = false;
	return (u32)vmread(EXIT_REASON);
}

static bool vmx_enter_guest(struct percpu *cpu)
{
	u32 reason;
	u64 q;

	inject_pending_nmi(cpu);
	reason = enter_once(cpu);
	if (reason == ~0u)
		return false;
	q = vmread(EXIT_QUALIFICATION);
	cpu->arch.vmx.exit_reason = reason;
	cpu->arch.vmx.exit_qual = q;
	exit_record(cpu, reason, q,
		    (reason & 0xffff) == EXIT_EPT_VIOLATION ? vmread(GUEST_PHYS_ADDR) :
							      vmread(EXIT_INTR_INFO),
		    vmread(GUEST_RIP));
	if (reason & EXIT_REASON_FAILED) {
		pr_err("cpu%u: VM entry refused the guest state (exit reason %u, qualification 0x%llx)",
		       cpu->cpu_id, reason & 0xffff, (unsigned long long)q);
		return false;
	}
	/*
	 * An NMI exit, and the window after an NMI the guest was given: NMIs
	 * may be blocked in the hv now (SDM vol. 3A, 6.7.1); an IRET here lets
	 * the next kick in.
	 */
	if ((reason & 0xffff) == EXIT_NMI_WINDOW ||
	    ((reason & 0xffff) == EXIT_EXCEPTION_NMI &&
	     INTR_TYPE(vmread(EXIT_INTR_INFO)) == INTR_TYPE_NMI))
		vmx_unblock_nmis();
	reinject_vectoring(cpu);
	return true;
}

static void vmx_park(struct percpu *cpu)
{
	u32 reason = enter_once(cpu);

	if (reason == ~0u || (reason & EXIT_REASON_FAILED))
		hv_panic("cpu%u: the park guest was refused (exit reason 0x%x)", cpu->cpu_id,
			 reason);
}

void vmx_host_nmi_repost(void)
{
	apic_self_nmi(this_cpu()->apic_id);
}

/*
 * While the watchdog is armed, the VMX-preemption timer (SDM vol. 3C, 26.5.1)
 * makes the guest exit at least every WATCHDOG_TICK_MS, interrupts off or
 * not: the timer counts down in guest mode only and is reloaded from the
 * VMCS at each entry (its value is not saved at exits). Without one, PAUSE
 * exiting: a locked-up kernel spins in cpu_relax().
 */
#define WATCHDOG_TICK_MS 100

static void vmx_watchdog(struct percpu *cpu, enum watchdog_mode mode)
{
	u32 pin = (u32)vmread(PIN_CONTROLS), ctl = cpu->arch.vmx.cpu_controls;
	bool on = mode != WATCHDOG_OFF;
	u64 ticks;

	if (vmx_caps.preempt_timer) {
		/* It counts in the HLT state too: an idle capture kernel exits as well. */
		ticks = (hv.tsc_khz ? hv.tsc_khz : 1000000) * WATCHDOG_TICK_MS >> vmx_caps.preempt_rate;
		vmwrite(PIN_CONTROLS, on ? pin | PIN_PREEMPT_TIMER : pin & ~PIN_PREEMPT_TIMER);
		vmwrite(PREEMPT_TIMER_VALUE, MIN(ticks, 0xffffffffull));
	} else if (vmx_caps.pause_exiting) {
		if (on)
			ctl |= CPU_PAUSE_EXITING;
		if (mode == WATCHDOG_CAPTURE) /* a capture kernel's boot: its idle HLT too */
			ctl |= CPU_HLT_EXITING;
		set_cpu_controls(cpu, ctl);
	}
}

static const struct vcpu_vendor vmx_vendor = {
	.name = "Intel VMX",
	.id = PARACHUTE_VENDOR_VMX,
	.npt_format = &pt_ept,
	.cpu_init = vmx_cpu_init,
	.setup = vmx_setup,
	.enter = vmx_enter_guest,
	.handle_exit = vmx_handle_exit,
	.park = vmx_park,
	.skip = vmx_skip,
	.get = vmx_get,
	.set = vmx_set,
	.load_pdptes = vmx_load_pdptes,
	.inject = vmx_inject,
	.inject_nmi = vmx_inject_nmi,
	.watch_nmi = vmx_watch_nmi,
	.nmi_blocked = vmx_nmi_blocked,
	.flush = vmx_flush,
	.step_begin = vmx_step_begin,
	.step_end = vmx_step_end,
	.exit_name = vmx_exit_name,
	.save_state = vmx_save_state,
	.dump_exit = vmx_dump_exit,
	.watchdog = vmx_watchdog,
};

static struct vcpu_vendor vmx_active;

/** vmx_probe() - the VMX backend if this CPU has VMX with EPT and unrestricted guest. */
const struct vcpu_vendor *vmx_probe(void);
const struct vcpu_vendor *vmx_probe(void)
{
	struct cpuid_regs c;
	u64 basic, ept;

	cpuid_count(1, 0, &c);
	if (!(c.ecx & CPUID_1_ECX_VMX))
		return NULL;
	basic = rdmsr(MSR_VMX_BASIC);
	vmx_caps.revision = (u32)basic & 0x7fffffff;
	if (((basic >> 50) & 15) != 6 || ((basic >> 32) & 0x1fff) > PAGE_SIZE) {
		pr_err("Intel VMX: unsupported VMCS (IA32_VMX_BASIC 0x%llx: needs write-back, at most 4 KiB)",
		       (unsigned long long)basic);
		return NULL;
	}
	if (vmx_read_controls(basic))
		return NULL;
	ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
	if (!(ept & VMX_EPT_PWL4) || !(ept & VMX_EPT_WB) || !(ept & VMX_EPT_INVEPT) ||
	    !(ept & (VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL))) {
		pr_err("Intel VMX: EPT lacks 4-level walks, write-back tables or INVEPT (IA32_VMX_EPT_VPID_CAP 0x%llx)",
		       (unsigned long long)ept);
		return NULL;
	}
	vmx_caps.invept_all = ept & VMX_EPT_INVEPT_ALL;
	vmx_caps.cr0_must1 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);
	vmx_caps.cr0_may1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_must1 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_may1 = rdmsr(MSR_VMX_CR4_FIXED1);
	/* What VMX operation forbids in CR0 and CR4 the guest cannot have either (the gate's). */
	gate_cpu.cr0_vendor_reserved = ~vmx_caps.cr0_may1 & 0xffffffffull;
	gate_cpu.cr4_vendor_reserved = ~vmx_caps.cr4_may1;

	if (vmx_vmcs_init())
		return NULL;
	idt_set_nmi(vmx_host_nmi);

	vmx_active = vmx_vendor;
	vmx_active.npt_max_leaf = (ept & VMX_EPT_1G) ? 3 : (ept & VMX_EPT_2M) ? 2 : 1;
	pr_info("Intel VMX with EPT and unrestricted guest; VMCS revision 0x%x, EPT large pages %s",
		vmx_caps.revision,
		(ept & VMX_EPT_1G) ? "1 GiB" :
		(ept & VMX_EPT_2M) ? "2 MiB" :
				     "none");
	return &vmx_active;
}

