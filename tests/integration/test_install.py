# SPDX-License-Identifier: GPL-2.0-only
"""What an installed parachute does on its own: the capture initramfs that
guest/parachute-mkinitrd builds from the system's busybox, makedumpfile and
kernel modules saves the vmcore where kdump-tools does, on a real ext4
filesystem found by its UUID; the GRUB entries guest/grub.d/20_linux_parachute
writes boot and capture. Files are read back with debugfs (no mount) and
judged by makedumpfile."""
import os
import glob
import re
import secrets
import shutil
import subprocess
import uuid

import debuggers
from capture import dmesg, dump_disk, extract
from grub import HEAD, mkrescue
from harness import Run

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")


def install(build, root):
    """`make install DESTDIR=root`: the tree an installed system has."""
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["make", "-C", TOP, f"BUILD={os.path.abspath(build)}", "install",
                    f"DESTDIR={os.path.abspath(root)}"], check=True, stdout=subprocess.DEVNULL)
    return root


# What the parachute package installs (docs/install.md), and its conffiles.
PACKAGE_FILES = ["/boot/parachute.elf", "/etc/default/parachute", "/etc/grub.d/20_linux_parachute",
                 "/etc/kernel/postinst.d/parachute", "/etc/kernel/postrm.d/parachute",
                 "/usr/sbin/parachute-mkinitrd", "/usr/share/parachute/capture-init",
                 "/usr/share/man/man8/parachute-mkinitrd.8.gz", "/usr/sbin/parachutectl",
                 "/usr/share/man/man8/parachutectl.8.gz", "/usr/sbin/parachute-vmlinux",
                 "/usr/share/man/man8/parachute-vmlinux.8.gz", "/lib/systemd/system/parachute.service"]
CONFFILES = [f for f in PACKAGE_FILES if f.startswith("/etc/")]
XL_KDUMP_FILES = ["/usr/sbin/xl-kdump", "/usr/share/man/man8/xl-kdump.8.gz",
                  "/lib/systemd/system/xl-kdump.service"]
VIRT_KDUMP_FILES = ["/usr/sbin/virt-kdump", "/usr/share/man/man8/virt-kdump.8.gz",
                    "/lib/systemd/system/virt-kdump.service"]
DKMS_FILES = ["dkms.conf", "Kbuild", "core.c", "selftest.c", "sipi.S", "pc.h",
              "include/parachute/abi.h", "include/parachute/ioctl.h"]


