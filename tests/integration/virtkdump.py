# SPDX-License-Identifier: GPL-2.0-only
"""virt-kdump runs (tools/virt-kdump/, docs/kvm.md) for the tests and the
bench: the domain docs/kvm.md gives, made TCG; the tool with its state
directory; the guest's go; the watcher."""
import os
import subprocess

from capture import dump_disk
from libvirt import KVM_DOC, DomainRun, doc_domain

GUEST = "console=ttyS0 quiet pc.test=crash pc.notifier=0 pc.go=disk"
CAPTURE = "console=ttyS0 quiet reset_devices pc.test=capture"


def fresh_state(build, name):
    """An empty state directory for the run name (VIRT_KDUMP_DIR)."""
    state = f"{build}/logs/{name}-state"
    subprocess.run(["rm", "-rf", state], check=True)
    os.makedirs(state)
    return state


def tool(build, state, *args):
    p = subprocess.run([f"{build}/virt-kdump", *args], capture_output=True, text=True,
                       timeout=300, env=dict(os.environ, VIRT_KDUMP_DIR=state))
    return p.returncode, p.stdout + p.stderr


def domain(build, name, guest_args, mem_mib=512, disk_size="256M"):
    """The documented domain, for TCG, with this run's kernel, disk and log."""
    disk = dump_disk(build, name, disk_size)
    changes = [(r"<domain type='kvm'>", "<domain type='qemu'>"),
               (r"<cpu mode='host-model'>", "<cpu>"),
               (r"<memory unit='MiB'>1024</memory>", f"<memory unit='MiB'>{mem_mib}</memory>"),
               (r"memory='1024' unit='MiB'", f"memory='{mem_mib}' unit='MiB'"),
               (r"<kernel>[^<]*</kernel>", f"<kernel>{build}/debian/vmlinuz</kernel>"),
               (r"<initrd>[^<]*</initrd>", f"<initrd>{build}/initrd.cpio.gz</initrd>"),
               (r"<cmdline>[^<]*</cmdline>", f"<cmdline>{guest_args}</cmdline>"),
               (r"<on_reboot>restart</on_reboot>", "<on_reboot>destroy</on_reboot>"),
               (r"<source file='[^']*'/>", f"<source file='{disk}'/>")]
    return DomainRun(build, name, doc_domain("kvm", KVM_DOC), changes), disk


def go(disk):
    """What the waiting guest polls its dump disk for (tests/initrd/init, pc.go=disk)."""
    with open(disk, "r+b") as f:
        f.write(b"parachute-go\n")
        f.flush()
        os.fsync(f.fileno())


def arm(build, name, state, *extra):
    rc, out = tool(build, state, "load", name, "--kernel", f"{build}/debian/vmlinuz",
                   "--initrd", f"{build}/initrd.cpio.gz", "--append", CAPTURE, *extra)
    assert rc == 0 and f"domain {name} armed" in out, out
    rc, out = tool(build, state, "status", name)
    assert rc == 0 and f"{name}: armed" in out, out
    return out


def watcher(build, name, state):
    """`virt-kdump watch --foreground --once`, its output in build/logs/NAME-watch.log."""
    out = open(f"{build}/logs/{name}-watch.log", "w+")
    return subprocess.Popen([f"{build}/virt-kdump", "watch", "--foreground", "--once"],
                            stdout=out, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, VIRT_KDUMP_DIR=state)), out


def watched(watch, out, timeout):
    """watch's exit status and output, once it has exited (killed after timeout)."""
    try:
        watch.wait(timeout)
    finally:
        watch.kill()
    out.seek(0)
    return watch.wait(), out.read()
