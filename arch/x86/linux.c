// SPDX-License-Identifier: GPL-2.0-only
/* Linux x86 boot protocol: bzImage header checks and boot_params. */
#include <asm/elf.h>
#include <asm/linux.h>
#include <hv/elf.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

int bzimage_parse(const void *image, u64 size, struct bzimage *bz, const char *what)
{
	const u8 *img = image;
	const struct setup_header *h = (const void *)(img + SETUP_HEADER_OFFSET);
	unsigned int sects;

	if (size < SETUP_HEADER_OFFSET + sizeof(*h)) {
		pr_err_what("%s: %llu bytes is too short for a bzImage", what, (unsigned long long)size);
		return -ENOEXEC;
	}
	if (h->boot_flag != LINUX_BOOT_FLAG || h->header != LINUX_HDRS_MAGIC) {
		pr_err_what("%s: not a Linux bzImage (boot flag 0x%04x, header magic 0x%08x)", what,
		       h->boot_flag, h->header);
		return -ENOEXEC;
	}
	if (h->version < LINUX_MIN_PROTOCOL) {
		pr_err_what("%s: boot protocol %u.%02u is older than 2.12, which parachute needs", what,
		       h->version >> 8, h->version & 0xff);
		return -ENOEXEC;
	}
	if (!(h->loadflags & LINUX_LOADED_HIGH)) {
		pr_err_what("%s: zImage (loaded low) kernels are not supported", what);
		return -ENOEXEC;
	}
	/* boot.rst: "If this field is 0, the real value is 4." */
	sects = h->setup_sects ? h->setup_sects : 4;
	bz->setup_size = (u64)(sects + 1) * 512;
	if (bz->setup_size >= size) {
		pr_err_what("%s: truncated: setup code claims %llu of %llu bytes", what,
		       (unsigned long long)bz->setup_size, (unsigned long long)size);
		return -ENOEXEC;
	}
	bz->kernel_size = size - bz->setup_size;
	/* syssize counts 16-byte paragraphs of the protected-mode code. */
	if ((u64)h->syssize * 16 > bz->kernel_size) {
		pr_err_what("%s: truncated: %llu bytes of kernel code, header says %llu", what,
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
		pr_err_what("%s: kernel_alignment 0x%x is not a power of two", what,
		       h->kernel_alignment);
		return -ENOEXEC;
	}
	bz->pref_address = h->pref_address ? h->pref_address : 1 * MiB;
	bz->initrd_max = (u64)h->initrd_addr_max + 1;
	bz->cmdline_max = h->cmdline_size;
	return 0;
}

void bzimage_version(const struct bzimage *bz, char *out, size_t len)
{
	u64 at = 0x200 + (u64)bz->hdr->kernel_version;
	size_t n = 0;

	if (bz->hdr->kernel_version)
		while (at + n < bz->setup_size && n + 1 < len && bz->image[at + n] >= ' ' &&
		       bz->image[at + n] < 0x7f) {
			out[n] = (char)bz->image[at + n];
			n++;
		}
	out[n] = 0;
	if (!n)
		snprintf_hv(out, len, "(no version string)");
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

/* boot.rst, 64-bit protocol: __BOOT_CS (0x10) a 64-bit code segment, __BOOT_DS (0x18) data. */
void linux_boot_entry64(struct x86_entry *e, u64 entry, u64 bp, u64 gdt, u64 cr3)
{
	static const u64 entries[LINUX_BOOT_GDT_SIZE / 8] = {
		0, 0, 0x00af9a000000ffffull, /* 0x10: __BOOT_CS, 64-bit code (L=1, D=0) */
		0x00cf92000000ffffull,	     /* 0x18: __BOOT_DS, flat data */
	};

	memcpy(phys_to_virt(gdt), entries, sizeof(entries));
	*e = (struct x86_entry){ .long_mode = true,
				 .rip = entry,
				 .rsi = bp,
				 .cr3 = cr3,
				 .gdt_base = gdt,
				 .gdt_limit = LINUX_BOOT_GDT_SIZE - 1 };
}

/* x86 paging entries (SDM vol. 3A, 4.5): present, writable, a 2 MiB page in a PDE. */
#define PG_P  0x1ull
#define PG_RW 0x2ull
#define PG_PS 0x80ull

int linux_identity_map(u64 pgt, unsigned int max_pages, u64 start, u64 end)
{
	u64 first = ALIGN_DOWN(start, GiB), last = ALIGN_UP(end, GiB);
	unsigned int pds = (unsigned int)((last - first) / GiB);
	u64 *pml4 = phys_to_virt(pgt), *pdpt = phys_to_virt(pgt + PAGE_SIZE);

	if (end <= start || (first >> 39) != ((last - 1) >> 39))
		return -EINVAL; /* one PDPT: one 512 GiB slot */
	if (2 + pds > max_pages)
		return -ENOSPC;
	memset(pml4, 0, (2 + (size_t)pds) * PAGE_SIZE);
	pml4[(first >> 39) & 511] = (pgt + PAGE_SIZE) | PG_P | PG_RW;
	for (unsigned int i = 0; i < pds; i++) {
		u64 gib = first + (u64)i * GiB, pd_pa = pgt + (2 + (u64)i) * PAGE_SIZE;
		u64 *pd = phys_to_virt(pd_pa);

		pdpt[(gib >> 30) & 511] = pd_pa | PG_P | PG_RW;
		for (unsigned int j = 0; j < 512; j++) {
			u64 pa = gib + (u64)j * 2 * MiB;

			if (pa + 2 * MiB > ALIGN_DOWN(start, 2 * MiB) && pa < end)
				pd[j] = pa | PG_P | PG_RW | PG_PS;
		}
	}
	return 0;
}

static bool in_file(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/* Take [s, e) out of the checked ranges (a NOBITS section), splitting one if need be. */
static int punch(struct vmlinux *vl, u64 s, u64 e)
{
	for (unsigned int i = 0; i < vl->nchecked; i++) {
		u64 cs = vl->checked[i].start, ce = vl->checked[i].end;

		if (e <= cs || s >= ce)
			continue;
		if (s > cs && e < ce) {
			if (vl->nchecked == VMLINUX_MAX_RANGES)
				return -E2BIG;
			memmove(&vl->checked[i + 1], &vl->checked[i],
				(vl->nchecked - i) * sizeof(vl->checked[0]));
			vl->nchecked++;
			vl->checked[i].end = s;
			vl->checked[i + 1].start = e;
			i++;
		} else if (s <= cs && e >= ce) {
			memmove(&vl->checked[i], &vl->checked[i + 1],
				(vl->nchecked - i - 1) * sizeof(vl->checked[0]));
			vl->nchecked--;
			i--;
		} else if (s <= cs) {
			vl->checked[i].start = e;
		} else {
			vl->checked[i].end = s;
		}
	}
	return 0;
}

/* NOBITS sections have no content to keep: the kernel clears .bss and .brk, fills .orc_lookup. */
static int skip_nobits(struct vmlinux *vl, const struct elf64_ehdr *eh, const char *what)
{
	const struct elf64_phdr *ph = (const void *)(vl->image + eh->e_phoff);

	if (!eh->e_shoff || !eh->e_shnum)
		return 0; /* no section headers: everything is checked */
	if (eh->e_shentsize != sizeof(struct elf64_shdr) ||
	    !in_file(eh->e_shoff, (u64)eh->e_shnum * sizeof(struct elf64_shdr), vl->size)) {
		pr_err_what("%s: section headers (%u at 0x%llx) are not inside the file", what,
		       eh->e_shnum, (unsigned long long)eh->e_shoff);
		return -ENOEXEC;
	}
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		struct elf64_shdr sh;

		memcpy(&sh, vl->image + eh->e_shoff + (u64)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size)
			continue;
		for (unsigned int j = 0; j < eh->e_phnum; j++) {
			const struct elf64_phdr *p = &ph[j];
			u64 off;

			if (p->p_type != PT_LOAD || sh.sh_addr < p->p_vaddr ||
			    sh.sh_addr - p->p_vaddr >= p->p_memsz)
				continue;
			off = p->p_paddr - vl->phys + (sh.sh_addr - p->p_vaddr);
			if (punch(vl, off, off + MIN(sh.sh_size, p->p_memsz - (sh.sh_addr - p->p_vaddr)))) {
				pr_err_what("%s: too many NOBITS sections inside its segments", what);
				return -E2BIG;
			}
		}
	}
	return 0;
}

int vmlinux_parse(const void *image, u64 size, struct vmlinux *vl, const char *what)
{
	static const u8 magic[] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB };
	const struct elf64_ehdr *eh = image;
	const struct elf64_phdr *ph;
	u64 end = 0;

	memset(vl, 0, sizeof(*vl));
	vl->image = image;
	vl->size = size;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, magic, sizeof(magic))) {
		pr_err_what("%s: not a 64-bit little-endian ELF file", what);
		return -ENOEXEC;
	}
	if (eh->e_type != ET_EXEC || eh->e_machine != ELF_MACHINE) {
		pr_err_what("%s: ELF type %u, machine %u: not an x86-64 executable (a vmlinux)", what,
		       eh->e_type, eh->e_machine);
		return -ENOEXEC;
	}
	if (eh->e_phentsize != sizeof(*ph) || !eh->e_phnum ||
	    !in_file(eh->e_phoff, (u64)eh->e_phnum * sizeof(*ph), size) ||
	    !IS_ALIGNED(eh->e_phoff, 8)) {
		pr_err_what("%s: program headers (%u at 0x%llx) are not inside the file", what,
		       eh->e_phnum, (unsigned long long)eh->e_phoff);
		return -ENOEXEC;
	}
	ph = (const void *)((const u8 *)image + eh->e_phoff);
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *p = &ph[i];

		if (p->p_type != PT_LOAD || !p->p_memsz)
			continue;
		if (vl->nseg == VMLINUX_MAX_SEGS) {
			pr_err_what("%s: more than %u loadable segments", what, VMLINUX_MAX_SEGS);
			return -E2BIG;
		}
		if (!in_file(p->p_offset, p->p_filesz, size) || p->p_filesz > p->p_memsz) {
			pr_err_what("%s: segment %u (0x%llx bytes at file offset 0x%llx) runs past the end of the file",
			       what, i, (unsigned long long)p->p_filesz,
			       (unsigned long long)p->p_offset);
			return -ENOEXEC;
		}
		if (!vl->nseg)
			vl->phys = p->p_paddr;
		if (p->p_paddr < end || p->p_memsz > 4 * GiB || p->p_paddr - vl->phys > 4 * GiB) {
			pr_err_what("%s: segment %u at physical 0x%llx+0x%llx overlaps or precedes the one before, or is out of range",
			       what, i, (unsigned long long)p->p_paddr,
			       (unsigned long long)p->p_memsz);
			return -ENOEXEC;
		}
		end = p->p_paddr + p->p_memsz;
		vl->seg[vl->nseg].offset = p->p_offset;
		vl->seg[vl->nseg].dest = p->p_paddr - vl->phys;
		vl->seg[vl->nseg].filesz = p->p_filesz;
		vl->seg[vl->nseg].memsz = p->p_memsz;
		if (p->p_filesz)
			vl->checked[vl->nchecked++] = (typeof(vl->checked[0])){
				p->p_paddr - vl->phys, p->p_paddr - vl->phys + p->p_filesz
			};
		vl->nseg++;
	}
	if (!vl->nseg) {
		pr_err_what("%s: no loadable segment", what);
		return -ENOEXEC;
	}
	vl->span = end - vl->phys;
	vl->entry = eh->e_entry - vl->phys;
	if (eh->e_entry < vl->phys || vl->entry >= vl->seg[0].filesz) {
		pr_err_what("%s: entry point 0x%llx is not in its first segment (0x%llx+0x%llx)", what,
		       (unsigned long long)eh->e_entry, (unsigned long long)vl->phys,
		       (unsigned long long)vl->seg[0].filesz);
		return -ENOEXEC;
	}
	return skip_nobits(vl, eh, what);
}

