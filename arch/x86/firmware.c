// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the firmware's ACPI and SMBIOS tables are, on BIOS and UEFI
 * machines alike, and what a non-EFI guest needs to find them.
 *
 * Under UEFI, GRUB leaves boot services before it starts the hv, so the
 * guest is booted as a BIOS-style Linux guest: e820, acpi_rsdp_addr in
 * boot_params, the SMBIOS entry point where Linux scans for it (0xF0000 to
 * 0xFFFFF), the framebuffer as screen_info. docs/boot.md says what that
 * costs.
 */
#include <asm/acpi.h>
#include <asm/efi.h>
#include <asm/firmware.h>
#include <asm/guest_mem.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

/* Copies the loader made, kept in the hv image: the guest gets the hv's rewrite. */
static u8 rsdp_copy[36] __aligned(16);
static u8 smbios_copy[32] __aligned(16);

#define BOOT_MAPPED_LIMIT (4 * GiB) /* what head.S maps before the hv's own tables */

/* SMBIOS 3.6, 5.2: "_SM3_" (length at 6) or "_SM_" (length at 5), checksummed. */
static u32 smbios_entry_len(const u8 *p, u32 avail)
{
	u32 len = 0;
	u8 sum = 0;

	if (avail >= 24 && !memcmp(p, "_SM3_", 5))
		len = p[6];
	else if (avail >= 31 && !memcmp(p, "_SM_", 4))
		len = p[5];
	if (len < 24 || len > 32 || len > avail)
		return 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	return sum ? 0 : len;
}

/* An RSDP of either revision (OVMF lists a revision 0 one as ACPI 2.0). */
static bool rsdp_at(u64 pa)
{
	return acpi_rsdp_valid(phys_to_virt(pa), 36);
}

static bool smbios_at(u64 pa)
{
	return smbios_entry_len(phys_to_virt(pa), 32) != 0;
}

/* The newer entry of the EFI configuration table if it holds a valid structure, else the older. */
static u64 efi_entry(u64 systab, const struct efi_guid *newer, const struct efi_guid *older,
		     bool (*valid)(u64 pa))
{
	u64 p = efi_config_table(systab, BOOT_MAPPED_LIMIT, newer);

	if (!p || !valid(p))
		p = efi_config_table(systab, BOOT_MAPPED_LIMIT, older);
	return p && valid(p) ? p : 0;
}

void firmware_resolve(struct boot_info *bi)
{
	const struct boot_firmware *fw = &bi->fw;
	const char *from = "BIOS area";

	if (fw->efi_systab &&
	    (bi->rsdp = efi_entry(fw->efi_systab, &efi_acpi20_guid, &efi_acpi10_guid, rsdp_at)))
		from = "EFI configuration table";
	else if (acpi_rsdp_valid(fw->rsdp, fw->rsdp_len)) {
		memcpy(rsdp_copy, fw->rsdp, fw->rsdp_len);
		bi->rsdp = virt_to_phys(rsdp_copy);
		from = "Multiboot2 ACPI tag";
	} else {
		if (fw->rsdp_len)
			pr_warn("ACPI: the loader's copy of the RSDP is damaged; ignored");
		bi->rsdp = acpi_find_rsdp();
	}
	if (bi->rsdp)
		pr_info("ACPI: RSDP at 0x%llx (%s)", (unsigned long long)bi->rsdp, from);
	else
		pr_warn("ACPI: no RSDP found: one CPU, no pvpanic device, no DMA isolation");

	/* On BIOS machines Linux finds SMBIOS itself; the hv looks only under UEFI. */
	if (fw->efi_systab && (bi->smbios = efi_entry(fw->efi_systab, &efi_smbios3_guid,
						      &efi_smbios_guid, smbios_at))) {
		from = "EFI configuration table";
	} else if (smbios_entry_len(fw->smbios, fw->smbios_len)) {
		memcpy(smbios_copy, fw->smbios, fw->smbios_len);
		bi->smbios = virt_to_phys(smbios_copy);
		from = "Multiboot2 SMBIOS tag";
	}
	if (bi->smbios)
		pr_info("SMBIOS: entry point at 0x%llx (%s)", (unsigned long long)bi->smbios, from);
	bi->fw.fb.efi = fw->efi_systab != 0;
	if (fw->fb.addr && fw->fb.text)
		pr_info("screen: %ux%u text at 0x%llx (VGA)", fw->fb.width, fw->fb.height,
			(unsigned long long)fw->fb.addr);
	else if (fw->fb.addr)
		pr_info("framebuffer: %ux%u, %u bpp, at 0x%llx (%s)", fw->fb.width, fw->fb.height,
			fw->fb.bpp, (unsigned long long)fw->fb.addr,
			fw->fb.efi ? "UEFI GOP" : "VESA");
}

#define SMBIOS_SCAN_START 0xf0000 /* Linux's dmi_scan_machine() without EFI */
#define SMBIOS_SCAN_END	  0x100000

void firmware_guest_smbios(const struct boot_info *bi)
{
	const u8 *entry = bi->smbios ? phys_to_virt(bi->smbios) : NULL;
	u32 len = entry ? smbios_entry_len(entry, 32) : 0;
	u8 *copy;

	if (!len)
		return;
	for (u64 pa = SMBIOS_SCAN_START; pa < SMBIOS_SCAN_END; pa += 16)
		if (smbios_entry_len(phys_to_virt(pa), (u32)(SMBIOS_SCAN_END - pa)))
			return; /* the guest finds one there already */
	/*
	 * Where Linux looks: the first free (all 0x00 or all 0xff) 16-byte
	 * aligned 32 bytes. The firmware's page may be read-only (OVMF's is):
	 * the guest sees a copy of it, with the entry point, in a page of the
	 * hv's mapped there (gpm_overlay()); the firmware's stays as it is.
	 */
	for (u64 pa = SMBIOS_SCAN_START; pa + 32 <= SMBIOS_SCAN_END; pa += 16) {
		const u8 *p = phys_to_virt(pa);
		bool free = p[0] == 0 || p[0] == 0xff;

		for (u32 i = 1; i < 32 && free; i++)
			free = p[i] == p[0];
		if (!free)
			continue;
		copy = page_alloc(1);
		if (!copy || gpm_overlay(ALIGN_DOWN(pa, PAGE_SIZE), virt_to_phys(copy)))
			break;
		memcpy(copy, phys_to_virt(ALIGN_DOWN(pa, PAGE_SIZE)), PAGE_SIZE);
		memcpy(copy + (pa & (PAGE_SIZE - 1)), entry, len);
		pr_info("SMBIOS: the guest finds the entry point at 0x%llx, where Linux looks without EFI",
			(unsigned long long)pa);
		return;
	}
	pr_warn("SMBIOS: no room at 0xf0000-0xfffff; the guest runs without DMI");
}
