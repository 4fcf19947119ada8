// SPDX-License-Identifier: GPL-2.0-only
/* Multiboot and Multiboot2 information into struct boot_info. */
#include <asm/multiboot.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* Loader strings are untrusted: bounded and copied. */
static const char *loader_string(u64 pa, char *buf, size_t size)
{
	const char *s = phys_to_virt(pa);
	size_t n;

	if (!pa)
		return "";
	n = strnlen(s, size - 1);
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int parse_mb1(const struct mb1_info *mi, struct boot_info *bi)
{
	static char str[MB_STRING_MAX];
	int ret;

	bi->loader = "multiboot";
	if (mi->flags & MB1_INFO_CMDLINE) {
		ret = bootinfo_set_cmdline(bi, loader_string(mi->cmdline, str, sizeof(str)));
		if (ret)
			return ret;
	}
	if (!(mi->flags & MB1_INFO_MMAP) || !mi->mmap_length) {
		pr_err("multiboot: the loader gave no memory map (flags 0x%x)", mi->flags);
		return -EINVAL;
	}
	for (u64 off = 0; off + sizeof(u32) <= mi->mmap_length;) {
		const struct mb1_mmap_entry *e = phys_to_virt(mi->mmap_addr + off);

		if (e->size < 20 || off + e->size + 4 > mi->mmap_length) {
			pr_err("multiboot: malformed memory map entry at offset %llu (size %u)",
			       (unsigned long long)off, e->size);
			return -EINVAL;
		}
		if (e->len && memmap_add(&bi->mem, e->addr, e->len, e->type))
			return -ENOSPC;
		off += e->size + 4;
	}
	if (mi->flags & MB1_INFO_MODS) {
		const struct mb1_module *m = phys_to_virt(mi->mods_addr);

		for (u32 i = 0; i < mi->mods_count; i++) {
			ret = bootinfo_add_module(bi, m[i].mod_start, m[i].mod_end,
						  loader_string(m[i].string, str, sizeof(str)));
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int mb2_mmap(const struct mb2_tag_mmap *t, struct boot_info *bi)
{
	/* The header first: a tag of 8 bytes ends where entry_size would be. */
	if (t->size < sizeof(*t) || t->entry_size < sizeof(struct mb2_mmap_entry)) {
		pr_err("multiboot2: memory map tag of %u bytes, entry size %u: too small", t->size,
		       t->size < sizeof(*t) ? 0 : t->entry_size);
		return -EINVAL;
	}
	/* off <= t->size throughout: the subtraction cannot wrap, an addition could. */
	for (u32 off = sizeof(*t); t->entry_size <= t->size - off; off += t->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)((const u8 *)t + off);

		if (e->len && memmap_add(&bi->mem, e->addr, e->len, e->type))
			return -ENOSPC;
	}
	return 0;
}

/* A copy the loader made of a firmware structure: kept whole, or refused by name. */
static int mb2_copy(const struct mb2_tag *t, u32 hdr, u8 *dst, u32 max, u32 *len, const char *what)
{
	u32 n = t->size - hdr;

	if (t->size < hdr || n < 20) {
		pr_err("multiboot2: %s tag of %u bytes holds no %s", what, t->size, what);
		return -EINVAL;
	}
	*len = MIN(n, max);
	memcpy(dst, (const u8 *)t + hdr, *len);
	return 0;
}

static int mb2_framebuffer(const struct mb2_tag_framebuffer *t, struct boot_fb *fb)
{
	if (t->size < sizeof(*t) - 6) {
		pr_err("multiboot2: framebuffer tag too short (%u bytes)", t->size);
		return -EINVAL;
	}
	/* GRUB's gfxpayload=text on BIOS machines: Linux's VGA console takes it. */
	if (t->fb_type == MB2_FB_EGA_TEXT && t->addr && t->width && t->width < 256 && t->height &&
	    t->height < 256) {
		*fb = (struct boot_fb){ .addr = t->addr, .width = t->width, .height = t->height,
					.pitch = t->pitch, .text = true };
		return 0;
	}
	/* Else only a direct-colour linear framebuffer makes a console (not indexed colour). */
	if (t->fb_type != MB2_FB_RGB || t->size < sizeof(*t) || !t->addr || !t->bpp)
		return 0;
	*fb = (struct boot_fb){ .addr = t->addr,
				.pitch = t->pitch,
				.width = t->width,
				.height = t->height,
				.bpp = t->bpp,
				.red_pos = t->red_pos,
				.red_size = t->red_size,
				.green_pos = t->green_pos,
				.green_size = t->green_size,
				.blue_pos = t->blue_pos,
				.blue_size = t->blue_size };
	return 0;
}

static int parse_mb2(u64 info, struct boot_info *bi)
{
	static char str[MB_STRING_MAX];
	u32 total = *(const u32 *)phys_to_virt(info);
	bool have_mmap = false;
	int ret = 0;

	bi->loader = "multiboot2";
	for (u32 off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = phys_to_virt(info + off);

		/* off + 8 <= total here: compared this way, a huge size cannot wrap. */
		if (t->size < sizeof(*t) || t->size > total - off) {
			pr_err("multiboot2: malformed tag type %u at offset %u (size %u)", t->type,
			       off, t->size);
			return -EINVAL;
		}
		switch (t->type) {
		case MB2_TAG_END:
			if (!have_mmap) {
				pr_err("multiboot2: the loader gave no memory map");
				return -EINVAL;
			}
			return 0;
		case MB2_TAG_CMDLINE:
			ret = bootinfo_set_cmdline(
				bi,
				loader_string(info + off + 8, str, MIN(sizeof(str), t->size - 7)));
			break;
		case MB2_TAG_MODULE: {
			const struct mb2_tag_module *m = (const void *)t;

			if (t->size < sizeof(*m)) {
				pr_err("multiboot2: module tag too short (%u bytes)", t->size);
				return -EINVAL;
			}
			ret = bootinfo_add_module(
				bi, m->mod_start, m->mod_end,
				loader_string(info + off + sizeof(*m), str,
					      MIN(sizeof(str), t->size - sizeof(*m) + 1)));
			break;
		}
		case MB2_TAG_MMAP:
			ret = mb2_mmap((const void *)t, bi);
			have_mmap = true;
			break;
		case MB2_TAG_EFI64:
			if (t->size < sizeof(struct mb2_tag_efi64)) {
				pr_err("multiboot2: EFI system table tag too short (%u bytes)",
				       t->size);
				return -EINVAL;
			}
			bi->fw.efi_systab = ((const struct mb2_tag_efi64 *)t)->pointer;
			break;
		case MB2_TAG_ACPI_NEW: /* preferred over the ACPI 1.0 copy, whatever the order */
		case MB2_TAG_ACPI_OLD:
			if (t->type == MB2_TAG_ACPI_OLD && bi->fw.rsdp_len > 20)
				break;
			ret = mb2_copy(t, sizeof(*t), bi->fw.rsdp, sizeof(bi->fw.rsdp),
				       &bi->fw.rsdp_len, "RSDP");
			break;
		case MB2_TAG_SMBIOS:
			ret = mb2_copy(t, sizeof(struct mb2_tag_smbios), bi->fw.smbios,
				       sizeof(bi->fw.smbios), &bi->fw.smbios_len, "SMBIOS entry point");
			break;
		case MB2_TAG_FRAMEBUFFER:
			ret = mb2_framebuffer((const void *)t, &bi->fw.fb);
			break;
		}
		if (ret)
			return ret;
		off = ALIGN_UP(off + t->size, 8);
	}
	pr_err("multiboot2: information structure has no end tag");
	return -EINVAL;
}

const char *multiboot_cmdline(u32 magic, u64 info)
{
	static char str[MB_STRING_MAX];

	if (magic == MB1_LOADER_MAGIC) {
		const struct mb1_info *mi = phys_to_virt(info);

		if (mi->flags & MB1_INFO_CMDLINE)
			return loader_string(mi->cmdline, str, sizeof(str));
	} else if (magic == MB2_LOADER_MAGIC) {
		u32 total = *(const u32 *)phys_to_virt(info);

		for (u32 off = 8; off + 8 <= total;) {
			const struct mb2_tag *t = phys_to_virt(info + off);

			if (t->type == MB2_TAG_END || t->size < 8 || t->size > total - off)
				break; /* malformed: multiboot_parse() reports it */
			if (t->type == MB2_TAG_CMDLINE)
				return loader_string(info + off + 8, str,
						     MIN(sizeof(str), t->size - 7));
			off = ALIGN_UP(off + t->size, 8);
		}
	}
	return "";
}

int multiboot_parse(u32 magic, u64 info, struct boot_info *bi)
{
	int ret;

	if (magic == MB1_LOADER_MAGIC)
		ret = parse_mb1(phys_to_virt(info), bi);
	else if (magic == MB2_LOADER_MAGIC)
		ret = parse_mb2(info, bi);
	else {
		pr_err("not started by a Multiboot loader: magic 0x%x in EAX", magic);
		return -EINVAL;
	}
	if (ret)
		return ret;
	return memmap_sanitize(&bi->mem);
}
