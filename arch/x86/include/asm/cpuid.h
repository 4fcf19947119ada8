/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_CPUID_H
#define ASM_CPUID_H

#include <asm/processor.h>

#define CPUID_1_ECX_HYPERVISOR	   (1u << 31)
#define CPUID_80000001_ECX_SVM	   (1u << 2)
#define CPUID_80000001_EDX_PAGE1GB (1u << 26)
#define CPUID_1_ECX_VMX		   (1u << 5)
#define CPUID_1_ECX_SMX		   (1u << 6)
#define CPUID_1_ECX_XSAVE	   (1u << 26)
#define CPUID_1_ECX_OSXSAVE	   (1u << 27)
#define CPUID_7_ECX_OSPKE	   (1u << 4)

/**
 * cpuid_policy() - what the guest sees for CPUID leaf/subleaf, given what the
 * processor returned in r: the hypervisor bit set, the ParachuteHV leaves at
 * 0x40000000, hardware virtualisation (SVM, VMX) hidden, and the bits that
 * mirror CR4 (OSXSAVE, OSPKE) taken from guest_cr4, the guest's CR4.
 */
void cpuid_policy(u32 leaf, u32 subleaf, u64 guest_cr4, struct cpuid_regs *r);

/**
 * cpu_phys_bits() - the physical address width (CPUID 0x80000008 EAX[7:0]),
 * 36 where the leaf is missing (SDM vol. 3A, 4.1.4).
 */
unsigned int cpu_phys_bits(void);

#endif /* ASM_CPUID_H */
