/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

/** idt_init() - load the hv IDT: every exception is reported, then the hv stops. */
void idt_init(void);

/** idt_load() - load the hv IDT on the calling CPU (APs; idt_init() does the BSP). */
void idt_load(void);

/** idt_set_nmi() - route host NMIs (vector 2) to handler on every CPU. */
void idt_set_nmi(const void *handler);

#endif /* ASM_TRAPS_H */
