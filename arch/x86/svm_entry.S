/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * void svm_vmrun(struct guest_regs *regs, u64 vmcb_pa)
 * Loads the guest GPRs that the VMCB does not hold (all but RAX and RSP),
 * runs the guest until the next #VMEXIT, and stores them back.
 * VMLOAD/VMSAVE move the guest's FS, GS, TR, LDTR and syscall MSRs
 * (APM vol. 2, 15.5.2); the hv itself uses none of them.
 */
#include "guest_regs.inc"

	.text
	.code64
	.globl	svm_vmrun
svm_vmrun:
	PUSH_CALLEE_SAVED
	pushq	%rdi			/* regs, for after the exit */

	movq	%rsi, %rax		/* VMRUN takes the VMCB in RAX */
	LOAD_GUEST_GPRS %rdi
	movq	R_RDI(%rdi), %rdi

	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	pushq	%rdi			/* guest RDI */
	movq	8(%rsp), %rdi		/* regs */
	SAVE_GUEST_GPRS %rdi
	popq	R_RDI(%rdi)
	addq	$8, %rsp

	POP_CALLEE_SAVED
	ret
