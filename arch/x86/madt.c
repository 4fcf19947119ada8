// SPDX-License-Identifier: GPL-2.0-only
/* The MADT's processors and IO-APICs (asm/madt.h). */
#include <asm/madt.h>
#include <hv/lib.h>
#include <hv/printk.h>

static void add_cpu(struct madt_info *m, u32 apic_id, u32 flags)
{
	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_CAPABLE)))
		return;
	if (flags & MADT_CPU_ENABLED)
		m->enabled++;
	if (m->cpus < MADT_MAX_CPUS)
		m->apic_id[m->cpus] = apic_id;
	m->cpus++;
}

int madt_parse(const u8 *t, u32 len, struct madt_info *m, char *err, size_t errlen)
{
	u32 a, b;

	memset(m, 0, sizeof(*m));
	if (len < MADT_ENTRIES) {
		snprintf_hv(err, errlen, "MADT: %u bytes, shorter than its %u-byte header", len,
			    MADT_ENTRIES);
		return -EINVAL;
	}
	for (u32 off = MADT_ENTRIES; off < len;) {
		const u8 *e = t + off;

		if (len - off < 2 || e[1] < 2 || e[1] > len - off) {
			snprintf_hv(err, errlen,
				    "MADT: entry at offset %u has length %u (%u bytes left)", off,
				    len - off < 2 ? 0 : e[1], len - off);
			return -EINVAL;
		}
		if (e[0] == MADT_LAPIC && e[1] >= 8) {
			memcpy(&b, e + 4, 4);
			add_cpu(m, e[3], b);
		} else if (e[0] == MADT_X2APIC && e[1] >= 16) {
			memcpy(&a, e + 4, 4);
			memcpy(&b, e + 8, 4);
			add_cpu(m, a, b);
		} else if (e[0] == MADT_IOAPIC && e[1] >= 12 && m->nr_ioapics < MADT_MAX_IOAPICS) {
			memcpy(&a, e + 4, 4);
			m->ioapic[m->nr_ioapics++] = a;
		}
		off += e[1];
	}
	return 0;
}

bool madt_has_cpu(const struct madt_info *m, u32 apic_id)
{
	for (u32 i = 0; i < m->cpus && i < MADT_MAX_CPUS; i++)
		if (m->apic_id[i] == apic_id)
			return true;
	return false;
}
