// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM backend: detection, VMCB set-up, the VMRUN loop and a short #VMEXIT
 * dispatch. The guest runs with nested paging; interrupts, I/O ports and MMIO
 * go straight to it. Exits happen only for what the hv must see: CPUID, the
 * MSRs that would reveal or control SVM, the SVM instructions, VMMCALL,
 * shutdown, and writes to hidden memory.
 */
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/guest_mem.h>
#include <asm/guest_walk.h>
#include <asm/insn.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/svm.h>
#include <asm/vcpu.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>
#include <parachute/abi.h>

/* svm_entry.S addresses the registers by these offsets. */
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rbx) != 0x08);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rdi) != 0x28);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r15) != 0x70);

void svm_vmrun(struct guest_regs *regs, u64 vmcb_pa);

#define ASID_GUEST   1
#define ASID_PARK    2
#define GPAT_DEFAULT 0x0007040600070406ull /* APM vol. 2, 7.8.2: PAT at reset */

/* VMCB segment attributes: type, S, DPL, P, AVL, L, D/B, G packed in 12 bits. */
#define SEG_CODE32   0xc9b
#define SEG_DATA32   0xc93
#define SEG_CODE16   0x09b
#define SEG_DATA16   0x093
#define SEG_TSS_BUSY 0x08b
#define SEG_LDT	     0x082

static bool have_nrips;
static u8 *msrpm;
static u8 *iopm;
static bool io_intercepts; /* any port set in iopm */
static u8 *park_code;
static struct pt_root park_pt;

static const char *svm_exit_name(u64 code)
{
	switch (code) {
	case SVM_EXIT_EXCP_BASE + X86_EXC_DB:
		return "#DB";
	case SVM_EXIT_INTR:
		return "INTR";
	case SVM_EXIT_NMI:
		return "NMI";
	case SVM_EXIT_INIT:
		return "INIT";
	case SVM_EXIT_CPUID:
		return "CPUID";
	case SVM_EXIT_HLT:
		return "HLT";
	case SVM_EXIT_IOIO:
		return "IOIO";
	case SVM_EXIT_MSR:
		return "MSR";
	case SVM_EXIT_SHUTDOWN:
		return "SHUTDOWN";
	case SVM_EXIT_VMRUN:
		return "VMRUN";
	case SVM_EXIT_VMMCALL:
		return "VMMCALL";
	case SVM_EXIT_VMLOAD:
		return "VMLOAD";
	case SVM_EXIT_VMSAVE:
		return "VMSAVE";
	case SVM_EXIT_STGI:
		return "STGI";
	case SVM_EXIT_CLGI:
		return "CLGI";
	case SVM_EXIT_SKINIT:
		return "SKINIT";
	case SVM_EXIT_NPF:
		return "NPF";
	case SVM_EXIT_INVALID:
		return "INVALID";
	default:
		return "other";
	}
}

/* APM vol. 2, 15.11: two bits per MSR (read, write) in three 2 KiB ranges. */
static void msrpm_intercept(u32 msr, bool read, bool write)
{
	u32 base, idx;

	if (msr < 0x2000) {
		base = 0x000;
		idx = msr;
	} else if (msr - 0xc0000000u < 0x2000) {
		base = 0x800;
		idx = msr - 0xc0000000u;
	} else {
		base = 0x1000;
		idx = msr - 0xc0010000u;
	}
	msrpm[base + idx / 4] |= (u8)(((read ? 1u : 0u) | (write ? 2u : 0u)) << ((idx % 4) * 2));
}

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
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/* The hv runs with GIF clear: no interrupt or NMI is ever taken in host mode. */
	asm volatile("clgi" ::: "memory");
	wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(cpu->arch.svm.hsave));
	return 0;
}

static void set_seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit, u64 base)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

/* CS, then DS/ES/SS/FS/GS alike, and a busy TSS and an LDT that VMRUN accepts. */
static void set_flat_segs(struct vmcb *v, u16 cs, u16 cs_attr, u16 ds, u16 ds_attr, u32 limit)
{
	set_seg(&v->save.cs, cs, cs_attr, limit, 0);
	set_seg(&v->save.ds, ds, ds_attr, limit, 0);
	set_seg(&v->save.es, ds, ds_attr, limit, 0);
	set_seg(&v->save.ss, ds, ds_attr, limit, 0);
	set_seg(&v->save.fs, ds, ds_attr, limit, 0);
	set_seg(&v->save.gs, ds, ds_attr, limit, 0);
	set_seg(&v->save.tr, 0, SEG_TSS_BUSY, 0xffff, 0);
	set_seg(&v->save.ldtr, 0, SEG_LDT, 0xffff, 0);
}

