/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the parts of the parachute module share: core.c (the device, the
 * hypercalls, the watchdog, the seal) and selftest.c (the isolation probes
 * of `parachutectl selftest`, docs/security.md).
 */
#ifndef PC_H
#define PC_H

#include <linux/types.h>

/** pc_hypercall() - VMMCALL or VMCALL with nr and three arguments; -ENODEV off the hv. */
long pc_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2);

/* The probes' report: text lines appended to buf, and the counts. */
struct pc_selftest_out {
	char *buf;
	size_t size, len;
	unsigned int probes, failed;
};

/**
 * pc_selftest() - run the classes named in the comma-separated list classes
 * (msr, xcr0, cr, init, heap, iommu), heap with cycles seal rounds. Each
 * probe prints "selftest: CLASS: PROBE: what happened: ok|FAILED" to the
 * kernel log and into out. Returns 0, or -ENOMEM.
 */
int pc_selftest(const char *classes, unsigned int cycles, struct pc_selftest_out *out);

/* The start-up code for an offline CPU (sipi.S), and where it runs. */
#define PC_SIPI_PAGE	0x5000 /* vector 5: a page of the low 1 MiB Linux leaves alone */
#define PC_SIPI_CAPTURE 0x100  /* u32 the code reads besides 1 MiB: the capture region */
#define PC_SIPI_RESULT	0x104  /* u32 marker, u32 read at 1 MiB, u32 read at the capture region */
#define PC_SIPI_CRASH	0x110  /* u8: 1 VMMCALL, 2 VMCALL: CRASH once it has read (tests) */
#define PC_SIPI_MARKER	0x5eed1e55

/**
 * pc_sipi_install() - write the start-up code into page (mapped at
 * PC_SIPI_PAGE) to read capture_base besides 1 MiB, and with crash to ask
 * the hv for a capture afterwards (tests/hostile/).
 */
void pc_sipi_install(u8 *page, u32 capture_base, bool crash);

#endif /* PC_H */
