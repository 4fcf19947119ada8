# SPDX-License-Identifier: GPL-2.0-only
"""Back in service without a machine reset (hv option restart=on): after each
capture the capture initramfs asks the hv to boot the production guest again;
three crashes in a row, each captured, on a 2-vCPU guest whose capture kernel
runs on both vCPUs (the hv stops the other one before the restart) and in
64 MiB lent at each crash (given back before each restart). Each boot
prints the capture history the hv keeps across restarts."""
import datetime
import secrets

from capture import CAPTURE_ARGS, dmesg, rebuild, start
from vmcore import Vmcore

CRASHES = 3
ALL_CPUS = CAPTURE_ARGS.replace(" nr_cpus=1", "")


def test_restart_three_crashes_in_a_row(build):
    token = secrets.token_hex(8)
    # The crash on the guest's CPU 1: the capture kernel boots on the vCPU that crashed
    # and starts the other; the restarted guest boots on whichever vCPU ran the capture
    # kernel's restart, so the next crash comes on the other one.
    r, disk = start(build, "restart",
                    f"pc.test=crash pc.token={token} pc.trigger=sysrq pc.cpu=1 pc.history=1",
                    hv_args="restart=on capture_lend=64M dump_level=17", capture_args=f"{ALL_CPUS} pc.restart=1",
                    smp=2)
    with r:
        m = r.wait_for(r"\[hv\] restart: (\d+) KiB kept for a restart without a machine reset "
                       r"\(guest kernel (\d+) KiB, initrd (\d+) KiB, capture kernel up to (\d+) KiB\)",
                       60)
        assert int(m.group(1)) >= sum(int(m.group(i)) for i in (2, 3)), m.group(0)
        guest_cpu1 = 1
        # The machine's first boot: no capture yet.
        r.wait_for(r"PCG: ctl history: parachute: no record: no capture since the machine booted "
                   r"\(a restart keeps the history, a machine reset clears it\)", 300)
        for n in range(1, CRASHES + 1):
            # Each boot: both vCPUs run the guest, it crashes, the capture is saved.
            r.wait_for_count(r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", n, 300)
            m = r.wait_for_count(r"\[hv\] crash: cpu(\d+) enters the capture kernel", n, 120)
            assert int(m.group(1)) == guest_cpu1, m.group(0)
            r.wait_for_count(r"\[hv\] crash: 1 other vCPU\(s\) parked", n, 1)
            # Lent at each crash, given back at each restart.
            r.wait_for_count(r"\[hv\] crash: lent 64 MiB of 64 to the capture kernel", n, 1)
            # The capture kernel runs on both vCPUs.
            r.wait_for_count(rf"\[hv\] cpu{1 - guest_cpu1}: vCPU started by the capture kernel",
                             n, 120)
            r.wait_for_count(r"PCG: capture kernel: 2 cpu\(s\) online", n, 120)
            r.wait_for_count(r"PCG: dump saved", n, 300)
            r.wait_for_count(r"PCG: capture done, restarting the guest", n, 60)
            # The hv puts the guest kernel and the capture kernel back and re-arms.
            r.wait_for_count(r"\[hv\] interrupts quiesced for the guest kernel: local APIC", n, 60)
            m = r.wait_for(rf"\[hv\] restart {n}: the guest kernel boots again on cpu(\d), "
                           r"capture re-armed, in \d+ us \(no machine reset\)", 60)
            guest_cpu1 = 1 - int(m.group(1))
        # The fourth boot reaches userspace with both vCPUs: the third dump is on the disk.
        r.wait_for_count(r"PCG: userspace reached, mode crash, 2 cpu\(s\) online", CRASHES + 1,
                         300)
        # Its history: the three captures, each saved, each followed by a restart, at
        # today's time (the guest's clock is the host's).
        r.wait_for(rf"PCG: ctl history: parachute: {CRASHES} capture\(s\) since the machine booted$",
                   60)
        r.wait_for(r"PCG: ctl history: exit 0", 60)
        days = {(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=d))
                .strftime("%Y-%m-%d") for d in (0, 1)}
        cpus = []
        for n in range(1, CRASHES + 1):
            m = r.wait_for(rf"PCG: ctl history: capture {n}: (\S+) \d\d:\d\d:\d\d UTC, "
                           r"(pvpanic \(the guest kernel panicked\)|guest CRASH hypercall) on "
                           r"cpu(\d): saved \d+ ms after the hand-over: dump written to /dev/vda; "
                           r"the guest booted again without a machine reset$", 1)
            assert m.group(1) in days, m.group(0)
            cpus.append(int(m.group(3)))
        assert cpus == [int(m.group(1)) for m in r.all(r"\[hv\] crash: cpu(\d+) enters the "
                                                        r"capture kernel")][:CRASHES], cpus
        # What the installed unit logs at boot: the newest alone.
        lasts = [m.group(1) for m in r.all(r"PCG: last capture: (.*)")]
        assert lasts[0].startswith("parachute: no record"), lasts
        assert [x.split(":")[0] for x in lasts[1:CRASHES + 1]] == \
            [f"capture {n}" for n in range(1, CRASHES + 1)], lasts
        assert not r.all(r"restart refused|restart failed|capture region corrupted|did not stop"), \
            "a restart was refused or failed"
        assert len(r.all(r"\[hv\] capture armed: SHA-256")) == 1, "the hv itself restarted"
    path = rebuild(build, disk, "restart")
    vm = Vmcore(path)
    log = dmesg(path)
    assert f"parachute-token: {token}" in log, "the token is not in the last vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    assert len(vm.prstatus) == 2
