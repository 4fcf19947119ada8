// SPDX-License-Identifier: GPL-2.0-only
/* e820 memory maps: sanitising, carving out hv ranges, and placement. */
#include <hv/lib.h>
#include <hv/memmap.h>

int memmap_add(struct memmap *map, u64 addr, u64 size, u32 type)
{
	if (!size || addr + size < addr)
		return -EINVAL;
	if (map->nr >= MEMMAP_MAX)
		return -ENOSPC;
	map->e[map->nr].addr = addr;
	map->e[map->nr].size = size;
	map->e[map->nr].type = type;
	map->nr++;
	return 0;
}

/* Higher rank wins where entries overlap: anything beats RAM. */
static unsigned int type_rank(u32 type)
{
	return type == E820_RAM ? 0 : type;
}

static void sort_u64(u64 *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		u64 x = v[i];
		unsigned int j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

int memmap_sanitize(struct memmap *map)
{
	u64 pts[2 * MEMMAP_MAX];
	struct memmap out = { 0 };
	unsigned int npts = 0;

	for (unsigned int i = 0; i < map->nr; i++) {
		pts[npts++] = map->e[i].addr;
		pts[npts++] = map->e[i].addr + map->e[i].size;
	}
	sort_u64(pts, npts);

	/* Each elementary interval takes the highest-ranked type covering it. */
	for (unsigned int p = 0; p + 1 < npts; p++) {
		u64 a = pts[p], b = pts[p + 1];
		u32 type = 0;
		struct e820_entry *last;

		if (a == b)
			continue;
		for (unsigned int i = 0; i < map->nr; i++) {
			const struct e820_entry *e = &map->e[i];

			if (e->addr <= a && e->addr + e->size >= b &&
			    (!type || type_rank(e->type) > type_rank(type)))
				type = e->type;
		}
		if (!type)
			continue;
		last = out.nr ? &out.e[out.nr - 1] : NULL;
		if (last && last->type == type && last->addr + last->size == a) {
			last->size += b - a;
			continue;
		}
		if (memmap_add(&out, a, b - a, type))
			return -ENOSPC;
	}
	*map = out;
	return 0;
}

int memmap_remove(struct memmap *map, u64 addr, u64 size)
{
	u64 end = addr + size;

	for (unsigned int i = 0; i < map->nr; i++) {
		struct e820_entry *e = &map->e[i];
		u64 s = e->addr, t = e->addr + e->size;

		if (!ranges_overlap(s, e->size, addr, size))
			continue;
		if (s < addr && t > end) {
			/* The hole splits this entry in two. */
			if (memmap_add(map, end, t - end, e->type))
				return -ENOSPC;
			e = &map->e[i];
			e->size = addr - s;
		} else if (s < addr) {
			e->size = addr - s;
		} else if (t > end) {
			e->addr = end;
			e->size = t - end;
		} else {
			map->e[i] = map->e[--map->nr];
			i--;
		}
	}
	return memmap_sanitize(map);
}

u64 memmap_ram_total(const struct memmap *map)
{
	u64 total = 0;

	for (unsigned int i = 0; i < map->nr; i++)
		if (map->e[i].type == E820_RAM)
			total += map->e[i].size;
	return total;
}

u64 memmap_ram_top(const struct memmap *map)
{
	u64 top = 0;

	for (unsigned int i = 0; i < map->nr; i++)
		if (map->e[i].type == E820_RAM)
			top = MAX(top, map->e[i].addr + map->e[i].size);
	return top;
}

bool memmap_is_ram(const struct memmap *map, u64 addr, u64 size)
{
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct e820_entry *e = &map->e[i];

		if (e->type == E820_RAM && addr >= e->addr && addr + size >= addr &&
		    addr + size <= e->addr + e->size)
			return true;
	}
	return false;
}

static const struct phys_range *busy_at(const struct phys_range *busy, unsigned int nbusy, u64 a,
					u64 size)
{
	for (unsigned int i = 0; i < nbusy; i++)
		if (ranges_overlap(a, size, busy[i].start, busy[i].end - busy[i].start))
			return &busy[i];
	return NULL;
}

/* Highest aligned candidate in [lo, hi) clear of busy, stepping below each conflict. */
static u64 fit_top_down(const struct phys_range *busy, unsigned int nbusy, u64 size, u64 align,
			u64 lo, u64 hi)
{
	u64 a = ALIGN_DOWN(hi - size, align);

	while (a >= lo && a) {
		const struct phys_range *r = busy_at(busy, nbusy, a, size);

		if (!r)
			return a;
		if (r->start < size)
			return 0;
		a = ALIGN_DOWN(r->start - size, align);
	}
	return 0;
}

/* Lowest aligned candidate in [lo, hi) clear of busy, stepping above each conflict. */
static u64 fit_bottom_up(const struct phys_range *busy, unsigned int nbusy, u64 size, u64 align,
			 u64 lo, u64 hi)
{
	u64 a = ALIGN_UP(MAX(lo, 1), align);

	while (a >= lo && a + size <= hi) {
		const struct phys_range *r = busy_at(busy, nbusy, a, size);

		if (!r)
			return a;
		a = ALIGN_UP(r->end, align);
	}
	return 0;
}

u64 memmap_find_free(const struct memmap *map, const struct phys_range *busy, unsigned int nbusy,
		     u64 size, u64 align, u64 min, u64 max, bool top_down)
{
	u64 best = 0;

	if (!size || !align || (align & (align - 1)))
		return 0;
	for (unsigned int i = 0; i < map->nr; i++) {
		const struct e820_entry *e = &map->e[i];
		u64 lo = MAX(e->addr, min), hi = MIN(e->addr + e->size, max), a;

		if (e->type != E820_RAM || lo >= hi || hi - lo < size)
			continue;
		if (top_down) {
			a = fit_top_down(busy, nbusy, size, align, lo, hi);
			if (a > best)
				best = a;
		} else {
			a = fit_bottom_up(busy, nbusy, size, align, lo, hi);
			if (a && (!best || a < best))
				best = a;
		}
	}
	return best;
}

const char *e820_type_name(u32 type)
{
	switch (type) {
	case E820_RAM:
		return "RAM";
	case E820_RESERVED:
		return "reserved";
	case E820_ACPI:
		return "ACPI data";
	case E820_NVS:
		return "ACPI NVS";
	case E820_UNUSABLE:
		return "unusable";
	default:
		return "unknown";
	}
}
