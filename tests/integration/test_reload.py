# SPDX-License-Identifier: GPL-2.0-only
"""Replacing the capture kernel at run time (parachutectl load, the LOAD_*
hypercalls): refused loads leave the armed kernel as it was, a load is what
a later crash boots, a crash racing loads is captured whole, and
reload=lock keeps the kernel of boot. The guest's initrd is the kdump one,
which holds /boot/vmlinuz and /boot/initrd.cpio.gz (Debian's kernel and the
capture initrd) to load."""
import re

from capture import crash_and_capture, dmesg
from harness import Run

GEN = r"generation (\d+)"


def kdump_initrd(build):
    return f"{build}/initrd-kdump.cpio.gz"


def ctl(r, cmd):
    """The output lines and exit status of the guest's `parachutectl CMD`
    calls, in order: [(lines, status)]."""
    out, calls = [], []
    for m in r.all(rf"PCG: ctl {cmd}: (.*)"):
        line = m.group(1)
        e = re.fullmatch(r"exit (\d+)", line)
        if e:
            calls.append((out, int(e.group(1))))
            out = []
        else:
            out.append(line)
    return calls


def test_reload_refusals_then_crash_boots_the_new_kernel(build):
    r, vm, token, info = crash_and_capture(build, "reload", "sysrq", guest_extra="pc.reload=1",
                                           guest_initrd=kdump_initrd(build))
    status = ctl(r, "status")
    assert len(status) == 3, status
    first, before_load, after = status
    assert first[1] == 0 and first[0][0] == "parachute: ready to capture", first
    armed = next(line for line in first[0] if line.startswith("capture kernel:"))
    assert "generation 0," in armed, armed

    # Each refused load names its problem, exits 1, and leaves generation 0 armed.
    loads = ctl(r, "load")
    assert len(loads) == 4, loads
    truncated, oversized, busybox, good = loads
    assert truncated[1] == 1 and "/tmp/truncated is not a bzImage the hv can boot" in \
        truncated[0][-1], truncated
    r.wait_for(r"\[hv\] ERROR: loaded capture kernel: truncated", 1)
    assert oversized[1] == 1 and "do not fit the capture region" in oversized[0][-1], oversized
    r.wait_for(r"\[hv\] WARNING: cpu\d+: LOAD_BEGIN refused: kernel and initrd take \d+ KiB, the capture "
               r"region has \d+ KiB free beside the armed kernel", 1)
    assert busybox[1] == 1 and "/bin/busybox is not a bzImage the hv can boot" in \
        busybox[0][-1], busybox
    r.wait_for(r"\[hv\] ERROR: loaded capture kernel: not a Linux bzImage", 1)
    assert [line for line in before_load[0] if "generation" in line] == [armed]

    # test: the same checks, nothing armed.
    (test_out, test_rc), = ctl(r, "test")
    assert test_rc == 0 and "/boot/vmlinuz would load" in test_out[0], test_out
    r.wait_for(r"\[hv\] cpu\d+: capture kernel load checked, not armed \(CHECK_ONLY\)", 1)

    # The load, without arguments: what the running kernel's GRUB entry stages, from
    # /etc/default/grub and /etc/default/parachute as the guest wrote them.
    assert good[1] == 0 and len(good[0]) == 2, good
    m = re.fullmatch(r"parachutectl: load from the configuration: kernel /boot/vmlinuz-(\S+), "
                     r"initrd /boot/parachute/capture-(\S+)\.img, command line \"(.*)\"",
                     good[0][0])
    assert m and m.group(1) == m.group(2) and m.group(3).endswith(f" pc.reloaded={token}"), good
    assert good[0][1] == f"parachute: capture kernel /boot/vmlinuz-{m.group(1)} loaded " \
        "(generation 1)", good
    r.wait_for(r"\[hv\] cpu\d+: capture kernel loaded \(generation 1\): 6\.\S+-amd64, kernel "
               r"\d+ and initrd \d+ bytes, SHA-256", 1)
    m = r.wait_for(rf"\[hv\] cpu\d+: capture kernel command line \"(.* pc\.reloaded={token})\"", 1)
    assert after[1] == 0
    assert any("generation 1," in line for line in after[0]), after
    assert f"command line: {m.group(1)}" in after[0], after
    assert len(r.all(r"\[hv\] cpu\d+: capture kernel loaded")) == 1

    # The crash boots what was loaded, which checks whole and saves the dump.
    assert not r.all(r"capture region corrupted|capture failed")
    r.wait_for(rf"PCG: capture kernel command line: .* pc\.reloaded={token} elfcorehdr=", 1)
    assert f"parachute-token: {token}" in dmesg(info["path"])
    assert vm.prstatus, "no NT_PRSTATUS note"
    # The load's own time, in the guest's clock: 0.4 s measured (docs/benchmarks.md);
    # ten times that is a load gone wrong (a hypercall per page, say).
    secs = float(r.wait_for(r"PCG: reload took ([\d.]+)s", 1).group(1))
    assert 0 < secs < 4, f"the reload of a Debian kernel and initrd took {secs:.2f}s"


