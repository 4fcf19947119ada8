// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiboot (v1) information and Multiboot2 tag lists (arch/x86/multiboot.c),
 * then the memory map the hv plans with (hv/memmap.c) over what they gave.
 *
 * Input: one byte, bit 0 set for Multiboot2, then the information structure.
 * Multiboot2: the tag list as the loader passed it, in a buffer of exactly
 * its size; a total_size larger than the input is cut to it, so any read
 * past total_size is the parser's. Multiboot: the 52-byte mb1_info and the
 * memory it points into, laid out at a fixed address below 4 GiB; each
 * pointer (command line, module list and strings, memory map) is taken as an
 * offset into that memory and the lengths the loader declares are cut to
 * what is there, so the parser's own reads are all that can leave it.
 */
#include "fuzz.h"
#include <asm/multiboot.h>
#include <hv/memmap.h>
#include <stdlib.h>

#define MB1_BASE 0x10000000ull
#define MB1_SIZE (1 * MiB)

static u8 *mb1_mem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mb1_mem = fuzz_map_fixed(MB1_BASE, MB1_SIZE);
	return 0;
}

/*
 * The 32-bit address at field (any alignment) made one in the laid-out
 * memory: kept if it is one (or 0 where that means none), else taken as an
 * offset into it. Returns true if it was kept.
 */
static bool in_mem(u64 field, size_t len, bool zero_ok)
{
	void *p = (void *)(uintptr_t)field;
	u32 v;

	memcpy(&v, p, 4);
	if ((zero_ok && !v) || (v >= MB1_BASE && v < MB1_BASE + len))
		return true;
	v = (u32)(MB1_BASE + v % len);
	memcpy(p, &v, 4);
	return false;
}

#define FIELD(name) (MB1_BASE + __builtin_offsetof(struct mb1_info, name))

/*
 * The pointers and lengths in the information structure and the module list
 * made to fit the memory; they may overlap each other, so until none changes.
 * Returns false if they never settle.
 */
static bool mb1_fit(size_t len)
{
	struct mb1_info *mi = (void *)mb1_mem;

	for (int pass = 0; pass < 8; pass++) {
		bool stable = true;
		u64 room;

		stable = in_mem(FIELD(cmdline), len, true) && stable;
		stable = in_mem(FIELD(mmap_addr), len, false) && stable;
		stable = in_mem(FIELD(mods_addr), len, false) && stable;
		room = len - (mi->mmap_addr - MB1_BASE);
		if (mi->mmap_length > room) {
			mi->mmap_length = (u32)room;
			stable = false;
		}
		room = (len - (mi->mods_addr - MB1_BASE)) / sizeof(struct mb1_module);
		if (mi->mods_count > room) {
			mi->mods_count = (u32)room;
			stable = false;
		}
		for (u32 i = 0; i < mi->mods_count && stable; i++) {
			u64 m = mi->mods_addr + (u64)i * sizeof(struct mb1_module);

			/* A string written may have been the list's own address or length. */
			if (m < MB1_BASE || m + sizeof(struct mb1_module) > MB1_BASE + len)
				stable = false;
			else
				stable = in_mem(m + __builtin_offsetof(struct mb1_module, string),
						len, true);
		}
		if (stable)
			return true;
	}
	return false;
}

static u64 mb1_layout(const u8 *data, size_t n)
{
	size_t len = MAX(n, sizeof(struct mb1_info));

	fuzz_poison(mb1_mem, MB1_SIZE);
	fuzz_unpoison(mb1_mem, len + 1);
	memset(mb1_mem, 0, len + 1); /* and a NUL after it all: strings end there */
	memcpy(mb1_mem, data, n);
	return mb1_fit(len) ? MB1_BASE : 0;
}

