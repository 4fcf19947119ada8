/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crash capture: the capture kernel staged in the hidden capture region at
 * boot, the SHA-256 of what must not change, and the crash path: one CPU is
 * elected, the region is checked, and the vCPU is handed to the capture kernel.
 */
#ifndef HV_CAPTURE_H
#define HV_CAPTURE_H

#include <hv/arch.h>
#include <hv/bootinfo.h>
#include <hv/memmap.h>
#include <hv/percpu.h>
#include <hv/sha256.h>
#include <hv/spinlock.h>
#include <parachute/abi.h>

#define CAPTURE_MAX_HASHED 16 /* a vmlinux's pieces (12), the initrd, the boot data (2) */

/* What the guest told of its kernel (PARACHUTE_HC_GUEST_INFO), for the vmcore. */
struct guest_kernel_info {
	bool valid;
	u32 task_pid_offset; /* offsetof(struct task_struct, pid) */
	u64 current_task;    /* per-CPU offset of the current task pointer */
	u64 cpu_number;	     /* per-CPU offset of the kernel's CPU number; 0: unknown */
	u64 crashing_cpu;    /* kernel address of crashing_cpu; 0: unknown */
	u64 vmcoreinfo_note; /* physical address of the VMCOREINFO note; 0: scan for it */
};

/* What is armed: reported by PARACHUTE_HC_CAPTURE_INFO. */
struct capture_meta {
	u32 generation; /* 0: staged at boot; +1 for each run-time load */
	u32 protocol;	/* boot protocol version */
	u64 kernel_size, initrd_size;
	u64 loaded_tsc; /* TSC ticks since the hv started */
	char version[128];
	char cmdline[PARACHUTE_LOAD_CMDLINE_MAX]; /* as given, without elfcorehdr= */
};

/* Parts of a run-time load, indexed by PARACHUTE_LOAD_KERNEL, _INITRD, _CMDLINE. */
#define LOAD_PARTS 3

/*
 * A run-time load in progress: the kernel and initrd are copied into the
 * part of the capture region the armed kernel leaves free (the memory it
 * would run in), the command line into cmdline. Nothing armed changes until
 * the commit.
 */
struct capture_load {
	bool open;
	u64 size[LOAD_PARTS];	/* bytes announced by LOAD_BEGIN */
	u64 filled[LOAD_PARTS]; /* bytes received, in order */
	u64 addr[2];		/* staged kernel and initrd (host physical) */
	char cmdline[PARACHUTE_LOAD_CMDLINE_MAX];
};

/*
 * vmcoreinfo_probe()'s scan of guest RAM, resumed at each user-mode CPUID
 * exit: pass 0 takes the RAM above 4 GiB, pass 1 the RAM below; then map
 * entry idx, page pa. Reset when the guest restarts.
 */
struct vmcoreinfo_probe {
	spinlock_t lock; /* one vCPU probes at a time; the others go on */
	volatile bool done;
	u32 pass, idx, exits;
	u64 pa, us;
	u64 found; /* the note's page, 0 if none */
	u32 rejected; /* notes the scan's ok() refused (VMCOREINFO_SCAN_MAX_REJECTED) */
};

/*
 * Notes a scan at the crash checks against the crashed kernel before it gives
 * up: a real guest has one (and one of a kernel before a kexec); a hostile one
 * could plant one per page, each checked with page-table walks.
 */
#define VMCOREINFO_SCAN_MAX_REJECTED 64

struct capture_state {
	bool armed;
	unsigned int nhashed;
	struct phys_range hashed[CAPTURE_MAX_HASHED]; /* the region's fixed contents */
	u8 digest[SHA256_DIGEST_SIZE]; /* SHA-256 of hashed[], when armed: shown to the guest */
	u64 check;		       /* check64() of the same: compared at the crash */
	u64 check_sampled;	       /* the sampled check of the same (capture_sampled_check()) */
	volatile int owner; /* CPU that is capturing, -1 while none */
	u64 later_triggers; /* triggers after the first, recorded only */
	struct guest_kernel_info kinfo;
	struct capture_meta meta;
	u64 free_start, free_end; /* the region's part no armed content uses */
	/*
	 * Held while the armed contents change (a load's switch, unload) and
	 * taken by the capturing CPU before it parks the others and checks the
	 * digest: a capture sees the old kernel or the new, never a mix.
	 */
	spinlock_t switch_lock;
	u64 handover_us;  /* when the capture kernel was entered */
	bool checked_in;  /* it reported PARACHUTE_REPORT_STARTED */
	bool user_mode;	  /* it ran in user mode: its initramfs (capture_user_mode()) */
	u32 restarts;	  /* the guest restarted without a machine reset (restart=on) */
	volatile int ending; /* a capture kernel CPU restarts or fails the capture (capture_end_claim()) */
	struct vmcoreinfo_probe probe;
};

