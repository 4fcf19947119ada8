/* SPDX-License-Identifier: GPL-2.0-only */
/* Fixed addresses and sizes, shared by C and assembly. docs/memory.md explains them. */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define HV_LOAD_ADDR  0x00100000 /* the hv image: 1 MiB */
#define HV_STACK_SIZE 0x4000	 /* per-CPU hv stack */
#define HV_MAX_CPUS   16

/* Low guest pages the Linux loader writes before the guest starts. */
#define GUEST_GDT_ADDR	       0x6000
#define AP_TRAMPOLINE_ADDR     0x7000 /* used only while the hv starts APs */
#define GUEST_BOOT_PARAMS_ADDR 0x8000
#define GUEST_CMDLINE_ADDR     0x9000
#define GUEST_CMDLINE_MAX      0x1000

#define BOOT_CS 0x08 /* hv's 64-bit code segment */
#define BOOT_DS 0x10

#endif /* ASM_LAYOUT_H */
