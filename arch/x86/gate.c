// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one gate for guest values that reach host state (asm/gate.h): the
 * architectural rules for EFER, CR0, CR3, CR4, the PAE PDPTEs, XCR0, the
 * APIC base and the x2APIC ICR, and the only host WRMSR and XSETBV that
 * carry a guest's value. tests/unit/test_gate.c holds the manuals' tables.
 */
#include <asm/cpuid.h>
#include <asm/gate.h>
#include <asm/processor.h>
#include <hv/lib.h>

struct gate_cpu gate_cpu;

/* CPUID bits the rules read (SDM vol. 2A, CPUID; APM vol. 3, appendix E). */
#define L1_EDX_VME	 (1u << 1)
#define L1_EDX_DE	 (1u << 2)
#define L1_EDX_PSE	 (1u << 3)
#define L1_EDX_TSC	 (1u << 4)
#define L1_EDX_PAE	 (1u << 6)
#define L1_EDX_MCE	 (1u << 7)
#define L1_EDX_PGE	 (1u << 13)
#define L1_EDX_FXSR	 (1u << 24)
#define L1_EDX_SSE	 (1u << 25)
#define L1_ECX_SMX	 (1u << 6)
#define L1_ECX_PCID	 (1u << 17)
#define L1_ECX_X2APIC	 (1u << 21)
#define L7_EBX_FSGSBASE	 (1u << 0)
#define L7_EBX_SMEP	 (1u << 7)
#define L7_EBX_SMAP	 (1u << 20)
#define L7_ECX_UMIP	 (1u << 2)
#define L7_ECX_PKU	 (1u << 3)
#define L7_ECX_CET_SS	 (1u << 7)
#define L7_ECX_LA57	 (1u << 16)
#define L7_ECX_KL	 (1u << 23)
#define L7_ECX_PKS	 (1u << 31)
#define L7_EDX_UINTR	 (1u << 5)
#define L7_EDX_CET_IBT	 (1u << 20)
#define E1_EDX_SYSCALL	 (1u << 11)
#define E1_EDX_NX	 (1u << 20)
#define E1_EDX_FFXSR	 (1u << 25)
#define E1_EDX_LM	 (1u << 29)
#define E1_ECX_TCE	 (1u << 17)
#define E21_EAX_AUTOIBRS (1u << 8)

/* The guest's view of one leaf; zero past the processor's last leaf of its range. */
static void guest_leaf(u32 leaf, u32 sub, u32 last, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0 };
	if (leaf > last)
		return;
	cpuid_count(leaf, sub, r);
	cpuid_policy(leaf, sub, 0, r);
}

void gate_init(void)
{
	struct cpuid_regs r;
	u32 max, emax;

	cpuid_count(0, 0, &r);
	max = r.eax;
	cpuid_count(0x80000000, 0, &r);
	emax = r.eax;
	guest_leaf(1, 0, max, &r);
	gate_cpu.l1_ecx = r.ecx;
	gate_cpu.l1_edx = r.edx;
	guest_leaf(7, 0, max, &r);
	gate_cpu.l7_ebx = r.ebx;
	gate_cpu.l7_ecx = r.ecx;
	gate_cpu.l7_edx = r.edx;
	guest_leaf(0xd, 0, max, &r);
	gate_cpu.xcr0_supported = ((u64)r.edx << 32) | r.eax;
	guest_leaf(0x80000001, 0, emax, &r);
	gate_cpu.e1_ecx = r.ecx;
	gate_cpu.e1_edx = r.edx;
	guest_leaf(0x80000021, 0, emax, &r);
	gate_cpu.e21_eax = r.eax;
	gate_cpu.phys_bits = cpu_phys_bits();
}

static u64 phys_mask(const struct gate_cpu *c)
{
	return c->phys_bits >= 64 ? ~0ull : (1ull << c->phys_bits) - 1;
}

/* bit when the feature is there, else 0. */
#define IF_HAS(reg, feature, bit) (((reg) & (feature)) ? (bit) : 0)

