/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The SVM backend in two files: arch/x86/svm_vmcb.c builds the VMCB (the
 * guest state of an entry, the intercepts and permission maps) and reads
 * and writes the guest's registers in it; arch/x86/svm.c runs it (VMRUN,
 * the exit table, events, parking). The functions here are the vendor
 * hooks (asm/vcpu.h) that svm_vmcb.c serves.
 */
#ifndef ASM_SVM_VMCB_H
#define ASM_SVM_VMCB_H

#include <asm/vcpu.h>

int svm_vmcb_init(void);
void svm_setup(struct percpu *cpu, const struct x86_entry *e, struct gpm *gpm);
u64 svm_get(struct percpu *cpu, enum vcpu_reg reg);
void svm_set(struct percpu *cpu, enum vcpu_reg reg, u64 val);
void svm_save_state(struct percpu *cpu, struct x86_cpu_state *s);
void svm_watch_nmi(struct percpu *cpu, bool on);
void svm_watchdog(struct percpu *cpu, enum watchdog_mode mode);

#endif /* ASM_SVM_VMCB_H */
