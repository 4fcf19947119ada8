// SPDX-License-Identifier: GPL-2.0-only
/*
 * The gate for guest values (arch/x86/gate.c) against the manuals' tables:
 * each row is a value a guest may write, the state it writes it in, and
 * whether a processor takes it or gives #GP (SDM vol. 1, 13.3; SDM vol. 3A,
 * 2.5, 4.4.1, 4.5, 9.8.5, 11.4.4, 11.12; APM vol. 2, 3.1). The host WRMSR and
 * XSETBV behind the gate are recorded (tests/stub/asm/io.h): a refused
 * value never reaches them.
 */
#include "harness.h"
#include <asm/gate.h>
#include <asm/processor.h>

/* ---- The host instructions, recorded. ---- */

static u64 apic_base_msr;
static unsigned int wrmsrs, xsetbvs;
static u32 last_msr;
static u64 last_val;

u64 rdmsr(u32 msr)
{
	return msr == MSR_APIC_BASE ? apic_base_msr : 0;
}

void wrmsr(u32 msr, u64 v)
{
	wrmsrs++;
	last_msr = msr;
	last_val = v;
}

void xsetbv(u32 index, u64 v)
{
	xsetbvs++;
	last_msr = index;
	last_val = v;
}

void outb(u16 port, u8 v)
{
	(void)port, (void)v;
}

u8 inb(u16 port)
{
	(void)port;
	return 0;
}

/* ---- Processors as the guest sees them. ---- */

/* A Skylake-SP server: AVX-512, MPX, PKU, PCID, SMEP/SMAP, x2APIC; no LA57, no AMX. */
static const struct gate_cpu skylake = {
	.l1_ecx = (1u << 17) | (1u << 21) | (1u << 26),
	.l1_edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
		  (1u << 13) | (1u << 24) | (1u << 25),
	.l7_ebx = (1u << 0) | (1u << 7) | (1u << 20),
	.l7_ecx = (1u << 2) | (1u << 3),
	.e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
	.xcr0_supported = 0x2ff, /* x87 SSE AVX BNDREGS BNDCSR opmask ZMM_Hi256 Hi16_ZMM PKRU */
	.phys_bits = 46,
};

/* A Sapphire Rapids: Skylake's, plus LA57, CET and AMX. */
static const struct gate_cpu sapphire = {
	.l1_ecx = (1u << 17) | (1u << 21) | (1u << 26),
	.l1_edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
		  (1u << 13) | (1u << 24) | (1u << 25),
	.l7_ebx = (1u << 0) | (1u << 7) | (1u << 20),
	.l7_ecx = (1u << 2) | (1u << 3) | (1u << 7) | (1u << 16),
	.l7_edx = 1u << 20,
	.e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
	.xcr0_supported = 0x602e7, /* no MPX any more; AMX tile config and data */
	.phys_bits = 52,
};

/* A Zen 4 EPYC as the guest sees it: FFXSR, TCE, AutoIBRS; SVM hidden. */
static const struct gate_cpu zen4 = {
	.l1_ecx = (1u << 17) | (1u << 21) | (1u << 26),
	.l1_edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
		  (1u << 13) | (1u << 24) | (1u << 25),
	.e1_ecx = 1u << 17,
	.e1_edx = (1u << 11) | (1u << 20) | (1u << 25) | (1u << 29),
	.e21_eax = 1u << 8,
	.xcr0_supported = 0x2e7,
	.phys_bits = 48,
};

/* QEMU's qemu64 under TCG: no XSAVE, no x2APIC, no PCID. */
static const struct gate_cpu qemu64 = {
	.l1_edx = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
		  (1u << 13) | (1u << 24) | (1u << 25),
	.e1_edx = (1u << 11) | (1u << 20) | (1u << 29),
	.phys_bits = 40,
};

#define OK 1
#define GP 0

