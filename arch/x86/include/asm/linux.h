/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux x86 boot protocol: the setup header and boot_params ("zero page")
 * as Documentation/arch/x86/boot.rst and zero-page.rst lay them out.
 */
#ifndef ASM_LINUX_H
#define ASM_LINUX_H

#include <asm/percpu.h>
#include <hv/bootinfo.h>
#include <hv/memmap.h>
#include <hv/types.h>

#define LINUX_HDRS_MAGIC    0x53726448 /* "HdrS" */
#define LINUX_BOOT_FLAG	    0xaa55
#define LINUX_MIN_PROTOCOL  0x020c    /* 2.12: xloadflags, 64-bit fields */
#define LINUX_LOADED_HIGH   (1u << 0) /* loadflags: protected-mode code at 1M+ */
#define LINUX_XLF_KERNEL_64 (1u << 0)

/* boot.rst: "The Real-Mode Kernel Header", at offset 0x1f1 of the image. */
struct setup_header {
	u8 setup_sects;
	u16 root_flags;
	u32 syssize;
	u16 ram_size;
	u16 vid_mode;
	u16 root_dev;
	u16 boot_flag;
	u16 jump;
	u32 header;
	u16 version;
	u32 realmode_swtch;
	u16 start_sys_seg;
	u16 kernel_version;
	u8 type_of_loader;
	u8 loadflags;
	u16 setup_move_size;
	u32 code32_start;
	u32 ramdisk_image;
	u32 ramdisk_size;
	u32 bootsect_kludge;
	u16 heap_end_ptr;
	u8 ext_loader_ver;
	u8 ext_loader_type;
	u32 cmd_line_ptr;
	u32 initrd_addr_max;
	u32 kernel_alignment;
	u8 relocatable_kernel;
	u8 min_alignment;
	u16 xloadflags;
	u32 cmdline_size;
	u32 hardware_subarch;
	u64 hardware_subarch_data;
	u32 payload_offset;
	u32 payload_length;
	u64 setup_data;
	u64 pref_address;
	u32 init_size;
	u32 handover_offset;
	u32 kernel_info_offset;
} __packed;

#define SETUP_HEADER_OFFSET 0x1f1

/* include/uapi/linux/screen_info.h: the console the boot loader leaves. */
struct screen_info {
	u8 orig_x, orig_y;	  /* 0x00 */
	u16 ext_mem_k;		  /* 0x02 */
	u16 orig_video_page;	  /* 0x04 */
	u8 orig_video_mode;	  /* 0x06 */
	u8 orig_video_cols;	  /* 0x07 */
	u8 flags, unused2;	  /* 0x08 */
	u16 orig_video_ega_bx;	  /* 0x0a */
	u16 unused3;		  /* 0x0c */
	u8 orig_video_lines;	  /* 0x0e */
	u8 orig_video_isVGA;	  /* 0x0f: VIDEO_TYPE_* */
	u16 orig_video_points;	  /* 0x10 */
	u16 lfb_width, lfb_height; /* 0x12 */
	u16 lfb_depth;		  /* 0x16 */
	u32 lfb_base, lfb_size;	  /* 0x18 */
	u16 cl_magic, cl_offset;  /* 0x20 */
	u16 lfb_linelength;	  /* 0x24 */
	u8 red_size, red_pos, green_size, green_pos, blue_size, blue_pos, rsvd_size, rsvd_pos;
	u16 vesapm_seg, vesapm_off; /* 0x2e */
	u16 pages;		    /* 0x32 */
	u16 vesa_attributes;	    /* 0x34 */
	u32 capabilities;	    /* 0x36 */
	u32 ext_lfb_base;	    /* 0x3a */
	u8 _reserved[2];	    /* 0x3e */
} __packed;
BUILD_BUG_ON(sizeof(struct screen_info) != 0x40);
BUILD_BUG_ON(__builtin_offsetof(struct screen_info, lfb_linelength) != 0x24);
BUILD_BUG_ON(__builtin_offsetof(struct screen_info, capabilities) != 0x36);