static void vmcb_common(struct vmcb *v, u64 npt_root, u32 asid)
{
	v->ctl.intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
				 SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
				 SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT;
	v->ctl.iopm_base_pa = virt_to_phys(iopm);
	v->ctl.msrpm_base_pa = virt_to_phys(msrpm);
	v->ctl.asid = asid;
	v->ctl.tlb_control = SVM_TLB_FLUSH_ALL_ASID;
	v->ctl.np_enable = 1;
	v->ctl.n_cr3 = npt_root;
	/* VMRUN refuses a guest without EFER.SVME (APM vol. 2, 15.5.1); reads hide it. */
	v->save.efer = EFER_SVME;
	v->save.g_pat = GPAT_DEFAULT;
	v->save.dr6 = 0xffff0ff0;
	v->save.dr7 = 0x400;
	v->save.rflags = X86_RFLAGS_FIXED;
}

static void guest_intercepts(struct vmcb *v)
{
	v->ctl.intercept_misc1 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
				 SVM_INTERCEPT_NMI;
	if (io_intercepts)
		v->ctl.intercept_misc1 |= SVM_INTERCEPT_IOIO;
}

static int svm_setup(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	/* Nothing of a previous run survives: no pending event, step or intercept. */
	memset(v, 0, sizeof(*v));
	memset(&cpu->arch.step, 0, sizeof(cpu->arch.step));
	cpu->arch.gpm = gpm;
	vmcb_common(v, pt_virt_to_phys(gpm->pt.root), ASID_GUEST);
	guest_intercepts(v);

	/* boot.rst, 32-bit protocol: flat 4 GiB segments, __BOOT_CS 0x10, __BOOT_DS 0x18. */
	set_flat_segs(v, 0x10, SEG_CODE32, 0x18, SEG_DATA32, 0xffffffff);
	set_seg(&v->save.gdtr, 0, 0, e->gdt_limit, e->gdt_base);
	set_seg(&v->save.idtr, 0, 0, 0, 0);
	v->save.cr0 = X86_CR0_PE | X86_CR0_ET;
	v->save.rip = e->rip;
	v->save.rsp = 0;
	v->save.rax = 0;
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.regs.rsi = e->rsi;
	return 0;
}

/* Without NRIP save (QEMU TCG has none) the hv knows each intercepted instruction's length. */
static void skip_insn(struct vmcb *v, unsigned int len)
{
	if (have_nrips && v->ctl.next_rip)
		v->save.rip = v->ctl.next_rip;
	else
		v->save.rip += len;
}

static void inject_exception(struct vmcb *v, unsigned int vector, bool has_err, u32 err)
{
	v->ctl.event_inj = vector | SVM_EVTINJ_TYPE_EXC | SVM_EVTINJ_VALID |
			   (has_err ? SVM_EVTINJ_ERR_VALID | ((u64)err << 32) : 0);
}

static bool handle_cpuid(struct percpu *cpu)
{
	vcpu_cpuid(cpu, cpu->arch.svm.vmcb->save.cr4);
	skip_insn(cpu->arch.svm.vmcb, 2);
	return true;
}

/* EFER bits a guest may write (APM vol. 2, 3.1.7); SVME stays hidden and set. */
#define EFER_GUEST_BITS \
	(EFER_SCE | EFER_LME | EFER_NXE | (1ull << 13) | (1ull << 14) | (1ull << 15))

static bool handle_msr(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct guest_regs *r = &cpu->arch.regs;
	u32 msr = (u32)r->rcx;
	bool write = v->ctl.exit_info1 & 1;
	u64 val = (r->rdx << 32) | (u32)r->rax;

	if (!write) {
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
	} else if (msr == MSR_EFER && !(val & ~(EFER_GUEST_BITS | EFER_LMA | EFER_SVME))) {
		v->save.efer = (val & EFER_GUEST_BITS) | (v->save.efer & EFER_LMA) | EFER_SVME;
	} else if (msr == MSR_X2APIC_ICR) {
		apic_x2apic_icr_write(cpu, val);
	} else if (msr == MSR_APIC_BASE && !((val ^ rdmsr(MSR_APIC_BASE)) & ~0xfffull)) {
		wrmsr(MSR_APIC_BASE, val); /* enable bits only: the base never moves */
	} else {
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: guest WRMSR 0x%x <- 0x%llx refused (#GP)", cpu->cpu_id, msr,
				(unsigned long long)val);
		inject_exception(v, X86_EXC_GP, true, 0);
		return true;
	}
	skip_insn(v, 2);
	return true;
}

