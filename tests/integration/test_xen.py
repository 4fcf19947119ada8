# SPDX-License-Identifier: GPL-2.0-only
"""xl-kdump on Xen 4.17 (Debian's packages) under QEMU TCG with SVM and NPT:
dom0 arms a 2-vCPU PVH domU with xl-kdump, the domU writes into the staged
capture memory and then crashes with sysrq-c, xl-kdump's watch starts the
capture kernel in the domU's own memory, which saves the vmcore with
makedumpfile on the domU's dump disk (a vbd whose backend is dom0's second
virtio disk) for this test to read. A hung domU crashed with xl-kdump
trigger hands its dump back through xl-kdump's dump area instead. One boot
(tests/xen/dom0-init, tests/xen/domu-init) serves every test here; each
checks its own part of it. A boot that failed fails the others at once
(shared.py), with no second boot."""
import os
import random
import re
import subprocess

import pytest

import shared
from capture import compress, dmesg
from harness import TIMEOUT_SCALE, Run
from vmcore import Vmcore
from xen import XEN_ARGS

# One worker runs them all, in order: they read one boot, of about 200 s
# alone. The test waits XEN_WAIT (times the harness's scale) for it; dom0
# gets that less 90 s for its own steps, so that a step that runs out is
# reported by dom0 first. The test that boots has that and its own checks.
XEN_WAIT = int(480 * TIMEOUT_SCALE)
DOM0_BUDGET = XEN_WAIT - 90
pytestmark = [pytest.mark.xdist_group("xen"), pytest.mark.timeout(XEN_WAIT + 300)]

START_INFO_MAGIC = 0x336EC578


def xen_capture(build):
    """Boot Xen, dom0 and the domU once; returns (run, token, vmcore path or
    None). Prints the steps of dom0's that ran out of time (pytest shows a
    failed test's output)."""
    r, token, vmcore = shared.once(("xen", build), lambda: _boot(build))
    for m in r.all(r"XK0: TIMEOUT.*"):
        print(m.group(0))
    return r, token, vmcore


def _boot(build):
    dom0 = f"{build}/xen/dom0.cpio.gz"
    assert os.path.exists(dom0), f"{dom0} missing: make {dom0} (make integration builds it)"
    token = f"{random.getrandbits(32):08x}"
    disk = f"{build}/xen/dump.img"
    if os.path.exists(disk):
        os.unlink(disk)
    with open(disk, "wb") as f:
        f.truncate(384 << 20)  # the trigger's dump, from the dump area, at 192 MiB
    domu_disk = f"{build}/xen/domu-dump.img"  # the domU's dump disk, a vbd
    if os.path.exists(domu_disk):
        os.unlink(domu_disk)
    with open(domu_disk, "wb") as f:
        f.truncate(256 << 20)
    extra = ["-machine", "q35", "-nodefaults", "-kernel", f"{build}/xen/xen", "-append", XEN_ARGS,
             "-initrd", f"{build}/debian/vmlinuz console=hvc0 earlyprintk=xen xk.token={token} "
             f"xk.mode=scribble xk.budget={DOM0_BUDGET},{build}/xen/dom0.cpio.gz",
             "-drive", f"file={disk},if=virtio,format=raw",
             "-drive", f"file={domu_disk},if=virtio,format=raw"]
    r = Run(build, "xen-capture", modules=[], mem="1536M", extra=extra, monitor=True)
    try:
        # dom0's own waits end well within this one (xk.budget, tests/xen/dom0-init).
        r.wait_for(r"XK0: done", XEN_WAIT / TIMEOUT_SCALE)
        r.wait_exit(30)
    finally:
        r.close()
    # dom0's refusal to go on without lpj= fails every test; a step of dom0's
    # that ran out of time fails the tests that check that step's lines.
    refused = [m.group(0) for m in r.all(r"XK0: ERROR.*")]
    assert not refused, "; ".join(refused) + f" (log: {r.logfile.name})"
    vmcore = None
    with open(domu_disk, "rb") as f:
        m = re.match(rb"XLKDUMP1 (\d+)\n", f.read(64))
    if m:  # the capture kernel's header: the stream follows it
        vmcore = _rebuild(domu_disk, 4096, int(m.group(1)), f"{build}/xen/vmcore")
    return r, token, vmcore


