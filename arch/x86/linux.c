// SPDX-License-Identifier: GPL-2.0-only
/* Linux x86 boot protocol: bzImage header checks and boot_params. */
#include <asm/linux.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

int bzimage_parse(const void *image, u64 size, struct bzimage *bz, const char *what)
{
	const u8 *img = image;
	const struct setup_header *h = (const void *)(img + SETUP_HEADER_OFFSET);
	unsigned int sects;

	if (size < SETUP_HEADER_OFFSET + sizeof(*h)) {
		pr_err("%s: %llu bytes is too short for a bzImage", what, (unsigned long long)size);
		return -ENOEXEC;
	}
	if (h->boot_flag != LINUX_BOOT_FLAG || h->header != LINUX_HDRS_MAGIC) {
		pr_err("%s: not a Linux bzImage (boot flag 0x%04x, header magic 0x%08x)", what,
		       h->boot_flag, h->header);
		return -ENOEXEC;
	}
	if (h->version < LINUX_MIN_PROTOCOL) {
		pr_err("%s: boot protocol %u.%02u is older than 2.12, which parachute needs", what,
		       h->version >> 8, h->version & 0xff);
		return -ENOEXEC;
	}
	if (!(h->loadflags & LINUX_LOADED_HIGH)) {
		pr_err("%s: zImage (loaded low) kernels are not supported", what);
		return -ENOEXEC;
	}
	/* boot.rst: "If this field is 0, the real value is 4." */
	sects = h->setup_sects ? h->setup_sects : 4;
	bz->setup_size = (u64)(sects + 1) * 512;
	if (bz->setup_size >= size) {
		pr_err("%s: truncated: setup code claims %llu of %llu bytes", what,
		       (unsigned long long)bz->setup_size, (unsigned long long)size);
		return -ENOEXEC;
	}
	bz->kernel_size = size - bz->setup_size;
	/* syssize counts 16-byte paragraphs of the protected-mode code. */
	if ((u64)h->syssize * 16 > bz->kernel_size) {
		pr_err("%s: truncated: %llu bytes of kernel code, header says %llu", what,
		       (unsigned long long)bz->kernel_size, (unsigned long long)h->syssize * 16);
		return -ENOEXEC;
	}
	bz->image = img;
	bz->image_size = size;
	bz->hdr = h;
	bz->init_size = MAX((u64)h->init_size, bz->kernel_size);
	bz->relocatable = h->relocatable_kernel;
	bz->alignment = h->kernel_alignment ? h->kernel_alignment : 2 * MiB;
	if (bz->alignment & (bz->alignment - 1)) {
		pr_err("%s: kernel_alignment 0x%x is not a power of two", what,
		       h->kernel_alignment);
		return -ENOEXEC;
	}
	bz->pref_address = h->pref_address ? h->pref_address : 1 * MiB;
	bz->initrd_max = (u64)h->initrd_addr_max + 1;
	bz->cmdline_max = h->cmdline_size;
	return 0;
}

/* The screen as a boot loader leaves it: vgacon, efifb or vesafb, and sysfb, take it. */
static void set_screen_info(struct screen_info *si, const struct boot_fb *fb)
{
	if (fb->text) { /* what the real-mode setup code reads from the video BIOS */
		si->orig_video_mode = 3; /* 80x25 colour text */
		si->orig_video_cols = (u8)fb->width;
		si->orig_video_lines = (u8)fb->height;
		si->orig_video_isVGA = VIDEO_TYPE_VGAC;
		si->orig_video_ega_bx = 3; /* EGA/VGA present (BL != 0x10), 256 KiB */
		si->orig_video_points = 16;
		return;
	}
	si->orig_video_isVGA = fb->efi ? VIDEO_TYPE_EFI : VIDEO_TYPE_VLFB;
	si->lfb_base = (u32)fb->addr;
	si->ext_lfb_base = (u32)(fb->addr >> 32);
	if (si->ext_lfb_base)
		si->capabilities |= VIDEO_CAPABILITY_64BIT_BASE;
	si->lfb_width = (u16)fb->width;
	si->lfb_height = (u16)fb->height;
	si->lfb_depth = fb->bpp;
	si->lfb_linelength = (u16)fb->pitch;
	/* efifb takes bytes; vesafb, like the VBE BIOS, 64 KiB units. */
	si->lfb_size = fb->pitch * fb->height;
	if (!fb->efi)
		si->lfb_size = (u32)(ALIGN_UP(si->lfb_size, 64 * KiB) / (64 * KiB));
	si->red_size = fb->red_size, si->red_pos = fb->red_pos;
	si->green_size = fb->green_size, si->green_pos = fb->green_pos;
	si->blue_size = fb->blue_size, si->blue_pos = fb->blue_pos;
	if (fb->bpp == 32) { /* the byte colour leaves free */
		si->rsvd_size = 8;
		si->rsvd_pos = 24;
	}
}

int linux_build_boot_params(struct boot_params *bp, const struct bzimage *bz,
			    const struct memmap *e820, const struct linux_boot *lb)
{
	/* boot.rst: the header runs to 0x202 + the byte at 0x201 (the jump offset). */
	u64 hdr_len = 0x202 + bz->image[0x201] - SETUP_HEADER_OFFSET;

	if (e820->nr > MEMMAP_MAX)
		return -E2BIG;
	memset(bp, 0, sizeof(*bp));
	memcpy(&bp->hdr, bz->hdr, MIN(hdr_len, sizeof(bp->hdr)));

	bp->hdr.type_of_loader = 0xff; /* boot.rst: 0xFF = undefined loader */
	bp->hdr.code32_start = (u32)lb->kernel_addr;
	bp->hdr.cmd_line_ptr = (u32)lb->cmdline_addr;
	bp->ext_cmd_line_ptr = (u32)(lb->cmdline_addr >> 32);
	bp->hdr.ramdisk_image = (u32)lb->initrd_addr;
	bp->ext_ramdisk_image = (u32)(lb->initrd_addr >> 32);
	bp->hdr.ramdisk_size = (u32)lb->initrd_size;
	bp->ext_ramdisk_size = (u32)(lb->initrd_size >> 32);
	bp->hdr.vid_mode = 0xffff; /* "normal" */
	/* Protocol 2.14 added acpi_rsdp_addr; older kernels search themselves. */
	if (bz->hdr->version >= 0x020e)
		bp->acpi_rsdp_addr = lb->rsdp;

	if (lb->fb && lb->fb->addr)
		set_screen_info(&bp->screen_info, lb->fb);

	bp->e820_entries = (u8)e820->nr;
	memcpy(bp->e820_table, e820->e, e820->nr * sizeof(struct e820_entry));
	return 0;
}

void linux_boot_entry(struct x86_entry *e, u64 kernel, u64 bp, u64 gdt)
{
	static const u64 entries[LINUX_BOOT_GDT_SIZE / 8] = {
		0, 0, 0x00cf9a000000ffffull, /* 0x10: __BOOT_CS, flat 32-bit code */
		0x00cf92000000ffffull,	     /* 0x18: __BOOT_DS, flat data */
	};

	memcpy(phys_to_virt(gdt), entries, sizeof(entries));
	*e = (struct x86_entry){ .rip = kernel,
				 .rsi = bp,
				 .gdt_base = gdt,
				 .gdt_limit = LINUX_BOOT_GDT_SIZE - 1 };
}