/* ---- XCR0: SDM vol. 1, 13.3 and XSETBV's #GP(0) list. ---- */

static void test_xcr0_table(void **state)
{
	static const struct {
		const struct gate_cpu *c;
		u32 index;
		u64 val;
		int want;
	} t[] = {
		{ &skylake, 0, 0x0, GP }, /* x87 (bit 0) must be 1 */
		{ &skylake, 0, 0x1, OK },
		{ &skylake, 0, 0x2, GP }, /* SSE without x87 */
		{ &skylake, 0, 0x3, OK },
		{ &skylake, 0, 0x5, GP }, /* AVX without SSE */
		{ &skylake, 0, 0x7, OK },
		{ &skylake, 0, 0xf, GP },  /* BNDREGS without BNDCSR */
		{ &skylake, 0, 0x17, GP }, /* BNDCSR without BNDREGS */
		{ &skylake, 0, 0x1f, OK }, /* MPX: both */
		{ &skylake, 0, 0x27, GP }, /* opmask alone */
		{ &skylake, 0, 0x67, GP }, /* two of AVX-512's three */
		{ &skylake, 0, 0xe3, GP }, /* AVX-512 without AVX */
		{ &skylake, 0, 0xe7, OK },
		{ &skylake, 0, 0x2e7, OK },	 /* and PKRU */
		{ &skylake, 0, 0x107, GP },	 /* bit 8 (PT) is IA32_XSS's, not XCR0's */
		{ &skylake, 0, 0x60007, GP },	 /* AMX on a CPU without it */
		{ &skylake, 0, 1ull << 63, GP }, /* reserved */
		{ &skylake, 1, 0x7, GP },	 /* only XCR0 is writable */
		{ &skylake, 0xffffffff, 0x7, GP },
		{ &sapphire, 0, 0x1f, GP },    /* MPX gone */
		{ &sapphire, 0, 0x20007, GP }, /* XTILECFG alone */
		{ &sapphire, 0, 0x40007, GP }, /* XTILEDATA alone */
		{ &sapphire, 0, 0x60007, OK },
		{ &sapphire, 0, 0x602e7, OK },
		{ &qemu64, 0, 0x1, GP }, /* no XSAVE at all */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		if (gate_xcr0(t[i].c, t[i].index, t[i].val) != (bool)t[i].want)
			fail_msg("XCR%u <- 0x%llx: want %s", t[i].index,
				 (unsigned long long)t[i].val, t[i].want ? "taken" : "#GP");
	}
}

/* ---- EFER: APM vol. 2, 3.1.7; SDM vol. 3A, 9.8.5. ---- */

