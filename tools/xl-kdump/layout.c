// SPDX-License-Identifier: GPL-2.0-only
/* xl-kdump's guest-physical layout and boot information (layout.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* xenctrl.h first: it sets up the types and handles the public headers use. */
#include <xenctrl.h>

#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/save.h>

#include "layout.h"

#define ALIGN(x, a) (((x) + (a)-1) & ~((uint64_t)(a)-1))

_Static_assert(sizeof(struct hvm_start_info) <= XLK_INFO_MODLIST, "start info overlaps modlist");
_Static_assert(XLK_INFO_MEMMAP + XLK_INFO_MEMMAP_MAX * sizeof(struct hvm_memmap_table_entry) <=
		       XLK_INFO_CMDLINE,
	       "memmap overlaps the command line");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "start_info.h memmap entry");

int xlk_plan(struct xlk_layout *l, uint64_t ram_top, uint64_t start, uint64_t limit, uint64_t low,
	     uint64_t kbase, uint64_t kspan, uint64_t kernel_size, uint64_t initrd_size,
	     uint64_t work_size, uint64_t dump_size, uint64_t acpi_size)
{
	uint64_t p;

	memset(l, 0, sizeof(*l));
	/*
	 * The PVH entry is not relocatable: the kernel must run where it was
	 * linked, the info page after it under 1 GiB, the initrd after that
	 * under 4 GiB.
	 */
	l->kspan = ALIGN(kspan, XLK_PAGE);
	l->boot_info = kbase + l->kspan;
	l->initrd_run = l->boot_info + XLK_PAGE;
	l->run_end = l->initrd_run + ALIGN(initrd_size, XLK_PAGE);
	if (kbase < MiB || l->run_end > ram_top || l->boot_info + XLK_PAGE > (1ull << 30) ||
	    l->run_end > (4ull << 30))
		return -EINVAL;
	l->ram_top = ram_top;
	l->kbase = kbase;
	l->low_size = low < XLK_LOW_MAX ? low & ~(XLK_PAGE - 1) : XLK_LOW_MAX;
	p = ALIGN(start > ram_top ? start : ram_top, 2 * MiB);
	l->info = p;
	p += XLK_PAGE;
	l->acpi = p;
	l->acpi_size = ALIGN(acpi_size, XLK_PAGE);
	p += l->acpi_size;
	l->kernel = p;
	l->kernel_size = kernel_size;
	p += ALIGN(kernel_size, XLK_PAGE);
	l->initrd = p;
	l->initrd_size = initrd_size;
	p += ALIGN(initrd_size, XLK_PAGE);
	l->elfhdr = p;
	p += XLK_ELFHDR_SIZE;
	l->backup = p = ALIGN(p, 2 * MiB);
	l->backup_size = l->low_size + (l->run_end - kbase);
	p = ALIGN(p + l->backup_size, 2 * MiB);
	/*
	 * The dump area below the work RAM: /dev/mem writes only below the
	 * capture kernel's high_memory (drivers/char/mem.c, valid_phys_addr_range()).
	 */
	l->dump = p;
	l->dump_size = ALIGN(dump_size, 2 * MiB);
	p += l->dump_size;
	l->work = p;
	l->work_size = ALIGN(work_size, 2 * MiB);
	p += l->work_size;
	l->end = p;
	if (p > limit)
		return -ERANGE;
	return 0;
}

uint64_t xlk_default_start(uint64_t ram_top)
{
	if (ram_top <= XLK_DEFAULT_START)
		return XLK_DEFAULT_START;
	return ALIGN(ram_top, 1ull << 30) + XLK_SCRATCH_GAP;
}

uint64_t xlk_staged_bytes(const struct xlk_layout *l)
{
	return l->end - l->info;
}

static unsigned int memmap(struct hvm_memmap_table_entry *m, const struct xlk_layout *l)
{
	unsigned int n = 0;

	/* The crashed guest's RAM is read through the core header only. */
	if (l->low_size)
		m[n++] = (struct hvm_memmap_table_entry){ 0, l->low_size, XLK_E820_RAM, 0 };
	m[n++] = (struct hvm_memmap_table_entry){ l->kbase, l->kspan, XLK_E820_RAM, 0 };
	m[n++] = (struct hvm_memmap_table_entry){ l->boot_info, XLK_PAGE, XLK_E820_RESERVED, 0 };
	/* RAM: the kernel keeps it reserved while it unpacks, then frees it. */
	if (l->run_end > l->initrd_run)
		m[n++] = (struct hvm_memmap_table_entry){ l->initrd_run,
							  l->run_end - l->initrd_run, XLK_E820_RAM,
							  0 };
	/* The guest's ACPI tables (restored from the copy at the crash). */
	if (l->acpi_size)
		m[n++] = (struct hvm_memmap_table_entry){ l->acpi_src, l->acpi_size,
							  XLK_E820_RESERVED, 0 };
	/* info, ACPI copy, kernel, initrd and core header: read, never allocated. */
	m[n++] = (struct hvm_memmap_table_entry){ l->info, l->backup - l->info, XLK_E820_RESERVED,
						  0 };
	if (l->dump_size)
		m[n++] = (struct hvm_memmap_table_entry){ l->dump, l->dump_size, XLK_E820_RESERVED,
							  0 };
	m[n++] = (struct hvm_memmap_table_entry){ l->work, l->work_size, XLK_E820_RAM, 0 };
	/* By address: the staged area may lie above the ACPI tables (above 4 GiB). */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && m[j - 1].addr > m[j].addr; j--) {
			struct hvm_memmap_table_entry t = m[j];

			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	return n;
}

