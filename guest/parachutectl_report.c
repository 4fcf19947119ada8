// SPDX-License-Identifier: GPL-2.0-only
/*
 * parachutectl's texts: the status report, read like Debian's
 * `kdump-config status`, and a message naming the problem for each way a
 * load can fail. Pure functions of what the ioctls return (tests/unit).
 */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include "parachutectl.h"
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#define MIB ((uint64_t)1 << 20)
#define KIB ((uint64_t)1 << 10)

static const char *vendor_name(uint32_t vendor)
{
	switch (vendor) {
	case PARACHUTE_VENDOR_SVM:
		return "svm";
	case PARACHUTE_VENDOR_VMX:
		return "vmx";
	default:
		return "unknown";
	}
}

/* A size the hv chose in whole MiB is printed so; anything else exactly. */
static void size_text(char *buf, size_t size, uint64_t bytes)
{
	if (bytes && bytes % MIB == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", bytes / MIB);
	else if (bytes && bytes % KIB == 0)
		snprintf(buf, size, "%" PRIu64 " KiB", bytes / KIB);
	else
		snprintf(buf, size, "%" PRIu64 " bytes", bytes);
}

void pc_mib(char *buf, size_t size, uint64_t bytes, bool up)
{
	/* Tenths of a MiB, rounded as asked: a need is never understated, room never overstated. */
	uint64_t part = bytes % MIB * 10;
	uint64_t tenths = bytes / MIB * 10 + part / MIB + (up && part % MIB ? 1 : 0);

	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " MiB", tenths / 10, tenths % 10);
}

uint64_t pc_load_need(const struct pc_load_req *req)
{
	const uint64_t page = 4096;

	return (req->kernel_size + page - 1) / page * page +
	       (req->initrd_size + page - 1) / page * page;
}

/* The first word of a version string, as uname -r prints it. */
static void first_word(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] && s[n] != ' ' && n + 1 < size) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = '\0';
}

bool pc_bzimage_release(const uint8_t *image, size_t len, char *buf, size_t size)
{
	/* The setup header (Documentation/arch/x86/boot.rst): "HdrS" at 0x202, version at 0x20e. */
	size_t off;

	if (!size)
		return false;
	buf[0] = '\0';
	if (len < 0x210 || memcmp(image + 0x202, "HdrS", 4))
		return false;
	off = image[0x20e] | (size_t)image[0x20f] << 8;
	if (!off || off + 0x200 >= len)
		return false;
	off += 0x200;
	first_word(buf, size, (const char *)image + off, len - off);
	return buf[0] != '\0';
}

int pc_print_not_ready(FILE *out, const char *why)
{
	fprintf(out, "parachute: not ready: %s\n", why);
	return PC_EXIT_NOT_READY;
}

static void print_capture_kernel(FILE *out, const struct parachute_status *st,
				 const struct parachute_capture_info *ci)
{
	char release[sizeof(ci->kernel_version)];

	first_word(release, sizeof(release), ci->kernel_version, sizeof(ci->kernel_version));
	fprintf(out, "capture kernel: %s (%" PRIu64 " bytes), ",
		release[0] ? release : "unknown version", ci->kernel_size);
	if (ci->initrd_size)
		fprintf(out, "initrd %" PRIu64 " bytes", ci->initrd_size);
	else
		fprintf(out, "no initrd");
	fprintf(out, ", generation %" PRIu32 ", loaded ", ci->generation);
	if (st->tsc_khz) {
		uint64_t ms = ci->loaded_tsc / st->tsc_khz;

		fprintf(out, "%" PRIu64 ".%03" PRIu64 " s", ms / 1000, ms % 1000);
	} else {
		fprintf(out, "%" PRIu64 " TSC ticks", ci->loaded_tsc);
	}
	fprintf(out, " after hv start\n");
	fprintf(out, "command line: %.*s\n", (int)strnlen(ci->cmdline, sizeof(ci->cmdline)),
		ci->cmdline);
}

