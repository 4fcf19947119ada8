/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Back in service without a machine reset (hv option restart=on,
 * PARACHUTE_HC_RESTART): at boot the hv keeps, in a hidden stash, what it
 * needs to boot the production guest again (its kernel, initrd and command
 * line) and the staged capture kernel as it was armed; once the capture
 * kernel has saved the dump it asks for a restart, and the hv puts both back.
 */
#ifndef HV_RESTART_H
#define HV_RESTART_H

#include <hv/bootinfo.h>
#include <hv/percpu.h>
#include <hv/types.h>

/** restart_stash_size() - the stash bi's modules need (2 MiB multiple); 0 under restart=off. */
u64 restart_stash_size(const struct boot_info *bi);

/** restart_keep_guest() - copy the guest kernel, initrd and command line into the stash. */
void restart_keep_guest(const struct boot_info *bi);

/**
 * restart_keep_capture() - copy the armed capture kernel's staged bytes (its
 * hashed ranges) into the stash, after each arming. One that no longer fits
 * (a larger kernel loaded at run time) is logged, and a restart refused.
 */
void restart_keep_capture(void);

/** restart_available() - restart=on and the armed capture kernel kept: RESTART would be taken. */
bool restart_available(void);

/**
 * capture_restart() - PARACHUTE_HC_RESTART from the capturing vCPU: put the
 * stash back, re-arm capture, and return VCPU_RESET into the guest kernel.
 * A refusal returns VCPU_SKIP with *ret a negative PARACHUTE_E* code; a
 * failure once memory was touched resets the machine.
 */
enum vcpu_action capture_restart(struct percpu *cpu, s64 *ret);

#endif /* HV_RESTART_H */
