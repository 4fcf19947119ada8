# SPDX-License-Identifier: GPL-2.0-only
"""A hostile guest kernel (tests/hostile/hostile.ko, docs/security.md) against
the real hv: each escape class tried from CPL 0, what the CPU and the hv did
read back from the guest's own report, then a crash that must be captured
whole (the vmcore read back: token, panic, one NT_PRSTATUS per vCPU, the
pattern pages, makedumpfile from its VMCOREINFO).

Under QEMU's TCG the CPU cannot hold an INIT in the hv (no VM_CR.R_INIT), so
the hv keeps the xAPIC trapped: every guest INIT and SIPI is the hv's."""
import re

from capture import compress, crash_and_capture, dmesg
from test_capture import check_patterns

# hostile.ko's lines, and the parachute module's probes it runs ("selftest:", guest/module/selftest.c).
PROBE = re.compile(r"PCG: (?:hostile|selftest): (\w+): (.+?): (.+): (ok|BAD|FAILED)$")

# The probes each class must report, by name (a probe that did not run is a failure too).
EXPECTED = {
    "msr": {"x2APIC ICR in xAPIC mode", "APIC base bit 0", "APIC base bit 9",
            "APIC base past MAXPHYADDR", "APIC base moved", "x2APIC without the feature",
            "EFER bit 63", "EFER.LMSLE", "EFER.LME off under paging",
            "TOP_MEM (AMD memory routing)"},
    "cr": {"CR4 bit 15", "CR4.VMXE", "CR4 bit 32", "CR3 past MAXPHYADDR", "INVLPGA, SVM hidden"},
    "xcr0": {"XSETBV"},  # qemu64 has no XSAVE: reported as not reachable
    "heap": {"seal/write/unseal cycles"},
    "flood": {"requests that each log a line"},
    "init": {"INIT/SIPI to an offline CPU", "CPU back online"},
}


def probes(r):
    """{class: {probe: (what happened, verdict)}} from the guest's report (the
    later of two reports of a probe: hostile.ko's, after parachutectl selftest's)."""
    out = {}
    for m in r.all(PROBE):
        out.setdefault(m.group(1), {})[m.group(2)] = (m.group(3), m.group(4))
    return out


def check_classes(r, classes, vcpus):
    seen = probes(r)
    for c in classes:
        missing = EXPECTED[c] - set(seen.get(c, {}))
        assert not missing, f"class {c}: probes not reported: {missing}"
    bad = [f"{c}: {p}: {w}" for c in seen for p, (w, v) in seen[c].items() if v != "ok"]
    assert not bad, bad
    m = r.wait_for(r"PCG: hostile: (\d+) probes, (\d+) bad", 1)
    assert int(m.group(2)) == 0, m.group(0)
    total = sum(len(seen.get(c, {})) for c in classes)
    assert int(m.group(1)) == total, (m.group(0), total)
    if "init" in classes and vcpus > 1:
        what = seen["init"]["INIT/SIPI to an offline CPU"][0]
        # The start-up code ran in guest mode: the hv's image and the capture region read as ones.
        assert "1 MiB reads 0xffffffff, the capture region 0xffffffff" in what, what
        assert "0x1badb002" not in what
    if "heap" in classes:
        what = seen["heap"]["seal/write/unseal cycles"][0]
        m = re.match(r"(\d+) cycles, (\d+) writes dropped, hv heap (\d+) KiB before, (\d+) KiB after",
                     what)
        assert m and m.group(1) == m.group(2) == "10000", what
        assert m.group(3) == m.group(4), what
    # parachutectl selftest ran the same probes first (16 heap rounds), and passed.
    r.wait_for(r"PCG: ctl selftest: selftest: heap: seal/write/unseal cycles: 16 cycles, "
               r"16 writes dropped, .*: ok$", 1)
    m = r.wait_for(r"PCG: ctl selftest: selftest: (\d+) probes, (\d+) failed", 1)
    assert int(m.group(1)) >= 15 and m.group(2) == "0", m.group(0)
    r.wait_for(r"PCG: ctl selftest: exit 0$", 1)
    # The hv said why it gave #GP (the first refusals; the rest are rate-limited).
    if "msr" in classes:
        r.wait_for(r"\[hv\] WARNING: cpu0: guest WRMSR 0x830 <- 0x0 refused \(#GP\)", 1)