static const u8 *find_bytes(const u8 *hay, u64 n, const char *needle, size_t len)
{
	for (u64 i = 0; len && n >= len && i <= n - len; i++)
		if (hay[i] == (u8)needle[0] && !memcmp(hay + i, needle, len))
			return hay + i;
	return NULL;
}

int vmlinux_matches(const struct vmlinux *vl, const struct bzimage *bz, const char *what)
{
	char ver[256], head[300];
	const char *build;
	const u8 *at, *eol;
	u64 left;

	/* "6.1.0-57-amd64 (builder@host) #1 SMP ..." in the bzImage; the banner adds the compiler. */
	bzimage_version(bz, ver, sizeof(ver));
	build = strchr(ver, '#');
	snprintf_hv(head, sizeof(head), "Linux version %s", ver);
	if (build) /* the release and builder, up to the build number */
		head[strlen("Linux version ") + (size_t)(build - ver)] = 0;
	for (at = vl->image;; at++) {
		left = vl->size - (u64)(at - vl->image);
		at = find_bytes(at, left, head, strlen(head));
		if (!at)
			break;
		left = vl->size - (u64)(at - vl->image);
		eol = NULL;
		for (u64 i = 0; i < MIN(left, (u64)1024) && !eol; i++)
			if (at[i] == '\n')
				eol = at + i;
		if (!build || (eol && (size_t)(eol - at) >= strlen(build) &&
			       !memcmp(eol - strlen(build), build, strlen(build))))
			return 0;
	}
	pr_err_what("%s: not the kernel the capture bzImage carries (no banner \"%s...%s\" in it)", what,
	       head, build ? build : "");
	return -ENOEXEC;
}

void vmlinux_load(const struct vmlinux *vl, u8 *dest)
{
	u64 done = 0;

	for (unsigned int i = 0; i < vl->nseg; i++) {
		memset(dest + done, 0, vl->seg[i].dest - done);
		memcpy(dest + vl->seg[i].dest, vl->image + vl->seg[i].offset, vl->seg[i].filesz);
		memset(dest + vl->seg[i].dest + vl->seg[i].filesz, 0,
		       vl->seg[i].memsz - vl->seg[i].filesz);
		done = vl->seg[i].dest + vl->seg[i].memsz;
	}
}
