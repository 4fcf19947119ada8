/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The purgatory (vk.h): copied into the staged file at load, after the
 * staged area, and run by the crashed guest's vCPUs once virt-kdump has set
 * their registers through QEMU's gdbstub: RIP here, CR3 on the identity page
 * tables after this page, CR4 = PAE, RFLAGS = 2 (interrupts off), still in
 * the crashed kernel's 64-bit code segment. Its stack is the top of this page.
 *
 * vCPU 0 (vk_purgatory_entry): no IDT (an exception is a triple fault, not a
 * jump into the crashed kernel), the local APIC quiet, the copies in the
 * parameters, then
 * out of long mode through a 32-bit tail copied below 4 GiB, and into the
 * capture kernel at its PVH entry (32-bit flat, paging off, EBX = start info).
 * The other vCPUs (vk_purgatory_park): their local APICs quiet too (a vCPU
 * stopped by trigger, not by the kernel's panic, still takes interrupts the
 * I/O APIC routes to it), then halted, interrupts off, for good.
 */
#define P_ENTRY	     0
#define P_START_INFO 8
#define P_LOW	     16
#define P_HPET	     24
#define P_IOAPIC     32
#define P_NCOPY	     40
#define P_COPY	     48
#define PARAMS_SIZE  256
#define PAGE_SIZE    4096

#define MSR_APIC_BASE 0x1b
#define MSR_EFER      0xc0000080
#define APIC_MASKED   0x10000

/*
 * The local APIC: every LVT masked, then software-disabled, as the kernel's
 * own stop and crash paths leave it (disable_local_APIC()); no stack used.
 */
.macro QUIET_APIC
	mov	$MSR_APIC_BASE, %ecx
	rdmsr
	bt	$11, %eax
	jnc	.Lquiet_done\@
	bt	$10, %eax
	jc	.Lx2apic\@
	and	$0xfffff000, %eax
	shl	$32, %rdx
	or	%rdx, %rax
	movl	$APIC_MASKED, 0x320(%rax)	/* timer */
	movl	$APIC_MASKED, 0x340(%rax)	/* performance counters */
	movl	$APIC_MASKED, 0x350(%rax)	/* LINT0 */
	movl	$APIC_MASKED, 0x360(%rax)	/* LINT1 */
	movl	$APIC_MASKED, 0x370(%rax)	/* error */
	andl	$~0x100, 0xf0(%rax)		/* SVR: disabled */
	jmp	.Lquiet_done\@
.Lx2apic\@:
	mov	$0x832, %ecx
.Lx2lvt\@:
	mov	$APIC_MASKED, %eax
	xor	%edx, %edx
	wrmsr
	inc	%ecx
	cmp	$0x838, %ecx
	jne	.Lx2lvt\@
	mov	$0x80f, %ecx
	rdmsr
	and	$~0x100, %eax
	wrmsr
.Lquiet_done\@:
.endm

	.section .rodata.purgatory, "a"
	.code64
	.globl vk_purgatory_start, vk_purgatory_entry, vk_purgatory_park, vk_purgatory_end
vk_purgatory_start:
params:
	.fill PARAMS_SIZE, 1, 0

vk_purgatory_entry:
	cli
	cld
	lidt	idt_none(%rip)
	lea	vk_purgatory_start + PAGE_SIZE(%rip), %rsp	/* the top of this page */
	lea	params(%rip), %rbx

	QUIET_APIC

	/*
	 * What Linux's crash shutdown does before kexec (hpet_disable(),
	 * clear_IO_APIC()): the HPET stopped, out of legacy replacement mode,
	 * so that the 8254 drives IRQ 0 again for the capture kernel's timer
	 * check; every I/O APIC entry masked.
	 */
	mov	P_HPET(%rbx), %rax
	test	%rax, %rax
	jz	1f
	movq	$0, 0x10(%rax)			/* general configuration */
1:	mov	P_IOAPIC(%rbx), %rax
	test	%rax, %rax
	jz	copies
	movl	$1, (%rax)			/* IOREGSEL: the version register */
	mov	0x10(%rax), %ecx
	shr	$16, %ecx
	and	$0xff, %ecx			/* the last redirection entry */
	xor	%edx, %edx
2:	lea	0x10(%rdx, %rdx), %r10d		/* entry edx, low half */
	movl	%r10d, (%rax)
	movl	$APIC_MASKED, 0x10(%rax)
	inc	%r10d				/* high half */
	movl	%r10d, (%rax)
	movl	$0, 0x10(%rax)
	inc	%edx
	cmp	%ecx, %edx
	jbe	2b

copies:
	mov	P_NCOPY(%rbx), %r8
	lea	P_COPY(%rbx), %r9
1:	test	%r8, %r8
	jz	tail_out
	mov	0(%r9), %rdi
	mov	8(%r9), %rsi
	mov	16(%r9), %rcx
	cmp	$-1, %rsi
	je	2f
	rep movsb
	jmp	3f
2:	xor	%eax, %eax
	rep stosb
3:	add	$24, %r9
	dec	%r8
	jmp	1b

	/* The 32-bit tail and its GDT below 4 GiB, then a far return into it. */
tail_out:
	mov	P_LOW(%rbx), %rdx
	mov	%rdx, %rdi
	lea	tail(%rip), %rsi
	mov	$(tail_end - tail), %ecx
	rep movsb
	lea	(gdt - tail)(%rdx), %rax
	mov	%rax, (gdtr - tail + 2)(%rdx)
	lgdt	(gdtr - tail)(%rdx)
	mov	P_ENTRY(%rbx), %esi
	mov	P_START_INFO(%rbx), %ebx
	pushq	$0x08
	pushq	%rdx
	lretq

vk_purgatory_park:
	cli
	QUIET_APIC
1:	hlt
	jmp	1b

	.balign 8
idt_none:
	.word	0
	.quad	0

	.code32
tail:
	mov	$0x10, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	mov	%cr0, %eax
	and	$0x7fffffff, %eax
	mov	%eax, %cr0			/* paging off: out of long mode */
	mov	$MSR_EFER, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	mov	%eax, %cr4
	jmp	*%esi
	.balign 8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code, flat */
	.quad	0x00cf92000000ffff		/* 0x10: data, flat */
gdtr:
	.word	gdtr - gdt - 1
	.quad	0
tail_end:
vk_purgatory_end:

	.section .note.GNU-stack, "", @progbits
