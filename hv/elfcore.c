// SPDX-License-Identifier: GPL-2.0-only
/* The ELF core header for /proc/vmcore (see hv/elfcore.h). */
#include <hv/elfcore.h>
#include <hv/lib.h>

#define NOTE_ALIGN(n) ALIGN_UP((n), 4)

static size_t note_size(size_t namesz, size_t descsz)
{
	return sizeof(struct elf64_nhdr) + NOTE_ALIGN(namesz) + NOTE_ALIGN(descsz);
}

static size_t notes_size(const struct elfcore_input *in)
{
	size_t n = in->ncpus * note_size(5, sizeof(struct elf_prstatus64));

	if (in->vmcoreinfo)
		n += note_size(11, in->vmcoreinfo_len);
	return n;
}

static unsigned int phnum(const struct elfcore_input *in)
{
	return 1 + (in->text_size ? 1 : 0) + in->nram;
}

size_t elfcore_size(const struct elfcore_input *in)
{
	return sizeof(struct elf64_ehdr) + phnum(in) * sizeof(struct elf64_phdr) + notes_size(in);
}

static u8 *put_note(u8 *p, const char *name, u32 type, const void *desc, u32 descsz)
{
	struct elf64_nhdr h = { (u32)strlen(name) + 1, descsz, type };

	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memset(p, 0, NOTE_ALIGN(h.n_namesz));
	memcpy(p, name, h.n_namesz);
	p += NOTE_ALIGN(h.n_namesz);
	memset(p, 0, NOTE_ALIGN(descsz));
	memcpy(p, desc, descsz);
	return p + NOTE_ALIGN(descsz);
}

static void fill_ehdr(struct elf64_ehdr *e, unsigned int nph)
{
	static const u8 ident[EI_NIDENT] = {
		0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little endian */, EV_CURRENT
	};

	memset(e, 0, sizeof(*e));
	memcpy(e->e_ident, ident, sizeof(ident));
	e->e_type = ET_CORE;
	e->e_machine = ELF_MACHINE;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(struct elf64_phdr);
	e->e_phnum = (u16)nph;
}

long elfcore_build(void *buf, size_t size, u64 buf_pa, const struct elfcore_input *in)
{
	size_t total = elfcore_size(in), notes_off;
	struct elf64_phdr *ph = (void *)((u8 *)buf + sizeof(struct elf64_ehdr));
	u8 *p;

	if (total > size || phnum(in) > 0xffff)
		return -ENOSPC;
	memset(buf, 0, total);
	fill_ehdr(buf, phnum(in));
	notes_off = sizeof(struct elf64_ehdr) + phnum(in) * sizeof(struct elf64_phdr);

	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = buf_pa + notes_off;
	ph[0].p_filesz = ph[0].p_memsz = notes_size(in);
	if (in->text_size) {
		ph++;
		ph[0].p_type = PT_LOAD;
		ph[0].p_flags = PF_R | PF_W | PF_X;
		ph[0].p_paddr = in->text_paddr;
		ph[0].p_offset = in->text_data_pa ? in->text_data_pa : in->text_paddr;
		ph[0].p_vaddr = in->text_vaddr;
		ph[0].p_filesz = ph[0].p_memsz = in->text_size;
	}
	for (unsigned int i = 0; i < in->nram; i++) {
		struct elf64_phdr *l = &ph[1 + i];

		l->p_type = PT_LOAD;
		l->p_flags = PF_R | PF_W | PF_X;
		l->p_offset = in->ram[i].data_pa;
		l->p_paddr = in->ram[i].paddr;
		/* kexec-tools' convention: direct-map address, or -1 when unknown. */
		l->p_vaddr = in->page_offset ? in->page_offset + in->ram[i].paddr : ~0ull;
		l->p_filesz = l->p_memsz = in->ram[i].size;
	}

	p = (u8 *)buf + notes_off;
	for (unsigned int i = 0; i < in->ncpus; i++) {
		struct elf_prstatus64 pr;

		memset(&pr, 0, sizeof(pr));
		pr.pr_pid = in->cpus[i].pid;
		memcpy(pr.pr_reg, in->cpus[i].regs, sizeof(pr.pr_reg));
		p = put_note(p, "CORE", NT_PRSTATUS, &pr, sizeof(pr));
	}
	if (in->vmcoreinfo)
		p = put_note(p, "VMCOREINFO", NT_VMCOREINFO, in->vmcoreinfo, in->vmcoreinfo_len);
	return (long)(p - (u8 *)buf);
}
