/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hv's watchdog: the guest pets it (PARACHUTE_HC_WATCHDOG) from a timer;
 * past its deadline the hv captures (CRASH_WATCHDOG). The deadline is
 * checked at every VM exit; the architecture makes sure exits come while it
 * is armed, also from a guest that runs with interrupts off (docs/capture.md).
 */
#ifndef HV_WATCHDOG_H
#define HV_WATCHDOG_H

#include <hv/percpu.h>
#include <hv/types.h>

/**
 * watchdog_set() - PARACHUTE_HC_WATCHDOG: arm or pet for ms (0: stop).
 * Returns 0 or a negative PARACHUTE_E* code.
 */
s64 watchdog_set(struct percpu *cpu, u64 ms);

/** watchdog_due() - true once the deadline has passed; cheap, for every exit. */
bool watchdog_due(void);

/** watchdog_stop() - a capture began, or the guest asked: no more deadline. */
void watchdog_stop(void);

/**
 * watchdog_gen() - changes whenever the watchdog starts or stops: each vCPU
 * compares it with the one it last applied (arch: extra exits on or off).
 */
u32 watchdog_gen(void);
bool watchdog_armed(void);

/** watchdog_status() - the timeout and what is left of it, in ms (0, 0 stopped). */
void watchdog_status(u32 *timeout_ms, u32 *left_ms);

#endif /* HV_WATCHDOG_H */
