// SPDX-License-Identifier: GPL-2.0-only
/* Multiboot and Multiboot2 information parsing, on hand-built structures. */
#include "harness.h"
#include <asm/multiboot.h>

static struct boot_info bi;

static int reset(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	log_reset();
	return 0;
}

static u32 lo(const void *p)
{
	return (u32)(uintptr_t)p;
}

static char *low_string(const char *s)
{
	char *p = alloc_low(strlen(s) + 1);

	strcpy(p, s);
	return p;
}

static struct mb1_info *mb1(bool with_mmap)
{
	struct mb1_info *mi = alloc_low(sizeof(*mi));
	struct mb1_mmap_entry *mm = alloc_low(3 * sizeof(*mm));
	struct mb1_module *mods = alloc_low(2 * sizeof(*mods));

	mm[0] = (struct mb1_mmap_entry){ 20, 0x0, 0x9fc00, 1 };
	mm[1] = (struct mb1_mmap_entry){ 20, 0x100000, 0x3fee0000, 1 };
	mm[2] = (struct mb1_mmap_entry){ 20, 0x3ffe0000, 0x20000, 2 };
	mods[0] = (struct mb1_module){ 0x15c000, 0x93a000,
				       lo(low_string("build/vmlinuz guest console=ttyS0")), 0 };
	mods[1] = (struct mb1_module){ 0x93a000, 0xaed000,
				       lo(low_string("build/initrd guest-initrd")), 0 };
	mi->flags = MB1_INFO_CMDLINE | MB1_INFO_MODS | (with_mmap ? MB1_INFO_MMAP : 0);
	mi->cmdline = lo(low_string("build/parachute.elf capture_mem=64M"));
	mi->mods_count = 2;
	mi->mods_addr = lo(mods);
	mi->mmap_length = 3 * sizeof(*mm);
	mi->mmap_addr = lo(mm);
	return mi;
}

static void test_mb1_complete(void **state)
{
	struct mb1_info *mi = mb1(true);

	(void)state;
	assert_string_equal(multiboot_cmdline(MB1_LOADER_MAGIC, lo(mi)),
			    "build/parachute.elf capture_mem=64M");
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, lo(mi), &bi), 0);
	assert_string_equal(bi.loader, "multiboot");
	assert_string_equal(bi.cmdline, "capture_mem=64M");
	assert_int_equal(bi.mem.nr, 3);
	assert_int_equal(bi.mem.e[1].addr, 0x100000);
	assert_int_equal(bi.nr_modules, 2);
	assert_int_equal(bi.by_role[ROLE_GUEST]->start, 0x15c000);
	assert_int_equal(bi.by_role[ROLE_GUEST]->size, 0x93a000 - 0x15c000);
	assert_string_equal(bi.by_role[ROLE_GUEST]->args, "console=ttyS0");
	assert_non_null(bi.by_role[ROLE_GUEST_INITRD]);
}

static void test_mb1_no_mmap(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, lo(mb1(false)), &bi), -EINVAL);
	assert_logged("the loader gave no memory map");
}

static void test_mb1_malformed_mmap(void **state)
{
	struct mb1_info *mi = mb1(true);
	struct mb1_mmap_entry *mm = (void *)(uintptr_t)mi->mmap_addr;

	(void)state;
	mm[1].size = 4; /* too small to hold an entry */
	assert_int_equal(multiboot_parse(MB1_LOADER_MAGIC, lo(mi), &bi), -EINVAL);
	assert_logged("malformed memory map entry at offset 24");
}

static void test_bad_magic(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(0x12345678, lo(mb1(true)), &bi), -EINVAL);
	assert_logged("not started by a Multiboot loader: magic 0x12345678");
	assert_string_equal(multiboot_cmdline(0x12345678, 0), "");
}

/* Multiboot2: append a tag, 8-byte aligned. */
static u8 *put_tag(u8 *p, u32 type, const void *body, u32 len)
{
	u32 size = 8 + len;

	memcpy(p, &type, 4);
	memcpy(p + 4, &size, 4);
	if (len)
		memcpy(p + 8, body, len);
	return p + ((size + 7) & ~7u);
}

static u8 *mb2(bool with_end, bool with_mmap)
{
	u8 *buf = alloc_low(4096), *p = buf + 8;
	struct {
		u32 entry_size, entry_version;
		struct mb2_mmap_entry e[2];
	} mm = { 24, 0, { { 0, 0x9fc00, 1, 0 }, { 0x100000, 0x7ff00000, 1, 0 } } };
	struct {
		u32 start, end;
		char s[32];
	} mod = { 0x200000, 0x300000, "guest root=/dev/vda" };
	u32 total;

	p = put_tag(p, MB2_TAG_CMDLINE, "loglevel=debug", 15);
	p = put_tag(p, MB2_TAG_MODULE, &mod, 8 + strlen(mod.s) + 1);
	if (with_mmap)
		p = put_tag(p, MB2_TAG_MMAP, &mm, sizeof(mm));
	if (with_end)
		p = put_tag(p, MB2_TAG_END, NULL, 0);
	total = (u32)(p - buf);
	memcpy(buf, &total, 4);
	return buf;
}

