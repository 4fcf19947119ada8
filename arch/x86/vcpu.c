// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU core both backends share (asm/vcpu.h): the run loop, every exit
 * handler and the wait for a start-up IPI. svm.c and vmx.c set up their VMCB
 * or VMCS, enter the guest, decode each exit into one vcpu_handle_*() call
 * and apply what it decides through the accessors of struct vcpu_vendor.
 * Which events start a capture is decided in one place, crash_trigger().
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/guest_walk.h>
#include <asm/insn.h>
#include <asm/iommu.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <asm/vcpu.h>
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/hypercall.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/watchdog.h>

bool vcpu_inits_contained = true;

int vcpu_init(void)
{
	gate_init(); /* the CPUID the guest is shown feeds the rules for its values */
	return gpm_build(&park_gpm, GPM_PARK, vendor->npt_format, 1);
}

/*
 * #GP(0) for a guest value refused. Real mode pushes no error code, and a VM
 * entry with unrestricted guest refuses one there (SDM 26.2.1.3).
 */
void vcpu_inject_gp(struct percpu *cpu)
{
	vendor->inject(cpu, X86_EXC_GP, (vendor->get(cpu, VCPU_CR0) & X86_CR0_PE) != 0, 0);
}

/* Register n in ModRM order; RSP is the backend's (VMCB or VMCS), hence NULL. */
static u64 *gpr_slot(struct percpu *cpu, unsigned int n)
{
	struct guest_regs *r = &cpu->arch.regs;
	u64 *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL,    &r->rbp, &r->rsi, &r->rdi,
		&r->r8,	 &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & 15];
}

u64 vcpu_gpr(struct percpu *cpu, unsigned int n)
{
	u64 *p = gpr_slot(cpu, n);

	return p ? *p : vendor->get(cpu, VCPU_RSP);
}

void vcpu_set_gpr(struct percpu *cpu, unsigned int n, u64 val)
{
	u64 *p = gpr_slot(cpu, n);

	if (p)
		*p = val;
	else
		vendor->set(cpu, VCPU_RSP, val);
}

enum vcpu_action vcpu_refuse(struct percpu *cpu, const char *fmt, ...)
{
	char what[96];
	va_list ap;

	if (log_ratelimit(&cpu->refused)) {
		va_start(ap, fmt);
		vsnprintf_hv(what, sizeof(what), fmt, ap);
		va_end(ap);
		pr_warn("cpu%u: guest %s refused (#GP)", cpu->cpu_id, what);
	}
	vcpu_inject_gp(cpu);
	return VCPU_RESUME;
}

enum vcpu_action vcpu_handle_cpuid(struct percpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;
	struct cpuid_regs c;
	u32 leaf = (u32)r->rax, sub = (u32)r->rcx;

	/* User mode runs: the guest kernel's initcalls, VMCOREINFO's among them, are done. */
	if (!capture.probe.done && capture.armed && !capture_running() &&
	    vendor->get(cpu, VCPU_CPL) == 3)
		vmcoreinfo_probe(cpu, &hv.guest_map, VMCOREINFO_PROBE_PAGES);
	/* The capture kernel's user mode (every libc asks CPUID at start): its initramfs runs. */
	if (capture_running() && !capture.user_mode && capture_kernel_cpu(cpu) &&
	    vendor->get(cpu, VCPU_CPL) == 3)
		capture_user_mode(cpu);
	cpuid_count(leaf, sub, &c);
	cpuid_policy(leaf, sub, vendor->get(cpu, VCPU_CR4), &c);
	r->rax = c.eax;
	r->rbx = c.ebx;
	r->rcx = c.ecx;
	r->rdx = c.edx;
	return VCPU_SKIP;
}

enum vcpu_action vcpu_handle_hypercall(struct percpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;
	struct hypercall_args a = { r->rax, r->rbx, r->rcx, r->rdx, 0 };
	enum vcpu_action act;

	gpm_reclaim(cpu->arch.gpm); /* what the guest's last seal or writes retired, if flushed */
	act = hypercall(cpu, (unsigned int)vendor->get(cpu, VCPU_CPL), &a);

	if (act == VCPU_SKIP)
		r->rax = (u64)a.ret;
	return act;
}

void vcpu_msr_intercepts(void (*set)(u32 msr))
{
	/* The APIC stays where it is, and IPIs are checked (asm/apic.h). */
	set(MSR_APIC_BASE);
	set(MSR_X2APIC_ICR);
}

/* EFER: the gate's rules, then the backend's copy (SVM; VMX does not intercept it). */
static enum vcpu_action wrmsr_efer(struct percpu *cpu, u64 val)
{
	u64 want = val;

	if (!gate_efer(&gate_cpu, vendor->get(cpu, VCPU_EFER), vendor->get(cpu, VCPU_CR0), &val))
		return vcpu_refuse(cpu, "WRMSR EFER <- 0x%llx", (unsigned long long)want);
	vendor->set(cpu, VCPU_EFER, val);
	return VCPU_SKIP;
}

