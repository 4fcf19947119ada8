# SPDX-License-Identifier: GPL-2.0-only
"""Crash-capture runs: the shim with guest and capture modules and a dump disk;
after the capture kernel reboots, the vmcore is rebuilt from the disk."""
import os
import secrets
import subprocess

from harness import Run
from vmcore import Vmcore

CAPTURE_ARGS = "console=ttyS0 quiet nr_cpus=1 reset_devices pc.test=capture"


def modules(build, guest_args, capture_args=CAPTURE_ARGS, capture_kernel=None, guest_initrd=None,
            vmlinux=True):
    """The guest's and the capture kernel's modules; with vmlinux (and the default
    capture kernel), also its vmlinux (guest/parachute-vmlinux), as installs have."""
    mods = [f"{build}/debian/vmlinuz guest console=ttyS0 quiet {guest_args}",
            f"{guest_initrd or build + '/initrd.cpio.gz'} guest-initrd",
            f"{capture_kernel or build + '/debian/vmlinuz'} capture {capture_args}",
            f"{build}/initrd.cpio.gz capture-initrd"]
    if vmlinux and not capture_kernel:
        mods.append(f"{build}/debian/vmlinux-capture capture-vmlinux")
    return mods


def dump_disk(build, name, size="512M"):
    path = f"{build}/logs/{name}-dump.img"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["truncate", "-s", size, path], check=True)
    return path


def start(build, name, guest_args, hv_args="", capture_args=CAPTURE_ARGS, guest_initrd=None,
          vmlinux=True, disk_size="512M", **kw):
    """A Run with a fresh dump disk; returns (run, disk)."""
    disk = dump_disk(build, name, disk_size)
    r = Run(build, name, hv_args=hv_args,
            modules=modules(build, guest_args, capture_args, guest_initrd=guest_initrd,
                            vmlinux=vmlinux),
            extra=["-drive", f"file={disk},format=raw,if=virtio"], **kw)
    return r, disk


