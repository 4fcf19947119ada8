# SPDX-License-Identifier: GPL-2.0-only
"""Loading and stopping: GRUB Multiboot2, and a guest that triple-faults."""
import secrets

from grub import grub_iso
from capture import CAPTURE_ARGS, dmesg, dump_disk, evidence, rebuild, rip_in
from harness import Run
from vmcore import Vmcore


def test_grub_multiboot2(build):
    # GRUB's own choice of screen (no gfxpayload): a VESA mode, the guest's vesafb console.
    iso = grub_iso(build, "grub-mb2", "loglevel=info", [
        (f"{build}/debian/vmlinuz", "guest console=ttyS0 quiet pc.test=demo"),
        (f"{build}/initrd.cpio.gz", "guest-initrd")], text=False)
    with Run(build, "grub-mb2", modules=[], kernel=None, extra=["-cdrom", iso]) as r:
        m = r.wait_for(r"\[hv\] framebuffer: (\d+)x(\d+), (\d+) bpp, at 0x[0-9a-f]+ \(VESA\)", 60)
        mode = "x".join(m.groups())
        r.wait_for(r"\[hv\] loader multiboot2, options \"loglevel=info\"", 60)
        r.wait_for(r'\[hv\] module 0: guest .* "console=ttyS0 quiet pc.test=demo"')
        r.wait_for(r"\[hv\] module 1: guest-initrd .* \"\"")
        r.wait_for(rf"PCG: screen: vesafb: mode is {mode}, ", 120)
        r.wait_for(r'PCG: hvinfo: cpuid 0x40000000 max=0x40000001 signature="ParachuteHV"')
        r.wait_for(r"PCG: done")
        assert r.wait_exit(60) == 0


def test_grub_capture(build):
    # The GRUB ISO path real machines use, on SVM: guest and capture modules, crash, vmcore.
    token = secrets.token_hex(8)
    iso = grub_iso(build, "grub-capture", "loglevel=info pvpanic=off", [
        (f"{build}/debian/vmlinuz",
         f"guest console=ttyS0 quiet pc.test=crash pc.token={token} pc.trigger=sysrq"),
        (f"{build}/initrd.cpio.gz", "guest-initrd"),
        (f"{build}/debian/vmlinuz", f"capture {CAPTURE_ARGS}"),
        (f"{build}/initrd.cpio.gz", "capture-initrd")])
    disk = dump_disk(build, "grub-capture")
    with Run(build, "grub-capture", modules=[], kernel=None,
             extra=["-cdrom", iso, "-boot", "d",
                    "-drive", f"file={disk},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] screen: 80x25 text at 0xb8000 \(VGA\)", 60)
        r.wait_for(r"\[hv\] loader multiboot2", 60)
        r.wait_for(r"\[hv\] module 2: capture ")
        r.wait_for(r"\[hv\] capture armed: SHA-256", 60)
        r.wait_for(r"PCG: crashing via sysrq", 120)
        _, syms = evidence(r)
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 60)
        r.wait_for(r"PCG: dump saved", 180)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
    path = rebuild(build, disk, "grub-capture")
    vm = Vmcore(path)
    log = dmesg(path)
    assert f"parachute-token: {token}" in log
    # GRUB's text screen (gfxpayload=text) is the guest's VGA console.
    assert "Console: colour VGA+ 80x25" in log, "the guest has no VGA console"
    assert len(vm.prstatus) == 1
    ok, why = rip_in(vm, syms, "pc_panic")
    assert ok, why


def test_triple_fault_reported(build):
    # triple_fault=report: reported and parked; the default (capture) is in test_capture.
    with Run(build, "triple-fault", hv_args="triple_fault=report", monitor=True,
             guest_args="quiet reboot=t pc.test=reboot") as r:
        r.wait_for(r"PCG: reboot -f")
        r.wait_for(r"\[hv\] ERROR: cpu0: guest shut down \(triple fault\)", 60)
        r.wait_for(r"\[hv\] ERROR: cpu0 guest state: rip ")
        r.wait_for(r"\[hv\] ERROR: cpu0: last \d+ exits, oldest first:")
        r.wait_for(r"\[hv\] ERROR:   SHUTDOWN +reason=0x7f")
        r.wait_for(r"\[hv\] cpu0 exit counters: \d+ exits in all")
        r.wait_for(r"\[hv\]   CPUID +\(0x072\) \d+")
        r.wait_for(r"\[hv\] ERROR: cpu0: vCPU parked after a fatal guest event")
        # Reported and stopped, not silently reset (QEMU runs with -no-reboot)
        # nor spinning: the vCPU's CPU halted for good.
        r.assert_halted()
        assert len(r.all(r"parachute .* starting")) == 1
