/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host builds (unit tests, fuzzers): the port I/O, MSR and XCR accesses of
 * arch/x86/include/asm/io.h as functions that record and answer instead of
 * touching the machine (tests/stub/stub.c, or a test's own). tests/stub comes
 * first on the include path of the tests and fuzzers that compile the vCPU
 * core or the gate.
 */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <hv/types.h>

u64 rdmsr(u32 msr);
void wrmsr(u32 msr, u64 v);
void xsetbv(u32 index, u64 v);
void outb(u16 port, u8 v);
u8 inb(u16 port);

#endif /* ASM_IO_H */
