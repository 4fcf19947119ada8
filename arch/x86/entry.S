/* SPDX-License-Identifier: GPL-2.0-only */
/* hv exception entry: vectors 0-31 push a frame and call trap_handler(). */

	.text
	.code64

.macro TRAP vec, has_err
	.balign 16
trap_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

/* SDM vol. 3A, 6.3.1: vectors that push an error code. */
TRAP 0, 0
TRAP 1, 0
/* NMI: taken in host mode only when the hv opens GIF to consume one (svm.c). */
	.balign 16
trap_2:
	lock incq host_nmis(%rip)
	iretq
TRAP 3, 0
TRAP 4, 0
TRAP 5, 0
TRAP 6, 0
TRAP 7, 0
TRAP 8, 1
TRAP 9, 0
TRAP 10, 1
TRAP 11, 1
TRAP 12, 1
TRAP 13, 1
TRAP 14, 1
TRAP 15, 0
TRAP 16, 0
TRAP 17, 1
TRAP 18, 0
TRAP 19, 0
TRAP 20, 0
TRAP 21, 1
TRAP 22, 0
TRAP 23, 0
TRAP 24, 0
TRAP 25, 0
TRAP 26, 0
TRAP 27, 0
TRAP 28, 0
TRAP 29, 1
/*
 * #SX: with VM_CR.R_INIT an INIT that reaches the hv is this exception, not
 * a reset (APM vol. 2, 15.27.4 and 15.30.1); taken only when the hv opens
 * GIF after an INIT intercept (svm.c). Counted, the error code dropped.
 */
	.balign 16
trap_30:
	addq	$8, %rsp
	lock incq host_inits(%rip)
	iretq
TRAP 31, 0

	.data
	.balign 8
	.globl	host_nmis
host_nmis:
	.quad	0
	.globl	host_inits
host_inits:
	.quad	0

	.text
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	trap_handler
1:	cli
	hlt
	jmp	1b

	.section .rodata
	.balign 8
	.globl	trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	trap_\v
	.endr
