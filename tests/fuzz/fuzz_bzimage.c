// SPDX-License-Identifier: GPL-2.0-only
/*
 * bzImage headers and boot_params (arch/x86/linux.c): the guest and capture
 * kernels come from the loader, and a capture kernel also from the guest
 * (PARACHUTE_HC_LOAD_*).
 *
 * Input: 69 bytes of parameters (the screen the loader left: kind 0-3 for
 * none, VGA text, VESA, GOP, then its address, pitch, width, height, depth
 * and colour positions; where kernel, initrd, command line and RSDP go; the
 * number of e820 entries), then the kernel image, in a buffer of exactly its
 * size. The image parsed, boot_params are built from it.
 */
#include "fuzz.h"
#include <asm/linux.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct boot_fb fb = { 0 };
	struct linux_boot lb = { 0 };
	static struct memmap e820;
	struct boot_params *bp;
	struct bzimage bz;
	const u8 *p;
	u8 kind, *img;
	size_t n;

	kind = fuzz_u8(&in) & 3;
	fb.addr = fuzz_u64(&in);
	fb.pitch = fuzz_u32(&in);
	fb.width = fuzz_u32(&in);
	fb.height = fuzz_u32(&in);
	fb.bpp = fuzz_u8(&in);
	fuzz_get(&in, &fb.red_pos, 6);
	fb.text = kind == 1;
	fb.efi = kind == 3;
	lb.fb = kind ? &fb : NULL;
	lb.kernel_addr = fuzz_u64(&in);
	lb.initrd_addr = fuzz_u64(&in);
	lb.initrd_size = fuzz_u64(&in);
	lb.cmdline_addr = fuzz_u64(&in);
	lb.rsdp = fuzz_u64(&in);
	e820.nr = 0;
	for (unsigned int i = fuzz_u8(&in) % (MEMMAP_MAX + 1); i; i--)
		memmap_add(&e820, e820.nr * 2 * MiB, MiB + e820.nr, 1 + e820.nr % 5);

	p = fuzz_take(&in, in.n, &n);
	img = malloc(n ? n : 1);
	memcpy(img, p, n);
	if (bzimage_parse(img, n, &bz, "fuzzed kernel"))
		goto out;
	fuzz_check(bz.image == img && bz.image_size == n);
	fuzz_check(bz.setup_size >= 2 * 512 && bz.setup_size < n &&
		   bz.setup_size + bz.kernel_size == n);
	fuzz_check((u64)bz.hdr->syssize * 16 <= bz.kernel_size && bz.init_size >= bz.kernel_size);
	fuzz_check(bz.alignment && !(bz.alignment & (bz.alignment - 1)));
	fuzz_check(bz.hdr->version >= LINUX_MIN_PROTOCOL);

	bp = malloc(sizeof(*bp));
	memset(bp, 0xaa, sizeof(*bp));
	if (!linux_build_boot_params(bp, &bz, &e820, &lb)) {
		/* The header is copied as far as the jump at 0x200 says it runs. */
		fuzz_check(bp->hdr.header == LINUX_HDRS_MAGIC || 0x202 + img[0x201] < 0x206);
		fuzz_check(bp->hdr.type_of_loader == 0xff && bp->hdr.vid_mode == 0xffff);
		fuzz_check(bp->e820_entries == e820.nr && bp->sentinel == 0);
		fuzz_check(bp->hdr.code32_start == (u32)lb.kernel_addr);
		fuzz_check(bp->acpi_rsdp_addr == (bz.hdr->version >= 0x020e ? lb.rsdp : 0));
		fuzz_check(!memcmp(bp->e820_table, e820.e, e820.nr * sizeof(e820.e[0])));
	}
	free(bp);
out:
	free(img);
	return 0;
}
