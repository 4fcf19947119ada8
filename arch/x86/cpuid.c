// SPDX-License-Identifier: GPL-2.0-only
/* The guest's view of CPUID. */
#include <asm/cpuid.h>
#include <parachute/abi.h>

/* Set bit in *reg exactly when on: CPUID bits that mirror the guest's own CR4. */
static void mirror(u32 *reg, u32 bit, bool on)
{
	*reg = on ? *reg | bit : *reg & ~bit;
}

void cpuid_policy(u32 leaf, u32 subleaf, u64 guest_cr4, struct cpuid_regs *r)
{
	switch (leaf) {
	case 0x00000001:
		/* SDM vol. 2A, CPUID: ECX bit 31 is reserved for hypervisor use. */
		r->ecx |= CPUID_1_ECX_HYPERVISOR;
		r->ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX); /* GETSEC and SENTER are not the guest's */
		/* OSXSAVE is CR4.OSXSAVE of the CPU that asks: the guest's, not the hv's. */
		mirror(&r->ecx, CPUID_1_ECX_OSXSAVE, guest_cr4 & X86_CR4_OSXSAVE);
		break;
	case 0x00000007:
		if (subleaf == 0)
			mirror(&r->ecx, CPUID_7_ECX_OSPKE, guest_cr4 & X86_CR4_PKE);
		break;
	case 0x80000001:
		r->ecx &= ~CPUID_80000001_ECX_SVM;
		break;
	case 0x8000000a:
		/* SVM revision and features: nothing to see. */
		r->eax = r->ebx = r->ecx = r->edx = 0;
		break;
	case PARACHUTE_CPUID_LEAF:
		r->eax = PARACHUTE_CPUID_MAX_LEAF;
		r->ebx = PARACHUTE_CPUID_EBX;
		r->ecx = PARACHUTE_CPUID_ECX;
		r->edx = PARACHUTE_CPUID_EDX;
		break;
	case PARACHUTE_CPUID_VERSION_LEAF:
		r->eax = PARACHUTE_ABI_VERSION;
		r->ebx = r->ecx = r->edx = 0;
		break;
	default:
		/* Other hypervisor leaves (KVM, Hyper-V probes) read as empty. */
		if (leaf >= 0x40000000 && leaf <= 0x4fffffff)
			r->eax = r->ebx = r->ecx = r->edx = 0;
	}
}

unsigned int cpu_phys_bits(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000000, 0, &r);
	if (r.eax < 0x80000008)
		return 36;
	cpuid_count(0x80000008, 0, &r);
	return (r.eax & 0xff) ? r.eax & 0xff : 36;
}
