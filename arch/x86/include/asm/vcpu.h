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
	/*
	 * Run the guest on the calling CPU; returns when the guest sent the vCPU
	 * an INIT, or after a fatal guest event (state CPU_HALTED).
	 */
	void (*run)(struct percpu *cpu);
	/*
	 * Hold the calling CPU in the park guest, which cannot run guest code,
	 * until its mailbox holds a start-up IPI; returns the vector.
	 */
	u32 (*wait_for_sipi)(struct percpu *cpu);
	/* Reset the calling CPU's vCPU to real mode at vector << 12, as a SIPI does. */
	void (*start_at_sipi)(struct percpu *cpu, u32 vector);
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

/* What both backends decide alike (arch/x86/vcpu.c); they apply it to their VMCB or VMCS. */

/** vcpu_cpuid() - the guest's CPUID (leaf in RAX, subleaf in RCX), answered in its GPRs. */
void vcpu_cpuid(struct percpu *cpu, u64 guest_cr4);

/**
 * vcpu_tlb_stale() - true if the calling CPU must flush its nested TLB before
 * it enters its space again (the space changed since): the caller flushes.
 */
bool vcpu_tlb_stale(struct percpu *cpu);

enum vcpu_nmi {
	VCPU_NMI_DONE,	/* handled: a kick, or a capture took the vCPU over */
	VCPU_NMI_GUEST, /* the guest's own: deliver it to the guest */
	VCPU_NMI_FATAL, /* the operator's, and no capture could start */
};

/** vcpu_nmi() - an NMI exit: a kick (mailbox), a guest NMI, or the operator's crash NMI. */
enum vcpu_nmi vcpu_nmi(struct percpu *cpu);

/**
 * vcpu_io_bitmap() - set the ports vcpu_io() serves in an I/O bitmap of one
 * bit per port (SVM's IOPM, VMX's bitmap A); false if there are none.
 */
bool vcpu_io_bitmap(u8 *bitmap);

/**
 * vcpu_io() - an intercepted port access (port, IN or OUT of size bytes,
 * plain = neither string nor REP; the data in the guest's RAX): the pvpanic
 * port, or the CMOS ports, which the hv performs on the hardware.
 * Returns true if a capture took the vCPU over: the caller must not complete
 * the instruction. Otherwise the caller completes it; an IN got its RAX.
 */
bool vcpu_io(struct percpu *cpu, u16 port, bool in, unsigned int size, bool plain);

/** vcpu_fatal() - registers, recent exits and counters on the console; the vCPU stops. */
void vcpu_fatal(struct percpu *cpu);

/** vcpu_take_sipi() - true, and the vector, if the mailbox holds a start-up IPI to obey. */
bool vcpu_take_sipi(struct percpu *cpu, u32 *vector);

/** vcpu_cpu_loop() - every CPU's life after boot: wait for a SIPI, run until INIT, again. */
void vcpu_cpu_loop(struct percpu *cpu) __noreturn;

#endif /* ASM_VCPU_H */
