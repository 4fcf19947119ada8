/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <asm/madt.h>
#include <hv/percpu.h>

/**
 * smp_start_aps() - start every application processor into the hv and hold it
 * in the park guest; one the MADT does not list as usable is halted, as the
 * guest will never start it (madt empty: no MADT, every CPU is kept). The
 * vendor backend must be chosen and the boot CPU initialised. Counts the
 * CPUs into nr_cpus_online.
 */
void smp_start_aps(const struct madt_info *madt);

/**
 * smp_apic_mmio_write() - the guest's store of val at gpa in the trapped
 * xAPIC page: its INIT and start-up IPIs go to the target vCPUs' mailboxes,
 * never to the hardware, and an NMI IPI is noted on its targets; the rest
 * reaches the real APIC.
 */
void smp_apic_mmio_write(struct percpu *cpu, u64 gpa, u32 val);

/** smp_x2apic_icr_write() - the same for a WRMSR to the x2APIC ICR (val passed the gate). */
void smp_x2apic_icr_write(struct percpu *cpu, u64 val);

#define CMOS_INDEX_PORT	     0x70 /* RTC/CMOS index (bit 7 masks NMI on old chipsets) */
#define CMOS_DATA_PORT	     0x71
#define CMOS_SHUTDOWN_STATUS 0x0f /* the byte a warm reset reads (MP spec 1.4, B.4) */
#define NMI_REASON_PORT	     0x61 /* system control port B: SERR (bit 7), IOCHK (bit 6) */

/**
 * smp_vcpu_started() - the calling CPU's vCPU was just started by the guest;
 * under apic_trap=boot the xAPIC trap is lifted once every vCPU runs the guest.
 */
void smp_vcpu_started(void);

/**
 * smp_start_up_coming() - the guest on cpu is about to start a CPU (why: it
 * set a CMOS shutdown code, or an INIT reached cpu). Traps the xAPIC page
 * again and returns once every vCPU in guest mode will fault on its next
 * APIC write: false, or true if a capture asked cpu to park meanwhile.
 */
bool smp_start_up_coming(struct percpu *cpu, const char *why);

/**
 * smp_flush_guest() - after a change to the guest's space: every other vCPU
 * running the guest flushes its nested TLB before it runs on (waits up to
 * 1 s). Returns how many did not answer in time, or -1 if a capture began.
 */
int smp_flush_guest(struct percpu *cpu);

/**
 * smp_capture_cpus_open() - at the hand-over: from now on the capture kernel
 * may start the vCPUs that parked (INIT, SIPI), in its own space; a vCPU
 * that did not park stays out. Returns how many it may start.
 */
unsigned int smp_capture_cpus_open(void);

/**
 * smp_capture_cpu_begin() - the calling CPU took a start-up IPI from the
 * capture kernel: true if it may run it (its vCPU then counts as running in
 * the capture space), false once the capture's CPUs were stopped.
 */
bool smp_capture_cpu_begin(struct percpu *cpu);

#endif /* ASM_SMP_H */
