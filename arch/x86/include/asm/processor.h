/* SPDX-License-Identifier: GPL-2.0-only */
/* x86 instructions the hv uses, as inline functions. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <asm/io.h>
#include <hv/types.h>

/* SDM vol. 3A, 2.5; APM vol. 2, 3.1. */
#define X86_CR0_PE	 (1ull << 0)
#define X86_CR0_MP	 (1ull << 1)
#define X86_CR0_EM	 (1ull << 2)
#define X86_CR0_TS	 (1ull << 3)
#define X86_CR0_ET	 (1ull << 4)
#define X86_CR0_NE	 (1ull << 5)
#define X86_CR0_WP	 (1ull << 16)
#define X86_CR0_AM	 (1ull << 18)
#define X86_CR0_NW	 (1ull << 29)
#define X86_CR0_CD	 (1ull << 30)
#define X86_CR0_PG	 (1ull << 31)
#define X86_CR4_VME	 (1ull << 0)
#define X86_CR4_PVI	 (1ull << 1)
#define X86_CR4_TSD	 (1ull << 2)
#define X86_CR4_DE	 (1ull << 3)
#define X86_CR4_PSE	 (1ull << 4)
#define X86_CR4_PAE	 (1ull << 5)
#define X86_CR4_MCE	 (1ull << 6)
#define X86_CR4_PGE	 (1ull << 7)
#define X86_CR4_PCE	 (1ull << 8)
#define X86_CR4_OSFXSR	 (1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define X86_CR4_UMIP	 (1ull << 11)
#define X86_CR4_LA57	 (1ull << 12)
#define X86_CR4_VMXE	 (1ull << 13)
#define X86_CR4_SMXE	 (1ull << 14)
#define X86_CR4_FSGSBASE (1ull << 16)
#define X86_CR4_PCIDE	 (1ull << 17)
#define X86_CR4_OSXSAVE	 (1ull << 18)
#define X86_CR4_KL	 (1ull << 19)
#define X86_CR4_SMEP	 (1ull << 20)
#define X86_CR4_SMAP	 (1ull << 21)
#define X86_CR4_PKE	 (1ull << 22)
#define X86_CR4_CET	 (1ull << 23)
#define X86_CR4_PKS	 (1ull << 24)
#define X86_CR4_UINTR	 (1ull << 25)
#define X86_RFLAGS_FIXED (1ull << 1)

/* Segment access rights as the SDM lays them out (vol. 3C, 25.4.1): type, S, DPL, P in 7:0; AVL, L, D/B, G in 15:12. */
#define X86_AR_CODE16 0x009b
#define X86_AR_DATA16 0x0093
#define X86_AR_CODE32 0xc09b
#define X86_AR_DATA32 0xc093
#define X86_AR_CODE64 0xa09b

/* The PAT at reset (SDM vol. 3A, 11.12.4; APM vol. 2, 7.8.2). */
#define X86_PAT_DEFAULT 0x0007040600070406ull
#define X86_RFLAGS_TF	 (1ull << 8)
#define X86_RFLAGS_IF	 (1ull << 9)

#define MSR_APIC_BASE	0x0000001b
#define MSR_X2APIC_ICR	0x00000830
#define MSR_EFER	0xc0000080
/* AMD's memory routing (APM vol. 2, 7.9 and 7.7; BKDGs): the hv keeps the machine's. */
#define MSR_AMD_SYSCFG	      0xc0010010
#define MSR_AMD_IORR_BASE0    0xc0010016
#define MSR_AMD_IORR_MASK1    0xc0010019
#define MSR_AMD_TOP_MEM	      0xc001001a
#define MSR_AMD_TOP_MEM2      0xc001001d
#define MSR_AMD_MMIO_CFG_BASE 0xc0010058
#define MSR_VM_CR	0xc0010114
#define MSR_IGNNE	0xc0010115
#define MSR_SMM_CTL	0xc0010116
#define MSR_VM_HSAVE_PA 0xc0010117

#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define EFER_SVME (1ull << 12)
#define EFER_LMSLE    (1ull << 13)
#define EFER_FFXSR    (1ull << 14)
#define EFER_TCE      (1ull << 15)
#define EFER_AUTOIBRS (1ull << 21)

#define APIC_BASE_BSP	 (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_EN	 (1ull << 11)
#define APIC_BASE_ADDR	 0x000ffffffffff000ull

#define X86_EXC_DB  1
#define X86_EXC_NMI 2
#define X86_EXC_UD  6
#define X86_EXC_GP  13

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline void cpuid_count(u32 leaf, u32 sub, struct cpuid_regs *r);

/* CPUID 0x80000001 EDX bit 20: no-execute pages. */
static inline bool cpu_has_nx(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000001, 0, &r);
	return r.edx & (1u << 20);
}

static inline void cpuid_count(u32 leaf, u32 sub, struct cpuid_regs *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(sub));
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)(uintptr_t)addr;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)(uintptr_t)addr = v;
}

static inline u64 mmio_read64(u64 addr)
{
	return *(volatile u64 *)(uintptr_t)addr;
}

static inline void mmio_write64(u64 addr, u64 v)
{
	*(volatile u64 *)(uintptr_t)addr = v;
}

#endif /* ASM_PROCESSOR_H */
