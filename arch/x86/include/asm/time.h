/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <hv/types.h>

/** tsc_calibrate() - measure the TSC against the PIT; returns kHz. */
u64 tsc_calibrate(void);

/** udelay() - busy-wait us microseconds (after tsc_calibrate()). */
void udelay(u64 us);

#endif /* ASM_TIME_H */
