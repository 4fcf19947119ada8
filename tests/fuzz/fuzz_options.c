// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hv command line and the module strings (hv/options.c, hv/bootinfo.c),
 * as the loader hands them over.
 *
 * Input: text, parts separated by NUL bytes. The first part is the raw hv
 * command line: bootinfo_set_cmdline() (which drops an image path), then
 * options_peek_console() on the raw string and options_parse() on what was
 * kept, as the boot path does. Each further part is a module string for
 * bootinfo_add_module(); a first byte 0x01-0x03 in it picks an odd range
 * (empty, inverted, ending at 2^64 - 1) instead of a good one.
 */
#include "fuzz.h"
#include <hv/bootinfo.h>
#include <hv/options.h>
#include <stdlib.h>

static void check_options(const struct hv_options *o)
{
	fuzz_check(o->console <= CONSOLE_COM2 && o->loglevel <= LOG_DEBUG);
	fuzz_check(o->capture_mem <= 512 * GiB && IS_ALIGNED(o->capture_mem, CAPTURE_MEM_ALIGN));
	fuzz_check(o->triple_fault <= TRIGGER_GUEST && o->crash_hypercall <= TRIGGER_GUEST);
	fuzz_check(o->nmi <= TRIGGER_GUEST && o->pvpanic <= TRIGGER_GUEST);
	fuzz_check(o->watchdog <= TRIGGER_GUEST && o->capture_failure <= FAILURE_HALT);
	fuzz_check(o->capture_test <= CAPTURE_TEST_CORRUPT && o->iommu <= IOMMU_OFF);
	fuzz_check(o->apic_trap <= APIC_TRAP_ALWAYS && o->reload <= RELOAD_LOCK);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct boot_info bi;
	struct hv_options o;
	char err[200], *text, *part, *end;
	u64 start = 16 * MiB;
	int ret;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	end = text + size;
	memset(&bi, 0, sizeof(bi));

	options_peek_console(text);
	if (!bootinfo_set_cmdline(&bi, text)) {
		fuzz_check(strlen(bi.cmdline) < sizeof(bi.cmdline));
		options_defaults(&o);
		memset(err, 0x55, sizeof(err));
		ret = options_parse(bi.cmdline, &o, err, sizeof(err));
		if (ret) {
			fuzz_check(ret == -EINVAL && memchr(err, 0, sizeof(err)));
			fuzz_check(!strncmp(err, "hv option \"", 11) ||
				   !strncmp(err, "unknown hv option \"", 19));
		} else {
			check_options(&o);
			fuzz_check(options_peek_console(bi.cmdline) == o.console);
		}
	}

	for (part = text + strlen(text) + 1; part <= end; part += strlen(part) + 1) {
		u64 s = start, e = start + MiB;

		if (*part >= 1 && *part <= 3) {
			e = *part == 1 ? s : *part == 2 ? s - 1 : ~0ull;
			part++;
		}
		ret = bootinfo_add_module(&bi, s, e, part);
		if (!ret) {
			const struct boot_module *m = &bi.mods[bi.nr_modules - 1];

			fuzz_check(m->size == e - s && bi.by_role[m->role] == m);
			fuzz_check(m->args >= bi.strings &&
				   m->args + strlen(m->args) < bi.strings + bi.strings_used);
			fuzz_check(bi.strings_used <= sizeof(bi.strings));
		} else {
			fuzz_check(ret == -EINVAL || ret == -E2BIG || ret == -EEXIST);
		}
		start += 2 * MiB;
	}
	bootinfo_check(&bi);
	free(text);
	return 0;
}