static void test_efer_table(void **state)
{
	const u64 lm = EFER_LME | EFER_LMA;
	static const struct {
		const struct gate_cpu *c;
		u64 cur, cr0, val, want_val;
		int want;
	} t[] = {
		{ &zen4, 0, 0, EFER_SCE, EFER_SCE, OK },
		{ &zen4, 0, 0, EFER_LME, EFER_LME, OK },   /* before paging: the 32-bit boot path */
		{ &zen4, 0, X86_CR0_PG, EFER_LME, 0, GP }, /* LME while paging */
		{ &zen4, EFER_LME | EFER_LMA, X86_CR0_PG, EFER_SCE | EFER_NXE, 0,
		  GP }, /* LME off */
		{ &zen4, EFER_LME | EFER_LMA, X86_CR0_PG, EFER_LME | EFER_SCE | EFER_NXE,
		  EFER_LME | EFER_LMA | EFER_SCE | EFER_NXE, OK }, /* LMA kept, not written */
		{ &zen4, EFER_LME, 0, EFER_LME | EFER_LMA, EFER_LME,
		  OK }, /* LMA written: ignored */
		{ &zen4, 0, 0, EFER_FFXSR | EFER_TCE | EFER_AUTOIBRS,
		  EFER_FFXSR | EFER_TCE | EFER_AUTOIBRS, OK },
		{ &zen4, 0, 0, EFER_SVME, 0, GP },  /* SVM is hidden */
		{ &zen4, 0, 0, EFER_LMSLE, 0, GP }, /* not offered */
		{ &zen4, 0, 0, 1ull << 1, 0, GP },  /* reserved */
		{ &zen4, 0, 0, 1ull << 63, 0, GP },
		{ &qemu64, 0, 0, EFER_FFXSR, 0, GP }, /* no FFXSR in its CPUID */
		{ &qemu64, 0, 0, EFER_TCE, 0, GP },
		{ &qemu64, 0, 0, EFER_AUTOIBRS, 0, GP },
		{ &qemu64, lm, X86_CR0_PG, lm | EFER_SCE | EFER_NXE, lm | EFER_SCE | EFER_NXE, OK },
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		u64 v = t[i].val;
		bool ok = gate_efer(t[i].c, t[i].cur, t[i].cr0, &v);

		if (ok != (bool)t[i].want || (ok && v != t[i].want_val))
			fail_msg("row %u: EFER 0x%llx <- 0x%llx (CR0 0x%llx): %s 0x%llx", i,
				 (unsigned long long)t[i].cur, (unsigned long long)t[i].val,
				 (unsigned long long)t[i].cr0, ok ? "taken as" : "#GP",
				 (unsigned long long)v);
	}
}

/* ---- CR0: SDM vol. 3A, 2.5 and MOV CR; APM vol. 2, 3.1.1. ---- */

static void test_cr0_table(void **state)
{
	const u64 pe = X86_CR0_PE | X86_CR0_ET, pg = pe | X86_CR0_PG;
	const u64 lm = EFER_LME | EFER_LMA;
	static struct gate_cpu vmx_cpu;
	static const struct {
		const struct gate_cpu *c;
		u64 cur, val, cr4, efer;
		bool cs_l;
		u64 want_val;
		int want;
	} t[] = {
		{ &skylake, pe, pe | X86_CR0_NE, 0, 0, false, pe | X86_CR0_NE, OK },
		{ &skylake, pe, 1ull << 32 | pe, 0, 0, false, 0, GP }, /* bits 63:32 */
		{ &skylake, pe, X86_CR0_PG, 0, 0, false, 0, GP },      /* PG without PE */
		{ &skylake, pe, pe | X86_CR0_NW, 0, 0, false, 0, GP }, /* NW without CD */
		{ &skylake, pe, pe | X86_CR0_NW | X86_CR0_CD, 0, 0, false,
		  pe | X86_CR0_NW | X86_CR0_CD, OK },
		{ &skylake, pe, pe | (1ull << 6), 0, 0, false, pe,
		  OK }, /* reserved 31:0: ignored */
		{ &skylake, X86_CR0_PE, X86_CR0_PE, 0, 0, false, pe, OK }, /* ET reads 1 */
		/* IA-32e mode comes on with paging, PAE and LME (SDM vol. 3A, 9.8.5). */
		{ &skylake, pe, pg, X86_CR4_PAE, EFER_LME, false, pg, OK },
		{ &skylake, pe, pg, 0, EFER_LME, false, 0, GP },	  /* without PAE */
		{ &skylake, pe, pg, X86_CR4_PAE, EFER_LME, true, 0, GP }, /* from CS.L = 1 */
		{ &skylake, pe, pg, 0, 0, false, pg, OK },		  /* 32-bit paging */
		/* ... and goes off from compatibility mode only. */
		{ &skylake, pg, pe, X86_CR4_PAE, lm, true, 0, GP },
		{ &skylake, pg, pe, X86_CR4_PAE, lm, false, pe, OK },
		{ &skylake, pg, pe, X86_CR4_PAE | X86_CR4_PCIDE, lm, false, 0, GP }, /* PCIDs on */
		{ &sapphire, pg | X86_CR0_WP, pg, X86_CR4_PAE | X86_CR4_CET, lm, true, 0, GP },
		{ &sapphire, pg | X86_CR0_WP, pg | X86_CR0_WP, X86_CR4_PAE | X86_CR4_CET, lm, true,
		  pg | X86_CR0_WP, OK },
		/* A bit VMX operation does not allow (the backend's fixed-1 MSR) is refused. */
		{ &vmx_cpu, pe, pe | X86_CR0_CD, 0, 0, false, 0, GP },
	};

	(void)state;
	vmx_cpu = skylake;
	vmx_cpu.cr0_vendor_reserved = X86_CR0_CD;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		u64 v = t[i].val;
		bool ok = gate_cr0(t[i].c, t[i].cur, &v, t[i].cr4, t[i].efer, t[i].cs_l);

		if (ok != (bool)t[i].want || (ok && v != t[i].want_val))
			fail_msg("row %u: CR0 0x%llx <- 0x%llx: %s 0x%llx", i,
				 (unsigned long long)t[i].cur, (unsigned long long)t[i].val,
				 ok ? "taken as" : "#GP", (unsigned long long)v);
	}
}

