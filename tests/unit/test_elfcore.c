// SPDX-License-Identifier: GPL-2.0-only
/* The ELF core header, parsed back as /proc/vmcore and makedumpfile would. */
#include "harness.h"
#include <hv/elfcore.h>
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
	*in = (struct elfcore_input){ cpus, 2, info, sizeof(info), ram, 2, 0xffff888000000000ull };
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
