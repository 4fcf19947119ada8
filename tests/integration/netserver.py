# SPDX-License-Identifier: GPL-2.0-only
"""What the dump target servers of the network tests share (sshd.py,
nfsd.py): a real server run as root in a mount namespace of its own, so
that what it needs mounted (a tmpfs /run, a passwd, a small disk that fills)
changes nothing of the host, on 127.0.0.1 at a free port that a guest on
QEMU's user network reaches as 10.0.2.2; its dump directory read as the
server sees it."""
import os
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NamespacedServer:
    """Subclasses set self.dir, self.dumps and self.port, then call start()."""

    def start(self, what, script):
        """Run the shell script (which execs the server) in a new mount
        namespace; return once the port takes connections."""
        self.log = open(f"{self.dir}/{what}.log", "w")
        self.proc = subprocess.Popen(["unshare", "-m", "sh", "-c", script],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"{what} did not start: {open(self.log.name).read()}")
                time.sleep(0.2)

    def files(self):
        """Every file under the dump directory, as the server sees it (its namespace)."""
        out = subprocess.run(["nsenter", "-t", str(self.proc.pid), "-m", "find", self.dumps,
                              "-type", "f"], capture_output=True, text=True, check=True).stdout
        return sorted(os.path.relpath(p, self.dumps) for p in out.split())

    def read(self, path):
        """A file under the dump directory, as the server sees it."""
        return subprocess.run(["nsenter", "-t", str(self.proc.pid), "-m", "cat",
                               f"{self.dumps}/{path}"], capture_output=True,
                              check=True).stdout

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
