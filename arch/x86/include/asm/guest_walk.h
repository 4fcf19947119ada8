/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest linear to guest-physical translation through the guest's own page tables. */
#ifndef ASM_GUEST_WALK_H
#define ASM_GUEST_WALK_H

#include <hv/types.h>

struct guest_paging {
	u64 cr0, cr3, cr4, efer;
	/* Reads guest-physical memory; fails for anything but guest RAM. */
	int (*read_phys)(const void *ctx, u64 pa, void *buf, unsigned int n);
	const void *ctx; /* read_phys's first argument */
};

/**
 * guest_translate() - walk the guest's page tables for linear address la in
 * whatever mode CR0/CR4/EFER select (none, 32-bit, PAE, 4- or 5-level).
 * Returns 0 and the physical address, or -EFAULT if not mapped or a table
 * lies outside guest RAM.
 */
int guest_translate(const struct guest_paging *gp, u64 la, u64 *pa);

/** guest_read_linear() - read n bytes at la, which may cross a page boundary. */
int guest_read_linear(const struct guest_paging *gp, u64 la, void *buf, unsigned int n);

/* Linux's __START_KERNEL_map: where x86-64 kernels link their text. */
#define GUEST_START_KERNEL_MAP 0xffffffff80000000ull

/**
 * guest_vmcoreinfo_fits() - whether a VMCOREINFO note (its text vi, len
 * bytes) describes the kernel whose tables gp walks, and not one that ran
 * before it (a note left in RAM by a kernel the guest kexec'd from): its
 * _stext maps to where its phys_base puts it. With KASLR each boot moves
 * _stext. A note without either line, or paging other than 4-level long
 * mode, cannot be told apart and is accepted.
 */
bool guest_vmcoreinfo_fits(const struct guest_paging *gp, const char *vi, u32 len);

#endif /* ASM_GUEST_WALK_H */
