// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI walk (arch/x86/acpi.c): from the RSDP through the XSDT or RSDT
 * to the tables the hv reads (MADT, DMAR, IVRS, MCFG), and the guest's
 * rewritten copy of the root tables (acpi_rewrite()).
 *
 * Input: a flags byte, a count k and k bytes of entry script, then tables,
 * each a 16-bit length (0: the rest) and its bytes. The harness lays them out
 * at a fixed address below 4 GiB behind an RSDP and root tables it builds:
 * flags bit 0 an ACPI 2.0 RSDP and XSDT (else 1.0 and an RSDT), bit 1 an RSDT
 * besides the XSDT, bit 2 the tables' checksums left as given (else fixed),
 * bit 3 their lengths as given (else the bytes given), bit 4 a damaged XSDT,
 * bit 5 a pvpanic device in the rewrite. The root tables list every table in
 * order, or what the script says: per byte, 0xff a null entry, below 0x80
 * table b, else table b plus a small misalignment. Memory no table claims is
 * poisoned: any read of it is the walker's.
 */
#include "fuzz.h"
#include <asm/acpi.h>
#include <asm/iommu.h>

#define ACPI_BASE   0x20000000ull
#define ACPI_SIZE   (1 * MiB + 512 * KiB)
#define GUEST_PAGE  (ACPI_BASE + 0x1000) /* where acpi_rewrite() writes */
#define ROOT	    (ACPI_BASE + 0x2000)
#define TABLES_END  (ACPI_BASE + 256 * KiB) /* room for a 1 MiB table after any */
#define MAX_ENTRIES 63
#define HDR	    36

static u8 *mem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	mem = fuzz_map_fixed(ACPI_BASE, ACPI_SIZE);
	return 0;
}

static u8 *at(u64 pa)
{
	return (u8 *)(uintptr_t)pa;
}

static u32 len_at(u64 pa)
{
	u32 len;

	memcpy(&len, at(pa) + 4, 4);
	return len;
}

static void checksum(u64 pa, u32 len, u32 where)
{
	u8 sum = 0, *p = at(pa);

	p[where] = 0;
	for (u32 i = 0; i < len; i++)
		sum += p[i];
	p[where] = (u8)-sum;
}

static void root_table(u64 pa, const char *sig, const u64 *entries, unsigned int n, u32 step)
{
	u32 len = HDR + n * step;

	memset(at(pa), 0, HDR);
	memcpy(at(pa), sig, 4);
	memcpy(at(pa) + 4, &len, 4);
	at(pa)[8] = 1;
	for (unsigned int i = 0; i < n; i++)
		memcpy(at(pa) + HDR + i * step, &entries[i], step);
	checksum(pa, len, 9);
}

/* What a pointed-to table claims: its header at least, its length if that fits. */
static u64 extent(u64 pa)
{
	u64 len = MAX((u64)len_at(pa), (u64)HDR);

	return MIN(len, ACPI_BASE + ACPI_SIZE - pa);
}

static const char *const sigs[] = { "APIC", "DMAR", "IVRS", "MCFG", "FACP", "SSDT", "XSDT" };

