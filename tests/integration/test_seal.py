# SPDX-License-Identifier: GPL-2.0-only
"""Compat mode: a guest that keeps stock kdump (kexec -p from Debian's
kexec-tools, its own capture kernel) seals the loaded region with
parachutectl seal-kexec. Stray writes over it from the guest's CPUs (one
byte every 64 KiB through a mapping of the driver's own; /dev/mem, which
the kernel refuses itself) and from a device (edu DMA) then leave it
intact, and kdump's own capture kernel saves the vmcore. Side by side,
without the shim, the same stray writes break stock kdump: purgatory finds
the loaded segments changed and the machine resets without a capture."""
import os
import secrets
import time

from capture import dmesg, dump_disk, modules, rebuild
from harness import Run
from test_dma import q35


def kdump_args(token, seal):
    return (f"quiet crashkernel=128M pc.kdump=1 pc.test=crash pc.notifier=0 pc.trigger=sysrq "
            f"pc.token={token} pc.scribble=1 pc.seal={seal}")


def test_sealed_kexec_region_survives_stray_writes_and_dma(build):
    name = "seal-kdump"
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    mods = modules(build, kdump_args(token, 1), guest_initrd=f"{build}/initrd-kdump.cpio.gz")
    # pvpanic=off: were kdump to fail, the hv's own capture must not hide it.
    with Run(build, name, hv_args="pvpanic=off", modules=mods[:2],
             extra=q35("intel-iommu", disk)) as r:
        r.wait_for(r"PCG: kdump kernel loaded", 240)
        r.wait_for(r"PCG: ctl seal-kexec: parachute: kexec region sealed", 30)
        r.wait_for(r"PCG: ctl seal-kexec: parachute: kexec region unsealed", 30)
        m = r.wait_for(r"PCG: crash kernel region (0x[0-9a-f]+)\+(0x[0-9a-f]+)", 30)
        start, size = int(m.group(1), 16), int(m.group(2), 16)
        sealed = rf"\[hv\] cpu0: kexec region {start:#x}-{start + size - 1:#x} sealed: read-only " \
                 r"and not executable to the guest's CPUs, read-only to devices"
        r.wait_for(rf"\[hv\] cpu0: kexec region {start:#x}-{start + size - 1:#x} unsealed by the "
                   r"guest", 5)
        assert len(r.all(sealed)) == 2
        assert [m.group(1) for m in r.all(r"PCG: ctl seal-kexec: exit (\d+)")] == ["0"] * 3
        # The CPU's stray writes: /dev/mem is the kernel's own refusal; the
        # driver's own mapping reaches the hv, which drops every write.
        r.wait_for(r"PCG: /dev/mem: .*(not permitted|Bad address|Invalid argument)", 30)
        r.wait_for(rf"PCG: parachute: scribbled on {size // 0x10000} pages", 60)
        r.wait_for(rf"\[hv\] WARNING: cpu0: guest write to the sealed kexec region at "
                   rf"{start:#x} \(rip 0x[0-9a-f]+\) dropped", 5)
        # The device's: blocked by the IOMMU, which the hv reports.
        r.wait_for(rf"PCG: edu: DMA of 2048 bytes to {start + 0x100000:#x} done", 30)
        r.wait_for(rf"\[hv\] WARNING: VT-d: DMA fault: device 00:0[0-9a-f]\.0 write at "
                   rf"{start + 0x100000:#x} blocked", 30)
        # sysrq-c: the crash path (the module's emergency callback) lifts the
        # seal before machine_kexec() writes kexec's control page; kdump runs.
        r.wait_for(r"PCG: crashing via sysrq", 60)
        r.wait_for(r"\[hv\] WARNING: cpu0: the guest's crash path began \(rip 0x[0-9a-f]+\): the "
                   rf"seal of the kexec region {start:#x}-{start + size - 1:#x} is lifted for "
                   r"kdump, the rest of guest RAM is read-only to devices", 60)
        r.wait_for(r"PCG: capture kernel up, vmcore \d+ bytes", 120)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
        assert not r.all(r"\[hv\] ERROR: crash:"), "the hv captured: kdump did not run"
    log = dmesg(rebuild(build, disk, name))
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: sysrq triggered crash" in log


def test_stray_writes_break_stock_kdump_without_the_shim(build):
    # The same scribbling, stock kdump alone (QEMU boots the kernel itself):
    # the crash path reaches kexec's loaded segments, finds them changed, and
    # never starts the capture kernel: purgatory's digest check spins inside
    # the crash kernel region, or the jump into broken code resets the machine
    # (-no-reboot ends QEMU). A guest that hangs before kexec fails the test.
    name = "seal-kdump-stock"
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    with Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz", monitor=True,
             extra=["-drive", f"file={disk},format=raw,if=virtio"],
             guest_args=kdump_args(token, 0)) as r:
        r.wait_for(r"PCG: kdump kernel loaded", 240)
        m = r.wait_for(r"PCG: crash kernel region (0x[0-9a-f]+)\+(0x[0-9a-f]+)", 30)
        start, size = int(m.group(1), 16), int(m.group(2), 16)
        r.wait_for(rf"PCG: parachute: scribbled on {size // 0x10000} pages", 60)
        r.wait_for(r"PCG: crashing via sysrq", 60)
        r.wait_for(r"Kernel panic - not syncing: sysrq triggered crash", 60)
        outcome, stuck, lines_at = None, [], 0
        for _ in range(120):
            if not r.alive():
                outcome = "the machine reset"
                break
            try:
                rip = r.cpus()[0]["rip"]
            except OSError:  # QEMU went away while answering
                continue
            if start <= rip < start + size:
                lines_at = lines_at if stuck else len(r.lines)
                stuck.append(rip)
            else:
                stuck = []
            # Purgatory's endless loop: one place in the region for 5 s and the
            # console silent meanwhile (a capture kernel booting there prints).
            if len(stuck) >= 10 and max(stuck) - min(stuck) < 64 and len(r.lines) == lines_at:
                outcome = f"spinning at {rip:#x} in the crash kernel region"
                break
            time.sleep(0.5)
        assert outcome, "the crashed kernel neither reset nor stopped in kexec's segments in 60 s"
        assert not r.all(r"PCG: capture kernel up"), \
            "stock kdump survived the stray writes: the test scribbled nothing it uses"
        assert not r.all(r"PCG: dump saved")
    os.unlink(disk)
