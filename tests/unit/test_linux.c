// SPDX-License-Identifier: GPL-2.0-only
/* bzImage header checks and boot_params, on synthetic images. */
#include "harness.h"
#include <asm/linux.h>
#include <hv/elf.h>
#include <stdlib.h>
#include <string.h>

#define IMG_SIZE (64 * 1024)

static u8 *image(u16 version)
{
	u8 *img = calloc(1, IMG_SIZE);
	struct setup_header *h = (void *)(img + SETUP_HEADER_OFFSET);

	h->setup_sects = 27;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->header = LINUX_HDRS_MAGIC;
	h->version = version;
	h->loadflags = LINUX_LOADED_HIGH;
	h->syssize = (IMG_SIZE - 28 * 512) / 16;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 0x3f98000;
	img[0x201] = 0x6a; /* jump: header ends at 0x26c */
	return img;
}

static void test_valid_image(void **state)
{
	u8 *img = image(0x020f);
	struct bzimage bz;

	(void)state;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "guest kernel"), 0);
	assert_int_equal(bz.setup_size, 28 * 512);
	assert_int_equal(bz.kernel_size, IMG_SIZE - 28 * 512);
	assert_int_equal(bz.init_size, 0x3f98000);
	assert_int_equal(bz.alignment, 0x200000);
	assert_int_equal(bz.initrd_max, 0x80000000);
	assert_int_equal(bz.cmdline_max, 2047);
	assert_true(bz.relocatable);
	free(img);
}

static void test_rejections_name_the_problem(void **state)
{
	u8 *img = image(0x020b);
	struct bzimage bz;

	(void)state;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "guest kernel"), -ENOEXEC);
	assert_logged("guest kernel: boot protocol 2.11 is older than 2.12");
	img[0x202] = 'X';
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "capture kernel"), -ENOEXEC);
	assert_logged("capture kernel: not a Linux bzImage");
	assert_int_equal(bzimage_parse(img, 100, &bz, "guest kernel"), -ENOEXEC);
	assert_logged("too short for a bzImage");
	free(img);

	img = image(0x020f);
	assert_int_equal(bzimage_parse(img, 28 * 512, &bz, "guest kernel"), -ENOEXEC);
	assert_logged("truncated: setup code claims");
	assert_int_equal(bzimage_parse(img, IMG_SIZE - 1024, &bz, "guest kernel"), -ENOEXEC);
	assert_logged("truncated: ");
	((struct setup_header *)(img + SETUP_HEADER_OFFSET))->loadflags = 0;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "guest kernel"), -ENOEXEC);
	assert_logged("zImage");
	free(img);
}

static void test_setup_sects_zero_means_four(void **state)
{
	u8 *img = image(0x020c);
	struct bzimage bz;

	(void)state;
	((struct setup_header *)(img + SETUP_HEADER_OFFSET))->setup_sects = 0;
	((struct setup_header *)(img + SETUP_HEADER_OFFSET))->syssize = 16;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "k"), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
	free(img);
}

static void test_boot_params(void **state)
{
	u8 *img = image(0x020f);
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct memmap m = { 0 };
	struct linux_boot lb = { .kernel_addr = 0x1000000,
				 .initrd_addr = 0x93a000,
				 .initrd_size = 1778674,
				 .cmdline_addr = 0x9000,
				 .rsdp = 0xf59d0 };
	struct bzimage bz;

	(void)state;
	memmap_add(&m, 0, 0x9fc00, E820_RAM);
	memmap_add(&m, 0x15b000, 0x374a5000, E820_RAM);
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "k"), 0);
	memset(bp, 0xaa, sizeof(*bp));
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->hdr.header, LINUX_HDRS_MAGIC);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.code32_start, 0x1000000);
	assert_int_equal(bp->hdr.cmd_line_ptr, 0x9000);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0x93a000);
	assert_int_equal(bp->hdr.ramdisk_size, 1778674);
	assert_int_equal(bp->acpi_rsdp_addr, 0xf59d0);
	assert_int_equal(bp->e820_entries, 2);
	assert_int_equal(bp->e820_table[1].addr, 0x15b000);
	assert_int_equal(bp->e820_table[1].type, E820_RAM);
	assert_int_equal(bp->sentinel, 0); /* the page was zeroed first */

	/* Protocol 2.13 has no acpi_rsdp_addr: left zero. 64-bit initrd goes to ext_. */
	free(img);
	img = image(0x020d);
	lb.initrd_addr = 0x123456000ull;
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "k"), 0);
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->acpi_rsdp_addr, 0);
	assert_int_equal(bp->hdr.ramdisk_image, 0x23456000);
	assert_int_equal(bp->ext_ramdisk_image, 0x1);
	free(img);
	free(bp);
}

