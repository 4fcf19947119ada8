// SPDX-License-Identifier: GPL-2.0-only
/* The hv's state as a whole, and the ranges the guest must never see or reach. */
#include <hv/hv.h>
#include <hv/lib.h>
#include <hv/printk.h>

struct hv_state hv;

bool hv_is_hidden(u64 addr, u64 size)
{
	for (unsigned int i = 0; i < hv.nr_hidden; i++)
		if (ranges_overlap(addr, size, hv.hidden[i].start,
				   hv.hidden[i].end - hv.hidden[i].start))
			return true;
	return false;
}

int hv_hide(u64 start, u64 end, const char *what)
{
	if (start == end)
		return 0;
	if (hv.nr_hidden == HV_MAX_HIDDEN)
		return -ENOSPC;
	hv.hidden[hv.nr_hidden].start = start;
	hv.hidden[hv.nr_hidden].end = end;
	hv.hidden[hv.nr_hidden].what = what;
	hv.nr_hidden++;
	pr_info("hidden: 0x%09llx-0x%09llx %s (%llu KiB)", (unsigned long long)start,
		(unsigned long long)end - 1, what, (unsigned long long)(end - start) / KiB);
	return 0;
}
