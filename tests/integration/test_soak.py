# SPDX-License-Identifier: GPL-2.0-only
"""The crash path, again and again: SOAK_CYCLES boot-crash-capture-reboot
cycles (3 in make check, 20 in make soak) that rotate the triggers, each
judged on its own vmcore: the run's token, the panic where there is one,
the pattern pages; one capture per cycle, no failure, and the hv's heap
use the same at every boot and at every hand-over of the same kind. The
rotation starts with the combinations no other test captures (make check's
three cycles), then goes through those the capture tests cover once."""
import os

import pytest

from capture import crash_and_capture, dmesg, nmi_when_spinning
from test_capture import check_patterns


# name, trigger, keyword arguments, the hv's report, a line the vmcore's dmesg holds
CYCLE = [
    # Not captured elsewhere: a panic on the second of two vCPUs, a panic in the
    # guest's NMI handler with two vCPUs, a triple fault with two vCPUs.
    ("smp2-cpu1", "sysrq", {"smp": 2, "hv_args": "pvpanic=off", "guest_extra": "pc.cpu=1"},
     r"crash: guest CRASH hypercall on cpu\d", "Kernel panic - not syncing: sysrq triggered crash"),
    ("nmipanic-smp2", "nmipanic", {"smp": 2},
     r"crash: (pvpanic \(the guest kernel panicked\)|guest CRASH hypercall) on cpu\d",
     "Kernel panic - not syncing: parachute: panic in the NMI handler"),
    ("triple-smp2", "triplefault", {"smp": 2, "guest_extra": "reboot=t"},
     r"crash: triple fault on cpu\d", "reboot: machine restart"),
    # Then what test_capture.py captures once each.
    ("pvpanic", "sysrq", {"guest_extra": "pc.notifier=0"},
     r"crash: pvpanic \(the guest kernel panicked\) on cpu0", "Kernel panic - not syncing"),
    ("notifier", "sysrq", {"hv_args": "pvpanic=off"},
     r"crash: guest CRASH hypercall on cpu0", "Kernel panic - not syncing"),
    ("hypercall", "hypercall", {}, r"crash: guest CRASH hypercall on cpu0", None),
    ("triple", "triplefault", {"guest_extra": "reboot=t"}, r"crash: triple fault on cpu0",
     "reboot: machine restart"),
    ("nmi", "spin", {"operator": nmi_when_spinning}, r"crash: operator NMI on cpu0", None),
]


@pytest.mark.timeout(0 if int(os.environ.get("SOAK_CYCLES", "3")) > 3 else 600)
def test_soak_crash_cycles(build):
    cycles = int(os.environ.get("SOAK_CYCLES", "3"))
    heap = {}
    for i in range(cycles):
        kind, trigger, kw, report, panic = CYCLE[i % len(CYCLE)]
        r, vm, token, info = crash_and_capture(build, f"soak-{i}-{kind}", trigger, **kw)
        assert len(r.all(rf"\[hv\] ERROR: {report}")) == 1, f"cycle {i} ({kind})"
        assert len(r.all(r"\[hv\] crash: cpu\d+ enters the capture kernel")) == 1
        assert not r.all(r"capture failed|capture region corrupted"), f"cycle {i} ({kind})"
        log = dmesg(info["path"])
        assert f"parachute-token: {token}" in log, f"cycle {i} ({kind}): token missing"
        if panic:
            assert panic in log, f"cycle {i} ({kind}): {panic!r} not in the vmcore's dmesg"
        check_patterns(vm, info["pages"])
        assert len(vm.prstatus) == kw.get("smp", 1)
        # The hv's heap: what it built to enter the guest, and at the hand-over.
        boot = int(r.wait_for(r"\[hv\] entering the guest on cpu0 .*; hv heap used (\d+) KiB",
                              1).group(1))
        crash = int(r.wait_for(r"\[hv\] crash: hand-over took \d+ us after the trigger .*; hv "
                               r"heap used (\d+) KiB", 1).group(1))
        key = kw.get("smp", 1)
        heap.setdefault(("boot", key), set()).add(boot)
        heap.setdefault(("crash", kind), set()).add(crash)
        print(f"cycle {i} {kind}: captured; hv heap {boot} KiB at entry, {crash} KiB at hand-over")
    for what, seen in heap.items():
        assert len(seen) == 1, f"hv heap use differs between cycles ({what}): {sorted(seen)}"
