// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM backend (the contract in asm/vcpu.h): detection, VMRUN and one
 * exit table into the shared handlers of vcpu.c; the VMCB itself, its
 * intercepts and the guest's registers in it are svm_vmcb.c's. The
 * guest runs with nested paging; interrupts, I/O ports and MMIO go straight
 * to it. Exits happen only for what the hv must see: CPUID, the MSRs that
 * would reveal or control SVM, the SVM instructions, VMMCALL, NMIs,
 * shutdown, the pvpanic and CMOS ports, and writes to hidden memory.
 */
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/guest_mem.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/svm_vmcb.h>
#include <asm/vcpu.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <parachute/abi.h>

void svm_vmrun(struct guest_regs *regs, u64 vmcb_pa);

static bool have_nrips;
static const char *svm_exit_name(u64 code);

static int svm_cpu_init(struct percpu *cpu)
{
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		pr_err("cpu%u: SVM is disabled by the firmware (VM_CR.SVMDIS)", cpu->cpu_id);
		return -ENODEV;
	}
	cpu->arch.svm.hsave = page_alloc(1);
	cpu->arch.svm.vmcb = page_alloc(1);
	if (!cpu->arch.svm.hsave || !cpu->arch.svm.vmcb)
		return -ENOMEM;
	cpu->arch.svm.vmcb_pa = virt_to_phys(cpu->arch.svm.vmcb);
	/*
	 * An INIT held pending while GIF is clear (after an INIT intercept, or
	 * sent to the hv) would reset the CPU the instant GIF opens; with
	 * R_INIT it is #SX instead, which the hv counts and drops (entry.S).
	 * A CPU that does not keep the bit cannot contain an INIT: then no
	 * guest INIT may ever reach one (vcpu_inits_contained, smp.c).
	 */
	wrmsr(MSR_VM_CR, rdmsr(MSR_VM_CR) | VM_CR_R_INIT);
	if (!(rdmsr(MSR_VM_CR) & VM_CR_R_INIT) && vcpu_inits_contained) {
		vcpu_inits_contained = false;
		pr_warn("cpu%u: VM_CR.R_INIT does not stick: this CPU cannot hold an INIT in the hv, so the xAPIC stays trapped (whatever apic_trap= says) and no guest INIT is ever sent",
			cpu->cpu_id);
	}
	/* NXE: NX in nested entries marks a sealed kexec region (seal.c, pt_npt). */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME | (cpu_has_nx() ? EFER_NXE : 0));
	/* The hv runs with GIF clear: no interrupt or NMI is ever taken in host mode. */
	asm volatile("clgi" ::: "memory");
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(cpu->arch.svm.hsave));
	return 0;
}

/*
 * Complete the instruction that exited. Without NRIP save (QEMU TCG has
 * none) the hv knows the length of each instruction it intercepts.
 */
static void svm_skip(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	if (v->ctl.exit_code == SVM_EXIT_IOIO)
		v->save.rip = v->ctl.exit_info2; /* the next RIP for IOIO, NRIP save or not */
	else if (have_nrips && v->ctl.next_rip)
		v->save.rip = v->ctl.next_rip;
	else if (v->ctl.exit_code == SVM_EXIT_HLT) /* f4 */
		v->save.rip += 1;
	else /* CPUID 0f a2, RDMSR/WRMSR 0f 32/30, PAUSE f3 90, VMMCALL 0f 01 d9 */
		v->save.rip += v->ctl.exit_code == SVM_EXIT_VMMCALL ? 3 : 2;
}

static void svm_inject(struct percpu *cpu, unsigned int vector, bool has_err, u32 err)
{
	cpu->arch.svm.vmcb->ctl.event_inj =
		vector | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID |
		(has_err ? SVM_EVTINJ_ERR_VALID | ((u64)err << 32) : 0);
}

