/* SPDX-License-Identifier: GPL-2.0-only */
/* State of the hv as a whole, filled in at start-up and read-only afterwards. */
#ifndef HV_HV_H
#define HV_HV_H

#include <hv/bootinfo.h>
#include <hv/memmap.h>
#include <hv/options.h>
#include <hv/types.h>

/* Ranges the guest must never see or reach: hv image, heap, capture region, IOMMU registers. */
#define HV_MAX_HIDDEN 12
/* hv heap: page tables, VMCBs, bitmaps. Taken from RAM next to the capture region. */
#define HV_HEAP_SIZE (8 * MiB)
/* The guest must keep at least this much RAM. */
#define GUEST_MIN_RAM (64 * MiB)

struct hv_state {
	struct hv_options opt;
	struct memmap guest_map; /* e820 the guest is given */
	unsigned int nr_hidden;
	struct phys_range hidden[HV_MAX_HIDDEN];
	u64 heap_base, heap_size;
	u64 capture_base, capture_size;
	u64 restart_base, restart_size; /* the restart stash (restart=on), 0 without */
	u64 tsc_khz;
	u64 start_tsc;
};

extern struct hv_state hv;

/** hv_is_hidden() - true if any byte of [addr, addr + size) belongs to the hv. */
bool hv_is_hidden(u64 addr, u64 size);

/**
 * hv_hide() - add [start, end) to the hidden ranges (before the guest's
 * address space is built). Returns 0 or -ENOSPC.
 */
int hv_hide(u64 start, u64 end, const char *what);

/** hv_panic() - the hv's own fault: print why, dump what is known, stop all CPUs. */
void hv_panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/** hv_halt() - stop this CPU for good after a clean message ("halted"). */
void hv_halt(void) __noreturn;

/**
 * hv_main() - the generic start-up: options, memory plan, then the
 * architecture boots the guest. Never returns; bad input ends in hv_halt().
 */
void hv_main(struct boot_info *bi) __noreturn;

/** arch_boot() - start the CPUs and run the guest described by bi (returns on error). */
int arch_boot(const struct boot_info *bi);

#endif /* HV_HV_H */
