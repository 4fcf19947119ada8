# SPDX-License-Identifier: GPL-2.0-only
"""Bochs runs (Intel VMX with EPT) booting a GRUB ISO (grub.py).

Bochs emulates a Skylake-X with VMX, EPT and unrestricted guest; QEMU's TCG
has no VMX. Debian's bochs stops in its debugger at start, so it gets an rc
file that says "c". Its display is the term library, which wants a tty: the
run goes under script(1). The serial port is a file, read as it grows.
Bochs exits when the guest powers off (ACPI soft-off is set to be fatal); a
guest reset would boot again, so runs that reboot are killed by the test.
"""
import os
import re
import subprocess
import threading

from harness import Run

BOCHS = os.environ.get("BOCHS", "bochs")
BOCHS_CPU = "corei7_skylake_x"


# A line the hv or the kernel prints whole, synchronously, in one go.
ATOMIC = re.compile(r"\[hv\] |\[ *\d+\.\d{6}\] ")


class Unsplicer:
    """Bochs's UART is slow: the guest's interrupt-driven tty output is still
    going out when the hv (or the kernel's console) prints a whole line, which
    lands in the middle of the guest's. Cut such a line out and join the two
    halves of the guest's line again."""

    def __init__(self):
        self.frag = ""

    def feed(self, line):
        m = ATOMIC.search(line, 1)
        if m:
            self.frag += line[:m.start()]
            return [line[m.start():]]
        if ATOMIC.match(line):
            return [line]
        whole, self.frag = self.frag + line, ""
        return [whole]


def descendants(pid):
    """The pids of pid's children, their children and so on (from /proc)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        parent[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        todo += kids
    return found


class BochsRun(Run):
    """One Bochs instance booting iso; the serial console is read as with QEMU."""

    def __init__(self, build, name, iso, *, cpu=BOCHS_CPU, mem_mb=1024, disk=None, cpus=1):
        self._start_log(build, name)
        logs = f"{build}/logs"
        self.serial = f"{logs}/{name}.serial"
        if os.path.exists(self.serial):
            os.unlink(self.serial)
        rc = f"{logs}/{name}.bochsrc"
        # clock sync=none: guest time follows the instruction count (ips), so a
        # run behaves the same however loaded the host is.
        conf = [f"megs: {mem_mb}",
                f"cpu: model={cpu}, count={cpus}, ips=100000000",
                "clock: sync=none, time0=local",
                "romimage: file=/usr/share/bochs/BIOS-bochs-latest",
                "vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest",
                f"ata0-master: type=cdrom, path={iso}, status=inserted",
                "boot: cdrom",
                f"com1: enabled=1, mode=file, dev={self.serial}",
                "display_library: term",
                f"log: {logs}/{name}.bochs.log",
                "panic: action=fatal", "error: action=report", "info: action=ignore"]
        self.disk = disk
        if disk:
            # Bochs locks a disk image with a .lock file; a killed run leaves it.
            if os.path.exists(disk + ".lock"):
                os.unlink(disk + ".lock")
            conf.append(f"ata0-slave: type=disk, path={disk}, mode=flat")
        with open(rc, "w") as f:
            f.write("\n".join(conf) + "\n")
        cont = f"{logs}/{name}.bochs-cmds"
        with open(cont, "w") as f:
            f.write("c\n")
        self.rc = rc
        self.cmd = ["script", "-qfec", f"{BOCHS} -q -f {rc} -rc {cont}", "/dev/null"]
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self.reader = threading.Thread(target=self._tail_file, daemon=True,
                                       args=(self.serial, lambda: self.proc.poll() is not None,
                                             Unsplicer().feed))
        self.reader.start()

    def send(self, text):
        raise NotImplementedError("the Bochs runs take no console input")

    def close(self):
        # Bochs runs in the session script(1) made for the pty, outside the
        # process group started here: it is found as script's child, by pid
        # (never by name: other Bochs runs may share this machine).
        for pid in descendants(self.proc.pid):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
        self.proc.wait()
        if self.disk and os.path.exists(self.disk + ".lock"):
            os.unlink(self.disk + ".lock")
        self.reader.join(5)
        self.logfile.close()