static void svm_inject_nmi(struct percpu *cpu, bool watch)
{
	cpu->arch.svm.vmcb->ctl.event_inj = X86_EXC_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
	if (watch)
		vcpu_nmi_watch(cpu);
}

/* SVM shows no NMI blocking; a watched NMI blocks them from injection to its IRET. */
static bool svm_nmi_blocked(struct percpu *cpu)
{
	return cpu->arch.nmi_watch;
}

static void svm_flush(struct percpu *cpu)
{
	cpu->arch.svm.vmcb->ctl.tlb_control = SVM_TLB_FLUSH_ALL_ASID;
}

/* TF, with interrupts shadowed so that the step is the faulting instruction's. */
static void svm_step_begin(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	v->save.rflags |= X86_RFLAGS_TF;
	v->ctl.int_state |= 1;
	v->ctl.intercept_exceptions |= 1u << X86_EXC_DB;
}

static void svm_step_end(struct percpu *cpu, bool guest_tf)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	v->ctl.intercept_exceptions &= ~(1u << X86_EXC_DB);
	if (guest_tf) {
		svm_inject(cpu, X86_EXC_DB, false, 0); /* DR6.BS stays: the step was the guest's too */
		return;
	}
	v->save.rflags &= ~X86_RFLAGS_TF;
	v->save.dr6 &= ~(1ull << 14); /* BS: the step was ours */
}

static void svm_dump_exit(struct percpu *cpu)
{
	const struct vmcb_control *c = &cpu->arch.svm.vmcb->ctl;

	pr_err("  exit 0x%llx (%s) info1 0x%llx info2 0x%llx intinfo 0x%llx",
	       (unsigned long long)c->exit_code, svm_exit_name(c->exit_code),
	       (unsigned long long)c->exit_info1, (unsigned long long)c->exit_info2,
	       (unsigned long long)c->exit_int_info);
}

/* The MSRs that would reveal SVM; every write is vcpu.c's (EFER and the APIC's through the gate). */
static enum vcpu_action handle_msr(struct percpu *cpu, bool write)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct guest_regs *r = &cpu->arch.regs;
	u32 msr = (u32)r->rcx;
	u64 val = (r->rdx << 32) | (u32)r->rax;

	if (write)
		return vcpu_handle_wrmsr(cpu, msr, val);
	switch (msr) {
	case MSR_EFER:
		val = v->save.efer & ~EFER_SVME;
		break;
	case MSR_VM_CR:
		val = VM_CR_SVMDIS | VM_CR_LOCK; /* "SVM disabled and locked" */
		break;
	default:
		val = 0;
	}
	r->rax = (u32)val;
	r->rdx = val >> 32;
	return VCPU_SKIP;
}

/*
 * APM vol. 2, 15.21.1 and 15.13.1: an intercepted NMI or INIT stays pending,
 * held by GIF, and the next VMRUN would take it again. Open GIF for an
 * instant so that the hv takes it: an NMI in its own handler, an INIT as
 * #SX (VM_CR.R_INIT), both counted and dropped (entry.S).
 */
static void consume_held(void)
{
	asm volatile("stgi; nop; clgi" ::: "memory");
}

/*
 * APM vol. 2, 15.7.2: any intercept taken while the CPU delivers an event to
 * the guest (a nested page fault on its stack, a physical NMI or INIT
 * arriving meanwhile) cuts the delivery off; the event is in EXITINTINFO,
 * laid out as EVENTINJ, and the VMM must deliver it again. An external
 * interrupt dropped there is lost for good, and its vector stays in service
 * in the local APIC (the CPU acknowledged it), blocking every interrupt of
 * its class on that CPU: a disk whose completions never come. Software
 * interrupts and INT3/INTO re-execute their instruction instead.
 */
static bool redeliverable(u64 ev)
{
	unsigned int type = SVM_EVTINJ_TYPE(ev), vector = ev & 0xff;

	return (ev & SVM_EVTINJ_VALID) && type != 4 && !(type == 3 && (vector == 3 || vector == 4));
}

