// SPDX-License-Identifier: GPL-2.0-only
/*
 * xl-kdump's pure parts (tools/xl-kdump/): the command line, kernel images
 * (ELF and XZ bzImage, through the hv's bzimage_parse()), the layout above
 * the guest's RAM, the PVH start info and memory map, and the ELF core
 * header the hv's builder makes from them.
 */
#include "harness.h"
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>

/* xenctrl.h first: it sets up the types and handles the public headers use. */
#include <xenctrl.h>

#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/save.h>

#include "../../tools/xl-kdump/args.h"
#include "../../tools/xl-kdump/image.h"
#include "../../tools/xl-kdump/layout.h"
#include <asm/linux.h>

char hv_last_error[256]; /* tools/xl-kdump/hvglue.c's, here the harness logs */

static int parse_for(enum xlk_host host, struct xlk_args *a, char *err, const char *line)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return xlk_parse_args_for(host, argc, argv, a, err, 256);
}

static int parse(struct xlk_args *a, char *err, const char *line)
{
	return parse_for(XLK_HOST_XEN, a, err, line);
}

static int vk(struct xlk_args *a, char *err, const char *line)
{
	return parse_for(XLK_HOST_LIBVIRT, a, err, line);
}

static void test_args_load(void **state)
{
	struct xlk_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err,
			       "xl-kdump load domu --kernel /k --initrd=/i --mem 64M "
			       "--dump-area 0x1000000"),
			 0);
	assert_int_equal(a.cmd, CMD_LOAD);
	assert_string_equal(a.domain, "domu");
	assert_string_equal(a.kernel, "/k");
	assert_string_equal(a.initrd, "/i");
	assert_int_equal(a.mem, 64ull << 20);
	assert_int_equal(a.dump_area, 16ull << 20);
	assert_int_equal(parse(&a, err, "xl-kdump load 7 --kernel /k"), 0);
	assert_int_equal(a.mem, XLK_DEFAULT_MEM);
	assert_null(a.append);
	assert_int_equal(a.base, 0);
	assert_int_equal(parse(&a, err, "xl-kdump load 7 --kernel /k --base 5G"), 0);
	assert_int_equal(a.base, 5ull << 30);
	assert_int_equal(parse(&a, err, "xl-kdump load 7 --kernel /k --base 0x140001000"),
			 XLK_USAGE);
	assert_non_null(strstr(err, "multiple of 2 MiB"));
}

/* virt-kdump (tools/virt-kdump/) takes the same command line, less what is Xen's. */
static void test_args_virt_kdump(void **state)
{
	struct xlk_args a;
	char err[256];

	(void)state;
	/* --then restart needs no --config: libvirt keeps the domain's definition. */
	assert_int_equal(vk(&a, err, "virt-kdump load g --kernel /k --then restart"), 0);
	assert_int_equal(a.then, THEN_RESTART);
	assert_int_equal(vk(&a, err, "virt-kdump trigger g"), 0);
	assert_int_equal(a.cmd, CMD_TRIGGER);
	assert_int_equal(vk(&a, err, "virt-kdump load g --kernel /k --dump-area 8M"), XLK_USAGE);
	assert_non_null(strstr(err, "xl-kdump's"));
	assert_int_equal(vk(&a, err, "virt-kdump fetch g out"), XLK_USAGE);
	assert_int_equal(vk(&a, err, "virt-kdump load g --kernel /k --then restart --config /c"),
			 XLK_USAGE);
	assert_int_equal(vk(&a, err, "virt-kdump load g --kernel /k --vmcoreinfo 0x1000"),
			 XLK_USAGE);
}

