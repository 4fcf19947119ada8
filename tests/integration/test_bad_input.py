# SPDX-License-Identifier: GPL-2.0-only
"""Bad boot input: a message naming the problem and a clean halt, never a reset."""
import os

from harness import ABI, Run


def expect_clean_halt(build, name, message, **kw):
    with Run(build, name, monitor=True, **kw) as r:
        r.wait_for(message, 60)
        r.wait_for(r"\[hv\] ERROR: parachute halted\.", 60)
        # Halted, not reset or triple-faulted: QEMU (-no-reboot) is still up, its
        # CPU in HLT with interrupts off, and no guest ran.
        r.assert_halted()
        assert not r.all(r"Linux version"), "a guest ran after the error"
        assert len(r.all(r"parachute .* starting")) == 1, "the hv restarted"


def test_no_guest_module(build):
    expect_clean_halt(build, "bad-no-guest", r"\[hv\] ERROR: no guest module",
                      modules=[f"{build}/initrd.cpio.gz guest-initrd"])


def test_unknown_role(build):
    expect_clean_halt(build, "bad-role",
                      r'\[hv\] ERROR: module 0: string ".*kernel console=ttyS0" names no role',
                      modules=[f"{build}/debian/vmlinuz kernel console=ttyS0"])


def test_truncated_guest_kernel(build):
    path = f"{build}/bad/bad-truncated-vmlinuz"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(f"{build}/debian/vmlinuz", "rb") as f, open(path, "wb") as g:
        g.write(f.read(200000))
    expect_clean_halt(build, "bad-truncated",
                      r"\[hv\] ERROR: guest kernel: truncated: \d+ bytes of kernel code",
                      modules=[f"{path} guest console=ttyS0"])


def test_non_bzimage_guest_kernel(build):
    expect_clean_halt(build, "bad-not-bzimage",
                      r"\[hv\] ERROR: guest kernel: not a Linux bzImage",
                      modules=[f"{build}/initrd.cpio.gz guest console=ttyS0"])


def test_old_boot_protocol(build):
    path = f"{build}/bad/bad-protocol-vmlinuz"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(f"{build}/debian/vmlinuz", "rb") as f:
        data = bytearray(f.read())
    data[0x206:0x208] = (0x020b).to_bytes(2, "little")
    with open(path, "wb") as f:
        f.write(data)
    expect_clean_halt(build, "bad-protocol",
                      r"\[hv\] ERROR: guest kernel: boot protocol 2\.11 is older than 2\.12",
                      modules=[f"{path} guest console=ttyS0"])


def test_unknown_hv_option(build):
    expect_clean_halt(build, "bad-option",
                      r'\[hv\] ERROR: unknown hv option "frobnicate=1"',
                      hv_args="loglevel=info frobnicate=1")


def test_bad_option_value(build):
    expect_clean_halt(build, "bad-console",
                      r'\[hv\] ERROR: hv option "capture_mem=lots": expected capture_mem=',
                      hv_args="capture_mem=lots")


def test_capture_mem_larger_than_ram(build):
    expect_clean_halt(build, "bad-capture-mem",
                      r"\[hv\] ERROR: capture_mem=2048M is larger than the machine's RAM \(1023M\)",
                      hv_args="capture_mem=2G")


def bad_dmar(build, name):
    """A DMAR whose only DRHD claims 200 bytes in a 64-byte table (QEMU adds
    the header and checksum, so only the structure inside is wrong); in a
    file of the run's own (two tests may write one at the same time)."""
    path = f"{build}/bad/{name}-dmar.bin"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    body = bytes([38, 0]) + bytes(10)              # 39-bit width, flags, reserved
    body += (0).to_bytes(2, "little") + (200).to_bytes(2, "little")  # DRHD, length 200
    body += bytes([1, 0]) + bytes(2) + (0xfed90000).to_bytes(8, "little")
    with open(path, "wb") as f:
        f.write(body)
    return ["-acpitable", f"sig=DMAR,rev=1,data={path}"]


def test_iommu_required_without_iommu(build):
    expect_clean_halt(build, "bad-iommu-required",
                      r"\[hv\] ERROR: iommu=required, but no DMAR or IVRS table: this machine "
                      r"has no IOMMU: refusing to start", hv_args="iommu=required")


def test_malformed_dmar_required(build):
    expect_clean_halt(build, "bad-dmar-required",
                      r"\[hv\] ERROR: iommu=required, but DMAR: structure type 0 at offset 48 "
                      r"has length 200 \(16 bytes left\): refusing to start",
                      hv_args="iommu=required", extra=bad_dmar(build, "bad-dmar-required"))


def test_malformed_dmar_warns_and_boots(build):
    with Run(build, "bad-dmar-auto", guest_args="quiet pc.test=basic",
             extra=bad_dmar(build, "bad-dmar-auto")) as r:
        r.wait_for(r"\[hv\] WARNING: DMA isolation: off \(DMAR: structure type 0 at offset 48 "
                   r"has length 200 \(16 bytes left\)\)", 60)
        r.wait_for(r"\[hv\] ACPI: DMAR hidden from the guest", 5)
        # The guest runs, and the status hypercall says isolation is off.
        m = r.wait_for(rf"PCG: status abi {ABI} vendor 1 cpus 1 vcpus 1 flags (0x[0-9a-f]+) ", 120)
        assert not int(m.group(1), 16) & 2, "status claims DMA isolation"
        r.wait_for(r"PCG: probe\?", 30)
        r.send("\n")
        r.wait_for(r"PCG: done", 60)
