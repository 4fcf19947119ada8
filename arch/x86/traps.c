// SPDX-License-Identifier: GPL-2.0-only
/* hv exceptions: every one is the hv's own fault, so report it and stop. */
#include <asm/processor.h>
#include <asm/traps.h>
#include <hv/hv.h>
#include <hv/printk.h>

struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;
};

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

static struct idt_entry idt[32] __aligned(16);
extern const u64 trap_stubs[32];

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed desc = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(desc));
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 32; v++) {
		u64 a = trap_stubs[v];

		idt[v].offset_lo = (u16)a;
		idt[v].selector = 0x08;
		idt[v].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		idt[v].offset_mid = (u16)(a >> 16);
		idt[v].offset_hi = (u32)(a >> 32);
	}
	idt_load();
}

void idt_set_nmi(const void *handler)
{
	u64 a = (u64)(uintptr_t)handler;

	idt[X86_EXC_NMI].offset_lo = (u16)a;
	idt[X86_EXC_NMI].offset_mid = (u16)(a >> 16);
	idt[X86_EXC_NMI].offset_hi = (u32)(a >> 32);
}

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
	u64 cr2;

	asm volatile("mov %%cr2, %0" : "=r"(cr2));
	pr_err("hv exception %llu (error 0x%llx) at rip 0x%llx, cr2 0x%llx",
	       (unsigned long long)f->vector, (unsigned long long)f->error,
	       (unsigned long long)f->rip, (unsigned long long)cr2);
	pr_err("rax %016llx rbx %016llx rcx %016llx rdx %016llx", (unsigned long long)f->rax,
	       (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	pr_err("rsi %016llx rdi %016llx rbp %016llx rsp %016llx", (unsigned long long)f->rsi,
	       (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->rsp);
	hv_panic("unexpected exception in the hv");
}
