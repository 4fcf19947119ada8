// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the RSDP and the SMBIOS entry point come from (arch/x86/firmware.c):
 * the EFI system table's configuration table (arch/x86/efi.c), the copies
 * the loader made (Multiboot2 tags), the BIOS area (acpi_find_rsdp(), which
 * reads real low memory; tests/stub/firmware.c answers instead).
 *
 * Input: a flags byte (bit 0: an EFI system table is given; bit 1: the BIOS
 * scan finds an RSDP), the loader's RSDP copy (a length byte, 36 bytes) and
 * SMBIOS copy (a length byte, 32 bytes), then the memory the system table
 * heads, laid out at a fixed address below 4 GiB: the configuration table's
 * address and the tables it lists are taken as offsets into it, and an entry
 * count that does not fit is cut to what does.
 */
#include "fuzz.h"
#include "stub.h"
#include <asm/acpi.h>
#include <asm/efi.h>
#include <asm/firmware.h>
#include <asm/guest_mem.h>
#include <hv/mm.h>

#define EFI_BASE 0x28000000ull
#define EFI_SIZE (1 * MiB)
#define TAIL	 36 /* an RSDP (or SMBIOS entry point) may start at the last byte */

static u8 *mem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mem = fuzz_map_fixed(EFI_BASE, EFI_SIZE);
	return 0;
}

/* The address at where made one in the memory (kept if it is); true if kept. */
static bool in_mem(u64 where, size_t len)
{
	u64 v;

	memcpy(&v, mem + where, 8);
	if (v >= EFI_BASE && v < EFI_BASE + len)
		return true;
	v = EFI_BASE + v % len;
	memcpy(mem + where, &v, 8);
	return false;
}

/*
 * The configuration table's address, count and entries made to fit; the
 * entries may overlap the system table, so until nothing changes. Returns
 * false if it never settles.
 */
static bool systab_fit(size_t len)
{
	for (int pass = 0; pass < 8; pass++) {
		bool stable = in_mem(112, len);
		u64 nr, tables, room;

		memcpy(&nr, mem + 104, 8);
		memcpy(&tables, mem + 112, 8);
		room = (EFI_BASE + len - tables) / 24;
		if (nr <= EFI_CONFIG_TABLES_MAX && nr > room) {
			nr = room;
			memcpy(mem + 104, &nr, 8);
			stable = false;
		}
		for (u64 i = 0; i < nr && i < EFI_CONFIG_TABLES_MAX && stable; i++)
			stable = in_mem(tables - EFI_BASE + i * 24 + 16, len);
		if (stable)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct boot_info bi;
	static u8 bios[36] = "RSD PTR ";
	struct fuzz_in in = { data, size };
	u8 flags = fuzz_u8(&in);
	const u8 *p;
	size_t n, len;

	memset(&bi, 0, sizeof(bi));
	bi.fw.rsdp_len = fuzz_u8(&in) % (sizeof(bi.fw.rsdp) + 1);
	fuzz_get(&in, bi.fw.rsdp, sizeof(bi.fw.rsdp));
	bi.fw.smbios_len = fuzz_u8(&in) % (sizeof(bi.fw.smbios) + 1);
	fuzz_get(&in, bi.fw.smbios, sizeof(bi.fw.smbios));
	bios[8] = 0;
	for (unsigned int i = 0; i < 8; i++)
		bios[8] -= bios[i]; /* the 20-byte checksum */
	stub_bios_rsdp = flags & 2 ? (u64)(uintptr_t)bios : 0;

	p = fuzz_take(&in, MIN(in.n, (size_t)(EFI_SIZE - TAIL)), &n);
	len = MAX(n, (size_t)120);
	fuzz_unpoison(mem, EFI_SIZE);
	memset(mem, 0, len + TAIL);
	memcpy(mem, p, n);
	if (flags & 1) {
		bi.fw.efi_systab = EFI_BASE;
		if (!systab_fit(len))
			return 0;
	}
	fuzz_poison(mem, EFI_SIZE);
	fuzz_unpoison(mem, len + TAIL);

	firmware_resolve(&bi);
	if (bi.rsdp)
		fuzz_check(acpi_rsdp_valid(phys_to_virt(bi.rsdp), 36));
	if (bi.smbios)
		fuzz_check(!memcmp(phys_to_virt(bi.smbios), "_SM", 3));
	fuzz_check(bi.fw.fb.efi == !!(flags & 1));
	return 0;
}
