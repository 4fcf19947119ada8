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
import subprocess

from netserver import NamespacedServer, free_port


class SshServer(NamespacedServer):
    def __init__(self, build, name, authorized_key, full=False):
        self.dir = os.path.abspath(f"{build}/logs/{name}-sshd")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(f"{self.dir}/dumps")
        self.dumps = f"{self.dir}/dumps"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        f"{self.dir}/hostkey"], check=True)
        shutil.copy(authorized_key, f"{self.dir}/authorized_keys")
        self.port = free_port()
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
        self.start("sshd", script)