extern struct capture_state capture;

/** capture_running() - true from the election of a capturing CPU until a restart. */
static inline bool capture_running(void)
{
	return __atomic_load_n(&capture.owner, __ATOMIC_ACQUIRE) != -1;
}

/** capture_owned_by() - true if cpu is the one that captures (it runs the capture kernel). */
static inline bool capture_owned_by(const struct percpu *cpu)
{
	return __atomic_load_n(&capture.owner, __ATOMIC_ACQUIRE) == (int)cpu->cpu_id;
}

/**
 * capture_end_claim() - true for the first of the capture kernel's CPUs to end
 * the capture (a RESTART, a failure): each would stop the others, and two at
 * once would wait for each other. Cleared by the restart.
 */
bool capture_end_claim(void);

/** capture_load_cancel() - a load left open at the crash is dropped at a restart. */
void capture_load_cancel(void);

/**
 * capture_user_mode() - the capture kernel ran in user mode (cpu, a capture
 * CPU, exited at CPL 3): its initramfs runs. That ends capture_timeout= as a
 * check-in does, for an initramfs without the guest module (kdump-tools').
 */
void capture_user_mode(const struct percpu *cpu);

/**
 * capture_kernel_cpu() - true if cpu runs the capture kernel: the capturing
 * vCPU, or one of the parked vCPUs the capture kernel started.
 */
static inline bool capture_kernel_cpu(const struct percpu *cpu)
{
	return capture_owned_by(cpu) || (capture_running() && arch_in_capture_kernel(cpu));
}

/**
 * capture_stage() - copy the capture modules into the capture region (arch),
 * hash its fixed contents and arm capture. Bad capture input is reported and
 * leaves capture disarmed; the guest still boots.
 */
void capture_stage(const struct boot_info *bi);

/* What can start a capture; hv options say what each source does (docs/boot.md). */
enum crash_source {
	CRASH_PVPANIC,	    /* the guest kernel's panic notifier wrote the pvpanic port */
	CRASH_TRIPLE_FAULT, /* the guest shut down */
	CRASH_NMI,	    /* an NMI the guest did not send itself: the operator's */
	CRASH_HYPERCALL,    /* PARACHUTE_HC_CRASH from the guest module */
	CRASH_WATCHDOG,	    /* the guest stopped petting the watchdog (PARACHUTE_HC_WATCHDOG) */
};

/**
 * crash_source_enabled() - true if the options make src a capture trigger
 * (for what must be wired up to see it: the pvpanic port and device).
 */
bool crash_source_enabled(enum crash_source src);

/**
 * crash_trigger() - the one decision whether and how an event from src on
 * cpu starts a capture: applies the source's option, elects this CPU, parks
 * the other vCPUs, checks the region and prepares the hand-over. Returns
 * what the vCPU does next:
 *  VCPU_RESET  it enters the capture kernel (the exiting instruction is not
 *              completed);
 *  VCPU_PARK   another CPU captures already: the trigger is recorded and
 *              this vCPU parks;
 *  VCPU_FATAL  the source's option is to report and stop (triple_fault=report);
 *  VCPU_RESUME the event is no trigger (nmi=guest, crash_hypercall=refuse,
 *              pvpanic=off, or a CRASH hypercall while capture is disarmed):
 *              the caller goes on as without it.
 * When capture is impossible (disarmed, region corrupted, the capture kernel
 * itself crashed) the capture_failure policy applies and this does not return.
 */
enum vcpu_action crash_trigger(struct percpu *cpu, enum crash_source src);

/**
 * watchdog_expired() - the watchdog's deadline passed (vcpu.c looks at every
 * exit): the guest's, which captures (CRASH_WATCHDOG), or a capture kernel's
 * boot (capture_timeout=), which is a failed capture and does not return.
 */
