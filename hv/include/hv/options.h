/* SPDX-License-Identifier: GPL-2.0-only */
/* hv command-line options. docs/boot.md lists each with its default. */
#ifndef HV_OPTIONS_H
#define HV_OPTIONS_H

#include <hv/printk.h>
#include <hv/types.h>

enum console_port { CONSOLE_NONE = 0, CONSOLE_COM1 = 1, CONSOLE_COM2 = 2 };

#define CAPTURE_MEM_DEFAULT (128 * MiB)
#define CAPTURE_MEM_ALIGN   (2 * MiB)
#define CAPTURE_TIMEOUT_DEFAULT 300 /* s: the capture kernel's boot, to its check-in */
#define CAPTURE_TIMEOUT_MAX	86400
#define DUMP_LEVEL_DEFAULT	31 /* makedumpfile -d 31: zero, cache, user and free pages dropped */
#define DUMP_LEVEL_FREE		16 /* the bit of makedumpfile's -d that drops free pages */

enum trigger_action { TRIGGER_CAPTURE, TRIGGER_REPORT, TRIGGER_REFUSE, TRIGGER_GUEST };
enum failure_policy { FAILURE_REBOOT, FAILURE_HALT };
enum capture_test { CAPTURE_TEST_NONE, CAPTURE_TEST_CORRUPT, CAPTURE_TEST_SLOW_PARK, CAPTURE_TEST_NO_PARK };
enum iommu_policy { IOMMU_AUTO, IOMMU_REQUIRED, IOMMU_OFF };
enum apic_trap_policy { APIC_TRAP_BOOT, APIC_TRAP_ALWAYS };
enum reload_policy { RELOAD_ALLOW, RELOAD_LOCK };
enum restart_policy { RESTART_OFF, RESTART_ON };
enum capture_check { CAPTURE_CHECK_AUTO, CAPTURE_CHECK_FULL };

struct hv_options {
	enum console_port console;	     /* console=com1|com2|none, default com1 */
	u64 capture_mem;		     /* capture_mem=SIZE, default 128M, rounded up to 2M */
	enum log_level loglevel;	     /* loglevel=err|warn|info|debug, default info */
	enum trigger_action triple_fault;    /* triple_fault=capture|report, default capture */
	enum trigger_action crash_hypercall; /* crash_hypercall=capture|refuse, default capture */
	enum trigger_action nmi;	     /* nmi=capture|guest, default capture */
	enum trigger_action pvpanic;	     /* pvpanic=capture|off, default capture */
	enum failure_policy capture_failure; /* capture_failure=reboot|halt, default reboot */
	enum capture_test capture_test;	 /* capture_test=none|corrupt|slowpark|nopark (tests only) */
	enum iommu_policy iommu;	 /* iommu=auto|required|off, default auto */
	enum apic_trap_policy apic_trap; /* apic_trap=boot|always, default boot */
	enum reload_policy reload;	 /* reload=allow|lock, default allow */
	enum trigger_action watchdog;	 /* watchdog=capture|off, default capture */
	u32 capture_timeout; /* capture_timeout=SECONDS (0: none), default 300 */
	enum restart_policy restart; /* restart=on|off, default off */
	enum capture_check capture_check; /* capture_check=auto|full, default auto */
	u64 capture_lend; /* capture_lend=SIZE lent to the capture kernel at a crash, default 0 (off) */
	u32 dump_level;	  /* dump_level=0-31, makedumpfile's -d, default 31 */
};

/** options_defaults() - fill in every option's documented default. */
void options_defaults(struct hv_options *o);

/**
 * options_parse() - parse space-separated key=value options into o (which
 * holds defaults on entry). On error returns -EINVAL and writes a message
 * naming the offending option into err.
 */
int options_parse(const char *cmdline, struct hv_options *o, char *err, size_t errlen);

/**
 * options_peek_console() - find console= alone, so the console can come up
 * before the full parse reports errors on it. Returns CONSOLE_COM1 by default.
 */
enum console_port options_peek_console(const char *cmdline);

#endif /* HV_OPTIONS_H */
