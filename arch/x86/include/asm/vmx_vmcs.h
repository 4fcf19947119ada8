/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX backend in two files: arch/x86/vmx_vmcs.c reads the CPU model's
 * VMX capabilities, builds each VMCS (host state, controls, bitmaps, the
 * guest state of an entry) and reads and writes the guest's registers in
 * it; arch/x86/vmx.c runs it (VM entry, the exit table, events, NMI
 * windows, parking). The hooks here are vendor hooks (asm/vcpu.h) that
 * vmx_vmcs.c serves.
 */
#ifndef ASM_VMX_VMCS_H
#define ASM_VMX_VMCS_H

#include <asm/vcpu.h>

/* What this CPU model allows, read once by vmx_probe() and vmx_read_controls(). */
struct vmx_caps {
	u32 revision;
	u32 pin, cpu, cpu2, exit, entry; /* the controls every VMCS gets */
	u64 cr0_must1, cr0_may1, cr4_must1, cr4_may1;
	bool invept_all;
	bool preempt_timer, pause_exiting; /* what the watchdog may use */
	u32 preempt_rate;		   /* the timer ticks every 2^rate TSC ticks */
};

extern struct vmx_caps vmx_caps;

int vmx_read_controls(u64 basic);
int vmx_vmcs_init(void);
void vmx_setup(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm);
u64 vmx_get(struct percpu *cpu, enum vcpu_reg reg);
void vmx_set(struct percpu *cpu, enum vcpu_reg reg, u64 val);
void vmx_load_pdptes(struct percpu *cpu, const u64 pdpte[4]);
void vmx_save_state(struct percpu *cpu, struct x86_cpu_state *s);
void vmx_watch_nmi(struct percpu *cpu, bool on);
void vmx_flush(struct percpu *cpu);

#endif /* ASM_VMX_VMCS_H */
