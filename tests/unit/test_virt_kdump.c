// SPDX-License-Identifier: GPL-2.0-only
/*
 * virt-kdump's pure parts (tools/virt-kdump/plan.c): QEMU's memory tree as
 * HMP prints it, the purgatory's identity page tables and its copies, the
 * gdbstub's registers into NT_PRSTATUS order and the state file (the command
 * line, xl-kdump's parser, is tested in test_xl_kdump.c).
 */
#include "harness.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../tools/virt-kdump/vk.h"

char hv_last_error[256];

/* Lines from QEMU 7.2's `info mtree` under libvirt (HMP ends lines with \r\n). */
static const char mtree[] =
	"address-space: cpu-smm-0\r\n"
	"  0000000000000000-ffffffffffffffff (prio 0, i/o): memory\r\n"
	"    0000000000000000-000000007fffffff (prio 0, ram): alias ram-below-4g @pc.ram "
	"0000000000000000-000000007fffffff\r\n"
	"address-space: memory\r\n"
	"  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n"
	"    0000000100000000-000000017fffffff (prio 0, ram): alias ram-above-4g @pc.ram "
	"0000000080000000-00000000ffffffff\r\n"
	"    0000000000000000-000000007fffffff (prio 0, ram): alias ram-below-4g @pc.ram "
	"0000000000000000-000000007fffffff\r\n"
	"    0000000000000a00-0000000000000a17 (prio 0, i/o): acpi-mem-hotplug\r\n"
	"    0000000180000000-00000002bfffffff (prio 0, i/o): device-memory-not-this\r\n"
	"    00000001c0000000-00000003ffffffff (prio 0, i/o): device-memory\r\n";

static void test_mtree(void **state)
{
	struct xlk_range ram[4], dev;

	(void)state;
	assert_int_equal(vk_parse_mtree(mtree, ram, 4, &dev), 2);
	assert_int_equal(ram[0].start, 0);
	assert_int_equal(ram[0].size, 0x80000000ull);
	assert_int_equal(ram[1].start, 0x100000000ull);
	assert_int_equal(ram[1].size, 0x80000000ull);
	assert_int_equal(vk_mtree_device(mtree, "acpi-mem-hotplug"), 0xa00);
	assert_int_equal(vk_mtree_device(mtree, "hpet"), 0);
	assert_int_equal(dev.start, 0x1c0000000ull);
	assert_int_equal(dev.size, 0x240000000ull);
	assert_int_equal(vk_parse_mtree(mtree, ram, 1, &dev), -E2BIG);
	/* No RAM; no memory hotplug (no <maxMemory>): no device-memory region. */
	assert_int_equal(vk_parse_mtree("address-space: memory\n", ram, 4, &dev), -ENOENT);
	assert_int_equal(vk_parse_mtree("  0000000000000000-000000001fffffff (prio 0, ram): alias "
					"ram-below-4g @pc.ram 0-1fffffff\n",
					ram, 4, &dev),
			 1);
	assert_int_equal(dev.size, 0);
}

/* Where va goes through the tables at cr3 in buf (at table_pa), or ~0. */
static uint64_t walk(const uint8_t *buf, uint64_t table_pa, uint64_t cr3, uint64_t va)
{
	uint64_t t = cr3;

	for (int level = 3; level >= 1; level--) {
		const uint64_t *tab = (const uint64_t *)(buf + (t - table_pa));
		uint64_t e = tab[(va >> (12 + 9 * level)) & 511];

		if (!(e & 1) || !(e & 2) || (e & 4))
			return ~0ull; /* present, writable, supervisor */
		if (level == 1)
			return (e & 0x80) ?
				       (e & ~0x1fffffull & 0xffffffffff000ull) | (va & 0x1fffff) :
				       ~0ull;
		t = e & 0xffffffffff000ull;
	}
	return ~0ull;
}

