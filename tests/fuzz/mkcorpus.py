#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the seed corpus of the fuzz targets: tests/fuzz/corpus/NAME/*.

Small, valid inputs in each target's input format (see the comment at the
top of tests/fuzz/fuzz_NAME.c), so that fuzzing starts from real structures.
The files are kept in the repository; run this again after changing a format.
Usage: tests/fuzz/mkcorpus.py [OUTDIR]   (default: tests/fuzz/corpus)
"""
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
PAGE = 4096


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def u8(v):
    return struct.pack("<B", v & 0xFF)


def u16(v):
    return struct.pack("<H", v & 0xFFFF)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


def checksum_fix(b, at, n=None):
    """Make the bytes of b (its first n) sum to 0 by setting the byte at at."""
    b = bytearray(b)
    b[at] = 0
    b[at] = (-sum(b[:n])) & 0xFF
    return bytes(b)


# ---- Multiboot ----

def mb2_tag(t, body):
    size = 8 + len(body)
    raw = u32(t) + u32(size) + body
    return raw + b"\0" * (-len(raw) % 8)


def mb2_info(tags):
    body = b"".join(tags) + mb2_tag(0, b"")
    return u32(8 + len(body)) + u32(0) + body


def mb2_mmap(entries):
    return mb2_tag(6, u32(24) + u32(0) + b"".join(u64(a) + u64(l) + u32(t) + u32(0)
                                                  for a, l, t in entries))


def mb2_module(start, end, s):
    return mb2_tag(3, u32(start) + u32(end) + s.encode() + b"\0")


def rsdp(rev, rsdt=0, xsdt=0):
    r = b"RSD PTR " + b"\0" + b"PARACH" + u8(rev) + u32(rsdt)
    if rev >= 2:
        r += u32(36) + u64(xsdt) + b"\0\0\0\0"
    r = checksum_fix(r, 8, 20)
    if rev >= 2:
        r = checksum_fix(r, 32)
    return r


def smbios3():
    e = bytearray(b"_SM3_" + b"\0" * 19)
    e[6] = 24
    e[7] = 3
    return checksum_fix(bytes(e), 5)


def multiboot():
    mmap = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xF0000, 0x10000, 2),
            (0x100000, 0x7FEE0000, 1), (0x7FFE0000, 0x20000, 2), (0xFEC00000, 0x1000, 2)]
    grub_bios = mb2_info([
        mb2_tag(1, b"/boot/parachute.elf capture_mem=256M loglevel=debug\0"),
        mb2_module(0x1000000, 0x1A00000, "/boot/vmlinuz guest root=/dev/vda ro console=ttyS0"),
        mb2_module(0x1A00000, 0x2800000, "/boot/initrd.img guest-initrd"),
        mb2_module(0x2800000, 0x3200000, "/boot/vmlinuz capture console=ttyS0 nr_cpus=1"),
        mb2_module(0x3200000, 0x3600000, "capture-initrd"),
        mb2_mmap(mmap),
        mb2_tag(14, rsdp(0, 0x7FFE1000)),
        mb2_tag(8, u64(0xB8000) + u32(160) + u32(80) + u32(25) + u8(16) + u8(2) + u16(0)),
    ])
    put("multiboot", "mb2-grub-bios", b"\x01" + grub_bios)
    uefi = mb2_info([
        mb2_tag(1, b"capture_mem=64M iommu=auto\0"),
        mb2_module(0x1000000, 0x1A00000, "guest console=ttyS0"),
        mb2_mmap(mmap),
        mb2_tag(12, u64(0x7FBEE018)),
        mb2_tag(15, rsdp(2, 0x7FFE1000, 0x7FFE1100)),
        mb2_tag(14, rsdp(0, 0x7FFE1000)),
        mb2_tag(13, u8(3) + u8(6) + b"\0" * 6 + smbios3()),
        mb2_tag(8, u64(0x80000000) + u32(4096) + u32(1024) + u32(768) + u8(32) + u8(1) +
                u16(0) + bytes([16, 8, 8, 8, 0, 8])),
    ])
    put("multiboot", "mb2-grub-uefi", b"\x01" + uefi)
    # Multiboot v1 (QEMU -kernel): mb1_info, then what its offsets point to.
    strings = b"parachute.elf console=com1\0vmlinuz guest console=ttyS0\0initrd guest-initrd\0"
    mods_off = 52
    mmap_off = mods_off + 2 * 16
    str_off = mmap_off + 3 * 24
    e = [(0, 0x9FC00, 1), (0x100000, 0x3FEE0000, 1), (0x3FFE0000, 0x20000, 2)]
    mm = b"".join(u32(20) + u64(a) + u64(l) + u32(t) for a, l, t in e)
    s1 = str_off + strings.index(b"vmlinuz")
    s2 = str_off + strings.index(b"initrd")
    mods = (u32(0x15C000) + u32(0x93A000) + u32(s1) + u32(0) +
            u32(0x93A000) + u32(0xAED000) + u32(s2) + u32(0))
    flags = (1 << 2) | (1 << 3) | (1 << 6)
    info = (u32(flags) + u32(639) + u32(0x3FF00) + u32(0) + u32(str_off) + u32(2) +
            u32(mods_off) + b"\0" * 16 + u32(len(mm)) + u32(mmap_off))
    assert len(info) == 52
    put("multiboot", "mb1-qemu", b"\x00" + info + mods + mm + strings)


def options():
    put("options", "grub", "/boot/parachute.elf capture_mem=256M loglevel=debug console=com2\0"
        "/boot/vmlinuz-6.1.0-13-amd64 guest root=UUID=1234 ro quiet\0"
        "/boot/initrd.img-6.1.0-13-amd64 guest-initrd\0"
        "/boot/vmlinuz-6.1.0-13-amd64 capture console=ttyS0 nr_cpus=1 reset_devices\0"
        "/boot/parachute/capture-initrd.img capture-initrd")
    put("options", "all-options", "console=none capture_mem=0x10000000 loglevel=3 "
        "triple_fault=report crash_hypercall=refuse nmi=guest pvpanic=off "
        "capture_failure=halt capture_test=corrupt iommu=required apic_trap=always "
        "reload=lock watchdog=off\0guest\0capture")
    put("options", "errors", "parachute.elf\tconsole=com3 capture_mem=12Q loglevel\0"
        "\x01guest\0\x02capture\0frobnicate")


def bzimage(setup_sects=7, kernel=2048, version=0x020F, init_size=0x3F98000,
            release=b"6.1.0-13-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC"):
    """A bzImage of a few KiB: Debian's header fields, a tiny protected-mode part."""
    setup = ((setup_sects or 4) + 1) * 512  # boot.rst: 0 means 4
    img = bytearray(setup + kernel)
    img[0x1F1] = setup_sects
    struct.pack_into("<I", img, 0x1F4, kernel // 16)   # syssize
    struct.pack_into("<H", img, 0x1FE, 0xAA55)         # boot_flag
    img[0x200] = 0xEB                                  # jump
    img[0x201] = 0x6A                                  # header ends at 0x26c
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    ver_at = 0x400
    struct.pack_into("<H", img, 0x20E, ver_at - 0x200)  # kernel_version
    img[ver_at:ver_at + len(release) + 1] = release + b"\0"
    img[0x211] = 0x01                                  # loadflags: LOADED_HIGH
    struct.pack_into("<I", img, 0x22C, 0x7FFFFFFF)     # initrd_addr_max
    struct.pack_into("<I", img, 0x230, 0x200000)       # kernel_alignment
    img[0x234] = 1                                     # relocatable_kernel
    img[0x235] = 21                                    # min_alignment
    struct.pack_into("<H", img, 0x236, 0x7F)           # xloadflags
    struct.pack_into("<I", img, 0x238, 2047)           # cmdline_size
    struct.pack_into("<Q", img, 0x258, 0x1000000)      # pref_address
    struct.pack_into("<I", img, 0x260, init_size)
    for i in range(kernel):
        img[setup + i] = (i * 7 + 3) & 0xFF
    return bytes(img)


def bzimage_params(kind, addr, pitch, width, height, bpp, colours, e820):
    return (u8(kind) + u64(addr) + u32(pitch) + u32(width) + u32(height) + u8(bpp) +
            bytes(colours) + u64(0x1000000) + u64(0x7F000000) + u64(0x2000000) + u64(0x9000) +
            u64(0xF59D0) + u8(e820))


def linux():
    put("bzimage", "debian-gop", bzimage_params(3, 0x80C0000000, 3200, 800, 600, 32,
                                                [16, 8, 8, 8, 0, 8], 6) + bzimage())
    put("bzimage", "vga-text-2.12", bzimage_params(1, 0xB8000, 160, 80, 25, 16, [0] * 6, 3) +
        bzimage(setup_sects=4, kernel=1024, version=0x020C, release=b"5.10.0-28-amd64"))
    put("bzimage", "vesa-no-screen", bzimage_params(2, 0xFD000000, 3072, 1024, 768, 24,
                                                    [16, 8, 8, 8, 0, 8], 128) +
        bzimage(setup_sects=0, kernel=512, init_size=0))


def acpi_table(sig, body, rev=1):
    t = bytearray(sig.encode() + u32(36 + len(body)) + u8(rev) + u8(0) + b"BOCHS " +
                  b"BXPC    " + u32(1) + b"BXPC" + u32(1) + body)
    return checksum_fix(bytes(t), 9)


def madt_body(cpus=4, x2apic=False):
    b = u32(0xFEE00000) + u32(1)
    for i in range(cpus):
        b += u8(0) + u8(8) + u8(i) + u8(i) + u32(1 if i < cpus - 1 else 2)
    if x2apic:
        b += u8(9) + u8(16) + u16(0) + u32(300) + u32(1) + u32(300)
    b += u8(1) + u8(12) + u8(0) + u8(0) + u32(0xFEC00000) + u32(0)   # IO-APIC
    b += u8(2) + u8(10) + u8(0) + u8(0) + u32(2) + u16(0)            # ISO: IRQ0 -> GSI2
    b += u8(2) + u8(10) + u8(0) + u8(9) + u32(9) + u16(0xD)
    b += u8(4) + u8(6) + u8(0xFF) + u16(0) + u8(1)                   # local APIC NMI
    return b


def dmar_body():
    b = u8(38) + u8(1) + b"\0" * 10                    # 39-bit width, INTR_REMAP
    scope = u8(1) + u8(8) + u16(0) + u8(0) + u8(0) + u8(2) + u8(0)   # PCI endpoint 00:02.0
    b += u16(0) + u16(16 + len(scope)) + u8(0) + u8(0) + u16(0) + u64(0xFED90000) + scope
    b += u16(0) + u16(16) + u8(1) + u8(0) + u16(0) + u64(0xFED91000)  # INCLUDE_PCI_ALL
    usb = u8(1) + u8(8) + u16(0) + u8(0) + u8(0) + u8(0x14) + u8(0)
    b += u16(1) + u16(24 + len(usb)) + u16(0) + u16(0) + u64(0x7B800000) + u64(0x7B81FFFF) + usb
    b += u16(2) + u16(8) + u8(0) + u8(0) + u16(0)                    # ATSR
    b += u16(3) + u16(20) + u32(0) + u64(0xFED90000) + u32(0)        # RHSA
    return b


def ivrs_body():
    b = u32(0x00203041) + b"\0" * 8                     # IVinfo: 48-bit VA/PA
    dev = u8(3) + u16(0x0000) + u8(0) + u8(4) + u16(0xFFFE) + u8(0)  # range start/end
    dev += u8(2) + u16(0x00A0) + u8(0xD7)                            # select
    dev += u8(0x48) + u16(0) + u8(0) + u8(0) + u16(0x00A0) + u8(1)   # special: IOAPIC
    b += u8(0x10) + u8(0xB0) + u16(24 + len(dev)) + u16(0x0002) + u16(0x40) + u64(0xFEB80000)
    b += u16(0) + u16(0) + u32(0x80048F6E) + dev
    b += u8(0x11) + u8(0x30) + u16(40 + len(dev)) + u16(0x0002) + u16(0x40) + u64(0xFEB80000)
    b += u16(0) + u16(0) + u32(0) + u64(0x246577EFA2254AFA) + u64(0) + dev
    b += u8(0x21) + u8(0x08) + u16(32) + u16(0x00A0) + u16(0) + u64(0) + u64(0x7B800000) + \
        u64(0x20000)
    b += u8(0x20) + u8(0x06) + u16(32) + u16(0) + u16(0) + u64(0) + u64(0xFEE00000) + u64(0x1000)
    return b


def acpi_subtables():
    put("madt", "qemu-4cpu", acpi_table("APIC", madt_body()))
    put("madt", "x2apic", acpi_table("APIC", madt_body(2, True), 5))
    put("dmar", "intel", acpi_table("DMAR", dmar_body()))
    put("dmar", "qemu", acpi_table("DMAR", u8(38) + u8(1) + b"\0" * 10 + u16(0) + u16(16) +
                                     u8(1) + u8(0) + u16(0) + u64(0xFED90000)))
    put("ivrs", "amd", acpi_table("IVRS", ivrs_body(), 2))
    put("ivrs", "qemu", acpi_table("IVRS", u32(0x00203040) + b"\0" * 8 + u8(0x10) + u8(0xB0) +
                                     u16(24) + u16(0x10) + u16(0x40) + u64(0xFED80000) +
                                     u16(0) + u16(0) + u32(0)))


def acpi_input(flags, tables, script=b""):
    return u8(flags) + u8(len(script)) + script + b"".join(u16(len(t)) + t for t in tables)


def acpi_root():
    facp = acpi_table("FACP", b"\0" * 208, 6)
    mcfg = acpi_table("MCFG", b"\0" * 8 + u64(0xB0000000) + u16(0) + u8(0) + u8(0xFF) + u32(0))
    hpet = acpi_table("HPET", u32(0x8086A201) + b"\0\0\0\0" + u64(0xFED00000) + u8(0) +
                      u16(0) + u8(0))
    ssdt = acpi_table("SSDT", bytes.fromhex("10 0b 5c 5f 53 42 5f 08 5f 53 54 41 0a 0f"), 2)
    madt = acpi_table("APIC", madt_body())
    put("acpi", "q35-intel-iommu", acpi_input(0x21, [facp, madt, hpet, mcfg,
                                                     acpi_table("DMAR", dmar_body()), ssdt]))
    put("acpi", "amd-iommu-rsdt", acpi_input(0x00, [facp, madt, acpi_table("IVRS", ivrs_body(), 2),
                                                    mcfg]))
    put("acpi", "script-dup-null", acpi_input(0x03, [madt, acpi_table("DMAR", dmar_body()), mcfg],
                                              bytes([0, 1, 0xFF, 1, 0x8A, 2])))


GUID_ACPI20 = bytes.fromhex("71e86888f1e4d311bc220080c78881 81".replace(" ", ""))
GUID_ACPI10 = bytes.fromhex("302d9deb882dd3119a160090273fc14d")
GUID_SMBIOS3 = bytes.fromhex("4415fdf29497 2c4a992ee5bbcf20e394".replace(" ", ""))


def firmware():
    """EFI system table at offset 0, its configuration table at 0x100, the tables after."""
    def memory(entries):
        st = bytearray(b"IBI SYST" + u32(0x2003C) + u32(120) + b"\0" * 88 +
                       u64(len(entries)) + u64(0x100))
        st += b"\0" * (0x100 - len(st))
        blobs = b""
        cfg = b""
        for guid, blob in entries:
            cfg += guid + u64(0x100 + 24 * len(entries) + len(blobs))
            blobs += blob + b"\0" * (-len(blob) % 16)
        return bytes(st) + cfg + blobs
    copies = u8(36) + rsdp(2, 0x7FFE1000, 0x7FFE1100) + u8(24) + smbios3() + b"\0" * 8
    ovmf = memory([(GUID_ACPI10, rsdp(0, 0x7FFE1000)), (GUID_ACPI20, rsdp(2, 0x7FFE1000,
                                                                       0x7FFE1100)),
                   (GUID_SMBIOS3, smbios3())])
    put("firmware", "ovmf", u8(1) + copies + ovmf)
    put("firmware", "bios-copies", u8(2) + copies)
    put("firmware", "efi-acpi10-only", u8(1) + u8(0) + b"\0" * 36 + u8(0) + b"\0" * 32 +
        memory([(GUID_ACPI10, rsdp(0, 0x7FFE1000))]))


def insn():
    # What Linux writes to the xAPIC (test_insn.c's forms and a few more).
    forms = {
        "mov-eax-abs64": (1, "890425 00b35fff"),
        "mov-r12d-disp32-rex": (1, "4589a5 b0000000"),
        "mov-esi-rdi": (1, "8937"),
        "mov-sib-disp8": (1, "894c9810"),
        "mov32-edx-abs": (2, "8915 0003e0fe"),
        "movl-imm-rip": (1, "c705 23010000 00000000"),
        "lock-xchg": (1, "f08702"),
        "movw-imm": (1, "66c700 3412"),
        "movq-imm-sext": (1, "48c700 ffffffff"),
        "movb": (1, "8803"),
        "prefixes-gs-rex": (1, "65 67 41 89 84 24 00 03 00 00"),
    }
    for name, (mode, hexs) in forms.items():
        put("insn", name, u8(mode) + bytes.fromhex(hexs.replace(" ", "")))


def guest_walk():
    def w(at, v):
        return u32(at) + u64(v)
    la = 0xFFFFFFFF81000000
    lm = [w(0x1000 + ((la >> 39) & 511) * 8, 0x2003), w(0x2000 + ((la >> 30) & 511) * 8, 0x3003),
          w(0x3000 + ((la >> 21) & 511) * 8, 0x4003), w(0x4000 + ((la >> 12) & 511) * 8, 0x7003),
          w(0x4000 + (((la >> 12) + 1) & 511) * 8, 0x9003),
          w(0x3000 + (((la >> 21) + 3) & 511) * 8, 0x40000083),
          w(0x2000 + (((la >> 30) + 1) & 511) * 8, 0x80000083), w(0x7FF8, 0x1122334455667788),
          w(0x9000, 0x99AABBCCDDEEFF00)]
    put("guest_walk", "4-level", u8(0x07) + u64(0x1000) + u64(la + 0xFFA) + u16(12) + b"".join(lm))
    put("guest_walk", "5-level", u8(0x0F) + u64(0x5000) + u64(0xFF00000000000123) + u16(8) +
        b"".join([w(0x5000 + 510 * 8, 0x1003)]) + b"".join(lm))
    put("guest_walk", "pae", u8(0x03) + u64(0x1000) + u64(0xC0202ABC) + u16(100) +
        w(0x1000 + 3 * 8, 0x2001) + w(0x2000 + 8, 0x3001) + w(0x3000 + 16, 0x8001) +
        w(0x2000 + 16, 0x400081))
    put("guest_walk", "32-bit-pse", u8(0x11) + u64(0x5000) + u64(0x00405010) + u16(5000) +
        w(0x5000, 0x6001) + w(0x6000 + 5 * 8, 0xA001000000000) + w(0x5000 + 0x300 * 4, 0xC0000081) +
        w(0x6000 + 4 * 4, 0x0000B001))
    put("guest_walk", "paging-off", u8(0x00) + u64(0) + u64(0x100001234) + u16(4096))


VMCOREINFO = (b"OSRELEASE=6.1.0-13-amd64\nBUILD-ID=1b8a1e3c0d6b4f4c8b1d5f0e2a3c4b5d6e7f8091\n"
              b"PAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffffa3e13f40\nOFFSET(uts_namespace.name)=0\n"
              b"SYMBOL(node_online_map)=ffffffffa3f1f9a8\nSYMBOL(swapper_pg_dir)=ffffffffa3e0c000\n"
              b"SYMBOL(_stext)=ffffffffa2600000\nSYMBOL(vmap_area_list)=ffffffffa3e5e5d0\n"
              b"SYMBOL(mem_section)=ffff9ad3bffd2000\nLENGTH(mem_section)=2048\n"
              b"SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
              b"NUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\nSIZE(pglist_data)=171968\n"
              b"NUMBER(phys_base)=-461373440\nSYMBOL(init_top_pgt)=ffffffffa4010000\n"
              b"NUMBER(pgtable_l5_enabled)=0\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
              b"NUMBER(sme_mask)=0\nKERNELOFFSET=21600000\nCRASHTIME=1700000000\n")


def elfcore():
    def inp(ncpus, ranges, text, bufsize=0x1D000, text_map=(0xFFFFFFFFA2600000, 0x6E00000,
                                                            0x2C00000)):
        b = u8(ncpus) + u8(len(ranges)) + u8(1 if text is not None else 0) + u32(bufsize)
        b += u64(0x3F503000) + u64(0xFFFF9AD380000000) + b"".join(u64(v) for v in text_map)
        for r in ranges:
            b += b"".join(u64(v) for v in r)
        for i in range(ncpus):
            b += u32(1000 + i) + u64(0xFFFFFFFFA2A05D40 + i)
        return b + (text or b"")
    low = [(0x0, 0x9FC00, 0x3F520000), (0x100000, 0x3BF00000, 0x100000),
           (0x40000000, 0x80000000, 0x40000000)]
    put("elfcore", "two-cpus", inp(2, low, VMCOREINFO))
    put("elfcore", "sixteen-cpus-no-info", inp(16, low, None, text_map=(0, 0, 0)))
    put("elfcore", "odd-map", inp(1, [(0xFFFFFFFFFFFFF000, 0x1000, 0), (0, 0, 0),
                                      (0x1000, 0xFFFFFFFFFFFFFFFF, 0x1000)] * 4,
                                  VMCOREINFO[:57] + b"SYMBOL(_stext)=", bufsize=1200))


# ---- The hostile guest (fuzz_hypercall.c) ----

GUEST = 0x30000000
DIRECT = 0xFFFF888000000000
KMAP = 0xFFFFFFFF80000000


class Guest:
    """A script for fuzz_hypercall: header, then operations."""

    def __init__(self, flags, flags2=0, mode=0, cr3=None, gs=None, kgs=None, rip=None):
        self.b = u8(flags) + u8(flags2) + u8(mode)
        for a in (cr3, gs, kgs, rip):
            self.b += a if a is not None else self.a8(0)
        self.b += u16(0)  # no RAM contents in the header: written by operations
        self.ops = 0

    @staticmethod
    def a8(v):
        return u8(0) + u8(v)

    @staticmethod
    def a16(v):
        return u8(1) + u16(v)

    @staticmethod
    def a32(v):
        return u8(2) + u32(v)

    @staticmethod
    def a64(v):
        return u8(3) + u64(v)

    @staticmethod
    def ram(off):
        return u8(4) + u16(off)

    @staticmethod
    def page(i):
        return u8(5) + u8(i + 2)

    def op(self, raw):
        self.b += raw
        self.ops += 1
        assert self.ops <= 64
        return self

    def hc(self, nr, a0=None, a1=None, a2=None, cpu=0):
        return self.op(u8(nr | (0x10 if cpu else 0)) + b"".join(
            a if a is not None else self.a8(0) for a in (a0, a1, a2)))

    def write(self, off, data):
        while data:
            self.op(u8(0xC0) + u16(off) + u8(len(data[:255])) + data[:255])
            off += 255
            data = data[255:]
        return self

    def q(self, off, v):
        return self.write(off, u64(v))

    def data(self):
        return self.b


def vmcoreinfo_note(text):
    return u32(11) + u32(len(text)) + u32(0) + b"VMCOREINFO\0\0" + text


def hypercall():
    P = 4096
    pte = 0x3   # present, writable
    big = 0x83  # and a 2 MiB page

    # A crash with everything the guest module gives: paging, per-CPU data, VMCOREINFO.
    # The crash path takes CR3 without its PCID and PTI bits: the PML4 is 8 KiB aligned.
    g = Guest(0x01, 0x01, 0x07 | 0x20, cr3=Guest.ram(0x2000), gs=Guest.a64(DIRECT + GUEST + 7 * P),
              kgs=Guest.a8(0), rip=Guest.a64(KMAP + 0x1000123))
    g.q(2 * P + 273 * 8, GUEST + 6 * P + pte)        # PML4: direct map
    g.q(2 * P + 511 * 8, GUEST + 1 * P + pte)        # PML4: kernel map
    g.q(6 * P + 0 * 8, GUEST + 14 * P + pte)         # PDPT (direct): first GiB
    g.q(14 * P + 0 * 8, 0 + big)                     # PD: 2 MiB at physical 0
    g.q(14 * P + (GUEST >> 21) * 8, GUEST + big)     # PD: guest RAM
    g.q(1 * P + 510 * 8, GUEST + 3 * P + pte)        # PDPT (kernel)
    g.q(3 * P + 8 * 8, GUEST + 4 * P + pte)          # PD: 0xffffffff81000000
    g.q(4 * P + 0 * 8, GUEST + 12 * P + pte)         # PT: _stext
    g.q(4 * P + 1 * 8, GUEST + 13 * P + pte)
    g.q(7 * P + 0x100, DIRECT + GUEST + 8 * P)       # per-CPU current_task
    g.write(7 * P + 0x108, u32(0))                   # per-CPU cpu_number
    g.write(8 * P + 0x5C8, u32(4242))                # the task's pid
    text = (b"OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nSYMBOL(_stext)=ffffffff81000000\n" +
            b"SYMBOL(mem_section)=%x\n" % (DIRECT + GUEST + 11 * P) +
            b"NUMBER(phys_base)=%d\n" % (GUEST + 12 * P - 0x1000000) +
            b"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\nKERNELOFFSET=1000000\n")
    g.write(10 * P, vmcoreinfo_note(text))
    info = u32(40) + u32(0x5C8) + u64(0x100) + u64(0x108) + u64(DIRECT + GUEST + 9 * P + 0x10) + \
        u64(GUEST + 10 * P)
    g.write(0, info)
    g.hc(4, Guest.ram(0), Guest.a8(40))                     # GUEST_INFO
    # A run-time load: a 4 KiB bzImage from page 13, its command line from page 15.
    kernel = bytearray(bzimage(setup_sects=1, kernel=3072, init_size=0x100000,
                               release=b"6.1.0-loaded (fuzz)"))
    struct.pack_into("<H", kernel, 0x20E, 0x300 - 0x200)
    kernel[0x300:0x314] = b"6.1.0-loaded (fuzz)\0"
    g.write(13 * P + 0x1F0, bytes(kernel[0x1F0:0x320]))
    cmdline = b"console=ttyS0 loaded\0"
    g.write(15 * P, cmdline)
    g.hc(6, Guest.a16(4096), Guest.a8(0), Guest.a8(len(cmdline)))    # LOAD_BEGIN
    g.hc(7, Guest.a8(0), Guest.a8(0), Guest.page(13))                # LOAD_DATA kernel
    g.hc(7, Guest.a8(2), Guest.a8(0), Guest.page(15))                # LOAD_DATA command line
    g.hc(8, Guest.a8(1))                                             # LOAD_COMMIT check only
    g.hc(6, Guest.a16(4096), Guest.a8(0), Guest.a8(len(cmdline)))
    g.hc(7, Guest.a8(0), Guest.a8(0), Guest.page(13))
    g.hc(7, Guest.a8(2), Guest.a8(0), Guest.page(15))
    g.hc(8, Guest.a8(0))                                             # LOAD_COMMIT
    g.hc(5, Guest.page(3), Guest.a16(4096))                          # CAPTURE_INFO
    g.hc(1, Guest.ram(0x800), Guest.a8(64))                          # STATUS
    g.hc(3, Guest.a8(7))                                             # CRASH
    put("hypercall", "load-and-crash", g.data())

    # Status, capture info and DMA faults, their range checks, the watchdog, a capture.
    g = Guest(0x01, 0x02, 0)
    g.hc(0)
    g.hc(1, Guest.ram(0x100), Guest.a8(64))
    g.hc(1, Guest.ram(5 * P), Guest.a8(16))          # the hidden page
    g.hc(1, Guest.ram(P - 8), Guest.a8(16))          # across a page
    g.hc(1, Guest.page(-1), Guest.a8(16))            # below guest RAM
    g.hc(1, u8(6) + u8(4), Guest.a8(16))             # wrapping
    g.hc(5, Guest.page(2), Guest.a16(4096))
    g.op(u8(0xD7) + u16(100))
    g.hc(10, Guest.page(3), Guest.a8(64))
    g.hc(10, Guest.page(3), Guest.a16(4096))
    g.hc(11, Guest.a16(2000))                        # WATCHDOG
    g.op(u8(0xD0) + u32(1000))
    g.hc(11, Guest.a16(2000))
    g.hc(2)                                          # DUMP_STATS
    g.op(u8(0xD0) + u32(3000))                       # not petted: captured
    put("hypercall", "status-watchdog", g.data())

    # The kexec seal, dropped writes, the xAPIC store decoder, ports, pvpanic.
    g = Guest(0x01, 0x00, 0x40, rip=Guest.ram(0x2000))
    g.write(0x2000, bytes.fromhex("891500 03e0fe"))  # mov %edx, 0xfee00300
    g.hc(12, Guest.page(8), Guest.a16(0x2000))       # SEAL_KEXEC
    g.op(u8(0xD3) + u8(0x02) + Guest.page(8))        # a write into it: dropped, stepped over
    g.op(u8(0xD4))
    g.op(u8(0xD3) + u8(0x03) + Guest.a16(0x300))     # a store to the xAPIC page
    g.op(u8(0xD5) + u32(0x80000000) + Guest.a64(0x0000000100000000 | 0x4000 | 0xFF))
    g.op(u8(0xD6) + u32(0x40000000) + u32(0))
    g.op(u8(0xD2) + u16(0x8001) + u8(0x08) + Guest.a8(0x0F))   # CMOS index
    g.op(u8(0xD2) + u16(0x8002) + u8(0x08) + Guest.a8(0x0A))   # CMOS data
    g.op(u8(0xD3) + u8(0x04) + Guest.page(9))        # a fetch in the region: the seal lifts
    g.hc(12, Guest.a8(0), Guest.a8(0), Guest.a8(1))  # SEAL_KEXEC(CRASHING)
    g.op(u8(0xD9))
    g.op(u8(0xD2) + u16(0x8000) + u8(0x08) + Guest.a8(1))      # pvpanic: captured
    put("hypercall", "seal-npf-ports", g.data())

    # A kernel of two pages and an initrd, loaded while another vCPU runs; an IRET, INIT.
    g = Guest(0x01, 0x01, 0)
    kernel = bzimage(setup_sects=1, kernel=3072 + 2048, init_size=0x80000,
                     release=b"6.1.0-two-pages (fuzz)")
    g.write(12 * P + 0x1F0, kernel[0x1F0:0x420])
    g.write(13 * P, kernel[P:P + 64])
    g.write(14 * P, b"initrd" * 20)
    g.write(15 * P, b"quiet\0")
    g.hc(6, Guest.a16(len(kernel)), Guest.a16(P + 100), Guest.a8(6), cpu=1)
    g.hc(7, Guest.a8(0), Guest.a8(0), Guest.page(12), cpu=1)
    g.hc(7, Guest.a8(0), Guest.a16(P), Guest.page(13), cpu=1)
    g.hc(7, Guest.a8(1), Guest.a8(0), Guest.page(14), cpu=1)
    g.hc(7, Guest.a8(1), Guest.a16(P), Guest.page(14), cpu=1)
    g.hc(7, Guest.a8(2), Guest.a8(0), Guest.page(15), cpu=1)
    g.hc(8, Guest.a8(0), cpu=1)
    g.hc(5, Guest.page(0), Guest.a16(P))
    g.op(u8(0xD9))
    g.op(u8(0xDA))
    g.op(u8(0xDC))
    put("hypercall", "load-initrd", g.data())

    # Refusals: CPL 3, numbers out of range, loads that do not fit or are not bzImages.
    g = Guest(0x00, 0x01, 0)
    g.op(u8(0x83) + Guest.a8(3) + Guest.a8(0) + Guest.a8(0) + Guest.a8(0))
    g.op(u8(0xA0) + Guest.a64(1 << 63) + Guest.a8(0) + Guest.a8(0) + Guest.a8(0))
    g.hc(13)
    g.hc(6, Guest.a32(0x10000000), Guest.a8(0), Guest.a8(8))
    g.hc(6, Guest.a8(16), Guest.a8(0), Guest.a8(8))
    g.hc(7, Guest.a8(0), Guest.a8(0), Guest.page(1))
    g.hc(7, Guest.a8(2), Guest.a8(0), Guest.page(1))
    g.hc(8, Guest.a8(0))
    g.hc(9)
    g.hc(3, cpu=1)
    put("hypercall", "refusals", g.data())

    # Refused values through the gate; then a crash, the capture kernel's own
    # exits (its STATUS in its region, an INIT and an NMI that must not stop it,
    # CAPTURE_REPORT), RESTART under restart=on, and the guest crashing again.
    cap = 0x40000000
    g = Guest(0x01, 0x81 | 0x80, 0x07 | 0x20, cr3=Guest.a32(0x1000), rip=Guest.a64(KMAP + 0x1000))
    g.op(u8(0xD5) + u32(0x80000000) + Guest.a32(0xFEE00901))      # APIC base: a reserved bit
    g.op(u8(0xD5) + u32(0x80000001) + Guest.a8(0))                # x2APIC ICR in xAPIC mode
    g.op(u8(0xD5) + u32(0x80000002) + Guest.a16(0x501))           # EFER: LME off under paging
    g.op(u8(0xDD) + u8(2) + Guest.a16(0x2020))                    # CR4: VMXE
    g.op(u8(0xDD) + u8(1) + Guest.a64(1 << 45))                   # CR3 past MAXPHYADDR
    g.op(u8(0xDE) + u8(0) + Guest.a8(0x5))                        # XCR0: AVX without SSE
    g.op(u8(0xDE) + u8(0) + Guest.a8(0x7))                        # XCR0: taken
    g.hc(3, Guest.a8(1))                                          # CRASH: the hand-over
    g.hc(1, Guest.a32(cap + 0x1000), Guest.a8(80))                # STATUS in its own region
    g.hc(1, Guest.ram(0x100), Guest.a8(80))                       # and in crashed RAM: refused
    g.op(u8(0xDC))                                                # INIT at the capturing vCPU
    g.op(u8(0xD9))                                                # an NMI
    g.hc(13, Guest.a8(1), Guest.a8(0), Guest.a8(0))               # CAPTURE_REPORT(STARTED)
    g.hc(14)                                                      # RESTART
    g.op(u8(0xD1) + u8(1))                                        # a triple fault: captured again
    put("hypercall", "gate-capture-restart", g.data())


def vmlinux(banner=b"Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org) (gcc 12) "
            b"#1 SMP Debian\n", sections=True):
    """A vmlinux of a few KiB laid out as Debian's: text, data, and a last
    segment with .bss (NOBITS) and a scratch area after it."""
    phoff, shoff = 64, 64 + 3 * 56
    img = bytearray(0x4000)
    img[0:8] = b"\x7fELF\x02\x01\x01\x00"
    struct.pack_into("<HHIQQQIHHHHHH", img, 16, 2, 62, 1, 0x1000000, phoff,
                     shoff if sections else 0, 0, 64, 56, 3, 64, 3 if sections else 0, 0)
    segs = [(0x1000, 0xFFFFFFFF81000000, 0x1000000, 0x800, 5),
            (0x1800, 0xFFFFFFFF81200000, 0x1200000, 0x800, 6),
            (0x2000, 0xFFFFFFFF81400000, 0x1400000, 0x2000, 7)]
    for i, (off, va, pa, n, fl) in enumerate(segs):
        struct.pack_into("<IIQQQQQQ", img, phoff + 56 * i, 1, fl, off, va, pa, n, n, 0x200000)
    if sections:
        struct.pack_into("<IIQQQQIIQQ", img, shoff + 64, 0, 8, 3, 0xFFFFFFFF81400800, 0x2800,
                         0x800, 0, 0, 4096, 0)
        struct.pack_into("<IIQQQQIIQQ", img, shoff + 128, 0, 1, 3, 0xFFFFFFFF81401000, 0x3000,
                         0x1000, 0, 0, 32, 0)
    img[0x1900:0x1900 + len(banner)] = banner
    put("vmlinux", "debian-like" if sections else "no-sections", bytes(img))


def vmlinuxes():
    vmlinux()
    vmlinux(banner=b"Linux version 5.10.0-28-amd64 (other) #2\n", sections=False)


def gpm():
    """The guest's nested tables (fuzz_gpm.c): seal, steps, flushes, unseal, MMIO."""
    def seal(page, pages):
        return u8(0) + u16(page) + u16(pages - 1)

    def step(page):
        return u8(2) + u16(page)

    flush_both = u8(4) + u8(0) + u8(4) + u8(1)
    put("gpm", "seal-step-unseal",
        seal(0x301, 0x201) + step(0x380) + step(0x381) + step(0x480) + u8(3) + u8(3) +
        flush_both + u8(7) + u8(3) + u8(1) + flush_both + u8(7))
    put("gpm", "late-vcpu-mmio",
        u8(5) + u8(1) + seal(0x1000, 0x10) + step(0x1004) + u8(3) + u8(1) + u8(7) + u8(5) + u8(1) +
        u8(7) + u8(6) + u8(3) + u8(6) + u8(200) + step(0x2805))


def main():
    multiboot()
    options()
    linux()
    acpi_subtables()
    acpi_root()
    firmware()
    insn()
    guest_walk()
    elfcore()
    hypercall()
    vmlinuxes()
    gpm()


if __name__ == "__main__":
    main()