static bool handle_vmmcall(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct guest_regs *r = &cpu->arch.regs;

	s64 ret = hypercall(cpu, v->save.cpl, r->rax, r->rbx, r->rcx, r->rdx);

	if (cpu->vcpu_reset) { /* CRASH: the vCPU now starts the capture kernel */
		cpu->vcpu_reset = false;
		return true;
	}
	r->rax = (u64)ret;
	skip_insn(v, 3);
	return true;
}

static void svm_flush_npt(struct percpu *cpu)
{
	cpu->arch.svm.vmcb->ctl.tlb_control = SVM_TLB_FLUSH_ALL_ASID;
}

/* Register n in ModRM order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15). */
static u64 *gpr(struct percpu *cpu, unsigned int n)
{
	struct guest_regs *r = &cpu->arch.regs;
	u64 *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &cpu->arch.svm.vmcb->save.rsp,
		&r->rbp, &r->rsi, &r->rdi, &r->r8,  &r->r9,
		&r->r10, &r->r11, &r->r12, &r->r13, &r->r14,
		&r->r15,
	};

	return map[n & 15];
}

/* Guest memory as the running vCPU's space allows (the capture kernel's too). */
static int guest_read_phys(u64 pa, void *buf, unsigned int n)
{
	return gpm_read(this_cpu()->arch.gpm, pa, buf, n);
}

/* Fetch the instruction at CS:RIP, as many of its bytes as are mapped. */
static unsigned int fetch_insn(struct vmcb *v, u8 *buf)
{
	struct guest_paging gp = { v->save.cr0, v->save.cr3, v->save.cr4, v->save.efer,
				   guest_read_phys };
	u64 la = v->save.rip + ((v->save.efer & EFER_LMA) ? 0 : v->save.cs.base);
	unsigned int n = 0;

	while (n < INSN_MAX_LEN && !guest_read_linear(&gp, la + n, buf + n, 1))
		n++;
	return n;
}

/* A store to the write-protected xAPIC page: decode, apply the IPI policy, skip. */
static bool handle_apic_write(struct percpu *cpu, u64 gpa)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	bool lm = (v->save.efer & EFER_LMA) && (v->save.cs.attrib & (1u << 9));
	bool d32 = v->save.cs.attrib & (1u << 10);
	struct mmio_insn in;
	u8 b[INSN_MAX_LEN];
	unsigned int n = fetch_insn(v, b);
	u64 val;

	if (insn_decode_store(b, n, lm, d32, &in) || in.size != 4) {
		pr_err("cpu%u: cannot emulate the guest's write to APIC 0x%llx at rip 0x%llx (%u bytes: %02x %02x %02x %02x); #GP",
		       cpu->cpu_id, (unsigned long long)gpa, (unsigned long long)v->save.rip, n,
		       b[0], b[1], b[2], b[3]);
		inject_exception(v, X86_EXC_GP, true, 0);
		return true;
	}
	val = in.kind == MMIO_STORE_IMM ? in.imm : *gpr(cpu, in.reg);
	if (in.kind == MMIO_XCHG)
		*gpr(cpu, in.reg) = apic_mmio_read(gpa);
	apic_mmio_write(cpu, gpa, (u32)val);
	v->save.rip += in.len;
	return true;
}

/*
 * A write to a hidden page: map the scratch page there, let the one
 * instruction run with TF set and interrupts shadowed, then (#DB) map the
 * all-ones page back. The write lands in the scratch page and is discarded.
 */