static void walk(u64 rsdp, bool guest)
{
	static struct madt_info m;
	static struct iommu_acpi ia;
	char err[160];

	for (unsigned int i = 0; i < ARRAY_SIZE(sigs); i++) {
		u32 len = 0;
		const u8 *t = acpi_find_table(rsdp, sigs[i], &len);

		if (!t)
			continue;
		fuzz_check(!memcmp(t, sigs[i], 4) && len >= HDR && len <= 1 * MiB);
		fuzz_check(!guest || (memcmp(t, "DMAR", 4) && memcmp(t, "IVRS", 4)));
		if (!memcmp(t, "DMAR", 4))
			dmar_parse(t, len, &ia, err, sizeof(err));
		else if (!memcmp(t, "IVRS", 4))
			ivrs_parse(t, len, &ia, err, sizeof(err));
	}
	acpi_madt(rsdp, &m);
	acpi_ecam_base(rsdp);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static u64 dirty = TABLES_END + HDR; /* what the last input wrote */
	struct fuzz_in in = { data, size };
	u64 table[MAX_ENTRIES], entries[MAX_ENTRIES], pa, xsdt, rsdt;
	unsigned int nt = 0, ne = 0;
	u8 flags = fuzz_u8(&in), k = fuzz_u8(&in), rsdp[36] = "RSD PTR ";
	const u8 *script, *p;
	size_t n;
	int port;

	fuzz_unpoison(mem, ACPI_SIZE);
	memset(mem, 0, dirty - ACPI_BASE);
	script = fuzz_take(&in, k, &n);
	k = (u8)n;

	/* The tables, after room for the root tables. */
	pa = ROOT + 2 * (HDR + MAX_ENTRIES * 8);
	while (in.n && nt < MAX_ENTRIES && pa < TABLES_END) {
		u16 want = fuzz_u16(&in);
		u32 len;

		p = fuzz_take(&in, want ? want : in.n, &n);
		n = MIN(n, (size_t)(TABLES_END - pa));
		memcpy(at(pa), p, n);
		len = (u32)n;
		if (flags & 8) /* the length as given, kept within the mapping */
			len = (u32)MIN((u64)len_at(pa), ACPI_BASE + ACPI_SIZE - pa);
		memcpy(at(pa) + 4, &len, 4);
		if (!(flags & 4) && len >= 10)
			checksum(pa, len, 9);
		table[nt++] = pa;
		pa = ALIGN_UP(pa + MAX(n, (size_t)HDR), 16);
	}
	dirty = pa + HDR;
	if (!nt)
		return 0;

	/* The root tables' entries: every table, or as the script says. */
	for (unsigned int i = 0; i < k && ne < MAX_ENTRIES; i++)
		entries[ne++] = script[i] == 0xff ? 0 :
				script[i] < 0x80  ? table[script[i] % nt] :
						    table[script[i] % nt] + ((script[i] >> 3) & 0xf);
	for (unsigned int i = 0; !k && i < nt; i++)
		entries[ne++] = table[i];
	xsdt = ROOT;
	rsdt = ROOT + HDR + MAX_ENTRIES * 8;
	root_table(xsdt, flags & 16 ? "XSDX" : "XSDT", entries, ne, 8);
	root_table(rsdt, "RSDT", entries, ne, 4);
	if ((flags & 3) == 1)
		memset(at(rsdt), 0, 4); /* an ACPI 2.0 RSDP with only an XSDT */
	rsdp[15] = flags & 1 ? 2 : 0;
	memcpy(rsdp + 16, &(u32){ (u32)rsdt }, 4);
	memcpy(rsdp + 20, &(u32){ 36 }, 4);
	memcpy(rsdp + 24, &xsdt, 8);
	memcpy(mem, rsdp, sizeof(rsdp));
	checksum(ACPI_BASE, 20, 8);
	checksum(ACPI_BASE, 36, 32);

	/* Poison all but what the firmware's structures claim, then walk. */
	for (unsigned int i = 0; i < ne; i++)
		entries[i] = entries[i] ? entries[i] << 32 | extent(entries[i]) : 0;
	fuzz_poison(mem, ACPI_SIZE);
	fuzz_unpoison(mem, 36);
	fuzz_unpoison(at(GUEST_PAGE), PAGE_SIZE);
	fuzz_unpoison(at(xsdt), HDR + ne * 8);
	fuzz_unpoison(at(rsdt), HDR + ne * 4);
	for (unsigned int i = 0; i < ne; i++)
		if (entries[i])
			fuzz_unpoison(at(entries[i] >> 32), (u32)entries[i]);
	fuzz_check(acpi_rsdp_valid(mem, 36));

	walk(ACPI_BASE, false);
	port = flags & 32 ? PVPANIC_PORT : -1;
	if (acpi_rewrite(ACPI_BASE, GUEST_PAGE, port) == GUEST_PAGE) {
		u32 len;

		fuzz_check(acpi_rsdp_valid(at(GUEST_PAGE), 36));
		fuzz_check(!acpi_needs_rewrite(GUEST_PAGE));
		fuzz_check(port < 0 || acpi_find_table(GUEST_PAGE, "SSDT", &len));
		walk(GUEST_PAGE, true);
	}
	return 0;
}