enum vcpu_action watchdog_expired(struct percpu *cpu);

/**
 * capture_report() - PARACHUTE_HC_CAPTURE_REPORT from the capture kernel on
 * the capturing vCPU: STARTED stops the boot bound, DONE is logged, FAILED
 * logs its message and applies capture_failure= (does not return). The
 * message must lie in the capture region. Returns 0 or -PARACHUTE_E*.
 */
s64 capture_report(struct percpu *cpu, u64 stage, u64 gpa, u64 len);

/**
 * vmcoreinfo_note_at() - whether the page at pa (guest RAM in map) starts
 * with the Linux "VMCOREINFO" ELF note. Returns 0 with the physical address
 * and length of its text, or -ENOENT.
 */
int vmcoreinfo_note_at(const struct memmap *map, u64 pa, u64 *desc_pa, u32 *desc_len);

/* How the note was found: where the guest said, where the probe saw it, by a scan. */
enum vmcoreinfo_way { VMCOREINFO_REGISTERED, VMCOREINFO_PROBED, VMCOREINFO_SCANNED };

/* A check each candidate note must pass (its text at desc_pa), e.g. against the crashed kernel. */
typedef bool (*vmcoreinfo_ok_fn)(u64 desc_pa, u32 desc_len, const void *ctx);

/**
 * find_vmcoreinfo() - the guest's VMCOREINFO note: where the guest said it is
 * (GUEST_INFO), else where vmcoreinfo_probe() saw it, if a note is still there
 * and ok (NULL: any) accepts it; else the first that ok accepts, scanning the
 * page starts of the RAM in map (its buffer is page-aligned), above 4 GiB
 * first. Returns 0 with the physical address and length of its text, or
 * -ENOENT; *way says which way it was found.
 */
int find_vmcoreinfo(const struct memmap *map, vmcoreinfo_ok_fn ok, const void *ctx, u64 *desc_pa,
		    u32 *desc_len, enum vmcoreinfo_way *way);
const char *vmcoreinfo_way_name(enum vmcoreinfo_way way);

/*
 * hv/vmcoreinfo_scan.c: vmcoreinfo_scan() looks for the note from where p
 * stopped (all zero: from the start), at most budget pages (pass 0 the RAM
 * above 4 GiB, pass 1 the RAM below, never a hidden page); it returns true
 * once it has ended, *found saying whether at a note ok (NULL: any)
 * accepts, its text at *desc_pa. vmcoreinfo_scan_all() scans all of it;
 * vmcoreinfo_still_at() checks a note known by its page pa (0: none).
 */
bool vmcoreinfo_scan(struct vmcoreinfo_probe *p, const struct memmap *map, u64 budget,
		     vmcoreinfo_ok_fn ok, const void *ctx, u64 *desc_pa, u32 *desc_len, bool *found);
int vmcoreinfo_scan_all(const struct memmap *map, vmcoreinfo_ok_fn ok, const void *ctx,
			u64 *desc_pa, u32 *desc_len);
bool vmcoreinfo_still_at(const struct memmap *map, u64 pa, vmcoreinfo_ok_fn ok, const void *ctx,
			 u64 *desc_pa, u32 *desc_len);

/* Pages of guest RAM (64 MiB) one exit of vmcoreinfo_probe() looks at, at most. */
#define VMCOREINFO_PROBE_PAGES 16384

/**
 * vmcoreinfo_probe() - once per guest boot, from its first CPUID in user mode
 * on (after every initcall: the note exists by then), scan guest RAM for the
 * note, at most pages pages per call, resuming where the last call stopped,
 * and remember where it is, so that a crash of a guest that registered
 * nothing reads one page instead of scanning (docs/capture.md).
 */
void vmcoreinfo_probe(struct percpu *cpu, const struct memmap *map, u64 pages);

/*
 * Run-time loads (PARACHUTE_HC_LOAD_*, UNLOAD): return 0 or a negative
 * PARACHUTE_E* code, each refusal logged with its reason. Nothing armed
 * changes unless capture_load_commit() succeeds without CHECK_ONLY.
 */
