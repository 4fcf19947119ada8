# SPDX-License-Identifier: GPL-2.0-only
"""The hv's watchdog (PARACHUTE_HC_WATCHDOG, parachutectl watchdog): a guest
whose every vCPU spins with interrupts off stops petting it and is captured
with no operator NMI, not before its timeout; an idle guest with it on is
left alone, and it stops when asked, with the module, and at power-off.
(What it costs an idle guest in exits: make bench, BENCH_ONLY=watchdog.)"""
import re

from capture import crash_and_capture, dmesg, modules, rip_in
from harness import Run

LOCKUP = r"PCG: every CPU spins with interrupts off from now"
FIRED = r"\[hv\] ERROR: crash: watchdog \(the guest stopped petting it\) on cpu\d"


def test_watchdog_captures_a_hard_lockup(build):
    r, vm, token, info = crash_and_capture(build, "watchdog-lockup", "watchdog", smp=2)
    r.wait_for(r"PCG: ctl watchdog: parachute: watchdog started: a capture if the guest stops "
               r"petting it for 5 s", 1)
    r.wait_for(r"PCG: ctl watchdog: exit 0", 1)
    r.wait_for(r"\[hv\] cpu\d: watchdog started: the guest has 5000 ms between pets", 1)
    assert len(r.all(r"\[hv\] ERROR: crash: ")) == 1
    r.wait_for(FIRED, 1)
    assert not r.all(r"operator NMI")
    # Both vCPUs were caught spinning with interrupts off, in the module's loop.
    assert len(vm.prstatus) == 2
    for i in range(2):
        ok, why = rip_in(vm, info["syms"], "pc_spin_irqs_off", note=i)
        assert ok, why
        assert not vm.prstatus[i]["eflags"] & 0x200, f"IF set on vCPU {i}"
    assert f"parachute-token: {token}" in dmesg(info["path"])
    # Not before the timeout less the last pet's age (the module pets every
    # 1.25 s), nor long after it. The times are those at which the lines left
    # QEMU (the console reader's stamps, not the test's), and under TCG the
    # guest's TSC, which the hv's deadline counts, runs with QEMU's clock.
    secs = r.time_of(FIRED) - r.time_of(LOCKUP)
    assert 5 - 1.25 - 0.25 <= secs <= 5 + 2.5, \
        f"captured {secs:.1f}s after the lockup, with a 5 s timeout and pets every 1.25 s"


def test_watchdog_idle_guest_not_captured(build):
    # 30 s idle with a 5 s timeout: six timeouts, 24 pets from an idle kernel's timer.
    mods = modules(build, "pc.test=watchdogidle pc.idle=30")
    with Run(build, "watchdog-idle", smp=2, modules=mods[:2]) as r:
        r.wait_for(r"PCG: done", 240)
        r.wait_exit(30)
    assert not r.all(r"\[hv\] ERROR: crash"), "an idle guest was captured"
    # After 30 s of petting it is still on, then stops when asked.
    calls = [m.group(1) for m in r.all(r"PCG: ctl status: (.*)")]
    assert any(re.fullmatch(r"watchdog: on, 5\.000 s timeout, [0-4]\.\d{3} s left", c)
               for c in calls), calls
    assert calls[-2] == "watchdog: off", calls
    # Stopped three times: by parachutectl, by the module's unload, at power-off.
    # (Anchored at the hv's prefix: a line whose prefix lost a character where
    # the guest's and the hv's output met does not count.)
    stops = [m.group(0) for m in r.all(r"^\[hv\] cpu\d: watchdog (started|stopped by the guest).*")]
    assert len(stops) == 6 and all("stopped" in s for s in stops[1::2]), stops
    r.wait_for(r"PCG: module unloaded", 1)
