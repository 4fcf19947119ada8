/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crash capture: the capture kernel staged in the hidden capture region at
 * boot, the SHA-256 of what must not change, and the crash path: one CPU is
 * elected, the region is checked, and the vCPU is handed to the capture kernel.
 */
#ifndef HV_CAPTURE_H
#define HV_CAPTURE_H

#include <hv/bootinfo.h>
#include <hv/memmap.h>
#include <hv/percpu.h>
#include <hv/sha256.h>

#define CAPTURE_MAX_HASHED 4

struct capture_state {
	bool armed;
	unsigned int nhashed;
	struct phys_range hashed[CAPTURE_MAX_HASHED]; /* the region's fixed contents */
	u8 digest[SHA256_DIGEST_SIZE];
	volatile int owner; /* CPU that is capturing, -1 while none */
	u64 later_triggers; /* triggers after the first, recorded only */
};

extern struct capture_state capture;

/**
 * capture_stage() - copy the capture modules into the capture region (arch),
 * hash its fixed contents and arm capture. Bad capture input is reported and
 * leaves capture disarmed; the guest still boots.
 */
void capture_stage(const struct boot_info *bi);

/**
 * crash_trigger() - the guest on cpu crashed (why says how). Elects this CPU,
 * parks the other vCPUs, checks the region and hands the vCPU to the capture
 * kernel: returns true, and the vCPU's state is the capture kernel's entry
 * state (the caller must not complete the exiting instruction). A trigger on
 * another CPU while a capture runs is recorded and parks that vCPU (no
 * return). When capture is impossible (disarmed, region corrupted, capture
 * kernel crashed) the capture_failure policy applies and this does not return.
 */
bool crash_trigger(struct percpu *cpu, const char *why);

/**
 * find_vmcoreinfo() - scan the page starts of the RAM in map for the Linux
 * "VMCOREINFO" ELF note (its buffer is page-aligned). Returns 0 with the
 * physical address and length of its text, or -ENOENT.
 */
int find_vmcoreinfo(const struct memmap *map, u64 *desc_pa, u32 *desc_len);

/* Provided by the architecture. */
int arch_capture_stage(const struct boot_info *bi, struct capture_state *c);
int arch_capture_handover(struct percpu *cpu);
/* Ask every other vCPU to save its state and park (NMI); wait up to 1 s. */
void arch_park_other_cpus(struct percpu *self);
/* Save this vCPU's state for the capture and park it for good. */
void arch_crash_park_self(struct percpu *cpu) __noreturn;
void arch_capture_dump(struct percpu *cpu);
void arch_reboot(void) __noreturn;

#endif /* HV_CAPTURE_H */
