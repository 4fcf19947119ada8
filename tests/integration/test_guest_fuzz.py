# SPDX-License-Identifier: GPL-2.0-only
"""The guest-side hypercall fuzzer (tests/fuzz/guest/): random and boundary
hypercalls from CPL 3 (hcfuzz3, on vCPU 1) and at the same time from CPL 0
(hcfuzz.ko, on vCPU 0) against the real hv in a real guest. The hv and the guest keep running, capture stays
armed, and a crash afterwards is captured whole: the digest of the staged
region still matches, and the vmcore holds this run's token and patterns."""
from capture import check_patterns, crash_and_capture, dmesg


SECONDS = 20


def test_guest_hypercall_fuzzer_then_capture(build):
    r, vm, token, info = crash_and_capture(build, "hcfuzz", "sysrq", smp=2,
                                           guest_extra=f"pc.hcfuzz={SECONDS}")
    # CPL 3: every call refused with EPERM, registers kept.
    m = r.wait_for(rf"PCG: hcfuzz3: (\d+) calls from CPL 3 in {SECONDS} s, (\d+) not refused", 1)
    assert int(m.group(1)) > 1000 and int(m.group(2)) == 0, m.group(0)
    # CPL 0: every call number, nothing written but what a call reported.
    runs = r.all(rf"PCG: hcfuzz: (\d+) calls from CPL 0 in {SECONDS} s, (\d+) bad, "
                 r"capture (\S+ \S+)")
    assert len(runs) == 1, [m.group(0) for m in runs]
    m = runs[0]
    assert int(m.group(1)) > 10000 and int(m.group(2)) == 0, m.group(0)
    assert m.group(3) == "still armed", m.group(0)
    called = {int(c.group(1)) for c in r.all(r"PCG: hcfuzz: call (?:>=)?(\d+): [1-9]\d* calls")}
    # All but CRASH, DUMP_STATS and UNLOAD (they capture, flood the console, disarm).
    assert called >= set(range(17)) - {2, 3, 9}, sorted(called)
    assert not r.all(r"hcfuzz: .*(BAD|wrote)")
    r.wait_for(r"PCG: ctl status: parachute: ready to capture", 1)
    # The hv kept its console: refusals are rate-limited, not one line per call.
    assert len(r.all(r"^\[hv\] ")) < 400, len(r.all(r"^\[hv\] "))
    # The crash that follows: the region's digest matched (else no hand-over) ...
    assert not r.all(r"capture region corrupted")
    # ... and the vmcore is this run's.
    assert f"parachute-token: {token}" in dmesg(info["path"])
    assert len(vm.prstatus) == 2
    check_patterns(vm, info["pages"])
