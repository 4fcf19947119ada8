// SPDX-License-Identifier: GPL-2.0-only
/* The ELF core header at a guest's crash, for xl-kdump and virt-kdump (core.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hv/vmcoreinfo.h>

#include "core.h"

#define START_KERNEL_MAP GUEST_START_KERNEL_MAP

/* The direct map base and the kernel-text segment, from VMCOREINFO and the crashed tables. */
static void kernel_maps(const struct kd_crash *c, struct elfcore_input *in)
{
	const struct guest_paging *gp = c->gp;
	const char *vi = c->vi;
	u64 va, pa, zero, stext;
	s64 v;

	if (!vi || !gp)
		return;
	if (!vmcoreinfo_hex(vi, c->vi_len, "SYMBOL(mem_section)", &va) &&
	    !guest_translate(gp, va, &pa) && ((va - pa) & ((1ull << 30) - 1)) == 0 &&
	    !guest_translate(gp, va - pa, &zero) && zero == 0)
		in->page_offset = va - pa;
	else if (!guest_translate(gp, 0xffff888000000000ull, &zero) && zero == 0)
		in->page_offset = 0xffff888000000000ull; /* no KASLR */
	if (vmcoreinfo_hex(vi, c->vi_len, "SYMBOL(_stext)", &stext) || stext < START_KERNEL_MAP ||
	    guest_translate(gp, stext, &pa))
		return;
	in->text_vaddr = stext;
	in->text_paddr = pa;
	in->text_size = 512ull << 20;
	if (!vmcoreinfo_number(vi, c->vi_len, "NUMBER(KERNEL_IMAGE_SIZE)", &v) && v > 0 &&
	    (u64)v > stext - START_KERNEL_MAP)
		in->text_size = (u64)v - (stext - START_KERNEL_MAP);
	/* The text lies in what the capture kernel took: its bytes are in the backup. */
	for (unsigned int i = 0; i < in->nram; i++)
		if (pa >= in->ram[i].paddr && pa < in->ram[i].paddr + in->ram[i].size &&
		    in->ram[i].data_pa != in->ram[i].paddr)
			in->text_data_pa = in->ram[i].data_pa + (pa - in->ram[i].paddr);
	/* Only what is RAM: the mapping beyond the image is not backed by the kernel. */
	for (unsigned int i = 0; i < in->nram; i++)
		if (pa >= in->ram[i].paddr && pa < in->ram[i].paddr + in->ram[i].size &&
		    in->text_size > in->ram[i].paddr + in->ram[i].size - pa)
			in->text_size = in->ram[i].paddr + in->ram[i].size - pa;
}

#define MAX_RANGES 64

long kd_core_header(const struct kd_crash *c, void *hdr, size_t size, struct elfcore_input *out)
{
	struct elfcore_range ram[MAX_RANGES];
	struct elfcore_input in = { .cpus = c->cpus,
				    .ncpus = c->ncpus,
				    .ram = ram,
				    .vmcoreinfo = c->vi,
				    .vmcoreinfo_len = c->vi ? c->vi_len : 0 };
	int n = xlk_ram_ranges(c->l, c->ram, c->nram, ram, MAX_RANGES);
	long len;

	if (n < 0)
		return n;
	in.nram = (unsigned int)n;
	kernel_maps(c, &in);
	memset(hdr, 0, size);
	len = elfcore_build(hdr, size, c->l->elfhdr, &in);
	if (out) {
		*out = in;
		out->ram = NULL; /* ram[] is gone with this frame */
	}
	return len;
}

void *xlk_read_file(const char *path, size_t *size, const char *what)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	void *buf = NULL;

	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		err("%s %s: %s", what, path, f ? "not a regular file" : strerror(errno));
		goto out;
	}
	*size = (size_t)st.st_size;
	buf = malloc(*size ? *size : 1);
	if (!buf || fread(buf, 1, *size, f) != *size) {
		err("%s %s: cannot read %zu bytes", what, path, *size);
		free(buf);
		buf = NULL;
	}
out:
	if (f)
		fclose(f);
	return buf;
}
