# SPDX-License-Identifier: GPL-2.0-only
"""Back in service without a machine reset (hv option restart=on): after each
capture the capture initramfs asks the hv to boot the production guest again;
three crashes in a row, each captured, on a 2-vCPU guest."""
import secrets

from capture import CAPTURE_ARGS, dmesg, rebuild, start
from vmcore import Vmcore

CRASHES = 3


def test_restart_three_crashes_in_a_row(build):
    token = secrets.token_hex(8)
    # The crash on the guest's CPU 1: the capture kernel, then the restarted guest, boot on
    # the vCPU that crashed, and the guest's boot CPU alternates between the two.
    r, disk = start(build, "restart", f"pc.test=crash pc.token={token} pc.trigger=sysrq pc.cpu=1",
                    hv_args="restart=on", capture_args=f"{CAPTURE_ARGS} pc.restart=1", smp=2)
    with r:
        m = r.wait_for(r"\[hv\] restart: (\d+) KiB kept for a restart without a machine reset "
                       r"\(guest kernel (\d+) KiB, initrd (\d+) KiB, capture kernel up to (\d+) KiB\)",
                       60)
        assert int(m.group(1)) >= sum(int(m.group(i)) for i in (2, 3)), m.group(0)
        for n in range(1, CRASHES + 1):
            # Each boot: both vCPUs run the guest, it crashes, the capture is saved.
            r.wait_for_count(r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", n, 300)
            # Each crash on the vCPU that ran the guest's CPU 1: cpu1, then cpu0, then cpu1.
            m = r.wait_for_count(r"\[hv\] crash: cpu(\d+) enters the capture kernel", n, 120)
            assert int(m.group(1)) == n % 2, m.group(0)
            r.wait_for_count(r"\[hv\] crash: 1 other vCPU\(s\) parked", n, 1)
            r.wait_for_count(r"PCG: dump saved", n, 300)
            r.wait_for_count(r"PCG: capture done, restarting the guest", n, 60)
            # The hv puts the guest kernel and the capture kernel back and re-arms.
            r.wait_for_count(r"\[hv\] interrupts quiesced for the guest kernel: local APIC", n, 60)
            r.wait_for(rf"\[hv\] restart {n}: the guest kernel boots again on cpu{n % 2}, "
                       r"capture re-armed, in \d+ us \(no machine reset\)", 60)
        # The fourth boot reaches userspace with both vCPUs: the third dump is on the disk.
        r.wait_for_count(r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", CRASHES + 1,
                         300)
        assert not r.all(r"restart refused|restart failed|capture region corrupted"), \
            "a restart was refused or failed"
        assert len(r.all(r"\[hv\] capture armed: SHA-256")) == 1, "the hv itself restarted"
    path = rebuild(build, disk, "restart")
    vm = Vmcore(path)
    log = dmesg(path)
    assert f"parachute-token: {token}" in log, "the token is not in the last vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    assert len(vm.prstatus) == 2
