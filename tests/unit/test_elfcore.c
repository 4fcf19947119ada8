// SPDX-License-Identifier: GPL-2.0-only
/* The ELF core header, parsed back as /proc/vmcore and makedumpfile would. */
#include "harness.h"
#include <hv/elfcore.h>
#include <hv/vmcoreinfo.h>
#include <stdlib.h>

static const char info[] = "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nKERNELOFFSET=12000000\n";

static void build(u8 *buf, size_t size, struct elfcore_input *in, long *len)
{
	static struct elfcore_cpu cpus[2];
	static const struct elfcore_range ram[] = {
		{ 0x0, 0x9fc00, 0x3f520000 }, /* low memory, backed up */
		{ 0x15b000, 0x374a5000, 0x15b000 },
	};

	memset(cpus, 0, sizeof(cpus));
	cpus[0].regs[ELF_RIP] = 0xffffffff81234567ull;
	cpus[1].regs[ELF_RIP] = 0xffffffff81abcdefull;
	cpus[1].pid = 42;
	*in = (struct elfcore_input){ .cpus = cpus,
				      .ncpus = 2,
				      .vmcoreinfo = info,
				      .vmcoreinfo_len = sizeof(info),
				      .ram = ram,
				      .nram = 2,
				      .page_offset = 0xffff888000000000ull };
	*len = elfcore_build(buf, size, 0x3f503000, in);
}

static void test_header_and_loads(void **state)
{
	u8 buf[4096];
	struct elfcore_input in;
	const struct elf64_ehdr *e = (void *)buf;
	const struct elf64_phdr *ph = (void *)(buf + 64);
	long len;

	(void)state;
	build(buf, sizeof(buf), &in, &len);
	assert_int_equal(len, (long)elfcore_size(&in));
	assert_memory_equal(e->e_ident,
			    "\x7f"
			    "ELF\x02\x01\x01",
			    7);
	assert_int_equal(e->e_type, ET_CORE);
	assert_int_equal(e->e_machine, 62);
	assert_int_equal(e->e_phoff, 64);
	assert_int_equal(e->e_phentsize, 56);
	assert_int_equal(e->e_phnum, 3);
	assert_int_equal(ph[0].p_type, PT_NOTE);
	assert_int_equal(ph[0].p_offset, 0x3f503000 + 64 + 3 * 56);
	assert_int_equal(ph[1].p_type, PT_LOAD);
	assert_int_equal(ph[1].p_paddr, 0);
	assert_int_equal(ph[1].p_offset, 0x3f520000); /* reads come from the backup */
	assert_int_equal(ph[1].p_memsz, 0x9fc00);
	assert_int_equal(ph[2].p_offset, 0x15b000);
	assert_int_equal(ph[2].p_vaddr, 0xffff888000000000ull + 0x15b000);
	assert_int_equal(ph[2].p_filesz, ph[2].p_memsz);
}

static void test_notes(void **state)
{
	u8 buf[4096];
	struct elfcore_input in;
	const struct elf64_phdr *ph = (void *)(buf + 64);
	const u8 *p, *end;
	unsigned int cpus = 0;
	bool vmcoreinfo = false;
	long len;

	(void)state;
	build(buf, sizeof(buf), &in, &len);
	p = buf + (ph[0].p_offset - 0x3f503000);
	end = p + ph[0].p_filesz;
	assert_true(end == buf + len);
	while (p < end) {
		const struct elf64_nhdr *n = (const void *)p;
		const char *name = (const char *)(n + 1);
		const u8 *desc = p + 12 + ((n->n_namesz + 3) & ~3u);

		if (n->n_type == NT_PRSTATUS) {
			struct elf_prstatus64 pr; /* notes are only 4-byte aligned */

			memcpy(&pr, desc, sizeof(pr));
			assert_string_equal(name, "CORE");
			assert_int_equal(n->n_descsz, 336);
			assert_int_equal(pr.pr_reg[ELF_RIP],
					 cpus ? 0xffffffff81abcdefull : 0xffffffff81234567ull);
			assert_int_equal(pr.pr_pid, cpus ? 42 : 0);
			cpus++;
		} else {
			assert_int_equal(n->n_type, NT_VMCOREINFO);
			assert_string_equal(name, "VMCOREINFO");
			assert_memory_equal(desc, info, sizeof(info));
			vmcoreinfo = true;
		}
		p = desc + ((n->n_descsz + 3) & ~3u);
	}
	assert_int_equal(cpus, 2);
	assert_true(vmcoreinfo);
}