static bool handle_npf(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct hidden_step *st = &cpu->arch.step;
	u64 gpa = v->ctl.exit_info2;

	if ((v->ctl.exit_info1 & SVM_NPF_WRITE) && apic_is_trapped(gpa))
		return handle_apic_write(cpu, gpa);
	if (!(v->ctl.exit_info1 & SVM_NPF_WRITE) || !gpm_write_protected(cpu->arch.gpm, gpa)) {
		pr_err("cpu%u: guest %s of guest-physical 0x%llx, which is not mapped (map ends at 0x%llx)",
		       cpu->cpu_id, (v->ctl.exit_info1 & SVM_NPF_WRITE) ? "write" : "access",
		       (unsigned long long)gpa, (unsigned long long)gpm_limit());
		return false;
	}
	if (gpm_redirect(cpu->arch.gpm, gpa, true))
		return false;
	if (log_ratelimit(&cpu->arch.hidden_writes))
		pr_warn("cpu%u: guest write to %s at 0x%llx (rip 0x%llx) dropped", cpu->cpu_id,
			hv_is_hidden(gpa, 1) ? "hidden memory" : "crashed guest RAM",
			(unsigned long long)gpa, (unsigned long long)v->save.rip);
	if (!st->active) {
		st->active = true;
		st->guest_tf = v->save.rflags & X86_RFLAGS_TF;
		st->gpa = gpa;
		v->save.rflags |= X86_RFLAGS_TF;
		v->ctl.int_state |= 1;
		v->ctl.intercept_exceptions |= 1u << X86_EXC_DB;
	} else if (ALIGN_DOWN(gpa, PAGE_SIZE) != ALIGN_DOWN(st->gpa, PAGE_SIZE)) {
		/* The instruction also writes the next page: restore that one as well. */
		st->gpa2 = gpa;
	}
	svm_flush_npt(cpu);
	return true;
}

static bool handle_db(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct hidden_step *st = &cpu->arch.step;

	if (!st->active) {
		inject_exception(v, X86_EXC_DB, false, 0);
		return true;
	}
	if (gpm_redirect(cpu->arch.gpm, st->gpa, false) ||
	    (st->gpa2 && gpm_redirect(cpu->arch.gpm, st->gpa2, false)))
		return false;
	/* The guest's own single step still gets its #DB. */
	if (st->guest_tf)
		inject_exception(v, X86_EXC_DB, false, 0);
	else
		v->save.rflags &= ~X86_RFLAGS_TF;
	v->save.dr6 &= ~(1ull << 14); /* BS: the step was ours */
	v->ctl.intercept_exceptions &= ~(1u << X86_EXC_DB);
	st->active = false;
	st->gpa2 = 0;
	svm_flush_npt(cpu);
	return true;
}

