/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading the crashed kernel's VMCOREINFO note (kernel/crash_core.c): lines
 * of KEY=VALUE text, such as SYMBOL(_stext)=ffffffff81000000 (hex),
 * NUMBER(phys_base)=-461373440 (decimal, signed) and KERNELOFFSET=21600000
 * (hex). The guest wrote it and may have damaged it: every value is parsed
 * within the note's length and checked for its form.
 */
#ifndef HV_VMCOREINFO_H
#define HV_VMCOREINFO_H

#include <hv/types.h>

/**
 * vmcoreinfo_hex() - the hex value of the line "key=..." in text (len bytes):
 * SYMBOL(name), KERNELOFFSET. Returns 0, or -ENOENT if there is no such line
 * or its value is not hex digits ending the line.
 */
int vmcoreinfo_hex(const char *text, u32 len, const char *key, u64 *val);

/** vmcoreinfo_number() - the same for a signed decimal value: NUMBER(name), SIZE(name). */
int vmcoreinfo_number(const char *text, u32 len, const char *key, s64 *val);

#endif /* HV_VMCOREINFO_H */