int xlk_build_info(void *page, const struct xlk_layout *l, const char *cmdline)
{
	uint8_t *p = page;
	struct hvm_start_info *si = page;
	struct hvm_modlist_entry *mod = (void *)(p + XLK_INFO_MODLIST);
	size_t len = strlen(cmdline);

	if (len > XLK_CMDLINE_MAX)
		return -E2BIG;
	memset(page, 0, XLK_PAGE);
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->cmdline_paddr = l->boot_info + XLK_INFO_CMDLINE;
	si->rsdp_paddr = l->rsdp;
	if (l->initrd_size) {
		si->nr_modules = 1;
		si->modlist_paddr = l->boot_info + XLK_INFO_MODLIST;
		mod->paddr = l->initrd_run;
		mod->size = l->initrd_size;
	}
	si->memmap_paddr = l->boot_info + XLK_INFO_MEMMAP;
	si->memmap_entries = memmap((void *)(p + XLK_INFO_MEMMAP), l);
	memcpy(p + XLK_INFO_CMDLINE, cmdline, len + 1);
	return 0;
}

int xlk_cmdline(char *buf, size_t size, const struct xlk_layout *l, const char *append)
{
	int n;

	if (l->dump_size)
		n = snprintf(buf, size,
			     "%s%selfcorehdr=0x%llx nr_cpus=1 xl_kdump.dump=0x%llx,0x%llx",
			     append ? append : "", append && *append ? " " : "",
			     (unsigned long long)l->elfhdr, (unsigned long long)l->dump,
			     (unsigned long long)l->dump_size);
	else
		n = snprintf(buf, size, "%s%selfcorehdr=0x%llx nr_cpus=1", append ? append : "",
			     append && *append ? " " : "", (unsigned long long)l->elfhdr);
	if (n < 0 || (size_t)n >= size || (size_t)n > XLK_CMDLINE_MAX)
		return -E2BIG;
	return n;
}

void xlk_cpu_regs(const struct hvm_hw_cpu *c, uint64_t r[ELF_NGREG])
{
	const uint64_t v[ELF_NGREG] = {
		c->r15,	   c->r14,     c->r13,	   c->r12,
		c->rbp,	   c->rbx,     c->r11,	   c->r10,
		c->r9,	   c->r8,      c->rax,	   c->rcx,
		c->rdx,	   c->rsi,     c->rdi,	   ~0ull /* orig_rax */,
		c->rip,	   c->cs_sel,  c->rflags,  c->rsp,
		c->ss_sel, c->fs_base, c->gs_base, c->ds_sel,
		c->es_sel, c->fs_sel,  c->gs_sel,
	};

	memcpy(r, v, sizeof(v));
}

int xlk_ram_ranges(const struct xlk_layout *l, const struct xlk_range *ram, unsigned int n,
		   struct elfcore_range *out, unsigned int max)
{
	/* What the capture kernel takes, and where its backup copy is. */
	const struct {
		uint64_t start, end, copy;
	} taken[2] = {
		{ 0, l->low_size, l->backup },
		{ l->kbase, l->run_end, l->backup + l->low_size },
	};
	unsigned int m = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t p = ram[i].start, e = ram[i].start + ram[i].size;

		while (p < e) {
			uint64_t next = e, data = p;

			for (int t = 0; t < 2; t++) {
				if (p >= taken[t].start && p < taken[t].end) {
					next = e < taken[t].end ? e : taken[t].end;
					data = taken[t].copy + (p - taken[t].start);
					break;
				}
				if (taken[t].start > p && taken[t].start < next)
					next = taken[t].start;
			}
			if (m == max)
				return -E2BIG;
			out[m++] = (struct elfcore_range){ p, next - p, data };
			p = next;
		}
	}
	return (int)m;
}

long xlk_find_rsdp(const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off + 20 <= len; off += 16) {
		uint8_t sum = 0;

		if (memcmp(buf + off, "RSD PTR ", 8))
			continue;
		for (int i = 0; i < 20; i++)
			sum += buf[off + i];
		if (!sum)
			return (long)off;
	}
	return -1;
}

uint32_t xlk_vmcoreinfo_note(const uint8_t *page, uint32_t *desc)
{
	uint32_t h[3];

	memcpy(h, page, sizeof(h));
	if (h[0] != 11 || h[2] != NT_VMCOREINFO || memcmp(page + 12, "VMCOREINFO", 11))
		return 0;
	if (h[1] < 10 || h[1] > XLK_PAGE - 24 || memcmp(page + 24, "OSRELEASE=", 10))
		return 0;
	*desc = 24;
	return h[1];
}
