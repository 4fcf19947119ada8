/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract both virtualisation backends implement (arch/x86/svm.c now,
 * arch/x86/vmx.c later). x86 code above it never names a VMCB or a VMCS.
 */
#ifndef ASM_VCPU_H
#define ASM_VCPU_H

#include <asm/guest_mem.h>
#include <asm/paging.h>
#include <hv/percpu.h>
#include <hv/types.h>

/* Guest entry state of the Linux 32-bit boot protocol: flat protected mode, paging off. */
struct x86_entry {
	u64 rip;
	u64 rsi; /* boot_params */
	u64 gdt_base;
	u16 gdt_limit;
};

struct vcpu_vendor {
	const char *name;
	unsigned int id; /* PARACHUTE_VENDOR_* */
	/* Nested page-table format (NPT / EPT) for guest memory, and its largest leaf. */
	const struct pt_format *npt_format;
	unsigned int npt_max_leaf;
	/* Enable virtualisation on the calling CPU. */
	int (*cpu_init)(struct percpu *cpu);
	/*
	 * (Re)set the calling CPU's vCPU to enter at entry in space gpm, as after
	 * INIT: every register and pending event of a previous run is dropped.
	 */
	int (*setup)(struct percpu *cpu, const struct x86_entry *entry, struct gpm *gpm);
	/* Run the guest on the calling CPU; returns only if the vCPU was parked. */
	void (*run)(struct percpu *cpu);
	/* Hold the calling CPU in a guest that cannot run guest code, for good. */
	void (*park)(struct percpu *cpu) __noreturn;
	const char *(*exit_name)(u64 reason);
	/* The calling CPU's vCPU state, from the VMCB/VMCS (not from the guest). */
	void (*save_state)(struct percpu *cpu, struct x86_cpu_state *s);
	/* Registers and the ring of recent exits on the console. */
	void (*dump)(struct percpu *cpu);
};

/**
 * vcpu_vendor_probe() - pick the backend for this processor. Prints why
 * neither SVM nor VMX is usable and returns NULL in that case.
 */
const struct vcpu_vendor *vcpu_vendor_probe(void);

extern const struct vcpu_vendor *vendor;

#endif /* ASM_VCPU_H */