/*
 * The APIC base: the hv's NMIs and the xAPIC trap depend on where the APIC
 * is, so the base and the BSP flag stay as they are (a change is refused);
 * the enable bits change under the architecture's rules (gate.c).
 */
static enum vcpu_action wrmsr_apic_base(struct percpu *cpu, u64 val)
{
	u64 cur = rdmsr(MSR_APIC_BASE);

	if ((val ^ cur) & (APIC_BASE_BSP | APIC_BASE_ADDR))
		return vcpu_refuse(cpu, "WRMSR APIC base <- 0x%llx (the hv keeps the base at 0x%llx)",
				   (unsigned long long)val, (unsigned long long)(cur & APIC_BASE_ADDR));
	if (gate_write_apic_base(val))
		return vcpu_refuse(cpu, "WRMSR APIC base <- 0x%llx", (unsigned long long)val);
	return VCPU_SKIP;
}

enum vcpu_action vcpu_handle_wrmsr(struct percpu *cpu, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_EFER:
		return wrmsr_efer(cpu, val);
	case MSR_APIC_BASE:
		return wrmsr_apic_base(cpu, val);
	case MSR_X2APIC_ICR:
		if (!gate_x2apic_icr(rdmsr(MSR_APIC_BASE), val))
			break;
		smp_x2apic_icr_write(cpu, val);
		return VCPU_SKIP;
	case MSR_AMD_SYSCFG:
	case MSR_AMD_IORR_BASE0 ... MSR_AMD_IORR_MASK1:
	case MSR_AMD_TOP_MEM:
	case MSR_AMD_TOP_MEM2:
	case MSR_AMD_MMIO_CFG_BASE:
		return vcpu_refuse(cpu, "WRMSR 0x%x <- 0x%llx (memory routing: the hv keeps the machine's)",
				   msr, (unsigned long long)val);
	}
	return vcpu_refuse(cpu, "WRMSR 0x%x <- 0x%llx", msr, (unsigned long long)val);
}

enum vcpu_action vcpu_handle_xsetbv(struct percpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;
	u64 v = (r->rdx << 32) | (u32)r->rax;

	/* SDM vol. 2D, XSETBV: #UD without CR4.OSXSAVE, #GP(0) above CPL 0 or for a bad value. */
	if (!(vendor->get(cpu, VCPU_CR4) & X86_CR4_OSXSAVE)) {
		vendor->inject(cpu, X86_EXC_UD, false, 0);
		return VCPU_RESUME;
	}
	if (vendor->get(cpu, VCPU_CPL) != 0 || gate_write_xcr0((u32)r->rcx, v))
		return vcpu_refuse(cpu, "XSETBV XCR%u <- 0x%llx", (u32)r->rcx,
				   (unsigned long long)v);
	return VCPU_SKIP;
}

/*
 * PAE paging outside IA-32e mode takes its four PDPTEs from CR3 when CR0,
 * CR3 or CR4 is loaded (SDM vol. 3A, 4.4.1); a backend that holds them in
 * its guest state (VMX with EPT) gets them checked. 0, or -EINVAL for #GP.
 */
static int load_pdptes(struct percpu *cpu, u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	u64 p[4];

	if (!vendor->load_pdptes || !(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) ||
	    (efer & EFER_LMA))
		return 0;
	if (gpm_read(cpu->arch.gpm, cr3 & 0xffffffe0ull, p, sizeof(p)) || !gate_pdptes(&gate_cpu, p))
		return -EINVAL;
	vendor->load_pdptes(cpu, p);
	return 0;
}

/* MOV to CR0: the gate, then IA-32e mode follows paging where EFER.LME asks for it. */
static bool set_cr0(struct percpu *cpu, u64 val, u64 efer, bool cs_l)
{
	u64 cr0 = vendor->get(cpu, VCPU_CR0), cr4 = vendor->get(cpu, VCPU_CR4);
	u64 lma = efer;

	if (!gate_cr0(&gate_cpu, cr0, &val, cr4, efer, cs_l))
		return false;
	/* SDM vol. 3A, 9.8.5: paging on with LME activates IA-32e mode, paging off leaves it. */
	if (!(cr0 & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & EFER_LME))
		lma |= EFER_LMA;
	else if (!(val & X86_CR0_PG))
		lma &= ~EFER_LMA;
	if (load_pdptes(cpu, val, vendor->get(cpu, VCPU_CR3), cr4, lma))
		return false;
	if (lma != efer)
		vendor->set(cpu, VCPU_EFER, lma);
	vendor->set(cpu, VCPU_CR0, val);
	return true;
}

enum vcpu_action vcpu_handle_cr_write(struct percpu *cpu, unsigned int cr, u64 val)
{
	u64 cr0 = vendor->get(cpu, VCPU_CR0), cr4 = vendor->get(cpu, VCPU_CR4);
	u64 efer = vendor->get(cpu, VCPU_EFER);
	/* CS.L as loaded: paging may not come on with LME while it is set, even in legacy mode. */
	bool cs_l = vendor->get(cpu, VCPU_CS_L);
	bool ok = false;