def extract(disk, out):
    """Rebuild the vmcore from makedumpfile's flattened stream on the dump disk."""
    if os.path.exists(out):
        os.unlink(out)
    with open(disk, "rb") as f:
        subprocess.run(["makedumpfile", "-R", out], stdin=f, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def back_in_service(r, userspace, timeout):
    """After "capture done, restarting the guest" (restart=on, pc.restart=1):
    the hv's first restart, then the guest's userspace (the regex userspace)
    reached a second time, with no restart refused or failed. The guest would
    crash again: callers stop there, the first dump on their disk."""
    r.wait_for(r"PCG: capture done, restarting the guest", 120)
    r.wait_for(r"\[hv\] restart 1: the guest kernel boots again on cpu\d, capture re-armed, "
               r"in \d+ us \(no machine reset\)", 120)
    r.wait_for_count(userspace, 2, timeout)
    assert not r.all(r"restart refused|restart failed|capture region corrupted"), \
        "the restart was refused or failed"


def rebuild(build, disk, name):
    """The run's vmcore, build/logs/NAME.vmcore, rebuilt from its dump disk,
    which is then deleted."""
    path = extract(disk, f"{build}/logs/{name}.vmcore")
    os.unlink(disk)
    return path


def compress(vmcore_path):
    """makedumpfile -c -d 31 from the VMCOREINFO inside the vmcore alone;
    asserts the result is kdump-compressed and returns its path."""
    out = vmcore_path + ".kdump"
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(["makedumpfile", "-c", "-d", "31", vmcore_path, out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not a kdump-compressed file"
    return out


def dmesg(vmcore_path):
    out = vmcore_path + ".dmesg"
    if os.path.exists(out):
        os.unlink(out)
    subprocess.run(["makedumpfile", "--dump-dmesg", vmcore_path, out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out, errors="replace") as f:
        return f.read()


def evidence(r):
    """What the crash mode printed before its trigger: the pattern pages as
    (physical address, value) and the kallsyms ranges as name -> (start, end)."""
    pages = [(int(m.group(1), 16), int(m.group(2), 16))
             for m in r.all(r"PCG: patterns: page (0x[0-9a-f]+) value (0x[0-9a-f]+)")]
    syms = {m.group(1): (int(m.group(2), 16), int(m.group(3), 16))
            for m in r.all(r"PCG: kallsyms (\S+) ([0-9a-f]+) ([0-9a-f]+)")}
    return pages, syms


def crash_and_capture(build, name, trigger, guest_extra="", hv_args="", smp=1, operator=None,
                      guest_initrd=None, vmlinux=True, mem="1G", disk_size="512M",
                      capture_args=CAPTURE_ARGS):
    """Boot, crash by trigger, capture, rebuild. Returns (run, vmcore, token, info).
    operator(run) acts from outside once the guest has armed its trigger."""
    token = secrets.token_hex(8)
    r, disk = start(build, name, f"pc.test=crash pc.token={token} pc.trigger={trigger} "
                    f"{guest_extra}", hv_args=hv_args, smp=smp, monitor=operator is not None,
                    guest_initrd=guest_initrd, vmlinux=vmlinux, mem=mem, disk_size=disk_size,
                    capture_args=capture_args)
    with r:
        r.wait_for(r"PCG: crashing via", 240)
        if operator:
            operator(r)
        pages, syms = evidence(r)
        r.wait_for(r"\[hv\] crash: cpu\d+ enters the capture kernel", 60)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
    path = rebuild(build, disk, name)
    return r, Vmcore(path), token, {"pages": pages, "syms": syms, "path": path,
                                    "pid": crashing_pid(r)}


def crashing_pid(r):
    """The pid of the task that crashed, as the guest logged it."""
    m = r.all(r"PCG: crashing task pid (\d+)") or r.all(r"^spin: loop \S+ \S+ pid (\d+)")
    return int(m[0].group(1)) if m else None


def kdump_capture(build, name, trigger, mem_mb=128):
    """The same crash under stock kdump, without the shim: QEMU boots the
    kernel itself and the guest loads its own capture kernel with kexec -p
    (tests/initrd/init, pc.kdump=1), which saves the vmcore as the shim's
    does. Returns (vmcore path, token, crashing pid)."""
    token = secrets.token_hex(8)
    disk = dump_disk(build, name)
    r = Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz",
            extra=["-drive", f"file={disk},format=raw,if=virtio"],
            guest_args=f"quiet crashkernel={mem_mb}M pc.kdump=1 pc.test=crash pc.notifier=0 "
                       f"pc.trigger={trigger} pc.token={token}")
    with r:
        r.wait_for(r"PCG: kdump kernel loaded", 240)
        r.wait_for(r"PCG: crashing via", 60)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
    return rebuild(build, disk, name), token, crashing_pid(r)


def check_patterns(vm, pages):
    """The 16 pattern pages the guest wrote are in the vmcore, intact."""
    assert len(pages) == 16, pages
    for pa, value in pages:
        data = vm.read_phys(pa, 4096)
        assert data is not None, f"page {pa:#x} is not in the vmcore"
        assert data == value.to_bytes(8, "little") * 512, f"page {pa:#x} does not hold {value:#x}"


def rip_in(vm, syms, name, note=0):
    lo, hi = syms[name]
    rip = vm.prstatus[note]["rip"]
    return lo <= rip < hi, f"rip {rip:#x} not in {name} [{lo:#x}, {hi:#x})"


def spinner_regs(regs, loop):
    """The registers of a task spinning in loop: its user-mode loop, or kernel
    text entered from it (an interrupt being handled at the instant of an NMI)."""
    rip = regs["rip"]
    if regs["cs"] == 0x33:
        return loop[0] <= rip < loop[1]
    return regs["cs"] == 0x10 and rip >= 0xffffffff80000000


def kaslr_offset(vm):
    return int(vm.vmcoreinfo.get("KERNELOFFSET", "0"), 16)


def hv_line(r, pattern):
    return r.wait_for(pattern, 5)


def nmi_when_spinning(r, cpu=0):
    """The operator's NMI (the QEMU monitor's `nmi`) once vCPU cpu runs the
    spin task's loop: the task printed its loop's range, and the vCPU's RIP
    is inside it (the task is SCHED_FIFO with no RT throttling: it keeps
    the CPU). Returns the loop's range."""
    m = r.wait_for(r"^spin: loop (0x[0-9a-f]+) (0x[0-9a-f]+)", 60)
    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
    r.wait_cpus(lambda cpus: lo <= cpus[cpu]["rip"] < hi, f"vCPU {cpu} in the spin loop")
    r.hmp("nmi")
    return lo, hi


__all__ = ["crash_and_capture", "dmesg", "extract", "start", "rip_in", "kaslr_offset",
           "hv_line", "modules", "dump_disk", "kdump_capture", "crashing_pid", "nmi_when_spinning"]
