// SPDX-License-Identifier: GPL-2.0-only
/* The MADT's processors and IO-APICs (asm/madt.h). */
#include <asm/acpi_sub.h>
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

static const struct acpi_sub_layout madt_layout = {
	.table = "MADT", .what = "entry", .first = MADT_ENTRIES,
	.type_size = 1, .len_at = 1, .len_size = 1,
};

int madt_parse(const u8 *t, u32 len, struct madt_info *m, char *err, size_t errlen)
{
	struct acpi_sub e = { 0 };
	u32 a, b;
	int ret;

	memset(m, 0, sizeof(*m));
	ret = acpi_sub_check(t, len, &madt_layout, err, errlen);
	if (ret)
		return ret;
	while ((ret = acpi_sub_next(t, len, &madt_layout, &e, err, errlen)) > 0) {
		if (e.type == MADT_LAPIC && e.len >= 8) {
			memcpy(&b, e.p + 4, 4);
			add_cpu(m, e.p[3], b);
		} else if (e.type == MADT_X2APIC && e.len >= 16) {
			memcpy(&a, e.p + 4, 4);
			memcpy(&b, e.p + 8, 4);
			add_cpu(m, a, b);
		} else if (e.type == MADT_IOAPIC && e.len >= 12 && m->nr_ioapics < MADT_MAX_IOAPICS) {
			memcpy(&a, e.p + 4, 4);
			m->ioapic[m->nr_ioapics++] = a;
		}
	}
	return ret;
}

bool madt_has_cpu(const struct madt_info *m, u32 apic_id)
{
	for (u32 i = 0; i < m->cpus && i < MADT_MAX_CPUS; i++)
		if (m->apic_id[i] == apic_id)
			return true;
	return false;
}
