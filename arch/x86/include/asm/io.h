/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Port I/O, MSR and XCR accesses: the instructions through which the vCPU core's
 * policy (vcpu.c) touches the platform. Host unit tests, which cannot run
 * them, put a header of the same name first on the include path
 * (tests/stub/asm/io.h) and record the accesses instead.
 */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <hv/types.h>

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

/* XSETBV: only arch/x86/gate.c executes it, with a value its rules passed. */
static inline void xsetbv(u32 index, u64 v)
{
	asm volatile("xsetbv" : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#endif /* ASM_IO_H */
