# SPDX-License-Identifier: GPL-2.0-only
"""Dumps sent over the network by the installed capture initramfs,
parachute-mkinitrd's: over SSH (kdump-tools' SSH= and SSH_KEY=) to a real
OpenSSH server on this machine (sshd.py), and to an NFS export
(kdump-tools' NFS=) of a real NFS server, NFS-Ganesha (nfsd.py), both
reached through QEMU's user network: a captured sysrq-c whose dump on the
server holds the token and the panic (makedumpfile -R reads the SSH
stream), and the failures an operator meets first (a refused key, a host
that does not answer, a full disk on the far side), each named, reported
to the hv and leaving nothing under a dump's final name."""
import os
import re
import secrets
import socket
import subprocess
import threading

import debuggers
from capture import dmesg
from harness import Run
from nfsd import EXPORT, NfsServer
from sshd import SshServer
from test_install import capture_initrd, install, sysrq_then_capture

PANIC = "Kernel panic - not syncing: sysrq triggered crash"


def keypair(build, name):
    path = os.path.abspath(f"{build}/logs/{name}-key")
    for p in (path, path + ".pub"):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path], check=True)
    return path


def crash_sending(build, name, ssh, key, coredir, token):
    """A guest crashed with sysrq-c whose capture initramfs sends its dump to ssh."""
    return crash_with(build, name, f'SSH="{ssh}"\nSSH_KEY={key}\nKDUMP_COREDIR={coredir}\n',
                      token)


def crash_with(build, name, settings, token, path=None, netns=None):
    """A guest crashed with sysrq-c whose capture initramfs has these settings."""
    installed = install(build, f"{build}/logs/{name}-root")
    initrd = capture_initrd(build, installed, name, settings, path, netns=netns)
    return Run(build, name, modules=sysrq_then_capture(build, token, initrd,
                                                       "quiet reset_devices irqpoll"),
               extra=["-nic", "user,model=virtio-net-pci"])


def crash_mounting(build, name, port, token, more="", netns=None, host="10.0.2.2"):
    """A guest crashed with sysrq-c whose capture initramfs saves its dump on
    the NFS export at host (10.0.2.2), port port, with the unpacked mount.nfs."""
    return crash_with(build, name, f'NFS="{host}:{EXPORT}"\nPARACHUTE_NFS_OPTIONS="port={port}"\n'
                      f"{more}", token, os.path.abspath(f"{build}/nfsd/root/sbin"), netns)


# A running system with a static address on QEMU's user network (not the
# 10.0.2.15 its DHCP gives): a tap in a network namespace of its own, with
# the MAC QEMU gives the guest's first NIC; and (a mount namespace) an
# /etc/hosts that names the server dumphost.
def static(build, name):
    hosts = os.path.abspath(f"{build}/logs/{name}-hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n10.0.2.2 dumphost\n")
    return ("ip tuntap add dev eth9 mode tap && ip link set eth9 address 52:54:00:12:34:56 && "
            "ip addr add 10.0.2.20/24 dev eth9 && ip link set eth9 up && "
            f"mount --bind {hosts} /etc/hosts")


def up_to_the_target(r):
    """The crash, the capture kernel, its network: the capture initramfs's address."""
    r.wait_for(r"PCG: crashing via sysrq", 240)
    r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 60)
    return r.wait_for(r"parachute-capture: network: (\S+) has (10\.0\.2\.\d+) \(DHCP\)",
                      120).group(2)


def failed(r, why):
    """The named failure, told to the hv, which resets the machine (capture_failure=reboot)."""
    r.wait_for(rf"parachute-capture: FAILED: {why}", 120)
    r.wait_for(rf"\[hv\] ERROR: capture failed: the capture kernel reports: {why}", 60)
    r.wait_exit(60)


