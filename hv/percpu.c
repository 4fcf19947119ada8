// SPDX-License-Identifier: GPL-2.0-only
/* Exit counters and the ring of recent exits, per CPU. */
#include <hv/percpu.h>
#include <hv/printk.h>

struct percpu percpu_area[MAX_CPUS] __aligned(4096);
volatile unsigned int nr_cpus_online;

void exit_record(struct percpu *cpu, u64 reason, u64 info1, u64 info2, u64 rip)
{
	struct exit_stats *st = &cpu->stats;
	struct exit_record *r = &cpu->ring[cpu->ring_next++ % EXIT_RING_SIZE];
	unsigned int i;

	r->reason = reason;
	r->info1 = info1;
	r->info2 = info2;
	r->rip = rip;

	st->total++;
	for (i = 0; i < st->used; i++)
		if (st->reason[i] == reason)
			break;
	if (i == st->used) {
		if (st->used == EXIT_STATS_SLOTS) {
			st->other++;
			return;
		}
		st->reason[i] = reason;
		st->used++;
	}
	st->count[i]++;
}

void exit_ring_dump(const struct percpu *cpu, const char *(*name)(u64 reason))
{
	unsigned int n = cpu->ring_next < EXIT_RING_SIZE ? cpu->ring_next : EXIT_RING_SIZE;

	pr_err("cpu%u: last %u exits, oldest first:", cpu->cpu_id, n);
	for (unsigned int i = cpu->ring_next - n; i != cpu->ring_next; i++) {
		const struct exit_record *r = &cpu->ring[i % EXIT_RING_SIZE];

		pr_err("  %-14s reason=0x%llx info1=0x%llx info2=0x%llx rip=0x%llx",
		       name(r->reason), (unsigned long long)r->reason, (unsigned long long)r->info1,
		       (unsigned long long)r->info2, (unsigned long long)r->rip);
	}
}

void exit_stats_dump(const struct percpu *cpu, const char *(*name)(u64 reason))
{
	const struct exit_stats *st = &cpu->stats;

	pr_info("cpu%u exit counters: %llu exits in all", cpu->cpu_id,
		(unsigned long long)st->total);
	for (unsigned int i = 0; i < st->used; i++)
		pr_info("  %-14s (0x%03llx) %llu", name(st->reason[i]),
			(unsigned long long)st->reason[i], (unsigned long long)st->count[i]);
	if (st->other)
		pr_info("  other          %llu", (unsigned long long)st->other);
}