	if (!((efer & EFER_LMA) && cs_l)) /* outside 64-bit mode the operand is 32 bits */
		val = (u32)val;
	switch (cr) {
	case 0:
		ok = set_cr0(cpu, val, efer, cs_l);
		break;
	case 3:
		ok = gate_cr3(&gate_cpu, &val, cr4, efer) && !load_pdptes(cpu, cr0, val, cr4, efer);
		if (ok)
			vendor->set(cpu, VCPU_CR3, val);
		break;
	case 4:
		ok = gate_cr4(&gate_cpu, cr4, val, cr0, vendor->get(cpu, VCPU_CR3), efer) &&
		     !load_pdptes(cpu, cr0, vendor->get(cpu, VCPU_CR3), val, efer);
		if (ok)
			vendor->set(cpu, VCPU_CR4, val);
		break;
	}
	if (!ok)
		return vcpu_refuse(cpu, "MOV to CR%u <- 0x%llx", cr, (unsigned long long)val);
	return VCPU_SKIP;
}

/*
 * The RTC/CMOS ports, performed on the hardware byte by byte (PC ports decode
 * so). The hv follows the index: a non-zero shutdown code is the warm-reset
 * step that precedes a CPU start-up (MP spec 1.4, B.4: code 0Ah, then INIT);
 * Linux writes 0 there again once the CPU is up.
 */
static u8 cmos_index;

/* Byte i of an access of the guest's, performed on the hardware port p. */
static void port_byte(u16 p, bool in, unsigned int i, u64 *rax)
{
	if (in)
		*rax = (*rax & ~(0xffull << (8 * i))) | ((u64)inb(p) << (8 * i));
	else
		outb(p, (u8)(*rax >> (8 * i)));
}

static enum vcpu_action cmos_io(struct percpu *cpu, u16 port, bool in, unsigned int size,
				u64 *rax)
{
	for (unsigned int i = 0; i < size; i++) {
		u16 p = (u16)(port + i);
		u8 b = (u8)(*rax >> (8 * i));

		if (!in && p == CMOS_INDEX_PORT)
			cmos_index = b & 0x7f; /* bit 7: the NMI mask of old chipsets */
		else if (!in && p == CMOS_DATA_PORT && cmos_index == CMOS_SHUTDOWN_STATUS && b &&
			 smp_start_up_coming(cpu, "the guest wrote the CMOS warm-reset code"))
			return VCPU_PARK;
		port_byte(p, in, i, rax);
	}
	return VCPU_SKIP;
}

/*
 * The NMI reason port, intercepted while a watched NMI is in the guest's
 * hands (vcpu_handle_nmi()). Linux's default_do_nmi() reads it only once
 * every NMI handler of its own has declined the NMI: nobody in the guest
 * owns it, so it is the operator's. Otherwise performed on the hardware.
 */
static enum vcpu_action nmi_reason_io(struct percpu *cpu, u16 port, bool in, unsigned int size,
				      u64 *rax)
{
	enum vcpu_action act;

	if (in && port == NMI_REASON_PORT && cpu->arch.nmi_watch && vendor->nmi_blocked(cpu)) {
		pr_info("cpu%u: the guest's NMI handlers declined an NMI (it reads the NMI reason port): the operator's",
			cpu->cpu_id);
		act = crash_trigger(cpu, CRASH_NMI);
		if (act != VCPU_RESUME)
			return act;
	}
	for (unsigned int i = 0; i < size; i++)
		port_byte((u16)(port + i), in, i, rax);
	return VCPU_SKIP;
}

static void set_port(u8 *bitmap, u16 port)
{
	bitmap[port / 8] |= (u8)(1u << (port % 8));
}

bool vcpu_io_bitmap(u8 *bitmap, bool nmi_watch)
{
	bool pvpanic = crash_source_enabled(CRASH_PVPANIC);

	if (pvpanic)
		set_port(bitmap, PVPANIC_PORT);
	if (hv.opt.apic_trap == APIC_TRAP_BOOT) { /* to see CPU start-ups coming */
		set_port(bitmap, CMOS_INDEX_PORT);
		set_port(bitmap, CMOS_DATA_PORT);
	}
	if (nmi_watch)
		set_port(bitmap, NMI_REASON_PORT);
	return pvpanic || hv.opt.apic_trap == APIC_TRAP_BOOT || nmi_watch;
}

/* The pvpanic port (QEMU docs/specs/pvpanic.rst). */
static enum vcpu_action pvpanic_io(struct percpu *cpu, bool in, u64 *rax)
{
	u8 val = (u8)*rax;
	enum vcpu_action act;

	/* The vmcore records the OUT itself; a vCPU that goes on resumes after it. */
	if (!in && (val & PVPANIC_PANICKED)) {
		act = crash_trigger(cpu, CRASH_PVPANIC);
		if (act != VCPU_RESUME)
			return act;
	}
	if (in) /* reading tells the driver which events are supported */
		*rax = (*rax & ~0xffull) | PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
	else if (val & PVPANIC_CRASH_LOADED)
		pr_info_limited(&cpu->guest_lines, "cpu%u: pvpanic: the guest is starting its own crash kernel",
				cpu->cpu_id);
	return VCPU_SKIP;
}

