// SPDX-License-Identifier: GPL-2.0-only
/* bzImage header checks and boot_params, on synthetic images. */
#include "harness.h"
#include <asm/linux.h>
#include <stdlib.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_image),
		cmocka_unit_test(test_rejections_name_the_problem),
		cmocka_unit_test(test_setup_sects_zero_means_four),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_screen_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
