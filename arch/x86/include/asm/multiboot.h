/* SPDX-License-Identifier: GPL-2.0-only */
/* Multiboot (v1) and Multiboot2 boot information, as the specifications lay it out. */
#ifndef ASM_MULTIBOOT_H
#define ASM_MULTIBOOT_H

#include <hv/bootinfo.h>
#include <hv/types.h>

#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_LOADER_MAGIC 0x2badb002
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_LOADER_MAGIC 0x36d76289

/* Multiboot 0.6.96, 3.3: flags in struct mb1_info. */
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS	 (1u << 3)
#define MB1_INFO_MMAP	 (1u << 6)

struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_info) != 52);

struct mb1_module {
	u32 mod_start, mod_end;
	u32 string;
	u32 reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_module) != 16);

/* size counts the bytes after itself. */
struct mb1_mmap_entry {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} __packed;
BUILD_BUG_ON(sizeof(struct mb1_mmap_entry) != 24);

/* Multiboot2 1.0, 3.6: tags follow an 8-byte fixed part, each 8-byte aligned. */
#define MB2_TAG_END	    0
#define MB2_TAG_CMDLINE	    1
#define MB2_TAG_MODULE	    3
#define MB2_TAG_MMAP	    6
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_EFI64	    12 /* the EFI system table, 64-bit pointer */
#define MB2_TAG_SMBIOS	    13 /* a copy of the SMBIOS entry point */
#define MB2_TAG_ACPI_OLD    14 /* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW    15 /* a copy of the ACPI 2.0+ RSDP */
#define MB2_FB_RGB	    1  /* framebuffer_type: direct RGB colour */
#define MB2_FB_EGA_TEXT	    2  /* framebuffer_type: EGA text, width x height characters */

struct mb2_tag {
	u32 type;
	u32 size;
} __packed;

struct mb2_tag_module {
	u32 type, size;
	u32 mod_start, mod_end;
	char string[];
} __packed;

struct mb2_tag_mmap {
	u32 type, size;
	u32 entry_size, entry_version;
} __packed;

struct mb2_mmap_entry {
	u64 addr;
	u64 len;
	u32 type;
	u32 reserved;
} __packed;
BUILD_BUG_ON(sizeof(struct mb2_mmap_entry) != 24);

struct mb2_tag_efi64 {
	u32 type, size;
	u64 pointer;
} __packed;
BUILD_BUG_ON(sizeof(struct mb2_tag_efi64) != 16);

/* Then the entry point structure itself. */
struct mb2_tag_smbios {
	u32 type, size;
	u8 major, minor;
	u8 reserved[6];
} __packed;
BUILD_BUG_ON(sizeof(struct mb2_tag_smbios) != 16);

/* Multiboot2 1.0, 3.6.12; RGB colour information follows for type 1. */
struct mb2_tag_framebuffer {
	u32 type, size;
	u64 addr;
	u32 pitch, width, height;
	u8 bpp, fb_type;
	u16 reserved;
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __packed;
BUILD_BUG_ON(sizeof(struct mb2_tag_framebuffer) != 38);

#define MB_STRING_MAX 2048

/**
 * multiboot_cmdline() - the raw hv command line the loader passed, or "" if none.
 * Used before the full parse so the console option takes effect early.
 */
const char *multiboot_cmdline(u32 magic, u64 info);

/**
 * multiboot_parse() - fill bi from a Multiboot or Multiboot2 information
 * structure. Errors (wrong magic, no memory map, bad modules or tags) are
 * reported on the console and returned as negative errno values.
 */
int multiboot_parse(u32 magic, u64 info, struct boot_info *bi);

#endif /* ASM_MULTIBOOT_H */