/*
 * After the exit's handler: the cut-off event goes in again. Where the handler
 * injects an event of its own (the guest's NMI), an interrupt cut off goes in
 * as a virtual interrupt of that vector instead, taken once the guest is
 * interruptible again (APM vol. 2, 15.21.4), and its handler's EOI retires
 * the vector the CPU acknowledged; a cut-off exception is a fault that the
 * instruction raises again.
 */
static void redeliver(struct percpu *cpu, u64 ev)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	if (!(v->ctl.event_inj & SVM_EVTINJ_VALID)) {
		v->ctl.event_inj = ev;
		return;
	}
	if (SVM_EVTINJ_TYPE(ev) == 0) {
		v->ctl.int_ctl &= ~(0xffull << SVM_INT_CTL_V_VECTOR_SHIFT);
		v->ctl.int_ctl |= SVM_INT_CTL_V_IRQ | (0xfull << SVM_INT_CTL_V_PRIO_SHIFT) |
				  SVM_INT_CTL_V_IGN_TPR | ((ev & 0xff) << SVM_INT_CTL_V_VECTOR_SHIFT);
	}
}

static enum vcpu_action handle_npf(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	return vcpu_handle_npf(cpu, v->ctl.exit_info2, v->ctl.exit_info1 & SVM_NPF_WRITE,
			       v->ctl.exit_info1 & SVM_NPF_FETCH,
			       v->ctl.exit_int_info & SVM_EVTINJ_VALID);
}

/*
 * The watchdog's chance for a capture kernel's boot. HLT is completed as a wake-up
 * (software loops around it); a pending interrupt shadowed by the STI
 * before it is taken right after.
 */
static enum vcpu_action exit_hlt(struct percpu *cpu)
{
	cpu->arch.svm.vmcb->ctl.int_state &= ~1ull;
	return VCPU_SKIP;
}

static enum vcpu_action exit_msr(struct percpu *cpu)
{
	return handle_msr(cpu, cpu->arch.svm.vmcb->ctl.exit_info1 & 1);
}

static enum vcpu_action exit_nmi(struct percpu *cpu)
{
	consume_held();
	return vcpu_handle_nmi(cpu);
}

static enum vcpu_action exit_init(struct percpu *cpu)
{
	if (vcpu_inits_contained)
		consume_held();
	return vcpu_handle_init(cpu);
}

/* APM vol. 2, 15.10.2. */
static enum vcpu_action exit_ioio(struct percpu *cpu)
{
	u64 info1 = cpu->arch.svm.vmcb->ctl.exit_info1;

	return vcpu_handle_io(cpu, (u16)(info1 >> 16), info1 & SVM_IOIO_IN, SVM_IOIO_SIZE(info1),
			      !(info1 & (SVM_IOIO_STR | SVM_IOIO_REP)));
}

/* An instruction's own refusal (svm_enter()). */
static enum vcpu_action exit_invalid(struct percpu *cpu)
{
	return vcpu_refuse(cpu, "instruction at rip 0x%llx (the CPU reported VMEXIT_INVALID)",
			   (unsigned long long)cpu->arch.svm.vmcb->save.rip);
}

