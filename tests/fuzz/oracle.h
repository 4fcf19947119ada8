/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a processor accepts, for the fuzzers' host instructions and VM
 * entries (tests/fuzz/oracle.c): written from the manuals' lists of #GP and
 * entry-failure conditions, for the one processor fuzz_hypercall.c plays, and
 * independently of arch/x86/gate.c, which must agree with it.
 */
#ifndef FUZZ_ORACLE_H
#define FUZZ_ORACLE_H

#include <asm/percpu.h>
#include <hv/types.h>

/*
 * The processor the fuzzer plays, as its guest sees it (its struct gate_cpu
 * in fuzz_hypercall.c says the same): SYSCALL, NX, long mode, PAE, PGE, PSE,
 * FXSR, SSE, XSAVE with x87/SSE/AVX, x2APIC; 40-bit physical addresses; no
 * PCID, SMEP, SMAP, LA57, CET.
 */
#define ORACLE_PHYS_BITS 40

/** oracle_wrmsr() - a host WRMSR of v to msr with the APIC base apic_base: taken, or #GP. */
bool oracle_wrmsr(u32 msr, u64 v, u64 apic_base);

/** oracle_xsetbv() - a host XSETBV of v to XCR index: taken, or #GP. */
bool oracle_xsetbv(u32 index, u64 v);

/**
 * oracle_entry() - whether the guest state in s, with CS.L cs_l and CS.D
 * cs_db, passes VM entry's checks of its control registers and EFER: SDM
 * vol. 3C, 27.3.1.1 (VMX) and APM vol. 2, 15.5.1 (VMRUN) both.
 */
bool oracle_entry(const struct x86_cpu_state *s, bool cs_l, bool cs_db);

#endif /* FUZZ_ORACLE_H */