def _rebuild(disk, offset, size, vmcore):
    """The capture kernel wrote makedumpfile's flattened stream (-F -E): rebuild the ELF file."""
    flat = vmcore + ".flat"
    with open(disk, "rb") as src, open(flat, "wb") as dst:
        src.seek(offset)
        dst.write(src.read(size))
    if os.path.exists(vmcore):
        os.unlink(vmcore)
    with open(flat, "rb") as f:
        subprocess.run(["makedumpfile", "-R", vmcore], stdin=f, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return vmcore


def test_xen_pvh_capture(build):
    r, token, path = xen_capture(build)
    # The domU's delay loop comes from dom0 (lpj=), not from a calibration that
    # spins on jiffies and was seen to stall the whole machine (docs/testing.md).
    assert r.all(r"XK0: the domU delay loop: lpj=\d+$"), "the domU calibrates its delay loop"
    assert r.all(r"XK0: xl-kdump: domain \d+ armed"), "xl-kdump load did not arm the domU"
    assert r.all(r"DOMU: XKG: userspace reached, mode scribble, 2 cpu\(s\) online")
    assert r.all(r"XK0: watch: xl-kdump: domain \d+ crashed: vCPU 0 at rip 0x[0-9a-f]+, 2 vCPUs")
    assert r.all(r"DOMU: XKC: capture kernel up"), "the capture kernel did not reach userspace"
    # The crashed kernel had connected the vbd; the capture kernel connected it again.
    assert r.all(r"DOMU: XKG: dump disk xvda, 268435456 bytes"), "the domU has no dump disk"
    assert r.all(r"DOMU: XKC: saving to the dump disk xvda"), "the capture kernel has no dump disk"
    assert path, "no dump on the domU's dump disk"
    assert r.all(r"XK0: the domU's dump disk starts: XLKDUMP1 \d+"), "dom0 does not see the dump"
    vm = Vmcore(path)
    try:
        # One NT_PRSTATUS per vCPU, read from Xen, and the guest's own VMCOREINFO.
        assert len(vm.prstatus) == 2, f"{len(vm.prstatus)} NT_PRSTATUS notes"
        assert vm.vmcoreinfo.get("OSRELEASE"), "no VMCOREINFO in the vmcore"
        for regs in vm.prstatus:
            assert regs["rip"] >= 0xffffffff80000000, f"rip {regs['rip']:#x} is not kernel text"
        pages = [(int(m.group(1), 16), int(m.group(2), 16))
                 for m in r.all(r"DOMU: XKG: patterns: page (0x[0-9a-f]+) value (0x[0-9a-f]+)")]
        assert len(pages) == 16, pages
        for pa, value in pages:
            data = vm.read_phys(pa, 4096)
            assert data is not None, f"page {pa:#x} is not in the vmcore"
            assert data == value.to_bytes(8, "little") * 512, f"page {pa:#x} lost its pattern"
    finally:
        vm.close()
    log = dmesg(path)
    assert f"xl-kdump-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    assert "sysrq: Trigger a crash" in log and "Kernel panic" in log, "no panic in the dmesg"
    compress(path)  # makedumpfile -d 31 from the vmcore's own VMCOREINFO


def test_xen_load_errors_and_unload(build):
    """Bad kernels, dom0, usage, double load, unload: the messages and exit codes."""
    r, _, _ = xen_capture(build)

    def result(what):
        m = r.all(rf"XK0: {what}: exit (\d+): (.*)")
        assert m, f"no '{what}' line"
        return int(m[0].group(1)), m[0].group(2)

    assert result("status unarmed") == (3, "domain 1: not armed")
    rc, msg = result("load busybox")  # an ELF file, but no kernel
    assert rc == 1 and "no PVH entry" in msg, msg
    rc, msg = result("load cpio")
    assert rc == 1 and "not a Linux bzImage" in msg, msg
    rc, msg = result("load truncated")
    assert rc == 1 and "truncated" in msg, msg
    rc, msg = result("load dom0")
    assert rc == 1 and "domain 0 cannot be armed" in msg, msg
    rc, msg = result("load usage")
    assert rc == 2 and "--kernel is required" in msg, msg
    rc, msg = result("load")
    assert rc == 0 and "armed" in msg, msg
    rc, msg = result("load again")
    assert rc == 1 and "already armed" in msg, msg
    assert result("unload")[0] == 0
    assert result("status unloaded")[0] == 3
    # Armed again after the unload: the capture test's run used that load.
    assert r.all(r"XK0: xl-kdump: domain \d+ armed")


def test_xen_staged_memory_readonly(build):
    r, _, _ = xen_capture(build)
    seen = r.all(r"DOMU: XKG: scribble (0x[0-9a-f]+) before (0x[0-9A-F]+) after (0x[0-9A-F]+)")
    assert len(seen) == 3, "the domU did not write into the staged memory"
    for m in seen:
        assert m.group(2) == m.group(3), f"{m.group(1)}: the guest's write changed it"
    # The first address is the start info page: the guest reads it, cannot change it.
    assert int(seen[0].group(2), 16) == START_INFO_MAGIC, seen[0].group(0)
    assert r.all(r"XK0: status after scribble: exit 0")
    assert r.all(r"XK0: status: .*SHA-256 as loaded")
    assert not r.all(r"CHANGED since load")
    # And the capture kernel the guest wrote over still ran.
    assert r.all(r"DOMU: XKC: capture kernel up")


def test_xen_trigger_hung_guest(build):
    """xl-kdump trigger on a hung (idle) armed domU: Xen stops its vCPUs where
    they are, the capture records them, and the vmcore has no panic in it."""
    r, token, _ = xen_capture(build)
    # Staged above 4 GiB (--base 5G); the initrd is copied under 4 GiB at the crash.
    assert r.all(r"XK0: domu3: xl-kdump: domain \d+ armed: .* staged at 0x140000000-"), \
        "domu3 was not armed above 4 GiB"
    assert r.all(r"DOMU3: XKG: hanging")
    assert r.all(r"XK0: trigger: exit 0: xl-kdump: domain \d+: crashed on request")
    assert len(r.all(r"XK0: watch3: xl-kdump: domain \d+ crashed: vCPU \d at rip")) == 2
    m = r.all(r"XK0: trigger dump (\d+) bytes on vda at 192 MiB")
    assert m, "no dump came back from the triggered capture"
    path = _rebuild(f"{build}/xen/dump.img", 192 << 20, int(m[0].group(1)),
                    f"{build}/xen/vmcore-trigger")
    vm = Vmcore(path)
    try:
        assert len(vm.prstatus) == 2, f"{len(vm.prstatus)} NT_PRSTATUS notes"
        for regs in vm.prstatus:
            assert regs["rip"] >= 0xffffffff80000000, f"rip {regs['rip']:#x} is not kernel text"
    finally:
        vm.close()
    log = dmesg(path)
    assert f"xl-kdump-token: {token}" in log, "the token is not in the triggered vmcore's dmesg"
    assert "Kernel panic" not in log, "a triggered crash has no panic"


def test_xen_then_destroy_and_restart(build):
    """load --then: the captured domU is destroyed (destroy), or created again
    from its config, armed again and unpaused (restart). The restarted
    domain's boot is the first one's again and is not waited for."""
    r, _, _ = xen_capture(build)
    m = r.all(r"XK0: watch: xl-kdump: domain (\d+) destroyed after its capture \(--then destroy\)")
    assert m, "the captured domU was not destroyed"
    assert not [x for x in r.all(r"XK0: xl list: (\S+) ") if x.group(1) == "domu"], \
        "domu is still listed after --then destroy"
    old = r.all(r"XK0: watch3: xl-kdump: domain (\d+) destroyed after its capture "
                r"\(--then restart\)")
    assert old, "the triggered domU was not destroyed before its restart"
    new = r.all(r"XK0: watch3: xl-kdump: domain (\d+) restarted as domain (\d+) from "
                r"/tmp/domu3.cfg")
    assert new and new[0].group(1) == old[0].group(1), "domu3 was not created again"
    d = new[0].group(2)
    assert d != old[0].group(1)
    assert r.all(rf"XK0: watch3: xl-kdump: domain {d} armed: kernel /xen/vmlinuz.* staged at "
                 r"0x140000000-"), "the restarted domU was not armed again where it was"
    m = r.all(r"XK0: restarted: xl list: domu3 +(\d+) +\d+ +\d+ +(\S+)")
    assert m and m[0].group(1) == d, "domu3 is not listed as the new domain"
    assert "p" not in m[0].group(2), f"the restarted domU is still paused: {m[0].group(2)}"
    assert r.all(rf"XK0: restarted: domain {d}: armed")
    assert r.all(r"XK0: restarted:   then: restart from /tmp/domu3.cfg")
