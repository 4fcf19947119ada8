/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One vCPU core for both vendors. arch/x86/vcpu.c holds every decision: the
 * run loop, the exit handlers (CPUID, hypercalls, MSRs, ports, NMIs, writes
 * to hidden pages, xAPIC stores, triple faults, INIT) and the wait for a
 * start-up IPI. A backend (svm.c, vmx.c) implements struct vcpu_vendor: it
 * sets up its VMCB or VMCS, enters the guest, decodes each exit into a call
 * of one vcpu_handle_*() and applies the result. x86 code above this header
 * never names a VMCB or a VMCS.
 */
#ifndef ASM_VCPU_H
#define ASM_VCPU_H

#include <asm/guest_mem.h>
#include <asm/paging.h>
#include <hv/percpu.h>
#include <hv/types.h>
#include <hv/watchdog.h>

/* Guest state the shared logic reads, through vcpu_vendor.get. */
enum vcpu_reg {
	VCPU_RIP,
	VCPU_RSP,
	VCPU_RFLAGS,
	VCPU_CR0, /* control registers and EFER as the guest sees them */
	VCPU_CR2,
	VCPU_CR3,
	VCPU_CR4,
	VCPU_EFER,
	VCPU_CS, /* the selector */
	VCPU_CS_BASE,
	VCPU_CS_L,  /* CS.L: 64-bit code (1 or 0) */
	VCPU_CS_DB, /* CS.D/B: 32-bit default operand size (1 or 0) */
	VCPU_CPL,
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
	 * Make the calling CPU's VMCB or VMCS enter at e in space gpm, as after
	 * INIT: nothing of a previous run survives. A GPM_PARK space gets only
	 * the intercepts the park guest needs.
	 */
	void (*setup)(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm);
	/*
	 * Enter the guest once, up to its next exit, and record that exit.
	 * Returns false if the entry failed (reported).
	 */
	bool (*enter)(struct percpu *cpu);
	/* The exit just recorded, decoded and handled: what the vCPU does next. */
	enum vcpu_action (*handle_exit)(struct percpu *cpu);
	/* Enter the park guest once; returns after its next exit (an NMI consumed). */
	void (*park)(struct percpu *cpu);
	/* Complete the instruction that exited (VCPU_SKIP). */
	void (*skip)(struct percpu *cpu);
	u64 (*get)(struct percpu *cpu, enum vcpu_reg reg);
	/*
	 * RIP, RSP, RFLAGS, and CR0, CR3, CR4 and EFER as the guest sees them,
	 * with values the gate (asm/gate.h) passed; the backend adds what it
	 * pins (SVM's EFER.SVME, VMX's fixed bits and its IA-32e entry control).
	 */
	void (*set)(struct percpu *cpu, enum vcpu_reg reg, u64 val);
	/* PAE paging's PDPTEs, checked, where the backend holds them (VMX); NULL if not. */
	void (*load_pdptes)(struct percpu *cpu, const u64 pdpte[4]);
	/* A hardware exception for the guest at the next entry. */
	void (*inject)(struct percpu *cpu, unsigned int vector, bool has_err, u32 err);
	/*
	 * Deliver an NMI to the guest as soon as it can take one; watch: call
	 * vcpu_nmi_watch() once it is delivered.
	 */
	void (*inject_nmi)(struct percpu *cpu, bool watch);
	/*
	 * While an NMI is watched (on): intercept the NMI reason port, and on
	 * SVM the IRET that ends the handler (vcpu_handle_iret()).
	 */
	void (*watch_nmi)(struct percpu *cpu, bool on);
	/* True while the guest has NMIs blocked: it is inside an NMI handler. */
	bool (*nmi_blocked)(struct percpu *cpu);
	/* Drop the nested TLB's entries for the vCPU's space before the next entry. */
	void (*flush)(struct percpu *cpu);
	/* Begin a single step over the next instruction: TF set, #DB intercepted. */
	void (*step_begin)(struct percpu *cpu);
	/*
	 * End it: #DB no longer intercepted, TF cleared; or, when the guest had
	 * set TF itself (guest_tf), TF kept and the guest's #DB delivered.
	 */
	void (*step_end)(struct percpu *cpu, bool guest_tf);
	const char *(*exit_name)(u64 reason);
	/* The calling CPU's vCPU state, from the VMCB/VMCS (not from the guest). */
	void (*save_state)(struct percpu *cpu, struct x86_cpu_state *s);
	/* The exit being handled, in the vendor's terms, on the console. */
	void (*dump_exit)(struct percpu *cpu);
	/*
	 * While the watchdog is armed, exits that come even from a guest
	 * running with interrupts off: VMX's preemption timer, SVM's PAUSE
	 * intercept (docs/capture.md); each one is a chance to check it. For a
	 * capture kernel's boot (WATCHDOG_CAPTURE) also from an idle one: HLT
	 * where no timer counts through it.
	 */
	void (*watchdog)(struct percpu *cpu, enum watchdog_mode mode);
};

