# SPDX-License-Identifier: GPL-2.0-only
"""QEMU runs for the integration tests: start the shim (or a kernel directly),
read the serial console line by line, answer prompts, and collect the log.

Every run's console log is kept under BUILD/logs/NAME.log for inspection.
"""
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
        self.logfile = open(f"{build}/logs/{name}.log", "w")

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
                                         f"within {timeout}s (log: {self.logfile.name})"
                                         + self._stalled())
                self.cond.wait(min(left, 1.0))

    def wait_for_count(self, pattern, count, timeout=120):
        """Return the count-th match of pattern (from the start), waiting for it."""
        rx = re.compile(pattern)
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
                                         f"matching {pattern!r} within {timeout}s "
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

    def hmp(self, command):
        """Send one command to the QEMU monitor (as an operator would)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.monitor_path)
            s.settimeout(5)
            s.recv(4096)  # banner and prompt
            s.sendall(command.encode() + b"\n")
            time.sleep(0.5)
            return s.recv(4096).decode(errors="replace")

    def wait_exit(self, timeout=60):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name}: QEMU still running after {timeout}s "
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


def hidden_ranges(run):
    """The hidden ranges the hv announced: [(start, end_inclusive, what)]."""
    return [(int(m.group(1), 16), int(m.group(2), 16), m.group(3))
            for m in run.all(r"\[hv\] hidden: 0x([0-9a-f]+)-0x([0-9a-f]+) (.+?) \(")]


def overlaps(a0, a1, b0, b1):
    """Inclusive ranges overlap."""
    return a0 <= b1 and b0 <= a1
