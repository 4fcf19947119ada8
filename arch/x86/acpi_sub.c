// SPDX-License-Identifier: GPL-2.0-only
/* Walking an ACPI table's subtables (asm/acpi_sub.h). */
#include <asm/acpi_sub.h>
#include <hv/lib.h>
#include <hv/printk.h>

static u16 field(const u8 *p, unsigned int size)
{
	return size == 1 ? p[0] : (u16)(p[0] | p[1] << 8);
}

int acpi_sub_check(const u8 *t, u32 len, const struct acpi_sub_layout *l, char *err,
		   size_t errlen)
{
	(void)t;
	if (len >= l->first)
		return 0;
	snprintf_hv(err, errlen, "%s: %u bytes, shorter than its %u-byte header", l->table, len,
		    l->first);
	return -EINVAL;
}

int acpi_sub_next(const u8 *t, u32 len, const struct acpi_sub_layout *l, struct acpi_sub *s,
		  char *err, size_t errlen)
{
	u32 off = s->p ? s->off + s->len : l->first, min = (u32)l->len_at + l->len_size;
	char what[40];

	if (off >= len)
		return 0;
	if (len - off < min) {
		snprintf_hv(err, errlen, "%s: %u stray bytes at offset %u", l->table, len - off,
			    off);
		return -EINVAL;
	}
	s->p = t + off;
	s->off = off;
	s->type = field(s->p, l->type_size);
	s->len = field(s->p + l->len_at, l->len_size);
	if (s->len < min || s->len > len - off) {
		snprintf_hv(what, sizeof(what), l->what, s->type);
		snprintf_hv(err, errlen, "%s: %s at offset %u has length %u (%u bytes left)",
			    l->table, what, off, s->len, len - off);
		return -EINVAL;
	}
	return 1;
}
