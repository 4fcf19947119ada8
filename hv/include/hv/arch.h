/* SPDX-License-Identifier: GPL-2.0-only */
/* What the generic core asks of the architecture layer (arch/x86). */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <hv/bootinfo.h>
#include <hv/types.h>

/** arch_vendor() - PARACHUTE_VENDOR_* of the active virtualisation backend. */
unsigned int arch_vendor(void);

/** arch_exit_name() - a short name for a vendor exit reason, for logs. */
const char *arch_exit_name(u64 reason);

/** arch_timestamp() - a monotonic per-CPU counter (the TSC on x86). */
u64 arch_timestamp(void);

/** arch_timestamp_us() - arch_timestamp() in microseconds. */
u64 arch_timestamp_us(void);

/** arch_cpu_halt() - stop this CPU with interrupts off, for good. */
void arch_cpu_halt(void) __noreturn;

/**
 * arch_stop_other_cpus() - stop every other CPU's vCPU (best effort, no wait;
 * used on hv panic): they park as on a crash.
 */
void arch_stop_other_cpus(void);

/** arch_dma_isolated() - true if an IOMMU confines every device. */
bool arch_dma_isolated(void);

/** arch_dma_poll() - report the DMA faults the IOMMUs recorded since the last poll. */
void arch_dma_poll(void);

struct parachute_dma_fault;
/**
 * arch_dma_faults() - the most recent blocked DMAs, at most max, oldest
 * first, into out; *total counts all since boot. Returns how many.
 */
unsigned int arch_dma_faults(struct parachute_dma_fault *out, unsigned int max, u64 *total);

/**
 * arch_dma_capture_mode() - from now on devices may write only the capture
 * kernel's memory; the crashed guest's RAM is evidence.
 */
void arch_dma_capture_mode(void);

struct percpu;
/**
 * arch_seal_kexec() - PARACHUTE_HC_SEAL_KEXEC: seal [base, base + size) of
 * guest RAM (size 0: unseal). Returns 0 or a negative PARACHUTE_E* code.
 */
s64 arch_seal_kexec(struct percpu *cpu, u64 base, u64 size, u64 flags);

/**
 * arch_guest_writable() - true if [gpa, gpa + size), within one page, is RAM
 * that cpu's vCPU could write itself in the space it runs in: what a
 * hypercall may write for it (never hidden, sealed or evidence memory).
 */
bool arch_guest_writable(const struct percpu *cpu, u64 gpa, u64 size);

/**
 * arch_in_capture_kernel() - true if cpu's vCPU runs in the capture kernel's
 * space: the capturing vCPU after the hand-over, or a CPU the capture kernel
 * started (docs/smp.md, "The capture kernel's CPUs").
 */
bool arch_in_capture_kernel(const struct percpu *cpu);

/**
 * arch_capture_cpus_stop() - every other vCPU running the capture kernel
 * parks, and the capture kernel starts no more; returns how many did not
 * stop within 1 s.
 */
unsigned int arch_capture_cpus_stop(struct percpu *self);

/**
 * arch_capture_lent() - true if [gpa, gpa + len) lies in RAM lent to the
 * capture kernel at the crash (its own memory, as the capture region is).
 */
bool arch_capture_lent(u64 gpa, u64 len);

#endif /* HV_ARCH_H */