/* ---- CR4: SDM vol. 3A, 2.5 (each bit's CPUID flag), 4.10.1; MOV CR. ---- */

static void test_cr4_table(void **state)
{
	const u64 pae = X86_CR4_PAE, wp = X86_CR0_WP | X86_CR0_PG | X86_CR0_PE;
	const u64 lm = EFER_LME | EFER_LMA;
	static struct gate_cpu vmx_cpu;
	static const struct {
		const struct gate_cpu *c;
		u64 cur, val, cr0, cr3, efer;
		int want;
	} t[] = {
		{ &skylake, pae,
		  pae | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_OSXSAVE |
			  X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_FSGSBASE | X86_CR4_PKE |
			  X86_CR4_UMIP,
		  wp, 0x1000, lm, OK },					/* what Linux sets on it */
		{ &skylake, pae, pae | X86_CR4_VMXE, wp, 0, lm, GP },	/* VMX is hidden */
		{ &skylake, pae, pae | X86_CR4_SMXE, wp, 0, lm, GP },	/* SMX: not shown */
		{ &skylake, pae, pae | X86_CR4_LA57, wp, 0, 0, GP },	/* no LA57 */
		{ &skylake, pae, pae | X86_CR4_CET, wp, 0, lm, GP },	/* no CET */
		{ &skylake, pae, pae | (1ull << 15), wp, 0, lm, GP },	/* reserved */
		{ &skylake, pae, pae | (1ull << 32), wp, 0, lm, GP },	/* reserved */
		{ &qemu64, pae, pae | X86_CR4_OSXSAVE, wp, 0, lm, GP }, /* no XSAVE */
		{ &qemu64, pae, pae | X86_CR4_PCIDE, wp, 0, lm, GP },	/* no PCID */
		{ &skylake, pae, 0, wp, 0, lm, GP },			/* PAE off in IA-32e mode */
		{ &skylake, pae, 0, X86_CR0_PE, 0, 0, OK },		/* outside it: fine */
		{ &sapphire, pae, pae | X86_CR4_LA57, wp, 0, lm, GP },	/* LA57 in IA-32e mode */
		{ &sapphire, pae, pae | X86_CR4_LA57, X86_CR0_PE, 0, EFER_LME, OK },
		{ &skylake, pae, pae | X86_CR4_PCIDE, wp, 0x1000, lm, OK },
		{ &skylake, pae, pae | X86_CR4_PCIDE, wp, 0x1001, lm, GP },   /* CR3[11:0] */
		{ &skylake, pae, pae | X86_CR4_PCIDE, X86_CR0_PE, 0, 0, GP }, /* not IA-32e */
		{ &skylake, pae | X86_CR4_PCIDE, pae | X86_CR4_PCIDE, wp, 0x1005, lm, OK },
		{ &sapphire, pae, pae | X86_CR4_CET, wp, 0, lm, OK },
		{ &sapphire, pae, pae | X86_CR4_CET, X86_CR0_PG | X86_CR0_PE, 0, lm, GP }, /* WP */
		{ &vmx_cpu, pae, pae | X86_CR4_SMEP, wp, 0, lm, GP }, /* VMX's fixed-1 MSR */
	};

	(void)state;
	vmx_cpu = skylake;
	vmx_cpu.cr4_vendor_reserved = X86_CR4_SMEP;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++)
		if (gate_cr4(t[i].c, t[i].cur, t[i].val, t[i].cr0, t[i].cr3, t[i].efer) !=
		    (bool)t[i].want)
			fail_msg("row %u: CR4 0x%llx <- 0x%llx: want %s", i,
				 (unsigned long long)t[i].cur, (unsigned long long)t[i].val,
				 t[i].want ? "taken" : "#GP");
}

