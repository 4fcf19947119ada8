// SPDX-License-Identifier: GPL-2.0-only
/*
 * A capture kernel's vmlinux (arch/x86/linux.c): the capture-vmlinux module
 * comes from the boot loader, one file among those in /boot.
 *
 * Input: the file, in a buffer of exactly its size. Parsed, then checked
 * against a fixed bzImage version string, then, if its span is small, laid
 * out: every segment and checked range must lie inside the span, in order.
 */
#include "fuzz.h"
#include <asm/linux.h>
#include <stdlib.h>

#define MAX_SPAN (16u << 20)

static const char version[] = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP Debian";

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u8 setup[0x1000];
	struct setup_header *h = (void *)(setup + SETUP_HEADER_OFFSET);
	struct bzimage bz = { .image = setup, .setup_size = sizeof(setup), .hdr = h };
	struct vmlinux vl;
	u64 prev = 0;
	u8 *img = malloc(size ? size : 1), *dest;

	memcpy(img, data, size);
	h->kernel_version = 0x200;
	memcpy(setup + 0x400, version, sizeof(version));
	if (vmlinux_parse(img, size, &vl, "capture vmlinux")) {
		fuzz_check(fuzz_log_count > 0);
		free(img);
		return 0;
	}
	fuzz_check(vl.nseg >= 1 && vl.nseg <= VMLINUX_MAX_SEGS);
	fuzz_check(vl.nchecked <= VMLINUX_MAX_RANGES && vl.entry < vl.span);
	for (unsigned int i = 0; i < vl.nseg; i++) {
		fuzz_check(vl.seg[i].dest >= prev && vl.seg[i].filesz <= vl.seg[i].memsz);
		fuzz_check(vl.seg[i].offset + vl.seg[i].filesz <= size);
		prev = vl.seg[i].dest + vl.seg[i].memsz;
		fuzz_check(prev <= vl.span);
	}
	prev = 0;
	for (unsigned int i = 0; i < vl.nchecked; i++) {
		fuzz_check(vl.checked[i].start >= prev && vl.checked[i].start < vl.checked[i].end);
		prev = vl.checked[i].end;
		fuzz_check(prev <= vl.span);
	}
	vmlinux_matches(&vl, &bz, "capture vmlinux");
	if (vl.span <= MAX_SPAN) {
		dest = malloc(vl.span);
		vmlinux_load(&vl, dest);
		free(dest);
	}
	free(img);
	return 0;
}
