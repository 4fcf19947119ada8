/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One gate for guest values that reach host state (docs/security.md). Every
 * value a guest hands the hv for WRMSR, XSETBV, a control register or a VM
 * entry passes one validator per register class here first. The rules are
 * the architecture's (SDM, APM), fed by the CPUID the guest is shown: a
 * value a processor would refuse gets the guest #GP, as on hardware, and
 * never reaches the host instruction or the VMCB/VMCS. The host WRMSR and
 * XSETBV that carry a guest's value live in arch/x86/gate.c and nowhere else.
 */
#ifndef ASM_GATE_H
#define ASM_GATE_H

#include <hv/types.h>

/* What the rules need of the processor the guest sees: its CPUID, after cpuid_policy(). */
struct gate_cpu {
	u32 l1_ecx, l1_edx;	    /* CPUID 1 */
	u32 l7_ebx, l7_ecx, l7_edx; /* CPUID 7.0 */
	u32 e1_ecx, e1_edx;	    /* CPUID 0x80000001 */
	u32 e21_eax;		    /* CPUID 0x80000021 */
	u64 xcr0_supported;	    /* CPUID 0xd.0 EDX:EAX */
	unsigned int phys_bits;	    /* CPUID 0x80000008 EAX[7:0] */
	/* Bits the virtualisation backend cannot let the guest set (VMX fixed-1 MSRs). */
	u64 cr0_vendor_reserved, cr4_vendor_reserved;
};

extern struct gate_cpu gate_cpu;

/** gate_init() - read the calling CPU's CPUID, as the guest sees it, into gate_cpu. */
void gate_init(void);

#define XFEATURE_X87	   (1ull << 0)
#define XFEATURE_SSE	   (1ull << 1)
#define XFEATURE_YMM	   (1ull << 2)
#define XFEATURE_BNDREGS   (1ull << 3)
#define XFEATURE_BNDCSR	   (1ull << 4)
#define XFEATURE_AVX512	   (7ull << 5) /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XFEATURE_XTILECFG  (1ull << 17)
#define XFEATURE_XTILEDATA (1ull << 18)

/** gate_efer_allowed() - the EFER bits a guest may set on c. */
u64 gate_efer_allowed(const struct gate_cpu *c);

/**
 * gate_efer() - a guest WRMSR to EFER of *val, EFER being cur and CR0 cr0:
 * false if a processor gives #GP; else true with *val the value to install
 * (LMA is the processor's, not written).
 */
bool gate_efer(const struct gate_cpu *c, u64 cur, u64 cr0, u64 *val);

/**
 * gate_cr0() - MOV to CR0 of *val, CR0 being cur, with CR4 cr4, EFER efer
 * and CS.L cs_l: false for #GP; else true with *val normalised (reserved
 * bits of 31:0 ignored, ET reads 1).
 */
bool gate_cr0(const struct gate_cpu *c, u64 cur, u64 *val, u64 cr4, u64 efer, bool cs_l);

/** gate_cr4_allowed() - the CR4 bits a guest may set on c. */
u64 gate_cr4_allowed(const struct gate_cpu *c);

/** gate_cr4() - MOV to CR4 of val, CR4 being cur, with CR0, CR3 and EFER: false for #GP. */
bool gate_cr4(const struct gate_cpu *c, u64 cur, u64 val, u64 cr0, u64 cr3, u64 efer);

/**
 * gate_cr3() - MOV to CR3 of *val (already cut to 32 bits outside 64-bit
 * mode) with CR4 cr4 and EFER efer: false for #GP; else true with *val the
 * value to install (bit 63, the PCID no-flush hint, dropped).
 */
bool gate_cr3(const struct gate_cpu *c, u64 *val, u64 cr4, u64 efer);

/**
 * gate_pdptes() - the four PDPTEs PAE paging loads outside long mode: false
 * (#GP) if a present one sets a reserved bit (SDM vol. 3A, 4.4.1).
 */
bool gate_pdptes(const struct gate_cpu *c, const u64 pdpte[4]);

/** gate_xcr0() - XSETBV of val to XCR index: false for #GP. */
bool gate_xcr0(const struct gate_cpu *c, u32 index, u64 val);

/** gate_apic_base() - WRMSR IA32_APIC_BASE of val, the MSR being cur: false for #GP. */
bool gate_apic_base(const struct gate_cpu *c, u64 cur, u64 val);

/** gate_x2apic_icr() - WRMSR of val to the x2APIC ICR with APIC base apic_base: false for #GP. */
bool gate_x2apic_icr(u64 apic_base, u64 val);

/* The guest state VMRUN checks (APM vol. 2, 15.5.1), as the VMCB holds it. */
struct gate_vmrun_state {
	u64 efer, cr0, cr3, cr4, dr6, dr7;
	bool cs_l, cs_d;
};

/**
 * gate_vmrun_state() - whether VMRUN's consistency checks pass for s on c:
 * true if no rule of APM vol. 2, 15.5.1 on the guest's registers is broken.
 */
bool gate_vmrun_state(const struct gate_cpu *c, const struct gate_vmrun_state *s);

/*
 * The host instructions that carry a guest's value, each behind its rule.
 * They return 0, or -EINVAL without executing anything: the caller injects
 * #GP into the guest.
 */
int gate_write_apic_base(u64 val);
int gate_write_x2apic_icr(u64 val);
int gate_write_xcr0(u32 index, u64 val);

#endif /* ASM_GATE_H */