def test_reload_racing_a_crash_is_captured_whole(build):
    # The last vCPU loads back to back; the crash comes on CPU 0 meanwhile.
    r, vm, token, info = crash_and_capture(build, "reload-race", "sysrq", smp=2,
                                           guest_extra="pc.reload=race",
                                           guest_initrd=kdump_initrd(build))
    assert not r.all(r"capture region corrupted|capture failed")
    done = [int(m.group(1)) for m in r.all(r"\[hv\] cpu\d+: capture kernel loaded \(generation "
                                            r"(\d+)\)")]
    assert done, "no load finished before the crash: the race was not run"
    assert done == list(range(1, len(done) + 1)), done
    begun = len(r.all(r"\[hv\] cpu\d+: capture kernel load begins"))
    m = r.wait_for(r"PCG: capture kernel command line: (.*)", 1)
    n = re.search(r" pc\.reloaded=(\d+) elfcorehdr=", m.group(1))
    # The capture kernel is the last one loaded: never an older or a partial one.
    assert n and int(n.group(1)) == done[-1], (m.group(1), done)
    assert f"parachute-token: {token}" in dmesg(info["path"])
    assert len(vm.prstatus) == 2
    # One loop loads one kernel at a time: at the crash at most one load had
    # begun and not finished (the one the crash cut short). (The hv logs a
    # vCPU's first 8 load starts, then fewer: the count holds below that.)
    if begun < 8:
        assert len(done) <= begun <= len(done) + 1, f"loads begun {begun}, finished {len(done)}"


def test_reload_lock(build):
    mods = [f"{build}/debian/vmlinuz guest console=ttyS0 quiet pc.test=reloadlock",
            f"{kdump_initrd(build)} guest-initrd",
            f"{build}/debian/vmlinuz capture console=ttyS0 pc.test=capture",
            f"{build}/initrd.cpio.gz capture-initrd"]
    with Run(build, "reload-lock", hv_args="reload=lock", modules=mods) as r:
        r.wait_for(r"PCG: done", 180)
        r.wait_exit(30)
    (first, rc0), (last, rc1) = ctl(r, "status")
    assert rc0 == rc1 == 0 and first[0] == last[0] == "parachute: ready to capture"
    assert "reload: locked" in first and "reload: locked" in last
    assert [line for line in first if "generation" in line] == \
        [line for line in last if "generation" in line]
    (load_out, load_rc), = ctl(r, "load")
    assert load_rc == 1 and "reload is locked (hv option reload=lock)" in load_out[-1], load_out
    (unload_out, unload_rc), = ctl(r, "unload")
    assert unload_rc == 1 and "reload is locked" in unload_out[-1], unload_out
    r.wait_for(r"\[hv\] WARNING: cpu\d+: LOAD_BEGIN refused: reload=lock keeps the capture kernel of boot", 1)
    r.wait_for(r"\[hv\] WARNING: cpu\d+: UNLOAD refused: reload=lock", 1)
