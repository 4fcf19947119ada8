/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's local APIC: reads go straight to the hardware, writes are
 * trapped (xAPIC page read-only in the nested tables, x2APIC ICR MSR
 * intercepted) so that no INIT or start-up IPI from the guest ever reaches a
 * CPU the hv holds. Every other write is performed on the real APIC. The
 * xAPIC page trap is lifted while no start-up can come (apic_trap=boot).
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <asm/guest_mem.h>
#include <hv/percpu.h>

/* Local APIC registers and ICR fields the hv reads and the guest writes (SDM vol. 3A, 11.6.1). */
#define APIC_LDR	 0x0d0
#define APIC_ICR_LO	 0x300
#define APIC_ICR_HI	 0x310
#define ICR_MODE(lo)	 (((lo) >> 8) & 7)
#define ICR_MODE_NMI	 4
#define ICR_MODE_INIT	 5
#define ICR_MODE_STARTUP 6

/**
 * apic_trap_init() - write-protect the xAPIC page in gpm: the guest's space
 * (apic_trap_set() switches it later) or the capture kernel's (for good).
 */
int apic_trap_init(struct gpm *gpm);

/**
 * apic_trap_set() - write-protect the xAPIC page (on) or map it writable;
 * bumps the space's generation. The caller makes the vCPUs flush (smp.c).
 */
int apic_trap_set(bool on);

/** apic_trap_armed() - true while the xAPIC page is write-protected. */
bool apic_trap_armed(void);

/**
 * apic_is_trapped() - true if gpa lies in the xAPIC page (a write that
 * faults there is emulated, armed or not: a stale TLB entry may fault).
 */
bool apic_is_trapped(u64 gpa);

/** apic_ldr() - the calling CPU's logical destination register, as the guest set it. */
u32 apic_ldr(void);

/**
 * apic_lint1_takes_nmi() - true if the calling CPU's LINT1 is an unmasked NMI
 * input, where a platform (operator) NMI arrives (MADT local APIC NMI).
 */
bool apic_lint1_takes_nmi(void);

/** apic_mmio_read() - read the real APIC register at gpa (for XCHG). */
u32 apic_mmio_read(u64 gpa);

/**
 * apic_send_ipi() - send an IPI from the calling CPU's APIC (xAPIC or x2APIC):
 * icr is the low ICR word, apic_id the physical destination (ignored with a
 * destination shorthand).
 */
void apic_send_ipi(u32 apic_id, u32 icr);

/**
 * apic_self_nmi() - send an NMI to the calling CPU (APIC ID apic_id), from NMI
 * context: an xAPIC ICR high word the interrupted code wrote is kept.
 */
void apic_self_nmi(u32 apic_id);

/**
 * apic_quiesce() - what the crashing kernel's kexec path would do and cannot be
 * trusted to: stop and mask the local APIC's timer and LVTs, EOI every vector
 * in service, put LINT0/LINT1 back in virtual-wire mode (ExtINT, NMI), and
 * mask every pin of the IO-APICs at ioapic[0..n). The kernel that comes
 * next (named by next, for the log) then finds interrupts as firmware left them.
 */
void apic_quiesce(const u64 *ioapic, unsigned int n, const char *next);

/** apic_quiesce_local() - apic_quiesce()'s part for the calling CPU's local APIC; returns its EOIs. */
unsigned int apic_quiesce_local(void);

#endif /* ASM_APIC_H */