/* ---- CR3 (SDM vol. 3A, 4.5) and PAE's PDPTEs (4.4.1, table 4-8). ---- */

static void test_cr3_and_pdptes(void **state)
{
	const u64 lm = EFER_LME | EFER_LMA;
	u64 v;

	(void)state;
	v = 0x12345000;
	assert_true(gate_cr3(&skylake, &v, X86_CR4_PAE, lm) && v == 0x12345000);
	v = 1ull << 46; /* MAXPHYADDR 46 */
	assert_false(gate_cr3(&skylake, &v, X86_CR4_PAE, lm));
	v = (1ull << 45) | 0x1000;
	assert_true(gate_cr3(&skylake, &v, X86_CR4_PAE, lm));
	v = (1ull << 63) | 0x1000; /* no-flush hint with PCIDs: dropped */
	assert_true(gate_cr3(&skylake, &v, X86_CR4_PAE | X86_CR4_PCIDE, lm) && v == 0x1000);
	v = (1ull << 63) | 0x1000; /* without: a reserved bit */
	assert_false(gate_cr3(&skylake, &v, X86_CR4_PAE, lm));
	v = 0xfffff000; /* outside IA-32e mode the caller passed 32 bits */
	assert_true(gate_cr3(&qemu64, &v, 0, 0) && v == 0xfffff000);

	{
		const u64 good[4] = { 0x1001, 0x2001, 0, 0xdeadbeef000 };
		const u64 rsvd[4] = { 0x1001, 0x2003, 0, 0 };	   /* bit 1 */
		const u64 rsvd2[4] = { 0x1021, 0, 0, 0 };	   /* bit 5 */
		const u64 high[4] = { (1ull << 40) | 1, 0, 0, 0 }; /* above qemu64's 40 bits */
		const u64 absent[4] = { 0xfffffffffffffffeull, 0, 0, 0 }; /* not present: no rule */

		assert_true(gate_pdptes(&qemu64, good));
		assert_false(gate_pdptes(&qemu64, rsvd));
		assert_false(gate_pdptes(&qemu64, rsvd2));
		assert_false(gate_pdptes(&qemu64, high));
		assert_true(gate_pdptes(&qemu64, absent));
	}
}

/* ---- IA32_APIC_BASE: SDM vol. 3A, 11.4.4 and 11.12.5 (figure 11-27). ---- */

