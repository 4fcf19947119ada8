/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * void svm_vmrun(struct guest_regs *regs, u64 vmcb_pa)
 * Loads the guest GPRs that the VMCB does not hold (all but RAX and RSP),
 * runs the guest until the next #VMEXIT, and stores them back.
 * VMLOAD/VMSAVE move the guest's FS, GS, TR, LDTR and syscall MSRs
 * (APM vol. 2, 15.5.2); the hv itself uses none of them.
 */
#define R_RBX	0x08
#define R_RCX	0x10
#define R_RDX	0x18
#define R_RSI	0x20
#define R_RDI	0x28
#define R_RBP	0x30
#define R_R8	0x38
#define R_R9	0x40
#define R_R10	0x48
#define R_R11	0x50
#define R_R12	0x58
#define R_R13	0x60
#define R_R14	0x68
#define R_R15	0x70

	.text
	.code64
	.globl	svm_vmrun
svm_vmrun:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushq	%rdi			/* regs, for after the exit */

	movq	%rsi, %rax		/* VMRUN takes the VMCB in RAX */
	movq	R_RBX(%rdi), %rbx
	movq	R_RCX(%rdi), %rcx
	movq	R_RDX(%rdi), %rdx
	movq	R_RSI(%rdi), %rsi
	movq	R_RBP(%rdi), %rbp
	movq	R_R8(%rdi), %r8
	movq	R_R9(%rdi), %r9
	movq	R_R10(%rdi), %r10
	movq	R_R11(%rdi), %r11
	movq	R_R12(%rdi), %r12
	movq	R_R13(%rdi), %r13
	movq	R_R14(%rdi), %r14
	movq	R_R15(%rdi), %r15
	movq	R_RDI(%rdi), %rdi

	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	pushq	%rdi			/* guest RDI */
	movq	8(%rsp), %rdi		/* regs */
	movq	%rbx, R_RBX(%rdi)
	movq	%rcx, R_RCX(%rdi)
	movq	%rdx, R_RDX(%rdi)
	movq	%rsi, R_RSI(%rdi)
	movq	%rbp, R_RBP(%rdi)
	movq	%r8, R_R8(%rdi)
	movq	%r9, R_R9(%rdi)
	movq	%r10, R_R10(%rdi)
	movq	%r11, R_R11(%rdi)
	movq	%r12, R_R12(%rdi)
	movq	%r13, R_R13(%rdi)
	movq	%r14, R_R14(%rdi)
	movq	%r15, R_R15(%rdi)
	popq	R_RDI(%rdi)
	addq	$8, %rsp

	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