def package_root(build, name):
    """The Debian packages built from the tracked sources with
    dpkg-buildpackage, judged by lintian (no errors; its findings are kept in
    build/logs/NAME.lintian), installed with dpkg --root into a scratch root,
    whose path is returned. The DKMS source builds against the kernel's
    headers as dkms.conf says."""
    pkg = f"{build}/pkg"
    src = f"{pkg}/parachute-src"
    shutil.rmtree(pkg, ignore_errors=True)
    os.makedirs(src)
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True, check=True).stdout
    for f in files.decode().split("\0"):
        if f and os.path.isfile(os.path.join(TOP, f)):
            os.makedirs(os.path.dirname(os.path.join(src, f)), exist_ok=True)
            shutil.copy2(os.path.join(TOP, f), os.path.join(src, f))
    # debian/rules builds into build/, whatever BUILD the test run has.
    p = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, capture_output=True,
                       text=True, env={k: v for k, v in os.environ.items() if k != "BUILD"})
    assert p.returncode == 0, f"dpkg-buildpackage failed: {p.stdout[-1500:]}{p.stderr[-1500:]}"
    debs = sorted(f"{pkg}/{f}" for f in os.listdir(pkg) if f.endswith(".deb"))
    assert {os.path.basename(d).split("_")[0] for d in debs} == \
        {"parachute", "parachute-dkms", "xl-kdump", "virt-kdump"}, debs
    lint = subprocess.run(["lintian", "--no-tag-display-limit"] + debs, capture_output=True,
                          text=True)
    with open(f"{build}/logs/{name}.lintian", "w") as f:
        f.write(lint.stdout)
    errors = [line for line in lint.stdout.splitlines() if line.startswith("E:")]
    assert not errors, "lintian: " + "; ".join(errors)
    root = f"{build}/logs/{name}-root"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(f"{root}/var/lib/dpkg/info")
    os.makedirs(f"{root}/var/lib/dpkg/updates")
    for f in ("status", "available"):
        open(f"{root}/var/lib/dpkg/{f}", "w").close()
    # Dependencies (busybox, dkms...) are the target system's; the maintainer
    # scripts see DPKG_ROOT and leave update-grub and dkms to a real system.
    dpkg_root(root, "-i", *debs)
    for f in PACKAGE_FILES:
        assert os.path.isfile(root + f), f"the package did not install {f}"
    status = dpkg_query(root, "--status", "parachute")
    for f in CONFFILES:
        assert f" {f} " in status, f"{f} is not a conffile"
    # The boot-time unit (the last capture, readiness) is enabled on install; its sysctl
    # step applies KDUMP_SYSCTL from the installed defaults (sysctl itself echoed here).
    with open(f"{root}/var/lib/dpkg/info/parachute.postinst") as f:
        assert "parachute.service" in f.read(), "the parachute package does not enable its unit"
    with open(f"{root}/lib/systemd/system/parachute.service") as f:
        unit = f.read()
    pre = re.search(r"^ExecStartPre=-/bin/sh -c '(.*)'$", unit, re.M).group(1).replace("$$", "$")
    pre = pre.replace("/etc/default/parachute", f"{root}/etc/default/parachute")
    out = subprocess.run(["sh", "-c", pre.replace("exec /sbin/sysctl", "exec echo sysctl")],
                         capture_output=True, text=True, check=True).stdout
    assert out == "sysctl -w kernel.panic_on_oops=1\n", out
    assert re.findall(r"^ExecStart=(.*)$", unit, re.M) == [
        "-/usr/sbin/parachutectl history --last", "/usr/sbin/parachutectl status"], unit
    for f in XL_KDUMP_FILES:
        assert os.path.isfile(root + f), f"the xl-kdump package did not install {f}"
    out = subprocess.run([f"{root}/usr/sbin/xl-kdump", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("usage: xl-kdump load DOMAIN"), out
    # The watcher is enabled on install (dh_installsystemd); it only starts on a dom0.
    with open(f"{root}/var/lib/dpkg/info/xl-kdump.postinst") as f:
        assert "xl-kdump.service" in f.read(), "the xl-kdump package does not enable its unit"
    for f in VIRT_KDUMP_FILES:
        assert os.path.isfile(root + f), f"the virt-kdump package did not install {f}"
    out = subprocess.run([f"{root}/usr/sbin/virt-kdump", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("usage: virt-kdump COMMAND"), out
    with open(f"{root}/var/lib/dpkg/info/virt-kdump.postinst") as f:
        assert "virt-kdump.service" in f.read(), "the virt-kdump package does not enable its unit"
    for f in DKMS_FILES:
        assert os.path.isfile(f"{root}/usr/src/parachute-0.1/{f}"), f"parachute-dkms lacks {f}"
    # Built from a copy, as dkms does in /var/lib/dkms: the package's tree stays as installed.
    dkms = f"{pkg}/dkms-build"
    shutil.copytree(f"{root}/usr/src/parachute-0.1", dkms)
    subprocess.run(["make", "-s", "-C", f"{build}/debian/kbuild", f"M={os.path.abspath(dkms)}",
                    "modules"], check=True, capture_output=True)
    assert os.path.isfile(f"{dkms}/parachute.ko"), "the DKMS source did not build"
    return root


def dpkg_root(root, *args):
    """dpkg on the scratch root; its maintainer scripts see DPKG_ROOT."""
    return subprocess.run(["dpkg", f"--root={os.path.abspath(root)}", "--log=/dev/null",
                           "--force-depends", "--force-script-chrootless", *args],
                          check=True, capture_output=True, text=True).stdout


def dpkg_query(root, *args):
    return subprocess.run(["dpkg-query", f"--root={os.path.abspath(root)}", *args], check=True,
                          capture_output=True, text=True).stdout


def upgrade_then_purge(build, root, ours):
    """The packages of package_root upgraded in root to a later version (the
    same debs with their version raised and a new capture init, as a point
    release would change it) with the operator's edit of a conffile kept,
    then all four purged: nothing of theirs left in root, only ours (the
    files the test put there as a kernel package would) and dpkg's database."""
    with open(f"{root}/etc/default/parachute", "a") as f:
        f.write("KDUMP_NUM_DUMPS=5  # the operator's\n")
    new = f"{build}/pkg/upgrade"
    shutil.rmtree(new, ignore_errors=True)
    os.makedirs(new)
    debs = []
    for deb in sorted(glob.glob(f"{build}/pkg/*.deb")):
        tree = f"{new}/{os.path.basename(deb)}.d"
        subprocess.run(["dpkg-deb", "-R", deb, tree], check=True)
        with open(f"{tree}/DEBIAN/control") as f:
            control = re.sub(r"^Version: (.*)$", r"Version: \1+upgrade1", f.read(), flags=re.M)
        with open(f"{tree}/DEBIAN/control", "w") as f:
            f.write(control)
        init = f"{tree}/usr/share/parachute/capture-init"
        if os.path.exists(init):
            with open(init, "a") as f:
                f.write("# upgrade1\n")
            # dpkg checks the shipped files' sums only in --verify; kept honest anyway.
            subprocess.run(f"cd {tree} && find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | "
                           "xargs -0 md5sum > DEBIAN/md5sums", shell=True, check=True)
        out = f"{new}/{os.path.basename(deb).replace('_0.1_', '_0.1+upgrade1_')}"
        subprocess.run(["dpkg-deb", "--root-owner-group", "-b", tree, out], check=True,
                       capture_output=True)
        debs.append(out)
    assert len(debs) == 4, debs
    dpkg_root(root, "-i", *debs)
    for pkg in ("parachute", "parachute-dkms", "xl-kdump", "virt-kdump"):
        assert dpkg_query(root, "-W", "-f=${Version} ${db:Status-Status}\n", pkg) == \
            "0.1+upgrade1 installed\n", pkg
    with open(f"{root}/usr/share/parachute/capture-init") as f:
        assert f.read().endswith("# upgrade1\n"), "the upgrade did not replace capture-init"
    with open(f"{root}/etc/default/parachute") as f:
        assert "KDUMP_NUM_DUMPS=5  # the operator's" in f.read(), "the upgrade lost the edit"
    # Only the conffile the operator edited differs from what the package shipped.
    assert dpkg_root(root, "--verify", "parachute").splitlines() == \
        ["??5?????? c /etc/default/parachute"], "files differ from the package's"
    dpkg_root(root, "--purge", "parachute", "parachute-dkms", "xl-kdump", "virt-kdump")
    left = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, files in os.walk(root)
                  for f in files if not os.path.relpath(d, root).startswith("var/lib/dpkg"))
    assert left == sorted(ours), left


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


# PARACHUTE_PRE_HOOK and PARACHUTE_POST_HOOK, as an operator would write them.
HOOKS = ("PARACHUTE_PRE_HOOK='echo \"pre-hook: $ROOT_DEVICE$DUMP_DEVICE\" > /dev/console'\n"
         "PARACHUTE_POST_HOOK='echo \"post-hook: $PARACHUTE_OUTCOME, $PARACHUTE_DUMP"
         "$PARACHUTE_REASON\" > /dev/console'\n")


def capture_initrd(build, installed, name, settings, path=None, env=None, netns=None):
    """The installed parachute-mkinitrd (root installed) for the Debian kernel,
    from its unpacked package and Debian's busybox, with the installed
    /etc/default/parachute and settings added to it; path goes before PATH
    (where it finds the tools a target needs), env adds to the environment,
    and netns, a shell command, sets up the network (and mount) namespace it
    runs in."""
    conf = f"{installed}/etc/default/parachute"
    with open(conf, "a") as f:
        f.write(settings)
    out = f"{build}/logs/{name}-capture.img"
    with open(f"{build}/debian/kernel-version") as f:
        version = f.read().strip()
    # The guest module as parachute-dkms builds it for that kernel.
    cmd = [f"{installed}/usr/sbin/parachute-mkinitrd", "-k", version, "-o", out,
           "-c", conf, "-r", f"{build}/debian/root", "-b", f"{build}/debian/busybox",
           "-m", f"{build}/module/parachute.ko"]
    if netns:
        cmd = ["unshare", "-n", "-m", "sh", "-c", f'{netns} && exec "$@"', "sh"] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, PATH=f"{path or ''}:{os.environ['PATH']}", **(env or {})))
    return out


def sysrq_then_capture(build, token, initrd, capture_args):
    """The modules of a guest that crashes with sysrq-c (the test initrd) and is
    captured by the capture initramfs initrd, on Debian's kernel with capture_args."""
    return [f"{build}/debian/vmlinuz guest console=ttyS0 quiet pc.test=crash pc.trigger=sysrq "
            f"pc.token={token}",
            f"{build}/initrd.cpio.gz guest-initrd",
            f"{build}/debian/vmlinuz capture console=ttyS0 {capture_args}",
            f"{initrd} capture-initrd"]


def test_capture_initramfs_saves_like_kdump_tools(build):
    name = "install-capture"
    token = secrets.token_hex(8)
    fs_uuid = str(uuid.uuid4())
    image = ext4_image(build, name, fs_uuid)
    # Three dumps from before, of which KDUMP_NUM_DUMPS=2 keeps the newest beside the new one.
    old = ["202501010000", "202502010000", "202503010000"]
    subprocess.run(["debugfs", "-w", "-f", "-", image], check=True, capture_output=True, text=True,
                   input="mkdir /var\nmkdir /var/crash\n" +
                   "".join(f"mkdir /var/crash/{d}\nwrite /etc/hostname /var/crash/{d}/dmesg.{d}\n"
                           for d in old))
    installed = install(build, f"{build}/logs/{name}-root")
    initrd = capture_initrd(build, installed, name,
                            f"DUMP_DEVICE=UUID={fs_uuid}\nPARACHUTE_MAKEDUMP_THREADS=auto\n"
                            "KDUMP_NUM_DUMPS=2\n" + HOOKS)
    # The installed default: no nr_cpus=, the capture kernel takes both vCPUs.
    mods = sysrq_then_capture(build, token, initrd, "quiet reset_devices irqpoll")
    with Run(build, name, modules=mods, smp=2,
             extra=["-drive", f"file={image},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] capture armed: SHA-256", 120)
        r.wait_for(r"PCG: crashing via sysrq", 240)
        r.wait_for(r"\[hv\] crash: cpu\d enters the capture kernel", 60)
        r.wait_for(r"\[hv\] cpu\d: vCPU started by the capture kernel", 60)
        r.wait_for(r"parachute-capture: crashed guest: \d+ bytes in /proc/vmcore", 120)
        # The module in the initramfs checked in: the hv's capture_timeout= stopped.
        r.wait_for(r"capture: the capture kernel checked in \d+ ms after the hand-over: "
                   r"Linux \S+", 60)
        # The installed defaults: kdump-tools' directory, makedumpfile -l -d 31,
        # with (PARACHUTE_MAKEDUMP_THREADS=auto) a thread per CPU of the capture kernel.
        m = r.wait_for(rf"parachute-capture: saving /var/crash/(\d{{12}})/dump\.(\d{{12}}) on "
                       rf"UUID={fs_uuid} \(makedumpfile -l -d 31 --num-threads 2\)", 120)
        stamp = m.group(1)
        assert m.group(2) == stamp
        r.wait_for(rf"pre-hook: UUID={fs_uuid}", 1)  # before the dump
        r.wait_for(rf"post-hook: saved, /mnt/var/crash/{stamp}/dump\.{stamp}", 300)
        for d in old[:2]:
            r.wait_for(rf"parachute-capture: KDUMP_NUM_DUMPS=2: /var/crash/{d} removed", 300)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_for(rf"capture: the capture kernel saved the dump, \d+ ms after the hand-over: "
                   rf"\d+ bytes of vmcore saved to UUID={fs_uuid}", 30)
        r.wait_exit(60)
        assert not r.all(r"parachute-capture: FAILED")
        assert not r.all(r"capture failed")
    # kdump-tools' layout, on the filesystem itself.
    listing = debugfs(image, f"ls -l /var/crash/{stamp}")
    names = set(re.findall(r"\s(\S+)\s*$", listing, re.M))
    assert {f"dump.{stamp}", f"dmesg.{stamp}"} <= names, listing
    # KDUMP_NUM_DUMPS=2: the new dump and the newest of the old ones.
    listing = debugfs(image, "ls -l /var/crash")
    kept = set(re.findall(r"\s(\d{12})\s*$", listing, re.M))
    assert kept == {stamp, old[2]}, listing
    dump = f"{build}/logs/{name}.dump"
    debugfs(image, f"dump /var/crash/{stamp}/dump.{stamp} {dump}")
    with open(dump, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed dump (makedumpfile -l)"
    # makedumpfile reads the dump, and the saved dmesg matches: both hold the run's token.
    assert f"parachute-token: {token}" in dmesg(dump)
    # crash and drgn read the installed default's LZO-compressed dump.
    for tool, v in (("drgn", debuggers.drgn(build, dump)), ("crash", debuggers.crash(build, dump))):
        assert v["tasks"] > 20 and 1 in v["pids"], f"{tool}: {v['tasks']} tasks, pids {v['pids']}"
    saved = f"{build}/logs/{name}.dmesg"
    debugfs(image, f"dump /var/crash/{stamp}/dmesg.{stamp} {saved}")
    with open(saved, errors="replace") as f:
        text = f.read()
    assert f"parachute-token: {token}" in text and "Kernel panic - not syncing" in text
    os.unlink(image)
    shutil.rmtree(installed)


def test_capture_initramfs_dump_target_missing(build):
    """The dump target never appears: the capture initramfs gives up after
    30 s and tells the hv why, which halts as capture_failure=halt says,
    with that reason in its log; the machine stays up for a look."""
    name = "install-nodisk"
    missing = str(uuid.uuid4())
    installed = install(build, f"{build}/logs/{name}-root")
    initrd = capture_initrd(build, installed, name, f"DUMP_DEVICE=UUID={missing}\n" + HOOKS)
    mods = sysrq_then_capture(build, 0, initrd, "quiet nr_cpus=1 reset_devices")
    with Run(build, name, modules=mods, hv_args="capture_failure=halt", monitor=True) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        r.wait_for(r"capture: the capture kernel checked in \d+ ms after the hand-over", 120)
        r.wait_for(rf"parachute-capture: FAILED: dump target UUID={missing} not found after 30 s",
                   90)
        # The post hook sees the failure; the pre hook never ran (no target reached).
        r.wait_for(rf"post-hook: failed, dump target UUID={missing} not found after 30 s", 10)
        assert not r.all(r"pre-hook")
        r.wait_for(rf"capture failed: the capture kernel reports: dump target UUID={missing} "
                   r"not found after 30 s", 30)
        r.wait_for(r"parachute halted\.", 30)
        r.assert_halted()
    shutil.rmtree(installed)


def test_capture_initramfs_separate_var(build):
    """KDUMP_COREDIR on a separate /var, no DUMP_DEVICE: parachute-mkinitrd
    finds the filesystem that holds /var/crash (kdump-tools finds it with df),
    here an ext4 image loop-mounted on /var in a mount namespace of the
    build's own, and the capture writes crash/<stamp>/ inside it, which the
    running system sees as /var/crash/<stamp>/."""
    name = "install-var"
    token = secrets.token_hex(8)
    fs_uuid = str(uuid.uuid4())
    image = ext4_image(build, name, fs_uuid, size="512M")
    installed = install(build, f"{build}/logs/{name}-root")
    out = f"{build}/logs/{name}-capture.img"
    with open(f"{build}/debian/kernel-version") as f:
        version = f.read().strip()
    build_it = (f"mount -o loop {image} /var && mkdir -p /var/crash && "
                f"{installed}/usr/sbin/parachute-mkinitrd -k {version} -o {out} "
                f"-c {installed}/etc/default/parachute -r {build}/debian/root "
                f"-b {build}/debian/busybox -m {build}/module/parachute.ko")
    # The target checked first, as an operator would (-t), in the same namespace.
    build_it += f" && {installed}/usr/sbin/parachute-mkinitrd -t -c {installed}/etc/default/parachute"
    p = subprocess.run(["unshare", "-m", "sh", "-c", build_it], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"dump to UUID={fs_uuid}:/var/crash" in p.stdout, p.stdout
    assert re.search(rf"dump target UUID={fs_uuid}:/var/crash \(ext4\): writable, 4\d\d MiB free "
                     r"\(this machine: \d+ MiB of RAM\)", p.stdout), p.stdout
    mods = sysrq_then_capture(build, token, out, "quiet reset_devices")
    with Run(build, name, modules=mods,
             extra=["-drive", f"file={image},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        m = r.wait_for(rf"parachute-capture: saving /var/crash/(\d{{12}})/dump\.\d{{12}} on "
                       rf"UUID={fs_uuid}", 120)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
    stamp = m.group(1)
    listing = debugfs(image, f"ls -l /crash/{stamp}")
    assert {f"dump.{stamp}", f"dmesg.{stamp}"} <= set(re.findall(r"\s(\S+)\s*$", listing, re.M)), \
        listing
    assert "File not found" in subprocess.run(["debugfs", "-R", "ls /var", image],
                                              capture_output=True, text=True).stderr
    dump = f"{build}/logs/{name}.dump"
    debugfs(image, f"dump /crash/{stamp}/dump.{stamp} {dump}")
    assert f"parachute-token: {token}" in dmesg(dump)
    os.unlink(image)
    shutil.rmtree(installed)


def lvm(build, *args, sysdir):
    """Debian's lvm (ci/fetch-disktools.sh), metadata only: this machine's kernel has
    no device-mapper. Its configuration and backups stay in sysdir."""
    root = os.path.abspath(f"{build}/disktools/root")
    env = dict(os.environ, LVM_SYSTEM_DIR=sysdir, LVM_SUPPRESS_FD_WARNINGS="1",
               LD_LIBRARY_PATH=f"{root}/lib/x86_64-linux-gnu:{root}/usr/lib/x86_64-linux-gnu")
    return subprocess.run([f"{root}/sbin/lvm", *args], env=env, capture_output=True, text=True,
                          check=True).stdout


def test_capture_initramfs_on_lvm(build):
    """DUMP_DEVICE=/dev/VG/LV, an ext4 on an LVM logical volume: parachute-
    mkinitrd asks lvm for its volume group and packs lvm and dm_mod; the
    capture initramfs activates the group (no udev) and saves there. The
    volume group is made with Debian's lvm on a loop device (metadata only:
    no device-mapper here), the ext4 written where the volume's extents lie,
    and read back from there with debugfs."""
    name = "install-lvm"
    token = secrets.token_hex(8)
    image = os.path.abspath(f"{build}/logs/{name}.img")
    sysdir = os.path.abspath(f"{build}/logs/{name}-lvm")
    shutil.rmtree(sysdir, ignore_errors=True)
    os.makedirs(sysdir)
    with open(f"{sysdir}/lvm.conf", "w") as f:
        f.write("devices { use_devicesfile = 0 }\nbackup { backup = 0 archive = 0 }\n")
    if os.path.exists(image):
        os.unlink(image)
    subprocess.run(["truncate", "-s", "600M", image], check=True)
    loop = subprocess.run(["losetup", "-f", "--show", image], capture_output=True, text=True,
                          check=True).stdout.strip()
    try:
        lvm(build, "pvcreate", "--driverloaded", "n", loop, sysdir=sysdir)
        lvm(build, "vgcreate", "--driverloaded", "n", "dumpvg", loop, sysdir=sysdir)
        lvm(build, "lvcreate", "--driverloaded", "n", "-an", "-Zn", "-L", "512M", "-n", "crash",
            "dumpvg", sysdir=sysdir)
        ranges = lvm(build, "lvs", "--driverloaded", "n", "--noheadings", "-o", "seg_pe_ranges",
                     "dumpvg/crash", sysdir=sysdir).strip()
        start = int(lvm(build, "pvs", "--driverloaded", "n", "--noheadings", "--units", "b",
                        "--nosuffix", "-o", "pe_start", loop, sysdir=sysdir))
        assert ranges == f"{loop}:0-127", ranges  # one run of 4 MiB extents from the first
        installed = install(build, f"{build}/logs/{name}-root")
        root = os.path.abspath(f"{build}/disktools/root")
        out = capture_initrd(build, installed, name, "DUMP_DEVICE=/dev/dumpvg/crash\n",
                             f"{root}/sbin", {"LVM_SYSTEM_DIR": sysdir,
                                              "LVM_SUPPRESS_FD_WARNINGS": "1",
                                              "LD_LIBRARY_PATH": f"{root}/lib/x86_64-linux-gnu:"
                                                                 f"{root}/usr/lib/x86_64-linux-gnu"})
    finally:
        subprocess.run(["losetup", "-d", loop], check=True)
    fs_uuid = str(uuid.uuid4())
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-U", fs_uuid, "-E", f"offset={start}",
                    image, "512M"], check=True)
    # The volume is not active here, so its filesystem type is unknown and the
    # initramfs holds all four filesystems' modules and lvm: more than
    # capture_mem=128M unpacks, so the capture kernel gets lent memory too.
    mods = sysrq_then_capture(build, token, out, "quiet reset_devices")
    with Run(build, name, modules=mods, hv_args="capture_lend=256M dump_level=31",
             extra=["-drive", f"file={image},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        r.wait_for(r"parachute-capture: LVM: volume group dumpvg active", 120)
        m = r.wait_for(r"parachute-capture: saving /var/crash/(\d{12})/dump\.\d{12} on "
                       r"/dev/dumpvg/crash", 60)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
    stamp = m.group(1)
    lv = f"{build}/logs/{name}-lv.img"
    subprocess.run(["dd", f"if={image}", f"of={lv}", "bs=1M", f"skip={start // 2**20}",
                    "count=512", "status=none"], check=True)
    os.unlink(image)
    dump = f"{build}/logs/{name}.dump"
    debugfs(lv, f"dump /var/crash/{stamp}/dump.{stamp} {dump}")
    assert f"parachute-token: {token}" in dmesg(dump)
    assert "Kernel panic - not syncing" in debugfs(lv, f"cat /var/crash/{stamp}/dmesg.{stamp}")
    os.unlink(lv)
    shutil.rmtree(installed)


def md_maker(build, name):
    """An initramfs whose init makes an md RAID1 of the guest's two virtio
    disks with Debian's mdadm (ci/fetch-disktools.sh): metadata 1.0 (at the
    end, so the filesystem already on both disks stays where it is),
    --assume-clean (the two disks are copies), named "dump"; booted by QEMU
    itself (this machine's kernel has no md to make it with)."""
    root = f"{build}/logs/{name}-maker"
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "sbin", "proc", "sys", "dev", "run/mdadm", "etc/mdadm", "lib/modules"):
        os.makedirs(f"{root}/{d}")
    shutil.copy(f"{build}/debian/busybox", f"{root}/bin/busybox")
    mdadm = f"{build}/disktools/root/sbin/mdadm"
    shutil.copy(mdadm, f"{root}/sbin/mdadm")
    libs = subprocess.run(["ldd", mdadm], capture_output=True, text=True, check=True).stdout
    for lib in re.findall(r"(?:=> )?(/\S+) \(0x", libs):
        os.makedirs(os.path.dirname(root + lib), exist_ok=True)
        shutil.copy(lib, root + lib)
    with open(f"{build}/debian/kernel-version") as f:
        version = f.read().strip()
    kos = []
    for m in ("virtio_pci", "virtio_blk", "raid1"):
        deps = subprocess.run(["modprobe", "-d", f"{build}/debian/root", "-S", version,
                               "--show-depends", m], capture_output=True, text=True,
                              check=True).stdout
        for ko in re.findall(r"^insmod (\S+)", deps, re.M):
            if os.path.basename(ko) not in kos:
                kos.append(os.path.basename(ko))
                shutil.copy(ko, f"{root}/lib/modules/")
    with open(f"{root}/etc/mdadm/mdadm.conf", "w") as f:
        f.write("HOMEHOST <ignore>\n")
    with open(f"{root}/init", "w") as f:
        f.write("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n"
                "mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev\n"
                + "".join(f"insmod /lib/modules/{ko}\n" for ko in kos) +
                "for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vdb ] && break; sleep 1; done\n"
                "mdadm --create /dev/md/dump --run --level=1 --raid-devices=2 --metadata=1.0 "
                "--assume-clean --name=dump /dev/vda /dev/vdb && echo MDMAKER: made\n"
                "cat /proc/mdstat\nmdadm --stop /dev/md/dump && sync && echo MDMAKER: stopped\n"
                "poweroff -f\n")
    os.chmod(f"{root}/init", 0o755)
    out = f"{build}/logs/{name}-maker.cpio.gz"
    subprocess.run(f"cd {root} && find . | cpio -o -H newc --quiet | gzip -1 > {os.path.abspath(out)}",
                   shell=True, check=True)
    shutil.rmtree(root)
    return out


def test_capture_initramfs_on_md_raid1(build):
    """DUMP_DEVICE=/dev/md/dump, an ext4 on an md RAID1 of two disks:
    parachute-mkinitrd packs mdadm and the md modules; the capture initramfs
    assembles the array and saves there, and each of the two disks holds
    the dump afterwards (RAID1, metadata at the end: the filesystem starts
    at each disk's first byte, so debugfs reads either)."""
    name = "install-md"
    token = secrets.token_hex(8)
    fs_uuid = str(uuid.uuid4())
    disks = [os.path.abspath(f"{build}/logs/{name}-{n}.img") for n in "ab"]
    # The filesystem first (10 MiB short of the disk: room for md's metadata at the end).
    for d in disks:
        if os.path.exists(d):
            os.unlink(d)
    subprocess.run(["truncate", "-s", "400M", disks[0]], check=True)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-U", fs_uuid, disks[0], "390M"],
                   check=True)
    shutil.copy(disks[0], disks[1])
    drives = [a for d in disks for a in ("-drive", f"file={d},format=raw,if=virtio")]
    with Run(build, f"{name}-maker", direct=True, initrd=md_maker(build, name),
             extra=drives) as r:
        r.wait_for(r"MDMAKER: made", 120)
        r.wait_for(r"MDMAKER: stopped", 60)
        r.wait_exit(60)
    installed = install(build, f"{build}/logs/{name}-root")
    out = capture_initrd(build, installed, name, "DUMP_DEVICE=/dev/md/dump\n",
                         os.path.abspath(f"{build}/disktools/root/sbin"))
    with Run(build, name, modules=sysrq_then_capture(build, token, out, "quiet reset_devices"),
             extra=drives) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        r.wait_for(r"parachute-capture: md RAID: md\S* : active raid1 vd[ab]\[\d\] vd[ab]\[\d\]", 120)
        m = r.wait_for(r"parachute-capture: saving /var/crash/(\d{12})/dump\.\d{12} on "
                       r"/dev/md/dump", 60)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
    stamp = m.group(1)
    for d in disks:
        dump = f"{build}/logs/{name}.dump"
        debugfs(d, f"dump /var/crash/{stamp}/dump.{stamp} {dump}")
        assert f"parachute-token: {token}" in dmesg(dump), d
        os.unlink(d)
    shutil.rmtree(installed)


def test_capture_initramfs_raw_dump_partition(build):
    """kdump-tools' other target: a raw partition (DUMP_DEVICE_RAW=1) gets
    makedumpfile's flattened stream, which makedumpfile -R turns back into
    the dump."""
    name = "install-raw"
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    installed = install(build, f"{build}/logs/{name}-root")
    initrd = capture_initrd(build, installed, name, "DUMP_DEVICE=/dev/vda\nDUMP_DEVICE_RAW=1\n")
    mods = sysrq_then_capture(build, token, initrd, "quiet nr_cpus=1 reset_devices")
    with Run(build, name, modules=mods,
             extra=["-drive", f"file={disk},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 240)
        r.wait_for(r"parachute-capture: saving to raw device /dev/vda \(/dev/vda\)", 120)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
        assert not r.all(r"parachute-capture: FAILED")
    dump = extract(disk, f"{build}/logs/{name}.dump")
    os.unlink(disk)
    with open(dump, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed dump (makedumpfile -F -l)"
    assert f"parachute-token: {token}" in dmesg(dump)
    shutil.rmtree(installed)


def test_package_grub_entries_boot_and_capture(build):
    """The Debian packages, installed into a scratch root with two kernels;
    their /etc/grub.d/20_linux_parachute run as grub-mkconfig runs it (its
    library, its variables); its output checked line by line, then booted: a
    GRUB ISO whose grub.cfg is that output finds the ext4 boot filesystem by
    UUID, loads the packaged shim and the modules from it, and the crash is
    captured onto that filesystem."""
    name = "install-grub"
    token = secrets.token_hex(8)
    fs_uuid = str(uuid.uuid4())
    with open(f"{build}/debian/kernel-version") as f:
        new = f.read().strip()
    old = "6.1.0-9-amd64"  # an older kernel with no capture initramfs built for it
    # The packages installed, plus what the kernel packages and the kernel hook would add.
    root = package_root(build, name)
    os.makedirs(f"{root}/boot/parachute")
    for v in (new, old):
        shutil.copy(f"{build}/debian/vmlinuz", f"{root}/boot/vmlinuz-{v}")
        shutil.copy(f"{build}/initrd.cpio.gz", f"{root}/boot/initrd.img-{v}")
    shutil.copy(capture_initrd(build, root, name,
                               'PARACHUTE_HV_OPTIONS="loglevel=info capture_mem=160M"\n'
                               'KDUMP_CMDLINE_APPEND="quiet reset_devices"\n'
                               "PARACHUTE_CAPTURE_CPUS=1\n"
                               "PARACHUTE_CAPTURE_LEND=128M\n"
                               f"DUMP_DEVICE=UUID={fs_uuid}\n"),
                f"{root}/boot/parachute/capture-{new}.img")
    # As the kernel hook does: the capture kernel's vmlinux, gzip-compressed.
    subprocess.run([f"{root}/usr/sbin/parachute-vmlinux", f"{root}/boot/vmlinuz-{new}",
                    f"{root}/boot/parachute/vmlinux-{new}.gz"], check=True)
    image = f"{build}/logs/{name}-root.img"
    if os.path.exists(image):
        os.unlink(image)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-U", fs_uuid, "-d", root, image, "1G"],
                   check=True, stdout=subprocess.DEVNULL)
    guest_args = f"quiet pc.test=crash pc.trigger=sysrq pc.token={token}"
    env = dict(os.environ, pkgdatadir="/usr/share/grub", PARACHUTE_ROOT=root,
               GRUB_DEVICE="/dev/vda", GRUB_DEVICE_UUID=fs_uuid, GRUB_DEVICE_BOOT=image,
               GRUB_DISTRIBUTOR="Debian", GRUB_CMDLINE_LINUX="console=ttyS0",
               # kdump-tools' /etc/default/grub.d/kdump-tools.cfg adds crashkernel=.
               GRUB_CMDLINE_LINUX_DEFAULT=f"crashkernel=384M-:128M {guest_args}")
    p = subprocess.run(["sh", f"{root}/etc/grub.d/20_linux_parachute"], env=env,
                       capture_output=True, text=True, check=True)
    entries = p.stdout.split("menuentry ")[1:]
    assert len(entries) == 2, p.stdout
    newest = entries[0].splitlines()
    assert newest[0].startswith(f"'Debian GNU/Linux, with parachute, Linux {new}' --class debian "), \
        newest[0]
    # The newest kernel's entry keeps its id across kernel upgrades (GRUB_DEFAULT can name it).
    assert newest[0].endswith("$menuentry_id_option 'parachute-simple' {"), newest[0]
    assert entries[1].splitlines()[0].endswith(f"$menuentry_id_option 'parachute-{old}' {{"), \
        entries[1]
    # crashkernel= would let kexec take the panic first: dropped, and said.
    assert "crashkernel=" not in p.stdout, p.stdout
    assert "parachute: crashkernel=384M-:128M dropped from the parachute entries" in p.stderr, \
        p.stderr
    body = [line.strip() for line in newest[1:]]
    assert body == [
        "insmod all_video", "insmod ext2", f"search --no-floppy --fs-uuid --set=root {fs_uuid}",
        "echo 'Loading parachute ...'",
        "multiboot2 /boot/parachute.elf loglevel=info capture_mem=160M capture_lend=128M "
        "dump_level=31",
        'if [ "$grub_platform" = pc ]; then set gfxpayload=text; fi',
        f"echo 'Loading Linux {new} ...'",
        f"module2 /boot/vmlinuz-{new} guest root=UUID={fs_uuid} ro console=ttyS0 {guest_args}",
        f"module2 --nounzip /boot/initrd.img-{new} guest-initrd",
        f"module2 /boot/vmlinuz-{new} capture console=ttyS0 quiet reset_devices nr_cpus=1",
        f"module2 --nounzip /boot/parachute/capture-{new}.img capture-initrd",
        f"module2 /boot/parachute/vmlinux-{new}.gz capture-vmlinux", "}"], body
    # The older kernel: an entry without capture modules, and a warning that names it.
    assert f"Linux {old}'" in entries[1] and "capture-initrd" not in entries[1], entries[1]
    assert f"no capture kernel and initramfs for {old}" in p.stderr, p.stderr
    # Booted as GRUB would boot it, from the ext4 filesystem the entry searches for.
    iso_root = f"{build}/grub/{name}"
    shutil.rmtree(iso_root, ignore_errors=True)
    os.makedirs(f"{iso_root}/boot/grub")
    with open(f"{iso_root}/boot/grub/grub.cfg", "w") as f:
        f.write(HEAD + "set default=0\n" + p.stdout)
    iso = mkrescue(build, name, iso_root)
    with Run(build, name, modules=[], kernel=None,
             extra=["-cdrom", iso, "-boot", "d",
                    "-drive", f"file={image},format=raw,if=virtio"]) as r:
        r.wait_for(r'\[hv\] loader multiboot2, options "loglevel=info capture_mem=160M '
                   r'capture_lend=128M dump_level=31"', 90)
        r.wait_for(rf'\[hv\] module 0: guest .* "root=UUID={fs_uuid} ro console=ttyS0 quiet ')
        r.wait_for(r"\[hv\] capture armed: SHA-256", 60)
        r.wait_for(r"PCG: crashing via sysrq", 240)
        # GRUB decompressed the vmlinux; the hv entered it.
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel at 0x[0-9a-f]+ "
                   r"\(its vmlinux, 64-bit entry\)", 60)
        r.wait_for(r"\[hv\] crash: lent 128 MiB of 128 to the capture kernel", 1)
        m = r.wait_for(rf"parachute-capture: saving /var/crash/(\d{{12}})/dump\.\d{{12}} on "
                       rf"UUID={fs_uuid}", 120)
        r.wait_for(r"parachute-capture: saved; rebooting", 300)
        r.wait_exit(60)
    stamp = m.group(1)
    dump = f"{build}/logs/{name}.dump"
    debugfs(image, f"dump /var/crash/{stamp}/dump.{stamp} {dump}")
    assert f"parachute-token: {token}" in dmesg(dump)
    os.unlink(image)
    # The kernels are the kernel packages'; the capture initramfs and vmlinux
    # (the kernel hook's) go with parachute.
    upgrade_then_purge(build, root, [f"boot/{f}-{v}" for v in (new, old)
                                     for f in ("vmlinuz", "initrd.img")])
    shutil.rmtree(root)


def install_host_tool(build, tool, usage):
    """`make install-TOOL DESTDIR=root`: a host tool (xl-kdump for a Xen dom0,
    virt-kdump for a KVM host), its man page and the watcher's systemd unit,
    whose ExecStart names the installed tool."""
    root = f"{build}/logs/install-{tool}-root"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run(["make", "-C", TOP, f"BUILD={os.path.abspath(build)}", f"install-{tool}",
                    f"DESTDIR={os.path.abspath(root)}"], check=True, stdout=subprocess.DEVNULL)
    path = f"{root}/usr/sbin/{tool}"
    assert os.access(path, os.X_OK), path
    out = subprocess.run([path, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith(usage), out
    with open(f"{root}/usr/share/man/man8/{tool}.8") as f:
        assert re.search(rf"^\.TH {tool.upper()} 8 ", f.read(), re.M), f"not {tool}'s man page"
    with open(f"{root}/lib/systemd/system/{tool}.service") as f:
        unit = f.read()
    m = re.search(r"^ExecStart=(\S+) watch ", unit, re.M)
    assert m and os.path.exists(root + m.group(1)), unit
    shutil.rmtree(root)


def test_install_xl_kdump(build):
    install_host_tool(build, "xl-kdump", "usage: xl-kdump load DOMAIN")


def test_install_virt_kdump(build):
    install_host_tool(build, "virt-kdump", "usage: virt-kdump COMMAND")
