# SPDX-License-Identifier: GPL-2.0-only
"""Loading and stopping: GRUB Multiboot2, and a guest that triple-faults."""
import os
import shutil
import subprocess
import time

from harness import Run

GRUB_CFG = """set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry parachute {
	multiboot2 /boot/parachute.elf loglevel=info
	module2 /boot/vmlinuz guest console=ttyS0 quiet pc.test=demo
	module2 --nounzip /boot/initrd.cpio.gz guest-initrd
	boot
}
"""


def make_iso(build):
    root = f"{build}/grub/iso"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/boot/grub")
    for src, dst in (("parachute.elf", "parachute.elf"), ("debian/vmlinuz", "vmlinuz"),
                     ("initrd.cpio.gz", "initrd.cpio.gz")):
        shutil.copy(f"{build}/{src}", f"{root}/boot/{dst}")
    with open(f"{root}/boot/grub/grub.cfg", "w") as f:
        f.write(GRUB_CFG)
    iso = f"{build}/grub/parachute.iso"
    subprocess.run(["grub-mkrescue", "-o", iso, root], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return iso


def test_grub_multiboot2(build):
    iso = make_iso(build)
    with Run(build, "grub-mb2", modules=[], kernel=None, extra=["-cdrom", iso]) as r:
        r.wait_for(r"\[hv\] loader multiboot2, options \"loglevel=info\"", 60)
        r.wait_for(r'\[hv\] module 0: guest .* "console=ttyS0 quiet pc.test=demo"')
        r.wait_for(r"\[hv\] module 1: guest-initrd .* \"\"")
        r.wait_for(r'PCG: hvinfo: cpuid 0x40000000 max=0x40000001 signature="ParachuteHV"')
        r.wait_for(r"PCG: done")
        assert r.wait_exit(60) == 0


def test_triple_fault_reported(build):
    # triple_fault=report: reported and parked; the default (capture) is in test_capture.
    with Run(build, "triple-fault", hv_args="triple_fault=report",
             guest_args="quiet reboot=t pc.test=reboot") as r:
        r.wait_for(r"PCG: reboot -f")
        r.wait_for(r"\[hv\] ERROR: cpu0: guest shut down \(triple fault\)", 60)
        r.wait_for(r"\[hv\] ERROR: cpu0 guest state: rip ")
        r.wait_for(r"\[hv\] ERROR: cpu0: last \d+ exits, oldest first:")
        r.wait_for(r"\[hv\] ERROR:   SHUTDOWN +reason=0x7f")
        r.wait_for(r"\[hv\] cpu0 exit counters: \d+ exits in all")
        r.wait_for(r"\[hv\]   CPUID +\(0x072\) \d+")
        r.wait_for(r"\[hv\] ERROR: cpu0: vCPU parked after a fatal guest event")
        # Reported and stopped, not silently reset: QEMU runs with -no-reboot.
        time.sleep(2)
        assert r.alive(), "the machine reset"
        assert len(r.all(r"parachute .* starting")) == 1
