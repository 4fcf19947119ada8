/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <hv/memmap.h>

/**
 * hv_mm_init() - build the hv's identity map of all RAM and the MMIO below it
 * (or 4 GiB) from the firmware map mem, and switch the calling CPU to it.
 */
int hv_mm_init(const struct memmap *mem);

/** hv_mm_activate() - load the hv page tables on the calling CPU (APs). */
void hv_mm_activate(void);

#endif /* ASM_MM_H */
