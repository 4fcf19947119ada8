# SPDX-License-Identifier: GPL-2.0-only
"""UEFI machines: OVMF (Debian's ovmf) boots an EFI GRUB ISO, GRUB loads the
shim with multiboot2 and leaves boot services. The hv finds ACPI and SMBIOS
through the EFI configuration table, the guest (a non-EFI Linux guest) gets
ACPI, every CPU, DMI and the firmware's framebuffer, and a crash is captured
to a modern virtio-blk disk whose BARs OVMF puts far above RAM."""
import secrets

import debuggers
from capture import CAPTURE_ARGS, back_in_service, dmesg, dump_disk, evidence, rebuild, rip_in
from grub import OVMF as OVMF_FD, grub_iso
from harness import Run
from test_capture import check_patterns
from test_dma import isolation_run
from vmcore import Vmcore

OVMF = ["-machine", "q35", "-bios", OVMF_FD]


def test_uefi_capture(build):
    token = secrets.token_hex(8)
    name = "uefi-capture"
    # restart=on: after the dump the hv boots the guest again on the firmware's
    # memory map, without OVMF and GRUB (checked in the same run, after the dump).
    iso = grub_iso(build, name, "loglevel=info pvpanic=off restart=on", [
        (f"{build}/debian/vmlinuz",
         f"guest console=ttyS0 quiet pc.test=crash pc.token={token} pc.trigger=sysrq"),
        (f"{build}/initrd.cpio.gz", "guest-initrd"),
        (f"{build}/debian/vmlinuz", f"capture {CAPTURE_ARGS} pc.restart=1"),
        (f"{build}/initrd.cpio.gz", "capture-initrd")], platform="efi")
    disk = dump_disk(build, name)
    with Run(build, name, modules=[], kernel=None, smp=2,
             extra=OVMF + ["-cdrom", iso,
                           "-drive", f"file={disk},format=raw,if=none,id=d0",
                           "-device", "virtio-blk-pci,drive=d0,disable-legacy=on"]) as r:
        rsdp = int(r.wait_for(r"\[hv\] ACPI: RSDP at (0x[0-9a-f]+) \(EFI configuration table\)",
                              120).group(1), 16)
        r.wait_for(r"\[hv\] SMBIOS: entry point at 0x[0-9a-f]+ \(EFI configuration table\)")
        r.wait_for(r"\[hv\] framebuffer: \d+x\d+, \d+ bpp, at 0x[0-9a-f]+ \(UEFI GOP\)")
        r.wait_for(r"\[hv\] 2 CPUs: cpu0 runs the guest, 1 held by the hv")
        r.wait_for(r"\[hv\] capture armed: SHA-256", 60)
        r.wait_for(r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", 240)
        r.wait_for(r"PCG: crashing via sysrq", 120)
        pages, syms = evidence(r)
        r.wait_for(r"\[hv\] crash: cpu\d enters the capture kernel", 60)
        # The disk's BARs lie above the map built at start-up: mapped on first access.
        r.wait_for(r"\[hv\] capture-mode memory: 0x[0-9a-f]+-0x[0-9a-f]+ \(above RAM: MMIO\) "
                   r"mapped at the first access", 120)
        r.wait_for(r"PCG: dump saved", 300)
        # Back in service under UEFI: the guest boots again with both CPUs (its INIT and
        # start-up IPIs reach the other vCPU again) and reaches userspace.
        back_in_service(r, r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", 240)
    path = rebuild(build, disk, name)
    vm = Vmcore(path)
    log = dmesg(path)
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    # What the guest had of the platform: the firmware's ACPI (nothing to hide without an
    # IOMMU, so the RSDP the hv found in the EFI table), DMI, both CPUs, a screen.
    assert f"ACPI: RSDP 0x{rsdp:016X}" in log, "the guest did not get the firmware's RSDP"
    assert "ACPI: APIC" in log, "the guest has no MADT"
    assert "DMI: QEMU Standard PC (Q35 + ICH9, 2009)" in log, "the guest has no DMI"
    assert "smp: Brought up 1 node, 2 CPUs" in log
    assert "efifb: framebuffer at" in log, "the guest has no framebuffer console"
    assert len(vm.prstatus) == 2
    ok, why = rip_in(vm, syms, "pc_panic")
    assert ok, why
    check_patterns(vm, pages)
    debuggers.check(build, path, token, int(r.all(r"PCG: crashing task pid (\d+)")[0].group(1)),
                    "panic")


def test_uefi_dma_isolation_vtd(build):
    # q35 + OVMF + intel-iommu: the DMAR comes through the EFI configuration
    # table, and the whole isolation test holds (test_dma.py).
    isolation_run(build, "uefi-dma-vtd", "intel-iommu", "Intel VT-d", efi=True)
