/* SPDX-License-Identifier: GPL-2.0-only */
/* Generic hypercall service; the vendor layer extracts registers and checks CPL. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/percpu.h>
#include <hv/types.h>

/**
 * hypercall() - serve hypercall nr with arguments a0..a2 for the guest on cpu.
 * cpl is the caller's privilege level; anything but 0 is refused with
 * -PARACHUTE_EPERM before the number is looked at. Returns the value for RAX.
 */
s64 hypercall(struct percpu *cpu, unsigned int cpl, u64 nr, u64 a0, u64 a1, u64 a2);

#endif /* HV_HYPERCALL_H */
