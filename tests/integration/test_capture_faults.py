# SPDX-License-Identifier: GPL-2.0-only
"""Faults inside the capture path itself: the capture kernel hangs before its
initramfs, panics before it, or panics after checking in. Each ends in the
hv's capture_failure= action with a message that names it, never a silent
hang; and a capture initramfs without the guest module (kdump-tools') is
not cut short by the bound. (A missing dump target: test_install.py, with
the real initramfs.)"""
from capture import CAPTURE_ARGS, crash_and_capture, dmesg, modules
from harness import Run

CRASH = "pc.test=crash pc.token=0 pc.trigger=sysrq"
# No init in the initramfs: the kernel falls back to a root disk that does
# not exist. With rootwait it waits for it forever, idle; without, it panics.
NO_INIT = "console=ttyS0 nr_cpus=1 reset_devices rdinit=/nonexistent root=/dev/vdz"


def test_capture_kernel_hang_bounded(build):
    with Run(build, "capf-hang", hv_args="capture_timeout=20",
             modules=modules(build, CRASH, NO_INIT + " rootwait")) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 180)
        r.wait_for(r"Waiting for root device /dev/vdz", 60)
        r.wait_for(r"\[hv\] ERROR: capture failed: the capture kernel did not reach its capture "
                   r"initramfs within 20 s \(capture_timeout=\)", 60)
        r.wait_for(r"\[hv\] ERROR: cpu0 guest state: rip ")  # where it hung
        r.wait_for(r"\[hv\] ERROR: rebooting the machine \(capture_failure=reboot\)")
        r.wait_exit(30)  # -no-reboot: the reset ends QEMU
        assert not r.all(r"checked in")


def test_capture_kernel_panic_before_userspace(build):
    with Run(build, "capf-panic-early", hv_args="capture_timeout=20 capture_failure=halt",
             modules=modules(build, CRASH, NO_INIT), monitor=True) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 180)
        r.wait_for(r"Kernel panic - not syncing: VFS: Unable to mount root fs", 60)
        r.wait_for(r"\[hv\] ERROR: capture failed: the capture kernel did not reach its capture "
                   r"initramfs within 20 s \(capture_timeout=\)", 60)
        r.wait_for(r"\[hv\] ERROR: parachute halted\.")
        r.assert_halted()


def test_capture_kernel_panic_after_check_in(build):
    with Run(build, "capf-panic", modules=modules(build, CRASH, CAPTURE_ARGS + " pc.fault=panic")) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 180)
        r.wait_for(r"capture: the capture kernel checked in \d+ ms after the hand-over: "
                   r"Linux \S+", 60)
        r.wait_for(r"PCG: capture kernel: CAPTURE_REPORT\(STARTED\) returned 0")
        r.wait_for(r"PCG: capture kernel panics")
        # The module's panic notifier tells the hv at once, with panic()'s message.
        r.wait_for(r"capture failed: the capture kernel reports: the capture kernel panicked: "
                   r"sysrq triggered crash", 60)
        r.wait_for(r"rebooting the machine \(capture_failure=reboot\)")
        r.wait_exit(30)


def test_capture_timeout_past_a_stock_initramfs(build):
    # No guest module in the capture initramfs, so no check-in, and a dump that
    # takes longer than capture_timeout=: the capture kernel's first user-mode
    # exit ends the bound, and the dump is saved whole.
    r, vm, token, info = crash_and_capture(
        build, "capf-stock-initramfs", "sysrq", hv_args="capture_timeout=8",
        capture_args=CAPTURE_ARGS + " pc.nomodule=1 pc.slow=12")
    r.wait_for(r"\[hv\] capture: the capture kernel reached user mode on cpu0 \d+ ms after "
               r"the hand-over: its initramfs runs, capture_timeout= no longer applies", 1)
    r.wait_for(r"PCG: capture kernel: no guest module", 1)
    r.wait_for(r"PCG: waiting 12s before makedumpfile", 1)
    # Saved past the bound: the hand-over, then 12 s of waiting before makedumpfile.
    t_entry = r.time_of(r"\[hv\] crash: cpu0 enters the capture kernel")
    assert r.time_of(r"PCG: dump saved") - t_entry > 12
    assert not r.all(r"checked in|capture failed")
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
