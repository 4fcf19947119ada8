/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * parachute guest device: the ioctls of /dev/parachute, the guest module's
 * interface for tools (guest/parachutectl.c, docs/guest.md). Each one makes
 * the hypercalls of include/parachute/abi.h on the caller's behalf.
 *
 * Errors come back in errno: the hv's PARACHUTE_E* codes are Linux errno
 * values and pass through unchanged, except PARACHUTE_ENOSYS (an hv older
 * than the call), which becomes EOPNOTSUPP. Usable from the kernel and from
 * userspace (with <sys/ioctl.h> for ioctl() itself).
 */
#ifndef PARACHUTE_IOCTL_H
#define PARACHUTE_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <parachute/abi.h>

#define PARACHUTE_IOC_MAGIC 'P'

/* One PARACHUTE_HC_STATUS call; bytes the hv did not write read as 0. */
#define PARACHUTE_IOC_STATUS _IOR(PARACHUTE_IOC_MAGIC, 1, struct parachute_status)

/* One PARACHUTE_HC_CAPTURE_INFO call (ABI 1.2); likewise. */
#define PARACHUTE_IOC_CAPTURE_INFO _IOR(PARACHUTE_IOC_MAGIC, 2, struct parachute_capture_info)

/*
 * Replace the capture kernel (LOAD_BEGIN, LOAD_DATA page by page, LOAD_COMMIT
 * with flags), or with PARACHUTE_LOAD_CHECK_ONLY only check that the hv would
 * take it. The pointers are user addresses; the command line is one string
 * whose NUL is its last byte (cmdline_size = strlen + 1, at most
 * PARACHUTE_LOAD_CMDLINE_MAX). initrd_size may be 0. Needs CAP_SYS_BOOT, and
 * without PARACHUTE_LOAD_CHECK_ONLY a kernel not locked down against kexec.
 */
struct parachute_ioc_load {
	__u64 kernel_ptr;
	__u64 kernel_size;
	__u64 initrd_ptr;
	__u64 initrd_size;
	__u64 cmdline_ptr;
	__u64 cmdline_size; /* including the NUL */
	__u32 flags;	    /* PARACHUTE_LOAD_CHECK_ONLY */
	__u32 pad;	    /* 0 */
};
PARACHUTE_ABI_SIZE(struct parachute_ioc_load, 56);
PARACHUTE_ABI_AT(struct parachute_ioc_load, flags, 48);

#define PARACHUTE_IOC_LOAD _IOW(PARACHUTE_IOC_MAGIC, 3, struct parachute_ioc_load)

/* PARACHUTE_HC_UNLOAD: disarm capture (CAP_SYS_BOOT). */
#define PARACHUTE_IOC_UNLOAD _IO(PARACHUTE_IOC_MAGIC, 4)

/* One PARACHUTE_HC_DMA_FAULTS call (ABI 1.2): the DMA the hv blocked. */
#define PARACHUTE_IOC_DMA_FAULTS _IOR(PARACHUTE_IOC_MAGIC, 5, struct parachute_dma_faults)

/*
 * The hv's watchdog (ABI 1.2): a timeout in ms (PARACHUTE_WATCHDOG_MIN_MS to
 * _MAX_MS) starts it or changes its timeout, and the module pets it from a
 * kernel timer four times per timeout; 0 stops it. It also stops when the
 * module unloads and when the kernel reboots, powers off or kexecs.
 * Needs CAP_SYS_BOOT.
 */
#define PARACHUTE_IOC_WATCHDOG _IOW(PARACHUTE_IOC_MAGIC, 6, __u32)

/*
 * Compat mode (ABI 1.2): seal the crashkernel region that kexec -p loaded
 * ("Crash kernel" in /proc/iomem) against the guest's stray writes and
 * devices, or with PARACHUTE_SEAL_UNSEAL give it back (before kexec -p loads
 * again). ENOENT: no crashkernel region, or nothing loaded by kexec -p.
 * Needs CAP_SYS_BOOT.
 */
#define PARACHUTE_SEAL_UNSEAL	    (1u << 0)
#define PARACHUTE_IOC_SEAL_KEXEC _IOW(PARACHUTE_IOC_MAGIC, 7, __u32)

/*
 * In the capture kernel (ABI 1.3): tell the hv how the capture goes
 * (PARACHUTE_HC_CAPTURE_REPORT). stage is PARACHUTE_REPORT_DONE or _FAILED
 * (STARTED is the module's own, when it loads in a kdump kernel); msg is
 * len bytes of text. FAILED does not return: the hv applies its
 * capture_failure= policy. EPERM outside a capture kernel. Needs CAP_SYS_BOOT.
 */
struct parachute_ioc_report {
	__u32 stage;
	__u32 len;
	char msg[PARACHUTE_REPORT_MAX];
};
PARACHUTE_ABI_SIZE(struct parachute_ioc_report, 8 + PARACHUTE_REPORT_MAX);

#define PARACHUTE_IOC_CAPTURE_REPORT _IOW(PARACHUTE_IOC_MAGIC, 8, struct parachute_ioc_report)

/*
 * In the capture kernel (ABI 1.4), the dump saved: restart the production
 * guest without a machine reset. The module reboots the capture kernel the
 * kernel's way (kernel_restart(): reboot notifiers, device shutdown) and,
 * with its devices quiet, asks the hv (PARACHUTE_HC_RESTART) from its
 * syscore shutdown callback. Returns only if it cannot begin: EOPNOTSUPP
 * before ABI 1.4, EPERM outside a capture kernel the hv started, EACCES
 * when the hv would refuse (status flag PARACHUTE_STATUS_RESTART clear). A
 * refusal after the devices shut down lets the reboot go on: a machine
 * reset. Needs CAP_SYS_BOOT.
 */
#define PARACHUTE_IOC_RESTART _IO(PARACHUTE_IOC_MAGIC, 9)

/*
 * The isolation probes that are safe on a production machine (ABI 1.5,
 * docs/security.md): refused MSR, XCR0 and CR values, INIT and start-up
 * IPIs to a CPU taken offline for a moment, PARACHUTE_SELFTEST_HEAP_CYCLES
 * seal/write/unseal rounds, the hv's DMA isolation. The module writes its
 * report, one line per probe and NUL-terminated, to text_ptr (at most
 * text_size bytes, up to 64 KiB) and fills probes and failed. Needs
 * CAP_SYS_ADMIN and the device opened for writing.
 */
struct parachute_ioc_selftest {
	__u64 text_ptr;
	__u32 text_size;
	__u32 probes; /* out */
	__u32 failed; /* out */
	__u32 pad;    /* 0 */
};
PARACHUTE_ABI_SIZE(struct parachute_ioc_selftest, 24);
PARACHUTE_ABI_AT(struct parachute_ioc_selftest, failed, 16);

#define PARACHUTE_SELFTEST_HEAP_CYCLES 16
#define PARACHUTE_IOC_SELFTEST _IOWR(PARACHUTE_IOC_MAGIC, 10, struct parachute_ioc_selftest)

/* One PARACHUTE_HC_HISTORY call (ABI 1.6): the captures since the machine booted. */
#define PARACHUTE_IOC_HISTORY _IOR(PARACHUTE_IOC_MAGIC, 11, struct parachute_history)

#endif /* PARACHUTE_IOCTL_H */