static void test_identity_tables(void **state)
{
	uint8_t *buf = calloc(VK_PURG_NTABLES, XLK_PAGE);
	const uint64_t pa = 0x110400000ull + XLK_PAGE, start = 0x100000000ull, end = 0x110600000ull;
	const uint64_t probes[] = { 0,		0x8000, 0x1000850,	   0x7fffffff, 0xfee00320,
				    0xffffffff, start,	start + 0x1234567, end - 1 };
	uint64_t cr3;

	(void)state;
	assert_non_null(buf);
	cr3 = vk_identity_tables(buf, pa, start, end);
	assert_int_equal(cr3, pa);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		assert_int_equal(walk(buf, pa, cr3, probes[i]), probes[i]);
	/* Nothing else: not the guest's RAM above 4 GiB outside the staged area, not the
	 * kernel's addresses. */
	assert_int_equal(walk(buf, pa, cr3, end + 0x200000), ~0ull);
	assert_int_equal(walk(buf, pa, cr3, 0xffffffff81000000ull), ~0ull);
	/* An area spanning more 1 GiB directories than the tables hold. */
	assert_int_equal(vk_identity_tables(buf, pa, start, start + (40ull << 30)), 0);
	free(buf);
}

static void test_purgatory_params(void **state)
{
	struct xlk_layout l;
	struct vk_state s = { 0 };
	struct vk_purg_params p;

	(void)state;
	/* Debian 6.1's vmlinux: linked at 16 MiB, 58 MiB; a 6 MiB initrd; 128 MiB to run. */
	assert_int_equal(xlk_plan(&l, 0x20000000, 0x100000000ull, 0x25fffffffull, 0xa0000,
				  0x1000000, 58 << 20, 40 << 20, 6 << 20, 128 << 20, 0, 0),
			 0);
	l.entry = 0x1000850;
	s.l = l, s.hpet = 0xfed00000, s.ioapic = 0xfec00000;
	vk_purg_params(&p, &s);
	assert_true(vk_purgatory_entry - vk_purgatory_start >= (long)sizeof(p));
	assert_int_equal(p.hpet, 0xfed00000);
	assert_int_equal(p.ioapic, 0xfec00000);
	assert_int_equal(p.entry, 0x1000850);
	assert_int_equal(p.start_info, l.boot_info);
	assert_true(p.low + 0x1000 <= 0xa0000); /* the 32-bit tail: in low RAM, backed up */
	assert_int_equal(p.ncopy, 6);
	/* Backups first, before anything is overwritten. */
	assert_int_equal(p.copy[0].dst, l.backup);
	assert_int_equal(p.copy[0].src, 0);
	assert_int_equal(p.copy[0].len, 0xa0000);
	assert_int_equal(p.copy[1].dst, l.backup + 0xa0000);
	assert_int_equal(p.copy[1].src, 0x1000000);
	assert_int_equal(p.copy[1].len, l.run_end - 0x1000000);
	assert_int_equal(p.copy[2].dst, 0x1000000);
	assert_int_equal(p.copy[2].src, l.kernel);
	assert_int_equal(p.copy[3].src, ~0ull); /* bss */
	assert_int_equal(p.copy[3].dst + p.copy[3].len, 0x1000000 + l.kspan);
	assert_int_equal(p.copy[4].dst, l.boot_info);
	assert_int_equal(p.copy[5].dst, l.initrd_run);
	assert_int_equal(p.copy[5].len, 6 << 20);
	assert_int_equal(xlk_plan(&l, 0x20000000, 0x100000000ull, 0x25fffffffull, 0xa0000,
				  0x1000000, 58 << 20, 40 << 20, 0, 128 << 20, 8 << 20, 0),
			 0);
	s.l = l;
	vk_purg_params(&p, &s);
	assert_int_equal(p.ncopy, 6); /* no initrd; the dump area's header zeroed */
	assert_int_equal(p.copy[5].dst, l.dump);
	assert_int_equal(p.copy[5].src, ~0ull);
}

static void hex(char **p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		*p += sprintf(*p, "%02x", (unsigned int)(v & 0xff));
}