enum vcpu_action vcpu_handle_io(struct percpu *cpu, u16 port, bool in, unsigned int size,
				bool plain)
{
	u64 *rax = &cpu->arch.regs.rax;

	if (port + size > CMOS_INDEX_PORT && port <= CMOS_DATA_PORT) {
		if (plain)
			return cmos_io(cpu, port, in, size, rax);
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: string I/O to the CMOS ports not performed", cpu->cpu_id);
		return VCPU_SKIP;
	}
	if (port + size > NMI_REASON_PORT && port <= NMI_REASON_PORT && plain)
		return nmi_reason_io(cpu, port, in, size, rax);
	if (port == PVPANIC_PORT && plain)
		return pvpanic_io(cpu, in, rax);
	return VCPU_SKIP; /* not a form pvpanic uses: ignored */
}

bool arch_guest_writable(const struct percpu *cpu, u64 gpa, u64 size)
{
	const struct gpm *g = cpu->arch.gpm;

	return size && gpa + size > gpa && ALIGN_DOWN(gpa, PAGE_SIZE) == ALIGN_DOWN(gpa + size - 1, PAGE_SIZE) &&
	       gpm_is_ram(g, gpa, size) && !gpm_write_protected(g, gpa);
}

/* Guest memory as the vCPU's space allows (the capture kernel's too). */
static int read_space(const void *space, u64 pa, void *buf, unsigned int n)
{
	return gpm_read(space, pa, buf, n);
}

/* Fetch the instruction at CS:RIP, as many of its bytes as are mapped. */
static unsigned int fetch_insn(struct percpu *cpu, u8 *buf)
{
	struct guest_paging gp = { vendor->get(cpu, VCPU_CR0), vendor->get(cpu, VCPU_CR3),
				   vendor->get(cpu, VCPU_CR4), vendor->get(cpu, VCPU_EFER),
				   read_space,		      cpu->arch.gpm };
	u64 la = vendor->get(cpu, VCPU_RIP) +
		 ((gp.efer & EFER_LMA) ? 0 : vendor->get(cpu, VCPU_CS_BASE));
	unsigned int n = 0;

	while (n < INSN_MAX_LEN && !guest_read_linear(&gp, la + n, buf + n, 1))
		n++;
	return n;
}

/* A store to the write-protected xAPIC page: decode, apply the IPI policy, step past it. */
static enum vcpu_action apic_store(struct percpu *cpu, u64 gpa)
{
	bool lm = (vendor->get(cpu, VCPU_EFER) & EFER_LMA) && vendor->get(cpu, VCPU_CS_L);
	u64 rip = vendor->get(cpu, VCPU_RIP);
	struct mmio_insn in;
	u8 b[INSN_MAX_LEN] = { 0 };
	unsigned int n = fetch_insn(cpu, b);
	u64 val;

	if (insn_decode_store(b, n, lm, vendor->get(cpu, VCPU_CS_DB), &in) || in.size != 4) {
		if (log_ratelimit(&cpu->refused))
			pr_err("cpu%u: cannot emulate the guest's write to APIC 0x%llx at rip 0x%llx (%u bytes: %02x %02x %02x %02x); #GP",
		       cpu->cpu_id, (unsigned long long)gpa, (unsigned long long)rip, n, b[0], b[1],
		       b[2], b[3]);
		vcpu_inject_gp(cpu);
		return VCPU_RESUME;
	}
	val = in.kind == MMIO_STORE_IMM ? in.imm : vcpu_gpr(cpu, in.reg);
	if (in.kind == MMIO_XCHG)
		vcpu_set_gpr(cpu, in.reg, apic_mmio_read(gpa));
	smp_apic_mmio_write(cpu, gpa, (u32)val);
	vendor->set(cpu, VCPU_RIP, rip + in.len);
	return VCPU_RESUME;
}

/*
 * The guest's writes split more tables than GPM_SPLIT_TABLES while some vCPU
 * has not flushed: every vCPU flushes now (this one before it enters again),
 * the retired tables come back, and the redirect is tried once more.
 */
static int redirect_after_flush(struct percpu *cpu, u64 gpa)
{
	struct gpm *g = cpu->arch.gpm;

	if (g == &guest_gpm && smp_flush_guest(cpu) < 0)
		return -EBUSY; /* a capture began: this vCPU parks */
	cpu->arch.gpm_gen = g->gen;
	vendor->flush(cpu);
	gpm_reclaim(g);
	if (!gpm_redirect(g, gpa, true))
		return 0;
	pr_err("cpu%u: the guest's writes to protected pages took all %u table pages they may; the write at 0x%llx cannot be stepped over",
	       cpu->cpu_id, GPM_SPLIT_TABLES, (unsigned long long)gpa);
	return -ENOMEM;
}

/*
 * A write to a page the space does not let the guest write (hidden, or
 * crashed-guest RAM in capture mode): map the scratch page there, let the
 * one instruction run with TF set, then (#DB, vcpu_handle_db()) map the page
 * back. The write lands in the scratch page and is discarded.
 */
