/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rest of the hv around the vCPU core and the capture code, for
 * fuzz_hypercall.c (tests/fuzz/stub_arch.c): test_policy.c's fake vendor
 * backend and arch hooks, with guest memory as arch/x86/guest_mem.c
 * decides it (guest RAM in hv.guest_map, never a hidden range).
 */
#ifndef FUZZ_STUB_ARCH_H
#define FUZZ_STUB_ARCH_H

#include <asm/percpu.h>
#include <hv/types.h>
#include <setjmp.h>

struct fuzz_arch {
	jmp_buf *noreturn; /* where arch_reboot() and hv_halt() return to */
	int reboots, halts;
	u64 tsc;
	u64 dma_total;		    /* DMA faults arch_dma_faults() has seen */
	struct x86_cpu_state state; /* the running vCPU's, as its VMCB or VMCS holds it */
	u64 cs_base;
	bool cs_l, cs_db;
	unsigned int cpl;
	bool lint1_nmi;
	u64 sealed_start, sealed_end; /* gpm_seal() */
	u64 apic_base;		      /* the host's IA32_APIC_BASE, as rdmsr()/wrmsr() see it */
	u64 xcr0;		      /* the host's XCR0, as xsetbv() left it */
	unsigned int host_writes;     /* host WRMSRs and XSETBVs of guest values */
};

extern struct fuzz_arch fz;

/* The file-scope state of the hv sources the target includes (hv_statics.c), afresh. */
void fuzz_reset_statics(void);

#endif /* FUZZ_STUB_ARCH_H */
