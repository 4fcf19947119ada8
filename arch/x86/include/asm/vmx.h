/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Intel VMX: capability MSRs, VMCS field encodings (SDM vol. 3D, appendix B),
 * control bits (SDM vol. 3C, chapter 25), exit reasons (appendix C) and the
 * VMX instructions.
 */
#ifndef ASM_VMX_H
#define ASM_VMX_H

#include <hv/types.h>

#define MSR_FEATURE_CONTROL	    0x03a
#define FEATURE_CONTROL_LOCK	    (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE (1ull << 2)
#define MSR_KERNEL_GS_BASE	    0xc0000102
#define MSR_SYSENTER_CS		    0x174
#define MSR_SYSENTER_ESP	    0x175
#define MSR_SYSENTER_EIP	    0x176
#define MSR_PAT			    0x277

/* Capability MSRs, SDM vol. 3D, appendix A. */
#define MSR_VMX_BASIC	       0x480
#define MSR_VMX_PINBASED       0x481
#define MSR_VMX_PROCBASED      0x482
#define MSR_VMX_EXIT	       0x483
#define MSR_VMX_ENTRY	       0x484
#define MSR_VMX_MISC	       0x485
#define MSR_VMX_CR0_FIXED0     0x486
#define MSR_VMX_CR0_FIXED1     0x487
#define MSR_VMX_CR4_FIXED0     0x488
#define MSR_VMX_CR4_FIXED1     0x489
#define MSR_VMX_PROCBASED2     0x48b
#define MSR_VMX_EPT_VPID_CAP   0x48c
#define MSR_VMX_TRUE_PINBASED  0x48d
#define MSR_VMX_TRUE_PROCBASED 0x48e
#define MSR_VMX_TRUE_EXIT      0x48f
#define MSR_VMX_TRUE_ENTRY     0x490
#define MSR_VMX_VMFUNC	       0x491
#define VMX_BASIC_TRUE_CTLS    (1ull << 55)
#define VMX_MISC_ACTIVITY_HLT  (1ull << 6)
#define VMX_MISC_ACTIVITY_SIPI (1ull << 8)
#define VMX_EPT_PWL4	       (1ull << 6)
#define VMX_EPT_WB	       (1ull << 14)
#define VMX_EPT_2M	       (1ull << 16)
#define VMX_EPT_1G	       (1ull << 17)
#define VMX_EPT_INVEPT	       (1ull << 20)
#define VMX_EPT_INVEPT_SINGLE  (1ull << 25)
#define VMX_EPT_INVEPT_ALL     (1ull << 26)
#define EPTP_WB_4LEVEL	       (6ull | (3ull << 3))
#define INVEPT_SINGLE	       1
#define INVEPT_ALL	       2

/* Pin-based controls. */
#define PIN_NMI_EXITING	 (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_PREEMPT_TIMER (1u << 6) /* activate the VMX-preemption timer */
/* Primary processor-based controls. */
#define CPU_NMI_WINDOW	(1u << 22)
#define CPU_PAUSE_EXITING (1u << 30)
#define CPU_HLT_EXITING	  (1u << 7)
#define CPU_IO_BITMAPS	(1u << 25)
#define CPU_MSR_BITMAPS (1u << 28)
#define CPU_SECONDARY	(1u << 31)
/* Secondary processor-based controls. */
#define CPU2_EPT	  (1u << 1)
#define CPU2_RDTSCP	  (1u << 3)
#define CPU2_UNRESTRICTED (1u << 7)
#define CPU2_INVPCID	  (1u << 12)
#define CPU2_XSAVES	  (1u << 20)
/* VM-exit controls. */
#define EXIT_SAVE_DEBUG (1u << 2)
#define EXIT_HOST_64   (1u << 9)
#define EXIT_SAVE_PAT  (1u << 18)
#define EXIT_LOAD_PAT  (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)
/* VM-entry controls. */
#define ENTRY_LOAD_DEBUG  (1u << 2)
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT	  (1u << 14)
#define ENTRY_LOAD_EFER	  (1u << 15)

