// SPDX-License-Identifier: GPL-2.0-only
/* virt-kdump's pure parts (vk.h): QEMU's memory tree, the purgatory's tables and parameters,
 * gdbstub registers, the state file. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vk.h"

#define PTE_P	 0x1ull
#define PTE_W	 0x2ull
#define PTE_PS	 0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

/* "0000000000000000-000000001fffffff (prio 0, i/o): alias ram-below-4g @pc.ram ..." */
static int mtree_line(const char *line, const char *what, struct xlk_range *r)
{
	unsigned long long a, b;
	const char *p = strstr(line, "): ");
	size_t n = strlen(what);

	/* The name whole: followed by a space or the line's end (HMP ends lines with \r\n). */
	if (!p || strncmp(p + 3, what, n) || !strchr(" \r\n", p[3 + n]) ||
	    sscanf(line, " %llx-%llx", &a, &b) != 2 || b < a)
		return 0;
	r->start = a;
	r->size = b - a + 1;
	return 1;
}

uint64_t vk_mtree_device(const char *text, const char *name)
{
	struct xlk_range r;

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line)
		if (mtree_line(line, name, &r))
			return r.start;
	return 0;
}

int vk_parse_mtree(const char *text, struct xlk_range *ram, unsigned int max,
		   struct xlk_range *devmem)
{
	unsigned int n = 0;
	struct xlk_range r;

	memset(devmem, 0, sizeof(*devmem));
	/* `info mtree` lists each address space; the aliases are in "memory" (and again
	 * in the CPUs' SMM views): each range once. */
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		if ((mtree_line(line, "alias ram-below-4g", &r) ||
		     mtree_line(line, "alias ram-above-4g", &r))) {
			unsigned int i;

			for (i = 0; i < n && ram[i].start != r.start; i++)
				;
			if (i < n)
				continue;
			if (n == max)
				return -E2BIG;
			for (i = n++; i && ram[i - 1].start > r.start; i--)
				ram[i] = ram[i - 1];
			ram[i] = r;
		} else if (!devmem->size && mtree_line(line, "device-memory", &r)) {
			*devmem = r;
		}
	}
	return n ? (int)n : -ENOENT;
}

/* The table entry for va at level (3: PML4, 2: PDPT, 1: PD), a new table if none. */
static uint64_t *entry(uint8_t *buf, uint64_t table_pa, unsigned int *used, uint64_t *table,
		       uint64_t va, unsigned int level)
{
	uint64_t *e = &table[(va >> (12 + 9 * level)) & 511];

	if (level > 1 && !(*e & PTE_P)) {
		if (*used == VK_PURG_NTABLES)
			return NULL;
		*e = (table_pa + (uint64_t)*used * XLK_PAGE) | PTE_P | PTE_W;
		memset(buf + (size_t)*used * XLK_PAGE, 0, XLK_PAGE);
		(*used)++;
	}
	return e;
}

static int map_range(uint8_t *buf, uint64_t table_pa, unsigned int *used, uint64_t start,
		     uint64_t end)
{
	for (uint64_t va = start & ~(2 * MiB - 1); va < end; va += 2 * MiB) {
		uint64_t *t = (uint64_t *)buf, *e;

		for (unsigned int level = 3; level > 1; level--) {
			e = entry(buf, table_pa, used, t, va, level);
			if (!e)
				return -1;
			t = (uint64_t *)(buf + ((*e & PTE_ADDR) - table_pa));
		}
		t[(va >> 21) & 511] = va | PTE_P | PTE_W | PTE_PS;
	}
	return 0;
}

uint64_t vk_identity_tables(uint8_t *buf, uint64_t table_pa, uint64_t start, uint64_t end)
{
	unsigned int used = 1;

	memset(buf, 0, XLK_PAGE);
	if (map_range(buf, table_pa, &used, 0, 4 * GiB) ||
	    map_range(buf, table_pa, &used, start, end))
		return 0;
	return table_pa;
}

void vk_purg_params(struct vk_purg_params *p, const struct vk_state *s)
{
	const struct xlk_layout *l = &s->l;
	unsigned int n = 0;

	memset(p, 0, sizeof(*p));
	p->entry = l->entry;
	p->start_info = l->boot_info;
	p->low = VK_PURG_LOW;
	p->hpet = s->hpet;
	p->ioapic = s->ioapic;
#define COPY(D, S, N)                                                                       \
	do {                                                                                \
		if ((N) > 0)                                                                \
			p->copy[n].dst = (D), p->copy[n].src = (S), p->copy[n++].len = (N); \
	} while (0)
	COPY(l->backup, 0, l->low_size);
	COPY(l->backup + l->low_size, l->kbase, l->run_end - l->kbase);
	COPY(l->kbase, l->kernel, l->kernel_size);
	COPY(l->kbase + l->kernel_size, ~0ull, l->kspan - l->kernel_size);
	COPY(l->boot_info, l->info, XLK_PAGE);
	COPY(l->initrd_run, l->initrd, l->initrd_size);
	if (l->dump_size)
		COPY(l->dump, ~0ull, XLK_PAGE);
#undef COPY
	p->ncopy = n;
}

/* Little-endian hex of n bytes at *p, advancing it. */
static int hex_le(const char **p, unsigned int n, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int byte;

		if (sscanf(*p, "%2x", &byte) != 1 || !strchr("0123456789abcdefABCDEF", (*p)[0]) ||
		    !strchr("0123456789abcdefABCDEF", (*p)[1]) || !(*p)[1])
			return -EINVAL;
		v |= (uint64_t)byte << (8 * i);
		*p += 2;
	}
	*out = v;
	return 0;
}

