# SPDX-License-Identifier: GPL-2.0-only
"""libvirt, with a real libvirtd and virtlogd (tests/integration/libvirt.py):
the domain docs/libvirt.md gives, defined with virsh, boots the guest under
the shim; `virsh inject-nmi` while a task spins starts a capture; the
capture kernel saves the vmcore, which holds the run's token; the domain ends
shut off, as its on_reboot says."""
import os
import secrets

import pytest

from capture import CAPTURE_ARGS, dmesg, dump_disk, rebuild
from libvirt import DomainRun, Libvirtd, doc_domain, virsh


# One libvirtd at a time: any other test that starts one goes in this group.
@pytest.mark.xdist_group("libvirt")
def test_libvirt_inject_nmi_captured(build):
    build = os.path.abspath(build)  # libvirt's QEMU runs elsewhere: absolute file names
    name = "parachute-test-libvirt"
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    mods = [f"{build}/debian/vmlinuz guest console=ttyS0 quiet pc.test=crash pc.trigger=spin "
            f"pc.token={token}",
            f"{build}/initrd.cpio.gz guest-initrd",
            f"{build}/debian/vmlinuz capture {CAPTURE_ARGS}",
            f"{build}/initrd.cpio.gz capture-initrd"]
    with Libvirtd(build), DomainRun(build, name, doc_domain("direct"), [
            (r"<kernel>[^<]*</kernel>", f"<kernel>{build}/parachute.elf</kernel>"),
            (r"<initrd>[^<]*</initrd>", f"<initrd>{','.join(mods)}</initrd>"),
            (r"<source file='[^']*'/>", f"<source file='{disk}'/>")]) as r:
        assert r.state() == "running"
        r.wait_for(r"\[hv\] loader multiboot, options \"loglevel=info\"", 60)
        r.wait_for(r"\[hv\] 2 CPUs: cpu0 runs the guest, 1 held by the hv")
        r.wait_for(r"\[hv\] capture armed: SHA-256", 60)
        # The NMI once the spinning task runs its loop on vCPU 0 (libvirt passes
        # the monitor's `info registers` through).
        m = r.wait_for(r"^spin: loop (0x[0-9a-f]+) (0x[0-9a-f]+)", 240)
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        r.wait_cpus(lambda cpus: lo <= cpus[0]["rip"] < hi, "vCPU 0 in the spin loop")
        virsh("inject-nmi", name)
        r.wait_for(r"\[hv\] ERROR: crash: operator NMI on cpu0", 30)
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 60)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        # The capture kernel reboots; <on_reboot>destroy</on_reboot> ends the domain.
        assert r.wait_exit(60) == "shut off"
    assert f"parachute-token: {token}" in dmesg(rebuild(build, disk, name))