#define VIDEO_TYPE_VGAC		   0x22	    /* VGA colour text (vgacon) */
#define VIDEO_TYPE_VLFB		   0x23	    /* VESA linear framebuffer (vesafb) */
#define VIDEO_TYPE_EFI		   0x70	    /* UEFI GOP framebuffer (efifb) */
#define VIDEO_CAPABILITY_64BIT_BASE (1u << 1) /* ext_lfb_base holds the upper 32 bits */

/* zero-page.rst: only the fields the hv fills are named. */
struct boot_params {
	struct screen_info screen_info; /* 0x000 */
	u8 apm_bios_info[0x14];	    /* 0x040 */
	u8 _pad1[4];		    /* 0x054 */
	u64 tboot_addr;		    /* 0x058 */
	u8 ist_info[0x10];	    /* 0x060 */
	u64 acpi_rsdp_addr;	    /* 0x070 */
	u8 _pad2[8];		    /* 0x078 */
	u8 hd_info[0x20];	    /* 0x080 */
	u8 sys_desc_table[0x10];    /* 0x0a0 */
	u8 olpc_ofw_header[0x10];   /* 0x0b0 */
	u32 ext_ramdisk_image;	    /* 0x0c0 */
	u32 ext_ramdisk_size;	    /* 0x0c4 */
	u32 ext_cmd_line_ptr;	    /* 0x0c8 */
	u8 _pad3[0x1e4 - 0xcc];	    /* 0x0cc */
	u32 scratch;		    /* 0x1e4 */
	u8 e820_entries;	    /* 0x1e8 */
	u8 eddbuf_entries;	    /* 0x1e9 */
	u8 edd_mbr_sig_buf_entries; /* 0x1ea */
	u8 kbd_status;		    /* 0x1eb */
	u8 secure_boot;		    /* 0x1ec */
	u8 _pad5[2];		    /* 0x1ed */
	u8 sentinel;		    /* 0x1ef */
	u8 _pad6;		    /* 0x1f0 */
	struct setup_header hdr;    /* 0x1f1 */
	u8 _pad7[0x2d0 - 0x1f1 - sizeof(struct setup_header)];
	struct e820_entry e820_table[MEMMAP_MAX]; /* 0x2d0 */
	u8 _pad8[0x1000 - 0x2d0 - MEMMAP_MAX * sizeof(struct e820_entry)];
} __packed;

BUILD_BUG_ON(sizeof(struct setup_header) != 0x26c - 0x1f1);
BUILD_BUG_ON(__builtin_offsetof(struct setup_header, version) != 0x206 - 0x1f1);
BUILD_BUG_ON(__builtin_offsetof(struct setup_header, init_size) != 0x260 - 0x1f1);
BUILD_BUG_ON(sizeof(struct boot_params) != 4096);
BUILD_BUG_ON(__builtin_offsetof(struct boot_params, acpi_rsdp_addr) != 0x070);
BUILD_BUG_ON(__builtin_offsetof(struct boot_params, ext_cmd_line_ptr) != 0x0c8);
BUILD_BUG_ON(__builtin_offsetof(struct boot_params, e820_entries) != 0x1e8);
BUILD_BUG_ON(__builtin_offsetof(struct boot_params, hdr) != 0x1f1);
BUILD_BUG_ON(__builtin_offsetof(struct boot_params, e820_table) != 0x2d0);

/* A kernel image as parsed; pointers refer into the image itself. */
struct bzimage {
	const u8 *image;
	u64 image_size;
	const struct setup_header *hdr;
	u64 setup_size;	 /* real-mode part, including the boot sector */
	u64 kernel_size; /* protected-mode part that gets loaded */
	u64 init_size;	 /* memory the kernel needs from its load address */
	u64 alignment;	 /* load address alignment (relocatable kernels) */
	u64 pref_address;
	u64 initrd_max;	 /* highest address the initrd may end at */
	u64 cmdline_max; /* longest command line, without the NUL */
	bool relocatable;
};

/**
 * bzimage_parse() - check and parse a Linux x86 bzImage of size bytes.
 * what names the image in messages ("guest kernel"). Rejects images that are
 * truncated, not bzImages, or use a boot protocol older than 2.12.
 */
int bzimage_parse(const void *image, u64 size, struct bzimage *bz, const char *what);

/** bzimage_version() - bz's version string (boot.rst: kernel_version), printable bytes only. */
void bzimage_version(const struct bzimage *bz, char *out, size_t len);