/* The loader's screen becomes screen_info: GOP as VIDEO_TYPE_EFI (the upper
 * half of a 64-bit base in ext_lfb_base), VESA, VGA text; none, none. */
static void test_screen_info(void **state)
{
	u8 *img = image(0x020f);
	struct boot_params *bp = calloc(1, sizeof(*bp));
	struct memmap m = { 0 };
	struct boot_fb gop = { .addr = 0x80c0000000ull, .pitch = 3200, .width = 800,
			       .height = 600, .bpp = 32, .red_pos = 16, .red_size = 8,
			       .green_pos = 8, .green_size = 8, .blue_pos = 0, .blue_size = 8,
			       .efi = true };
	struct linux_boot lb = { .kernel_addr = 0x1000000, .cmdline_addr = 0x9000, .fb = &gop };
	struct bzimage bz;

	(void)state;
	memmap_add(&m, 0, 0x9fc00, E820_RAM);
	assert_int_equal(bzimage_parse(img, IMG_SIZE, &bz, "k"), 0);
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->screen_info.orig_video_isVGA, VIDEO_TYPE_EFI);
	assert_int_equal(bp->screen_info.lfb_base, 0xc0000000);
	assert_int_equal(bp->screen_info.ext_lfb_base, 0x80);
	assert_true(bp->screen_info.capabilities & VIDEO_CAPABILITY_64BIT_BASE);
	assert_int_equal(bp->screen_info.lfb_width, 800);
	assert_int_equal(bp->screen_info.lfb_height, 600);
	assert_int_equal(bp->screen_info.lfb_depth, 32);
	assert_int_equal(bp->screen_info.lfb_linelength, 3200);
	assert_int_equal(bp->screen_info.lfb_size, 3200 * 600);
	assert_int_equal(bp->screen_info.red_pos, 16);
	assert_int_equal(bp->screen_info.rsvd_size, 8);
	assert_int_equal(bp->screen_info.rsvd_pos, 24);

	/* A VESA mode below 4 GiB: vesafb's type, no 64-bit capability. */
	gop = (struct boot_fb){ .addr = 0xfd000000, .pitch = 3072, .width = 1024, .height = 768,
				.bpp = 24, .red_pos = 16, .red_size = 8, .green_pos = 8,
				.green_size = 8, .blue_size = 8 };
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->screen_info.orig_video_isVGA, VIDEO_TYPE_VLFB);
	assert_int_equal(bp->screen_info.lfb_base, 0xfd000000);
	assert_int_equal(bp->screen_info.lfb_size, 36); /* 3072 x 768 in 64 KiB units */
	assert_int_equal(bp->screen_info.ext_lfb_base, 0);
	assert_int_equal(bp->screen_info.capabilities, 0);
	assert_int_equal(bp->screen_info.rsvd_size, 0);

	/* VGA text (GRUB's gfxpayload=text): vgacon's fields, no framebuffer. */
	gop = (struct boot_fb){ .addr = 0xb8000, .width = 80, .height = 25, .pitch = 160,
				.text = true };
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->screen_info.orig_video_isVGA, VIDEO_TYPE_VGAC);
	assert_int_equal(bp->screen_info.orig_video_mode, 3);
	assert_int_equal(bp->screen_info.orig_video_cols, 80);
	assert_int_equal(bp->screen_info.orig_video_lines, 25);
	assert_int_not_equal(bp->screen_info.orig_video_ega_bx & 0xff, 0x10);
	assert_int_equal(bp->screen_info.lfb_base, 0);

	/* No framebuffer: screen_info stays zero (the page is cleared first). */
	lb.fb = NULL;
	assert_int_equal(linux_build_boot_params(bp, &bz, &m, &lb), 0);
	assert_int_equal(bp->screen_info.orig_video_isVGA, 0);
	assert_int_equal(bp->screen_info.lfb_base, 0);
	free(img);
	free(bp);
}

/*
 * A vmlinux as the bzImage's payload holds it: text at 16 MiB, data, and a
 * last segment whose .bss (NOBITS) is followed by a PROGBITS scratch area.
 */
#define VL_SIZE	  0x6000
#define VL_BANNER "Linux version 6.1.0-57-amd64 (builder@host) (gcc 12.2.0) #1 SMP Debian 6.1.158-1\n"

struct vl_file {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[3];
	struct elf64_shdr sh[3];
};