static void svm_dump(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	struct guest_regs *r = &cpu->arch.regs;

	pr_err("cpu%u guest state: rip %04x:%016llx rsp %016llx rflags %08llx cpl %u", cpu->cpu_id,
	       v->save.cs.selector, (unsigned long long)v->save.rip,
	       (unsigned long long)v->save.rsp, (unsigned long long)v->save.rflags, v->save.cpl);
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", (unsigned long long)r->rax,
	       (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx", (unsigned long long)r->rsi,
	       (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->r8);
	pr_err("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx",
	       (unsigned long long)v->save.cr0, (unsigned long long)v->save.cr2,
	       (unsigned long long)v->save.cr3, (unsigned long long)v->save.cr4,
	       (unsigned long long)v->save.efer);
	pr_err("  exit 0x%llx (%s) info1 0x%llx info2 0x%llx intinfo 0x%llx",
	       (unsigned long long)v->ctl.exit_code, svm_exit_name(v->ctl.exit_code),
	       (unsigned long long)v->ctl.exit_info1, (unsigned long long)v->ctl.exit_info2,
	       (unsigned long long)v->ctl.exit_int_info);
	exit_ring_dump(cpu, svm_exit_name);
}

/* The pvpanic port (QEMU docs/specs/pvpanic.rst) and the CMOS ports (vcpu_io()). */
static bool handle_ioio(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	u64 info = v->ctl.exit_info1;

	if (vcpu_io(cpu, (u16)(info >> 16), info & SVM_IOIO_IN, SVM_IOIO_SIZE(info),
		    !(info & (SVM_IOIO_STR | SVM_IOIO_REP))))
		return true;
	v->save.rip = v->ctl.exit_info2; /* the next RIP for IOIO, NRIP save or not */
	return true;
}

/*
 * APM vol. 2, 15.21.1: an intercepted NMI stays pending, held by GIF, and the
 * next VMRUN would take it again. Open GIF for an instant so the hv's own NMI
 * handler (entry.S) consumes it, then decide whose it was.
 */
static bool handle_nmi(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	asm volatile("stgi; nop; clgi" ::: "memory");
	switch (vcpu_nmi(cpu)) {
	case VCPU_NMI_GUEST:
		v->ctl.event_inj = X86_EXC_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
		return true;
	case VCPU_NMI_DONE:
		return true;
	default:
		return false;
	}
}

static bool svm_handle_exit(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	switch (v->ctl.exit_code) {
	case SVM_EXIT_CPUID:
		return handle_cpuid(cpu);
	case SVM_EXIT_MSR:
		return handle_msr(cpu);
	case SVM_EXIT_VMMCALL:
		return handle_vmmcall(cpu);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		/* SVM is hidden: to the guest these instructions do not exist. */
		inject_exception(v, X86_EXC_UD, false, 0);
		return true;
	case SVM_EXIT_NPF:
		return handle_npf(cpu);
	case SVM_EXIT_NMI:
		return handle_nmi(cpu);
	case SVM_EXIT_IOIO:
		return handle_ioio(cpu);
	case SVM_EXIT_EXCP_BASE + X86_EXC_DB:
		return handle_db(cpu);
	case SVM_EXIT_SHUTDOWN:
		pr_err("cpu%u: guest shut down (triple fault)", cpu->cpu_id);
		if (hv.opt.triple_fault == TRIGGER_CAPTURE)
			return crash_trigger(cpu, "triple fault");
		return false;
	default:
		pr_err("cpu%u: unhandled exit 0x%llx (%s)", cpu->cpu_id,
		       (unsigned long long)v->ctl.exit_code, svm_exit_name(v->ctl.exit_code));
		return false;
	}
}

static void svm_run(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	cpu->state = CPU_GUEST;
	for (;;) {
		/* A capture began while this vCPU was starting: no kick came, park now. */
		if (cpu->arch.mbox.park)
			arch_crash_park_self(cpu);
		if (vcpu_tlb_stale(cpu))
			svm_flush_npt(cpu);
		v->save.rax = cpu->arch.regs.rax;
		svm_vmrun(&cpu->arch.regs, cpu->arch.svm.vmcb_pa);
		cpu->arch.regs.rax = v->save.rax;
		v->ctl.tlb_control = 0;
		v->ctl.event_inj = 0;
		exit_record(cpu, v->ctl.exit_code, v->ctl.exit_info1, v->ctl.exit_info2,
			    v->save.rip);
		iommu_poll_lazy();
		if (v->ctl.exit_code == SVM_EXIT_INVALID) {
			pr_err("cpu%u: VMRUN refused the guest state (VMEXIT_INVALID)",
			       cpu->cpu_id);
			break;
		}
		if (!svm_handle_exit(cpu))
			break;
		if (cpu->arch.leave_guest) { /* the guest sent this vCPU an INIT */
			cpu->arch.leave_guest = false;
			return;
		}
	}
	vcpu_fatal(cpu);
}

/*
 * A CPU without a running vCPU waits inside a tiny real-mode guest that only
 * halts with interrupts off ("wait for SIPI"). INIT and NMI are intercepted;
 * the NMI is how other CPUs make it read its mailbox. Returns the vector of
 * the start-up IPI the guest sent it, unless a capture has parked it for good.
 */
static u32 svm_wait_for_sipi(struct percpu *cpu)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	u32 vector;

	memset(v, 0, sizeof(*v));
	vmcb_common(v, pt_virt_to_phys(park_pt.root), ASID_PARK);
	v->ctl.intercept_misc1 = SVM_INTERCEPT_INIT | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SHUTDOWN;
	set_flat_segs(v, 0, SEG_CODE16, 0, SEG_DATA16, 0xffff);
	set_seg(&v->save.gdtr, 0, 0, 0xffff, 0);
	set_seg(&v->save.idtr, 0, 0, 0xffff, 0);
	v->save.cr0 = X86_CR0_ET;
	cpu->state = CPU_PARKED;
	for (;;) {
		/*
		 * Look before entering: the SIPI may be here already, its kick NMI
		 * merged with the INIT's into the one this CPU just consumed.
		 */
		if (vcpu_take_sipi(cpu, &vector))
			return vector;
		v->save.rip = 0;
		svm_vmrun(&cpu->arch.regs, cpu->arch.svm.vmcb_pa);
		v->ctl.tlb_control = 0;
		if (v->ctl.exit_code == SVM_EXIT_NMI)
			asm volatile("stgi; nop; clgi" ::: "memory"); /* see handle_nmi() */
		else if (v->ctl.exit_code == SVM_EXIT_INVALID)
			hv_panic("cpu%u: park guest refused by VMRUN", cpu->cpu_id);
	}
}

