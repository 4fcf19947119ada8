/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <hv/percpu.h>

/**
 * smp_start_aps() - start every application processor into the hv and hold it
 * in the park guest. The vendor backend must be chosen and the boot CPU
 * initialised. Counts the CPUs into nr_cpus_online.
 */
void smp_start_aps(void);

/**
 * smp_guest_startup_ipi() - a guest INIT or start-up IPI (ICR low word lo,
 * destination dest) sent from cpu: delivered to the target vCPUs' mailboxes,
 * never to the hardware.
 */
void smp_guest_startup_ipi(struct percpu *from, u32 lo, u32 dest);

/** smp_note_guest_nmi() - count a guest NMI IPI on its targets, to re-inject it there. */
void smp_note_guest_nmi(struct percpu *from, u32 lo, u32 dest);

#endif /* ASM_SMP_H */