def judge(build, dump, token):
    """A kdump-compressed dump of the sysrq-c guest: its log, read by drgn."""
    with open(dump, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed dump"
    log = dmesg(dump)
    assert f"parachute-token: {token}" in log and PANIC in log
    v = debuggers.drgn(build, dump)
    assert v["tasks"] > 20 and 1 in v["pids"], v


def check_from_here(build, name, port, key, coredir):
    """parachute-mkinitrd -t run on this machine against the server (as
    127.0.0.1), with a root home of its own: root's known_hosts here stays."""
    conf = f"{build}/logs/{name}-check.conf"
    with open(conf, "w") as f:
        f.write(f'SSH="ssh://root@127.0.0.1:{port}"\nSSH_KEY={key}\nKDUMP_COREDIR={coredir}\n')
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../guest/parachute-mkinitrd")
    return subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs /root && "
                           f"exec {tool} -t -c {conf}"], capture_output=True, text=True)


def test_ssh_target_receives_the_dump(build):
    name = "ssh-dump"
    token = secrets.token_hex(8)
    key = keypair(build, name)
    with SshServer(build, name, key + ".pub") as srv:
        p = check_from_here(build, name, srv.port, key, srv.dumps)
        assert p.returncode == 0 and re.fullmatch(
            rf"parachute-mkinitrd: dump target ssh://root@127\.0\.0\.1:{srv.port}:"
            rf"{re.escape(srv.dumps)}: key accepted, writable, \d+ MiB free "
            r"\(this machine: \d+ MiB of RAM\)\n", p.stdout), (p.stdout, p.stderr)
        assert srv.files() == [], srv.files()  # the check leaves nothing
        ssh = f"ssh://root@10.0.2.2:{srv.port}"
        with crash_sending(build, name, ssh, key, srv.dumps, token) as r:
            ip = up_to_the_target(r)
            m = r.wait_for(rf"parachute-capture: sending {re.escape(ssh)}:{re.escape(srv.dumps)}/"
                           rf"{re.escape(ip)}-(\d{{12}})/dump\.(\d{{12}}) "
                           rf"\(makedumpfile -F -l -d 31\)", 120)
            stamp = m.group(1)
            assert m.group(2) == stamp
            r.wait_for(r"parachute-capture: saved; rebooting", 300)
            r.wait_for(rf"capture: the capture kernel saved the dump, \d+ ms after the hand-over: "
                       rf"\d+ bytes of vmcore sent to {re.escape(ssh)}:", 30)
            r.wait_exit(60)
        # kdump-tools' layout for SSH: <ip>-<stamp>/, the dump renamed once whole.
        d = f"{ip}-{stamp}"
        assert srv.files() == [f"{d}/dmesg.{stamp}", f"{d}/dump.{stamp}"], srv.files()
        with open(f"{srv.dumps}/{d}/dmesg.{stamp}", errors="replace") as f:
            log = f.read()
        assert f"parachute-token: {token}" in log and PANIC in log
        # The flattened stream, rebuilt as makedumpfile -R does, read by the debuggers.
        dump = f"{build}/logs/{name}.dump"
        if os.path.exists(dump):
            os.unlink(dump)
        with open(f"{srv.dumps}/{d}/dump.{stamp}", "rb") as f:
            subprocess.run(["makedumpfile", "-R", dump], stdin=f, check=True,
                           stdout=subprocess.DEVNULL)
    judge(build, dump, token)


def test_ssh_target_refuses_the_key(build):
    name = "ssh-refused"
    key, other = keypair(build, name), keypair(build, name + "-other")
    with SshServer(build, name, other + ".pub") as srv:
        p = check_from_here(build, name, srv.port, key, srv.dumps)
        assert p.returncode == 1 and "Permission denied" in p.stderr and \
            p.stderr.startswith(f"parachute-mkinitrd: dump target ssh://root@127.0.0.1:{srv.port}: "), \
            (p.stdout, p.stderr)
        ssh = f"ssh://root@10.0.2.2:{srv.port}"
        with crash_sending(build, name, ssh, key, srv.dumps, secrets.token_hex(8)) as r:
            up_to_the_target(r)
            failed(r, re.escape(f"authentication refused by {ssh} (SSH_KEY)"))
        assert srv.files() == [], srv.files()


