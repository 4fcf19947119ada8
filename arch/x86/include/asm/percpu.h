/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86 part of per-CPU state. Vendor fields sit in a union, opaque to hv/. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <hv/types.h>

struct vmcb;
struct gpm;

/* Saved guest GPRs; the same layout for both vendors. svm_entry.S uses the offsets. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Pending step over a write to a hidden page (see svm.c). */
struct hidden_step {
	bool active;
	bool guest_tf; /* the guest had TF set itself */
	u64 gpa;       /* page the write went to */
	u64 gpa2;      /* a second page, for a write that straddles two */
};

struct arch_percpu {
	struct guest_regs regs;
	struct gpm *gpm; /* the guest-physical space this vCPU runs in */
	struct hidden_step step;
	u64 hidden_writes;
	u32 guest_nmis; /* NMIs the guest sent itself (seen by the APIC trap), to re-inject */
	union {
		struct {
			struct vmcb *vmcb;
			u64 vmcb_pa;
			void *hsave;
		} svm;
	};
};

#endif /* ASM_PERCPU_H */