static void check_bootinfo(const struct boot_info *bi)
{
	const struct memmap *m = &bi->mem;

	fuzz_check(m->nr <= MEMMAP_MAX);
	for (unsigned int i = 0; i < m->nr; i++) {
		fuzz_check(m->e[i].size && m->e[i].addr + m->e[i].size > m->e[i].addr);
		if (i)
			fuzz_check(m->e[i - 1].addr + m->e[i - 1].size <= m->e[i].addr);
	}
	fuzz_check(memchr(bi->cmdline, 0, sizeof(bi->cmdline)));
	fuzz_check(bi->nr_modules <= BOOT_MAX_MODULES);
	fuzz_check(bi->strings_used <= sizeof(bi->strings));
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *mod = &bi->mods[i];

		fuzz_check(mod->role < ROLE_COUNT && bi->by_role[mod->role] == mod);
		fuzz_check(mod->size && mod->start + mod->size > mod->start);
		fuzz_check(mod->args >= bi->strings &&
			   mod->args + strlen(mod->args) < bi->strings + bi->strings_used);
	}
	fuzz_check(bi->fw.rsdp_len <= sizeof(bi->fw.rsdp));
	fuzz_check(bi->fw.smbios_len <= sizeof(bi->fw.smbios));
}

/*
 * What the memory plan (hv/main.c) does with the map: a 2 MiB-aligned area
 * below 4 GiB clear of the modules and the image, carved out of the map.
 */
static void plan(const struct boot_info *bi, u64 size, bool top_down)
{
	struct phys_range busy[BOOT_MAX_MODULES + 1];
	unsigned int n = 0;
	struct memmap g = bi->mem;
	u64 total = memmap_ram_total(&g), a;

	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		const struct boot_module *mod = &bi->mods[i];

		if (mod->start + mod->size > 4 * GiB ||
		    !memmap_is_ram(&bi->mem, mod->start, mod->size))
			return; /* refused before the plan */
		busy[n++] = (struct phys_range){ ALIGN_DOWN(mod->start, PAGE_SIZE),
						 ALIGN_UP(mod->start + mod->size, PAGE_SIZE),
						 "module" };
	}
	busy[n++] = (struct phys_range){ 1 * MiB, 2 * MiB, "hv image" };
	a = memmap_find_free(&g, busy, n, size, 2 * MiB, 16 * MiB, 4 * GiB, top_down);
	if (!a)
		return;
	fuzz_check(IS_ALIGNED(a, 2 * MiB) && a >= 16 * MiB && a + size <= 4 * GiB);
	fuzz_check(memmap_is_ram(&g, a, size));
	for (unsigned int i = 0; i < n; i++)
		fuzz_check(!ranges_overlap(a, size, busy[i].start, busy[i].end - busy[i].start));
	if (memmap_remove(&g, a, size))
		return;
	fuzz_check(memmap_ram_total(&g) == total - size);
	fuzz_check(!memmap_is_ram(&g, a, 1) && !memmap_is_ram(&g, a + size - 1, 1));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct boot_info bi;
	u32 magic;
	u64 info;
	u8 *buf = NULL;

	if (!size || size > MB1_SIZE / 2)
		return 0;
	memset(&bi, 0, sizeof(bi));
	if (data[0] & 1) {
		size_t n = MAX(size - 1, (size_t)8);
		u32 total;

		buf = calloc(1, n);
		memcpy(buf, data + 1, size - 1);
		memcpy(&total, buf, 4);
		total = (u32)MIN((u64)total, n);
		memcpy(buf, &total, 4);
		magic = MB2_LOADER_MAGIC;
		info = (u64)(uintptr_t)buf;
	} else {
		magic = MB1_LOADER_MAGIC;
		info = mb1_layout(data + 1, size - 1);
		if (!info)
			return 0;
	}
	fuzz_check(strlen(multiboot_cmdline(magic, info)) < MB_STRING_MAX);
	if (!multiboot_parse(magic, info, &bi)) {
		check_bootinfo(&bi);
		bootinfo_check(&bi);
		plan(&bi, 8 * MiB + 128 * MiB, true);
		plan(&bi, 2 * MiB, false);
	}
	free(buf);
	return 0;
}