/* VMCS fields. Segment fields step by 2 from ES in the order below. */
enum vmcs_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };
#define GUEST_SEL(s)   (0x0800u + 2 * (s))
#define GUEST_LIMIT(s) (0x4800u + 2 * (s))
#define GUEST_AR(s)    (0x4814u + 2 * (s))
#define GUEST_BASE(s)  (0x6806u + 2 * (s))

#define HOST_ES_SEL 0x0c00
#define HOST_CS_SEL 0x0c02
#define HOST_SS_SEL 0x0c04
#define HOST_DS_SEL 0x0c06
#define HOST_FS_SEL 0x0c08
#define HOST_GS_SEL 0x0c0a
#define HOST_TR_SEL 0x0c0c

#define IO_BITMAP_A	0x2000
#define IO_BITMAP_B	0x2002
#define MSR_BITMAP	0x2004
#define EPT_POINTER	0x201a
#define GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK	0x2800
#define GUEST_DEBUGCTL	0x2802
#define GUEST_PAT	0x2804
#define GUEST_EFER	0x2806
#define GUEST_PDPTE(i)	(0x280au + 2 * (i)) /* SDM vol. 3C, appendix B.2.3 */
#define HOST_PAT	0x2c00
#define HOST_EFER	0x2c02

#define PIN_CONTROLS	       0x4000
#define CPU_CONTROLS	       0x4002
#define EXCEPTION_BITMAP       0x4004
#define CR3_TARGET_COUNT       0x400a
#define EXIT_CONTROLS	       0x400c
#define EXIT_MSR_STORE_COUNT   0x400e
#define EXIT_MSR_LOAD_COUNT    0x4010
#define ENTRY_CONTROLS	       0x4012
#define ENTRY_MSR_LOAD_COUNT   0x4014
#define ENTRY_INTR_INFO	       0x4016
#define ENTRY_EXC_ERROR	       0x4018
#define ENTRY_INSN_LEN	       0x401a
#define CPU2_CONTROLS	       0x401e
#define VM_INSN_ERROR	       0x4400
#define EXIT_REASON	       0x4402
#define EXIT_INTR_INFO	       0x4404
#define EXIT_INTR_ERROR	       0x4406
#define IDT_VECTORING_INFO     0x4408
#define IDT_VECTORING_ERROR    0x440a
#define EXIT_INSN_LEN	       0x440c
#define GUEST_GDTR_LIMIT       0x4810
#define GUEST_IDTR_LIMIT       0x4812
#define GUEST_INTERRUPTIBILITY 0x4824
#define GUEST_ACTIVITY	       0x4826
#define PREEMPT_TIMER_VALUE    0x482e
#define GUEST_SYSENTER_CS      0x482a
#define HOST_SYSENTER_CS       0x4c00

#define CR0_MASK	   0x6000
#define CR4_MASK	   0x6002
#define CR0_READ_SHADOW	   0x6004
#define CR4_READ_SHADOW	   0x6006
#define EXIT_QUALIFICATION 0x6400
#define GUEST_CR0	   0x6800
#define GUEST_CR3	   0x6802
#define GUEST_CR4	   0x6804
#define GUEST_GDTR_BASE	   0x6816
#define GUEST_IDTR_BASE	   0x6818
#define GUEST_DR7	   0x681a
#define GUEST_RSP	   0x681c
#define GUEST_RIP	   0x681e
#define GUEST_RFLAGS	   0x6820
#define GUEST_PENDING_DBG  0x6822
#define GUEST_SYSENTER_ESP 0x6824
#define GUEST_SYSENTER_EIP 0x6826
#define HOST_CR0	   0x6c00
#define HOST_CR3	   0x6c02
#define HOST_CR4	   0x6c04
#define HOST_FS_BASE	   0x6c06
#define HOST_GS_BASE	   0x6c08
#define HOST_TR_BASE	   0x6c0a
#define HOST_GDTR_BASE	   0x6c0c
#define HOST_IDTR_BASE	   0x6c0e
#define HOST_SYSENTER_ESP  0x6c10
#define HOST_SYSENTER_EIP  0x6c12
#define HOST_RSP	   0x6c14
#define HOST_RIP	   0x6c16

