/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_GUEST_H
#define ASM_GUEST_H

#include <hv/bootinfo.h>
#include <hv/percpu.h>

/* The RSDP the guest and the capture kernel are given (the hv's rewrite). */
extern u64 guest_rsdp;

/**
 * guest_acpi_init() - the ACPI tables the guest and the capture kernel will
 * see (guest_rsdp): new root tables without DMAR and IVRS, with a pvpanic
 * device when that trigger is on; the firmware's if none are needed.
 */
void guest_acpi_init(const struct boot_info *bi);

/**
 * guest_boot_linux() - load the guest module as a Linux bzImage with its
 * initrd and command line, build the guest's memory, and run it on cpu.
 * Returns only on error, after printing why.
 */
int guest_boot_linux(const struct boot_info *bi, struct percpu *cpu);

/**
 * guest_prepare_restart() - as guest_boot_linux() places and describes the
 * guest kernel km and initrd im (copies kept by the hv) for a restart, but
 * builds nothing and enters nothing: e is the entry to make.
 */
int guest_prepare_restart(const struct boot_module *km, const struct boot_module *im,
			  struct x86_entry *e);

#endif /* ASM_GUEST_H */