enum vcpu_action vcpu_handle_npf(struct percpu *cpu, u64 gpa, bool write, bool fetch,
				 bool in_event)
{
	struct hidden_step *st = &cpu->arch.step;

	if (write && !in_event && apic_is_trapped(gpa))
		return apic_store(cpu, gpa);
	if (fetch && gpm_sealed(gpa)) /* the crash path's jump to kexec's code */
		return seal_fetch(cpu, gpa);
	if (!write || !gpm_write_protected(cpu->arch.gpm, gpa)) {
		if (!gpm_map_mmio(cpu->arch.gpm, gpa)) { /* MMIO above RAM: a 64-bit BAR */
			vendor->flush(cpu);
			return VCPU_RESUME;
		}
		pr_err("cpu%u: guest %s of guest-physical 0x%llx, which is not mapped (map ends at 0x%llx)",
		       cpu->cpu_id, write ? "write" : "access", (unsigned long long)gpa,
		       (unsigned long long)gpm_limit());
		return VCPU_FATAL;
	}
	if (gpm_redirect(cpu->arch.gpm, gpa, true) && redirect_after_flush(cpu, gpa))
		return VCPU_FATAL;
	if (log_ratelimit(&cpu->arch.hidden_writes))
		pr_warn("cpu%u: guest write to %s at 0x%llx (rip 0x%llx) dropped", cpu->cpu_id,
			hv_is_hidden(gpa, 1) ? "hidden memory" :
			gpm_sealed(gpa)	     ? "the sealed kexec region" :
					       "crashed guest RAM",
			(unsigned long long)gpa, (unsigned long long)vendor->get(cpu, VCPU_RIP));
	if (!st->active) {
		st->active = true;
		st->guest_tf = vendor->get(cpu, VCPU_RFLAGS) & X86_RFLAGS_TF;
		st->gpa = gpa;
		vendor->step_begin(cpu);
	} else if (ALIGN_DOWN(gpa, PAGE_SIZE) != ALIGN_DOWN(st->gpa, PAGE_SIZE)) {
		/* The instruction also writes the next page: restore that one as well. */
		st->gpa2 = gpa;
	}
	vendor->flush(cpu);
	return VCPU_RESUME;
}

/*
 * A step over a dropped write that its #DB will not end: the vCPU is reset
 * (INIT, a park, a new entry) with the scratch page still mapped in the
 * shared tables. The protected pages are mapped back now, or the guest's
 * other vCPUs would write the scratch page there for good (and read it
 * where the page is hidden or sealed).
 */
void vcpu_step_cancel(struct percpu *cpu)
{
	struct hidden_step *st = &cpu->arch.step;

	if (st->active) {
		if (gpm_redirect(cpu->arch.gpm, st->gpa, false) ||
		    (st->gpa2 && gpm_redirect(cpu->arch.gpm, st->gpa2, false)))
			pr_err("cpu%u: the protected page at 0x%llx could not be mapped back after a step cut short",
			       cpu->cpu_id, (unsigned long long)st->gpa);
		vendor->flush(cpu);
	}
	memset(st, 0, sizeof(*st));
}

enum vcpu_action vcpu_handle_db(struct percpu *cpu)
{
	struct hidden_step *st = &cpu->arch.step;

	if (!st->active) {
		vendor->inject(cpu, X86_EXC_DB, false, 0);
		return VCPU_RESUME;
	}
	if (gpm_redirect(cpu->arch.gpm, st->gpa, false) ||
	    (st->gpa2 && gpm_redirect(cpu->arch.gpm, st->gpa2, false)))
		return VCPU_FATAL;
	vendor->step_end(cpu, st->guest_tf); /* the guest's own single step still gets its #DB */
	st->active = false;
	st->gpa2 = 0;
	vendor->flush(cpu);
	return VCPU_RESUME;
}

/*
 * An NMI nobody in the hv sent is the guest's for certain if the APIC trap
 * saw it send one here, or if this CPU's LINT1, where the platform's NMI
 * comes in, is masked (the guest's NMI IPIs and perf interrupts on APs).
 */
static bool nmi_is_guests(struct percpu *cpu)
{
	if (cpu->arch.guest_nmis) {
		__atomic_sub_fetch(&cpu->arch.guest_nmis, 1, __ATOMIC_SEQ_CST);
		return true;
	}
	return !apic_lint1_takes_nmi();
}

/*
 * Whether the vCPU parks when a capture asks it to. capture_test=nopark: the
 * last vCPU does not (tests: a CPU that never answers, stuck in firmware or
 * SMM on a real machine), and runs on in the crashed guest.
 */
static bool parks(const struct percpu *cpu)
{
	return cpu->arch.mbox.park &&
	       !(hv.opt.capture_test == CAPTURE_TEST_NO_PARK && cpu->cpu_id + 1 == nr_cpus_online &&
		 cpu->arch.gpm == &guest_gpm && capture_running());
}

#define NMI_BOUND_MS 1000 /* how long the guest may keep a watched NMI before it counts as stuck */

static u64 ms_since(u64 tsc)
{
	return hv.tsc_khz ? (arch_timestamp() - tsc) / hv.tsc_khz : 0;
}