def check_whole(r, vm, token, info, vcpus, trigger_panic=True):
    """The capture that follows: the region checked, one hand-over, the vmcore intact."""
    assert not r.all(r"capture region corrupted|capture failed|VMRUN refused|"
                     r"vCPU parked after a fatal guest event|unhandled exit")
    assert len(r.all(r"\[hv\] crash: cpu\d+ enters the capture kernel")) == 1
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    if trigger_panic:
        assert "Kernel panic - not syncing: sysrq triggered crash" in log
    assert len(vm.prstatus) == vcpus
    check_patterns(vm, info["pages"])
    compress(info["path"])


def test_hostile_guest_one_vcpu(build):
    """Every class a single vCPU can try, 10,000 seal cycles and 10,000 rounds
    of the flood: each refused value #GP, every write to the sealed buffer
    dropped, the hv's heap where it started, its console under 400 lines;
    parachutectl selftest first, as on a production machine."""
    classes = ["msr", "xcr0", "cr", "heap", "flood"]
    r, vm, token, info = crash_and_capture(build, "hostile-1cpu", "sysrq",
                                           guest_extra="pc.hostile=" + ",".join(classes))
    check_classes(r, classes, 1)
    # 60,000 requests that each make the hv log a line: heard rate-limited.
    hv_lines = len(r.all(r"^\[hv\] "))
    assert hv_lines < 400, hv_lines
    assert len(r.all(r"\[hv\] .*pvpanic: the guest is starting its own crash kernel")) <= 30
    check_whole(r, vm, token, info, 1)


def test_hostile_guest_init_sipi(build):
    """Two vCPUs: the classes again with INIT and SIPI to the other CPU taken
    offline, whose start-up code reads the hv's image and the capture region
    (all-ones: it runs in guest mode), and comes back online. Then one vCPU
    sends the other INIT and SIPIs back to back, its start-up code asks for a
    capture: the INIT and SIPIs that reach it once it captures are dropped,
    and the capture is whole (capture_test=slowpark holds the other vCPU's
    park 200 ms, so that they do reach it)."""
    classes = ["msr", "init", "flood"]
    r, vm, token, info = crash_and_capture(
        build, "hostile-2cpu", "hostile", smp=2, hv_args="capture_test=slowpark",
        guest_extra="pc.cycles=2000 pc.hostile=" + ",".join(classes))
    check_classes(r, classes, 2)
    r.wait_for(r"\[hv\] WARNING: cpu0: VM_CR.R_INIT does not stick", 1)
    assert not r.all(r"xAPIC writes no longer trapped"), "the trap was lifted: INIT not contained"
    r.wait_for(r"\[hv\] ERROR: crash: guest CRASH hypercall on cpu1 \(APIC 1\)", 1)
    dropped = r.all(r"\[hv\] WARNING: cpu0: (INIT|start-up IPI) to the capturing cpu1 dropped")
    assert len(dropped) >= 2, [m.group(0) for m in dropped]
    # The capturing vCPU was in the start-up code: the layout came from the other's tables.
    r.wait_for(r"\[hv\] WARNING: crash: cpu1 is not in long mode: the kernel's layout is read "
               r"through cpu0's page tables", 1)
    check_whole(r, vm, token, info, 2, trigger_panic=False)
    assert vm.prstatus[1]["rip"] < 0x100000, hex(vm.prstatus[1]["rip"])  # in the start-up code


def test_hostile_guest_four_vcpus(build):
    """Four vCPUs: INIT and SIPI to the last CPU, offline, and back; the refused
    values; then sysrq-c on the last CPU while the others run, captured with
    four NT_PRSTATUS notes."""
    classes = ["msr", "init"]
    r, vm, token, info = crash_and_capture(
        build, "hostile-4cpu", "sysrq", smp=4,
        guest_extra="pc.cpu=3 pc.busy=1 pc.hostile=" + ",".join(classes))
    check_classes(r, classes, 4)
    m = probes(r)["init"]["INIT/SIPI to an offline CPU"][0]
    assert m.startswith("cpu3 (APIC 3) ran it"), m
    check_whole(r, vm, token, info, 4)
