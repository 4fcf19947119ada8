// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX backend's VMCS (asm/vmx_vmcs.h): the controls this CPU model
 * allows, read once; a fresh VMCS for each entry the vCPU core asks for
 * (host state, controls, the MSR and I/O bitmaps, the guest state); and the
 * guest's registers as it holds them, CR0 and CR4 through their read
 * shadows. vmx.c runs it: VM entry, the exits, events and parking.
 */
#include <asm/processor.h>
#include <asm/vcpu.h>
#include <asm/vmx.h>
#include <asm/vmx_vmcs.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* Access rights (SDM vol. 3C, 25.4.1): type, S, DPL, P in 7:0; AVL, L, D/B, G in 15:12. */
#define AR_TSS_BUSY 0x008b
#define AR_UNUSABLE 0x10000
#define AR_L	    (1u << 13)
#define AR_DB	    (1u << 14)

struct vmx_caps vmx_caps;

static u8 *msr_bitmap;
static u8 *io_bitmaps;	/* A and B: the ports vcpu.c serves */
static u8 *io_watch_a;	/* A with the NMI reason port, while an NMI is watched */
/* The exit loads TR with this base and limit 0x67; the hv never uses it. */
static u8 host_tss[104] __aligned(16);

/* SDM vol. 3C, 25.6.9: read bitmaps for 0-0x1fff and 0xc0000000-0xc0001fff, then write. */
static void msr_intercept(u32 msr, bool read, bool write)
{
	u32 base = msr >= 0xc0000000u ? 0x400 : 0, idx = msr & 0x1fff;

	if (read)
		msr_bitmap[base + idx / 8] |= (u8)(1u << (idx % 8));
	if (write)
		msr_bitmap[0x800 + base + idx / 8] |= (u8)(1u << (idx % 8));
}

/*
 * SDM vol. 3D, A.3-A.5: the low half of a capability MSR gives the bits that
 * must be 1, the high half the bits that may be 1.
 */
static int ctl_adjust(u32 msr, const char *what, u32 required, u32 optional, u32 *out)
{
	u64 cap = rdmsr(msr);
	u32 must = (u32)cap, may = (u32)(cap >> 32);

	if (required & ~may) {
		pr_err("Intel VMX: the CPU cannot set %s control bits 0x%x (capability MSR 0x%x = 0x%llx)",
		       what, required & ~may, msr, (unsigned long long)cap);
		return -ENODEV;
	}
	*out = must | required | (optional & may);
	return 0;
}

static void intercept_write(u32 msr)
{
	msr_intercept(msr, false, true);
}

/** vmx_vmcs_init() - the MSR and I/O bitmaps every VMCS points at, once. */
int vmx_vmcs_init(void)
{
	msr_bitmap = page_alloc(1);
	io_bitmaps = page_alloc(2);
	io_watch_a = page_alloc(1);
	if (!msr_bitmap || !io_bitmaps || !io_watch_a)
		return -ENOMEM;
	vcpu_io_bitmap(io_bitmaps, false); /* every other port passes */
	vcpu_io_bitmap(io_watch_a, true);
	msr_intercept(MSR_FEATURE_CONTROL, true, true);
	for (u32 m = MSR_VMX_BASIC; m <= MSR_VMX_VMFUNC; m++) /* VMX reads as absent */
		msr_intercept(m, true, true);
	vcpu_msr_intercepts(intercept_write);
	return 0;
}

