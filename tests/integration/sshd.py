# SPDX-License-Identifier: GPL-2.0-only
"""A real OpenSSH server for the SSH dump target tests: Debian's sshd
(ci/fetch-sshd.sh unpacks it into build/sshd, never installed), on
127.0.0.1 at a free port, which a guest on QEMU's user network reaches as
10.0.2.2. It runs as root in a mount namespace of its own: there its
/etc/passwd has the privilege separation user sshd wants, /run is a tmpfs,
and with full=True the dump directory is a 1 MiB tmpfs (a disk that fills);
nothing of the host changes. Only the key given may log in."""
import os
import shutil
import socket
import subprocess
import time


class SshServer:
    def __init__(self, build, name, authorized_key, full=False):
        self.dir = os.path.abspath(f"{build}/logs/{name}-sshd")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(f"{self.dir}/dumps")
        self.dumps = f"{self.dir}/dumps"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        f"{self.dir}/hostkey"], check=True)
        shutil.copy(authorized_key, f"{self.dir}/authorized_keys")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        with open(f"{self.dir}/sshd_config", "w") as f:
            f.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.dir}/hostkey\n"
                    f"AuthorizedKeysFile {self.dir}/authorized_keys\n"
                    f"PidFile {self.dir}/sshd.pid\nPermitRootLogin prohibit-password\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                    "StrictModes no\nLogLevel VERBOSE\n")
        with open("/etc/passwd") as src, open(f"{self.dir}/passwd", "w") as dst:
            dst.write(src.read() + "sshd:x:64999:65534::/run/sshd:/usr/sbin/nologin\n")
        script = (f"mount --bind {self.dir}/passwd /etc/passwd && mount -t tmpfs tmpfs /run && "
                  "mkdir -m 755 /run/sshd && " +
                  (f"mount -t tmpfs -o size=1m tmpfs {self.dumps} && " if full else "") +
                  f"exec {os.path.abspath(build)}/sshd/sshd -D -e -f {self.dir}/sshd_config")
        self.log = open(f"{self.dir}/sshd.log", "w")
        self.proc = subprocess.Popen(["unshare", "-m", "sh", "-c", script],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"sshd did not start: {open(self.log.name).read()}")
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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()