def test_ssh_target_does_not_answer(build):
    name = "ssh-unreachable"
    key = keypair(build, name)
    with SshServer(build, name, key + ".pub") as srv:
        # A port where nothing listens: the connection is refused, three times.
        closed = srv.port
    ssh = f"ssh://root@10.0.2.2:{closed}"
    with crash_sending(build, name, ssh, key, "/var/crash", secrets.token_hex(8)) as r:
        up_to_the_target(r)
        r.wait_for_count(rf"parachute-capture: cannot reach {re.escape(ssh)}: .*; again in 5 s", 2,
                         60)
        failed(r, rf"cannot reach {re.escape(ssh)}: .*Connection refused")


def test_ssh_target_no_route(build):
    """No route: the running system reaches the target (192.168.77.1) through
    a gateway, 10.0.2.99, that QEMU's user network does not have; with
    PARACHUTE_NET=static the capture initramfs takes that address and
    gateway, and its connections end in "No route to host" (no ARP answer),
    three times."""
    name = "ssh-noroute"
    key = keypair(build, name)
    ssh = "ssh://root@192.168.77.1:22"
    netns = static(build, name) + " && ip route add 192.168.77.0/24 via 10.0.2.99 dev eth9"
    with crash_with(build, name, f'SSH="{ssh}"\nSSH_KEY={key}\nPARACHUTE_NET=static\n',
                    secrets.token_hex(8), netns=netns) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        r.wait_for(r"parachute-capture: network: \S+ has 10\.0\.2\.20 \(static, as the running "
                   r"system\)", 120)
        r.wait_for_count(rf"parachute-capture: cannot reach {re.escape(ssh)}: .*No route to host; "
                         "again in 5 s", 2, 90)
        failed(r, rf"cannot reach {re.escape(ssh)}: .*No route to host")


def test_ssh_target_is_full(build):
    name = "ssh-full"
    key = keypair(build, name)
    with SshServer(build, name, key + ".pub", full=True) as srv:
        ssh = f"ssh://root@10.0.2.2:{srv.port}"
        with crash_sending(build, name, ssh, key, srv.dumps, secrets.token_hex(8)) as r:
            ip = up_to_the_target(r)
            failed(r, re.escape(f"the dump target on {ssh} is full"))
        # The kernel log went first and stays; no dump, whole or partial.
        files = srv.files()
        assert len(files) == 1 and re.fullmatch(rf"{re.escape(ip)}-(\d{{12}})/dmesg\.\1",
                                                files[0]), files
        assert b"Kernel panic - not syncing" in srv.read(files[0])


def test_nfs_target_receives_the_dump(build):
    """Also PARACHUTE_NET=static: the capture initramfs takes the address of
    the running system (static()), not DHCP's, and reaches the server by the
    name the running system's /etc/hosts gives it (no DNS at capture time)."""
    name = "nfs-dump"
    token = secrets.token_hex(8)
    with NfsServer(build, name) as srv:
        # Older dumps: this machine's (10.0.2.20), which KDUMP_NUM_DUMPS=1
        # removes, and another machine's, which stays.
        for d in ("10.0.2.20-202001010000", "10.0.2.15-202001010000"):
            os.makedirs(f"{srv.dumps}/{d}")
            with open(f"{srv.dumps}/{d}/dump.202001010000", "w") as f:
                f.write("old")
        with crash_mounting(build, name, srv.port, token,
                            "KDUMP_NUM_DUMPS=1\nPARACHUTE_NET=static\n", static(build, name),
                            "dumphost") as r:
            r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
            ip = r.wait_for(r"parachute-capture: network: (\S+) has (10\.0\.2\.\d+) \(static, "
                            r"as the running system\)", 120).group(2)
            assert ip == "10.0.2.20", ip
            r.wait_for(rf"parachute-capture: mounted dumphost:{EXPORT} \(nolock,tcp,soft,"
                       rf"timeo=600,retrans=3,retry=0,port={srv.port}\)", 60)
            m = r.wait_for(rf"parachute-capture: saving dumphost:{EXPORT}/{re.escape(ip)}-(\d{{12}})"
                           rf"/dump\.(\d{{12}}) \(makedumpfile -l -d 31\)", 60)
            stamp = m.group(1)
            assert m.group(2) == stamp
            r.wait_for(r"KDUMP_NUM_DUMPS=1: dumphost:/export/10\.0\.2\.20-202001010000 removed",
                       300)
            r.wait_for(r"parachute-capture: saved; rebooting", 60)
            r.wait_for(rf"capture: the capture kernel saved the dump, \d+ ms after the hand-over: "
                       rf"\d+ bytes of vmcore saved to dumphost:{EXPORT}", 30)
            r.wait_exit(60)
        d = f"{ip}-{stamp}"
        assert srv.files() == sorted(["10.0.2.15-202001010000/dump.202001010000",
                                      f"{d}/dmesg.{stamp}", f"{d}/dump.{stamp}"]), srv.files()
    with open(f"{srv.dumps}/{d}/dmesg.{stamp}", errors="replace") as f:
        log = f.read()
    assert f"parachute-token: {token}" in log and PANIC in log
    judge(build, f"{srv.dumps}/{d}/dump.{stamp}", token)