static u8 *vmlinux_image(void)
{
	u8 *img = calloc(1, VL_SIZE);
	struct vl_file *f = (void *)img;

	memcpy(f->eh.e_ident, "\x7f" "ELF\x02\x01\x01", 7);
	f->eh.e_type = ET_EXEC;
	f->eh.e_machine = 62;
	f->eh.e_entry = 0x1000000;
	f->eh.e_phoff = offsetof(struct vl_file, ph);
	f->eh.e_phentsize = sizeof(struct elf64_phdr);
	f->eh.e_phnum = 3;
	f->eh.e_shoff = offsetof(struct vl_file, sh);
	f->eh.e_shentsize = sizeof(struct elf64_shdr);
	f->eh.e_shnum = 3;
	/* text: 0x1000 bytes of file at 16 MiB */
	f->ph[0] = (struct elf64_phdr){ PT_LOAD, PF_R | PF_X, 0x1000, 0xffffffff81000000ull,
					0x1000000, 0x1000, 0x1000, 0x200000 };
	/* data, 2 MiB further */
	f->ph[1] = (struct elf64_phdr){ PT_LOAD, PF_R | PF_W, 0x2000, 0xffffffff81200000ull,
					0x1200000, 0x1000, 0x1000, 0x200000 };
	/* .init (0x1000), .bss (NOBITS, 0x1000, in the file as zeros), scratch (0x1000) */
	f->ph[2] = (struct elf64_phdr){ PT_LOAD, PF_R | PF_W, 0x3000, 0xffffffff81400000ull,
					0x1400000, 0x3000, 0x3000, 0x200000 };
	f->sh[1] = (struct elf64_shdr){ .sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | 1,
					.sh_addr = 0xffffffff81401000ull, .sh_size = 0x1000 };
	f->sh[2] = (struct elf64_shdr){ .sh_type = 1 /* PROGBITS */, .sh_flags = SHF_ALLOC,
					.sh_addr = 0xffffffff81402000ull, .sh_size = 0x1000 };
	memset(img + 0x1000, 0x90, 0x1000);
	memcpy(img + 0x2100, VL_BANNER, strlen(VL_BANNER));
	memset(img + 0x3000, 0xcc, 0x3000);
	return img;
}

static void test_vmlinux_parse(void **state)
{
	u8 *img = vmlinux_image();
	struct vmlinux vl;

	(void)state;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), 0);
	assert_int_equal(vl.phys, 0x1000000);
	assert_int_equal(vl.span, 0x403000);
	assert_int_equal(vl.entry, 0);
	assert_int_equal(vl.nseg, 3);
	assert_int_equal(vl.seg[1].dest, 0x200000);
	/* The NOBITS .bss is left out of what is checked; the rest of its segment is not. */
	assert_int_equal(vl.nchecked, 4);
	assert_int_equal(vl.checked[2].start, 0x400000);
	assert_int_equal(vl.checked[2].end, 0x401000);
	assert_int_equal(vl.checked[3].start, 0x402000);
	assert_int_equal(vl.checked[3].end, 0x403000);
	free(img);
}

static void test_vmlinux_load(void **state)
{
	u8 *img = vmlinux_image();
	u8 *dest = malloc(0x403000);
	struct vmlinux vl;

	(void)state;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), 0);
	memset(dest, 0xee, 0x403000);
	vmlinux_load(&vl, dest);
	assert_int_equal(dest[0], 0x90);
	assert_int_equal(dest[0x1000], 0); /* the gap between segments is zeroed */
	assert_int_equal(dest[0x1fffff], 0);
	assert_memory_equal(dest + 0x200100, VL_BANNER, strlen(VL_BANNER));
	assert_int_equal(dest[0x400000], 0xcc);
	assert_int_equal(dest[0x402fff], 0xcc);
	free(dest);
	free(img);
}

