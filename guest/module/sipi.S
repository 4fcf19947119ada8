/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The start-up code for an offline CPU (selftest.c, class "init"), copied
 * to SIPI_PAGE and entered by a start-up IPI in real mode at SIPI_PAGE:0. It goes to flat 32-bit protected mode, reads the dword at
 * 1 MiB (the hv's image, where the hv loads: its Multiboot header) and the
 * one at the capture region's address (filled in at +0x100), stores both
 * after a marker at +0x104, and halts for good. In guest mode both reads
 * are all-ones: hidden memory. With +0x110 set it asks for a capture first.
 */
#define SIPI_PAGE   0x5000     /* PC_SIPI_PAGE, pc.h */
#define SIPI_MARKER 0x5eed1e55 /* PC_SIPI_MARKER */
#define AT(x)	    (SIPI_PAGE + (x) - pc_sipi)

	.section .rodata, "a"
	.globl	pc_sipi, pc_sipi_end
	.balign	16
	.code16
pc_sipi:
	cli
	lgdtl	%cs:(gdt_desc - pc_sipi)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $AT(pm32)

	.code32
pm32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movl	$0x100000, %eax
	movl	(%eax), %ebx
	movl	AT(pc_sipi + 0x100), %eax
	movl	(%eax), %ecx
	movl	%ebx, AT(pc_sipi + 0x108)
	movl	%ecx, AT(pc_sipi + 0x10c)
	movl	$SIPI_MARKER, AT(pc_sipi + 0x104)
	/* +0x110: 1 asks for a capture with VMMCALL, 2 with VMCALL (PARACHUTE_HC_CRASH). */
	movl	$3, %eax
	cmpb	$1, AT(pc_sipi + 0x110)
	jne	2f
	vmmcall
2:	cmpb	$2, AT(pc_sipi + 0x110)
	jne	1f
	vmcall
1:	cli
	hlt
	jmp	1b

	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	AT(gdt)
pc_sipi_end:
