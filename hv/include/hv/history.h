/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The capture history: what became of the last PARACHUTE_HISTORY_MAX
 * captures since the machine booted, in the hv's own memory, so that the
 * guest booted again by a restart (restart=on) can tell (PARACHUTE_HC_HISTORY,
 * `parachutectl history`). A machine reset starts it empty.
 */
#ifndef HV_HISTORY_H
#define HV_HISTORY_H

#include <hv/types.h>
#include <parachute/abi.h>

/** history_begin() - a capture began: trigger is what the hv logs for it. */
void history_begin(const char *trigger, unsigned int cpu, u64 trigger_tsc);

/**
 * history_outcome() - the newest capture got to outcome (PARACHUTE_OUTCOME_*)
 * ms after the hand-over, with msg (the report's text or the hv's reason;
 * NULL keeps the one it has). A later outcome never goes back to STARTED.
 */
void history_outcome(u32 outcome, u64 ms, const char *msg);

/** history_restarted() - the guest was booted again after the newest capture. */
void history_restarted(void);

/** history_read() - the last records, oldest first, at most max; total since boot. */
unsigned int history_read(struct parachute_capture_record *out, unsigned int max, u64 *total);

#endif /* HV_HISTORY_H */