static void test_vmlinux_rejections(void **state)
{
	u8 *img = vmlinux_image();
	struct vl_file *f = (void *)img;
	struct vmlinux vl;

	(void)state;
	assert_int_equal(vmlinux_parse(img, 40, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("capture vmlinux: not a 64-bit little-endian ELF file");
	/* Truncated: the last segment runs past the end. */
	assert_int_equal(vmlinux_parse(img, 0x5800, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("segment 2 (0x3000 bytes at file offset 0x3000) runs past the end of the file");
	/* Segments out of physical order. */
	f->ph[1].p_paddr = 0x1000800;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("segment 1 at physical 0x1000800+0x1000 overlaps or precedes");
	f->ph[1].p_paddr = 0x1200000;
	/* Entry outside the first segment. */
	f->eh.e_entry = 0x1200000;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("entry point 0x1200000 is not in its first segment");
	f->eh.e_entry = 0x1000000;
	/* Program headers past the end, wrapping. */
	f->eh.e_phoff = ~0ull - 8;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("program headers (3 at 0xfffffffffffffff7) are not inside the file");
	f->eh.e_phoff = offsetof(struct vl_file, ph);
	f->eh.e_shoff = VL_SIZE - 64;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("section headers (3 at 0x5fc0) are not inside the file");
	f->eh.e_shoff = offsetof(struct vl_file, sh);
	/* A bzImage is not a vmlinux; nor is a 32-bit one. */
	f->eh.e_machine = 3;
	assert_int_equal(vmlinux_parse(img, VL_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("ELF type 2, machine 3: not an x86-64 executable");
	free(img);
	img = image(0x020f);
	assert_int_equal(vmlinux_parse(img, IMG_SIZE, &vl, "capture vmlinux"), -ENOEXEC);
	assert_logged("not a 64-bit little-endian ELF file");
	free(img);
}

static u8 *versioned_image(const char *version)
{
	u8 *img = image(0x020f);
	struct setup_header *h = (void *)(img + SETUP_HEADER_OFFSET);

	h->kernel_version = 0x1000; /* from 0x200 */
	strcpy((char *)img + 0x1200, version);
	return img;
}

static void test_vmlinux_matches_its_bzimage(void **state)
{
	u8 *vimg = vmlinux_image(), *same, *other, *newer;
	struct bzimage bz;
	struct vmlinux vl;

	(void)state;
	same = versioned_image("6.1.0-57-amd64 (builder@host) #1 SMP Debian 6.1.158-1");
	other = versioned_image("6.1.0-58-amd64 (builder@host) #1 SMP Debian 6.1.160-1");
	newer = versioned_image("6.1.0-57-amd64 (builder@host) #2 SMP Debian 6.1.158-2");
	assert_int_equal(vmlinux_parse(vimg, VL_SIZE, &vl, "capture vmlinux"), 0);
	assert_int_equal(bzimage_parse(same, IMG_SIZE, &bz, "capture kernel"), 0);
	assert_int_equal(vmlinux_matches(&vl, &bz, "capture vmlinux"), 0);
	assert_int_equal(bzimage_parse(other, IMG_SIZE, &bz, "capture kernel"), 0);
	assert_int_equal(vmlinux_matches(&vl, &bz, "capture vmlinux"), -ENOEXEC);
	assert_logged("capture vmlinux: not the kernel the capture bzImage carries (no banner \"Linux version 6.1.0-58-amd64 (builder@host) ...#1 SMP Debian 6.1.160-1\"");
	/* Same release, another build: the build string at the banner's end differs. */
	assert_int_equal(bzimage_parse(newer, IMG_SIZE, &bz, "capture kernel"), 0);
	assert_int_equal(vmlinux_matches(&vl, &bz, "capture vmlinux"), -ENOEXEC);
	free(same);
	free(other);
	free(newer);
	free(vimg);
}

static void test_identity_map(void **state)
{
	u64 *pt = aligned_alloc(PAGE_SIZE, 8 * PAGE_SIZE), base = (u64)(uintptr_t)pt;
	u64 *pml4 = pt, *pdpt = pt + 512, *pd0 = pt + 1024, *pd1 = pt + 1536;

	(void)state;
	/* A region from 0x37600000 across the 1 GiB line: two PDs. */
	assert_int_equal(linux_identity_map(base, 8, 0x37600000, 0x48000000), 0);
	assert_int_equal(pml4[0], (base + PAGE_SIZE) | 3);
	assert_int_equal(pdpt[0], (base + 2 * PAGE_SIZE) | 3);
	assert_int_equal(pdpt[1], (base + 3 * PAGE_SIZE) | 3);
	assert_int_equal(pd0[0x37600000 >> 21], 0x37600000 | 0x83);
	assert_int_equal(pd0[(0x37600000 >> 21) - 1], 0);
	assert_int_equal(pd0[511], 0x3fe00000 | 0x83);
	assert_int_equal(pd1[0], 0x40000000 | 0x83);
	assert_int_equal(pd1[(0x48000000 - 0x40000000) >> 21], 0);
	assert_int_equal(linux_identity_map(base, 3, 0x37600000, 0x48000000), -ENOSPC);
	assert_int_equal(linux_identity_map(base, 8, 0x7fffe00000ull, 0x8000200000ull), -EINVAL);
	free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_image),
		cmocka_unit_test(test_rejections_name_the_problem),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_screen_info),
		cmocka_unit_test(test_vmlinux_parse),
		cmocka_unit_test(test_vmlinux_load),
		cmocka_unit_test(test_vmlinux_rejections),
		cmocka_unit_test(test_vmlinux_matches_its_bzimage),
		cmocka_unit_test(test_identity_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
