# SPDX-License-Identifier: GPL-2.0-only
"""Dumps sent over SSH (kdump-tools' SSH= and SSH_KEY=) by the installed
capture initramfs, parachute-mkinitrd's, to a real OpenSSH server on this
machine (sshd.py) that the guest reaches through QEMU's user network: a
captured sysrq-c whose dump on the server holds the token and the panic
(makedumpfile -R reads the flattened stream), and the three failures an
operator meets first (a refused key, a host that does not answer, a full
disk on the far side), each named, reported to the hv and leaving nothing
under a dump's final name."""
import os
import re
import secrets
import subprocess

import debuggers
from capture import dmesg
from harness import Run
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
    installed = install(build, f"{build}/logs/{name}-root")
    initrd = capture_initrd(build, installed, name,
                            f'SSH="{ssh}"\nSSH_KEY={key}\nKDUMP_COREDIR={coredir}\n')
    return Run(build, name, modules=sysrq_then_capture(build, token, initrd,
                                                       "quiet reset_devices irqpoll"),
               extra=["-nic", "user,model=virtio-net-pci"])


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


def test_ssh_target_receives_the_dump(build):
    name = "ssh-dump"
    token = secrets.token_hex(8)
    key = keypair(build, name)
    with SshServer(build, name, key + ".pub") as srv:
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
    with open(dump, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed dump"
    log = dmesg(dump)
    assert f"parachute-token: {token}" in log and PANIC in log
    v = debuggers.drgn(build, dump)
    assert v["tasks"] > 20 and 1 in v["pids"], v


def test_ssh_target_refuses_the_key(build):
    name = "ssh-refused"
    key, other = keypair(build, name), keypair(build, name + "-other")
    with SshServer(build, name, other + ".pub") as srv:
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