int pc_print_status(FILE *out, const struct parachute_status *st,
		    const struct parachute_capture_info *ci)
{
	bool armed = st->flags & PARACHUTE_STATUS_CAPTURE_ARMED;
	char size[32];

	if (armed)
		fprintf(out, "parachute: ready to capture\n");
	else
		pc_print_not_ready(out, "capture disarmed (no capture kernel loaded)");
	fprintf(out,
		"hv: ABI %" PRIu32 ".%" PRIu32 ", vendor %s, %" PRIu32 " CPU%s, %" PRIu32
		" vCPU%s\n",
		st->abi_version >> 16, st->abi_version & 0xffff, vendor_name(st->vendor),
		st->nr_cpus, st->nr_cpus == 1 ? "" : "s", st->nr_vcpus,
		st->nr_vcpus == 1 ? "" : "s");
	size_text(size, sizeof(size), st->capture_size);
	fprintf(out, "capture region: 0x%" PRIx64 "+%s\n", st->capture_base, size);
	if (!ci)
		fprintf(out,
			"capture kernel: unknown (the hv's ABI %" PRIu32 ".%" PRIu32
			" predates CAPTURE_INFO)\n",
			st->abi_version >> 16, st->abi_version & 0xffff);
	else if (armed)
		print_capture_kernel(out, st, ci);
	else
		fprintf(out, "capture kernel: none (generation %" PRIu32 ")\n", ci->generation);
	if (!ci)
		fprintf(out, "reload: not supported by this hv\n");
	else
		fprintf(out, "reload: %s%s\n",
			ci->flags & PARACHUTE_CAPTURE_RELOAD_LOCK ? "locked" : "allowed",
			ci->flags & PARACHUTE_CAPTURE_LOADING ? " (a load is open)" : "");
	fprintf(out, "DMA isolation: %s\n",
		st->flags & PARACHUTE_STATUS_DMA_ISOLATION ? "on" : "off");
	if (st->flags & PARACHUTE_STATUS_RESTART)
		fprintf(out, "restart: on (after a capture the guest boots again, no machine reset)\n");
	if (st->struct_size >= sizeof(*st) && st->watchdog_ms)
		fprintf(out, "watchdog: on, %" PRIu32 ".%03" PRIu32 " s timeout, %" PRIu32
			".%03" PRIu32 " s left\n", st->watchdog_ms / 1000, st->watchdog_ms % 1000,
			st->watchdog_left_ms / 1000, st->watchdog_left_ms % 1000);
	else if (st->struct_size >= sizeof(*st))
		fprintf(out, "watchdog: off\n");
	return armed ? PC_EXIT_OK : PC_EXIT_NOT_READY;
}

/* "kernel and initrd (N MiB) do not fit the capture region (M MiB free)" */
static void no_room(char *buf, size_t size, const struct pc_load_req *req,
		    const struct parachute_capture_info *ci)
{
	uint64_t need = pc_load_need(req);
	char n[32], f[32];

	pc_mib(n, sizeof(n), need, true);
	if (!ci) {
		snprintf(buf, size, "kernel and initrd (%s) do not fit the capture region", n);
		return;
	}
	pc_mib(f, sizeof(f), ci->region_free, false);
	if (need > ci->region_free)
		snprintf(buf, size,
			 "kernel and initrd (%s) do not fit the capture region (%s free)", n, f);
	else /* LOAD_COMMIT: the kernel's own run-time memory (init_size) counts too */
		snprintf(buf, size,
			 "kernel and initrd (%s) fit the capture region (%s free), "
			 "but not with the memory the kernel needs to run",
			 n, f);
}

void pc_load_error(char *buf, size_t size, int err, const struct pc_load_req *req,
		   const struct parachute_capture_info *ci)
{
	switch (err) {
	case EACCES:
		snprintf(buf, size, "reload is locked (hv option reload=lock)");
		return;
	case EBUSY:
		snprintf(buf, size, "a capture is running");
		return;
	case EPERM:
		snprintf(buf, size, "not permitted (CAP_SYS_BOOT is needed%s)",
			 req ? ", and for a load a kernel that is not locked down" : "");
		return;
	case EOPNOTSUPP:
		snprintf(buf, size, "the hv predates run-time loads (ABI 1.2)");
		return;
	case ENODEV:
		snprintf(buf, size, "%s", PC_WHY_NO_HV);
		return;
	case ENOTTY:
		snprintf(buf, size,
			 "the parachute module is older than parachutectl (no such ioctl)");
		return;
	}
	if (req) {
		switch (err) {
		case ENOEXEC:
			snprintf(buf, size, "%s is not a bzImage the hv can boot",
				 req->kernel_path);
			return;
		case ENOSPC:
			no_room(buf, size, req, ci);
			return;
		case E2BIG:
			snprintf(buf, size, "the command line (%zu bytes) is too long for %s",
				 req->cmdline_len, req->kernel_path);
			return;
		case EINVAL:
			/* The hv refuses a file larger than the whole region as invalid. */
			if (ci && pc_load_need(req) > ci->region_free) {
				no_room(buf, size, req, ci);
				return;
			}
			snprintf(buf, size, "the hv refused the load as invalid (see its log)");
			return;
		}
	}
	snprintf(buf, size, "%s", strerror(err));
}