u64 gate_efer_allowed(const struct gate_cpu *c)
{
	/*
	 * APM vol. 2, 3.1.7 and SDM vol. 4, IA32_EFER: a bit without its CPUID
	 * feature is reserved. LMSLE (13) is left out: Linux never sets it and
	 * Zen 3 and later refuse it. SVME is there only for a processor that
	 * shows SVM, which the guest's never does.
	 */
	return IF_HAS(c->e1_edx, E1_EDX_SYSCALL, EFER_SCE) |
	       IF_HAS(c->e1_edx, E1_EDX_LM, EFER_LME | EFER_LMA) |
	       IF_HAS(c->e1_edx, E1_EDX_NX, EFER_NXE) |
	       IF_HAS(c->e1_ecx, CPUID_80000001_ECX_SVM, EFER_SVME) |
	       IF_HAS(c->e1_edx, E1_EDX_FFXSR, EFER_FFXSR) |
	       IF_HAS(c->e1_ecx, E1_ECX_TCE, EFER_TCE) |
	       IF_HAS(c->e21_eax, E21_EAX_AUTOIBRS, EFER_AUTOIBRS);
}

bool gate_efer(const struct gate_cpu *c, u64 cur, u64 cr0, u64 *val)
{
	u64 v = *val;

	if (v & ~gate_efer_allowed(c))
		return false;
	/* APM vol. 2, 14.6.1 / SDM vol. 3A, 9.8.5: LME may change only while paging is off. */
	if ((cr0 & X86_CR0_PG) && ((v ^ cur) & EFER_LME))
		return false;
	/* LMA is the processor's: a write leaves it as it is. */
	*val = (v & ~EFER_LMA) | (cur & EFER_LMA);
	return true;
}

#define CR0_DEFINED                                                                    \
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | X86_CR0_NE | \
	 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

bool gate_cr0(const struct gate_cpu *c, u64 cur, u64 *val, u64 cr4, u64 efer, bool cs_l)
{
	u64 v = *val;
	bool paging_on = !(cur & X86_CR0_PG) && (v & X86_CR0_PG);

	/* SDM vol. 3A, 2.5 and MOV CR's #GP(0) list; APM vol. 2, 3.1.1. */
	if (v >> 32)
		return false;
	v = (v & CR0_DEFINED) | X86_CR0_ET; /* other bits of 31:0 are ignored; ET reads 1 */
	if (v & c->cr0_vendor_reserved)
		return false;
	if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
		return false;
	if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
		return false;
	/* Long mode comes on with paging only with PAE, and not from 64-bit code. */
	if (paging_on && (efer & EFER_LME) && (!(cr4 & X86_CR4_PAE) || cs_l))
		return false;
	/* Paging goes off neither from 64-bit code nor while PCIDs are on. */
	if (!(v & X86_CR0_PG) && (((efer & EFER_LMA) && cs_l) || (cr4 & X86_CR4_PCIDE)))
		return false;
	if (!(v & X86_CR0_WP) && (cr4 & X86_CR4_CET))
		return false;
	*val = v;
	return true;
}

