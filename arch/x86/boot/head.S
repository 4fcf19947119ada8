/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv entry: Multiboot (QEMU -kernel) and Multiboot2 (GRUB) headers, the 32-bit
 * entry both loaders jump to, the switch to long mode, and the real-mode
 * trampoline that application processors start in.
 */
#include <asm/layout.h>

#define MB1_MAGIC	0x1badb002
/* Page-align modules, give a memory map, use the address fields (a.out kludge):
 * QEMU refuses ELF64 Multiboot images unless the address fields are used. */
#define MB1_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC	0xe85250d6
#define MSR_EFER	0xc0000080

	.section .multiboot, "a"
	.balign 4
mb1_header:
	.long	MB1_MAGIC
	.long	MB1_FLAGS
	.long	-(MB1_MAGIC + MB1_FLAGS)
	.long	mb1_header		/* header_addr */
	.long	__image_start		/* load_addr */
	.long	__load_end		/* load_end_addr */
	.long	__image_end		/* bss_end_addr */
	.long	_start			/* entry_addr */

	.balign 8
mb2_header:
	.long	MB2_MAGIC
	.long	0			/* i386 */
	.long	mb2_header_end - mb2_header
	.long	-(MB2_MAGIC + (mb2_header_end - mb2_header))
	.balign 8			/* entry address tag */
	.short	3, 0
	.long	12
	.long	_start
	.balign 8			/* page-align modules */
	.short	6, 0
	.long	8
	.balign 8			/* a framebuffer, optional, any mode: the guest's console */
	.short	5, 1		/* under UEFI there is no text mode to fall back to */
	.long	20
	.long	0, 0, 0
	.balign 8			/* end tag */
	.short	0, 0
	.long	8
mb2_header_end:

/* PAE, CR3, EFER.LME, paging, 64-bit GDT; needs no stack (APs start together). */
.macro ENTER_LONG_MODE
	movl	%cr4, %eax
	orl	$(1 << 5), %eax		/* PAE */
	movl	%eax, %cr4
	movl	$boot_pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(1 << 8), %eax		/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* PG | PE */
	movl	%eax, %cr0
	lgdt	gdt64_desc
.endm

	.section .text.boot, "ax"
	.code32
	.globl	_start
_start:
	cli
	cld
	movl	%eax, %edi		/* loader magic */
	movl	%ebx, %esi		/* loader information */
	movl	$(cpu_stacks + HV_STACK_SIZE), %esp

	/* Long mode present? (CPUID 0x80000001 EDX bit 29) */
	movl	$0x80000000, %eax
	cpuid
	cmpl	$0x80000001, %eax
	jb	no_long_mode
	movl	$0x80000001, %eax
	cpuid
	btl	$29, %edx
	jnc	no_long_mode

	/* Identity map of the first 4 GiB with 2 MiB pages: 4 PDs, 1 PDPT, 1 PML4. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* present, writable, 2 MiB */
	movl	%eax, boot_pd(, %ecx, 8)
	movl	$0, boot_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$(boot_pd + 0x3), %eax
	movl	%eax, boot_pdpt(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	2b
	movl	$(boot_pdpt + 0x3), boot_pml4

	ENTER_LONG_MODE
	ljmp	$BOOT_CS, $bsp_long_entry

no_long_mode:
	movl	$no_lm_msg, %ebx
3:	movb	(%ebx), %al
	testb	%al, %al
	jz	4f
	movw	$0x3f8, %dx
	outb	%al, %dx
	incl	%ebx
	jmp	3b
4:	hlt
	jmp	4b

	.code64
bsp_long_entry:
	movw	$BOOT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$(cpu_stacks + HV_STACK_SIZE), %rsp
	movl	%edi, %edi
	movl	%esi, %esi
	call	hv_start
5:	cli
	hlt
	jmp	5b

ap_long_entry:
	movw	$BOOT_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movl	$1, %eax
	lock xaddl %eax, ap_next_id
	cmpl	$HV_MAX_CPUS, %eax
	jae	6f
	movl	%eax, %edi		/* cpu id */
	leal	1(%eax), %eax
	imull	$HV_STACK_SIZE, %eax
	leaq	cpu_stacks(%rip), %rsp
	addq	%rax, %rsp
	call	ap_start
6:	cli
	hlt
	jmp	6b

/*
 * AP trampoline, copied to AP_TRAMPOLINE_ADDR; the start-up IPI vector is that
 * address >> 12. Runs in real mode with CS = AP_TRAMPOLINE_ADDR >> 4.
 */
#define TRAMP(sym)	(AP_TRAMPOLINE_ADDR + (sym) - ap_trampoline)
	.code16
	.balign 16
	.globl	ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	tramp_gdt_desc - ap_trampoline
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $TRAMP(tramp32)
	.code32
tramp32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	ENTER_LONG_MODE
	ljmp	$BOOT_CS, $ap_long_entry
	.balign 8
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 32-bit flat code */
	.quad	0x00cf92000000ffff	/* 32-bit flat data */
tramp_gdt_desc:
	.short	tramp_gdt_desc - tramp_gdt - 1
	.long	TRAMP(tramp_gdt)
ap_trampoline_end:

	.section .rodata
no_lm_msg:
	.asciz	"parachute: this CPU has no long mode (x86-64); halted.\r\n"

	.balign 8
gdt64:
	.quad	0
	.quad	0x00af9a000000ffff	/* BOOT_CS: 64-bit code */
	.quad	0x00cf92000000ffff	/* BOOT_DS: data */
gdt64_end:
	.globl	gdt64_desc
gdt64_desc:
	.short	gdt64_end - gdt64 - 1
	.quad	gdt64

	.data
	.globl	ap_next_id
ap_next_id:
	.long	1

	.section .bss
	.balign 4096
	.globl	boot_pml4
boot_pml4:
	.fill	512, 8, 0
boot_pdpt:
	.fill	512, 8, 0
boot_pd:
	.fill	2048, 8, 0
