/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86 part of per-CPU state. Vendor fields sit in a union, opaque to hv/. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <asm/guest_regs.h>
#include <hv/types.h>

struct vmcb;
struct gpm;

/* Saved guest GPRs; the same layout for both vendors. The entry stubs use the offsets. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rax) != R_RAX);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rbx) != R_RBX);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rcx) != R_RCX);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rdx) != R_RDX);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rsi) != R_RSI);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rdi) != R_RDI);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, rbp) != R_RBP);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r8) != R_R8);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r9) != R_R9);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r10) != R_R10);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r11) != R_R11);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r12) != R_R12);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r13) != R_R13);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r14) != R_R14);
BUILD_BUG_ON(__builtin_offsetof(struct guest_regs, r15) != R_R15);
BUILD_BUG_ON(sizeof(struct guest_regs) != R_R15 + 8);

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
	volatile u32 capture; /* the INIT came from the capture kernel: it starts this vCPU */
};

/*
 * Where a vCPU enters: the Linux 32-bit boot protocol (flat protected mode,
 * paging off, boot_params in RSI; Documentation/arch/x86/boot.rst), its
 * 64-bit protocol (long mode, identity-mapped, a vmlinux's startup_64), or real
 * mode at cs:0 as INIT and a start-up IPI leave a CPU (SDM vol. 3A, 9.1.1
 * and 8.4.4.1).
 */
struct x86_entry {
	bool real_mode;
	bool long_mode; /* the 64-bit boot protocol: paging on, cr3 the identity map */
	u16 cs;		/* real mode: the code segment (base cs << 4) */
	u64 rip;	/* protected or long mode: the entry point */
	u64 rsi;
	u64 cr3;
	u64 gdt_base;
	u16 gdt_limit;
};

/* Pending step over a write to a hidden page (vcpu_handle_npf()). */
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
	u32 wd_gen;	      /* the watchdog_gen() this vCPU's exits are set for */
	struct hidden_step step;
	u64 hidden_writes;
	u32 guest_nmis; /* NMI IPIs the guest sent to this vCPU (seen by the APIC trap) */
	/*
	 * An NMI nobody could attribute is in the guest's NMI handler (watched:
	 * vcpu.c), queued for it since nmi_queued (TSC); 0 while none waits.
	 */
	bool nmi_watch;
	u64 nmi_queued;
	u32 ldr;	/* the guest's logical APIC ID for this vCPU (trapped LDR writes) */
	struct cpu_mailbox mbox;
	struct x86_cpu_state crash_state; /* saved when parked for a capture */
	volatile bool crash_saved;
	/* VCPU_RESET: the entry the capture prepared for this vCPU, and its space. */
	struct x86_entry reset;
	struct gpm *reset_gpm;
	union {
		struct {
			struct vmcb *vmcb;
			u64 vmcb_pa;
			void *hsave;
			u32 invalid_streak; /* VMEXIT_INVALIDs with no other exit between (svm.c) */
		} svm;
		struct {
			void *vmxon;
			void *vmcs;
			u64 vmcs_pa;
			u64 eptp;	     /* of the space the VMCS runs in */
			u32 cpu_controls;    /* primary processor-based, as last written */
			u32 nmi_pending;     /* guest NMIs waiting for an NMI window */
			bool nmi_watch_next; /* the next one injected is watched */
			bool nmi_in_guest;   /* an NMI given to the guest, its handler not yet returned */
			u32 exit_reason;     /* of the exit being handled */
			u64 exit_qual;
			bool launched;	     /* VMRESUME rather than VMLAUNCH */
			bool event_injected; /* the next entry injects an event already */
		} vmx;
	};
};

#endif /* ASM_PERCPU_H */