u64 gate_cr4_allowed(const struct gate_cpu *c)
{
	u64 ok = X86_CR4_PCE;

	/* SDM vol. 3A, 2.5 (each CR4 bit and the CPUID flag that enumerates it). */
	ok |= IF_HAS(c->l1_edx, L1_EDX_VME, X86_CR4_VME | X86_CR4_PVI);
	ok |= IF_HAS(c->l1_edx, L1_EDX_TSC, X86_CR4_TSD);
	ok |= IF_HAS(c->l1_edx, L1_EDX_DE, X86_CR4_DE);
	ok |= IF_HAS(c->l1_edx, L1_EDX_PSE, X86_CR4_PSE);
	ok |= IF_HAS(c->l1_edx, L1_EDX_PAE, X86_CR4_PAE);
	ok |= IF_HAS(c->l1_edx, L1_EDX_MCE, X86_CR4_MCE);
	ok |= IF_HAS(c->l1_edx, L1_EDX_PGE, X86_CR4_PGE);
	ok |= IF_HAS(c->l1_edx, L1_EDX_FXSR, X86_CR4_OSFXSR);
	ok |= IF_HAS(c->l1_edx, L1_EDX_SSE, X86_CR4_OSXMMEXCPT);
	ok |= IF_HAS(c->l1_ecx, CPUID_1_ECX_VMX, X86_CR4_VMXE);
	ok |= IF_HAS(c->l1_ecx, L1_ECX_SMX, X86_CR4_SMXE);
	ok |= IF_HAS(c->l1_ecx, L1_ECX_PCID, X86_CR4_PCIDE);
	ok |= IF_HAS(c->l1_ecx, CPUID_1_ECX_XSAVE, X86_CR4_OSXSAVE);
	ok |= IF_HAS(c->l7_ebx, L7_EBX_FSGSBASE, X86_CR4_FSGSBASE);
	ok |= IF_HAS(c->l7_ebx, L7_EBX_SMEP, X86_CR4_SMEP);
	ok |= IF_HAS(c->l7_ebx, L7_EBX_SMAP, X86_CR4_SMAP);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_UMIP, X86_CR4_UMIP);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_PKU, X86_CR4_PKE);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_CET_SS, X86_CR4_CET);
	ok |= IF_HAS(c->l7_edx, L7_EDX_CET_IBT, X86_CR4_CET);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_LA57, X86_CR4_LA57);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_KL, X86_CR4_KL);
	ok |= IF_HAS(c->l7_ecx, L7_ECX_PKS, X86_CR4_PKS);
	ok |= IF_HAS(c->l7_edx, L7_EDX_UINTR, X86_CR4_UINTR);
	return ok & ~c->cr4_vendor_reserved;
}

bool gate_cr4(const struct gate_cpu *c, u64 cur, u64 val, u64 cr0, u64 cr3, u64 efer)
{
	bool lma = efer & EFER_LMA;

	if (val & ~gate_cr4_allowed(c))
		return false;
	/* SDM vol. 3A, MOV CR: in IA-32e mode PAE stays on and LA57 does not change. */
	if (lma && (!(val & X86_CR4_PAE) || ((val ^ cur) & X86_CR4_LA57)))
		return false;
	/* PCIDs come on only in IA-32e mode, with CR3[11:0] zero (SDM vol. 3A, 4.10.1). */
	if (!(cur & X86_CR4_PCIDE) && (val & X86_CR4_PCIDE) && (!lma || (cr3 & 0xfff)))
		return false;
	/* CET needs CR0.WP (SDM vol. 1, 17.2). */
	if ((val & X86_CR4_CET) && !(cr0 & X86_CR0_WP))
		return false;
	return true;
}

bool gate_cr3(const struct gate_cpu *c, u64 *val, u64 cr4, u64 efer)
{
	u64 v = *val;

	if (efer & EFER_LMA) {
		if (cr4 & X86_CR4_PCIDE)
			v &= ~(1ull << 63); /* "do not flush": an instruction hint, not CR3 */
		/* SDM vol. 3A, 4.5: bits above MAXPHYADDR are reserved; #GP. */
		if (v & ~phys_mask(c))
			return false;
	}
	*val = v;
	return true;
}

bool gate_pdptes(const struct gate_cpu *c, const u64 pdpte[4])
{
	/* SDM vol. 3A, 4.4.1, table 4-8: bits 2:1, 8:5 and 63:MAXPHYADDR are reserved. */
	const u64 reserved = 0x1e6ull | ~phys_mask(c);

	for (unsigned int i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & reserved))
			return false;
	return true;
}

