/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_GUEST_H
#define ASM_GUEST_H

#include <hv/bootinfo.h>
#include <hv/percpu.h>

/* The RSDP the guest and the capture kernel are given (the hv's rewrite). */
extern u64 guest_rsdp;

/**
 * guest_platform_init() - what the guest and capture kernel will see of the
 * platform: new ACPI root tables (no DMAR/IVRS; pvpanic), and the IOMMUs
 * taken (iommu_init()). Returns nonzero when the hv must not start.
 */
int guest_platform_init(const struct boot_info *bi);

/**
 * guest_boot_linux() - load the guest module as a Linux bzImage with its
 * initrd and command line, build the guest's memory, and run it on cpu.
 * Returns only on error (after printing why) or when the vCPU was parked.
 */
int guest_boot_linux(const struct boot_info *bi, struct percpu *cpu);

#endif /* ASM_GUEST_H */