static void test_apic_base_table(void **state)
{
	const u64 xapic = 0xfee00900, x2apic = 0xfee00d00, off = 0xfee00100;
	static const struct {
		const struct gate_cpu *c;
		u64 cur, val;
		int want;
	} t[] = {
		{ &skylake, xapic, xapic, OK },
		{ &skylake, xapic, x2apic, OK },	       /* xAPIC to x2APIC */
		{ &skylake, x2apic, off, OK },		       /* x2APIC to disabled */
		{ &skylake, off, xapic, OK },		       /* disabled to xAPIC */
		{ &skylake, xapic, off, OK },		       /* xAPIC to disabled */
		{ &skylake, x2apic, xapic, GP },	       /* x2APIC to xAPIC */
		{ &skylake, off, x2apic, GP },		       /* disabled to x2APIC */
		{ &skylake, xapic, 0xfee00500, GP },	       /* EXTD without EN */
		{ &skylake, xapic, xapic | 1, GP },	       /* bit 0 */
		{ &skylake, xapic, xapic | 0x80, GP },	       /* bit 7 */
		{ &skylake, xapic, xapic | 0x200, GP },	       /* bit 9 */
		{ &skylake, xapic, xapic | (1ull << 46), GP }, /* MAXPHYADDR */
		{ &skylake, xapic, 0xfec00900, OK }, /* a move is the hv's refusal, not the CPU's */
		{ &qemu64, xapic, x2apic, GP },	     /* no x2APIC */
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++)
		if (gate_apic_base(t[i].c, t[i].cur, t[i].val) != (bool)t[i].want)
			fail_msg("row %u: APIC base 0x%llx <- 0x%llx: want %s", i,
				 (unsigned long long)t[i].cur, (unsigned long long)t[i].val,
				 t[i].want ? "taken" : "#GP");
}

/* ---- The x2APIC ICR (SDM vol. 3A, 11.12.9, figure 11-28). ---- */

static void test_x2apic_icr_table(void **state)
{
	const u64 xapic = 0xfee00900, x2apic = 0xfee00d00;

	(void)state;
	assert_false(gate_x2apic_icr(xapic, 0));	   /* MSR 0x830 outside x2APIC mode */
	assert_false(gate_x2apic_icr(0xfee00100, 0x4400)); /* APIC off */
	assert_true(gate_x2apic_icr(x2apic, 0x4400));	   /* NMI, assert */
	assert_true(gate_x2apic_icr(x2apic, (5ull << 32) | 0xc4500)); /* INIT to all but self */
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 12)));
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 13)));
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 16)));
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 17)));
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 20)));
	assert_false(gate_x2apic_icr(x2apic, 0x4400 | (1u << 31)));
}

/* ---- Behind the gate: the host instruction runs only for a value it passed. ---- */

static void test_host_writes_only_after_the_rules(void **state)
{
	(void)state;
	gate_cpu = skylake;
	wrmsrs = xsetbvs = 0;
	apic_base_msr = 0xfee00900;
	assert_int_equal(gate_write_apic_base(0xfee00901), -EINVAL);
	assert_int_equal(gate_write_x2apic_icr(0), -EINVAL); /* xAPIC mode */
	assert_int_equal(gate_write_xcr0(0, 0x5), -EINVAL);
	assert_int_equal(gate_write_xcr0(1, 0x7), -EINVAL);
	assert_int_equal(wrmsrs + xsetbvs, 0);

	assert_int_equal(gate_write_apic_base(0xfee00d00), 0);
	assert_true(wrmsrs == 1 && last_msr == MSR_APIC_BASE && last_val == 0xfee00d00);
	apic_base_msr = 0xfee00d00;
	assert_int_equal(gate_write_x2apic_icr((1ull << 32) | 0x4400), 0);
	assert_true(wrmsrs == 2 && last_msr == MSR_X2APIC_ICR);
	assert_int_equal(gate_write_xcr0(0, 0x7), 0);
	assert_true(xsetbvs == 1 && last_msr == 0 && last_val == 0x7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xcr0_table),
		cmocka_unit_test(test_efer_table),
		cmocka_unit_test(test_cr0_table),
		cmocka_unit_test(test_cr4_table),
		cmocka_unit_test(test_cr3_and_pdptes),
		cmocka_unit_test(test_apic_base_table),
		cmocka_unit_test(test_x2apic_icr_table),
		cmocka_unit_test(test_host_writes_only_after_the_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
