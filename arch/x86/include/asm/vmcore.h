/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vmcore's description at the hand-over (arch/x86/vmcore.c): the ELF
 * core header the capture kernel reads as /proc/vmcore's map.
 */
#ifndef ASM_VMCORE_H
#define ASM_VMCORE_H

#include <hv/memmap.h>
#include <hv/percpu.h>
#include <hv/types.h>

/* Where the capture region keeps what the hand-over writes. */
struct vmcore_place {
	u64 elf_pa;    /* the ELF core header (elfcorehdr=) */
	u32 elf_max;   /* its room, bytes */
	u64 backup_pa; /* guest RAM below low_end is copied here, and its PT_LOADs point here */
	u64 low_end;   /* 640 KiB: what the capture kernel runs in below 1 MiB */
	struct memmap *e820; /* the capture kernel's memory map, to take lent RAM (or NULL) */
};

/*
 * Builds the ELF core header of the crash cpu hands over, s being cpu's own
 * state (the others parked with theirs) and logs what it holds. Returns its
 * length, or a negative errno when it does not fit.
 */
long vmcore_build(struct percpu *cpu, const struct x86_cpu_state *s, const struct vmcore_place *at);

#endif