s64 capture_load_begin(struct percpu *cpu, u64 kernel_size, u64 initrd_size, u64 cmdline_size);
/* src: the guest's page, already checked to be guest RAM. */
s64 capture_load_data(struct percpu *cpu, u64 part, u64 offset, const void *src);
s64 capture_load_commit(struct percpu *cpu, u64 flags);
s64 capture_unload(struct percpu *cpu);
/* The load in progress (for the fuzzer's checks), and none (each fuzz input starts afresh). */
const struct capture_load *capture_load_state(void);
void capture_load_reset(void);
/*
 * hv/capture_load.c's side of the armed contents, which hv/capture.c owns:
 * capture_switch_lock() takes the switch lock unless a capture began (then
 * false: the vCPU must get back to its run loop to be parked);
 * capture_switch_in() arms the loaded kernel l described by meta (its
 * generation, sizes and time filled in), rehashes the region, releases the
 * lock and gives the digest's first 8 bytes in hex; capture_disarm() disarms
 * and releases the lock.
 */
bool capture_switch_lock(void);
void capture_switch_in(const struct capture_load *l, struct capture_meta *meta, char digest[17]);
void capture_disarm(void);
/** capture_check_region() - check64() of the armed contents (capture.hashed). */
u64 capture_check_region(void);
/* The hashed range the arch writes the capture kernel's boot data in: checked whole. */
#define CAPTURE_BOOT_DATA "boot data"
/**
 * capture_sampled_check() - the crash-time check when no guest CPU or device
 * can write the region (DMA confined by an IOMMU, capture_check=auto): the
 * boot data whole, and of every other page of the armed contents one
 * 64-byte line, at an offset that varies from page to page with a key taken
 * at boot. It catches a page overwritten or zeroed, not every flipped bit.
 */
u64 capture_sampled_check(void);
/* The offset of the line capture_sampled_check() reads in the page at pa. */
u64 capture_sample_line(u64 pa);
/** capture_set_kernel_info() - what GUEST_INFO registered, checked by the caller. */
void capture_set_kernel_info(const struct guest_kernel_info *ki);
/**
 * capture_rearm() - after a restart put the guest back (hv/restart.c): the
 * capture is over, its owner and the switch lock the crash took released,
 * what the old kernel registered forgotten. Returns the restart count.
 */
u32 capture_rearm(void);
/** capture_info() - what PARACHUTE_HC_CAPTURE_INFO reports. */
void capture_info(struct parachute_capture_info *ci);

/* Provided by the architecture. */
/* The region's layout before anything is staged: all of it free but the boot data. */
void arch_capture_init(const struct boot_info *bi, struct capture_state *c);
int arch_capture_stage(const struct boot_info *bi, struct capture_state *c);
/*
 * Check a complete load as boot-time staging checks its modules (bzImage
 * header, room, alignment, command line length) and fill meta's protocol
 * and version. Returns 0 or a negative PARACHUTE_E* code, with a message
 * unless quiet.
 */
int arch_capture_check(const struct capture_load *l, struct capture_meta *meta, bool quiet);
/*
 * Install a checked load (caller holds switch_lock): move the kernel and
 * initrd to their places in the region, write the boot data, set c's
 * hashed ranges and free part. Cannot fail once checked.
 */
void arch_capture_switch(const struct capture_load *l, struct capture_state *c);
/* Capture disarmed: the whole region but its boot data is free again. */
void arch_capture_unload(struct capture_state *c);
/*
 * Write the ELF core header from every vCPU's state and prepare cpu's entry
 * into the capture kernel, which the run loop makes on VCPU_RESET.
 */
int arch_capture_handover(struct percpu *cpu);
/* Ask every other vCPU to save its state and park (NMI); wait up to 1 s. */
void arch_park_other_cpus(struct percpu *self);
/* The crashed vCPU's registers and recent exits on the console. */
void arch_capture_dump(struct percpu *cpu);
void arch_reboot(void) __noreturn;
/* The bytes the restart stash needs to keep what arch_capture_stage() will stage from bi. */
u64 arch_capture_stash_need(const struct boot_info *bi);
/*
 * A restart (hv/restart.c): the guest's low memory as the crash left it, the
 * guest kernel km and initrd im placed and their boot pages written, DMA and
 * seals back to guest mode, the other vCPUs waiting for start-up IPIs, and
 * cpu's entry (VCPU_RESET) into the guest kernel. 0 or a negative errno.
 */
int arch_capture_restart(struct percpu *cpu, const struct boot_module *km,
			 const struct boot_module *im);

#endif /* HV_CAPTURE_H */
