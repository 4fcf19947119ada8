// SPDX-License-Identifier: GPL-2.0-only
/* The capture history (hv/include/hv/history.h, docs/capture.md). */
#include <hv/history.h>
#include <hv/lib.h>
#include <hv/spinlock.h>

static struct parachute_capture_record hist[PARACHUTE_HISTORY_MAX];
static u64 hist_total; /* captures since boot; the newest is hist[(hist_total - 1) % MAX] */
static spinlock_t hist_lock;

/* Printable ASCII, NUL-terminated within n: what the guest reads is text. */
static void set_text(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	memset(dst + i, 0, n - i);
}

static struct parachute_capture_record *newest(void)
{
	return hist_total ? &hist[(hist_total - 1) % PARACHUTE_HISTORY_MAX] : NULL;
}

void history_begin(const char *trigger, unsigned int cpu, u64 trigger_tsc)
{
	struct parachute_capture_record *r;

	spin_lock(&hist_lock);
	r = &hist[hist_total++ % PARACHUTE_HISTORY_MAX];
	*r = (struct parachute_capture_record){ .trigger_tsc = trigger_tsc, .cpu = cpu };
	set_text(r->trigger, sizeof(r->trigger), trigger);
	spin_unlock(&hist_lock);
}

void history_outcome(u32 outcome, u64 ms, const char *msg)
{
	struct parachute_capture_record *r;

	spin_lock(&hist_lock);
	r = newest();
	if (r && !(outcome == PARACHUTE_OUTCOME_STARTED && r->outcome > outcome)) {
		r->outcome = outcome;
		r->outcome_ms = (u32)MIN(ms, (u64)~0u);
		if (msg)
			set_text(r->message, sizeof(r->message), msg);
	}
	spin_unlock(&hist_lock);
}

void history_restarted(void)
{
	struct parachute_capture_record *r;

	spin_lock(&hist_lock);
	r = newest();
	if (r)
		r->restarted = 1;
	spin_unlock(&hist_lock);
}

unsigned int history_read(struct parachute_capture_record *out, unsigned int max, u64 *all)
{
	unsigned int n;

	spin_lock(&hist_lock);
	n = (unsigned int)MIN(MIN(hist_total, (u64)PARACHUTE_HISTORY_MAX), (u64)max);
	for (unsigned int i = 0; i < n; i++)
		out[i] = hist[(hist_total - n + i) % PARACHUTE_HISTORY_MAX];
	*all = hist_total;
	spin_unlock(&hist_lock);
	return n;
}