/*
 * Any other NMI may be the operator's (the platform's NMI button, QEMU's
 * nmi, virsh inject-nmi), or the guest's own: a self-IPI, an NMI IPI to the
 * CPU that listens on LINT1 while the xAPIC trap is lifted, a PMU overflow,
 * its own LVTs. The guest gets it first, watched: if one of its handlers
 * takes it, nothing happens; if none does, it reads the NMI reason port and
 * the hv captures (nmi_reason_io()). A guest that cannot take NMIs (a
 * watched one still waits, or is still being handled, after NMI_BOUND_MS)
 * is captured at the next NMI that comes: an operator's second press.
 */
enum vcpu_action vcpu_handle_nmi(struct percpu *cpu)
{
	struct cpu_mailbox *mb = &cpu->arch.mbox;

	/* A kick from another CPU: its mailbox says why. */
	if (parks(cpu))
		return VCPU_PARK;
	if (mb->park) /* capture_test=nopark */
		return VCPU_RESUME;
	if (mb->init && !capture_owned_by(cpu))
		return VCPU_LEAVE;
	if (mb->init) { /* sent before this vCPU was elected: the capture kernel obeys none */
		mb->init = mb->sipi = 0;
		pr_warn_limited(&cpu->refused, "cpu%u: INIT at the capturing vCPU dropped",
				cpu->cpu_id);
		return VCPU_RESUME;
	}
	if (mb->flush) { /* the entry that follows flushes (gpm->gen) */
		mb->flush = 0;
		/* NMIs do not queue: this one may also be a guest's NMI IPI, which goes in. */
		if (!cpu->arch.guest_nmis)
			return VCPU_RESUME;
	}
	if (nmi_is_guests(cpu) || !crash_source_enabled(CRASH_NMI)) {
		vendor->inject_nmi(cpu, false);
		return VCPU_RESUME;
	}
	if (cpu->arch.nmi_queued && ms_since(cpu->arch.nmi_queued) > NMI_BOUND_MS) {
		pr_info("cpu%u: another NMI while the guest has kept one for %llu ms: it cannot take NMIs",
			cpu->cpu_id, (unsigned long long)ms_since(cpu->arch.nmi_queued));
		return crash_trigger(cpu, CRASH_NMI);
	}
	if (!cpu->arch.nmi_queued)
		cpu->arch.nmi_queued = arch_timestamp();
	vendor->inject_nmi(cpu, true);
	return VCPU_RESUME;
}

void vcpu_nmi_watch(struct percpu *cpu)
{
	if (!cpu->arch.nmi_watch)
		vendor->watch_nmi(cpu, true);
	cpu->arch.nmi_watch = true;
}

void vcpu_nmi_unwatch(struct percpu *cpu)
{
	if (cpu->arch.nmi_watch)
		vendor->watch_nmi(cpu, false);
	cpu->arch.nmi_watch = false;
	cpu->arch.nmi_queued = 0;
}

enum vcpu_action vcpu_handle_iret(struct percpu *cpu)
{
	vcpu_nmi_unwatch(cpu); /* the IRET itself runs when the vCPU resumes */
	return VCPU_RESUME;
}

enum vcpu_action vcpu_handle_triple_fault(struct percpu *cpu)
{
	pr_err("cpu%u: guest shut down (triple fault)", cpu->cpu_id);
	return crash_trigger(cpu, CRASH_TRIPLE_FAULT);
}

enum vcpu_action vcpu_handle_watchdog_tick(struct percpu *cpu)
{
	(void)cpu;
	return VCPU_RESUME;
}

enum vcpu_action vcpu_handle_pause(struct percpu *cpu)
{
	(void)cpu;
	return VCPU_SKIP;
}

enum vcpu_action vcpu_handle_hidden_insn(struct percpu *cpu)
{
	vendor->inject(cpu, X86_EXC_UD, false, 0);
	return VCPU_RESUME;
}

enum vcpu_action vcpu_handle_init(struct percpu *cpu)
{
	/* The capture kernel's vCPU obeys no INIT: whoever sent it, the capture goes on. */
	if (capture_owned_by(cpu)) {
		pr_warn_limited(&cpu->refused, "cpu%u: INIT at the capturing vCPU dropped (rip 0x%llx)",
				cpu->cpu_id, (unsigned long long)vendor->get(cpu, VCPU_RIP));
		return VCPU_RESUME;
	}
	/* One of the capture kernel's CPUs: its INIT, virtualised as the trapped ones are. */
	if (cpu->arch.gpm == &capture_gpm && !cpu->arch.mbox.park) {
		cpu->arch.mbox.capture = 1;
		cpu->arch.mbox.init = 1;
		return VCPU_LEAVE;
	}
	/* A capture runs elsewhere and this vCPU has not parked yet: it parks now. */
	if (cpu->arch.mbox.park || capture_running())
		return VCPU_PARK;
	/*
	 * The APIC trap keeps the guest's INITs from the hardware (apic.c); one
	 * came while it was lifted, or from a device. Virtualise it: the vCPU
	 * waits for a start-up IPI in the hv, and the SIPIs to come are trapped.
	 */
	pr_warn_limited(&cpu->guest_lines, "cpu%u: INIT signal in guest mode; the vCPU waits for a start-up IPI",
			cpu->cpu_id);
	/* First: a SIPI trapped while the trap comes back on must find the INIT taken. */
	cpu->arch.mbox.init = 1;
	if (smp_start_up_coming(cpu, "an INIT reached this CPU")) {
		cpu->arch.mbox.init = 0; /* a capture began: this vCPU parks instead */
		return VCPU_PARK;
	}
	return VCPU_LEAVE;
}

