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

/*
 * What the deadline guards: the guest (it pets), or a capture kernel's boot
 * (capture_timeout=: from the hand-over to its check-in, CAPTURE_REPORT).
 */
enum watchdog_mode { WATCHDOG_OFF, WATCHDOG_GUEST, WATCHDOG_CAPTURE };

/**
 * watchdog_set() - PARACHUTE_HC_WATCHDOG: arm or pet for ms (0: stop).
 * Returns 0 or a negative PARACHUTE_E* code.
 */
s64 watchdog_set(struct percpu *cpu, u64 ms);

/** watchdog_due() - true once the deadline has passed; cheap, for every exit. */
bool watchdog_due(void);

/** watchdog_stop() - a capture began, the guest asked, the capture kernel checked in. */
void watchdog_stop(void);

/** watchdog_capture_start() - the hand-over is done: the capture kernel has ms to check in. */
void watchdog_capture_start(u64 ms);

/**
 * watchdog_gen() - changes whenever the watchdog starts or stops: each vCPU
 * compares it with the one it last applied (arch: extra exits on or off).
 */
u32 watchdog_gen(void);
enum watchdog_mode watchdog_mode(void);

/** watchdog_status() - the timeout and what is left of it, in ms (0, 0 stopped). */
void watchdog_status(u32 *timeout_ms, u32 *left_ms);

#endif /* HV_WATCHDOG_H */
