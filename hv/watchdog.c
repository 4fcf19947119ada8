// SPDX-License-Identifier: GPL-2.0-only
/* The hv's watchdog (hv/include/hv/watchdog.h, docs/capture.md). */
#include <hv/arch.h>
#include <hv/capture.h>
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>
#include <hv/watchdog.h>
#include <parachute/abi.h>

static struct {
	volatile u64 deadline; /* TSC; 0 while stopped */
	volatile enum watchdog_mode mode;
	volatile u32 gen;
	u32 timeout_ms;
	spinlock_t lock;
} wd;

static u64 ms_to_tsc(u64 ms)
{
	return ms * (hv.tsc_khz ? hv.tsc_khz : 1000000); /* 1 GHz if never measured */
}

s64 watchdog_set(struct percpu *cpu, u64 ms)
{
	bool was;

	if (ms && (ms < PARACHUTE_WATCHDOG_MIN_MS || ms > PARACHUTE_WATCHDOG_MAX_MS))
		return -PARACHUTE_EINVAL;
	if (!crash_source_enabled(CRASH_WATCHDOG)) {
		if (log_ratelimit(&cpu->refused))
			pr_warn("cpu%u: WATCHDOG refused: watchdog=off", cpu->cpu_id);
		return -PARACHUTE_EPERM;
	}
	spin_lock(&wd.lock);
	if (capture_running()) {
		spin_unlock(&wd.lock);
		return -PARACHUTE_EBUSY;
	}
	was = wd.deadline;
	wd.deadline = ms ? arch_timestamp() + ms_to_tsc(ms) : 0;
	wd.mode = ms ? WATCHDOG_GUEST : WATCHDOG_OFF;
	if (!was != !ms || (ms && ms != wd.timeout_ms)) {
		wd.timeout_ms = (u32)ms;
		__atomic_add_fetch(&wd.gen, 1, __ATOMIC_SEQ_CST);
		if (ms)
			pr_info_limited(&cpu->guest_lines, "cpu%u: watchdog %s: the guest has %llu ms between pets",
				cpu->cpu_id, was ? "timeout changed" : "started",
				(unsigned long long)ms);
		else
			pr_info_limited(&cpu->guest_lines, "cpu%u: watchdog stopped by the guest", cpu->cpu_id);
	}
	spin_unlock(&wd.lock);
	return 0;
}

bool watchdog_due(void)
{
	u64 d = wd.deadline;

	return d && arch_timestamp() > d;
}

void watchdog_stop(void)
{
	spin_lock(&wd.lock);
	if (wd.deadline) {
		wd.deadline = 0;
		wd.mode = WATCHDOG_OFF;
		__atomic_add_fetch(&wd.gen, 1, __ATOMIC_SEQ_CST);
	}
	spin_unlock(&wd.lock);
}

void watchdog_capture_start(u64 ms)
{
	spin_lock(&wd.lock);
	wd.deadline = arch_timestamp() + ms_to_tsc(ms);
	wd.timeout_ms = (u32)ms;
	wd.mode = WATCHDOG_CAPTURE;
	__atomic_add_fetch(&wd.gen, 1, __ATOMIC_SEQ_CST);
	spin_unlock(&wd.lock);
}

u32 watchdog_gen(void)
{
	return wd.gen;
}

enum watchdog_mode watchdog_mode(void)
{
	return wd.deadline ? wd.mode : WATCHDOG_OFF;
}

void watchdog_status(u32 *timeout_ms, u32 *left_ms)
{
	u64 d = wd.deadline, now = arch_timestamp();

	*timeout_ms = d ? wd.timeout_ms : 0;
	*left_ms = d && d > now ? (u32)((d - now) / (hv.tsc_khz ? hv.tsc_khz : 1000000)) : 0;
}