/* SDM vol. 3A, 8.4.4.1 / APM vol. 2, 15.13: a start-up IPI starts real mode at VV00:0000. */
static void start_at_sipi(struct percpu *cpu, u32 vector)
{
	struct vmcb *v = cpu->arch.svm.vmcb;

	memset(v, 0, sizeof(*v));
	memset(&cpu->arch.step, 0, sizeof(cpu->arch.step));
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.guest_nmis = 0;
	cpu->arch.gpm = &guest_gpm;
	vmcb_common(v, pt_virt_to_phys(guest_gpm.pt.root), ASID_GUEST);
	guest_intercepts(v);
	set_flat_segs(v, 0, SEG_CODE16, 0, SEG_DATA16, 0xffff);
	set_seg(&v->save.cs, (u16)(vector << 8), SEG_CODE16, 0xffff, (u64)vector << 12);
	set_seg(&v->save.gdtr, 0, 0, 0xffff, 0);
	set_seg(&v->save.idtr, 0, 0, 0xffff, 0);
	v->save.cr0 = 0x60000000ull | X86_CR0_ET; /* CD, NW, ET: the INIT state */
	v->save.rip = 0;
}

static void *pt_page(void)
{
	return page_alloc(1);
}

static void svm_save_state(struct percpu *cpu, struct x86_cpu_state *s)
{
	const struct vmcb_save *v = &cpu->arch.svm.vmcb->save;

	s->gpr = cpu->arch.regs;
	s->gpr.rax = v->rax;
	s->rsp = v->rsp, s->rip = v->rip, s->rflags = v->rflags;
	s->cs = v->cs.selector, s->ss = v->ss.selector, s->ds = v->ds.selector;
	s->es = v->es.selector, s->fs = v->fs.selector, s->gs = v->gs.selector;
	/* Valid: svm_vmrun() VMSAVEs after every exit. */
	s->fs_base = v->fs.base, s->gs_base = v->gs.base, s->kernel_gs_base = v->kernel_gs_base;
	s->cr0 = v->cr0, s->cr2 = v->cr2, s->cr3 = v->cr3, s->cr4 = v->cr4;
	s->efer = v->efer & ~EFER_SVME;
}

static const struct vcpu_vendor svm_vendor = {
	.name = "AMD SVM",
	.id = PARACHUTE_VENDOR_SVM,
	.cpu_init = svm_cpu_init,
	.setup = svm_setup,
	.run = svm_run,
	.wait_for_sipi = svm_wait_for_sipi,
	.start_at_sipi = start_at_sipi,
	.npt_format = &pt_x86_64,
	.exit_name = svm_exit_name,
	.save_state = svm_save_state,
	.dump = svm_dump,
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

	msrpm = page_alloc(2);
	iopm = page_alloc(3); /* all zero: only the ports set below are intercepted */
	park_code = page_alloc(1);
	if (!msrpm || !iopm || !park_code || pt_init(&park_pt, &pt_x86_64, 1, pt_page) ||
	    pt_map(&park_pt, 0, virt_to_phys(park_code), PAGE_SIZE, PT_READ | PT_EXEC))
		return NULL;
	park_code[0] = 0xf4; /* hlt */
	park_code[1] = 0xeb; /* jmp back to the hlt */
	park_code[2] = 0xfd;
	io_intercepts = vcpu_io_bitmap(iopm);
	msrpm_intercept(MSR_EFER, true, true);
	msrpm_intercept(MSR_VM_CR, true, true);
	msrpm_intercept(MSR_IGNNE, true, true);
	msrpm_intercept(MSR_SMM_CTL, true, true);
	msrpm_intercept(MSR_VM_HSAVE_PA, true, true);
	/* The APIC stays where it is, and IPIs are checked (asm/apic.h). */
	msrpm_intercept(MSR_APIC_BASE, false, true);
	msrpm_intercept(MSR_X2APIC_ICR, false, true);

	svm_active = svm_vendor;
	/* APM vol. 2, 15.25.1: NPT takes 1 GiB pages where the host can. */
	svm_active.npt_max_leaf = page1g ? 3 : 2;
	pr_info("AMD SVM with nested paging; NRIP save %s, 1 GiB nested pages %s",
		have_nrips ? "yes" : "no (instruction lengths known to the hv)",
		page1g ? "yes" : "no");
	return &svm_active;
}
