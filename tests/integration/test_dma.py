# SPDX-License-Identifier: GPL-2.0-only
"""DMA isolation on QEMU q35 with an emulated IOMMU (intel-iommu, amd-iommu):
real device DMA from QEMU's edu device and a virtio-blk disk behind the
IOMMU; every check reads the serial log, the disk image or the vmcore."""
import os
import re
import secrets

from capture import CAPTURE_ARGS, dump_disk, extract, modules
from grub import efi_boot
from harness import ABI, Run, hidden_ranges
from vmcore import Vmcore

EDU = "edu,dma_mask=0xffffffffffffffff"
DISK_TOKEN_OFFSET = 448 << 20


def q35(iommu, disk):
    """q35 with the IOMMU first (it must exist before the devices it covers),
    the edu device, and the dump disk as virtio-blk that honours the IOMMU."""
    extra = ["-machine", "q35"]
    if iommu:
        extra += ["-device", iommu]
    return extra + ["-device", EDU,
                    "-drive", f"file={disk},format=raw,if=none,id=dump",
                    "-device", "virtio-blk-pci,drive=dump,iommu_platform=on,disable-legacy=on"]


def isolation_run(build, name, iommu, unit, efi=False, hv_args=""):
    """efi: boot from UEFI (OVMF and an EFI GRUB ISO), the DMAR or IVRS then
    found through the EFI configuration table. hv_args: the hv's options."""
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    mods = modules(build, f"pc.test=dma pc.token={token}")
    if efi:
        r = Run(build, name, modules=[],
                extra=q35(iommu, disk) + efi_boot(build, name, "loglevel=info", mods))
    else:
        r = Run(build, name, modules=mods, extra=q35(iommu, disk), hv_args=hv_args)
    with r:
        if efi:
            r.wait_for(r"\[hv\] ACPI: RSDP at 0x[0-9a-f]+ \(EFI configuration table\)", 120)
        r.wait_for(r"\[hv\] ACPI: (DMAR|IVRS) hidden from the guest", 60)
        r.wait_for(rf"\[hv\] DMA isolation: on, {unit}, 1 unit", 5)
        hidden = {what: (start, end) for start, end, what in hidden_ranges(r)}
        assert "IOMMU registers" in hidden, hidden
        # The guest is told, and its devices work: edu DMA both ways, the disk.
        r.wait_for(rf"PCG: status abi {ABI} vendor 1 cpus 1 vcpus 1 flags 0x3 ", 240)
        # The guest's view: no DMAR or IVRS, and its kernel found no IOMMU.
        tables = r.wait_for(r"PCG: acpi tables (.*)", 10).group(1).split()
        assert "FACP" in tables and "DMAR" not in tables and "IVRS" not in tables, tables
        r.wait_for(r"PCG: kernel iommus 0 groups 0$", 10)
        r.wait_for(r"PCG: edu: roundtrip via 0x[0-9a-f]+ ok, 2048 bytes intact", 30)
        r.wait_for(r"PCG: disk: token block written and read back at 448 MiB", 60)
        # DMA into the capture region and into the hv's heap is blocked.
        cap = hidden["capture region"][0] + 0x10000
        heap = hidden["hv heap"][0] + 0x3000
        r.wait_for(r"PCG: dma\?", 30)
        r.send(f"{cap:#x} {heap:#x}\n")
        for addr, where in ((cap, "the capture region"), (heap, "hv memory")):
            r.wait_for(rf"PCG: edu: DMA of 2048 bytes to {addr:#x} done", 30)
            if unit == "Intel VT-d":
                # The fault record names the device and the page.
                r.wait_for(rf"\[hv\] WARNING: VT-d: DMA fault: device 00:0[0-9a-f]\.0 write at "
                           rf"{addr & ~0xfff:#x} blocked \(VT-d reason 0x5, no write permission\), "
                           rf"{where}", 10)
            else:
                r.wait_for(r"\[hv\] WARNING: AMD-Vi: a DMA was blocked", 10)
        # The guest's own view of what was blocked: parachutectl dma-faults.
        r.wait_for(r"PCG: ctl dma-faults: exit 0", 30)
        faults = [m.group(1) for m in r.all(r"PCG: ctl dma-faults: (.*)")]
        if unit == "Intel VT-d":
            assert faults[0] == "parachute: 2 DMA(s) blocked since the hv started", faults
            for line, (addr, where) in zip(faults[1:3], ((cap, "the capture region"),
                                                          (heap, "hv memory"))):
                assert re.fullmatch(rf"\d+\.\d{{3}} s: device 00:0[0-9a-f]\.0 write at "
                                    rf"{addr & ~0xfff:#x} blocked by VT-d, guest domain, {where} "
                                    r"\(VT-d fault reason 0x5\)", line), line
        else:
            # QEMU's AMD-Vi logs no event: the hv knows no device or address to list.
            assert faults[0] == "parachute: 0 DMA(s) blocked since the hv started", faults
        # A DMA armed just before the crash lands after capture mode began.
        m = r.wait_for(r"PCG: edu: armed DMA to page (0x[0-9a-f]+) value (0x[0-9a-f]+); crashing",
                       30)
        armed_pa, armed_value = int(m.group(1), 16), int(m.group(2), 16)
        r.wait_for(r"\[hv\] DMA isolation: capture mode", 30)
        if unit == "Intel VT-d":  # the capture log lists them too
            m = r.wait_for(r"\[hv\] WARNING: crash: (\d+) DMA\(s\) blocked since the hv started", 30)
            assert int(m.group(1)) >= 2, m.group(0)
            r.wait_for(rf"\[hv\] WARNING: crash:   at \d+ ms: device 00:0[0-9a-f]\.0 write at "
                       rf"{cap & ~0xfff:#x}, guest domain, the capture region", 5)
        # Nothing was written into the staged capture kernel: its check holds, sampled
        # (capture_check=auto) because only the hv can write the region with DMA confined.
        if "capture_lend" in hv_args:
            # Memory lent at the crash: device-writable in the capture domain for the
            # capture kernel, which runs in it (its region alone is too small).
            r.wait_for(r"\[hv\] crash: lent 192 MiB of 192 to the capture kernel", 30)
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 30)
        r.wait_for(r"\[hv\] crash: hand-over took \d+ us after the trigger \(the region's sampled "
                   r"check \d+ us\)", 5)
        if unit == "Intel VT-d":
            r.wait_for(rf"\[hv\] WARNING: VT-d: DMA fault: device 00:0[0-9a-f]\.0 write at "
                       rf"{armed_pa:#x} blocked \(VT-d reason 0x5, no write permission\), "
                       rf"crashed guest memory", 30)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
        assert not r.all(r"capture region corrupted"), "the capture region's hash changed"
    # The guest's disk write reached the image through the IOMMU.
    with open(disk, "rb") as f:
        f.seek(DISK_TOKEN_OFFSET)
        assert f.read(64).startswith(f"parachute-disk-{token}\n".encode()), \
            "the guest's disk write is not in the image"
    # The capture kernel's disk DMA worked in capture mode: the vmcore is there.
    path = extract(disk, f"{build}/logs/{name}.vmcore")
    os.unlink(disk)
    vm = Vmcore(path)
    data = vm.read_phys(armed_pa, 4096)
    assert data is not None, f"armed page {armed_pa:#x} is not in the vmcore"
    assert data == armed_value.to_bytes(8, "little") * 512, \
        f"the in-flight DMA changed page {armed_pa:#x} of the crashed kernel"
    return r


def test_dma_isolation_vtd(build):
    # With a 70 MiB region and 192 MiB lent at the crash: the capture kernel's disk
    # DMA goes to lent memory through the capture domain.
    isolation_run(build, "dma-vtd", "intel-iommu", "Intel VT-d",
                  hv_args="capture_mem=70M capture_lend=192M dump_level=17")


def test_dma_isolation_amdvi(build):
    isolation_run(build, "dma-amdvi", "amd-iommu", "AMD-Vi")
