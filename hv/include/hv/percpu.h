/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU state: one page-aligned structure per physical CPU. The vendor
 * backend's fields live in struct arch_percpu (asm/percpu.h).
 */
#ifndef HV_PERCPU_H
#define HV_PERCPU_H

#include <asm/percpu.h>
#include <hv/types.h>

#define MAX_CPUS	 16
#define EXIT_RING_SIZE	 16
#define EXIT_STATS_SLOTS 48

/* One VM exit as the ring of recent exits keeps it (HyperPlatform style evidence). */
struct exit_record {
	u64 reason;
	u64 info1;
	u64 info2;
	u64 rip;
};

/* Counters per exit reason; a small open table, exits are rare by design. */
struct exit_stats {
	unsigned int used;
	u64 reason[EXIT_STATS_SLOTS];
	u64 count[EXIT_STATS_SLOTS];
	u64 other; /* reasons that found no free slot */
	u64 total;
};

enum cpu_state {
	CPU_OFFLINE = 0,
	CPU_HOST,   /* running hv code, not yet in guest mode */
	CPU_PARKED, /* held in the park guest: cannot be started by the guest */
	CPU_GUEST,  /* running the guest */
	CPU_HALTED, /* stopped for good */
};

/*
 * What a vCPU does after an exit: every exit handler, and the crash trigger,
 * answers with one of these, and the run loop alone acts on it.
 */
enum vcpu_action {
	VCPU_RESUME, /* enter the guest again as it stands (an event may be injected) */
	VCPU_SKIP,   /* complete the exiting instruction, then enter */
	VCPU_RESET,  /* a capture took the vCPU: enter the state it prepared */
	VCPU_LEAVE,  /* the guest sent the vCPU an INIT: wait for a start-up IPI */
	VCPU_PARK,   /* a capture runs elsewhere: record the state and park for good */
	VCPU_FATAL,  /* report the guest state and stop the vCPU */
};

struct percpu {
	unsigned int cpu_id; /* 0 is the boot CPU */
	u32 apic_id;
	volatile enum cpu_state state;
	struct exit_stats stats;
	u64 refused; /* refused guest requests (hypercalls, MSR writes), for log_ratelimit() */
	u64 guest_lines; /* other lines a guest's requests log (loads, watchdog), likewise */
	unsigned int ring_next;
	struct exit_record ring[EXIT_RING_SIZE];
	struct arch_percpu arch;
};

extern struct percpu percpu_area[MAX_CPUS];
extern volatile unsigned int nr_cpus_online;

/** this_cpu() - the per-CPU structure of the calling CPU. */
struct percpu *this_cpu(void);

/** exit_record() - count an exit and push it on the CPU's ring of recent exits. */
void exit_record(struct percpu *cpu, u64 reason, u64 info1, u64 info2, u64 rip);

/** exit_ring_dump() - print the ring, oldest first, naming reasons via name(). */
void exit_ring_dump(const struct percpu *cpu, const char *(*name)(u64 reason));

/** exit_stats_dump() - print the counters per exit reason. */
void exit_stats_dump(const struct percpu *cpu, const char *(*name)(u64 reason));

#endif /* HV_PERCPU_H */
