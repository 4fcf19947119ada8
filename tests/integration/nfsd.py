# SPDX-License-Identifier: GPL-2.0-only
"""A real NFS server for the NFS dump target tests: Debian's NFS-Ganesha
(ci/fetch-nfsd.sh unpacks it into build/nfsd, never installed; this
machine's kernel has no nfsd), NFSv4 over TCP only (no rpcbind), exporting
a directory as /export with root not squashed, on 127.0.0.1 at a free port
(the capture initramfs is told it with PARACHUTE_NFS_OPTIONS=port=N). It
runs in a mount namespace of its own with a tmpfs /run; with full=True the
export is a 1 MiB tmpfs (a disk that fills). No grace period: a server
just started takes a new client's writes at once, as a long-running one does."""
import os
import shutil

from netserver import NamespacedServer, free_port

EXPORT = "/export"


class NfsServer(NamespacedServer):
    def __init__(self, build, name, full=False):
        build = os.path.abspath(build)
        self.dir = f"{build}/logs/{name}-nfsd"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dumps = f"{self.dir}/export"
        os.makedirs(self.dumps)
        os.makedirs(f"{self.dir}/recovery")
        self.port = free_port()
        with open(f"{self.dir}/idmapd.conf", "w") as f:
            f.write("[General]\nDomain = localdomain\n")
        with open(f"{self.dir}/ganesha.conf", "w") as f:
            f.write(f"""NFS_CORE_PARAM {{
	NFS_Port = {self.port};
	Bind_addr = 127.0.0.1;
	Protocols = 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Plugins_Dir = "{build}/nfsd/root/usr/lib/x86_64-linux-gnu/ganesha";
}}
NFSV4 {{
	Graceless = true;
	RecoveryRoot = "{self.dir}/recovery";
	Only_Numeric_Owners = true;
	IdmapConf = "{self.dir}/idmapd.conf";
}}
NFS_KRB5 {{ Active_krb5 = false; }}
EXPORT {{
	Export_Id = 1;
	Path = "{self.dumps}";
	Pseudo = "{EXPORT}";
	Access_Type = RW;
	Squash = No_Root_Squash;
	Protocols = 4;
	Transports = TCP;
	SecType = sys;
	FSAL {{ Name = VFS; }}
}}
""")
        script = ("mount -t tmpfs tmpfs /run && " +
                  (f"mount -t tmpfs -o size=1m tmpfs {self.dumps} && " if full else "") +
                  f"exec {build}/nfsd/ganesha.nfsd -F -f {self.dir}/ganesha.conf -L /dev/stdout "
                  f"-p {self.dir}/ganesha.pid -N NIV_EVENT")
        self.start("ganesha", script)
