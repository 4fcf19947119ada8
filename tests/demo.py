# SPDX-License-Identifier: GPL-2.0-only
"""make demo: boot Debian's kernel under parachute in QEMU (TCG, AMD SVM + NPT),
log a random token in the guest, crash it with sysrq-c, let the hv hand the
crashed vCPU to the capture kernel, which saves the vmcore with makedumpfile;
then extract it to BUILD/demo/vmcore and show the tail of its dmesg
(BUILD/demo/dmesg.txt). One line per stage with its duration; the console log
is in BUILD/logs/demo.log."""
import os
import secrets
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "integration"))
from capture import extract, modules  # noqa: E402
from harness import Run  # noqa: E402
from vmcore import Vmcore  # noqa: E402


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    out = f"{build}/demo"
    os.makedirs(out, exist_ok=True)
    disk = f"{out}/dump.img"
    if os.path.exists(disk):
        os.unlink(disk)
    os.truncate(os.open(disk, os.O_CREAT | os.O_WRONLY, 0o644), 512 << 20)
    token = secrets.token_hex(8)
    t0 = last = time.monotonic()

    def stage(text):
        nonlocal last
        now = time.monotonic()
        print(f"[demo] {text:<64} {now - last:6.2f}s", flush=True)
        last = now

    # A stock kernel: no parachute module; Debian's pvpanic driver reports the panic.
    mods = modules(build, f"pc.test=crash pc.trigger=sysrq pc.notifier=0 pc.token={token}")
    with Run(build, "demo", modules=mods,
             extra=["-drive", f"file={disk},format=raw,if=virtio"]) as r:
        r.wait_for(r"\[hv\] parachute .* starting")
        stage("QEMU started parachute.elf (Multiboot, TCG with SVM + NPT)")
        h = r.wait_for(r"\[hv\] capture armed: (SHA-256 .*)", 60)
        r.wait_for(r"\[hv\] entering the guest")
        stage(f"capture kernel staged in the hidden region, {h.group(1)}")
        r.wait_for(r"PCG: userspace reached", 120)
        stage("Debian guest reached userspace")
        r.wait_for(r"PCG: crashing via sysrq", 120)
        stage(f"guest logged token {token}; echo c > /proc/sysrq-trigger")
        why = r.wait_for(r"\[hv\] ERROR: crash: (.*) on cpu", 60).group(1)
        h = r.wait_for(r"\[hv\] crash: hand-over took (\d+) us", 60)
        stage(f"hv: {why} -> capture kernel ({int(h.group(1)) / 1000:.0f} ms hand-over)")
        r.wait_for(r"PCG: capture kernel up", 120)
        stage("capture kernel reached userspace, /proc/vmcore ready")
        m = r.wait_for(r"PCG: dump saved \((.*)\) in", 300)
        stage(f"makedumpfile saved the vmcore to the dump disk ({m.group(1)})")
        r.wait_exit(60)
    vmcore = extract(disk, f"{out}/vmcore")
    stage(f"extracted {vmcore} ({os.path.getsize(vmcore) >> 20} MiB)")
    dmesg = f"{out}/dmesg.txt"
    if os.path.exists(dmesg):
        os.unlink(dmesg)
    os.system(f"makedumpfile --dump-dmesg {vmcore} {dmesg} >/dev/null 2>&1")
    with open(dmesg, errors="replace") as f:
        lines = f.read().splitlines()
    stage(f"makedumpfile --dump-dmesg -> {dmesg} ({len(lines)} lines)")
    vm = Vmcore(vmcore)
    print(f"[demo] vmcore: {len(vm.loads)} PT_LOAD, crashed vCPU rip "
          f"{vm.prstatus[0]['rip']:#x}, kernel {vm.vmcoreinfo.get('OSRELEASE')}")
    print(f"[demo] total {time.monotonic() - t0:.2f}s. From the crashed guest's dmesg:")
    marks = [i for i, line in enumerate(lines) if f"parachute-token: {token}" in line]
    panic = [i for i, line in enumerate(lines) if "Kernel panic" in line]
    shown = lines[marks[0]:marks[0] + 1] if marks else []
    if panic:
        shown += ["    ..."] + lines[max(panic[0] - 1, 0):panic[0] + 12] + ["    ..."]
    shown += lines[-2:]
    for line in shown:
        print("    " + line)
    found = bool(marks) and any("Kernel panic" in line for line in lines)
    print(f"[demo] token {token} and the panic {'are' if found else 'are NOT'} in the vmcore")
    os.unlink(disk)
    shutil.rmtree(f"{out}/tmp", ignore_errors=True)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
