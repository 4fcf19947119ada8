/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_SMP_H
#define ASM_SMP_H

/**
 * smp_start_aps() - start every application processor into the hv and hold it
 * in the park guest. The vendor backend must be chosen and the boot CPU
 * initialised. Counts the CPUs into nr_cpus_online.
 */
void smp_start_aps(void);

#endif /* ASM_SMP_H */
