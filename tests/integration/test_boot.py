# SPDX-License-Identifier: GPL-2.0-only
"""The shim boots a Debian kernel under SVM + NPT; the guest's view is checked."""
import pytest

import shared
from harness import ABI, ABI_VERSION, Run, hidden_ranges, overlaps


def probe_pages(hidden):
    """One page per hidden range the guest kernel lets /dev/mem map: the last.
    (Linux marks up to 64 MiB after the end of RAM as a busy "RAM buffer".)"""
    return [end & ~0xfff for start, end, what in hidden]


def basic_boot(build):
    """One boot of pc.test=basic, which the first two tests here read: the
    guest's view, then the probe of each hidden range (the runner's answer),
    the exit counters on request, and power-off."""
    def boot():
        with Run(build, "basic", guest_args="quiet pc.test=basic") as r:
            r.wait_for(r"PCG: probe\?")
            pages = probe_pages(hidden_ranges(r))
            r.send(" ".join(hex(p) for p in pages) + "\n")
            r.wait_for(r"PCG: done")
            return r, pages, r.wait_exit(60)
    return shared.once(("basic", build), boot)


@pytest.mark.xdist_group("boot-basic")
def test_guest_sees_parachute(build):
    r, pages, status = basic_boot(build)
    r.wait_for(r"PCG: userspace reached", 1)
    hidden = hidden_ranges(r)
    whats = sorted(w for _, _, w in hidden)
    assert whats == ["capture region", "hv heap", "hv image"], whats

    r.wait_for(r'PCG: hvinfo: cpuid 0x40000000 max=0x40000001 signature="ParachuteHV"', 1)
    r.wait_for(r"PCG: hvinfo: hypervisor bit set", 1)
    r.wait_for(r"PCG: hvinfo: svm visible no", 1)
    # The guest's firmware map and its resource tree lack every hidden range.
    memmap = [(int(m.group(1), 16), int(m.group(2), 16))
              for m in r.all(r"PCG: memmap (0x[0-9a-f]+) (0x[0-9a-f]+) ")]
    iomem = [(int(m.group(1), 16), int(m.group(2), 16))
             for m in r.all(r"PCG: iomem ([0-9a-f]+)-([0-9a-f]+) : System RAM")]
    assert len(memmap) >= 3 and iomem, (memmap, iomem)
    for start, end, what in hidden:
        for a, b in memmap + iomem:
            assert not overlaps(start, end, a, b), \
                f"guest sees {a:#x}-{b:#x}, which overlaps the {what}"

    assert len(pages) == 3, pages
    for p in pages:
        r.wait_for(rf"PCG: memprobe: {p:#x}: read all-ones; write dropped", 1)
        r.wait_for(rf"\[hv\] WARNING: cpu0: guest write to hidden memory at {p:#x} ", 1)
    assert status == 0, f"QEMU exit status {status}"


@pytest.mark.xdist_group("boot-basic")
def test_hypercall_cpl_check(build):
    r, _, _ = basic_boot(build)
    # CPL 3: refused with -EPERM, logged, and the guest goes on.
    r.wait_for(r"PCG: hvinfo: hypercall from CPL 3: -1 \(refused\)", 1)
    r.wait_for(r"\[hv\] WARNING: cpu0: hypercall 0 from CPL 3 refused", 1)
    # CPL 0 (the test module): served.
    r.wait_for(rf"PCG: .*parachute: hypercall VERSION from CPL 0 returned {ABI_VERSION} \(abi {ABI}\)", 1)
    m = r.wait_for(rf"PCG: status abi {ABI} vendor 1 cpus 1 vcpus 1 flags 0x0 "
                   r"capture (0x[0-9a-f]+)\+(0x[0-9a-f]+) exits (\d+)", 1)
    cap = [h for h in hidden_ranges(r) if h[2] == "capture region"][0]
    assert int(m.group(1), 16) == cap[0] and int(m.group(2), 16) == cap[1] + 1 - cap[0]
    assert int(m.group(3)) > 0
    # Exit counters on request (PARACHUTE_HC_DUMP_STATS from CPL 0).
    r.wait_for(r"PCG: stats requested", 1)
    m = r.wait_for(r"\[hv\] cpu0 exit counters: (\d+) exits in all", 1)
    assert int(m.group(1)) > 100
    r.wait_for(r"\[hv\]   CPUID +\(0x072\) \d+", 1)
    r.wait_for(r"\[hv\]   VMMCALL +\(0x081\) \d+", 1)
    r.wait_for(r"PCG: done", 1)


def test_hypercall_ranges_checked(build):
    # 5 GiB: guest RAM above 4 GiB, which the hv must reach through its own map.
    with Run(build, "hc-ranges", mem="5G", guest_args="quiet pc.test=selftest") as r:
        def result(what):
            m = r.wait_for(rf"parachute: selftest {what}: STATUS\(0x[0-9a-f]+, \d+\) = (-?\d+)")
            return int(m.group(1))
        size = result("own-page")
        assert size == 80, size                   # sizeof(struct parachute_status), ABI 1.6
        assert result("capture-region") == -14   # -EFAULT: hidden memory
        assert result("crosses-page") == -14
        assert result("too-small") == -22        # -EINVAL
        assert result("wraps") == -14
        assert result("beyond-ram") == -14
        assert result("above-4g") == 80
        r.wait_for(r"PCG: done")
        assert not r.all(r"\[hv\] (ERROR|PANIC)")