/* The controls, each checked against its capability MSR; a missing one is named. */
int vmx_read_controls(u64 basic)
{
	bool tc = basic & VMX_BASIC_TRUE_CTLS;
	u64 cap2;
	u32 may;

	if (!((rdmsr(MSR_VMX_PROCBASED) >> 32) & CPU_SECONDARY)) {
		pr_err("Intel VMX without secondary processor-based controls: no EPT, no unrestricted guest; parachute needs both");
		return -ENODEV;
	}
	cap2 = rdmsr(MSR_VMX_PROCBASED2) >> 32;
	if (!(cap2 & CPU2_EPT)) {
		pr_err("Intel VMX without EPT (IA32_VMX_PROCBASED_CTLS2 bit 33 clear); parachute needs EPT");
		return -ENODEV;
	}
	if (!(cap2 & CPU2_UNRESTRICTED)) {
		pr_err("Intel VMX without unrestricted guest (IA32_VMX_PROCBASED_CTLS2 bit 39 clear); parachute needs it to run the guest's real-mode start-up");
		return -ENODEV;
	}
	if (ctl_adjust(tc ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED, "pin-based",
		       PIN_NMI_EXITING | PIN_VIRTUAL_NMIS, 0, &vmx_caps.pin) ||
	    ctl_adjust(tc ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED, "processor-based",
		       CPU_IO_BITMAPS | CPU_MSR_BITMAPS | CPU_SECONDARY, 0, &vmx_caps.cpu) ||
	    ctl_adjust(MSR_VMX_PROCBASED2, "secondary processor-based",
		       CPU2_EPT | CPU2_UNRESTRICTED, CPU2_RDTSCP | CPU2_INVPCID | CPU2_XSAVES,
		       &vmx_caps.cpu2) ||
	    /*
	     * The guest's DR7 and IA32_DEBUGCTL kept across exits (an exit sets
	     * DR7 to 0x400 and clears DEBUGCTL, SDM 27.5.1): its breakpoints stay.
	     */
	    ctl_adjust(tc ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT, "VM-exit",
		       EXIT_SAVE_DEBUG | EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
		       EXIT_SAVE_PAT | EXIT_LOAD_PAT, &vmx_caps.exit) ||
	    ctl_adjust(tc ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, "VM-entry",
		       ENTRY_LOAD_DEBUG | ENTRY_LOAD_EFER,
		       (vmx_caps.exit & EXIT_LOAD_PAT) ? ENTRY_LOAD_PAT : 0, &vmx_caps.entry))
		return -ENODEV;
	/* Set only when needed, so checked here: the NMI window, for guest NMIs. */
	may = (u32)(rdmsr(tc ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED) >> 32);
	if (!(may & CPU_NMI_WINDOW)) {
		pr_err("Intel VMX without NMI-window exiting (processor-based controls may-be-1 0x%08x); parachute needs it to re-inject guest NMIs",
		       may);
		return -ENODEV;
	}
	vmx_caps.entry &= ~ENTRY_IA32E_GUEST;
	/* For the watchdog, set while it is armed: the preemption timer, else PAUSE exiting. */
	vmx_caps.preempt_timer = (rdmsr(tc ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED) >> 32) &
			    PIN_PREEMPT_TIMER;
	vmx_caps.preempt_rate = rdmsr(MSR_VMX_MISC) & 0x1f;
	vmx_caps.pause_exiting = may & CPU_PAUSE_EXITING;
	pr_info("Intel VMX: the watchdog uses %s",
		vmx_caps.preempt_timer ? "the VMX-preemption timer" :
		vmx_caps.pause_exiting ? "PAUSE exiting (no VMX-preemption timer)" :
				    "exits alone (no VMX-preemption timer, no PAUSE exiting)");
	return 0;
}

static void seg_write(enum vmcs_seg s, u16 sel, u32 ar, u32 limit, u64 base)
{
	vmwrite(GUEST_SEL(s), sel);
	vmwrite(GUEST_AR(s), ar);
	vmwrite(GUEST_LIMIT(s), limit);
	vmwrite(GUEST_BASE(s), base);
}

/* CS, then DS/ES/SS/FS/GS alike, a busy TSS and no LDT. */
static void set_flat_segs(u16 cs, u32 cs_ar, u16 ds, u32 ds_ar, u32 limit)
{
	seg_write(SEG_CS, cs, cs_ar, limit, 0);
	seg_write(SEG_DS, ds, ds_ar, limit, 0);
	seg_write(SEG_ES, ds, ds_ar, limit, 0);
	seg_write(SEG_SS, ds, ds_ar, limit, 0);
	seg_write(SEG_FS, ds, ds_ar, limit, 0);
	seg_write(SEG_GS, ds, ds_ar, limit, 0);
	seg_write(SEG_TR, 0, AR_TSS_BUSY, 0xffff, 0);
	seg_write(SEG_LDTR, 0, AR_UNUSABLE, 0, 0);
}