static void test_mb2_complete(void **state)
{
	u8 *info = mb2(true, true);

	(void)state;
	assert_string_equal(multiboot_cmdline(MB2_LOADER_MAGIC, lo(info)), "loglevel=debug");
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(info), &bi), 0);
	assert_string_equal(bi.loader, "multiboot2");
	assert_string_equal(bi.cmdline, "loglevel=debug");
	assert_int_equal(bi.mem.nr, 2);
	assert_int_equal(bi.mem.e[1].size, 0x7ff00000);
	assert_int_equal(bi.nr_modules, 1);
	assert_string_equal(bi.mods[0].args, "root=/dev/vda");
	assert_int_equal(bi.mods[0].start, 0x200000);
	/* No firmware tags (a BIOS loader, or one that passes none): nothing made up. */
	assert_int_equal(bi.fw.efi_systab, 0);
	assert_int_equal(bi.fw.rsdp_len, 0);
	assert_int_equal(bi.fw.smbios_len, 0);
	assert_int_equal(bi.fw.fb.addr, 0);
}

static void test_mb2_missing_pieces(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(mb2(false, true)), &bi), -EINVAL);
	assert_logged("no end tag");
	memset(&bi, 0, sizeof(bi));
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(mb2(true, false)), &bi), -EINVAL);
	assert_logged("the loader gave no memory map");
}

static void test_mb2_malformed_tag(void **state)
{
	u8 *info = mb2(true, true);
	u32 bad = 4;

	(void)state;
	memcpy(info + 8 + 4, &bad, 4); /* first tag claims 4 bytes */
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(info), &bi), -EINVAL);
	assert_logged("malformed tag type 1 at offset 8");
}

/*
 * The four Multiboot2 bugs the fuzzer found (tests/fuzz/regressions/README.md),
 * each as a unit test: the structure is refused, nothing is read past it
 * (ASan), and the walk ends.
 */
static void test_mb2_fuzz_found(void **state)
{
	u8 *info = mb2(true, true), *end;
	u32 total, huge = 0xffffffbc, size;
	struct {
		u32 type, size, entry_size, entry_version;
		u8 e[16];
	} mm;

	(void)state;
	/* mb2-size-wraps: off + size wrapped in 32 bits and the walk went back to 8. */
	memcpy(info + 8 + 4, &huge, 4);
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(info), &bi), -EINVAL);
	assert_logged("malformed tag type 1 at offset 8 (size 4294967228)");
	assert_string_equal(multiboot_cmdline(MB2_LOADER_MAGIC, lo(info)), "");
	/* mb2-cmdline-past-end: a command-line tag longer than the structure. */
	info = alloc_low(19);
	total = 19;
	size = 0x3c;
	memcpy(info, &total, 4);
	memset(info + 4, 0, 15);
	memcpy(info + 8, &(u32){ MB2_TAG_CMDLINE }, 4);
	memcpy(info + 12, &size, 4);
	memcpy(info + 16, "ab", 3);
	assert_string_equal(multiboot_cmdline(MB2_LOADER_MAGIC, lo(info)), "");
	/* mb2-mmap-short-tag: an 8-byte memory-map tag ends the structure. */
	info = alloc_low(16);
	total = 16;
	memcpy(info, &total, 4);
	memcpy(info + 4, &(u32){ 0 }, 4);
	memcpy(info + 8, &(u32){ MB2_TAG_MMAP }, 4);
	memcpy(info + 12, &(u32){ 8 }, 4);
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(info), &bi), -EINVAL);
	assert_logged_since_reset("memory map tag of 8 bytes, entry size 0: too small");
	/* mb2-mmap-entry-size-wraps: off + entry_size wrapped past the tag's end. */
	log_reset();
	info = alloc_low(8 + sizeof(mm) + 8);
	mm = (typeof(mm)){ MB2_TAG_MMAP, sizeof(mm), 0xfffffff8, 0, { 0 } };
	memcpy(info + 8, &mm, sizeof(mm));
	end = put_tag(info + 8 + sizeof(mm), MB2_TAG_END, NULL, 0);
	total = (u32)(end - info);
	memcpy(info, &total, 4);
	memcpy(info + 4, &(u32){ 0 }, 4);
	multiboot_parse(MB2_LOADER_MAGIC, lo(info), &bi);
	assert_int_equal(bi.mem.nr, 0); /* no entry read from beyond the tag */
}

