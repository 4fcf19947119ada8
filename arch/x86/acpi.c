// SPDX-License-Identifier: GPL-2.0-only
/* Locating the ACPI RSDP on BIOS machines (ACPI 6.5, 5.2.5.1). */
#include <asm/acpi.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

static bool rsdp_valid(const u8 *p)
{
	u8 sum = 0;

	if (memcmp(p, "RSD PTR ", 8))
		return false;
	for (unsigned int i = 0; i < 20; i++)
		sum += p[i];
	return sum == 0;
}

static u64 scan(u64 start, u64 len)
{
	for (u64 pa = start; pa + 20 <= start + len; pa += 16)
		if (rsdp_valid(phys_to_virt(pa)))
			return pa;
	return 0;
}

u64 acpi_find_rsdp(void)
{
	/* The first KiB of the EBDA, whose segment is at 0x40e, then 0xE0000-0xFFFFF. */
	u64 ebda = (u64) * (const u16 *)phys_to_virt(0x40e) << 4;
	u64 pa = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		pa = scan(ebda, 1024);
	return pa ? pa : scan(0xe0000, 0x20000);
}

/* ACPI 6.5, 5.2.6: the header every system description table starts with. */
struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision, checksum;
	char oem_id[6], oem_table_id[8];
	u32 oem_revision, creator_id, creator_revision;
} __packed;
BUILD_BUG_ON(sizeof(struct acpi_header) != 36);

#define MADT_IOAPIC 1
#define TABLE_MAX   (1 * MiB)

static bool table_ok(u64 pa, const char *sig)
{
	const struct acpi_header *h = phys_to_virt(pa);
	const u8 *p = phys_to_virt(pa);
	u8 sum = 0;

	if (!pa || memcmp(h->signature, sig, 4) || h->length < sizeof(*h) || h->length > TABLE_MAX)
		return false;
	for (u32 i = 0; i < h->length; i++)
		sum += p[i];
	return sum == 0;
}

/* RSDP (ACPI 6.5, 5.2.5.3): revision at 15, RSDT at 16, XSDT at 24. */
static u64 find_table(u64 rsdp, const char *sig)
{
	const u8 *r = phys_to_virt(rsdp);
	u8 rev = r[15];
	u32 rsdt;
	u64 xsdt;
	bool wide;
	u64 root;
	const struct acpi_header *h;

	memcpy(&rsdt, r + 16, 4);
	memcpy(&xsdt, r + 24, 8);
	wide = rev >= 2 && xsdt && table_ok(xsdt, "XSDT");
	root = wide ? xsdt : rsdt;
	if (!wide && !table_ok(root, "RSDT"))
		return 0;
	h = phys_to_virt(root);
	for (u32 off = sizeof(*h); off + (wide ? 8 : 4) <= h->length; off += wide ? 8 : 4) {
		u64 pa = 0;

		memcpy(&pa, (const u8 *)h + off, wide ? 8 : 4);
		if (table_ok(pa, sig))
			return pa;
	}
	return 0;
}

int acpi_ioapics(u64 rsdp, u64 *addr, unsigned int max)
{
	u64 madt = rsdp ? find_table(rsdp, "APIC") : 0;
	const struct acpi_header *h;
	unsigned int n = 0;

	if (!madt) {
		pr_warn("ACPI: no valid MADT; no IO-APIC to quiesce at hand-over");
		return 0;
	}
	h = phys_to_virt(madt);
	/* MADT: local APIC address and flags, then entries of (type, length, ...). */
	for (u32 off = sizeof(*h) + 8; off + 2 <= h->length;) {
		const u8 *e = (const u8 *)h + off;
		u32 a;

		if (e[1] < 2 || off + e[1] > h->length) {
			pr_warn("ACPI: MADT entry at offset %u has bad length %u; rest ignored",
				off, e[1]);
			break;
		}
		if (e[0] == MADT_IOAPIC && e[1] >= 12 && n < max) {
			memcpy(&a, e + 4, 4);
			addr[n++] = a;
		}
		off += e[1];
	}
	return (int)n;
}