/* The kernel-text PT_LOAD comes first after the notes, as in the kernel's own header. */
static void test_kernel_text(void **state)
{
	u8 buf[4096];
	struct elfcore_input in;
	const struct elf64_phdr *ph = (void *)(buf + 64);
	long len;

	(void)state;
	build(buf, sizeof(buf), &in, &len);
	in.text_vaddr = 0xffffffffa2600000ull;
	in.text_paddr = 0x6e00000;
	in.text_size = 0x2c00000;
	len = elfcore_build(buf, sizeof(buf), 0x3f503000, &in);
	assert_int_equal(len, (long)elfcore_size(&in));
	assert_int_equal(((const struct elf64_ehdr *)buf)->e_phnum, 4);
	assert_int_equal(ph[0].p_offset, 0x3f503000 + 64 + 4 * 56);
	assert_int_equal(ph[1].p_type, PT_LOAD);
	assert_int_equal(ph[1].p_vaddr, 0xffffffffa2600000ull);
	assert_int_equal(ph[1].p_paddr, 0x6e00000);
	assert_int_equal(ph[1].p_offset, 0x6e00000);
	assert_int_equal(ph[1].p_filesz, 0x2c00000);
	assert_int_equal(ph[1].p_memsz, 0x2c00000);
	assert_int_equal(ph[2].p_paddr, 0); /* then guest RAM, as before */
	assert_int_equal(ph[3].p_vaddr, 0xffff888000000000ull + 0x15b000);
}

/* VMCOREINFO as Linux 6.1 writes it, and damaged copies of it. */
static void test_vmcoreinfo(void **state)
{
	static const char vi[] = "OSRELEASE=6.1.0-57-amd64\nSYMBOL(_stext)=ffffffffa2600000\n"
				 "NUMBER(phys_base)=-461373440\nSYMBOL(init_top_pgt)=ffffffffa4010000\n"
				 "KERNELOFFSET=21600000\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
				 "NUMBER(bad)=12x\nSYMBOL(empty)=\nSYMBOL(huge)=1ffffffffffffffff\n";
	u64 v;
	s64 n;

	(void)state;
	assert_int_equal(vmcoreinfo_hex(vi, sizeof(vi), "SYMBOL(_stext)", &v), 0);
	assert_int_equal(v, 0xffffffffa2600000ull);
	assert_int_equal(vmcoreinfo_hex(vi, sizeof(vi), "KERNELOFFSET", &v), 0);
	assert_int_equal(v, 0x21600000);
	assert_int_equal(vmcoreinfo_number(vi, sizeof(vi), "NUMBER(phys_base)", &n), 0);
	assert_int_equal(n, -461373440);
	assert_int_equal(vmcoreinfo_number(vi, sizeof(vi), "NUMBER(KERNEL_IMAGE_SIZE)", &n), 0);
	assert_int_equal(n, 1073741824);
	/* A key is a whole key: SYMBOL(init_top_pgt) is not SYMBOL(init_top). */
	assert_int_equal(vmcoreinfo_hex(vi, sizeof(vi), "SYMBOL(init_top)", &v), -ENOENT);
	assert_int_equal(vmcoreinfo_number(vi, sizeof(vi), "NUMBER(bad)", &n), -ENOENT);
	assert_int_equal(vmcoreinfo_hex(vi, sizeof(vi), "SYMBOL(empty)", &v), -ENOENT);
	assert_int_equal(vmcoreinfo_hex(vi, sizeof(vi), "SYMBOL(huge)", &v), -ENOENT);
	/* Only within the note's length: a line cut off is no value. */
	assert_int_equal(vmcoreinfo_hex(vi, 30, "SYMBOL(_stext)", &v), -ENOENT);
	assert_int_equal(vmcoreinfo_hex(vi, 45, "SYMBOL(_stext)", &v), -ENOENT);
	assert_int_equal(vmcoreinfo_hex(vi, 56, "SYMBOL(_stext)", &v), -ENOENT);
	assert_int_equal(vmcoreinfo_hex(vi, 57, "SYMBOL(_stext)", &v), 0);
	assert_int_equal(v, 0xffffffffa2600000ull);
}

static void test_no_room(void **state)
{
	u8 buf[256];
	struct elfcore_input in;
	long len;

	(void)state;
	build(buf, sizeof(buf), &in, &len);
	assert_int_equal(len, -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_loads),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_kernel_text),
		cmocka_unit_test(test_vmcoreinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
