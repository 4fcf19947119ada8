# SPDX-License-Identifier: GPL-2.0-only
"""The installed parachute.service under a real systemd (this machine's,
Debian's, as the guest's init: tests/initrd/mksystemd.sh), as an operator
meets it: at the first boot the unit loads the guest module, applies
KDUMP_SYSCTL, logs that there was no capture yet and that a crash would be
captured, and `systemctl status parachute` says it is active; after a
sysrq-c captured with restart=on, the next boot's journal says the last
capture was saved, and the dump holds the first boot's token."""
import secrets

from capture import CAPTURE_ARGS, dmesg, rebuild, start


def test_parachute_service_under_systemd(build):
    name = "systemd"
    token = secrets.token_hex(8)
    r, disk = start(build, name, f"pc.token={token}", hv_args="restart=on",
                    capture_args=f"{CAPTURE_ARGS} pc.restart=1",
                    guest_initrd=f"{build}/systemd.cpio.gz")
    with r:
        for boot in (1, 2):
            # KDUMP_SYSCTL's default, applied by the unit's ExecStartPre.
            r.wait_for_count(r"SDT: panic_on_oops=1$", boot, 300)
            r.wait_for_count(r"SDT: status: .*parachute\.service - parachute: the last capture, "
                             r"and whether a crash would be captured", boot, 30)
            r.wait_for_count(r"SDT: status: +Active: active \(exited\)", boot, 30)
            r.wait_for_count(r"SDT: journal: parachute: ready to capture$", boot, 30)
            if boot == 1:
                # Nothing captured yet: the unit said so; then the test crashed the guest.
                r.wait_for(r"SDT: crashing", 30)
                with r.cond:
                    lines = list(r.lines)
                cut = next(i for i, line in enumerate(lines) if "SDT: crashing" in line)
                assert any("SDT: journal: parachute: no record: no capture since the machine "
                           "booted" in line for line in lines[:cut]), lines[-40:]
                r.wait_for(r"\[hv\] restart 1: the guest kernel boots again", 300)
        # Boot 2: the journal has the last capture from the hv's history, saved.
        r.wait_for(r"SDT: journal: capture 1: .* on cpu0: saved \d+ ms after the hand-over: "
                   r".*; the guest booted again without a machine reset$", 1)
        r.wait_for(r"SDT: powering off", 30)
        r.wait_exit(120)
    log = dmesg(rebuild(build, disk, name))
    assert f"parachute-token: {token}" in log and "sysrq triggered crash" in log