static void test_gdb_regs(void **state)
{
	char reply[2048], *p = reply;
	struct vk_regs r;
	uint64_t elf[ELF_NGREG];

	(void)state;
	for (int i = 0; i < 16; i++)
		hex(&p, 0x1111111111111111ull * (uint64_t)(i + 1) / 17 + (uint64_t)i, 8);
	hex(&p, 0xffffffff81234567ull, 8); /* rip */
	hex(&p, 0x246, 4);
	for (int i = 0; i < 6; i++)
		hex(&p, (uint64_t)(0x10 + 8 * i), 4);
	hex(&p, 0x7f0000001000ull, 8);	   /* fs_base */
	hex(&p, 0xffff888003c00000ull, 8); /* gs_base */
	hex(&p, 0, 8);
	hex(&p, 0x80050033, 8); /* cr0 */
	hex(&p, 0x1234, 8);
	hex(&p, 0x10d72000, 8); /* cr3 */
	hex(&p, 0x6f0, 8);
	hex(&p, 0, 8);
	hex(&p, 0xd01, 8); /* efer */
	strcpy(p, "0000000000000000xxxxxxxx");
	assert_int_equal(vk_parse_gdb_regs(reply, &r), 0);
	assert_int_equal(r.rip, 0xffffffff81234567ull);
	assert_int_equal(r.rflags, 0x246);
	assert_int_equal(r.seg[0], 0x10);
	assert_int_equal(r.seg[5], 0x38);
	assert_int_equal(r.gs_base, 0xffff888003c00000ull);
	assert_int_equal(r.cr0, 0x80050033);
	assert_int_equal(r.cr3, 0x10d72000);
	assert_int_equal(r.cr4, 0x6f0);
	assert_int_equal(r.efer, 0xd01);
	vk_elf_regs(&r, elf);
	assert_int_equal(elf[0], r.gpr[15]); /* r15 */
	assert_int_equal(elf[10], r.gpr[0]); /* rax */
	assert_int_equal(elf[15], ~0ull);    /* orig_rax */
	assert_int_equal(elf[16], r.rip);
	assert_int_equal(elf[17], 0x10);     /* cs */
	assert_int_equal(elf[19], r.gpr[7]); /* rsp */
	assert_int_equal(elf[20], 0x18);     /* ss */
	assert_int_equal(elf[22], r.gs_base);
	/* Short, or registers the stub cannot read ("xx"). */
	reply[400] = 0;
	assert_int_equal(vk_parse_gdb_regs(reply, &r), -EINVAL);
	memset(reply + 256, 'x', 16);
	assert_int_equal(vk_parse_gdb_regs(reply, &r), -EINVAL);
	assert_int_equal(vk_parse_gdb_regs("", &r), -EINVAL);
}

static void test_state_file(void **state)
{
	struct vk_state s = { 0 }, t;
	char text[8192];

	(void)state;
	strcpy(s.state, "armed");
	strcpy(s.name, "guest");
	strcpy(s.append, "console=ttyS0 pc.test=capture");
	strcpy(s.then, "restart");
	s.l.info = 0x100000000ull, s.l.end = 0x110400000ull, s.l.entry = 0x1000850;
	s.dimm_size = 0x10600000, s.vmcoreinfo = 0x1338000;
	s.ram[0] = (struct xlk_range){ 0, 0x20000000 };
	s.nram = 1;
	assert_true(vk_state_format(&s, text, sizeof(text)) > 0);
	assert_int_equal(vk_state_parse(text, &t), 0);
	assert_memory_equal(&s, &t, sizeof(s));
	assert_int_equal(vk_state_parse("state armed\nl.end 0x1000\nbogus 1\n", &t), -EINVAL);
	assert_int_equal(vk_state_parse("state armed\nl.end 12x\n", &t), -EINVAL);
	assert_int_equal(vk_state_parse("state armed\n", &t), -EINVAL); /* no layout */
	assert_int_equal(vk_state_format(&s, text, 100), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtree),
		cmocka_unit_test(test_identity_tables),
		cmocka_unit_test(test_purgatory_params),
		cmocka_unit_test(test_gdb_regs),
		cmocka_unit_test(test_state_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
