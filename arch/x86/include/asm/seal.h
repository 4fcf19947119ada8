/* SPDX-License-Identifier: GPL-2.0-only */
/* The sealed kexec region (arch/x86/seal.c; arch_seal_kexec() is the hypercall's, in hv/arch.h). */
#ifndef ASM_SEAL_H
#define ASM_SEAL_H

/* seal_reset() - a restart: nothing sealed, the guest's CPUs see the region as RAM again. */
void seal_reset(void);

#endif