/* What becomes of the domain after its capture: preserve, destroy, restart with its config. */
static void test_args_then(void **state)
{
	struct xlk_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k"), 0);
	assert_int_equal(a.then, THEN_PRESERVE);
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --then destroy"), 0);
	assert_int_equal(a.then, THEN_DESTROY);
	assert_null(a.config);
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --then=restart "
					 "--config /etc/xen/d.cfg"),
			 0);
	assert_int_equal(a.then, THEN_RESTART);
	assert_string_equal(a.config, "/etc/xen/d.cfg");
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --then restart"), XLK_USAGE);
	assert_non_null(strstr(err, "needs --config FILE"));
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --then reboot"), XLK_USAGE);
	assert_non_null(strstr(err, "'reboot' is not preserve, destroy or restart"));
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --config /c"), XLK_USAGE);
	assert_non_null(strstr(err, "--config is for --then restart"));
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --then restart --config c.cfg"),
			 XLK_USAGE);
	assert_non_null(strstr(err, "absolute path"));
	assert_int_equal(parse(&a, err, "xl-kdump unload d --then destroy"), XLK_USAGE);
	assert_non_null(strstr(err, "belong to load"));
}

static void test_args_errors(void **state)
{
	struct xlk_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, "xl-kdump"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump load domu"), XLK_USAGE);
	assert_non_null(strstr(err, "--kernel is required"));
	assert_int_equal(parse(&a, err, "xl-kdump load --kernel /k"), XLK_USAGE);
	assert_non_null(strstr(err, "name the domain"));
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --mem 12Q"), XLK_USAGE);
	assert_non_null(strstr(err, "'12Q' is not a size"));
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel /k --mem 1M"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump load d --kernel"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump frobnicate d"), XLK_USAGE);
	assert_non_null(strstr(err, "unknown command 'frobnicate'"));
	assert_int_equal(parse(&a, err, "xl-kdump status d e"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump unload d --kernel /k"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump status --foreground"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump fetch d"), XLK_USAGE);
	assert_int_equal(parse(&a, err, "xl-kdump watch d"), XLK_USAGE);
}

static void test_args_other(void **state)
{
	struct xlk_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, "xl-kdump --help"), 0);
	assert_int_equal(a.cmd, CMD_HELP);
	assert_int_equal(parse(&a, err, "xl-kdump status"), 0);
	assert_null(a.domain);
	assert_int_equal(parse(&a, err, "xl-kdump watch --foreground --once --dump-dir /d"), 0);
	assert_true(a.foreground && a.once);
	assert_string_equal(a.dump_dir, "/d");
	assert_int_equal(parse(&a, err, "xl-kdump fetch 3 /tmp/out"), 0);
	assert_string_equal(a.output, "/tmp/out");
	assert_int_equal(parse(&a, err, "xl-kdump trigger domu"), 0);
	assert_int_equal(a.cmd, CMD_TRIGGER);
}

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(xlk_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(xlk_parse_size("2G", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(xlk_parse_size("0x10k", &v), 0);
	assert_int_equal(v, 16 << 10);
	assert_int_equal(xlk_parse_size("", &v), -1);
	assert_int_equal(xlk_parse_size("-1", &v), -1);
	assert_int_equal(xlk_parse_size("5MB", &v), -1);
	assert_int_equal(xlk_parse_size("99999999999999999999", &v), -1);
	assert_int_equal(xlk_parse_size("0xffffffffffffG", &v), -1);
}

/* An ELF64 vmlinux: a PT_NOTE with the PVH entry and two PT_LOADs at 16 MiB. */
static size_t make_elf(uint8_t *buf, int with_note)
{
	struct elf64_ehdr *e = (void *)buf;
	struct elf64_phdr *ph = (void *)(buf + sizeof(*e));
	uint8_t *note = buf + 512;
	struct elf64_nhdr nh = { 4, 4, XEN_ELFNOTE_PHYS32_ENTRY };
	uint32_t entry = 0x1000040;

	memset(buf, 0, 8192);
	memcpy(e->e_ident,
	       "\x7f"
	       "ELF",
	       4);
	e->e_ident[4] = 2; /* ELFCLASS64 */
	e->e_machine = 62; /* EM_X86_64 */
	e->e_phoff = sizeof(*e);
	e->e_phentsize = sizeof(*ph);
	e->e_phnum = 3;
	memcpy(note, &nh, sizeof(nh));
	memcpy(note + 12, "Xen", 4);
	memcpy(note + 16, &entry, 4);
	ph[0] = (struct elf64_phdr){ .p_type = PT_NOTE,
				     .p_offset = 512,
				     .p_filesz = with_note ? 20 : 0 };
	ph[1] = (struct elf64_phdr){ .p_type = PT_LOAD,
				     .p_offset = 4096,
				     .p_paddr = 0x1000000,
				     .p_filesz = 2048,
				     .p_memsz = 2048 };
	ph[2] = (struct elf64_phdr){ .p_type = PT_LOAD,
				     .p_offset = 6144,
				     .p_paddr = 0x1002000,
				     .p_filesz = 1024,
				     .p_memsz = 0x3000 };
	memset(buf + 4096, 0xaa, 2048);
	memset(buf + 6144, 0xbb, 1024);
	return 8192;
}

static void test_image_elf(void **state)
{
	static uint8_t elf[8192];
	struct kimage k;
	char err[256];
	uint32_t entry;

	(void)state;
	assert_int_equal(kimage_parse(elf, make_elf(elf, 1), &k, err, sizeof(err)), 0);
	assert_int_equal(k.entry, 0x1000040);
	assert_int_equal(k.base, 0x1000000);
	assert_int_equal(k.span, 0x5000);
	assert_int_equal(k.load_size, 0x2400);
	assert_int_equal(k.load[0], 0xaa);
	assert_int_equal(k.load[2047], 0xaa);
	assert_int_equal(k.load[2048], 0); /* the gap between the segments */
	assert_int_equal(k.load[0x2000], 0xbb);
	assert_false(k.from_bzimage);
	kimage_free(&k);

	assert_int_equal(kimage_parse(elf, make_elf(elf, 0), &k, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no PVH entry"));
	make_elf(elf, 1);
	((struct elf64_phdr *)(elf + 64))[1].p_filesz = 1 << 20; /* past the file */
	assert_int_equal(kimage_parse(elf, 8192, &k, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "outside the file"));
	assert_int_equal(elf_pvh_entry(elf, 40, &entry), -ENOEXEC);
}

/* A bzImage around an XZ-compressed ELF, with its size appended as mkpiggy reads it. */
static size_t make_bzimage(uint8_t *buf, size_t size, const uint8_t *elf, size_t elf_len)
{
	struct setup_header *h = (void *)(buf + SETUP_HEADER_OFFSET);
	size_t setup = 5 * 512, out = 0;
	uint32_t len32 = (uint32_t)elf_len;

	memset(buf, 0, size);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, elf, elf_len,
						 buf + setup + 64, &out, size - setup - 68),
			 LZMA_OK);
	memcpy(buf + setup + 64 + out, &len32, 4);
	h->setup_sects = 4;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->header = LINUX_HDRS_MAGIC;
	h->version = 0x020f;
	h->loadflags = LINUX_LOADED_HIGH;
	h->payload_offset = 64;
	h->payload_length = (uint32_t)out + 4;
	h->syssize = (uint32_t)((64 + out + 4 + 15) / 16);
	return setup + 64 + out + 4;
}

static void test_image_bzimage(void **state)
{
	static uint8_t elf[8192], bz[32768];
	struct kimage k;
	char err[256];
	size_t n;

	(void)state;
	n = make_bzimage(bz, sizeof(bz), elf, make_elf(elf, 1));
	assert_int_equal(kimage_parse(bz, n, &k, err, sizeof(err)), 0);
	assert_true(k.from_bzimage);
	assert_int_equal(k.entry, 0x1000040);
	assert_int_equal(k.load[0x2000], 0xbb);
	kimage_free(&k);

	bz[5 * 512 + 64 + 40] ^= 0xff; /* corrupt the XZ stream */
	assert_int_equal(kimage_parse(bz, n, &k, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "XZ payload is corrupt"));
	n = make_bzimage(bz, sizeof(bz), elf, make_elf(elf, 1));
	assert_int_equal(kimage_parse(bz, 1000, &k, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(last_log, "truncated")); /* the hv's own check */
	memcpy(bz + 5 * 512 + 64, "\x1f\x8b", 2);	/* gzip, not XZ */
	assert_int_equal(kimage_parse(bz, n, &k, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "not XZ"));
	assert_int_equal(
		kimage_parse("hello, world, not a kernel at all", 34, &k, err, sizeof(err)),
		-ENOEXEC);
}

/*
 * Debian's own kernel, which make unit fetches first (ci/fetch-debian.sh) and
 * names in XLK_DEBIAN_VMLINUZ: without it the test fails, it does not skip.
 */
static void test_image_debian(void **state)
{
	const char *path = getenv("XLK_DEBIAN_VMLINUZ");
	struct kimage k;
	char err[256];
	uint8_t *buf;
	FILE *f;
	long n;

	(void)state;
	if (!path)
		fail_msg("XLK_DEBIAN_VMLINUZ is not set: run the unit tests with make unit");
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s (make unit fetches it: ci/fetch-debian.sh)", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	assert_int_equal(kimage_parse(buf, (size_t)n, &k, err, sizeof(err)), 0);
	assert_int_equal(k.base, 0x1000000); /* linked at 16 MiB */
	assert_true(k.entry > k.base && k.entry < k.base + k.span);
	assert_true(k.span >= k.load_size);
	kimage_free(&k);
	free(buf);
}

static void plan128(struct xlk_layout *l)
{
	assert_int_equal(xlk_plan(l, 128ull << 20, 0, 0xfc000000, 128ull << 20, 0x1000000,
				  0x3a00123, 0x2000000, 0x300001, 192ull << 20, 96ull << 20,
				  0x3000),
			 0);
}

static void test_layout_plan(void **state)
{
	struct xlk_layout l;

	(void)state;
	plan128(&l);
	assert_int_equal(l.info, 128ull << 20);
	assert_int_equal(l.acpi, l.info + 4096);
	assert_int_equal(l.kernel, l.acpi + 0x3000);
	assert_int_equal(l.initrd, l.kernel + 0x2000000);
	assert_int_equal(l.elfhdr, l.initrd + 0x301000);
	assert_true(l.backup >= l.elfhdr + XLK_ELFHDR_SIZE && l.backup % (2 << 20) == 0);
	assert_int_equal(l.kspan, 0x3a01000);
	assert_int_equal(l.boot_info, 0x1000000 + l.kspan);
	assert_int_equal(l.low_size, 0xa0000); /* RAM from 0 up to the legacy hole */
	/* The initrd runs after the start info page, copied there at the crash. */
	assert_int_equal(l.initrd_run, l.boot_info + 4096);
	assert_int_equal(l.run_end, l.initrd_run + 0x301000);
	assert_int_equal(l.backup_size, 0xa0000 + l.kspan + 4096 + 0x301000);
	assert_true(l.dump >= l.backup + l.backup_size && l.dump % (2 << 20) == 0);
	assert_int_equal(l.dump_size, 96ull << 20);
	assert_int_equal(l.work, l.dump + l.dump_size); /* the dump area under high_memory */
	assert_int_equal(l.work_size, 192ull << 20);
	assert_int_equal(l.end, l.work + (192ull << 20));
	assert_int_equal(xlk_staged_bytes(&l), l.end - l.info);
	/* RAM that does not reach the kernel's link range, a layout that does not fit. */
	assert_int_equal(xlk_plan(&l, 32ull << 20, 0, 0xfc000000, 0, 0x1000000, 0x3a00000, 0, 0,
				  64ull << 20, 0, 0),
			 -EINVAL);
	assert_int_equal(xlk_plan(&l, 3800ull << 20, 0, 0xfc000000, 0, 0x1000000, 0x3a00000, 0, 0,
				  512ull << 20, 0, 0),
			 -ERANGE);
	/* An odd RAM top rounds up to 2 MiB. */
	assert_int_equal(xlk_plan(&l, (128ull << 20) + 4096, 0, 0xfc000000, 0x9f000, 0x1000000,
				  0x100000, 0, 0, 32ull << 20, 0, 0),
			 0);
	assert_int_equal(l.info, 130ull << 20);
	assert_int_equal(l.low_size, 0x9f000);
	/* Staging from a chosen start, away from the guest's scratch space. */
	assert_int_equal(xlk_plan(&l, 128ull << 20, XLK_DEFAULT_START, 0xfc000000, 0, 0x1000000,
				  0x3a00000, 0x3a00000, 0, 192ull << 20, 96ull << 20, 0),
			 0);
	assert_int_equal(l.info, XLK_DEFAULT_START);
	assert_true(l.end <= 0xfc000000);
	/* An initrd that would end above the RAM (or 4 GiB) at the crash. */
	assert_int_equal(xlk_plan(&l, 64ull << 20, 0, 0xfc000000, 0, 0x1000000, 0x3a00000, 0,
				  0x600000, 32ull << 20, 0, 0),
			 -EINVAL);
	/* Above 4 GiB for a guest with RAM there: no 4 GiB limit, only the one given. */
	assert_int_equal(xlk_plan(&l, 6ull << 30, 8ull << 30, 1ull << 40, 0x9f000, 0x1000000,
				  0x3a00000, 0x3a00000, 0x300000, 192ull << 20, 96ull << 20, 0x3000),
			 0);
	assert_int_equal(l.info, 8ull << 30);
	assert_true(l.initrd > 4ull << 30 && l.initrd_run < 1ull << 30);
	assert_int_equal(xlk_plan(&l, 6ull << 30, 8ull << 30, (8ull << 30) + (64ull << 20),
				  0x9f000, 0x1000000, 0x3a00000, 0x3a00000, 0, 192ull << 20, 0, 0),
			 -ERANGE);
}

static void test_layout_default_start(void **state)
{
	(void)state;
	/* Below 3 GiB of RAM: 3 GiB. Above: 1 GiB of the guest's scratch space after the RAM. */
	assert_int_equal(xlk_default_start(128ull << 20), XLK_DEFAULT_START);
	assert_int_equal(xlk_default_start(XLK_DEFAULT_START), XLK_DEFAULT_START);
	assert_int_equal(xlk_default_start((4ull << 30) + (512ull << 20)), 6ull << 30);
	assert_int_equal(xlk_default_start(16ull << 30), 17ull << 30);
}

static void test_layout_start_info(void **state)
{
	static uint8_t page[XLK_PAGE];
	const struct hvm_start_info *si = (void *)page;
	const struct hvm_modlist_entry *mod = (void *)(page + XLK_INFO_MODLIST);
	const struct hvm_memmap_table_entry *m = (void *)(page + XLK_INFO_MEMMAP);
	struct xlk_layout l;
	char cmd[XLK_PAGE], big[3000];

	(void)state;
	plan128(&l);
	l.acpi_src = 0xfc000000;
	l.rsdp = 0xfc000010;
	assert_true(xlk_cmdline(cmd, sizeof(cmd), &l, "console=hvc0") > 0);
	assert_non_null(strstr(cmd, "console=hvc0 elfcorehdr=0x"));
	assert_non_null(strstr(cmd, "nr_cpus=1 xl_kdump.dump=0x"));
	assert_int_equal(xlk_build_info(page, &l, cmd), 0);
	assert_int_equal(si->magic, XEN_HVM_START_MAGIC_VALUE);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->nr_modules, 1);
	/* The pointers are where the page goes at the crash: under 1 GiB. */
	assert_int_equal(si->modlist_paddr, l.boot_info + XLK_INFO_MODLIST);
	assert_int_equal(mod->paddr, l.initrd_run); /* under 4 GiB: 6.1 reads 32 bits of it */
	assert_int_equal(mod->size, 0x300001);
	assert_int_equal(si->cmdline_paddr, l.boot_info + XLK_INFO_CMDLINE);
	assert_string_equal((char *)page + XLK_INFO_CMDLINE, cmd);
	assert_int_equal(si->rsdp_paddr, 0xfc000010);
	assert_int_equal(si->memmap_paddr, l.boot_info + XLK_INFO_MEMMAP);
	assert_true(l.boot_info + XLK_PAGE <= 1ull << 30);
	assert_int_equal(si->memmap_entries, 8);
	/* RAM: low memory, the kernel's link range, the initrd and the work area. */
	assert_int_equal(m[0].addr, 0);
	assert_int_equal(m[0].size, 0xa0000);
	assert_int_equal(m[0].type, XLK_E820_RAM);
	m++;
	assert_int_equal(m[0].addr, 0x1000000);
	assert_int_equal(m[0].type, XLK_E820_RAM);
	assert_int_equal(m[1].addr, l.boot_info);
	assert_int_equal(m[1].type, XLK_E820_RESERVED);
	assert_int_equal(m[2].addr, l.initrd_run);
	assert_int_equal(m[2].size, 0x301000);
	assert_int_equal(m[2].type, XLK_E820_RAM);
	assert_int_equal(m[3].addr, l.info);
	assert_int_equal(m[3].size, l.backup - l.info);
	assert_int_equal(m[3].type, XLK_E820_RESERVED);
	assert_int_equal(m[4].addr, l.dump);
	assert_int_equal(m[4].type, XLK_E820_RESERVED);
	assert_int_equal(m[5].addr, l.work);
	assert_int_equal(m[5].type, XLK_E820_RAM);
	assert_int_equal(m[6].addr, 0xfc000000);
	m = (void *)(page + XLK_INFO_MEMMAP);
	for (unsigned int i = 1; i < si->memmap_entries; i++)
		assert_true(m[i].addr >= m[i - 1].addr + m[i - 1].size);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(xlk_cmdline(cmd, sizeof(cmd), &l, big), -E2BIG);
	assert_int_equal(xlk_build_info(page, &l, big), -E2BIG);
}

static void test_cpu_regs(void **state)
{
	struct hvm_hw_cpu c;
	uint64_t r[ELF_NGREG];

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rip = 0xffffffff81000123ull;
	c.rsp = 0xffffc90000001000ull;
	c.r15 = 15;
	c.rax = 1;
	c.cs_sel = 0x10;
	c.gs_base = 0xffff88800fc00000ull;
	c.rflags = 0x246;
	xlk_cpu_regs(&c, r);
	assert_int_equal(r[ELF_RIP], c.rip);
	assert_int_equal(r[ELF_RSP], c.rsp);
	assert_int_equal(r[0], 15);	/* r15 first, user_regs_struct order */
	assert_int_equal(r[10], 1);	/* rax */
	assert_int_equal(r[17], 0x10);	/* cs */
	assert_int_equal(r[18], 0x246); /* eflags */
	assert_int_equal(r[22], c.gs_base);
}

/* The core header the hv's builder makes for a 2-vCPU PVH guest of 128 MiB. */
static void test_core_header(void **state)
{
	static const struct xlk_range ram[] = { { 0, 128ull << 20 } };
	static const char vi[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
	struct elfcore_range r[8];
	struct elfcore_cpu cpus[2] = { 0 };
	struct xlk_layout l;
	static uint8_t buf[XLK_ELFHDR_SIZE];
	const struct elf64_ehdr *e = (void *)buf;
	const struct elf64_phdr *ph = (void *)(buf + 64);
	int n;

	(void)state;
	plan128(&l);
	n = xlk_ram_ranges(&l, ram, 1, r, 8);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].paddr, 0);
	assert_int_equal(r[0].size, 0xa0000);
	assert_int_equal(r[0].data_pa, l.backup); /* low memory, from the backup */
	assert_int_equal(r[1].paddr, 0xa0000);
	assert_int_equal(r[1].size, 0x1000000 - 0xa0000);
	assert_int_equal(r[1].data_pa, 0xa0000);
	assert_int_equal(r[2].paddr, 0x1000000);
	/* with the start info page and the initrd after it */
	assert_int_equal(r[2].size, l.kspan + 4096 + 0x301000);
	assert_int_equal(r[2].data_pa, l.backup + 0xa0000);
	assert_int_equal(r[3].paddr, l.run_end);
	assert_int_equal(r[3].data_pa, r[3].paddr);
	assert_int_equal(r[3].paddr + r[3].size, 128ull << 20);
	assert_int_equal(xlk_ram_ranges(&l, ram, 1, r, 3), -E2BIG);

	struct elfcore_input in = { .cpus = cpus,
				    .ncpus = 2,
				    .vmcoreinfo = vi,
				    .vmcoreinfo_len = sizeof(vi),
				    .ram = r,
				    .nram = 4,
				    .page_offset = 0xffff888000000000ull };
	assert_true(elfcore_build(buf, sizeof(buf), l.elfhdr, &in) > 0);
	assert_int_equal(e->e_phnum, 5);
	assert_int_equal(ph[0].p_type, PT_NOTE);
	assert_int_equal(ph[0].p_filesz, 2 * (12 + 8 + 336) + 12 + 12 + ((sizeof(vi) + 3) & ~3u));
	assert_int_equal(ph[1].p_offset, l.backup);
	assert_int_equal(ph[1].p_paddr, 0);
	assert_int_equal(ph[3].p_offset, l.backup + 0xa0000);
	assert_int_equal(ph[3].p_paddr, 0x1000000);
	assert_int_equal(ph[3].p_vaddr, 0xffff888001000000ull);

	/* The kernel-text segment reads the crashed kernel's text from the backup. */
	in.text_vaddr = 0xffffffff81000000ull;
	in.text_paddr = 0x1000000;
	in.text_size = l.kspan;
	in.text_data_pa = l.backup + 0xa0000;
	assert_true(elfcore_build(buf, sizeof(buf), l.elfhdr, &in) > 0);
	assert_int_equal(e->e_phnum, 6);
	assert_int_equal(ph[1].p_type, PT_LOAD);
	assert_int_equal(ph[1].p_vaddr, 0xffffffff81000000ull);
	assert_int_equal(ph[1].p_paddr, 0x1000000);
	assert_int_equal(ph[1].p_offset, l.backup + 0xa0000);
	in.text_data_pa = 0; /* the hv's case: the bytes are where they belong */
	assert_true(elfcore_build(buf, sizeof(buf), l.elfhdr, &in) > 0);
	assert_int_equal(ph[1].p_offset, 0x1000000);
}

static void test_rsdp_and_note(void **state)
{
	static uint8_t buf[8192];
	uint32_t desc, h[3] = { 11, 40, 0 };
	uint8_t sum = 0;

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(xlk_find_rsdp(buf, sizeof(buf)), -1);
	memcpy(buf + 0x40, "RSD PTR ", 8);
	assert_int_equal(xlk_find_rsdp(buf, sizeof(buf)), -1); /* bad checksum */
	for (int i = 0; i < 20; i++)
		sum += buf[0x40 + i];
	buf[0x48] = (uint8_t)-sum;
	assert_int_equal(xlk_find_rsdp(buf, sizeof(buf)), 0x40);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(xlk_vmcoreinfo_note(buf, &desc), 0);
	memcpy(buf, h, sizeof(h));
	memcpy(buf + 12, "VMCOREINFO", 11);
	memcpy(buf + 24, "OSRELEASE=6.1.0-57-amd64\n", 25);
	assert_int_equal(xlk_vmcoreinfo_note(buf, &desc), 40);
	assert_int_equal(desc, 24);
	h[1] = 5000; /* longer than the page */
	memcpy(buf, h, sizeof(h));
	assert_int_equal(xlk_vmcoreinfo_note(buf, &desc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_load),	  cmocka_unit_test(test_args_then),
		cmocka_unit_test(test_args_virt_kdump),
		cmocka_unit_test(test_args_errors),	  cmocka_unit_test(test_layout_default_start),
		cmocka_unit_test(test_args_other),	  cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_image_elf),	  cmocka_unit_test(test_image_bzimage),
		cmocka_unit_test(test_image_debian),	  cmocka_unit_test(test_layout_plan),
		cmocka_unit_test(test_layout_start_info), cmocka_unit_test(test_cpu_regs),
		cmocka_unit_test(test_core_header),	  cmocka_unit_test(test_rsdp_and_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
