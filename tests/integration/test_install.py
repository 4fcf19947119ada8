# SPDX-License-Identifier: GPL-2.0-only
"""What an installed parachute does on its own: the capture initramfs that
guest/parachute-mkinitrd builds from the system's busybox, makedumpfile and
kernel modules saves the vmcore where kdump-tools does, on a real ext4
filesystem found by its UUID; the files are read back with debugfs (no
mount) and judged by makedumpfile."""
import os
import re
import secrets
import subprocess
import uuid

from capture import dmesg
from harness import Run

HERE = os.path.dirname(os.path.abspath(__file__))
MKINITRD = os.path.join(HERE, "..", "..", "guest", "parachute-mkinitrd")


def ext4_image(build, name, fs_uuid, size="1G"):
    path = f"{build}/logs/{name}-root.img"
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["truncate", "-s", size, path], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-U", fs_uuid, path], check=True)
    return path


def debugfs(image, request):
    p = subprocess.run(["debugfs", "-R", request, image], capture_output=True, text=True,
                       check=True)
    return p.stdout


def capture_initrd(build, name, settings):
    """guest/parachute-mkinitrd for the Debian kernel, from its unpacked
    package and Debian's busybox, with settings as /etc/default/parachute."""
    conf = f"{build}/logs/{name}.parachute.conf"
    with open(conf, "w") as f:
        f.write(settings)
    out = f"{build}/logs/{name}-capture.img"
    with open(f"{build}/debian/kernel-version") as f:
        version = f.read().strip()
    subprocess.run([MKINITRD, "-k", version, "-o", out, "-c", conf, "-r", f"{build}/debian/root",
                    "-b", f"{build}/debian/busybox"], check=True, stdout=subprocess.DEVNULL)
    return out


def test_capture_initramfs_saves_like_kdump_tools(build):
    name = "install-capture"
    token = secrets.token_hex(8)
    fs_uuid = str(uuid.uuid4())
    image = ext4_image(build, name, fs_uuid)
    initrd = capture_initrd(build, name, f'DUMP_DEVICE=UUID={fs_uuid}\nMAKEDUMP_ARGS="-c -d 31"\n')
    mods = [f"{build}/debian/vmlinuz guest console=ttyS0 quiet pc.test=crash pc.trigger=sysrq "
            f"pc.token={token}",
            f"{build}/initrd.cpio.gz guest-initrd",
            f"{build}/debian/vmlinuz capture console=ttyS0 quiet nr_cpus=1 reset_devices",
            f"{initrd} capture-initrd"]
    with Run(build, name, modules=mods,
             extra=["-drive", f"file={image},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] capture armed: SHA-256", 120)
        r.wait_for(r"PCG: crashing via sysrq", 240)
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 60)
        r.wait_for(r"parachute-capture: crashed guest: \d+ bytes in /proc/vmcore", 120)
        m = r.wait_for(rf"parachute-capture: saving /var/crash/(\d{{12}})/dump\.(\d{{12}}) on "
                       rf"UUID={fs_uuid} \(makedumpfile -c -d 31\)", 120)
        stamp = m.group(1)
        assert m.group(2) == stamp
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
        assert not r.all(r"parachute-capture: FAILED")
    # kdump-tools' layout, on the filesystem itself.
    listing = debugfs(image, f"ls -l /var/crash/{stamp}")
    names = set(re.findall(r"\s(\S+)\s*$", listing, re.M))
    assert {f"dump.{stamp}", f"dmesg.{stamp}"} <= names, listing
    dump = f"{build}/logs/{name}.dump"
    debugfs(image, f"dump /var/crash/{stamp}/dump.{stamp} {dump}")
    with open(dump, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed dump (makedumpfile -c)"
    # makedumpfile reads the dump, and the saved dmesg matches: both hold the run's token.
    assert f"parachute-token: {token}" in dmesg(dump)
    saved = f"{build}/logs/{name}.dmesg"
    debugfs(image, f"dump /var/crash/{stamp}/dmesg.{stamp} {saved}")
    with open(saved, errors="replace") as f:
        text = f.read()
    assert f"parachute-token: {token}" in text and "Kernel panic - not syncing" in text
    os.unlink(image)
