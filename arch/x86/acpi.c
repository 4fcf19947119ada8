// SPDX-License-Identifier: GPL-2.0-only
/* The ACPI RSDP on BIOS machines (ACPI 6.5, 5.2.5.1), tables, and the guest's copies. */
#include <asm/acpi.h>
#include <hv/lib.h>
#include <hv/mm.h>
#include <hv/printk.h>

bool acpi_rsdp_valid(const u8 *p, u32 avail)
{
	u8 sum = 0, xsum = 0;
	u32 len;

	if (avail < 20 || memcmp(p, "RSD PTR ", 8))
		return false;
	for (unsigned int i = 0; i < 20; i++)
		sum += p[i];
	if (sum || p[15] < 2)
		return !sum;
	/* ACPI 6.5, 5.2.5.3: revision 2 adds a length and a checksum over all of it. */
	memcpy(&len, p + 20, 4);
	if (len < 36 || len > avail)
		return false;
	for (u32 i = 0; i < len; i++)
		xsum += p[i];
	return xsum == 0;
}

static u64 scan(u64 start, u64 len)
{
	for (u64 pa = start; pa + 20 <= start + len; pa += 16)
		if (acpi_rsdp_valid(phys_to_virt(pa), (u32)(start + len - pa)))
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

#define TABLE_MAX (1 * MiB)

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

/*
 * The tables the root table lists: the XSDT if the RSDP (ACPI 6.5, 5.2.5.3:
 * revision at 15, RSDT at 16, XSDT at 24) has a valid one, else the RSDT.
 * Returns how many addresses went into out (at most max), or -EINVAL.
 */
static int root_entries(u64 rsdp, u64 *out, unsigned int max)
{
	const u8 *r = phys_to_virt(rsdp);
	u32 rsdt, step;
	u64 xsdt = 0;
	const struct acpi_header *h;
	unsigned int n = 0;

	memcpy(&rsdt, r + 16, 4);
	if (r[15] >= 2)
		memcpy(&xsdt, r + 24, 8);
	if (xsdt && table_ok(xsdt, "XSDT"))
		h = phys_to_virt(xsdt), step = 8;
	else if (table_ok(rsdt, "RSDT"))
		h = phys_to_virt(rsdt), step = 4;
	else
		return -EINVAL;
	for (u32 off = sizeof(*h); off + step <= h->length && n < max; off += step) {
		out[n] = 0;
		memcpy(&out[n++], (const u8 *)h + off, step);
	}
	return (int)n;
}

/* One walk: the first valid table named sig; listed ones that fail are reported. */
static u64 find_table(u64 rsdp, const char *sig)
{
	u64 entries[64];
	int n = root_entries(rsdp, entries, ARRAY_SIZE(entries));

	for (int i = 0; i < n; i++) {
		if (table_ok(entries[i], sig))
			return entries[i];
		if (entries[i] && !memcmp(phys_to_virt(entries[i]), sig, 4))
			pr_err("ACPI: %s at 0x%llx has a bad length or checksum; ignored", sig,
			       (unsigned long long)entries[i]);
	}
	return 0;
}

const u8 *acpi_find_table(u64 rsdp, const char *sig, u32 *len)
{
	u64 pa = find_table(rsdp, sig);

	if (!pa)
		return NULL;
	*len = ((const struct acpi_header *)phys_to_virt(pa))->length;
	return phys_to_virt(pa);
}

int acpi_madt(u64 rsdp, struct madt_info *m)
{
	u64 pa = rsdp ? find_table(rsdp, "APIC") : 0;
	const struct acpi_header *h;
	char err[96];

	memset(m, 0, sizeof(*m));
	if (!pa)
		return -ENOENT;
	h = phys_to_virt(pa);
	if (madt_parse((const u8 *)h, h->length, m, err, sizeof(err)))
		pr_warn("ACPI: %s; the entries after it are ignored", err);
	return 0;
}

/*
 * pvpanic (QEMU docs/specs/pvpanic.rst): an ACPI device with _HID QEMU0001 and
 * one I/O port. Stock Linux kernels (pvpanic-mmio) write PVPANIC_PANICKED to
 * it from their panic notifier. The SSDT below describes it in AML (ACPI 6.5,
 * chapter 20): Scope (\_SB) { Device (PEVT) { Name (_HID, "QEMU0001")
 * Name (_STA, 0x0F) Name (_CRS, ResourceTemplate () { IO (Decode16, port,
 * port, 1, 1) }) } }
 */
static u8 *aml_pkg(u8 *p, u8 op, const u8 *body, u32 len)
{
	*p++ = op;
	*p++ = (u8)(len + 1); /* PkgLength, one byte: the package stays under 63 bytes */
	memcpy(p, body, len);
	return p + len;
}

static u32 build_pvpanic_aml(u8 *out, u16 port)
{
	u8 crs[12] = { 0x0a, 10, /* BufferSize */
		       0x47, 0x01, (u8)port, (u8)(port >> 8), (u8)port, (u8)(port >> 8), 1,
		       1,    0x79, 0x00 }; /* IO descriptor, end tag */
	u8 dev[64], *d = dev, scope[80], *s = scope;

	memcpy(d, "PEVT", 4), d += 4;
	memcpy(d, "\x08_HID\x0dQEMU0001", 14), d += 14;
	*d++ = 0;
	memcpy(d, "\x08_STA\x0a\x0f", 7), d += 7;
	memcpy(d, "\x08_CRS", 5), d += 5;
	d = aml_pkg(d, 0x11, crs, sizeof(crs)); /* BufferOp */
	memcpy(s, "\\_SB_", 5), s += 5;
	*s++ = 0x5b; /* ExtOpPrefix: DeviceOp is 5B 82 */
	s = aml_pkg(s, 0x82, dev, (u32)(d - dev));
	return (u32)(aml_pkg(out, 0x10, scope, (u32)(s - scope)) - out); /* ScopeOp */
}

static void finish_table(struct acpi_header *h, const char *sig, u32 len, u8 rev)
{
	u8 sum = 0;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "PARACH", 6);
	memcpy(h->oem_table_id, "PARACHUT", 8);
	h->oem_revision = 1;
	memcpy(&h->creator_id, "PRCH", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	for (u32 i = 0; i < len; i++)
		sum += ((u8 *)h)[i];
	h->checksum = (u8)-sum;
}

static u8 bytes_sum(const u8 *p, u32 n)
{
	u8 s = 0;

	while (n--)
		s += *p++;
	return s;
}

u64 acpi_ecam_base(u64 rsdp)
{
	u32 len = 0;
	const u8 *t = acpi_find_table(rsdp, "MCFG", &len);
	u64 base;
	u16 seg;

	/* MCFG (PCI Firmware 3.2, 4.1.2): 8 reserved bytes, then 16-byte entries. */
	for (u32 off = 44; t && off + 16 <= len; off += 16) {
		memcpy(&base, t + off, 8);
		memcpy(&seg, t + off + 8, 2);
		if (!seg && t[off + 10] == 0)
			return base;
	}
	return 0;
}

/* Tables the guest must not see: the IOMMUs are the hv's. */
static bool hidden_table(u64 pa)
{
	const char *sig = phys_to_virt(pa);

	return !memcmp(sig, "DMAR", 4) || !memcmp(sig, "IVRS", 4);
}

bool acpi_needs_rewrite(u64 rsdp)
{
	u64 entries[64];
	int n = root_entries(rsdp, entries, ARRAY_SIZE(entries));

	for (int i = 0; i < n; i++)
		if (entries[i] && hidden_table(entries[i]))
			return true;
	return false;
}

u64 acpi_rewrite(u64 rsdp, u64 page, int pvpanic_port)
{
	u8 *pg = phys_to_virt(page);
	u64 entries[64];
	struct acpi_header *xsdt = (void *)(pg + 0x40), *rsdt = (void *)(pg + 0x440);
	struct acpi_header *ssdt = (void *)(pg + 0x800);
	int found = root_entries(rsdp, entries, ARRAY_SIZE(entries) - 1);
	u32 n = 0, len;

	if (found < 0) {
		pr_err("ACPI: RSDP at 0x%llx points to no valid RSDT/XSDT; tables left as they are",
		       (unsigned long long)rsdp);
		return 0;
	}
	memset(pg, 0, PAGE_SIZE);
	for (int i = 0; i < found; i++) {
		if (entries[i] && hidden_table(entries[i])) {
			pr_info("ACPI: %.4s hidden from the guest",
				(const char *)phys_to_virt(entries[i]));
			continue;
		}
		entries[n++] = entries[i];
	}
	if (pvpanic_port >= 0) {
		len = build_pvpanic_aml((u8 *)(ssdt + 1), (u16)pvpanic_port);
		finish_table(ssdt, "SSDT", (u32)sizeof(*ssdt) + len, 2);
		entries[n++] = page + 0x800;
		pr_info("ACPI: pvpanic device QEMU0001 at port 0x%x added", pvpanic_port);
	}

	/* The XSDT holds 64-bit addresses, the RSDT 32-bit ones; both list the same tables. */
	memcpy(xsdt + 1, entries, n * 8);
	finish_table(xsdt, "XSDT", (u32)(sizeof(*xsdt) + n * 8), 1);
	for (u32 i = 0; i < n; i++)
		memcpy((u8 *)(rsdt + 1) + i * 4, &entries[i], 4);
	finish_table(rsdt, "RSDT", (u32)(sizeof(*rsdt) + n * 4), 1);

	/* RSDP revision 2 (ACPI 6.5, 5.2.5.3): 20-byte and 36-byte checksums. */
	memcpy(pg, "RSD PTR ", 8);
	memcpy(pg + 9, "PARACH", 6);
	pg[15] = 2;
	memcpy(pg + 16, &(u32){ (u32)(page + 0x440) }, 4);
	memcpy(pg + 20, &(u32){ 36 }, 4);
	memcpy(pg + 24, &(u64){ page + 0x40 }, 8);
	pg[8] = (u8)-bytes_sum(pg, 20);
	pg[32] = (u8)-bytes_sum(pg, 36);
	pr_info("ACPI: the guest's RSDP is 0x%llx, %u tables", (unsigned long long)page, n);
	return page;
}
