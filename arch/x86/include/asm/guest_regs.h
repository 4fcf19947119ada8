/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Offsets of struct guest_regs (asm/percpu.h), for svm_entry.S and
 * vmx_entry.S; asm/percpu.h asserts every one against the structure.
 */
#ifndef ASM_GUEST_REGS_H
#define ASM_GUEST_REGS_H

#define R_RAX 0x00
#define R_RBX 0x08
#define R_RCX 0x10
#define R_RDX 0x18
#define R_RSI 0x20
#define R_RDI 0x28
#define R_RBP 0x30
#define R_R8  0x38
#define R_R9  0x40
#define R_R10 0x48
#define R_R11 0x50
#define R_R12 0x58
#define R_R13 0x60
#define R_R14 0x68
#define R_R15 0x70

#endif /* ASM_GUEST_REGS_H */