struct linux_boot {
	u64 kernel_addr; /* where the protected-mode code was placed */
	u64 initrd_addr, initrd_size;
	u64 cmdline_addr;
	u64 rsdp;		  /* ACPI RSDP, 0 to let the kernel search */
	const struct boot_fb *fb; /* the firmware's framebuffer for the console, NULL if none */
};

/**
 * linux_build_boot_params() - fill bp for entering bz through the 32-bit boot
 * protocol: zeroed page, header copied from the image, loader fields, command
 * line pointer, initrd, e820 (at most 128 entries), the RSDP and the
 * screen the loader left (lb->fb) as screen_info: VGA text, VESA or EFI.
 */
int linux_build_boot_params(struct boot_params *bp, const struct bzimage *bz,
			    const struct memmap *e820, const struct linux_boot *lb);

/* The boot protocol's GDT: null, null, __BOOT_CS (0x10) and __BOOT_DS (0x18), flat. */
#define LINUX_BOOT_GDT_SIZE 32

/**
 * linux_boot_entry() - the 32-bit boot protocol's entry (boot.rst, "32-bit
 * boot protocol"): write its GDT at guest-physical gdt and fill e to start
 * the protected-mode code at kernel with boot_params at bp.
 */
void linux_boot_entry(struct x86_entry *e, u64 kernel, u64 bp, u64 gdt);

/*
 * A vmlinux: the ELF image a bzImage carries compressed (its payload),
 * taken out ahead of time (parachute-mkinitrd) so that a crash does not wait
 * for the kernel to decompress itself. It runs where it is loaded: an x86-64
 * kernel relocates itself physically (head_64.S, __startup_64()) by any
 * multiple of its alignment, and needs no relocation records while its
 * virtual address stays the linked one (no KASLR without the decompressor).
 */
#define VMLINUX_MAX_SEGS   8
#define VMLINUX_MAX_RANGES 12

struct vmlinux {
	const u8 *image;
	u64 size;
	u64 phys;  /* the lowest p_paddr: where it is linked to run */
	u64 span;  /* from phys to the end of its highest PT_LOAD in memory */
	u64 entry; /* startup_64, as an offset from phys */
	unsigned int nseg, nchecked;
	struct {
		u64 offset, dest, filesz, memsz; /* dest: from phys */
	} seg[VMLINUX_MAX_SEGS];
	/* What must be intact at entry, from phys: the file's bytes but NOBITS sections. */
	struct {
		u64 start, end;
	} checked[VMLINUX_MAX_RANGES];
};

/**
 * vmlinux_parse() - check and parse an x86-64 Linux vmlinux (ELF64, ET_EXEC,
 * EM_X86_64) of size bytes: PT_LOADs inside the file, in physical order, not
 * overlapping, the entry point in the first. what names it in messages.
 */
int vmlinux_parse(const void *image, u64 size, struct vmlinux *vl, const char *what);

/**
 * vmlinux_matches() - 0 if vl is the kernel bz carries: the banner in vl
 * ("Linux version ...") has bz's version string (boot.rst, kernel_version).
 */
int vmlinux_matches(const struct vmlinux *vl, const struct bzimage *bz, const char *what);

/* vmlinux_load() - lay vl out at dest (span bytes): its segments, zeros between and after. */
void vmlinux_load(const struct vmlinux *vl, u8 *dest);

/**
 * linux_boot_entry64() - the 64-bit boot protocol's entry (boot.rst, "64-bit
 * boot protocol"): long mode, paging on with the identity map at cr3, CS a
 * 64-bit __BOOT_CS (0x10) in the GDT written at gdt, boot_params at bp.
 */
void linux_boot_entry64(struct x86_entry *e, u64 entry, u64 bp, u64 gdt, u64 cr3);

/**
 * linux_identity_map() - page tables at pgt (at most max_pages pages, which
 * it zeroes) mapping [start, end) one to one in 2 MiB pages, writable; the
 * root is at pgt. -ENOSPC if they need more pages, -EINVAL past 512 GiB.
 */
int linux_identity_map(u64 pgt, unsigned int max_pages, u64 start, u64 end);

#endif /* ASM_LINUX_H */