/* Every exit the hv asks for: its name (logs, the exit ring) and its handler. */
static const struct svm_exit {
	u64 code;
	const char *name;
	enum vcpu_action (*handle)(struct percpu *cpu);
} svm_exits[] = {
	{ SVM_EXIT_EXCP_BASE + X86_EXC_DB, "#DB", vcpu_handle_db },
	{ SVM_EXIT_INTR, "INTR", NULL },
	{ SVM_EXIT_NMI, "NMI", exit_nmi },
	{ SVM_EXIT_INIT, "INIT", exit_init },
	{ SVM_EXIT_CPUID, "CPUID", vcpu_handle_cpuid },
	{ SVM_EXIT_IRET, "IRET", vcpu_handle_iret },
	{ SVM_EXIT_HLT, "HLT", exit_hlt },
	{ SVM_EXIT_PAUSE, "PAUSE", vcpu_handle_pause },
	{ SVM_EXIT_IOIO, "IOIO", exit_ioio },
	{ SVM_EXIT_MSR, "MSR", exit_msr },
	{ SVM_EXIT_SHUTDOWN, "SHUTDOWN", vcpu_handle_triple_fault },
	/* SVM is hidden: to the guest its instructions do not exist. */
	{ SVM_EXIT_VMRUN, "VMRUN", vcpu_handle_hidden_insn },
	{ SVM_EXIT_VMMCALL, "VMMCALL", vcpu_handle_hypercall },
	{ SVM_EXIT_VMLOAD, "VMLOAD", vcpu_handle_hidden_insn },
	{ SVM_EXIT_VMSAVE, "VMSAVE", vcpu_handle_hidden_insn },
	{ SVM_EXIT_STGI, "STGI", vcpu_handle_hidden_insn },
	{ SVM_EXIT_CLGI, "CLGI", vcpu_handle_hidden_insn },
	{ SVM_EXIT_SKINIT, "SKINIT", vcpu_handle_hidden_insn },
	{ SVM_EXIT_INVLPGA, "INVLPGA", vcpu_handle_hidden_insn }, /* runs with EFER.SVME, which the hv sets */
	{ SVM_EXIT_NPF, "NPF", handle_npf },
	{ SVM_EXIT_INVALID, "INVALID", exit_invalid },
};

static const struct svm_exit *svm_exit(u64 code)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(svm_exits); i++)
		if (svm_exits[i].code == code)
			return &svm_exits[i];
	return NULL;
}

static const char *svm_exit_name(u64 code)
{
	const struct svm_exit *e = svm_exit(code);

	return e ? e->name : "other";
}

static enum vcpu_action svm_handle_exit(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	const struct svm_exit *e = svm_exit(v->ctl.exit_code);
	u64 ev = v->ctl.exit_int_info;
	enum vcpu_action act;

	if (e && e->handle) {
		act = e->handle(cpu);
		if (act == VCPU_RESUME && redeliverable(ev))
			redeliver(cpu, ev);
		return act;
	}
	pr_err("cpu%u: unhandled exit 0x%llx (%s)", cpu->cpu_id,
	       (unsigned long long)v->ctl.exit_code, svm_exit_name(v->ctl.exit_code));
	return VCPU_FATAL;
}

#define INVALID_STREAK_MAX 4096

/* APM vol. 2, 15.5.1: VMRUN's checks of the guest state, on the VMCB as it stands. */
static bool vmrun_state_ok(const struct vmcb_save *s)
{
	const struct gate_vmrun_state g = {
		.efer = s->efer,
		.cr0 = s->cr0,
		.cr3 = s->cr3,
		.cr4 = s->cr4,
		.dr6 = s->dr6,
		.dr7 = s->dr7,
		.cs_l = (s->cs.attrib >> 9) & 1,
		.cs_d = (s->cs.attrib >> 10) & 1,
	};

	return gate_vmrun_state(&gate_cpu, &g);
}

