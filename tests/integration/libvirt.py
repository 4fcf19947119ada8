# SPDX-License-Identifier: GPL-2.0-only
"""A real libvirt for the tests: Debian's libvirtd and virtlogd (packages
libvirt-daemon, libvirt-daemon-driver-qemu and libvirt-clients, without
libvirt-daemon-system, so nothing starts at boot), run as root with the
set-up a system daemon expects, and stopped by pid afterwards. Domains are
defined from the XML in docs/libvirt.md, so the documented XML is what runs."""
import os
import re
import socket
import subprocess
import threading
import time

from harness import Run

URI = "qemu:///system"
QEMU_CONF = "/etc/libvirt/qemu.conf"
MARK = "# written by parachute's tests (tests/integration/libvirt.py)\n"
# The daemons' directories, which libvirt-daemon-system would create.
DIRS = ["/var/lib/libvirt/qemu", "/var/cache/libvirt/qemu", "/var/log/libvirt/qemu",
        "/run/libvirt/qemu"]
SOCKET = "/run/libvirt/libvirt-sock"
HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "docs", "libvirt.md")
KVM_DOC = os.path.join(HERE, "..", "..", "docs", "kvm.md")


def virsh(*args, check=True):
    p = subprocess.run(["virsh", "-c", URI, *args], capture_output=True, text=True, timeout=60)
    assert not check or p.returncode == 0, f"virsh {' '.join(args)}: {p.stderr.strip()}"
    return p.stdout


class Libvirtd:
    """libvirtd and virtlogd, started for the test, stopped by pid."""

    def __init__(self, build):
        self.pids = {d: f"{build}/logs/{d}.pid" for d in ("virtlogd", "libvirtd")}

    def __enter__(self):
        running = subprocess.run(["pidof", "libvirtd"], capture_output=True).returncode == 0
        assert not running, "a libvirtd is already running; these tests start their own"
        if os.path.exists(QEMU_CONF):
            with open(QEMU_CONF) as f:
                assert f.read().startswith(MARK), \
                    f"{QEMU_CONF} is not the tests' own: they will not change it"
        for d in DIRS:
            os.makedirs(d, exist_ok=True)
        # QEMU as root, no DAC/SELinux/AppArmor relabelling (the docs say why).
        with open(QEMU_CONF, "w") as f:
            f.write(MARK + 'user = "root"\ngroup = "root"\nsecurity_driver = "none"\n')
        if subprocess.run(["id", "libvirt-qemu"], capture_output=True).returncode:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                            "/usr/sbin/nologin", "libvirt-qemu"], check=True)
        for d, pid in self.pids.items():
            subprocess.run([d, "-d", "-p", pid], check=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(SOCKET)
                break
            except OSError:
                assert time.monotonic() < deadline, "libvirtd did not open its socket in 20 s"
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        for d in ("libvirtd", "virtlogd"):
            try:
                with open(self.pids[d]) as f:
                    pid = int(f.read())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, 15)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


def doc_domain(which, doc=DOC):
    """The domain XML doc (docs/libvirt.md) gives under the marker <!-- domain: which -->."""
    with open(doc) as f:
        text = f.read()
    m = re.search(rf"<!-- domain: {which} -->\s*```xml\n(.*?)```", text, re.S)
    assert m, f"{os.path.basename(doc)} has no domain {which!r}"
    return m.group(1)


def substitute(xml, changes):
    """Replace each documented value (a regex) with the run's; each must be there."""
    for pattern, value in changes:
        xml, n = re.subn(pattern, lambda _m, v=value: v, xml)
        assert n == 1, f"docs/libvirt.md's domain: {pattern!r} found {n} times"
    return xml


class DomainRun(Run):
    """A libvirt domain defined from xml (docs/libvirt.md's, with changes),
    named name; its serial log file is read as Bochs's serial file is."""

    def __init__(self, build, name, xml, changes):
        self._start_log(build, name)
        self.serial = f"{build}/logs/{name}.serial"
        if os.path.exists(self.serial):
            os.unlink(self.serial)
        xml = substitute(xml, [(r"<name>[^<]*</name>", f"<name>{name}</name>"),
                               (r"<log file='[^']*'", f"<log file='{self.serial}'")] + changes)
        self.xml = f"{build}/logs/{name}.xml"
        with open(self.xml, "w") as f:
            f.write(xml)
        virsh("define", self.xml)
        virsh("start", name)
        self.reader = threading.Thread(target=self._tail_file, daemon=True,
                                       args=(self.serial, lambda: not self.alive()))
        self.reader.start()

    def alive(self):
        """QEMU runs: libvirt keeps its pid file until the domain stops."""
        return os.path.exists(f"/run/libvirt/qemu/{self.name}.pid")

    def state(self):
        return virsh("domstate", self.name).strip()

    def wait_exit(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.alive():
            assert time.monotonic() < deadline, \
                f"{self.name}: still {self.state()} after {timeout}s (log: {self.logfile.name})"
            time.sleep(0.5)
        return self.state()

    def send(self, text):
        raise NotImplementedError("the libvirt runs take no console input")

    def hmp(self, command, timeout=10):
        """A QEMU monitor command, through libvirt (as Run.hmp does through
        the socket): what Run.cpus() and Run.wait_cpus() read."""
        return virsh("qemu-monitor-command", "--hmp", self.name, command)

    def close(self):
        if self.alive():
            virsh("destroy", self.name, check=False)
        virsh("undefine", self.name, check=False)
        self.reader.join(5)
        self.logfile.close()