class SilentServer:
    """A TCP port that takes connections and never answers: an NFS server
    that hangs. Each connection is held until the server stops."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()
        for c in self.held:
            c.close()


def test_nfs_target_does_not_answer(build):
    name = "nfs-silent"
    with SilentServer() as srv:
        # NFS_TIMEO in tenths of a second, as mount's timeo=: 1 s, once retried.
        with crash_mounting(build, name, srv.port, secrets.token_hex(8),
                            "NFS_TIMEO=10\nNFS_RETRANS=1\n") as r:
            up_to_the_target(r)
            # Each try waits NFS_TIMEO once and once more (NFS_RETRANS).
            r.wait_for_count(rf"parachute-capture: NFS mount of 10\.0\.2\.2:{EXPORT} timed out "
                             r"\(no answer in [1-9] s\); again in 5 s", 2, 90)
            failed(r, rf"NFS mount of 10\.0\.2\.2:{EXPORT} timed out \(no answer in [1-9] s\)")
        assert srv.held, "the capture kernel never connected"


def test_nfs_target_is_full(build):
    name = "nfs-full"
    with NfsServer(build, name, full=True) as srv:
        with crash_mounting(build, name, srv.port, secrets.token_hex(8)) as r:
            ip = up_to_the_target(r)
            failed(r, rf"the dump target on 10\.0\.2\.2:{EXPORT} is full \(the kernel log is in "
                   rf"10\.0\.2\.2:{EXPORT}/{re.escape(ip)}-\d{{12}}/dmesg\.\d{{12}}\)")
        files = srv.files()
        assert len(files) == 1 and re.fullmatch(rf"{re.escape(ip)}-(\d{{12}})/dmesg\.\1",
                                                files[0]), files
        assert b"Kernel panic - not syncing" in srv.read(files[0])


def test_static_address_refused_when_it_cannot_be_copied(build):
    """PARACHUTE_NET=static where the running system has no route to the
    target, and a PARACHUTE_NET that is neither dhcp nor static: the capture
    initramfs is not built, and the message names why (no guest is booted)."""
    installed = install(build, f"{build}/logs/net-static-root")
    conf = f"{installed}/etc/default/parachute"
    with open(f"{build}/debian/kernel-version") as f:
        version = f.read().strip()
    env = dict(os.environ, PATH=f"{os.path.abspath(build)}/nfsd/root/sbin:{os.environ['PATH']}")
    for net, why in (("static", "PARACHUTE_NET=static: no route from this system to 10.0.2.2 "
                                "(10.0.2.2)"),
                     ("manual", "PARACHUTE_NET=manual: dhcp or static")):
        with open(conf, "a") as f:
            f.write(f'NFS="10.0.2.2:/export"\nPARACHUTE_NET={net}\n')
        # A network namespace with only its loopback, down.
        p = subprocess.run(["unshare", "-n", f"{installed}/usr/sbin/parachute-mkinitrd", "-k",
                            version, "-o", f"{build}/logs/net-static.img", "-c", conf, "-r",
                            f"{build}/debian/root", "-b", f"{build}/debian/busybox"],
                           capture_output=True, text=True, env=env)
        assert p.returncode == 1 and p.stderr == f"parachute-mkinitrd: {why}\n", p.stderr
        assert not os.path.exists(f"{build}/logs/net-static.img")