bool gate_xcr0(const struct gate_cpu *c, u32 index, u64 v)
{
	/* SDM vol. 1, 13.3 and XSETBV's #GP(0) list. */
	if (index != 0 || !(v & XFEATURE_X87) || (v & ~c->xcr0_supported))
		return false;
	if ((v & XFEATURE_YMM) && !(v & XFEATURE_SSE))
		return false;
	/* MPX's two components come and go together. */
	if (!(v & XFEATURE_BNDREGS) != !(v & XFEATURE_BNDCSR))
		return false;
	/* AVX-512's three, all or none, and only with AVX. */
	if ((v & XFEATURE_AVX512) &&
	    ((v & XFEATURE_AVX512) != XFEATURE_AVX512 || !(v & XFEATURE_YMM)))
		return false;
	/* AMX: tile data and tile configuration together. */
	if (!(v & XFEATURE_XTILECFG) != !(v & XFEATURE_XTILEDATA))
		return false;
	return true;
}

bool gate_apic_base(const struct gate_cpu *c, u64 cur, u64 val)
{
	/* SDM vol. 3A, 11.4.4 (figure 11-5) and 11.12.1: bits 7:0, 9, MAXPHYADDR and up. */
	u64 reserved =
		0x2ffull | ~phys_mask(c) | ((c->l1_ecx & L1_ECX_X2APIC) ? 0 : APIC_BASE_X2APIC);
	bool en = val & APIC_BASE_EN, x2 = val & APIC_BASE_X2APIC;
	bool was_en = cur & APIC_BASE_EN, was_x2 = cur & APIC_BASE_X2APIC;

	if (val & reserved)
		return false;
	/* SDM vol. 3A, 11.12.5, figure 11-27: the transitions a processor refuses. */
	if (x2 && !en) /* x2APIC on with the APIC off: an invalid state */
		return false;
	if (was_en && was_x2 && en && !x2) /* x2APIC back to xAPIC */
		return false;
	if (!was_en && en && x2) /* off straight to x2APIC */
		return false;
	return true;
}

bool gate_x2apic_icr(u64 apic_base, u64 val)
{
	/* SDM vol. 3A, 11.12.9, figure 11-28: bits 13:12, 17:16 and 31:20 are reserved. */
	const u64 reserved = 0xfff33000ull;

	/* The x2APIC MSRs exist only in x2APIC mode (11.12.1.2). */
	if ((apic_base & (APIC_BASE_EN | APIC_BASE_X2APIC)) != (APIC_BASE_EN | APIC_BASE_X2APIC))
		return false;
	return !(val & reserved);
}

bool gate_vmrun_state(const struct gate_cpu *c, const struct gate_vmrun_state *s)
{
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);
	/* CR3's MBZ bits: 63:52 in long mode; in legacy PAE the PDPT's 32-bit address. */
	u64 cr3_mbz = (s->efer & EFER_LMA) ? 0xfff0000000000000ull : 0xffffffff00000000ull;

	/* APM vol. 2, 15.5.1: the illegal guest states that make VMRUN exit VMEXIT_INVALID. */
	if (!(s->efer & EFER_SVME) || (s->efer & ~(gate_efer_allowed(c) | EFER_SVME)))
		return false;
	if ((s->cr0 >> 32) || (!(s->cr0 & X86_CR0_CD) && (s->cr0 & X86_CR0_NW)))
		return false;
	if ((s->cr3 & cr3_mbz) || (s->cr4 & ~gate_cr4_allowed(c)) || (s->dr6 >> 32) ||
	    (s->dr7 >> 32))
		return false;
	if (lme_pg && (!(s->cr4 & X86_CR4_PAE) || !(s->cr0 & X86_CR0_PE)))
		return false;
	if (lme_pg && s->cs_l && s->cs_d)
		return false;
	return true;
}

int gate_write_apic_base(u64 val)
{
	if (!gate_apic_base(&gate_cpu, rdmsr(MSR_APIC_BASE), val))
		return -EINVAL;
	wrmsr(MSR_APIC_BASE, val);
	return 0;
}

int gate_write_x2apic_icr(u64 val)
{
	if (!gate_x2apic_icr(rdmsr(MSR_APIC_BASE), val))
		return -EINVAL;
	wrmsr(MSR_X2APIC_ICR, val);
	return 0;
}

int gate_write_xcr0(u32 index, u64 val)
{
	if (!gate_xcr0(&gate_cpu, index, val))
		return -EINVAL;
	xsetbv(index, val);
	return 0;
}
