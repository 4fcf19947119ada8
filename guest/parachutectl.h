/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parachutectl's texts (guest/parachutectl_report.c): the status report and
 * the message for each way a load can fail, from what the ioctls return, so
 * that the unit tests can check them without the hv (tests/unit).
 */
#ifndef PARACHUTECTL_H
#define PARACHUTECTL_H

#include <parachute/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (guest/man/parachutectl.8). */
#define PC_EXIT_OK	  0
#define PC_EXIT_ERROR	  1 /* a file, the device or the hv refused */
#define PC_EXIT_USAGE	  2
#define PC_EXIT_NOT_READY 3 /* status: a crash now would not be captured */

/* A load or a check: what parachutectl asks the hv to take. */
struct pc_load_req {
	const char *kernel_path;
	uint64_t kernel_size;
	uint64_t initrd_size;
	size_t cmdline_len; /* strlen of the command line */
};

/*
 * The first line of `parachutectl status` when the hv could be asked:
 * "parachute: ready to capture" or "parachute: not ready: <why>". The other
 * lines follow. ci is NULL when the hv predates CAPTURE_INFO (ABI 1.2).
 * Returns PC_EXIT_OK when ready, PC_EXIT_NOT_READY when not.
 */
int pc_print_status(FILE *out, const struct parachute_status *st,
		    const struct parachute_capture_info *ci);

/* "parachute: not ready: <why>", for the cases without an hv to ask. */
int pc_print_not_ready(FILE *out, const char *why);

/* The blocked DMAs, one line each, oldest first, times from the hv's start. */
void pc_print_dma_faults(FILE *out, const struct parachute_status *st,
			 const struct parachute_dma_faults *df);

/*
 * The capture history (ABI 1.6), oldest first, or with last only the newest:
 * each capture's time (now_ms is the wall clock in ms since the epoch, which
 * the hv's TSC counts back from), trigger, vCPU and outcome; "no record"
 * when there is none.
 */
void pc_print_history(FILE *out, const struct parachute_status *st,
		      const struct parachute_history *h, int64_t now_ms, bool last);

#define PC_WHY_NO_HV	 "not running under the parachute hv"
#define PC_WHY_NO_MODULE "the parachute module is not loaded (modprobe parachute)"

/*
 * Why a load, check or unload (req NULL) failed with errno err: the text after
 * "parachute: cannot load K: ". ci, if not NULL, says how much room the
 * capture region has.
 */
void pc_load_error(char *buf, size_t size, int err, const struct pc_load_req *req,
		   const struct parachute_capture_info *ci);

/* Bytes that kernel and initrd take in the capture region (pages, as the hv counts). */
uint64_t pc_load_need(const struct pc_load_req *req);

/* A size in MiB with one decimal, rounded up (up) or down: "38.2 MiB". */
void pc_mib(char *buf, size_t size, uint64_t bytes, bool up);

/*
 * The release of a bzImage (the first word of its version string, as uname -r
 * prints it) into buf; false if the image has no setup header or no version.
 */
bool pc_bzimage_release(const uint8_t *image, size_t len, char *buf, size_t size);

#endif /* PARACHUTECTL_H */
