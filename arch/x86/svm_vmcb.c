// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVM backend's VMCB (asm/svm_vmcb.h): its state for each entry the
 * vCPU core asks for, its intercepts with the MSR and I/O permission maps
 * (APM vol. 2, 15.10 and 15.11), and the guest's registers as it holds
 * them. svm.c runs it: VMRUN, the exits, events and parking.
 */
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/svm_vmcb.h>
#include <hv/lib.h>
#include <hv/mm.h>

#define ASID_GUEST   1
#define ASID_PARK    2

/* VMCB segment attributes: the SDM's access rights with bits 15:12 moved to 11:8. */
#define VMCB_ATTR(ar) ((u16)((((ar) >> 4) & 0xf00) | ((ar) & 0xff)))
#define SEG_TSS_BUSY 0x08b
#define SEG_LDT	     0x082

static u8 *msrpm;
static u8 *iopm, *iopm_watch; /* the ports vcpu.c serves; with the NMI reason port */
static bool io_intercepts;     /* any port set in iopm */

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

static void intercept_write(u32 msr)
{
	msrpm_intercept(msr, false, true);
}

/** svm_vmcb_init() - the MSR and I/O permission maps every VMCB points at, once. */
int svm_vmcb_init(void)
{
	msrpm = page_alloc(2);
	iopm = page_alloc(3); /* all zero: only the ports set below are intercepted */
	iopm_watch = page_alloc(3);
	if (!msrpm || !iopm || !iopm_watch)
		return -ENOMEM;
	io_intercepts = vcpu_io_bitmap(iopm, false);
	vcpu_io_bitmap(iopm_watch, true);
	msrpm_intercept(MSR_EFER, true, true);
	msrpm_intercept(MSR_VM_CR, true, true);
	msrpm_intercept(MSR_IGNNE, true, true);
	msrpm_intercept(MSR_SMM_CTL, true, true);
	msrpm_intercept(MSR_VM_HSAVE_PA, true, true);
	/*
	 * Writes that would route memory elsewhere (an IORR sending a range to
	 * MMIO, TOP_MEM, the MMIO configuration window over RAM, SYSCFG's DRAM
	 * bits): the hv's and the capture region's memory with it. Reads stay
	 * the CPU's.
	 */
	intercept_write(MSR_AMD_SYSCFG);
	for (u32 m = MSR_AMD_IORR_BASE0; m <= MSR_AMD_IORR_MASK1; m++)
		intercept_write(m);
	intercept_write(MSR_AMD_TOP_MEM);
	intercept_write(MSR_AMD_TOP_MEM2);
	intercept_write(MSR_AMD_MMIO_CFG_BASE);
	vcpu_msr_intercepts(intercept_write);
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

void svm_setup(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm)
{
	struct vmcb *v = cpu->arch.svm.vmcb;
	bool park = gpm->mode == GPM_PARK;
	struct x86_entry_state st;

	memset(v, 0, sizeof(*v));
	v->ctl.intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
				 SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
				 SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT;
	/*
	 * INIT is intercepted in every VMCB, the guest's, the capture kernel's
	 * and the park guest's: it never resets a CPU the hv holds. The park
	 * guest exits only for that, for what wakes it (NMI), and shutdown.
	 */
	if (park)
		v->ctl.intercept_misc1 = SVM_INTERCEPT_INIT | SVM_INTERCEPT_NMI |
					 SVM_INTERCEPT_SHUTDOWN;
	else
		v->ctl.intercept_misc1 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_MSR |
					 SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_NMI |
					 SVM_INTERCEPT_INIT | SVM_INTERCEPT_INVLPGA |
					 (io_intercepts ? SVM_INTERCEPT_IOIO : 0);
	v->ctl.iopm_base_pa = virt_to_phys(iopm);
	v->ctl.msrpm_base_pa = virt_to_phys(msrpm);
	v->ctl.asid = park ? ASID_PARK : ASID_GUEST;
	v->ctl.tlb_control = SVM_TLB_FLUSH_ALL_ASID;
	v->ctl.np_enable = 1;
	v->ctl.n_cr3 = pt_virt_to_phys(gpm->pt.root);
	/* VMRUN refuses a guest without EFER.SVME (APM vol. 2, 15.5.1); reads hide it. */
	v->save.efer = EFER_SVME;
	v->save.g_pat = X86_PAT_DEFAULT;
	v->save.dr6 = 0xffff0ff0;
	v->save.dr7 = 0x400;
	v->save.rflags = X86_RFLAGS_FIXED;
	vcpu_entry_state(e, &st);
	set_flat_segs(v, st.cs, VMCB_ATTR(st.cs_ar), st.ds, VMCB_ATTR(st.ds_ar), st.limit);
	v->save.cs.base = st.cs_base;
	set_seg(&v->save.gdtr, 0, 0, st.gdt_limit, st.gdt_base);
	set_seg(&v->save.idtr, 0, 0, st.idt_limit, 0);
	v->save.cr0 = st.cr0;
	v->save.cr3 = st.cr3;
	v->save.cr4 = st.cr4;
	v->save.efer |= st.efer;
	v->save.rip = st.rip;
}

/* The registers that are one 64-bit VMCB field each, read and written as they are. */
static const u16 plain_field[] = {
	[VCPU_RIP] = offsetof(struct vmcb_save, rip), [VCPU_RSP] = offsetof(struct vmcb_save, rsp),
	[VCPU_RFLAGS] = offsetof(struct vmcb_save, rflags),
	[VCPU_CR0] = offsetof(struct vmcb_save, cr0), [VCPU_CR2] = offsetof(struct vmcb_save, cr2),
	[VCPU_CR3] = offsetof(struct vmcb_save, cr3), [VCPU_CR4] = offsetof(struct vmcb_save, cr4),
};

static u64 *plain(struct percpu *cpu, enum vcpu_reg reg)
{
	return (u64 *)((u8 *)&cpu->arch.svm.vmcb->save + plain_field[reg]);
}

u64 svm_get(struct percpu *cpu, enum vcpu_reg reg)
{
	const struct vmcb_save *s = &cpu->arch.svm.vmcb->save;

	switch (reg) {
	case VCPU_EFER:
		return s->efer & ~EFER_SVME;
	case VCPU_CS:
		return s->cs.selector;
	case VCPU_CS_BASE:
		return s->cs.base;
	case VCPU_CS_L: /* VMCB attributes: L in bit 9, D/B in bit 10 */
		return (s->cs.attrib >> 9) & 1;
	case VCPU_CS_DB:
		return (s->cs.attrib >> 10) & 1;
	case VCPU_CPL:
		return s->cpl;
	default:
		return reg < ARRAY_SIZE(plain_field) ? *plain(cpu, reg) : 0;
	}
}

void svm_set(struct percpu *cpu, enum vcpu_reg reg, u64 val)
{
	if (reg == VCPU_EFER) /* VMRUN refuses a guest without SVME (APM vol. 2, 15.5.1) */
		cpu->arch.svm.vmcb->save.efer = val | EFER_SVME;
	else if (reg < ARRAY_SIZE(plain_field) && reg != VCPU_CR2)
		*plain(cpu, reg) = val;
}

void svm_save_state(struct percpu *cpu, struct x86_cpu_state *s)
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

/*
 * While an NMI is watched: the NMI reason port exits (a second IOPM), and so
 * does the IRET that ends the guest's handler (APM vol. 2, 15.9: the
 * intercept comes before the IRET executes).
 */
void svm_watch_nmi(struct percpu *cpu, bool on)
{
	struct vmcb_control *c = &cpu->arch.svm.vmcb->ctl;

	c->iopm_base_pa = virt_to_phys(on ? iopm_watch : iopm);
	c->intercept_misc1 &= ~(SVM_INTERCEPT_IRET | SVM_INTERCEPT_IOIO);
	if (on)
		c->intercept_misc1 |= SVM_INTERCEPT_IRET | SVM_INTERCEPT_IOIO;
	else if (io_intercepts)
		c->intercept_misc1 |= SVM_INTERCEPT_IOIO;
}

/*
 * SVM has no preemption timer, and the guest owns every interrupt source: a
 * guest whose CPUs all run with interrupts off makes no exit at all. While
 * the watchdog is armed, PAUSE is intercepted instead, with the pause filter
 * (APM vol. 2, 15.14.4) letting 65535 PAUSEs pass per entry: a locked-up
 * kernel spins in cpu_relax() (spinlocks, csd_lock_wait(), stop_machine),
 * and each filtered exit is a chance to check the deadline. QEMU's TCG has
 * no filter: every PAUSE exits while the watchdog is armed.
 */
void svm_watchdog(struct percpu *cpu, enum watchdog_mode mode)
{
	struct vmcb_control *c = &cpu->arch.svm.vmcb->ctl;

	c->pause_filter_count = 0xffff;
	c->pause_filter_thresh = 0;
	c->intercept_misc1 &= ~(SVM_INTERCEPT_PAUSE | SVM_INTERCEPT_HLT);
	if (mode != WATCHDOG_OFF)
		c->intercept_misc1 |= SVM_INTERCEPT_PAUSE;
	/*
	 * A capture kernel that waits for a disk forever idles in HLT: with the
	 * HLT intercepted, its idle loop is a chain of exits, each a look at
	 * capture_timeout=. Only its one vCPU runs, only until it checks in.
	 */
	if (mode == WATCHDOG_CAPTURE)
		c->intercept_misc1 |= SVM_INTERCEPT_HLT;
}