/* What GRUB passes under UEFI: the EFI system table, copies of the RSDPs and SMBIOS, a framebuffer. */
static u8 *mb2_firmware(void)
{
	u8 *buf = mb2(false, true), *p;
	u32 total;
	u64 systab = 0x7fbee018;
	u8 rsdp1[20] = "RSD PTR ", rsdp2[36] = "RSD PTR ";
	u8 smbios[8 + 24] = { 3, 6, 0, 0, 0, 0, 0, 0, '_', 'S', 'M', '3', '_' };
	struct {
		u64 addr;
		u32 pitch, width, height;
		u8 bpp, type;
		u16 reserved;
		u8 rp, rs, gp, gs, bp, bs;
	} __attribute__((packed)) fb = { 0x80000000, 4096, 1024, 768, 32, 1, 0, 16, 8, 8, 8, 0, 8 };

	memcpy(&total, buf, 4);
	p = buf + total;
	rsdp1[15] = 0;
	rsdp2[15] = 2;
	p = put_tag(p, MB2_TAG_ACPI_NEW, rsdp2, sizeof(rsdp2));
	p = put_tag(p, MB2_TAG_ACPI_OLD, rsdp1, sizeof(rsdp1)); /* after the new one: ignored */
	p = put_tag(p, MB2_TAG_EFI64, &systab, 8);
	p = put_tag(p, MB2_TAG_SMBIOS, smbios, sizeof(smbios));
	p = put_tag(p, MB2_TAG_FRAMEBUFFER, &fb, sizeof(fb));
	p = put_tag(p, MB2_TAG_END, NULL, 0);
	total = (u32)(p - buf);
	memcpy(buf, &total, 4);
	return buf;
}

static void test_mb2_firmware_tags(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(mb2_firmware()), &bi), 0);
	assert_int_equal(bi.fw.efi_systab, 0x7fbee018);
	assert_int_equal(bi.fw.rsdp_len, 36); /* the ACPI 2.0 copy wins over the 1.0 one */
	assert_int_equal(bi.fw.rsdp[15], 2);
	assert_int_equal(bi.fw.smbios_len, 24);
	assert_memory_equal(bi.fw.smbios, "_SM3_", 5);
	assert_int_equal(bi.fw.fb.addr, 0x80000000);
	assert_int_equal(bi.fw.fb.width, 1024);
	assert_int_equal(bi.fw.fb.pitch, 4096);
	assert_int_equal(bi.fw.fb.red_pos, 16);
	assert_int_equal(bi.fw.fb.blue_size, 8);
}

/* A Multiboot2 information with memory map and one more tag. */
static u8 *mb2_with(u32 type, const void *body, u32 len)
{
	u8 *info = mb2(false, true), *p;
	u32 total;

	memcpy(&total, info, 4);
	p = put_tag(info + total, type, body, len);
	p = put_tag(p, MB2_TAG_END, NULL, 0);
	total = (u32)(p - info);
	memcpy(info, &total, 4);
	return info;
}

/* A tag's size field names the problem: each short one is refused with its name. */
static void test_mb2_firmware_tags_truncated(void **state)
{
	u8 body[16] = { 0 };

	(void)state;
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(mb2_with(MB2_TAG_EFI64, body, 4)), &bi),
			 -EINVAL);
	assert_logged("EFI system table tag too short (12 bytes)");

	memset(&bi, 0, sizeof(bi));
	assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC, lo(mb2_with(MB2_TAG_ACPI_OLD, body, 8)),
					 &bi),
			 -EINVAL);
	assert_logged("RSDP tag of 16 bytes holds no RSDP");

	/* Indexed colour (type 0) makes no console; EGA text (type 2, 80x25) does. */
	for (u8 type = 0; type <= 2; type += 2) {
		u8 fb[30] = { 0 };

		memset(&bi, 0, sizeof(bi));
		fb[1] = 0x80, fb[2] = 0x0b; /* addr 0xb8000 */
		fb[8] = 160;		    /* pitch */
		fb[12] = 80, fb[16] = 25;   /* width, height */
		fb[20] = 16;		    /* bpp */
		fb[21] = type;
		assert_int_equal(multiboot_parse(MB2_LOADER_MAGIC,
						 lo(mb2_with(MB2_TAG_FRAMEBUFFER, fb, sizeof(fb))), &bi),
				 0);
		assert_int_equal(bi.fw.fb.addr, type ? 0xb8000 : 0);
		assert_int_equal(bi.fw.fb.text, type == 2);
		assert_int_equal(bi.fw.fb.width, type ? 80 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mb1_complete, reset),
		cmocka_unit_test_setup(test_mb1_no_mmap, reset),
		cmocka_unit_test_setup(test_mb1_malformed_mmap, reset),
		cmocka_unit_test_setup(test_bad_magic, reset),
		cmocka_unit_test_setup(test_mb2_complete, reset),
		cmocka_unit_test_setup(test_mb2_missing_pieces, reset),
		cmocka_unit_test_setup(test_mb2_malformed_tag, reset),
		cmocka_unit_test_setup(test_mb2_fuzz_found, reset),
		cmocka_unit_test_setup(test_mb2_firmware_tags, reset),
		cmocka_unit_test_setup(test_mb2_firmware_tags_truncated, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