void pc_print_dma_faults(FILE *out, const struct parachute_status *st,
			 const struct parachute_dma_faults *df)
{
	static const char *const target[] = { "guest memory", "the capture region", "hv memory" };
	uint32_t n = df->nr < PARACHUTE_DMA_FAULTS_MAX ? df->nr : PARACHUTE_DMA_FAULTS_MAX;

	fprintf(out, "parachute: %" PRIu64 " DMA(s) blocked since the hv started", df->total);
	if (df->total > n)
		fprintf(out, "; the last %" PRIu32 " follow", n);
	fprintf(out, "\n");
	for (uint32_t i = 0; i < n; i++) {
		const struct parachute_dma_fault *f = &df->f[i];
		uint64_t ms = st->tsc_khz ? f->tsc / st->tsc_khz : 0;

		if (st->tsc_khz)
			fprintf(out, "%" PRIu64 ".%03" PRIu64 " s: ", ms / 1000, ms % 1000);
		else
			fprintf(out, "TSC %" PRIu64 ": ", f->tsc);
		fprintf(out, "device %02x:%02x.%u %s at 0x%" PRIx64 " blocked by %s, %s domain, %s",
			f->source >> 8, (f->source >> 3) & 0x1f, f->source & 7,
			f->write ? "write" : "read", f->addr,
			f->iommu == PARACHUTE_DMA_AMDVI ? "AMD-Vi" : "VT-d",
			f->domain == PARACHUTE_DMA_CAPTURE ? "capture" : "guest",
			f->target <= PARACHUTE_DMA_TO_HV ? target[f->target] : "unknown memory");
		if (f->iommu == PARACHUTE_DMA_VTD && f->reason)
			fprintf(out, " (VT-d fault reason 0x%x)", f->reason);
		fprintf(out, "\n");
	}
}

/* "2026-12-07 11:02:03 UTC" for a time in seconds since the epoch. */
static void utc_text(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "%" PRId64 " s since the epoch", t);
}

static void print_record(FILE *out, const struct parachute_status *st,
			 const struct parachute_capture_record *r, uint64_t nr, int64_t now_ms)
{
	char when[64];

	fprintf(out, "capture %" PRIu64 ": ", nr);
	if (st->tsc_khz && st->uptime_tsc >= r->trigger_tsc) {
		uint64_t ago_ms = (st->uptime_tsc - r->trigger_tsc) / st->tsc_khz;

		utc_text(when, sizeof(when), (now_ms - (int64_t)ago_ms) / 1000);
		fprintf(out, "%s, ", when);
	} else {
		fprintf(out, "TSC %" PRIu64 ", ", r->trigger_tsc);
	}
	fprintf(out, "%.*s on cpu%" PRIu32 ": ", (int)sizeof(r->trigger), r->trigger, r->cpu);
	switch (r->outcome) {
	case PARACHUTE_OUTCOME_HANDED_OVER:
		fprintf(out, "the capture kernel was entered; no word from it since");
		break;
	case PARACHUTE_OUTCOME_STARTED:
		fprintf(out, "the capture kernel started %" PRIu32 " ms after the hand-over (%.*s); "
			"it reported no outcome", r->outcome_ms, (int)sizeof(r->message), r->message);
		break;
	case PARACHUTE_OUTCOME_DONE:
		fprintf(out, "saved %" PRIu32 " ms after the hand-over: %.*s", r->outcome_ms,
			(int)sizeof(r->message), r->message);
		break;
	default:
		fprintf(out, "FAILED %" PRIu32 " ms after the hand-over: %.*s", r->outcome_ms,
			(int)sizeof(r->message), r->message);
	}
	fprintf(out, "%s\n", r->restarted ? "; the guest booted again without a machine reset" : "");
}

void pc_print_history(FILE *out, const struct parachute_status *st,
		      const struct parachute_history *h, int64_t now_ms, bool last)
{
	uint32_t n = h->nr < PARACHUTE_HISTORY_MAX ? h->nr : PARACHUTE_HISTORY_MAX;

	if (!n) {
		fprintf(out, "parachute: no record: no capture since the machine booted (a restart "
			     "keeps the history, a machine reset clears it)\n");
		return;
	}
	if (!last) {
		fprintf(out, "parachute: %" PRIu64 " capture(s) since the machine booted", h->total);
		if (h->total > n)
			fprintf(out, "; the last %" PRIu32 " follow", n);
		fprintf(out, "\n");
	}
	for (uint32_t i = last ? n - 1 : 0; i < n; i++)
		print_record(out, st, &h->r[i], h->total - n + i + 1, now_ms);
}
