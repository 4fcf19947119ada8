/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * int vmx_enter(struct guest_regs *regs, int launched)
 * Loads every guest GPR but RSP (the VMCS holds RSP and RIP), enters the guest
 * with VMLAUNCH or VMRESUME, and after the VM exit stores them back.
 * Returns 0 after a VM exit, 1 if the entry failed with VMfailInvalid,
 * 2 with VMfailValid (the reason is in the VM-instruction error field).
 * The exit lands at vmx_exit, the VMCS host RIP, on the stack this function
 * wrote as host RSP.
 */
#include "guest_regs.inc"

#define HOST_RSP 0x6c14

	.text
	.code64
	.globl	vmx_enter
vmx_enter:
	PUSH_CALLEE_SAVED
	pushq	%rdi			/* regs, for after the exit */

	movl	$HOST_RSP, %eax
	vmwrite	%rsp, %rax

	testl	%esi, %esi
	movq	R_RAX(%rdi), %rax
	LOAD_GUEST_GPRS %rdi
	movq	R_RDI(%rdi), %rdi	/* mov leaves ZF from the test above */
	jz	1f
	vmresume
	jmp	2f
1:	vmlaunch
2:	/* Still here: the entry failed. CF=1 VMfailInvalid, ZF=1 VMfailValid. */
	movl	$1, %eax
	jc	3f
	movl	$2, %eax
3:	addq	$8, %rsp
	jmp	4f

	.globl	vmx_exit
vmx_exit:
	pushq	%rdi			/* guest RDI */
	movq	8(%rsp), %rdi		/* regs */
	movq	%rax, R_RAX(%rdi)
	SAVE_GUEST_GPRS %rdi
	popq	R_RDI(%rdi)
	addq	$8, %rsp
	xorl	%eax, %eax
4:	POP_CALLEE_SAVED
	ret

/*
 * NMI taken in VMX root operation (the hv between two VM entries). Unlike
 * SVM there is no GIF to hold it, and the run loop may already have looked
 * at its mailbox. So the NMI is sent again to this CPU and the handler returns
 * without IRET: NMIs stay blocked, the copy stays pending, and the next VM
 * entry (virtual NMIs: physical NMIs are never blocked in the guest) exits
 * at once with an NMI exit that the run loop handles.
 */
	.globl	vmx_host_nmi
vmx_host_nmi:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbp
	movq	%rsp, %rbp		/* callee-saved: survives the call */
	andq	$-16, %rsp
	call	vmx_host_nmi_repost
	movq	%rbp, %rsp
	popq	%rbp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	/*
	 * Left: rax, then the frame rip, cs, rflags, rsp, ss. Put rax, rflags
	 * and rip just below the interrupted RSP (the hv has no red zone) and
	 * return through them. Everything is read before anything is written:
	 * the frame itself may lie in those 24 bytes.
	 */
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	movq	56(%rsp), %rax		/* interrupted rsp */
	movq	24(%rsp), %rbx		/* saved rax */
	movq	48(%rsp), %rcx		/* rflags */
	movq	32(%rsp), %rdx		/* rip */
	movq	%rbx, -24(%rax)
	movq	%rcx, -16(%rax)
	movq	%rdx, -8(%rax)
	popq	%rdx
	popq	%rcx
	popq	%rbx
	leaq	-24(%rax), %rsp
	popq	%rax
	popfq
	ret

/*
 * void vmx_unblock_nmis(void): an IRET to the next instruction, in VMX root
 * operation. An NMI that caused a VM exit, or one the entry gave the guest
 * (whose own IRET ends only virtual-NMI blocking), may leave NMIs blocked in
 * the hv (SDM vol. 3A, 6.7.1: until the next IRET; Bochs does so), and then
 * no kick would reach this CPU again. KVM and Jailhouse run an IRET after NMI
 * exits for the same reason.
 */
	.globl	vmx_unblock_nmis
vmx_unblock_nmis:
	movq	%rsp, %rax
	pushq	$0x10			/* SS: the hv's data segment (HOST_SS_SEL) */
	pushq	%rax
	pushfq
	pushq	$0x08			/* CS: the hv's code segment (HOST_CS_SEL) */
	leaq	1f(%rip), %rax
	pushq	%rax
	iretq
1:	ret
