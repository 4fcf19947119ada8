/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_CPUID_H
#define ASM_CPUID_H

#include <asm/processor.h>

#define CPUID_1_ECX_HYPERVISOR	   (1u << 31)
#define CPUID_80000001_ECX_SVM	   (1u << 2)
#define CPUID_80000001_EDX_PAGE1GB (1u << 26)
#define CPUID_1_ECX_VMX		   (1u << 5)

/**
 * cpuid_policy() - what the guest sees for CPUID leaf/subleaf, given what the
 * processor returned in r: the hypervisor bit set, the ParachuteHV leaves at
 * 0x40000000, and hardware virtualisation (SVM, VMX) hidden.
 */
void cpuid_policy(u32 leaf, u32 subleaf, struct cpuid_regs *r);

#endif /* ASM_CPUID_H */