/* Basic exit reasons, SDM vol. 3D, appendix C. */
#define EXIT_EXCEPTION_NMI 0
#define EXIT_EXTERNAL_INTR 1
#define EXIT_TRIPLE_FAULT  2
#define EXIT_INIT	   3
#define EXIT_SIPI	   4
#define EXIT_NMI_WINDOW	   8
#define EXIT_CPUID	   10
#define EXIT_GETSEC	   11
#define EXIT_HLT	   12
#define EXIT_INVD	   13
#define EXIT_VMCALL	   18
#define EXIT_VMCLEAR	   19
#define EXIT_VMXON	   27
#define EXIT_CR_ACCESS	   28
#define EXIT_IO		   30
#define EXIT_RDMSR	   31
#define EXIT_WRMSR	   32
#define EXIT_INVALID_STATE 33
#define EXIT_MSR_LOADING   34
#define EXIT_MTF	   37
#define EXIT_PAUSE	   40
#define EXIT_MACHINE_CHECK 41
#define EXIT_EPT_VIOLATION 48
#define EXIT_EPT_MISCONFIG 49
#define EXIT_INVEPT	   50
#define EXIT_PREEMPT_TIMER 52
#define EXIT_INVVPID	   53
#define EXIT_XSETBV	   55
#define EXIT_VMFUNC	   59
#define EXIT_REASON_FAILED (1u << 31) /* VM-entry failure */

/* Interruption information (entry, exit, IDT vectoring), SDM vol. 3C, 25.8.3. */
#define INTR_INFO_VALID	  (1u << 31)
#define INTR_INFO_ERR	  (1u << 11)
#define INTR_TYPE(i)	  (((i) >> 8) & 7)
#define INTR_TYPE_EXT	  0
#define INTR_TYPE_NMI	  2
#define INTR_TYPE_HW_EXC  3
#define INTR_TYPE_SW_INT  4
#define INTR_TYPE_PRIV_SW 5
#define INTR_TYPE_SW_EXC  6
/* Interruptibility state. */
#define INTERRUPTIBILITY_STI   (1u << 0)
#define INTERRUPTIBILITY_MOVSS (1u << 1)
#define INTERRUPTIBILITY_NMI   (1u << 3)
#define ACTIVITY_ACTIVE	       0
#define ACTIVITY_HLT	       1
/* EPT violation qualification. */
#define EPT_VIOLATION_WRITE (1ull << 1)
#define EPT_VIOLATION_FETCH (1ull << 2) /* SDM vol. 3C, table 28-7: an instruction fetch */

static inline int vmx_on(u64 pa)
{
	u8 fail;

	asm volatile("vmxon %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmcs_clear(u64 pa)
{
	u8 fail;

	asm volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline int vmcs_load(u64 pa)
{
	u8 fail;

	asm volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return fail ? -1 : 0;
}

static inline u64 vmread(u64 field)
{
	u64 v;

	asm volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(u64 field, u64 v)
{
	asm volatile("vmwrite %1, %0" : : "r"(field), "rm"(v) : "cc");
}

static inline void invept(u64 type, u64 eptp)
{
	struct {
		u64 eptp, zero;
	} desc = { eptp, 0 };

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/*
 * arch/x86/vmx_entry.S: vmx_enter() enters the guest (VMLAUNCH if !launched,
 * else VMRESUME) with regs and returns 0 at its exit (vmx_exit, HOST_RIP),
 * or 1 or 2 if the instruction failed; vmx_host_nmi is the host's NMI
 * handler, which calls vmx_host_nmi_repost(); vmx_unblock_nmis() is an IRET
 * in VMX root operation.
 */
struct guest_regs;
int vmx_enter(struct guest_regs *regs, int launched);
void vmx_unblock_nmis(void);
extern const u8 vmx_exit[], vmx_host_nmi[];
void vmx_host_nmi_repost(void);

#endif /* ASM_VMX_H */
