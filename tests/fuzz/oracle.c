// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzers' architectural oracle (oracle.h). Each rule is one line of a
 * manual's list, for the processor the fuzzer plays; none of it is shared
 * with the hv's gate, so a gate that lets a value through that this refuses
 * is a finding.
 */
#include "oracle.h"
#include <stdio.h>

#define BIT(n) (1ull << (n))

/* A rule of a manual's list, and whether the value breaks it. */
struct rule {
	const char *what;
	bool bad;
};

static bool all_ok(const struct rule *r, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (r[i].bad) {
			fprintf(stderr, "oracle: a processor refuses this: %s\n", r[i].what);
			return false;
		}
	return true;
}

#define RULES(...)                                           \
	({                                                   \
		const struct rule rules_[] = { __VA_ARGS__ }; \
		all_ok(rules_, sizeof(rules_) / sizeof(rules_[0])); \
	})

bool oracle_wrmsr(u32 msr, u64 v, u64 apic_base)
{
	const u64 phys_hi = ~(BIT(ORACLE_PHYS_BITS) - 1);
	bool en = v & BIT(11), x2 = v & BIT(10), was_en = apic_base & BIT(11),
	     was_x2 = apic_base & BIT(10);

	switch (msr) {
	case 0x1b: /* IA32_APIC_BASE: SDM vol. 3A, 11.4.4, 11.12.5 */
		return RULES({ "bits 7:0 reserved", v & 0xff },
			     { "bit 9 reserved", v & BIT(9) },
			     { "above MAXPHYADDR", v & phys_hi },
			     { "EXTD without EN", x2 && !en },
			     { "x2APIC to xAPIC", was_en && was_x2 && en && !x2 },
			     { "disabled to x2APIC", !was_en && en && x2 });
	case 0x830: /* the x2APIC ICR: SDM vol. 3A, 11.12.9 */
		return RULES({ "not in x2APIC mode", !(was_en && was_x2) },
			     { "bits 13:12 reserved", v & (BIT(12) | BIT(13)) },
			     { "bits 17:16 reserved", v & (BIT(16) | BIT(17)) },
			     { "bits 31:20 reserved", v & 0xfff00000ull });
	default: /* the hv writes no other MSR with a guest's value */
		return false;
	}
}

bool oracle_xsetbv(u32 index, u64 v)
{
	/* SDM vol. 2D, XSETBV; vol. 1, 13.3. The processor: x87, SSE, AVX. */
	return RULES({ "XCR other than 0", index != 0 },
		     { "x87 clear", !(v & BIT(0)) },
		     { "not supported", v & ~0x7ull },
		     { "AVX without SSE", (v & BIT(2)) && !(v & BIT(1)) });
}

bool oracle_entry(const struct x86_cpu_state *s, bool cs_l, bool cs_db)
{
	const u64 cr4_ok = 0x7ff | BIT(18); /* VME..OSXMMEXCPT, OSXSAVE */
	const u64 efer_ok = BIT(0) | BIT(8) | BIT(10) | BIT(11);
	bool pg = s->cr0 & BIT(31), pe = s->cr0 & BIT(0), pae = s->cr4 & BIT(5);
	bool lme = s->efer & BIT(8), lma = s->efer & BIT(10);

	return RULES({ "CR0 63:32", s->cr0 >> 32 },
		     { "CR0.PG without PE", pg && !pe },
		     { "CR0.NW without CD", (s->cr0 & BIT(29)) && !(s->cr0 & BIT(30)) },
		     { "CR4 reserved", s->cr4 & ~cr4_ok },
		     { "EFER reserved", s->efer & ~efer_ok },
		     /* SDM vol. 3C, 27.3.1.1: "IA-32e mode guest" is EFER.LMA ... */
		     { "LMA without paging", lma && !pg },
		     { "LMA and LME differ under paging", pg && lma != lme },
		     { "CS.L outside IA-32e mode", cs_l && !lma },
		     { "IA-32e without PAE", lma && !pae },
		     /* APM vol. 2, 15.5.1 */
		     { "LME, PG without PAE", lme && pg && !pae },
		     { "LME, PG, PAE, CS.L and CS.D", lme && pg && pae && cs_l && cs_db },
		     { "CR3 above MAXPHYADDR in IA-32e mode",
		       lma && (s->cr3 & ~(BIT(ORACLE_PHYS_BITS) - 1)) });
}