/*
 * CR0 and CR4 as the guest sees them live in the read shadows; the real
 * registers also carry the bits VMX operation pins (CR0.NE, CR4.VMXE), and
 * every pinned bit is owned by the hv (guest/host mask), so the guest never
 * notices them and a write that would clear one exits.
 */
static void set_cr0(u64 v)
{
	vmwrite(CR0_READ_SHADOW, v);
	vmwrite(GUEST_CR0, (v | vmx_caps.cr0_must1) & vmx_caps.cr0_may1);
}

static void set_cr4(u64 v)
{
	vmwrite(CR4_READ_SHADOW, v);
	vmwrite(GUEST_CR4, (v | vmx_caps.cr4_must1) & vmx_caps.cr4_may1);
}

static u64 cr_view(u64 real_field, u64 shadow_field, u64 mask_field)
{
	u64 mask = vmread(mask_field);

	return (vmread(real_field) & ~mask) | (vmread(shadow_field) & mask);
}

/* Drop cached EPT translations: every context where INVEPT can, else this EPTP's. */
void vmx_flush(struct percpu *cpu)
{
	invept(vmx_caps.invept_all ? INVEPT_ALL : INVEPT_SINGLE, cpu->arch.vmx.eptp);
}

/*
 * The fields a fresh VMCS starts with at 0: no host FS/GS/SYSENTER, no MSR
 * lists, no event to inject, a guest without SYSENTER or stack (vmx_setup()
 * writes its control registers, EFER and segments).
 */
static const u32 zero_at_start[] = {
	HOST_FS_SEL,	     HOST_GS_SEL,	  HOST_FS_BASE,		 HOST_GS_BASE,
	HOST_SYSENTER_CS,    HOST_SYSENTER_ESP,	  HOST_SYSENTER_EIP,	 EXCEPTION_BITMAP,
	CR3_TARGET_COUNT,    EXIT_MSR_STORE_COUNT, EXIT_MSR_LOAD_COUNT,	 ENTRY_MSR_LOAD_COUNT,
	ENTRY_INTR_INFO,     GUEST_DEBUGCTL,	  GUEST_SYSENTER_CS,	 GUEST_SYSENTER_ESP,
	GUEST_SYSENTER_EIP,  GUEST_RSP,		  GUEST_INTERRUPTIBILITY, GUEST_PENDING_DBG,
};

/*
 * A fresh VMCS for the calling CPU, running in the space whose EPT root is
 * ept_root: host state, controls, and a guest state every field of which the
 * caller then sets. Nothing of an earlier guest survives.
 */
