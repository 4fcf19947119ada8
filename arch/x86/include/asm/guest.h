/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_GUEST_H
#define ASM_GUEST_H

#include <hv/bootinfo.h>
#include <hv/percpu.h>

/**
 * guest_boot_linux() - load the guest module as a Linux bzImage with its
 * initrd and command line, build the guest's memory, and run it on cpu.
 * Returns only on error (after printing why) or when the vCPU was parked.
 */
int guest_boot_linux(const struct boot_info *bi, struct percpu *cpu);

#endif /* ASM_GUEST_H */
