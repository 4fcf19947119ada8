// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ELF core header (hv/elfcore.c) over odd memory maps and vCPU sets,
 * and the VMCOREINFO note's text (hv/vmcoreinfo.c), which the crashed guest
 * wrote, read back for the keys the crash path looks up.
 *
 * Input: counts (vCPUs 0-16, RAM ranges 0-128), a flags byte (bit 0: a
 * VMCOREINFO note), the buffer's size (u32, up to 128 KiB) and physical
 * address, the direct-map base, the kernel-text mapping (vaddr, paddr,
 * size), then per range paddr, size and data_pa, per vCPU pid and RIP, and
 * the rest is the note's text. The header is built into a buffer of exactly
 * that size and read back as /proc/vmcore and makedumpfile read it.
 */
#include "fuzz.h"
#include <hv/elfcore.h>
#include <hv/memmap.h>
#include <hv/vmcoreinfo.h>
#include <stdlib.h>

#define BUF_MAX (128 * KiB)

static const char *const hex_keys[] = { "SYMBOL(_stext)", "SYMBOL(mem_section)", "KERNELOFFSET",
					"SYMBOL(init_top_pgt)", "" };
static const char *const num_keys[] = { "NUMBER(phys_base)", "NUMBER(KERNEL_IMAGE_SIZE)",
					"PAGESIZE", "SIZE(page)", "=" };

/* The value's line, as the lookups define it: "key=digits\n" whole, within len. */
static void check_value(const char *text, u32 len, const char *key, bool hex)
{
	u64 v;
	s64 sv;
	int ret = hex ? vmcoreinfo_hex(text, len, key, &v) : vmcoreinfo_number(text, len, key, &sv);

	fuzz_check(ret == 0 || ret == -ENOENT);
	if (!ret && !hex)
		fuzz_check(sv != INT64_MIN);
}

static void read_back(const u8 *buf, long len, u64 buf_pa, const struct elfcore_input *in)
{
	static const u8 ident[] = { 0x7f, 'E', 'L', 'F', 2, 1, EV_CURRENT };
	const struct elf64_ehdr *e = (const void *)buf;
	struct elf64_phdr ph;
	unsigned int cpus = 0, loads = 0;
	bool info = false;
	u64 off, end;

	fuzz_check(!memcmp(e->e_ident, ident, sizeof(ident)) && e->e_type == ET_CORE);
	fuzz_check(e->e_phoff == sizeof(*e) && e->e_phentsize == sizeof(ph));
	fuzz_check(e->e_phnum == 1 + (in->text_size ? 1 : 0) + in->nram);
	for (unsigned int i = 0; i < e->e_phnum; i++) {
		memcpy(&ph, buf + sizeof(*e) + i * sizeof(ph), sizeof(ph));
		fuzz_check(ph.p_type == (i ? PT_LOAD : PT_NOTE));
		fuzz_check(ph.p_filesz == ph.p_memsz);
		loads += ph.p_type == PT_LOAD;
	}
	memcpy(&ph, buf + sizeof(*e), sizeof(ph));
	fuzz_check(ph.p_offset >= buf_pa);
	off = ph.p_offset - buf_pa;
	end = off + ph.p_filesz;
	fuzz_check(off == sizeof(*e) + e->e_phnum * sizeof(ph) && end == (u64)len);
	while (off < end) {
		struct elf64_nhdr n;
		const char *name;

		fuzz_check(off + sizeof(n) <= end);
		memcpy(&n, buf + off, sizeof(n));
		name = (const char *)buf + off + sizeof(n);
		fuzz_check(off + sizeof(n) + ALIGN_UP(n.n_namesz, 4) + ALIGN_UP(n.n_descsz, 4) <=
			   end);
		fuzz_check(n.n_namesz && !name[n.n_namesz - 1]);
		if (n.n_type == NT_PRSTATUS && !strcmp(name, "CORE")) {
			struct elf_prstatus64 pr;

			fuzz_check(n.n_descsz == sizeof(pr) && cpus < in->ncpus);
			memcpy(&pr, name + ALIGN_UP(n.n_namesz, 4), sizeof(pr));
			fuzz_check(pr.pr_pid == in->cpus[cpus].pid);
			fuzz_check(pr.pr_reg[ELF_RIP] == in->cpus[cpus].regs[ELF_RIP]);
			cpus++;
		} else {
			fuzz_check(n.n_type == NT_VMCOREINFO && !strcmp(name, "VMCOREINFO"));
			fuzz_check(n.n_descsz == in->vmcoreinfo_len && !info);
			fuzz_check(!memcmp(name + 12, in->vmcoreinfo, n.n_descsz));
			info = true;
		}
		off += sizeof(n) + ALIGN_UP(n.n_namesz, 4) + ALIGN_UP(n.n_descsz, 4);
	}
	fuzz_check(cpus == in->ncpus && info == !!in->vmcoreinfo && loads == e->e_phnum - 1);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct elfcore_cpu cpus[16];
	static struct elfcore_range ram[MEMMAP_MAX];
	struct fuzz_in in = { data, size };
	struct elfcore_input ei = { 0 };
	u8 flags;
	u32 bufsize;
	u64 buf_pa;
	const u8 *p;
	char *text = NULL;
	size_t n;
	void *buf;
	long len;

	ei.ncpus = fuzz_u8(&in) % (ARRAY_SIZE(cpus) + 1);
	ei.nram = fuzz_u8(&in) % (MEMMAP_MAX + 1);
	flags = fuzz_u8(&in);
	bufsize = fuzz_u32(&in) % (BUF_MAX + 1);
	buf_pa = fuzz_u64(&in) & ((1ull << 52) - 1); /* a physical address */
	ei.page_offset = fuzz_u64(&in);
	ei.text_vaddr = fuzz_u64(&in);
	ei.text_paddr = fuzz_u64(&in);
	ei.text_size = fuzz_u64(&in);
	for (unsigned int i = 0; i < ei.nram; i++) {
		ram[i].paddr = fuzz_u64(&in);
		ram[i].size = fuzz_u64(&in);
		ram[i].data_pa = fuzz_u64(&in);
	}
	memset(cpus, 0, sizeof(cpus));
	for (unsigned int i = 0; i < ei.ncpus; i++) {
		cpus[i].pid = (s32)fuzz_u32(&in);
		cpus[i].regs[ELF_RIP] = fuzz_u64(&in);
	}
	ei.cpus = cpus;
	ei.ram = ram;
	p = fuzz_take(&in, in.n, &n);
	if (flags & 1) {
		text = malloc(n ? n : 1);
		memcpy(text, p, n);
		ei.vmcoreinfo = text;
		ei.vmcoreinfo_len = (u32)n;
		for (unsigned int i = 0; i < ARRAY_SIZE(hex_keys); i++)
			check_value(text, (u32)n, hex_keys[i], true);
		for (unsigned int i = 0; i < ARRAY_SIZE(num_keys); i++)
			check_value(text, (u32)n, num_keys[i], false);
	}

	buf = malloc(bufsize ? bufsize : 1);
	len = elfcore_build(buf, bufsize, buf_pa, &ei);
	if (len < 0)
		fuzz_check(len == -ENOSPC && elfcore_size(&ei) > bufsize);
	else
		fuzz_check((size_t)len == elfcore_size(&ei) && (size_t)len <= bufsize);
	if (len > 0)
		read_back(buf, len, buf_pa, &ei);
	free(buf);
	free(text);
	return 0;
}