static bool svm_enter(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	v->save.rax = cpu->arch.regs.rax;
	svm_vmrun(&cpu->arch.regs, cpu->arch.svm.vmcb_pa);
	cpu->arch.regs.rax = v->save.rax;
	v->ctl.tlb_control = 0;
	v->ctl.event_inj = 0;
	/* APM vol. 2, appendix C: VMEXIT_INVALID is -1; QEMU 7.2's TCG writes it in 32 bits. */
	if ((u32)v->ctl.exit_code == (u32)SVM_EXIT_INVALID)
		v->ctl.exit_code = SVM_EXIT_INVALID;
	exit_record(cpu, v->ctl.exit_code, v->ctl.exit_info1, v->ctl.exit_info2, v->save.rip);
	if (v->ctl.exit_code != SVM_EXIT_INVALID) {
		cpu->arch.svm.invalid_streak = 0;
		return true;
	}
	/*
	 * VMRUN refuses an illegal guest state (APM vol. 2, 15.5.1); the guest
	 * cannot make one (the hv writes EFER through the gate, the CPU checks
	 * CR writes itself). A state that passes every one of those checks was
	 * not refused by VMRUN: QEMU 7.2's TCG reports a guest MOV to CR3 or
	 * CR4 with a reserved bit this way instead of #GP. That is the guest's
	 * #GP (svm_handle_exit()). A VMRUN that does refuse comes back at once,
	 * again and again: INVALID_STREAK_MAX of them with no other exit between
	 * are the hv's fault.
	 */
	if (++cpu->arch.svm.invalid_streak < INVALID_STREAK_MAX && vmrun_state_ok(&v->save))
		return true;
	pr_err("cpu%u: VMRUN refused the guest state (VMEXIT_INVALID)", cpu->cpu_id);
	return false;
}

static void svm_park(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	v->save.rip = 0;
	svm_vmrun(&cpu->arch.regs, cpu->arch.svm.vmcb_pa);
	v->ctl.tlb_control = 0;
	if (v->ctl.exit_code == SVM_EXIT_NMI ||
	    (v->ctl.exit_code == SVM_EXIT_INIT && vcpu_inits_contained))
		consume_held();
	else if ((u32)v->ctl.exit_code == (u32)SVM_EXIT_INVALID)
		hv_panic("cpu%u: park guest refused by VMRUN", cpu->cpu_id);
}

static const struct vcpu_vendor svm_vendor = {
	.name = "AMD SVM",
	.id = PARACHUTE_VENDOR_SVM,
	.npt_format = &pt_npt,
	.cpu_init = svm_cpu_init,
	.setup = svm_setup,
	.enter = svm_enter,
	.handle_exit = svm_handle_exit,
	.park = svm_park,
	.skip = svm_skip,
	.get = svm_get,
	.set = svm_set,
	.inject = svm_inject,
	.inject_nmi = svm_inject_nmi,
	.watch_nmi = svm_watch_nmi,
	.nmi_blocked = svm_nmi_blocked,
	.flush = svm_flush,
	.step_begin = svm_step_begin,
	.step_end = svm_step_end,
	.exit_name = svm_exit_name,
	.save_state = svm_save_state,
	.dump_exit = svm_dump_exit,
	.watchdog = svm_watchdog,
};

static struct vcpu_vendor svm_active;

/** svm_probe() - the SVM backend if this CPU has SVM with nested paging, else NULL. */
const struct vcpu_vendor *svm_probe(void);
const struct vcpu_vendor *svm_probe(void)
{
	struct cpuid_regs c;
	bool page1g;

	cpuid_count(0x80000000, 0, &c);
	if (c.eax < 0x8000000a)
		return NULL;
	cpuid_count(0x80000001, 0, &c);
	if (!(c.ecx & CPUID_80000001_ECX_SVM))
		return NULL;
	page1g = c.edx & CPUID_80000001_EDX_PAGE1GB;
	cpuid_count(0x8000000a, 0, &c);
	if (!(c.edx & SVM_FEATURE_NPT)) {
		pr_err("AMD SVM without nested paging (CPUID 0x8000000A EDX bit 0); parachute needs NPT");
		return NULL;
	}
	have_nrips = c.edx & SVM_FEATURE_NRIPS;

	if (svm_vmcb_init())
		return NULL;

	svm_active = svm_vendor;
	/* APM vol. 2, 15.25.1: NPT takes 1 GiB pages where the host can. */
	svm_active.npt_max_leaf = page1g ? 3 : 2;
	pr_info("AMD SVM with nested paging; NRIP save %s, 1 GiB nested pages %s",
		have_nrips ? "yes" : "no (instruction lengths known to the hv)",
		page1g ? "yes" : "no");
	return &svm_active;
}