static void vmcs_fresh(struct percpu *cpu, u64 ept_root)
{
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr, idtr;
	u64 pa = cpu->arch.vmx.vmcs_pa;

	if (vmcs_clear(pa) || vmcs_load(pa))
		hv_panic("cpu%u: VMCLEAR/VMPTRLD of the VMCS at 0x%llx failed", cpu->cpu_id,
			 (unsigned long long)pa);
	cpu->arch.vmx.launched = false;
	cpu->arch.vmx.event_injected = false;
	cpu->arch.vmx.nmi_pending = 0;
	cpu->arch.vmx.nmi_watch_next = false;
	cpu->arch.vmx.nmi_in_guest = false;
	cpu->arch.vmx.cpu_controls = vmx_caps.cpu;
	cpu->arch.vmx.eptp = ept_root | EPTP_WB_4LEVEL;

	asm volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	for (unsigned int i = 0; i < ARRAY_SIZE(zero_at_start); i++)
		vmwrite(zero_at_start[i], 0);
	vmwrite(HOST_CR0, read_cr0());
	vmwrite(HOST_CR3, read_cr3());
	vmwrite(HOST_CR4, read_cr4());
	vmwrite(HOST_CS_SEL, 0x08);
	vmwrite(HOST_SS_SEL, 0x10);
	vmwrite(HOST_DS_SEL, 0x10);
	vmwrite(HOST_ES_SEL, 0x10);
	vmwrite(HOST_TR_SEL, 0x18); /* must not be 0; the exit does not read the GDT */
	vmwrite(HOST_TR_BASE, (u64)(uintptr_t)host_tss);
	vmwrite(HOST_GDTR_BASE, gdtr.base);
	vmwrite(HOST_IDTR_BASE, idtr.base);
	vmwrite(HOST_PAT, rdmsr(MSR_PAT));
	vmwrite(HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(HOST_RIP, (u64)(uintptr_t)vmx_exit);

	vmwrite(PIN_CONTROLS, vmx_caps.pin);
	vmwrite(CPU_CONTROLS, vmx_caps.cpu);
	vmwrite(CPU2_CONTROLS, vmx_caps.cpu2);
	vmwrite(EXIT_CONTROLS, vmx_caps.exit);
	vmwrite(ENTRY_CONTROLS, vmx_caps.entry);
	vmwrite(IO_BITMAP_A, virt_to_phys(io_bitmaps));
	vmwrite(IO_BITMAP_B, virt_to_phys(io_bitmaps + PAGE_SIZE));
	vmwrite(MSR_BITMAP, virt_to_phys(msr_bitmap));
	vmwrite(EPT_POINTER, cpu->arch.vmx.eptp);
	vmwrite(VMCS_LINK, ~0ull);
	vmwrite(CR0_MASK, vmx_caps.cr0_must1 | ~vmx_caps.cr0_may1);
	/* And SMXE, which CPUID hides (GETSEC is not the guest's): set natively, it would stick. */
	vmwrite(CR4_MASK, vmx_caps.cr4_must1 | ~vmx_caps.cr4_may1 | X86_CR4_SMXE);

	vmwrite(GUEST_PAT, X86_PAT_DEFAULT);
	vmwrite(GUEST_DR7, 0x400);
	vmwrite(GUEST_RFLAGS, X86_RFLAGS_FIXED);
	vmwrite(GUEST_ACTIVITY, ACTIVITY_ACTIVE);
	vmx_flush(cpu);
}

void vmx_setup(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm)
{
	struct x86_entry_state st;

	vmcs_fresh(cpu, pt_virt_to_phys(gpm->pt.root));
	vcpu_entry_state(e, &st);
	set_flat_segs(st.cs, st.cs_ar, st.ds, st.ds_ar, st.limit);
	seg_write(SEG_CS, st.cs, st.cs_ar, st.limit, st.cs_base);
	vmwrite(GUEST_GDTR_BASE, st.gdt_base);
	vmwrite(GUEST_GDTR_LIMIT, st.gdt_limit);
	vmwrite(GUEST_IDTR_BASE, 0);
	vmwrite(GUEST_IDTR_LIMIT, st.idt_limit);
	set_cr4(st.cr4);
	set_cr0(st.cr0);
	vmwrite(GUEST_CR3, st.cr3);
	vmwrite(GUEST_EFER, st.efer);
	vmwrite(GUEST_RIP, st.rip);
	if (st.efer & EFER_LMA) /* SDM vol. 3C, 27.3.1.1: the IA-32e entry control is EFER.LMA */
		vmwrite(ENTRY_CONTROLS, vmread(ENTRY_CONTROLS) | ENTRY_IA32E_GUEST);
}

void vmx_watch_nmi(struct percpu *cpu, bool on)
{
	(void)cpu;
	vmwrite(IO_BITMAP_A, virt_to_phys(on ? io_watch_a : io_bitmaps));
}

static unsigned int guest_cpl(void)
{
	return (vmread(GUEST_AR(SEG_SS)) >> 5) & 3;
}

/* The registers that are one VMCS field each, read and written as they are. */
static const u32 plain_field[] = {
	[VCPU_RIP] = GUEST_RIP,	    [VCPU_RSP] = GUEST_RSP,
	[VCPU_RFLAGS] = GUEST_RFLAGS, [VCPU_CR3] = GUEST_CR3,
	[VCPU_EFER] = GUEST_EFER,   [VCPU_CS] = GUEST_SEL(SEG_CS),
	[VCPU_CS_BASE] = GUEST_BASE(SEG_CS),
};

u64 vmx_get(struct percpu *cpu, enum vcpu_reg reg)
{
	(void)cpu;
	switch (reg) {
	case VCPU_CR0:
		return cr_view(GUEST_CR0, CR0_READ_SHADOW, CR0_MASK);
	case VCPU_CR2: /* VMX does not switch CR2, and the hv never faults: it is the guest's */
		return read_cr2();
	case VCPU_CR4:
		return cr_view(GUEST_CR4, CR4_READ_SHADOW, CR4_MASK);
	case VCPU_CS_L:
		return !!(vmread(GUEST_AR(SEG_CS)) & AR_L);
	case VCPU_CS_DB:
		return !!(vmread(GUEST_AR(SEG_CS)) & AR_DB);
	case VCPU_CPL:
		return guest_cpl();
	default:
		return reg < ARRAY_SIZE(plain_field) && plain_field[reg] ? vmread(plain_field[reg]) : 0;
	}
}

void vmx_set(struct percpu *cpu, enum vcpu_reg reg, u64 val)
{
	u32 entry;

	(void)cpu;
	switch (reg) {
	case VCPU_CR0:
		set_cr0(val);
		break;
	case VCPU_CR4:
		set_cr4(val);
		break;
	case VCPU_EFER: /* SDM vol. 3C, 27.3.1.1: the IA-32e entry control is EFER.LMA */
		entry = (u32)vmread(ENTRY_CONTROLS) & ~ENTRY_IA32E_GUEST;
		vmwrite(ENTRY_CONTROLS, entry | ((val & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
		vmwrite(GUEST_EFER, val);
		break;
	case VCPU_RIP:
	case VCPU_RSP:
	case VCPU_RFLAGS:
	case VCPU_CR3:
		vmwrite(plain_field[reg], val);
		break;
	default: /* CR2, CS and CPL are not set through here */
		break;
	}
}

/* With EPT, PAE paging's PDPTEs are VMCS fields the entry loads (SDM vol. 3C, 27.3.2.4). */
void vmx_load_pdptes(struct percpu *cpu, const u64 pdpte[4])
{
	(void)cpu;
	for (unsigned int i = 0; i < 4; i++)
		vmwrite(GUEST_PDPTE(i), pdpte[i]);
}

void vmx_save_state(struct percpu *cpu, struct x86_cpu_state *s)
{
	s->gpr = cpu->arch.regs;
	s->rsp = vmread(GUEST_RSP);
	s->rip = vmread(GUEST_RIP);
	s->rflags = vmread(GUEST_RFLAGS);
	s->cs = (u16)vmread(GUEST_SEL(SEG_CS));
	s->ss = (u16)vmread(GUEST_SEL(SEG_SS));
	s->ds = (u16)vmread(GUEST_SEL(SEG_DS));
	s->es = (u16)vmread(GUEST_SEL(SEG_ES));
	s->fs = (u16)vmread(GUEST_SEL(SEG_FS));
	s->gs = (u16)vmread(GUEST_SEL(SEG_GS));
	s->fs_base = vmread(GUEST_BASE(SEG_FS));
	s->gs_base = vmread(GUEST_BASE(SEG_GS));
	/* VMX does not switch these; the hv never touches them, so they are the guest's. */
	s->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	s->cr2 = read_cr2();
	s->cr0 = cr_view(GUEST_CR0, CR0_READ_SHADOW, CR0_MASK);
	s->cr3 = vmread(GUEST_CR3);
	s->cr4 = cr_view(GUEST_CR4, CR4_READ_SHADOW, CR4_MASK);
	s->efer = vmread(GUEST_EFER);
}
