/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * parachute public ABI: the CPUID signature and the hypercall interface shared
 * by the hypervisor, the guest module and tools, and host tools.
 *
 * Hypercall convention (both vendors): the guest executes VMMCALL (AMD) or
 * VMCALL (Intel) at CPL 0 with the call number in RAX and up to three
 * arguments in RBX, RCX and RDX. On return RAX holds a non-negative result or
 * a negative PARACHUTE_E* error code; all other registers are preserved.
 * A call from CPL > 0 returns -PARACHUTE_EPERM and is never serviced.
 */
#ifndef PARACHUTE_ABI_H
#define PARACHUTE_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* The layouts below, checked wherever this header is compiled (docs/hypercalls.md). */
#ifdef __cplusplus
#define PARACHUTE_ABI_ASSERT(cond, what) static_assert(cond, what)
#else
#define PARACHUTE_ABI_ASSERT(cond, what) _Static_assert(cond, what)
#endif
#define PARACHUTE_ABI_AT(type, field, off) \
	PARACHUTE_ABI_ASSERT(__builtin_offsetof(type, field) == (off), #type "." #field " at " #off)
#define PARACHUTE_ABI_SIZE(type, size) PARACHUTE_ABI_ASSERT(sizeof(type) == (size), #type " is " #size " bytes")

/* CPUID leaf 0x40000000: EAX = highest hypervisor leaf, EBX:ECX:EDX = signature. */
#define PARACHUTE_CPUID_LEAF	 0x40000000u
#define PARACHUTE_CPUID_MAX_LEAF 0x40000001u
/* "ParachuteHV\0" as the three registers hold it (little endian). */
#define PARACHUTE_CPUID_EBX 0x61726150u /* "Para" */
#define PARACHUTE_CPUID_ECX 0x74756863u /* "chut" */
#define PARACHUTE_CPUID_EDX 0x00564865u /* "eHV\0" */
/* CPUID leaf 0x40000001: EAX = ABI version (major << 16 | minor). */
#define PARACHUTE_CPUID_VERSION_LEAF 0x40000001u

#define PARACHUTE_ABI_MAJOR   1
#define PARACHUTE_ABI_MINOR   6
#define PARACHUTE_ABI_VERSION ((PARACHUTE_ABI_MAJOR << 16) | PARACHUTE_ABI_MINOR)

/* Hypercall numbers (RAX). */
#define PARACHUTE_HC_VERSION	0 /* () -> ABI version */
#define PARACHUTE_HC_STATUS	1 /* (gpa, size) -> bytes written */
#define PARACHUTE_HC_DUMP_STATS 2 /* () -> 0; prints exit counters on the hv console */
#define PARACHUTE_HC_CRASH	3 /* (reason) -> does not return while capture is armed */
#define PARACHUTE_HC_GUEST_INFO 4 /* (gpa, size) -> 0; since ABI 1.1 */
/* Since ABI 1.2: the armed capture kernel, and replacing it at run time. */
#define PARACHUTE_HC_CAPTURE_INFO 5 /* (gpa, size) -> bytes written */
#define PARACHUTE_HC_LOAD_BEGIN	  6 /* (kernel size, initrd size, command line size) -> 0 */
#define PARACHUTE_HC_LOAD_DATA	  7 /* (part, offset, gpa) -> bytes taken */
#define PARACHUTE_HC_LOAD_COMMIT  8 /* (flags) -> 0: the new kernel is armed */
#define PARACHUTE_HC_UNLOAD	  9 /* () -> 0: capture disarmed */
#define PARACHUTE_HC_DMA_FAULTS	  10 /* (gpa, size) -> bytes written */
#define PARACHUTE_HC_WATCHDOG	  11 /* (timeout_ms) -> 0: armed or petted; 0 stops it */
#define PARACHUTE_HC_SEAL_KEXEC	  12 /* (base, size, flags) -> 0: sealed; size 0 unseals */
/* Since ABI 1.3: the capture kernel tells the hv how its capture goes. */
#define PARACHUTE_HC_CAPTURE_REPORT 13 /* (stage, gpa, len) -> 0; FAILED does not return */
/* Since ABI 1.4: back to the production guest without a machine reset. */
#define PARACHUTE_HC_RESTART 14 /* () -> does not return; or an error */
/* Since ABI 1.6: what became of the captures since the machine booted. */
#define PARACHUTE_HC_HISTORY 15 /* (gpa, size) -> bytes written */

/*
 * CAPTURE_REPORT stages. Only the capture kernel calls it, on the vCPU that
 * captures, with an optional message of at most PARACHUTE_REPORT_MAX bytes
 * in its own memory (the capture region, one page). STARTED: the capture
 * kernel reached its capture initramfs (the guest module does it when it
 * loads in a kdump kernel); the hv's bound on the capture kernel's boot
 * (hv option capture_timeout=) stops. DONE: the dump is saved (logged).
 * FAILED: the capture cannot be saved; the hv logs the message and applies
 * capture_failure= (reboot or halt): the call does not return.
 */
#define PARACHUTE_REPORT_STARTED 1
#define PARACHUTE_REPORT_DONE	 2
#define PARACHUTE_REPORT_FAILED	 3
#define PARACHUTE_REPORT_MAX	 192

/*
 * RESTART (ABI 1.4): the capture kernel, its dump saved, asks the hv to boot
 * the production guest again instead of resetting the machine. The hv puts
 * back what it kept at boot (hv option restart=on: the guest's kernel,
 * initrd and command line, and the staged capture kernel), re-arms capture
 * and starts the guest kernel on this vCPU; the others wait for the guest's
 * start-up IPIs as at boot. The call does not return then. -PARACHUTE_EPERM
 * outside the capture kernel's CPUs, -PARACHUTE_EBUSY while another of them
 * restarts or fails the capture, -PARACHUTE_EACCES under restart=off,
 * -PARACHUTE_ENOSPC when what must be put back no longer fits what was kept
 * (a larger capture kernel loaded at run time): the caller then resets the
 * machine itself. If putting it back fails midway, the hv resets the machine.
 */

/*
 * Compat mode for guests that keep stock kdump (ABI 1.2): SEAL_KEXEC seals
 * the guest's crashkernel region, loaded by kexec -p: read-only and not
 * executable to the guest's CPUs (a write is dropped and logged), read-only
 * to devices. The kernel's crash path lifts the seal: the guest module calls
 * SEAL_KEXEC(0, 0, PARACHUTE_SEAL_CRASHING) from the kernel's emergency
 * callback, which native_machine_crash_shutdown() runs before
 * machine_kexec() writes kexec's control page; an instruction fetch in the
 * region does the same for a guest without the module. Lifted, the region
 * is the guest's again and the rest of guest RAM above 1 MiB read-only to
 * devices, and kdump runs. base and size page-aligned, within guest RAM;
 * one region at a time (unseal, size 0, before sealing another, and before
 * kexec -p loads again). -PARACHUTE_EINVAL for a bad range, -PARACHUTE_EBUSY
 * while a capture runs or once the seal was lifted for a crash.
 */
#define PARACHUTE_SEAL_CRASHING (1u << 0) /* SEAL_KEXEC: the crash path begins */

/*
 * The hv's watchdog (ABI 1.2): each WATCHDOG(timeout_ms) call pets it and
 * sets the time the guest has until the next one; past it, the hv captures
 * (trigger "watchdog", hv option watchdog=capture|off). WATCHDOG(0) stops
 * it. The guest module pets it from a timer, so a guest whose every CPU
 * stopped taking interrupts stops petting. -PARACHUTE_EINVAL for a timeout
 * outside [MIN, MAX], -PARACHUTE_EPERM under watchdog=off, -PARACHUTE_EBUSY
 * while a capture runs.
 */
#define PARACHUTE_WATCHDOG_MIN_MS 1000
#define PARACHUTE_WATCHDOG_MAX_MS 3600000

/* Error codes, returned negated in RAX. Values follow Linux errno. */
#define PARACHUTE_EPERM	  1  /* CPL > 0; CRASH refused by crash_hypercall=refuse */
#define PARACHUTE_E2BIG	  7  /* LOAD: command line longer than the kernel takes */
#define PARACHUTE_ENOEXEC 8  /* LOAD_COMMIT: the kernel is not a bzImage it can boot */
#define PARACHUTE_EACCES  13 /* LOAD_*, UNLOAD: reload=lock */
#define PARACHUTE_EFAULT  14
#define PARACHUTE_EBUSY	  16 /* LOAD_*, UNLOAD: a capture is running */
#define PARACHUTE_ENODEV  19 /* CRASH: capture is disarmed */
#define PARACHUTE_EINVAL  22
#define PARACHUTE_ENOSPC  28 /* LOAD: does not fit in the capture region */
#define PARACHUTE_ENOSYS  38

/* Flags in parachute_status.flags. */
#define PARACHUTE_STATUS_CAPTURE_ARMED (1u << 0) /* a capture kernel is loaded */
#define PARACHUTE_STATUS_DMA_ISOLATION (1u << 1) /* an IOMMU confines devices */
#define PARACHUTE_STATUS_RESTART       (1u << 2) /* RESTART would be taken (ABI 1.4) */

/* Vendor backend in parachute_status.vendor. */
#define PARACHUTE_VENDOR_SVM 1
#define PARACHUTE_VENDOR_VMX 2

/*
 * Filled by PARACHUTE_HC_STATUS into guest memory at gpa (RBX), at most size
 * (RCX) bytes. The buffer must be guest RAM, must not cross a page boundary
 * and must be at least 8 bytes (abi_version and struct_size); the hv writes
 * min(size, sizeof(struct parachute_status)) bytes and returns that count.
 */
struct parachute_status {
	uint32_t abi_version;  /* PARACHUTE_ABI_VERSION */
	uint32_t struct_size;  /* sizeof(struct parachute_status) as the hv knows it */
	uint32_t flags;	       /* PARACHUTE_STATUS_* */
	uint32_t vendor;       /* PARACHUTE_VENDOR_* */
	uint32_t nr_cpus;      /* physical CPUs the hv owns */
	uint32_t nr_vcpus;     /* vCPUs running the guest */
	uint64_t capture_base; /* hidden capture region (host physical) */
	uint64_t capture_size;
	uint64_t exits_total; /* VM exits on the calling vCPU since it started */
	uint64_t tsc_khz;     /* hv's TSC frequency estimate, 0 if unknown */
	uint64_t uptime_tsc;  /* TSC ticks since the hv started */
	/* Since ABI 1.2 (a 64-byte buffer still gets the fields above): */
	uint32_t watchdog_ms;	   /* the watchdog's timeout, 0 while it is stopped */
	uint32_t watchdog_left_ms; /* until it fires, unless petted */
	/* Since ABI 1.5 (a 72-byte buffer still gets the fields above): */
	uint64_t heap_used; /* bytes of the hv's heap in use: flat whatever the guest does */
};
PARACHUTE_ABI_SIZE(struct parachute_status, 80);
PARACHUTE_ABI_AT(struct parachute_status, capture_base, 24);
PARACHUTE_ABI_AT(struct parachute_status, watchdog_ms, 64);
PARACHUTE_ABI_AT(struct parachute_status, heap_used, 72);

/*
 * Read by PARACHUTE_HC_GUEST_INFO from guest memory at gpa (RBX), size (RCX)
 * bytes (at least 16, within one page): what the hv cannot learn alone about
 * the running kernel, so that the vmcore says what the kernel's own crash
 * path would have: each vCPU's NT_PRSTATUS names its running task
 * (crash_save_cpu(): pr_pid = current->pid), the notes are in the kernel's
 * CPU order, and crashing_cpu holds the CPU that crashed
 * (native_machine_crash_shutdown()). A field left 0 is unknown. A later
 * call replaces an earlier one; without any, pr_pid is 0. With
 * vmcoreinfo_note the hv reads VMCOREINFO there at a crash instead of
 * scanning guest RAM for it (the note must be a valid one at the call).
 */
struct parachute_guest_info {
	uint32_t struct_size;	  /* sizeof(struct parachute_guest_info) as the guest knows it */
	uint32_t task_pid_offset; /* offsetof(struct task_struct, pid) */
	uint64_t current_task;	  /* &current_task: its offset in a CPU's per-CPU area (GS base) */
	uint64_t cpu_number;	  /* &cpu_number, likewise (the kernel's number for the CPU) */
	uint64_t crashing_cpu;	  /* kernel virtual address of the int crashing_cpu */
	/* Since ABI 1.2 (a 32-byte structure is still taken): */
	uint64_t vmcoreinfo_note; /* physical address of the VMCOREINFO ELF note
				   * (paddr_vmcoreinfo_note()), 0 if unknown */
};
PARACHUTE_ABI_SIZE(struct parachute_guest_info, 40);
PARACHUTE_ABI_AT(struct parachute_guest_info, current_task, 8);
PARACHUTE_ABI_AT(struct parachute_guest_info, vmcoreinfo_note, 32);

/*
 * Replacing the capture kernel at run time (docs/hypercalls.md):
 *   LOAD_BEGIN(kernel_size, initrd_size, cmdline_size) opens a load: the hv
 *     checks that both files fit beside the armed kernel; sizes include the
 *     command line's NUL. initrd_size may be 0. A new LOAD_BEGIN drops an
 *     open load.
 *   LOAD_DATA(part, offset, gpa) copies one guest page (gpa page-aligned,
 *     guest RAM) into the part at offset, which must be the next unfilled
 *     page of that part; the last page of a part is copied only as far as
 *     the part's size. Returns the bytes taken.
 *   LOAD_COMMIT(flags) checks the complete load as the boot-time staging
 *     does (bzImage header, sizes, alignment, command line) and, unless
 *     PARACHUTE_LOAD_CHECK_ONLY, switches to it atomically: a crash before
 *     the switch is captured with the old kernel, after it with the new.
 *     Any failure leaves the armed kernel as it was.
 * Every call made while a capture runs returns -PARACHUTE_EBUSY; with the hv
 * option reload=lock, LOAD_* and UNLOAD return -PARACHUTE_EACCES.
 */
#define PARACHUTE_LOAD_KERNEL  0 /* LOAD_DATA parts */
#define PARACHUTE_LOAD_INITRD  1
#define PARACHUTE_LOAD_CMDLINE 2
#define PARACHUTE_LOAD_CMDLINE_MAX 2048 /* including the NUL */

#define PARACHUTE_LOAD_CHECK_ONLY (1u << 0) /* LOAD_COMMIT: check, keep the armed kernel */

/* Flags in parachute_capture_info.flags. */
#define PARACHUTE_CAPTURE_ARMED	      (1u << 0)
#define PARACHUTE_CAPTURE_RELOAD_LOCK (1u << 1) /* hv option reload=lock */
#define PARACHUTE_CAPTURE_LOADING     (1u << 2) /* a load is open */

/*
 * Filled by PARACHUTE_HC_CAPTURE_INFO, like parachute_status (one page at
 * most, min(size, sizeof) bytes written, that count returned).
 */
struct parachute_capture_info {
	uint32_t struct_size; /* sizeof(struct parachute_capture_info) as the hv knows it */
	uint32_t flags;	      /* PARACHUTE_CAPTURE_* */
	uint32_t generation;  /* 0: the kernel GRUB loaded; +1 for each load since */
	uint32_t boot_protocol; /* the bzImage's boot protocol version */
	uint64_t kernel_size;	/* bytes of the bzImage file */
	uint64_t initrd_size;
	uint64_t loaded_tsc;	  /* when it was armed, in TSC ticks since the hv started */
	uint64_t region_free;	  /* bytes a new kernel and initrd may take together */
	uint8_t sha256[32];	  /* of the armed kernel, initrd and boot data */
	char kernel_version[128]; /* the bzImage's version string, NUL-terminated */
	char cmdline[PARACHUTE_LOAD_CMDLINE_MAX]; /* as loaded, without the hv's elfcorehdr= */
};
PARACHUTE_ABI_SIZE(struct parachute_capture_info, 2256);
PARACHUTE_ABI_AT(struct parachute_capture_info, sha256, 48);
PARACHUTE_ABI_AT(struct parachute_capture_info, kernel_version, 80);
PARACHUTE_ABI_AT(struct parachute_capture_info, cmdline, 208);

/*
 * The DMA the IOMMUs blocked, newest last (PARACHUTE_HC_DMA_FAULTS, ABI 1.2):
 * the hv keeps the last PARACHUTE_DMA_FAULTS_MAX in a ring and writes into
 * guest memory at gpa (one page, guest RAM) the header and as many records
 * as size holds, the most recent ones; returns the bytes written.
 */
#define PARACHUTE_DMA_FAULTS_MAX 64

#define PARACHUTE_DMA_VTD    1 /* parachute_dma_fault.iommu */
#define PARACHUTE_DMA_AMDVI  2
#define PARACHUTE_DMA_GUEST   0 /* parachute_dma_fault.domain: the guest ran */
#define PARACHUTE_DMA_CAPTURE 1 /* a capture had begun: only the region writable */
#define PARACHUTE_DMA_TO_GUEST	 0 /* parachute_dma_fault.target */
#define PARACHUTE_DMA_TO_CAPTURE 1 /* the capture region */
#define PARACHUTE_DMA_TO_HV	 2 /* the hv's image or heap */

struct parachute_dma_fault {
	uint64_t tsc;	 /* TSC ticks since the hv started, when the hv saw it */
	uint64_t addr;	 /* the address the device used, page-aligned */
	uint16_t source; /* PCI requester ID: bus << 8 | device << 3 | function */
	uint8_t write;	 /* 1: a write, 0: a read */
	uint8_t iommu;	 /* PARACHUTE_DMA_VTD or _AMDVI */
	uint8_t domain;	 /* PARACHUTE_DMA_GUEST or _CAPTURE */
	uint8_t target;	 /* PARACHUTE_DMA_TO_* */
	uint8_t reason;	 /* VT-d fault reason, 0 for AMD-Vi */
	uint8_t pad;
};
PARACHUTE_ABI_SIZE(struct parachute_dma_fault, 24);
PARACHUTE_ABI_AT(struct parachute_dma_fault, source, 16);
PARACHUTE_ABI_AT(struct parachute_dma_fault, reason, 22);

struct parachute_dma_faults {
	uint32_t struct_size; /* of the header: 16 */
	uint32_t nr;	      /* records that follow */
	uint64_t total;	      /* faults recorded since the hv started (total - nr were dropped) */
	struct parachute_dma_fault f[PARACHUTE_DMA_FAULTS_MAX];
};
PARACHUTE_ABI_AT(struct parachute_dma_faults, f, 16);
PARACHUTE_ABI_SIZE(struct parachute_dma_faults, 16 + 24 * PARACHUTE_DMA_FAULTS_MAX);

/*
 * The captures since the machine booted, oldest first (PARACHUTE_HC_HISTORY,
 * ABI 1.6): the hv keeps the last PARACHUTE_HISTORY_MAX in its own memory,
 * which a restart (hv option restart=on) keeps and a machine reset clears,
 * and writes into guest memory at gpa (one page, guest RAM) the header and
 * as many records as size holds, the most recent ones; returns the bytes
 * written. Strings are NUL-terminated, printable ASCII.
 */
#define PARACHUTE_HISTORY_MAX 8

#define PARACHUTE_OUTCOME_HANDED_OVER 0 /* the capture kernel was entered; no word since */
#define PARACHUTE_OUTCOME_STARTED     1 /* it checked in, or reached user mode */
#define PARACHUTE_OUTCOME_DONE	      2 /* it reported the dump saved */
#define PARACHUTE_OUTCOME_FAILED      3 /* it reported a failure, or the hv saw one */

struct parachute_capture_record {
	uint64_t trigger_tsc; /* TSC ticks since the hv started, at the trigger */
	uint32_t cpu;	      /* the vCPU that captured (the crashing one) */
	uint32_t outcome;     /* PARACHUTE_OUTCOME_* */
	uint32_t outcome_ms;  /* from the hand-over to the outcome (0: handed over) */
	uint32_t restarted;   /* 1: the guest was booted again after it (restart=on) */
	char trigger[64];     /* what triggered it, as the hv logs it */
	char message[PARACHUTE_REPORT_MAX]; /* the capture kernel's last report, or the hv's reason */
};
PARACHUTE_ABI_SIZE(struct parachute_capture_record, 280);
PARACHUTE_ABI_AT(struct parachute_capture_record, trigger, 24);
PARACHUTE_ABI_AT(struct parachute_capture_record, message, 88);

struct parachute_history {
	uint32_t struct_size; /* of the header: 16 */
	uint32_t nr;	      /* records that follow */
	uint64_t total;	      /* captures since the machine booted (total - nr are not kept) */
	struct parachute_capture_record r[PARACHUTE_HISTORY_MAX];
};
PARACHUTE_ABI_AT(struct parachute_history, r, 16);
PARACHUTE_ABI_SIZE(struct parachute_history, 16 + 280 * PARACHUTE_HISTORY_MAX);

#endif /* PARACHUTE_ABI_H */