/**
 * vcpu_vendor_probe() - pick the backend for this processor. Prints why
 * neither SVM nor VMX is usable and returns NULL in that case.
 */
const struct vcpu_vendor *vcpu_vendor_probe(void);

extern const struct vcpu_vendor *vendor;

/*
 * True while every CPU keeps an INIT it receives in the hv's hands: VMX
 * always (INIT exits in guest mode and is blocked in VMX root operation),
 * SVM where VM_CR.R_INIT turns a held INIT into #SX. Where it is false
 * (QEMU's TCG performs an INIT whatever GIF says), no guest INIT may ever
 * reach a CPU: the xAPIC trap is never lifted (smp.c).
 */
extern bool vcpu_inits_contained;

/** vcpu_init() - the park guest's space, once the backend is chosen; 0 or -ENOMEM. */
int vcpu_init(void);

/**
 * vcpu_io_bitmap() - set the ports vcpu_handle_io() serves in an I/O bitmap
 * of one bit per port (SVM's IOPM, VMX's bitmap A), with nmi_watch the NMI
 * reason port too (for the time an NMI is watched); false if there are none.
 */
bool vcpu_io_bitmap(u8 *bitmap, bool nmi_watch);

/**
 * vcpu_msr_intercepts() - call set(msr) for every MSR whose writes
 * vcpu_handle_wrmsr() must see (the APIC base and the x2APIC ICR).
 */
void vcpu_msr_intercepts(void (*set)(u32 msr));

/**
 * vcpu_cpu_loop() - every CPU's life once its hv is up: enter at first (in
 * space gpm) if given, run until INIT, wait for a start-up IPI, run again.
 * A vCPU parked for a capture or stopped by a fatal event waits for good.
 */
void vcpu_cpu_loop(struct percpu *cpu, const struct x86_entry *first, struct gpm *gpm) __noreturn;

/*
 * The architectural state an entry e starts in, which the vendors' setup()
 * only writes into their VMCB or VMCS: CS (cs_base its base), then DS, ES,
 * SS, FS and GS alike, all of limit; the descriptor tables; the control
 * registers and EFER; RIP. Access rights in the SDM's layout (X86_AR_*).
 */
struct x86_entry_state {
	u16 cs, ds;
	u32 cs_ar, ds_ar, limit;
	u64 cs_base;
	u64 gdt_base;
	u32 gdt_limit, idt_limit;
	u64 cr0, cr3, cr4, efer, rip;
};

void vcpu_entry_state(const struct x86_entry *e, struct x86_entry_state *st);

/*
 * The exit handlers a backend calls with the exit decoded. Each returns what
 * the vCPU does next; the backend returns that from handle_exit.
 */

/** vcpu_handle_cpuid() - the guest's CPUID (leaf in RAX, subleaf in RCX). */
enum vcpu_action vcpu_handle_cpuid(struct percpu *cpu);

/** vcpu_handle_hypercall() - VMMCALL or VMCALL: the call in RAX, arguments in RBX, RCX, RDX. */
enum vcpu_action vcpu_handle_hypercall(struct percpu *cpu);

/**
 * vcpu_handle_wrmsr() - an intercepted WRMSR: EFER, the APIC base (enable
 * bits only) and the x2APIC ICR, each through the gate (asm/gate.h); a value
 * a processor refuses, and any other MSR, gets #GP.
 */
enum vcpu_action vcpu_handle_wrmsr(struct percpu *cpu, u32 msr, u64 val);

/**
 * vcpu_handle_xsetbv() - XSETBV (VMX exits for it): XCR0 through the gate,
 * executed on the host (VMX does not switch XCR0); #UD or #GP as a processor
 * gives them.
 */
enum vcpu_action vcpu_handle_xsetbv(struct percpu *cpu);

/**
 * vcpu_handle_cr_write() - MOV to CR0, CR3 or CR4 of val (VMX exits for the
 * bits it pins): the gate's rules, IA-32e mode following CR0.PG, the PAE
 * PDPTEs; then the backend's set(). #GP for what a processor refuses.
 */
enum vcpu_action vcpu_handle_cr_write(struct percpu *cpu, unsigned int cr, u64 val);

