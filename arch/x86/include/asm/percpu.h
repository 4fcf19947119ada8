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

/* A vCPU's architectural state, as the crash path records it. */
struct x86_cpu_state {
	struct guest_regs gpr; /* rsp is below, not in gpr */
	u64 rsp, rip, rflags;
	u16 cs, ss, ds, es, fs, gs;
	u64 fs_base, gs_base, kernel_gs_base;
	u64 cr0, cr2, cr3, cr4, efer;
};

/*
 * What other CPUs ask of this one (INIT/SIPI from the guest, parking on a
 * crash); written by the sender, then an NMI ("kick") makes this CPU look.
 */
struct cpu_mailbox {
	volatile u32 init;  /* a guest INIT: leave the guest, wait for SIPI */
	volatile u32 sipi;  /* 0x100 | vector of a start-up IPI, 0 if none */
	volatile u32 park;  /* a capture runs: save the vCPU state and park */
	volatile u32 flush; /* the guest's nested tables changed: flush before re-entry */
};

/* Pending step over a write to a hidden page (see svm.c, vmx.c). */
struct hidden_step {
	bool active;
	bool guest_tf; /* the guest had TF set itself */
	u64 gpa;       /* page the write went to */
	u64 gpa2;      /* a second page, for a write that straddles two */
};

struct arch_percpu {
	struct guest_regs regs;
	struct gpm *gpm;      /* the guest-physical space this vCPU runs in */
	volatile u32 gpm_gen; /* the gpm->gen this CPU's TLB holds (flushed at entry) */
	struct hidden_step step;
	u64 hidden_writes;
	u32 guest_nmis; /* NMI IPIs the guest sent to this vCPU (seen by the APIC trap) */
	u32 ldr;	/* the guest's logical APIC ID for this vCPU (trapped LDR writes) */
	struct cpu_mailbox mbox;
	struct x86_cpu_state crash_state; /* saved when parked for a capture */
	volatile bool crash_saved;
	bool leave_guest; /* set by an exit handler: the vCPU got INIT */
	union {
		struct {
			struct vmcb *vmcb;
			u64 vmcb_pa;
			void *hsave;
		} svm;
		struct {
			void *vmxon;
			void *vmcs;
			u64 vmcs_pa;
			u64 eptp;	     /* of the space the VMCS runs in */
			u32 cpu_controls;    /* primary processor-based, as last written */
			u32 nmi_pending;     /* guest NMIs waiting for an NMI window */
			bool launched;	     /* VMRESUME rather than VMLAUNCH */
			bool event_injected; /* the next entry injects an event already */
		} vmx;
	};
};

#endif /* ASM_PERCPU_H */
