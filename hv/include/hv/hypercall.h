/* SPDX-License-Identifier: GPL-2.0-only */
/* Generic hypercall service; the vendor layer extracts registers and checks CPL. */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <hv/percpu.h>
#include <hv/types.h>

/* A hypercall's number and arguments as the guest passed them, and its result. */
struct hypercall_args {
	u64 nr, a0, a1, a2;
	s64 ret; /* for the guest's RAX */
};

/**
 * hypercall() - serve the hypercall in a for the guest on cpu. cpl is the
 * caller's privilege level; anything but 0 is refused with -PARACHUTE_EPERM
 * before the number is looked at. Returns VCPU_SKIP with a->ret set, or what
 * a capture the call started makes of the vCPU (crash_trigger()).
 */
enum vcpu_action hypercall(struct percpu *cpu, unsigned int cpl, struct hypercall_args *a);

#endif /* HV_HYPERCALL_H */
