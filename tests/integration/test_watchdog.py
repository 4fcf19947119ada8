# SPDX-License-Identifier: GPL-2.0-only
"""The hv's watchdog (PARACHUTE_HC_WATCHDOG, parachutectl watchdog): a guest
whose every vCPU spins with interrupts off stops petting it and is captured
with no operator NMI; an idle guest with it on is left alone, and what it
costs in exits while idle is measured."""
import re
import time

from capture import crash_and_capture, dmesg, modules, rip_in
from harness import Run


def test_watchdog_captures_a_hard_lockup(build):
    seen = {}

    def clock(r):
        # No operator here: only the time from the lockup to the hv's capture.
        r.wait_for(r"PCG: every CPU spins with interrupts off from now", 60)
        seen["lockup"] = time.monotonic()
        r.wait_for(r"\[hv\] ERROR: crash: watchdog \(the guest stopped petting it\) on cpu\d", 60)
        seen["capture"] = time.monotonic()

    r, vm, token, info = crash_and_capture(build, "watchdog-lockup", "watchdog", smp=2,
                                           operator=clock)
    r.wait_for(r"PCG: ctl watchdog: parachute: watchdog started: a capture if the guest stops "
               r"petting it for 5 s", 1)
    r.wait_for(r"PCG: ctl watchdog: exit 0", 1)
    r.wait_for(r"\[hv\] cpu\d: watchdog started: the guest has 5000 ms between pets", 1)
    assert len(r.all(r"\[hv\] ERROR: crash: ")) == 1
    assert not r.all(r"operator NMI")
    # Both vCPUs were caught spinning with interrupts off, in the module's loop.
    assert len(vm.prstatus) == 2
    for i in range(2):
        ok, why = rip_in(vm, info["syms"], "pc_spin_irqs_off", note=i)
        assert ok, why
        assert not vm.prstatus[i]["eflags"] & 0x200, f"IF set on vCPU {i}"
    assert f"parachute-token: {token}" in dmesg(info["path"])
    # Not before the timeout less the last pet's age (a quarter of it): the
    # figure itself goes to docs/benchmarks.md, not into an assertion.
    secs = seen["capture"] - seen["lockup"]
    assert secs > 3.5, f"captured {secs:.1f}s after the lockup: before the 5 s timeout"
    print(f"watchdog: lockup to capture {secs:.1f}s with a 5 s timeout")


def exits(line):
    m = re.search(r"exits (\d+) tsc_khz (\d+) uptime_tsc (\d+)", line)
    return int(m.group(1)), int(m.group(3)) / int(m.group(2)) / 1000


def test_watchdog_idle_guest_not_captured(build):
    mods = modules(build, "pc.test=watchdogidle pc.idle=40")
    with Run(build, "watchdog-idle", smp=2, modules=mods[:2]) as r:
        r.wait_for(r"PCG: done", 400)
        r.wait_exit(30)
    assert not r.all(r"\[hv\] ERROR: crash"), "an idle guest was captured"
    # After 120 s (24 timeouts) of petting it is still on, then stops when asked.
    calls = [m.group(1) for m in r.all(r"PCG: ctl status: (.*)")]
    assert any(re.fullmatch(r"watchdog: on, 5\.000 s timeout, [0-4]\.\d{3} s left", c)
               for c in calls), calls
    assert calls[-2] == "watchdog: off", calls
    # Stopped three times: by parachutectl, by the module's unload, at power-off.
    # (Not anchored at "[hv] ": the guest's and the hv's output share the UART,
    # and a character of one can be lost where they meet.)
    stops = [m.group(0) for m in r.all(r"cpu\d: watchdog (started|stopped by the guest).*")]
    assert len(stops) == 6 and all("stopped" in s for s in stops[1::2]), stops
    r.wait_for(r"PCG: module unloaded", 1)
    # Idle exits on vCPU 0, per second, with the watchdog off and on.
    rate = {}
    for what in ("off", "on"):
        e0, t0 = exits(r.wait_for(rf"PCG: idle-{what}-start (.*)", 1).group(1))
        e1, t1 = exits(r.wait_for(rf"PCG: idle-{what}-end (.*)", 1).group(1))
        rate[what] = (e1 - e0) / (t1 - t0)
    print(f"idle exits/s on vCPU 0: watchdog off {rate['off']:.1f}, on {rate['on']:.1f}")
