/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the boot loader handed over, in loader-neutral form: the hv command line,
 * the firmware memory map, the modules with their roles, and the ACPI RSDP.
 * Strings are copied into this structure, so the loader's memory may be reused.
 */
#ifndef HV_BOOTINFO_H
#define HV_BOOTINFO_H

#include <hv/memmap.h>
#include <hv/types.h>

enum module_role {
	ROLE_GUEST,	     /* guest kernel (bzImage); rest of string = its command line */
	ROLE_GUEST_INITRD,   /* guest initrd */
	ROLE_CAPTURE,	     /* capture kernel (bzImage); rest = its command line */
	ROLE_CAPTURE_INITRD, /* capture initrd */
	ROLE_CAPTURE_VMLINUX, /* the capture bzImage's vmlinux, taken out ahead of time */
	ROLE_COUNT,
};

#define BOOT_MAX_MODULES 8
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MODSTR_MAX	 2048

struct boot_module {
	u64 start; /* physical address where the loader put it */
	u64 size;
	enum module_role role;
	const char *args; /* what follows the role token (kernels: command line) */
};

/* The screen the loader left (Multiboot2 framebuffer tag): a linear RGB
 * framebuffer, or a VGA text screen (width x height characters). */
struct boot_fb {
	u64 addr; /* 0: none */
	u32 pitch, width, height;
	u8 bpp;
	u8 red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
	bool text; /* EGA/VGA text mode at addr (0xb8000) */
	bool efi;  /* set up by UEFI's GOP (else a VESA mode) */
};

/* What the firmware left for the OS besides the memory map (UEFI, ACPI, SMBIOS). */
struct boot_firmware {
	u64 efi_systab;	   /* EFI system table (64-bit), 0 if none */
	u8 rsdp[36];	   /* the loader's copy of the ACPI RSDP (Multiboot2 ACPI tags) */
	u32 rsdp_len;	   /* 0 if none; 20 (ACPI 1.0) or 36 */
	u8 smbios[32];	   /* the loader's copy of the SMBIOS entry point (tag 13) */
	u32 smbios_len;	   /* 0 if none */
	struct boot_fb fb; /* the framebuffer, fb.addr 0 if none */
};

struct boot_info {
	const char *loader;		/* "multiboot" or "multiboot2" */
	char cmdline[BOOT_CMDLINE_MAX]; /* hv options, path token removed */
	struct memmap mem;		/* firmware memory map, sanitized */
	u64 rsdp;			/* ACPI RSDP physical address, 0 if not handed over */
	u64 smbios;			/* SMBIOS entry point physical address, 0 if none */
	struct boot_firmware fw;
	unsigned int nr_modules;
	struct boot_module mods[BOOT_MAX_MODULES];
	const struct boot_module *by_role[ROLE_COUNT];
	char strings[BOOT_MODSTR_MAX]; /* backing store for the args strings */
	size_t strings_used;
};

/**
 * bootinfo_add_module() - record one module from its raw loader string.
 * The string is "[path] role [args...]": a first token that is not a role is
 * taken as the file path some loaders prepend and skipped. Fails with a
 * message on the console for an unknown role, a repeated role, an empty or
 * out-of-range module, or too many modules.
 */
int bootinfo_add_module(struct boot_info *bi, u64 start, u64 end, const char *str);

/**
 * bootinfo_set_cmdline() - store the hv command line, skipping a leading image
 * path token (QEMU and GRUB pass the file name first). Fails if it is too long.
 */
int bootinfo_set_cmdline(struct boot_info *bi, const char *str);

/**
 * role_from_token() - match [tok, tok + len) against the role names.
 * Returns the role or -EINVAL.
 */
int role_from_token(const char *tok, size_t len);
const char *role_name(enum module_role role);

/** bootinfo_check() - the module set must name a guest kernel. */
int bootinfo_check(const struct boot_info *bi);

#endif /* HV_BOOTINFO_H */
