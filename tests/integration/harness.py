# SPDX-License-Identifier: GPL-2.0-only
"""QEMU runs for the integration tests: start the shim (or a kernel directly),
read the serial console line by line, answer prompts, and collect the log.

Every run's console log is kept under BUILD/logs/NAME.log for inspection. A
run's name is its own: two runs (two tests under pytest-xdist) with the same
name at the same time is an error, since they would share the log, the
monitor socket and the disk images named after it.
"""
import fcntl
import os
import re
import socket
import subprocess
import threading
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")


def _abi():
    """The hypercall ABI this tree builds (include/parachute/abi.h): (major, minor)."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "include", "parachute", "abi.h")) as f:
        text = f.read()
    return tuple(int(re.search(rf"#define PARACHUTE_ABI_{w}\s+(\d+)", text).group(1))
                 for w in ("MAJOR", "MINOR"))


ABI_MAJOR, ABI_MINOR = _abi()
ABI = rf"{ABI_MAJOR}\.{ABI_MINOR}"            # as the guest prints it, for a regex
ABI_VERSION = ABI_MAJOR << 16 | ABI_MINOR    # as VERSION returns it
# AMD SVM with nested paging under TCG (QEMU 7.2 warns that it lacks nrip-save).
CPU = "qemu64,+svm,+npt,+nrip-save"
# Waits on a running guest are this much longer when guests share the CPUs
# (conftest.py sets it for two pytest-xdist workers).
TIMEOUT_SCALE = float(os.environ.get("PARACHUTE_TIMEOUT_SCALE", "1"))


class Run:
    """One QEMU instance with the serial port on stdio."""

    def __init__(self, build, name, *, hv_args="", guest_args="", modules=None,
                 kernel=None, smp=1, mem="1G", direct=False, extra=None, monitor=False,
                 initrd=None, reboot=False):
        self._start_log(build, name)
        self.monitor_path = f"{build}/logs/{name}.monitor"
        self.has_monitor = monitor
        cmd = [QEMU, "-accel", "tcg", "-cpu", CPU, "-m", mem, "-smp", str(smp),
               "-display", "none", "-serial", "stdio", "-monitor",
               f"unix:{self.monitor_path},server=on,wait=off" if monitor else "none"]
        if not reboot:  # a reset ends the run; with reboot, the machine starts again
            cmd += ["-no-reboot"]
        if direct:
            # The same kernel and initrd booted by QEMU itself, for comparison.
            cmd += ["-kernel", f"{build}/debian/vmlinuz",
                    "-initrd", initrd or f"{build}/initrd.cpio.gz",
                    "-append", f"console=ttyS0 {guest_args}".strip()]
        elif modules == []:
            pass  # the firmware boots what extra gives (a GRUB ISO)
        else:
            if modules is None:
                modules = [f"{build}/debian/vmlinuz guest console=ttyS0 {guest_args}".strip(),
                           f"{build}/initrd.cpio.gz guest-initrd"]
            # QEMU separates modules with commas; a literal comma is doubled.
            cmd += ["-kernel", kernel or f"{build}/parachute.elf",
                    "-initrd", ",".join(m.replace(",", ",,") for m in modules)]
            if hv_args:
                cmd += ["-append", hv_args]
        cmd += extra or []
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _start_log(self, build, name):
        """The console line store, its clock, and build/logs/NAME.log."""
        self.build = build
        self.name = name
        self.lines = []
        self.cond = threading.Condition()
        self.started = time.monotonic()
        self.stamps = []
        os.makedirs(f"{build}/logs", exist_ok=True)
        # Locked before it is truncated: a second run of the same name fails
        # here instead of writing into the first one's files.
        self.logfile = open(f"{build}/logs/{name}.log", "a")
        try:
            fcntl.flock(self.logfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.logfile.close()
            raise AssertionError(f"run name {name!r} is in use by another run at the same "
                                 "time: give each run its own name") from None
        self.logfile.truncate(0)

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self.cond:
                self.lines.append(line)
                self.stamps.append(time.monotonic() - self.started)
                self.logfile.write(line + "\n")
                self.logfile.flush()
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _tail_file(self, path, finished, split=None):
        """The console from a serial port written to the file at path (Bochs,
        libvirt), read until finished() and nothing is left; split(line) may
        turn a line into several."""
        pending = b""
        f = None
        while True:
            done = finished()
            if f is None and os.path.exists(path):
                f = open(path, "rb")
            chunk = f.read() if f else b""
            if chunk:
                pending += chunk
                *full, pending = pending.split(b"\n")
                with self.cond:
                    for raw in full:
                        line = raw.decode("utf-8", "replace").rstrip("\r")
                        for part in split(line) if split else (line,):
                            self.lines.append(part)
                            self.stamps.append(time.monotonic() - self.started)
                            self.logfile.write(part + "\n")
                    self.logfile.flush()
                    self.cond.notify_all()
            elif done:
                break
            else:
                time.sleep(0.2)
        if f:
            f.close()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, timeout=120):
        """Return the first match of pattern in a console line (from the start)."""
        rx = re.compile(pattern)
        timeout *= TIMEOUT_SCALE
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (not self.alive() and not self.reader.is_alive()):
                    raise AssertionError(f"{self.name}: no console line matching {pattern!r} "
                                         f"within {timeout:g}s (log: {self.logfile.name})"
                                         + self._stalled())
                self.cond.wait(min(left, 1.0))

    def wait_for_count(self, pattern, count, timeout=120):
        """Return the count-th match of pattern (from the start), waiting for it."""
        rx = re.compile(pattern)
        timeout *= TIMEOUT_SCALE
        deadline = time.monotonic() + timeout
        seen, found = 0, 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        found += 1
                        if found == count:
                            return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (not self.alive() and not self.reader.is_alive()):
                    raise AssertionError(f"{self.name}: {found} of {count} console lines "
                                         f"matching {pattern!r} within {timeout:g}s "
                                         f"(log: {self.logfile.name})" + self._stalled())
                self.cond.wait(min(left, 1.0))

    def _stalled(self, lines=8):
        """What a timed-out wait saw last: the console's last lines, each with
        its seconds since QEMU started, and, when the run has a monitor, where
        each CPU was, twice a second apart (a CPU spinning in one place shows
        the same RIP). Caller holds self.cond."""
        now = time.monotonic() - self.started
        out = [f"\n  last console lines ({now:.0f}s since QEMU started):"]
        for line, t in list(zip(self.lines, self.stamps))[-lines:]:
            out.append(f"  [{t:7.1f}s] {line.rstrip()[:160]}")
        if getattr(self, "has_monitor", False) and self.alive():
            try:
                for _ in range(2):
                    regs = self.hmp("info registers -a")
                    out += ["  " + l.strip() for l in regs.splitlines()
                            if re.match(r"\s*(CPU#|RIP=|CS =|CR0=)", l)]
            except OSError as e:
                out.append(f"  (monitor: {e})")
        return "\n".join(out)

    def time_of(self, pattern):
        """Seconds from QEMU start to the first line matching pattern."""
        rx = re.compile(pattern)
        with self.cond:
            for line, t in zip(self.lines, self.stamps):
                if rx.search(line):
                    return t
        raise AssertionError(f"{self.name}: {pattern!r} never printed")

    def times_of(self, pattern):
        """Seconds from QEMU start to every line matching pattern."""
        rx = re.compile(pattern)
        with self.cond:
            return [t for line, t in zip(self.lines, self.stamps) if rx.search(line)]

    def all(self, pattern):
        rx = re.compile(pattern)
        with self.cond:
            return [m for m in (rx.search(line) for line in self.lines) if m]

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def hmp(self, command, timeout=10):
        """Send one command to the QEMU monitor (as an operator would) and
        return its output, read up to the monitor's next prompt."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.monitor_path)
            _read_prompt(s, timeout)  # the banner
            s.sendall(command.encode() + b"\n")
            out = _read_prompt(s, timeout)
        # The monitor echoes the command line first, and ends with its prompt.
        return out.split("\n", 1)[-1][:-len("(qemu) ")].strip("\n") + "\n"

    def cpus(self):
        """Each CPU's state from the monitor (info registers -a), in CPU
        order: {"rip", "rflags", "halted", "cpl"}. Under the hv, a CPU in
        guest mode shows the guest's registers, in host mode the hv's."""
        out, cpus = self.hmp("info registers -a"), []
        for m in re.finditer(r"[RE]IP=([0-9a-f]+) [RE]FL=([0-9a-f]+) .*?CPL=(\d).*?HLT=(\d)", out):
            cpus.append({"rip": int(m.group(1), 16), "rflags": int(m.group(2), 16),
                         "cpl": int(m.group(3)), "halted": m.group(4) == "1"})
        assert cpus, f"{self.name}: no registers in the monitor's answer: {out[:300]!r}"
        return cpus

    def wait_cpus(self, predicate, what, timeout=60):
        """Poll the CPUs' state (cpus()) until predicate(cpus) holds; what
        names the state for the message if it never does."""
        deadline = time.monotonic() + timeout * TIMEOUT_SCALE
        while True:
            cpus = self.cpus()
            if predicate(cpus):
                return cpus
            if time.monotonic() > deadline or not self.alive():
                raise AssertionError(f"{self.name}: {what}: not within {timeout}s; CPUs: " +
                                     ", ".join(f"rip {c['rip']:#x} cpl {c['cpl']} "
                                               f"{'halted' if c['halted'] else 'running'}"
                                               for c in cpus))
            time.sleep(0.1)

    def assert_halted(self, samples=5, interval=0.5):
        """Halted for good, not reset and not spinning: QEMU (-no-reboot) is
        up, and in every sample every CPU sits in HLT with interrupts off at
        the same RIP, from which only an NMI, INIT or SMI would wake it; the
        console stays silent meanwhile. Needs the run's monitor."""
        assert self.has_monitor, f"{self.name}: assert_halted needs Run(monitor=True)"
        # The halt message may be read while the hv still writes its last
        # characters (a busy UART under two guests): up to 2 s to reach HLT.
        settle = time.monotonic() + 2 * TIMEOUT_SCALE
        while time.monotonic() < settle and self.alive() and \
                not all(c["halted"] for c in self.cpus()):
            time.sleep(0.1)
        first, lines = None, len(self.lines)
        for i in range(samples):
            if i:
                time.sleep(interval)
            assert self.alive(), f"{self.name}: QEMU exited: the machine reset instead of halting"
            cpus = self.cpus()
            for n, c in enumerate(cpus):
                assert c["halted"], f"{self.name}: cpu{n} is not halted (rip {c['rip']:#x})"
                assert not c["rflags"] & 0x200, \
                    f"{self.name}: cpu{n} halted with interrupts on (rflags {c['rflags']:#x})"
            rips = [c["rip"] for c in cpus]
            assert first is None or rips == first, \
                f"{self.name}: the CPUs moved while halted: {first} then {rips}"
            first = rips
        assert len(self.lines) == lines, \
            f"{self.name}: the console went on after the halt: {self.lines[lines:][:5]}"

    def wait_exit(self, timeout=60):
        """QEMU's exit status, once it has exited (a power-off or, under
        -no-reboot, a reset)."""
        timeout *= TIMEOUT_SCALE
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name}: QEMU still running after {timeout:g}s "
                                 f"(log: {self.logfile.name})")

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        self.logfile.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _read_prompt(s, timeout):
    """What the monitor sends up to and including its "(qemu) " prompt."""
    buf, deadline = b"", time.monotonic() + timeout
    while not buf.endswith(b"(qemu) "):
        if time.monotonic() > deadline:
            raise OSError(f"no monitor prompt within {timeout}s: {buf[-200:]!r}")
        chunk = s.recv(65536)
        if not chunk:
            raise OSError(f"the monitor closed the connection: {buf[-200:]!r}")
        buf += chunk
    return buf.decode(errors="replace").replace("\r", "")


def hidden_ranges(run):
    """The hidden ranges the hv announced: [(start, end_inclusive, what)]."""
    return [(int(m.group(1), 16), int(m.group(2), 16), m.group(3))
            for m in run.all(r"\[hv\] hidden: 0x([0-9a-f]+)-0x([0-9a-f]+) (.+?) \(")]


def overlaps(a0, a1, b0, b1):
    """Inclusive ranges overlap."""
    return a0 <= b1 and b0 <= a1