int vk_parse_gdb_regs(const char *hex, struct vk_regs *r)
{
	uint64_t *after[] = { &r->fs_base, &r->gs_base, &r->k_gs_base, &r->cr0, &r->cr2,
			      &r->cr3,	   &r->cr4,	&r->cr8,       &r->efer };
	const char *p = hex;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 16; i++)
		if (hex_le(&p, 8, &r->gpr[i]))
			return -EINVAL;
	if (hex_le(&p, 8, &r->rip) || hex_le(&p, 4, &r->rflags))
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (hex_le(&p, 4, &v))
			return -EINVAL;
		r->seg[i] = (uint32_t)v;
	}
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		if (hex_le(&p, 8, after[i]))
			return -EINVAL;
	return 0;
}

void vk_elf_regs(const struct vk_regs *r, uint64_t out[ELF_NGREG])
{
	const uint64_t *g = r->gpr; /* rax rbx rcx rdx rsi rdi rbp rsp r8..r15 */
	const uint64_t v[ELF_NGREG] = {
		g[15],	   g[14],      g[13],	   g[12],
		g[6],	   g[1],       g[11],	   g[10],
		g[9],	   g[8],       g[0],	   g[2],
		g[3],	   g[4],       g[5],	   ~0ull /* orig_rax */,
		r->rip,	   r->seg[0],  r->rflags,  g[7],
		r->seg[1], r->fs_base, r->gs_base, r->seg[2],
		r->seg[3], r->seg[4],  r->seg[5],
	};

	memcpy(out, v, sizeof(v));
}

/* The state file: one "key value" line per field. */
#define U64(f)                                           \
	{                                                \
#f, offsetof(struct vk_state, f), 'u', 8 \
	}
#define L64(f)                                                  \
	{                                                       \
		"l." #f, offsetof(struct vk_state, l.f), 'u', 8 \
	}
#define L32(f)                                                  \
	{                                                       \
		"l." #f, offsetof(struct vk_state, l.f), 'w', 4 \
	}
#define STR(f)                                                                           \
	{                                                                                \
#f, offsetof(struct vk_state, f), 's', sizeof(((struct vk_state *)0)->f) \
	}
static const struct field {
	const char *key;
	size_t off;
	char type;
	size_t size;
} fields[] = {
	STR(state),	  STR(name),	    STR(uuid),	      STR(sha256),    STR(kernel),
	STR(initrd),	  STR(append),	    STR(then),	      U64(below_4g),  U64(dimm_size),
	U64(vmcoreinfo),  U64(hpet),  U64(ioapic), U64(mem),	    U64(dump_area),   L64(ram_top),   L64(info),
	L64(acpi),	  L64(acpi_size),   L64(acpi_src),    L64(rsdp),      L64(kernel),
	L64(kernel_size), L64(kbase),	    L64(kspan),	      L64(boot_info), L32(entry),
	L64(initrd),	  L64(initrd_size), L64(initrd_run),  L64(run_end),   L64(elfhdr),
	L64(low_size),	  L64(backup),	    L64(backup_size), L64(work),      L64(work_size),
	L64(dump),	  L64(dump_size),   L64(end),
};

int vk_state_format(const struct vk_state *s, char *buf, size_t size)
{
	size_t n = 0;
	int k;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		const char *p = (const char *)s + f->off;

		if (f->type == 's')
			k = snprintf(buf + n, size - n, "%s %s\n", f->key, p);
		else if (f->type == 'w')
			k = snprintf(buf + n, size - n, "%s 0x%" PRIx32 "\n", f->key,
				     *(const uint32_t *)p);
		else
			k = snprintf(buf + n, size - n, "%s 0x%" PRIx64 "\n", f->key,
				     *(const uint64_t *)p);
		if (k < 0 || (size_t)k >= size - n)
			return -E2BIG;
		n += (size_t)k;
	}
	for (unsigned int i = 0; i < s->nram; i++) {
		k = snprintf(buf + n, size - n, "ram 0x%" PRIx64 " 0x%" PRIx64 "\n",
			     s->ram[i].start, s->ram[i].size);
		if (k < 0 || (size_t)k >= size - n)
			return -E2BIG;
		n += (size_t)k;
	}
	return (int)n;
}

static int state_line(const char *key, const char *val, struct vk_state *s)
{
	unsigned long long a, b;

	if (!strcmp(key, "ram")) {
		if (s->nram == VK_RAM_MAX || sscanf(val, "%llx %llx", &a, &b) != 2)
			return -EINVAL;
		s->ram[s->nram++] = (struct xlk_range){ a, b };
		return 0;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		char *p = (char *)s + f->off, *end;

		if (strcmp(key, f->key))
			continue;
		if (f->type == 's') {
			if (strlen(val) >= f->size)
				return -EINVAL;
			strcpy(p, val);
			return 0;
		}
		a = strtoull(val, &end, 0);
		if (end == val || *end)
			return -EINVAL;
		if (f->type == 'w')
			*(uint32_t *)p = (uint32_t)a;
		else
			*(uint64_t *)p = a;
		return 0;
	}
	return -EINVAL;
}

int vk_state_parse(const char *text, struct vk_state *s)
{
	char line[1280];

	memset(s, 0, sizeof(*s));
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *sp;

		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, text, len);
		line[len] = 0;
		text += len + !!nl;
		if (!len)
			continue;
		sp = strchr(line, ' ');
		if (sp)
			*sp++ = 0;
		if (state_line(line, sp ? sp : "", s))
			return -EINVAL;
	}
	return s->state[0] && s->l.end ? 0 : -EINVAL;
}
