// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading the firmware's IOMMU descriptions: DMAR for Intel VT-d (VT-d 3.4,
 * chapter 8) and IVRS for AMD-Vi (AMD IOMMU spec 48882, 5.2). The caller has
 * checked the signature, length and checksum; every structure inside is
 * bounds-checked here, and anything unusable is refused with its offset.
 */
#include <asm/acpi_sub.h>
#include <asm/iommu.h>
#include <hv/lib.h>
#include <hv/printk.h>

#define ACPI_HEADER_LEN 36
#define DMAR_FIRST	48 /* header, host address width, flags, 10 reserved */
#define IVRS_FIRST	48 /* header, IVinfo, 8 reserved */

#define DMAR_DRHD	     0
#define DMAR_RMRR	     1
#define DRHD_INCLUDE_PCI_ALL (1u << 0)
#define VTD_REG_MIN	     PAGE_SIZE

#define IVHD_10	       0x10
#define IVHD_11	       0x11
#define IVHD_40	       0x40
#define IVMD_ALL       0x20
#define IVMD_ONE       0x21
#define IVMD_RANGE     0x22
#define AMDVI_REG_SIZE (16 * KiB)

static u16 rd16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, 2);
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

__printf(3, 4) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_hv(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int add_unit(struct iommu_acpi *out, u64 base, u64 size, u16 seg, u16 devid, bool all,
		    const char *tbl, u32 off, char *err, size_t errlen)
{
	struct iommu_unit *u;

	for (unsigned int i = 0; i < out->nr_units; i++)
		if (out->unit[i].base == base)
			return 0; /* IVRS may describe one IOMMU in several IVHD types */
	if (!base || !IS_ALIGNED(base, PAGE_SIZE))
		return fail(err, errlen, "%s: unit at offset %u has register base 0x%llx (%s)", tbl,
			    off, (unsigned long long)base, base ? "not page-aligned" : "zero");
	if (seg)
		return fail(
			err, errlen,
			"%s: unit at offset %u is for PCI segment %u; only segment 0 is supported",
			tbl, off, seg);
	if (out->nr_units == IOMMU_MAX_UNITS)
		return fail(err, errlen, "%s: more than %u IOMMU units", tbl, IOMMU_MAX_UNITS);
	u = &out->unit[out->nr_units];
	u->idx = out->nr_units++;
	u->base = base;
	u->size = size;
	u->segment = seg;
	u->devid = devid;
	u->all = all;
	return 0;
}

static int add_unity(struct iommu_acpi *out, u64 start, u64 end, const char *tbl, u32 off,
		     char *err, size_t errlen)
{
	if (start >= end || !IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE))
		return fail(
			err, errlen,
			"%s: memory range at offset %u (0x%llx-0x%llx) is empty or not page-aligned",
			tbl, off, (unsigned long long)start, (unsigned long long)end);
	if (out->nr_unity == IOMMU_MAX_UNITY)
		return fail(err, errlen, "%s: more than %u reserved memory ranges", tbl,
			    IOMMU_MAX_UNITY);
	out->unity[out->nr_unity].start = start;
	out->unity[out->nr_unity].end = end;
	out->unity[out->nr_unity++].what = tbl;
	return 0;
}

static const struct acpi_sub_layout dmar_layout = {
	.table = "DMAR", .what = "structure type %u", .first = DMAR_FIRST,
	.type_size = 2, .len_at = 2, .len_size = 2,
};

static const struct acpi_sub_layout ivrs_layout = {
	.table = "IVRS", .what = "block type 0x%x", .first = IVRS_FIRST,
	.type_size = 1, .len_at = 2, .len_size = 2,
};

/* A structure shorter than what the hv reads of it. */
static int too_short(const struct acpi_sub *s, const char *tbl, const char *what, u32 min,
		     char *err, size_t errlen)
{
	return fail(err, errlen, "%s: %s at offset %u is %u bytes, under %u", tbl, what, s->off,
		    s->len, min);
}

int dmar_parse(const u8 *t, u32 len, struct iommu_acpi *out, char *err, size_t errlen)
{
	struct acpi_sub s = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	out->kind = IOMMU_VTD;
	if (acpi_sub_check(t, len, &dmar_layout, err, errlen))
		return -EINVAL;
	out->addr_width = (u8)(t[ACPI_HEADER_LEN] + 1);
	if (out->addr_width < 32)
		return fail(err, errlen, "DMAR: host address width %u bits is below 32",
			    out->addr_width);
	while ((ret = acpi_sub_next(t, len, &dmar_layout, &s, err, errlen)) > 0) {
		if (s.type == DMAR_DRHD) {
			if (s.len < 16)
				return too_short(&s, "DMAR", "DRHD", 16, err, errlen);
			ret = add_unit(out, rd64(s.p + 8), VTD_REG_MIN << (s.p[5] & 0xf),
				       rd16(s.p + 6), 0, s.p[4] & DRHD_INCLUDE_PCI_ALL, "DMAR",
				       s.off, err, errlen);
		} else if (s.type == DMAR_RMRR) {
			if (s.len < 24)
				return too_short(&s, "DMAR", "RMRR", 24, err, errlen);
			ret = add_unity(out, rd64(s.p + 8), rd64(s.p + 16) + 1, "DMAR", s.off, err,
					errlen);
		} /* ATSR, RHSA, ANDD, SATC: nothing the hv needs */
		if (ret < 0)
			return ret;
	}
	if (ret)
		return ret;
	if (!out->nr_units)
		return fail(err, errlen, "DMAR lists no remapping unit (DRHD)");
	return 0;
}

int ivrs_parse(const u8 *t, u32 len, struct iommu_acpi *out, char *err, size_t errlen)
{
	struct acpi_sub s = { 0 };
	char what[24];
	int ret;

	memset(out, 0, sizeof(*out));
	out->kind = IOMMU_AMDVI;
	if (acpi_sub_check(t, len, &ivrs_layout, err, errlen))
		return -EINVAL;
	while ((ret = acpi_sub_next(t, len, &ivrs_layout, &s, err, errlen)) > 0) {
		if (s.type == IVHD_10 || s.type == IVHD_11 || s.type == IVHD_40) {
			u32 min = s.type == IVHD_10 ? 24 : 40;

			snprintf_hv(what, sizeof(what), "IVHD type 0x%x", s.type);
			if (s.len < min)
				return too_short(&s, "IVRS", what, min, err, errlen);
			ret = add_unit(out, rd64(s.p + 8), AMDVI_REG_SIZE, rd16(s.p + 16),
				       rd16(s.p + 4), true, "IVRS", s.off, err, errlen);
		} else if (s.type == IVMD_ALL || s.type == IVMD_ONE || s.type == IVMD_RANGE) {
			if (s.len < 32)
				return too_short(&s, "IVRS", "IVMD", 32, err, errlen);
			ret = add_unity(out, rd64(s.p + 16), rd64(s.p + 16) + rd64(s.p + 24), "IVRS",
					s.off, err, errlen);
		} /* unknown block types are skipped by their length */
		if (ret < 0)
			return ret;
	}
	if (ret)
		return ret;
	if (!out->nr_units)
		return fail(err, errlen, "IVRS lists no IOMMU (IVHD)");
	return 0;
}