void vcpu_dump(struct percpu *cpu)
{
	struct guest_regs *r = &cpu->arch.regs;

	pr_err("cpu%u guest state: rip %04llx:%016llx rsp %016llx rflags %08llx cpl %llu",
	       cpu->cpu_id, (unsigned long long)vendor->get(cpu, VCPU_CS),
	       (unsigned long long)vendor->get(cpu, VCPU_RIP),
	       (unsigned long long)vendor->get(cpu, VCPU_RSP),
	       (unsigned long long)vendor->get(cpu, VCPU_RFLAGS),
	       (unsigned long long)vendor->get(cpu, VCPU_CPL));
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", (unsigned long long)r->rax,
	       (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx", (unsigned long long)r->rsi,
	       (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->r8);
	pr_err("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx",
	       (unsigned long long)vendor->get(cpu, VCPU_CR0),
	       (unsigned long long)vendor->get(cpu, VCPU_CR2),
	       (unsigned long long)vendor->get(cpu, VCPU_CR3),
	       (unsigned long long)vendor->get(cpu, VCPU_CR4),
	       (unsigned long long)vendor->get(cpu, VCPU_EFER));
	vendor->dump_exit(cpu);
	exit_ring_dump(cpu, vendor->exit_name);
	exit_stats_dump(cpu, vendor->exit_name);
}

/*
 * True if the calling CPU must flush its nested TLB before it enters its
 * space again (the space changed since it last looked).
 */
static bool vcpu_tlb_stale(struct percpu *cpu)
{
	u32 gen = cpu->arch.gpm->gen;

	if (cpu->arch.gpm_gen == gen)
		return false;
	cpu->arch.gpm_gen = gen;
	/* The APIC trap may have been lifted when the guest set this CPU's LDR. */
	cpu->arch.ldr = apic_ldr();
	return true;
}

void vcpu_entry_state(const struct x86_entry *e, struct x86_entry_state *st)
{
	*st = (struct x86_entry_state){ 0 };
	if (e->real_mode) {
		/* SDM vol. 3A, 9.1.1; APM vol. 2, 15.13: real mode at CS:0, caches off. */
		*st = (struct x86_entry_state){
			.cs = e->cs, .cs_ar = X86_AR_CODE16, .cs_base = (u64)e->cs << 4,
			.ds_ar = X86_AR_DATA16, .limit = 0xffff,
			.gdt_limit = 0xffff, .idt_limit = 0xffff,
			.cr0 = X86_CR0_CD | X86_CR0_NW | X86_CR0_ET,
		};
		return;
	}
	/* boot.rst, 32-bit protocol: flat 4 GiB segments, __BOOT_CS 0x10, __BOOT_DS 0x18. */
	*st = (struct x86_entry_state){
		.cs = 0x10, .cs_ar = e->long_mode ? X86_AR_CODE64 : X86_AR_CODE32,
		.ds = 0x18, .ds_ar = X86_AR_DATA32, .limit = 0xffffffff,
		.gdt_base = e->gdt_base, .gdt_limit = e->gdt_limit,
		.cr0 = X86_CR0_PE | X86_CR0_ET, .rip = e->rip,
	};
	if (e->long_mode) { /* the 64-bit protocol: long mode with the identity map */
		st->cr0 |= X86_CR0_PG;
		st->cr4 = X86_CR4_PAE;
		st->cr3 = e->cr3;
		st->efer = EFER_LME | EFER_LMA;
	}
}

/*
 * The calling CPU's vCPU enters at e in space gpm, as after INIT: registers,
 * a pending step and noted guest NMIs of a previous run are dropped.
 */
static void vcpu_reset(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm)
{
	memset(&cpu->arch.regs, 0, sizeof(cpu->arch.regs));
	cpu->arch.regs.rsi = e->rsi;
	vcpu_step_cancel(cpu);
	cpu->arch.guest_nmis = 0;
	cpu->arch.nmi_watch = false;
	cpu->arch.nmi_queued = 0;
	cpu->arch.gpm = gpm;
	vendor->setup(cpu, e, gpm);
	cpu->arch.wd_gen = watchdog_gen() - 1; /* the fresh VMCB/VMCS: set for the watchdog anew */
}

/* True, and the vector, if the mailbox holds a start-up IPI to obey. */
static bool take_sipi(struct percpu *cpu, u32 *vector)
{
	struct cpu_mailbox *mb = &cpu->arch.mbox;

	/* A parked vCPU takes a start-up IPI from the capture kernel alone. */
	if (!mb->sipi || (mb->park && !mb->capture))
		return false;
	*vector = mb->sipi & 0xff;
	mb->sipi = 0;
	mb->init = 0;
	mb->flush = 0; /* the vCPU starts with a full flush */
	return true;
}

/*
 * A CPU without a running vCPU waits inside the park guest, which only halts
 * with interrupts off ("wait for SIPI"); NMIs exit, and are how other CPUs
 * make it read its mailbox. Returns the vector of the start-up IPI the guest
 * sent it; never, once a capture or a fatal event parked it for good.
 */
static u32 wait_for_sipi(struct percpu *cpu)
{
	static const struct x86_entry park_entry = { .real_mode = true, .cs = 0 };
	u32 vector;

	vcpu_reset(cpu, &park_entry, &park_gpm);
	cpu->state = CPU_PARKED;
	for (;;) {
		/*
		 * Look before entering: the SIPI may be here already, its kick NMI
		 * merged with the INIT's into the one this CPU just consumed.
		 */
		if (take_sipi(cpu, &vector))
			return vector;
		vendor->park(cpu);
	}
}

/* Run the vCPU until it leaves guest mode: VCPU_LEAVE, VCPU_PARK or VCPU_FATAL. */
static enum vcpu_action vcpu_run(struct percpu *cpu)
{
	enum vcpu_action act;
	bool entered;

	cpu->state = CPU_GUEST;
	for (;;) {
		/* A capture began while this vCPU was starting: no kick came, park now. */
		if (parks(cpu))
			return VCPU_PARK;
		if (vcpu_tlb_stale(cpu))
			vendor->flush(cpu);
		if (cpu->arch.wd_gen != watchdog_gen()) {
			cpu->arch.wd_gen = watchdog_gen();
			vendor->watchdog(cpu, watchdog_mode());
		}
		entered = vendor->enter(cpu);
		/* What the hand-over logged goes out at the capture kernel's first exit. */
		if (log_holding())
			log_release();
		if (!entered)
			return VCPU_FATAL;
		iommu_poll_lazy();
		/* A deadline passed: the guest's watchdog, or a capture kernel's boot. */
		act = watchdog_due() ? watchdog_expired(cpu) : VCPU_RESUME;
		if (act == VCPU_RESUME)
			act = vendor->handle_exit(cpu);
		switch (act) {
		case VCPU_RESUME:
			break;
		case VCPU_SKIP:
			vendor->skip(cpu);
			break;
		case VCPU_RESET:
			vcpu_reset(cpu, &cpu->arch.reset, cpu->arch.reset_gpm);
			break;
		default:
			return act;
		}
	}
}

/* The vCPU left guest mode for good (park, fatal) or until a SIPI (INIT). */
static void vcpu_stopped(struct percpu *cpu, enum vcpu_action why)
{
	if (why == VCPU_PARK) {
		/* Its state is the capture's evidence: taken before the park guest replaces it. */
		vendor->save_state(cpu, &cpu->arch.crash_state);
		cpu->arch.mbox.park = 1;
		__atomic_store_n(&cpu->arch.crash_saved, true, __ATOMIC_SEQ_CST);
	} else if (why == VCPU_FATAL) {
		vcpu_dump(cpu);
		pr_err("cpu%u: vCPU parked after a fatal guest event", cpu->cpu_id);
		cpu->state = CPU_HALTED;
		cpu->arch.mbox.park = 1; /* never started again */
	}
}

/*
 * A start-up IPI from the capture kernel: the vCPU runs it, in its space,
 * with the local APIC as the crashed guest left it quiesced first (what
 * Linux's crash shutdown does on every CPU). False once a restart stopped
 * the capture kernel's CPUs.
 */
static bool capture_cpu_start(struct percpu *cpu, const struct x86_entry *sipi)
{
	static u64 lines;

	if (!smp_capture_cpu_begin(cpu))
		return false;
	apic_quiesce_local();
	vcpu_reset(cpu, sipi, &capture_gpm);
	pr_info_limited(&lines, "cpu%u: vCPU started by the capture kernel (SIPI vector 0x%02x), in capture mode",
			cpu->cpu_id, (unsigned int)(sipi->cs >> 8));
	return true;
}

void __noreturn vcpu_cpu_loop(struct percpu *cpu, const struct x86_entry *first, struct gpm *gpm)
{
	struct x86_entry sipi = { .real_mode = true };

	if (first)
		vcpu_reset(cpu, first, gpm);
	for (;;) {
		if (!first) {
			sipi.cs = (u16)(wait_for_sipi(cpu) << 8);
			if (cpu->arch.mbox.capture) {
				if (!capture_cpu_start(cpu, &sipi))
					continue;
			} else {
				vcpu_reset(cpu, &sipi, &guest_gpm);
				pr_info_limited(&cpu->guest_lines,
						"cpu%u: vCPU started by the guest (SIPI vector 0x%02x), in guest mode",
						cpu->cpu_id, (unsigned int)(sipi.cs >> 8));
				cpu->state = CPU_GUEST;
				smp_vcpu_started();
			}
		}
		vcpu_stopped(cpu, vcpu_run(cpu));
		first = NULL;
	}
}
