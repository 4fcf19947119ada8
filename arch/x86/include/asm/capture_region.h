/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capture region's reserved tail, shared by the staging
 * (arch/x86/capture.c), the vmcore's description at the hand-over and the
 * restart (arch/x86/restart.c). The region's layout is in capture.c's
 * opening comment.
 */
#ifndef ASM_CAPTURE_REGION_H
#define ASM_CAPTURE_REGION_H

#include <hv/types.h>

#define TAIL_SIZE    (1 * MiB)
#define TAIL_BP	     0x00000
#define TAIL_CMDLINE 0x01000
#define TAIL_GDT     0x02000
#define TAIL_ELF     0x03000
#define TAIL_ELF_MAX (0x20000 - TAIL_ELF)
#define TAIL_BACKUP  0x20000
#define TAIL_PGT     0xc0000
#define TAIL_PGT_MAX 16 /* pages: PML4, PDPT and a PD per GiB of the region */
#define LOW_MEM_END  0xa0000 /* 640 KiB: what a capture kernel may use below 1 MiB */

/* The tail's physical address: the last MiB of the capture region (0 before it is set up). */
u64 capture_tail(void);

#endif