/**
 * vcpu_refuse() - the guest asked for something the hv refuses (a WRMSR, an
 * XSETBV, a CR write): log it (rate-limited) and inject #GP.
 */
enum vcpu_action vcpu_refuse(struct percpu *cpu, const char *fmt, ...) __printf(2, 3);

/**
 * vcpu_handle_io() - an intercepted port access (port, IN or OUT of size
 * bytes, plain = neither string nor REP; the data in the guest's RAX): the
 * pvpanic port, or the CMOS ports, which the hv performs on the hardware.
 */
enum vcpu_action vcpu_handle_io(struct percpu *cpu, u16 port, bool in, unsigned int size,
				bool plain);

/**
 * vcpu_handle_npf() - a nested page fault at gpa (a write, an instruction
 * fetch, or a read). in_event: the fault came while an event was being
 * delivered, not from an instruction. A store to the trapped xAPIC page is
 * emulated; a write to a page the space write-protects is stepped over and
 * dropped; a fetch in the sealed kexec region lifts the seal (seal.c);
 * anything else is fatal.
 */
enum vcpu_action vcpu_handle_npf(struct percpu *cpu, u64 gpa, bool write, bool fetch,
				 bool in_event);

/* An instruction fetch in the guest's sealed kexec region (seal.c): the seal is lifted. */
enum vcpu_action seal_fetch(struct percpu *cpu, u64 gpa);

/** vcpu_inject_gp() - #GP(0), with its error code where the guest's mode pushes one. */
void vcpu_inject_gp(struct percpu *cpu);
/** vcpu_step_cancel() - a step over a dropped write cut short (a reset): the page mapped back. */
void vcpu_step_cancel(struct percpu *cpu);
/** vcpu_handle_db() - an intercepted #DB: the end of a step over a dropped write. */
enum vcpu_action vcpu_handle_db(struct percpu *cpu);

/**
 * vcpu_handle_nmi() - an NMI in guest mode, already consumed by the hv: a
 * kick (the mailbox says why), the guest's own (delivered to it), or the
 * operator's (a crash trigger).
 */
enum vcpu_action vcpu_handle_nmi(struct percpu *cpu);

/** vcpu_nmi_watch() - the NMI the backend was asked to watch reached the guest. */
void vcpu_nmi_watch(struct percpu *cpu);

/**
 * vcpu_nmi_unwatch() - the guest left the watched NMI's handler without
 * reading the NMI reason port: one of its own handlers took the NMI.
 */
void vcpu_nmi_unwatch(struct percpu *cpu);

/** vcpu_handle_iret() - an intercepted IRET (SVM, while an NMI is watched). */
enum vcpu_action vcpu_handle_iret(struct percpu *cpu);

/** vcpu_handle_triple_fault() - the guest shut down: a crash trigger. */
enum vcpu_action vcpu_handle_triple_fault(struct percpu *cpu);
/*
 * vcpu_handle_hidden_insn() - the guest ran an instruction of the
 * virtualisation extension the hv hides (VMX's, SVM's, GETSEC): #UD, as on
 * a CPU without it.
 */
enum vcpu_action vcpu_handle_hidden_insn(struct percpu *cpu);
/*
 * The watchdog's exits (vendor->watchdog): vcpu_run() checked the deadline
 * before the exit was handled. vcpu_handle_watchdog_tick(): a timer exit
 * (VMX's preemption timer), the guest resumes; vcpu_handle_pause(): an
 * intercepted PAUSE, completed.
 */
enum vcpu_action vcpu_handle_watchdog_tick(struct percpu *cpu);
enum vcpu_action vcpu_handle_pause(struct percpu *cpu);

/**
 * vcpu_handle_init() - an INIT signal reached the vCPU in guest mode: at the
 * capturing vCPU it is dropped, at a vCPU a capture asked to park it parks
 * it; otherwise the vCPU waits for a start-up IPI, in the hv.
 */
enum vcpu_action vcpu_handle_init(struct percpu *cpu);

/** vcpu_dump() - the vCPU's registers, its exit, recent exits and counters on the console. */
void vcpu_dump(struct percpu *cpu);

/** vcpu_gpr() - guest register n in ModRM order (RAX, RCX, ... R15; RSP via the backend). */
u64 vcpu_gpr(struct percpu *cpu, unsigned int n);

/** vcpu_set_gpr() - write guest register n in ModRM order. */
void vcpu_set_gpr(struct percpu *cpu, unsigned int n, u64 val);

#endif /* ASM_VCPU_H */
