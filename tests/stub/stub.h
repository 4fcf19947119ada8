/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hv's neighbours for host builds of the vCPU core and the capture code
 * (tests/stub/stub.c): one fake vendor backend and the arch hooks around
 * them, shared by tests/unit/test_policy.c and tests/fuzz/fuzz_hypercall.c;
 * and firmware.c's neighbours (tests/stub/firmware.c), shared by
 * tests/unit/test_firmware.c and tests/fuzz/fuzz_firmware.c.
 * Every stub records what it was asked in `stub` and answers from it; a
 * test or a fuzz input sets the answers first. stub_reset() clears it all.
 *
 * Guest memory is what arch/x86/guest_mem.c decides, without nested tables:
 * RAM is hv.guest_map less the hidden ranges (and the capture region for the
 * capture kernel), nothing for the park guest; the hidden ranges and a
 * sealed kexec region are write-protected, as are [wp_start, wp_end) and
 * wp_page. Reads come from host memory at the guest address, or, when the
 * caller set `mem`, only from that window.
 */
#ifndef TESTS_STUB_H
#define TESTS_STUB_H

#include <asm/percpu.h>
#include <hv/types.h>
#include <stddef.h>

struct stub_state {
	/* Must not return: where arch_reboot() (1) and hv_halt() (2) go. */
	void (*noreturn)(int which, const char *what) __attribute__((noreturn));
	/* Called for every host WRMSR (xcr false) and XSETBV (xcr true) before it "runs". */
	void (*host_write)(u32 index, u64 val, bool xcr);
	int reboots, halts;
	u64 tsc, heap_used;

	/* The fake vendor: the running vCPU's state, as its VMCB or VMCS holds it. */
	struct x86_cpu_state vcpu;
	u64 cs_base;
	bool cs_l, cs_db;
	unsigned int cpl;
	u64 pdpte[4]; /* like VMX with EPT: the backend holds PAE paging's PDPTEs */
	int pdpte_loads, injected, inject_vector, nmis_injected, flushes;
	bool inject_has_err;
	int steps_begun, steps_ended;
	bool step_guest_tf, watching;

	/* The host: ports, MSRs, XCR0, the APIC, the other CPUs, the IOMMU. */
	u8 port_in[0x10000];
	int outs;
	u16 out_port[16];
	u8 out_val[16];
	u64 apic_base, xcr0;
	unsigned int host_writes, xsetbvs;
	bool lint1_nmi, start_up_parks;
	int start_up_coming, icr_writes;
	u64 apic_written_gpa;
	u32 apic_written_val;
	u64 dma_total; /* DMA faults arch_dma_faults() has seen */
	int dma_capture, parked_others, dma_polls;
	int order; /* the last digits: 1 DMA capture mode, 2 others parked, 3 DMA polled */

	/* Guest memory. */
	const u8 *mem; /* if set, the only readable guest memory: [mem_base, mem_base + mem_size) */
	u64 mem_base, mem_size;
	u64 wp_start, wp_end, wp_page; /* write-protected besides the hidden and sealed ranges */
	u64 sealed_start, sealed_end;  /* the sealed kexec region, gpm_seal() */
	u64 mmio_base, mmio_size;      /* MMIO that gpm_map_mmio() maps on demand */
	int redirects, mmio_maps;
	int scratch_mapped; /* gpm_redirect()s to the scratch page less those back */
};

extern struct stub_state stub;

/* Everything zero but the hooks, which the caller sets again. */
void stub_reset(void);

/* tests/stub/firmware.c: what the BIOS area scan answers, and how often it ran. */
extern u64 stub_bios_rsdp;
extern unsigned int stub_bios_scans;

#endif /* TESTS_STUB_H */
