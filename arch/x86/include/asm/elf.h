/* SPDX-License-Identifier: GPL-2.0-only */
/* x86-64 facts for ELF core files (System V ABI AMD64; Linux user_regs_struct). */
#ifndef ASM_ELF_H
#define ASM_ELF_H

#define ELF_MACHINE 62 /* EM_X86_64 */
#define ELF_NGREG   27 /* sizeof(struct user_regs_struct) / 8 */

/* Indices into elf_prstatus.pr_reg: Linux arch/x86/include/asm/user_64.h order. */
enum {
	ELF_R15,
	ELF_R14,
	ELF_R13,
	ELF_R12,
	ELF_RBP,
	ELF_RBX,
	ELF_R11,
	ELF_R10,
	ELF_R9,
	ELF_R8,
	ELF_RAX,
	ELF_RCX,
	ELF_RDX,
	ELF_RSI,
	ELF_RDI,
	ELF_ORIG_RAX,
	ELF_RIP,
	ELF_CS,
	ELF_EFLAGS,
	ELF_RSP,
	ELF_SS,
	ELF_FS_BASE,
	ELF_GS_BASE,
	ELF_DS,
	ELF_ES,
	ELF_FS,
	ELF_GS,
};

#endif /* ASM_ELF_H */
