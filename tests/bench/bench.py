# SPDX-License-Identifier: GPL-2.0-only
"""make bench: figures taken side by side in one run.

1. Boot time to guest userspace, shim vs. the same kernel and initrd booted
   directly by QEMU (same QEMU settings), alternating runs, median ratio.
2. VM exits per second per vCPU on an idle guest, from the hv's own counters
   read twice through the status hypercall (CPL 0, test module).
3. Crash capture, shim vs. stock kdump (the guest's own kexec -p with
   crashkernel=, no shim), same kernel, capture initrd and QEMU settings:
   panic to capture-kernel entry, panic to vmcore saved, and the smallest
   capture memory that still saves a vmcore. Two shim sides: the capture
   kernel's vmlinux staged (entered without decompressing) and the bzImage
   alone; the hv's hand-over of each, and on q35 with VT-d (sampled check)
   for a stock guest and for one whose module registered VMCOREINFO
   (BENCH_ONLY=handover: that part alone).
4. (BENCH_ONLY=smp) boot and idle exits with 2 and 4 vCPUs (on the first and
   the last vCPU, with the xAPIC trap lifted after boot and kept), crash parking.
5. (BENCH_ONLY=dma) guest disk throughput, virtio-blk behind the IOMMU, with
   the hv's DMA isolation on versus iommu=off, on the same q35 + IOMMU machine.
6. (BENCH_ONLY=vmx) Intel VMX under Bochs, booted from GRUB ISOs: boot to
   userspace with the shim versus the same kernel booted by GRUB directly, and
   idle VM exits per second. Bochs time is virtual (clock sync=none), so the
   guest's own uptime at "userspace reached" is the measure, next to wall time.
7. (BENCH_ONLY=nmi) the guest's own NMIs: VM exits each one costs on its
   target vCPU, watched (the boot CPU) and not (an AP, LINT1 masked), and the
   time one takes to reach the guest's handler, shim vs. direct; then two
   vCPUs panicking together, PANIC2_SOAK times (default 20): each must be
   captured exactly once, through the panic's own report.
8. (BENCH_ONLY=uefi) UEFI: OVMF on q35 with 2 vCPUs, boot to guest userspace
   from an EFI GRUB ISO with the shim versus one that boots the same kernel
   directly, alternating runs, median ratio (firmware and GRUB included on
   both sides, so also the guest's own uptime); and the table pages the
   guest's nested map costs.
9. (BENCH_ONLY=xen) Xen 4.17 under QEMU TCG: a 128 MiB, 2-vCPU PVH domU armed
   with xl-kdump, crashed, captured (makedumpfile -E -d 17 in the capture
   kernel, the dump handed back to dom0) versus the same domU unarmed and
   saved with `xl dump-core`: time from the crash seen in dom0 to the file,
   its size, and the host memory each needs (docs/xen.md).
10. (BENCH_ONLY=scale) guest RAM 1, 4 and 16 GiB (BENCH_SCALE_SIZES), stock
   kdump vs. the shim (a stock guest, and one with the guest module, which
   registers VMCOREINFO) with the crash-capture settings above and
   makedumpfile -d 31: panic to capture-kernel entry and to vmcore saved, the
   dump's size, and from the hv's log the hand-over, its region check, the
   parking, the ELF core header's size and the hv heap used, with shim/kdump
   ratios per size.
11. (BENCH_ONLY=restart) back in service after a crash: panic to guest
   userspace again, stock kdump (the dump, then a machine reset: QEMU starts
   the machine again, firmware and all) versus the shim with restart=on (the
   dump, then the hv boots the guest again, no reset) and the shim without it
   (the dump, then a machine reset); 2 vCPUs, BENCH_RESTART_ROUNDS (3).
12. (BENCH_ONLY=watchdog) what the hv's watchdog costs an idle 2-vCPU guest:
   vCPU 0's exits per second with it off and on (5 s timeout), as in 2.
13. (BENCH_ONLY=kvm) virt-kdump under a real libvirtd (QEMU TCG), a stock
   2-vCPU guest of 1 and 4 GiB (BENCH_KVM_SIZES) crashed with sysrq-c:
   armed and captured (makedumpfile -c -d 31 in the capture kernel, then
   makedumpfile -R on the host) versus the same guest unarmed and saved with
   `virsh dump --memory-only --format kdump-zlib`: crash to vmcore file, the
   file's size, and the host memory each needs (docs/kvm.md).
14. (BENCH_ONLY=cpus) the capture kernel's CPUs: a 2-vCPU guest of 4 and 16
   GiB (BENCH_CPUS_SIZES) crashed with sysrq-c and saved kdump-compressed at
   -d 31: stock kdump as Debian ships it (nr_cpus=1, crashkernel=128M), stock
   kdump with nr_cpus=2 and a makedumpfile thread per CPU in the same
   reservation, the shim with nr_cpus=1, with every CPU (docs/smp.md), with a
   thread per CPU, and with a 70 MiB region and 512 MiB lent at the crash
   (docs/capture.md); then kdump, the shim on every CPU, and that with
   lending, each with makedumpfile -l (LZO, the installed MAKEDUMP_ARGS)
   instead of -c: panic to dump saved, makedumpfile's time, the capture
   kernel's memory, what is hidden from the guest, ratios to kdump as
   Debian ships it and to kdump with the same format.
"""
import os
import re
import subprocess
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from capture import dump_disk, extract, modules  # noqa: E402
from harness import Run  # noqa: E402
from bochs import BochsRun  # noqa: E402
from grub import OVMF, grub_iso, plain_iso  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE", "20"))


def boot_time(build, direct, i):
    name = f"bench-boot-{'direct' if direct else 'shim'}-{i}"
    with Run(build, name, guest_args="quiet pc.test=boot", direct=direct) as r:
        r.wait_for(r"PCG: userspace reached", 300)
        t = r.time_of(r"PCG: userspace reached")
        r.wait_exit(60)
        return t


def idle_exits(build, smp, cpu=0, hv_args="", watchdog=0):
    """(exits, seconds, counters) of vCPU cpu over the idle window; with
    watchdog, the hv's watchdog runs with that timeout (s) through it."""
    tag = f"-cpu{cpu}" + (f"-{hv_args.replace('=', '-')}" if hv_args else "") + \
        (f"-watchdog{watchdog}" if watchdog else "")
    with Run(build, f"bench-idle-smp{smp}{tag}", smp=smp, hv_args=hv_args,
             guest_args=f"quiet pc.test=idle pc.idle={IDLE_SECONDS} pc.cpu={cpu} "
                        f"pc.watchdog={watchdog}") as r:
        pat = r"PCG: idle-{} .* exits (\d+) tsc_khz (\d+) uptime_tsc (\d+)"
        a = r.wait_for(pat.format("start"), 120)
        b = r.wait_for(pat.format("end"), 120 + IDLE_SECONDS)
        r.wait_for(r"PCG: done", 60)
        counters = [m.group(0) for m in r.all(r"\[hv\]   \S+ +\(0x[0-9a-f]+\) \d+")]
        # The second status hypercall counts itself; the window holds nothing else of ours.
        exits = int(b.group(1)) - int(a.group(1)) - 1
        secs = (int(b.group(3)) - int(a.group(3))) / (int(a.group(2)) * 1000.0)
        return exits, secs, counters


def watchdog_bench(build):
    """What the watchdog costs an idle guest: vCPU 0's exits per second, 2
    vCPUs, with it off and on (5 s timeout: the module pets it every 1.25 s)."""
    rate = {}
    for wd in (0, 5):
        exits, secs, _ = idle_exits(build, 2, watchdog=wd)
        rate[wd] = exits / secs
    print(f"idle exits/s on vCPU 0 of 2: watchdog off {rate[0]:.1f}, on (5 s) {rate[5]:.1f}")


CAPTURE_CMDLINE = "console=ttyS0 nr_cpus=1 reset_devices irqpoll pc.test=capture"
GUEST = "pc.test=crash pc.notifier=0 pc.trigger=sysrq pc.token=0"


def iommu_handover(build, tag, module=False):
    """The hv's hand-over on q35 with VT-d confining DMA (the sampled check):
    (hand-over ms, check ms), or None. module: the guest module registers
    where VMCOREINFO is (else the hv scans guest RAM for it, as for a stock
    guest)."""
    name = f"bench-handover-iommu{'-module' if module else ''}-{tag}"
    guest = GUEST.replace("pc.notifier=0", "pc.notifier=1") if module else GUEST
    disk = dump_disk(build, name)
    extra = ["-machine", "q35", "-device", "intel-iommu",
             "-drive", f"file={disk},format=raw,if=none,id=dump",
             "-device", "virtio-blk-pci,drive=dump,iommu_platform=on,disable-legacy=on"]
    try:
        with Run(build, name, extra=extra, modules=modules(build, guest, CAPTURE_CMDLINE)) as r:
            m = r.wait_for(r"\[hv\] crash: hand-over took (\d+) us after the trigger \(the "
                           r"region's sampled check (\d+) us\)", 240)
            r.wait_for(r"PCG: dump saved", 300)
            return int(m.group(1)) / 1000, int(m.group(2)) / 1000
    except AssertionError:
        return None
    finally:
        os.unlink(disk)


def handover_bench(build, rounds):
    for module in (False, True):
        h = [t for t in (iommu_handover(build, i, module) for i in range(rounds)) if t]
        if h:
            print(f"hv hand-over, shim on q35 with VT-d (sampled check), "
                  f"{'guest module' if module else 'stock guest'}: "
                  f"{statistics.median(a for a, _ in h):.1f} ms, of which the region's check "
                  f"{statistics.median(b for _, b in h):.1f} ms (median of {len(h)})", flush=True)


def crash_times(build, side, mem_mb, tag):
    """(panic -> capture kernel's first line, panic -> vmcore saved) in s, or None.
    side: kdump; shim (the capture kernel's vmlinux, entered without
    decompressing); shim-bz (the bzImage alone, which decompresses itself)."""
    name = f"bench-crash-{side}-{mem_mb}m-{tag}"
    disk = dump_disk(build, name)
    drive = ["-drive", f"file={disk},format=raw,if=virtio"]
    if side == "kdump":
        # kexec -p in the guest uses the same command line (tests/initrd/init).
        r = Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz", extra=drive,
                guest_args=f"quiet crashkernel={mem_mb}M pc.kdump=1 {GUEST}")
    else:
        r = Run(build, name, hv_args=f"capture_mem={mem_mb}M", extra=drive,
                modules=modules(build, GUEST, CAPTURE_CMDLINE, vmlinux=side == "shim"))
    try:
        with r:
            if side != "kdump" and r.wait_for(r"\[hv\] capture (armed|disarmed)", 60).group(1) \
                    == "disarmed":
                return None  # refused at boot: too small for the kernel and initrd
            r.wait_for(r"Kernel panic - not syncing", 180)
            r.wait_for(r"PCG: dump saved", 150)
            t_panic = r.time_of(r"Kernel panic - not syncing")
            t_entry = min(t for t in r.times_of(r"Linux version") if t > t_panic)
            for m in r.all(r"\[hv\] crash: hand-over took (\d+) us after the trigger "
                           r"\(the region's (?:sampled )?check (\d+) us\)"):
                HANDOVER.setdefault((side, mem_mb), []).append(
                    (int(m.group(1)) / 1000, int(m.group(2)) / 1000))
            return t_entry - t_panic, r.time_of(r"PCG: dump saved") - t_panic
    except AssertionError:
        return None
    finally:
        os.unlink(disk)


CAPTURE_SIDES = ("kdump", "shim", "shim-bz")
HANDOVER = {}  # (side, capture MiB): [(hand-over ms, the region's check ms)]


def capture_bench(build):
    rounds = int(os.environ.get("BENCH_CRASH_ROUNDS", "3"))
    res = {s: [] for s in CAPTURE_SIDES}
    for i in range(rounds):
        for side in CAPTURE_SIDES:
            t = crash_times(build, side, 128, i)
            if t:
                res[side].append(t)
        print(f"crash round {i + 1}/{rounds}: " +
              ", ".join(f"{s} {res[s][-1:]}" for s in CAPTURE_SIDES), flush=True)
    med = {s: (statistics.median(e for e, _ in v), statistics.median(d for _, d in v))
           for s, v in res.items() if v}
    for s, (e, d) in med.items():
        print(f"capture with 128M, {s}: panic -> capture kernel entry {e:.2f}s, "
              f"panic -> vmcore saved {d:.2f}s (median of {len(res[s])})")
    for s in ("shim", "shim-bz"):
        if s in med and "kdump" in med:
            print(f"ratio {s}/kdump: entry {med[s][0] / med['kdump'][0]:.3f}, "
                  f"saved {med[s][1] / med['kdump'][1]:.3f}")
        h = HANDOVER.get((s, 128))
        if h:
            print(f"hv hand-over, {s}: {statistics.median(a for a, _ in h):.1f} ms, of which "
                  f"the region's check {statistics.median(b for _, b in h):.1f} ms "
                  f"(median of {len(h)})")
    handover_bench(build, rounds)
    sizes = [int(s) for s in
             os.environ.get("BENCH_CAPTURE_SIZES", "64,72,80,88,96,112,128").split(",")]
    for side in CAPTURE_SIDES:
        works = [m for m in sizes if crash_times(build, side, m, "min")]
        print(f"smallest capture memory that saved a vmcore, {side}: "
              f"{str(min(works)) + 'M' if works else 'none of'} (tried {sizes} MiB)", flush=True)



SCALE_LEVEL = 31  # makedumpfile -d 31: zero, cache, private cache, user and free pages dropped


SCALE_SIDES = ("kdump", "shim", "shim+module")


def crash_to_saved(r):
    """Run r through its panic to the dump saved and the capture kernel's
    end; returns when, in seconds from QEMU's start, the guest panicked."""
    with r:
        r.wait_for(r"Kernel panic - not syncing", 600)
        r.wait_for(r"PCG: dump saved|PCG: dump FAILED", 1200)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
    return r.time_of(r"Kernel panic - not syncing")


def scale_run(build, side, gib, tag):
    """One crash of a gib GiB guest captured by side with makedumpfile -d 31; a
    dict of its figures (seconds, bytes, and the hv's own lines under the shim),
    or None if no vmcore was saved. "shim" is a stock guest, as under kdump: the
    hv scans guest RAM for VMCOREINFO; under "shim+module" the guest module
    registered where the note is."""
    name = f"bench-scale-{side.replace('+', '-')}-{gib}g-{tag}"
    disk = dump_disk(build, name, "4G")  # sparse; what makedumpfile writes of 16 GiB fits
    drive = ["-drive", f"file={disk},format=raw,if=virtio"]
    guest = f"{GUEST} pc.level={SCALE_LEVEL}"
    if side == "shim+module":
        guest = guest.replace("pc.notifier=0", "pc.notifier=1")
    if side == "kdump":
        r = Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz", extra=drive,
                mem=f"{gib}G", guest_args=f"quiet crashkernel=128M pc.kdump=1 {guest}")
    else:
        r = Run(build, name, extra=drive, mem=f"{gib}G",
                modules=modules(build, guest, f"{CAPTURE_CMDLINE} pc.level={SCALE_LEVEL}"))
    out = {}
    try:
        t_panic = crash_to_saved(r)
        out["boot"] = t_panic
        out["entry"] = min(t for t in r.times_of(r"Linux version") if t > t_panic) - t_panic
        out["saved"] = r.time_of(r"PCG: dump saved") - t_panic
        out["mdf"] = float(r.wait_for(r"PCG: dump saved .* in ([0-9.]+)s", 1).group(1))
        out["vmcore"] = int(r.wait_for(r"PCG: capture kernel up, vmcore (\d+) bytes", 1).group(1))
        if side != "kdump":
            m = r.wait_for(r"\[hv\] crash: hand-over took (\d+) us after the trigger \(the "
                           r"region's (?:sampled )?check (\d+) us\); hv heap used (\d+) KiB", 1)
            out["handover"], out["check"], out["heap"] = (int(x) for x in m.groups())
            m = r.wait_for(r"\[hv\] crash: ELF core header 0x[0-9a-f]+\+(\d+): (\d+) PT_LOAD, "
                           r".*VMCOREINFO (?:at 0x[0-9a-f]+ \((\w+)\)|missing)", 1)
            out["elfhdr"], out["loads"] = int(m.group(1)), int(m.group(2))
            out["vmcoreinfo"] = m.group(3) or "missing"
            out["parked"] = int(r.wait_for(r"\[hv\] crash: \d+ other vCPU\(s\) parked in "
                                           r"(\d+) us", 1).group(1))
        path = extract(disk, f"{build}/logs/{name}.vmcore")
        out["dump"] = os.path.getsize(path)
        os.unlink(path)
    except AssertionError as e:
        print(f"scale: {name}: {e}", flush=True)
        out = None
    finally:
        os.unlink(disk)
    return out


def scale_bench(build):
    sizes = [int(x) for x in os.environ.get("BENCH_SCALE_SIZES", "1,4,16").split(",")]
    rounds = int(os.environ.get("BENCH_SCALE_ROUNDS", "1"))
    res = {}
    for gib in sizes:
        for side in SCALE_SIDES:
            runs = []
            for i in range(rounds):
                t0 = time.monotonic()
                x = scale_run(build, side, gib, i)
                if x:
                    x["wall"] = time.monotonic() - t0
                    runs.append(x)
                print(f"scale {gib} GiB, {side}, round {i + 1}/{rounds}: {x}", flush=True)
            if runs:
                # Medians per figure over the rounds (the VMCOREINFO way is the same in each).
                res[gib, side] = {k: statistics.median(x[k] for x in runs) if k != "vmcoreinfo"
                                  else runs[0][k] for k in runs[0]}
    print(f"scale: makedumpfile -E -d {SCALE_LEVEL}, 128 MiB capture memory, medians of {rounds}")
    print(f"{'GiB':>4} {'side':11} {'boot+crash':>10} {'->entry':>8} {'->saved':>8} "
          f"{'makedumpfile':>12} {'dump MiB':>9} {'/proc/vmcore MiB':>16} {'run':>6}")
    for gib in sizes:
        for side in SCALE_SIDES:
            x = res.get((gib, side))
            if not x:
                print(f"{gib:>4} {side:11} no vmcore saved")
                continue
            print(f"{gib:>4} {side:11} {x['boot']:>9.2f}s {x['entry']:>7.2f}s {x['saved']:>7.2f}s "
                  f"{x['mdf']:>11.2f}s {x['dump'] / 2**20:>9.1f} {x['vmcore'] / 2**20:>16.0f} "
                  f"{x['wall']:>5.0f}s")
    print("hv: hand-over (region check), other vCPUs parked, ELF core header, heap used")
    for gib, side in ((g, s) for g in sizes for s in SCALE_SIDES[1:]):
        x = res.get((gib, side))
        if x:
            print(f"{gib:>4} GiB, {side}: hand-over {x['handover'] / 1000:.1f} ms (check "
                  f"{x['check'] / 1000:.1f} ms), parked {x['parked']} us, ELF core header "
                  f"{x['elfhdr']} bytes ({x['loads']} PT_LOAD, VMCOREINFO {x['vmcoreinfo']}), "
                  f"heap {x['heap']} KiB")
    for gib, side in ((g, s) for g in sizes for s in SCALE_SIDES[1:]):
        k, sh = res.get((gib, "kdump")), res.get((gib, side))
        if k and sh:
            print(f"{gib:>4} GiB: ratio {side}/kdump: entry {sh['entry'] / k['entry']:.3f}, "
                  f"saved {sh['saved'] / k['saved']:.3f}, dump size {sh['dump'] / k['dump']:.3f}")


CPUS_SIDES = ("kdump", "kdump-2cpu", "kdump-lzo", "shim-1cpu", "shim", "shim-threads", "shim-lend",
              "shim-lzo", "shim-lzo-lend")
# shim-lend: a region holding what is staged and 4 MiB more, 512 MiB lent at the crash.
# -lzo: makedumpfile -l (LZO) instead of -c (zlib): the installed MAKEDUMP_ARGS' format.
LEND_HV = "capture_mem=70M capture_lend=512M dump_level=31"


def cpus_run(build, side, gib):
    """One sysrq crash of a 2-vCPU, gib GiB guest, saved kdump-compressed at
    -d 31: stock kdump as Debian ships it (nr_cpus=1, crashkernel=128M), stock
    kdump with nr_cpus=2 and a makedumpfile thread per CPU in the same
    reservation, the shim with nr_cpus=1, the shim with every CPU (the
    installed default: no makedumpfile threads), that with a thread per CPU,
    and that with a 70 MiB region and 512 MiB lent at the crash; "-lzo"
    sides save with -l (LZO) instead of -c (zlib). Returns
    (panic -> dump saved s, makedumpfile s, capture CPUs, capture kernel's
    memory KiB, hidden region MiB, dump bytes) or None."""
    name = f"bench-cpus-{side}-{gib}g"
    disk = dump_disk(build, name, "4G")
    drive = ["-drive", f"file={disk},format=raw,if=virtio"]
    fmt = "lzo" if side.endswith(("-lzo", "-lzo-lend")) else "compressed"
    guest = f"{GUEST} pc.level=31 pc.dump={fmt}"
    if side.startswith("kdump"):
        kcpus = "2 pc.threads=auto" if side == "kdump-2cpu" else "1"
        r = Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz", extra=drive,
                mem=f"{gib}G", smp=2,
                guest_args=f"quiet crashkernel=128M pc.kdump=1 pc.kcpus={kcpus} {guest}")
    else:
        cmd = f"console=ttyS0 reset_devices irqpoll pc.test=capture pc.level=31 pc.dump={fmt}"
        if side == "shim-1cpu":
            cmd += " nr_cpus=1"
        if side == "shim-threads":
            cmd += " pc.threads=auto"
        r = Run(build, name, extra=drive, mem=f"{gib}G", smp=2,
                hv_args=LEND_HV if side.endswith("-lend") else "",
                modules=modules(build, guest, cmd))
    try:
        t_panic = crash_to_saved(r)
        saved = r.time_of(r"PCG: dump saved") - t_panic
        mdf = float(r.wait_for(r"PCG: dump saved .* in ([0-9.]+)s", 1).group(1))
        m = r.wait_for(r"PCG: capture kernel: (\d+) cpu\(s\) online, (\d+) KiB", 1)
        size = int(r.wait_for(r"PCG: makedumpfile: Write bytes *: *(\d+)", 5).group(1))
        if side.startswith("kdump"):
            hidden = 128
        else:
            hidden = int(r.wait_for(r"\[hv\] hidden: .* capture region \((\d+) KiB\)",
                                    1).group(1)) >> 10
        return saved, mdf, int(m.group(1)), int(m.group(2)), hidden, size
    except AssertionError as e:
        print(f"cpus: {name}: {e}", flush=True)
        return None
    finally:
        os.unlink(disk)


def cpus_bench(build):
    """The capture kernel on every CPU versus one, and versus stock kdump."""
    sizes = [int(x) for x in os.environ.get("BENCH_CPUS_SIZES", "4,16").split(",")]
    for gib in sizes:
        res = {side: cpus_run(build, side, gib) for side in CPUS_SIDES}
        for side in CPUS_SIDES:
            x = res[side]
            print(f"cpus {gib} GiB, 2 vCPUs, {side}: " +
                  (f"panic -> dump saved {x[0]:.1f}s, makedumpfile {x[1]:.1f}s on {x[2]} "
                   f"CPU(s), capture kernel MemTotal {x[3] >> 10} MiB, hidden from the guest "
                   f"{x[4]} MiB, dump {x[5] >> 20} MiB" if x else "no dump saved"), flush=True)
        k, kl = res["kdump"], res["kdump-lzo"]
        for side in CPUS_SIDES[1:]:
            if k and res[side]:
                print(f"cpus {gib} GiB: ratio {side}/kdump: saved {res[side][0] / k[0]:.3f}, "
                      f"makedumpfile {res[side][1] / k[1]:.3f}", flush=True)
        # Like for like: the LZO sides against kdump saving with -l too.
        for side in ("shim-lzo", "shim-lzo-lend"):
            if kl and res[side]:
                print(f"cpus {gib} GiB: ratio {side}/kdump-lzo: saved {res[side][0] / kl[0]:.3f}, "
                      f"makedumpfile {res[side][1] / kl[1]:.3f}", flush=True)


def boot_time_smp(build, direct, n, i):
    name = f"bench-boot{n}-{'direct' if direct else 'shim'}-{i}"
    with Run(build, name, smp=n, guest_args="quiet pc.test=boot", direct=direct) as r:
        r.wait_for(rf"PCG: userspace reached, mode boot, {n} cpu", 300)
        t = r.time_of(r"PCG: userspace reached")
        r.wait_exit(60)
        return t


def smp_bench(build):
    rounds = int(os.environ.get("BENCH_SMP_ROUNDS", "3"))
    d, s = [], []
    for i in range(rounds):
        d.append(boot_time_smp(build, True, 4, i))
        s.append(boot_time_smp(build, False, 4, i))
    print(f"boot to userspace with 4 vCPUs: direct median {statistics.median(d):.2f}s, shim "
          f"median {statistics.median(s):.2f}s, ratio {statistics.median(s) / statistics.median(d):.3f}")
    for n in (2, 4):
        for trap in ("", "apic_trap=always"):
            rates = []
            for cpu in (0, n - 1):
                exits, secs, _ = idle_exits(build, n, cpu, trap)
                rates.append(f"vCPU {cpu} {exits / secs:.2f}/s ({exits} in {secs:.1f} s)")
            print(f"idle guest, {n} vCPUs, {trap or 'apic_trap=boot (default)'}: exits "
                  f"{', '.join(rates)} (goal: under 5)", flush=True)
    parked = []
    for i in range(rounds):
        name = f"bench-park-{i}"
        disk = dump_disk(build, name)
        with Run(build, name, smp=4, hv_args="pvpanic=off",
                 modules=modules(build, "pc.test=crash pc.trigger=sysrq pc.cpu=3 pc.busy=1 pc.token=0"),
                 extra=["-drive", f"file={disk},format=raw,if=virtio"]) as r:
            m = r.wait_for(r"\[hv\] crash: (\d+) other vCPU\(s\) parked in (\d+) us", 300)
            parked.append(int(m.group(2)))
        os.unlink(disk)
    print(f"crash with 4 vCPUs: trigger -> 3 others parked, median {statistics.median(parked)} us "
          f"({parked})")


def disk_rates(build, iommu, hv_args, i):
    """(write MB/s, read MB/s), the best of three 512 MiB O_DIRECT passes."""
    name = f"bench-disk-{iommu}-{hv_args.replace('=', '-') or 'on'}-{i}"
    disk = dump_disk(build, name, "1G")
    with Run(build, name, hv_args=hv_args, guest_args="quiet pc.test=disk",
             extra=["-machine", "q35", "-device", iommu,
                    "-drive", f"file={disk},format=raw,if=none,id=d0",
                    "-device", "virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on"]) as r:
        if hv_args:
            r.wait_for(r"\[hv\] WARNING: DMA isolation: off \(iommu=off\)", 60)
        else:
            r.wait_for(r"\[hv\] DMA isolation: on", 60)
        reps = [r.wait_for(rf"PCG: disk rep {k} write ([0-9.]+)s read ([0-9.]+)s", 300)
                for k in (1, 2, 3)]
        r.wait_for(r"PCG: done", 60)
    os.unlink(disk)
    return (512 / min(float(m.group(1)) for m in reps),
            512 / min(float(m.group(2)) for m in reps))


def dma_bench(build):
    rounds = int(os.environ.get("BENCH_DMA_ROUNDS", "3"))
    for iommu in ("intel-iommu", "amd-iommu"):
        on_w, on_r, off_w, off_r = [], [], [], []
        for i in range(rounds):
            w, rd = disk_rates(build, iommu, "iommu=off", i)
            off_w.append(w)
            off_r.append(rd)
            w, rd = disk_rates(build, iommu, "", i)
            on_w.append(w)
            on_r.append(rd)
        med = statistics.median
        print(f"disk (virtio-blk, {iommu}): write {med(on_w):.0f} MB/s on vs {med(off_w):.0f} "
              f"off (ratio {med(on_w) / med(off_w):.3f}); read {med(on_r):.0f} vs "
              f"{med(off_r):.0f} (ratio {med(on_r) / med(off_r):.3f})", flush=True)


VMX_ROUNDS = int(os.environ.get("BENCH_VMX_ROUNDS", "2"))


def vmx_boot(build, iso, name):
    """(wall seconds, guest uptime seconds) from Bochs start to userspace."""
    with BochsRun(build, name, iso) as r:
        m = r.wait_for(r"PCG: userspace reached.* uptime ([0-9.]+)", 600)
        return r.time_of(r"PCG: userspace reached"), float(m.group(1))


def iso_boots(build, tag, title, boot, args, rounds, platform="bios"):
    """Boot to userspace from GRUB ISOs, the shim's and one that boots the same
    kernel directly, alternating; print wall time and guest uptime medians.
    boot(build, iso, name) returns (wall seconds, guest uptime seconds, ...).
    Returns the shim's results."""
    shim_iso = grub_iso(build, f"bench-{tag}-shim", "", [
        (f"{build}/debian/vmlinuz", f"guest {args}"), (f"{build}/initrd.cpio.gz", "guest-initrd")],
        platform=platform)
    direct_iso = plain_iso(build, f"bench-{tag}-direct", args, platform=platform)
    shim, direct = [], []
    for i in range(rounds):
        direct.append(boot(build, direct_iso, f"bench-{tag}-direct-{i}"))
        shim.append(boot(build, shim_iso, f"bench-{tag}-shim-{i}"))
        print(f"{tag} round {i + 1}/{rounds}: direct {direct[-1][0]:.2f}s wall "
              f"({direct[-1][1]:.2f}s guest)  shim {shim[-1][0]:.2f}s wall "
              f"({shim[-1][1]:.2f}s guest)", flush=True)
    for k, what in ((0, "wall time"), (1, "guest uptime")):
        md = statistics.median(x[k] for x in direct)
        ms = statistics.median(x[k] for x in shim)
        print(f"{title} boot to userspace ({what}): direct median {md:.2f}s, shim median "
              f"{ms:.2f}s, ratio shim/direct {ms / md:.3f}")
    return shim


def vmx_bench(build):
    iso_boots(build, "vmx", "Bochs VMX", vmx_boot, "console=ttyS0 quiet pc.test=boot pc.drain=2",
              VMX_ROUNDS)
    idle_iso = grub_iso(build, "bench-vmx-idle", "", [
        (f"{build}/debian/vmlinuz", f"guest console=ttyS0 quiet pc.test=idle pc.idle={IDLE_SECONDS} pc.drain=2"),
        (f"{build}/initrd.cpio.gz", "guest-initrd")])
    with BochsRun(build, "bench-vmx-idle", idle_iso) as r:
        pat = r"PCG: idle-{} .* exits (\d+) tsc_khz (\d+) uptime_tsc (\d+)"
        a = r.wait_for(pat.format("start"), 600)
        b = r.wait_for(pat.format("end"), 600)
        r.wait_for(r"\[hv\] cpu0 exit counters", 60)
        counters = [m.group(0) for m in r.all(r"\[hv\]   \S+ +\(0x[0-9a-f]+\) \d+")]
    exits = int(b.group(1)) - int(a.group(1)) - 1
    secs = (int(b.group(3)) - int(a.group(3))) / (int(a.group(2)) * 1000.0)
    print(f"Bochs VMX idle guest: {exits} exits in {secs:.1f}s (guest time) = "
          f"{exits / secs:.2f} exits/s")
    for c in counters:
        print("  " + c.replace("[hv] ", "").strip())


def guest_nmis(build, name, smp, cpu, target, count, direct):
    """(ns per NMI, exits per NMI on the target vCPU or None) for count NMIs."""
    with Run(build, name, smp=smp, direct=direct,
             guest_args=f"quiet pc.test=nmi pc.cpu={cpu} pc.nmitarget={target} "
                        f"pc.count={count}") as r:
        m = r.wait_for(rf"PCG: parachute: NMIs to cpu\d+ from cpu\d+: {count} sent, (\d+) taken "
                       r"by our handler, (\d+) ns each", 600)
        r.wait_for(r"PCG: done", 60)
        assert int(m.group(1)) == count, m.group(0)
        exits = None
        if not direct:
            a = r.wait_for(r"PCG: nmi-exits-before .* exits (\d+) ", 5)
            b = r.wait_for(r"PCG: nmi-exits-after .* exits (\d+) ", 5)
            exits = (int(b.group(1)) - int(a.group(1)) - 1) / count  # less the second status call
        return int(m.group(2)), exits


def nmi_bench(build):
    count = int(os.environ.get("BENCH_NMIS", "500"))
    for smp, cpu, target, what in ((1, 0, -1, "self, 1 vCPU (boot CPU: watched)"),
                                   (2, 1, 1, "self on CPU 1 (LINT1 masked: not watched)"),
                                   (2, 1, 0, "CPU 1 to CPU 0, xAPIC trap lifted (watched)")):
        tag = f"smp{smp}-{cpu}to{target}"
        d_ns, _ = guest_nmis(build, f"bench-nmi-{tag}-direct", smp, cpu, target, count, True)
        s_ns, exits = guest_nmis(build, f"bench-nmi-{tag}-shim", smp, cpu, target, count, False)
        print(f"guest NMIs, {what}: {exits:.2f} exits each on the target; "
              f"{s_ns / 1000:.1f} us each with the shim, {d_ns / 1000:.1f} us direct, "
              f"ratio {s_ns / d_ns:.2f}", flush=True)
    rounds = int(os.environ.get("PANIC2_SOAK", "20"))
    once = 0
    for i in range(rounds):
        name = f"bench-panic2-{i}"
        disk = dump_disk(build, name)
        with Run(build, name, smp=2, extra=["-drive", f"file={disk},format=raw,if=virtio"],
                 modules=modules(build, f"pc.test=crash pc.trigger=panic2 pc.token={i}")) as r:
            try:
                r.wait_for(r"PCG: dump saved", 300)
                triggers = [m.group(1) for m in r.all(r"\[hv\] ERROR: crash: (.+) on cpu\d")]
                ok = len(triggers) == 1 and "operator" not in triggers[0]
            except AssertionError:
                ok = False
        os.unlink(disk)
        once += ok
        print(f"two vCPUs panicking together, round {i + 1}/{rounds}: "
              f"{'captured once' if ok else 'NOT captured once'}", flush=True)
    print(f"two vCPUs panicking together: captured exactly once in {once} of {rounds} runs")


def uefi_boot(build, iso, name):
    """(wall seconds, guest uptime seconds, hv log lines about the nested map)."""
    with Run(build, name, modules=[], smp=2,
             extra=["-machine", "q35", "-bios", OVMF, "-cdrom", iso]) as r:
        m = r.wait_for(r"PCG: userspace reached.* uptime ([0-9.]+)", 300)
        t = r.time_of(r"PCG: userspace reached")
        r.wait_exit(60)
        maps = [x.group(0) for x in r.all(r"guest memory: .*table page.*")]
        return t, float(m.group(1)), maps


def uefi_bench(build):
    shim = iso_boots(build, "uefi", "UEFI (OVMF, q35, 2 vCPUs; firmware and GRUB in wall time)",
                     uefi_boot, "console=ttyS0 quiet pc.test=boot", ROUNDS, platform="efi")
    for line in shim[-1][2]:
        print("  nested map: " + line)


def xen_bench(build):
    """xl-kdump versus xl dump-core on the same PVH domU (tests/xen/dom0-init, mode bench)."""
    import xen
    xen.prepare(build)
    extra = ["-machine", "q35", "-nodefaults", "-kernel", f"{build}/xen/xen",
             "-append", xen.XEN_ARGS, "-initrd",
             f"{build}/debian/vmlinuz console=hvc0 earlyprintk=xen xk.token=bench "
             f"xk.mode=bench,{build}/xen/dom0.cpio.gz"]
    with Run(build, "bench-xen", modules=[], mem="1536M", extra=extra) as r:
        r.wait_for(r"XK0: done", 1500)
        # The last load is the one that was captured (the first ones test errors).
        staged = r.all(r"XK0: xl-kdump: domain \d+ armed: .* \((\d+) MiB, read-only")[-1].group(1)
        xk = r.wait_for(r"XK0: watch done at [0-9.]+s, ([0-9.]+)s after the crash", 5).group(1)
        size = r.wait_for(r"XK0: watch: .* (\d+) bytes of dump written", 5).group(1)
        dc = r.wait_for(r"XK0: bench: xl dump-core exit (\d+) in ([0-9.]+)s, (\d+) bytes", 5)
    print(f"xen: xl-kdump: crash -> vmcore in dom0 {xk}s, {int(size) >> 20} MiB "
          f"(makedumpfile -E -d 17), {staged} MiB of host memory staged per armed domU")
    print(f"xen: xl dump-core: {dc.group(2)}s (exit {dc.group(1)}), {int(dc.group(3)) >> 20} MiB, "
          f"no memory before the crash, the whole core's size in dom0's filesystem")


def back_in_service(build, side, tag):
    """Seconds from the panic to the guest's userspace again, or None."""
    name = f"bench-restart-{side}-{tag}"
    disk = dump_disk(build, name)
    drive = ["-drive", f"file={disk},format=raw,if=virtio"]
    if side == "kdump":
        r = Run(build, name, direct=True, initrd=f"{build}/initrd-kdump.cpio.gz", extra=drive,
                smp=2, reboot=True,
                guest_args=f"quiet crashkernel=128M pc.kdump=1 {GUEST}")
    else:
        capture = CAPTURE_CMDLINE + (" pc.restart=1" if side == "shim-restart" else "")
        r = Run(build, name, hv_args="restart=on" if side == "shim-restart" else "",
                extra=drive, smp=2, reboot=True, modules=modules(build, GUEST, capture))
    try:
        with r:
            r.wait_for(r"Kernel panic - not syncing", 240)
            r.wait_for(r"PCG: dump saved", 300)
            r.wait_for_count(r"PCG: userspace reached, mode crash", 2, 300)
            t_panic = r.time_of(r"Kernel panic - not syncing")
            return r.times_of(r"PCG: userspace reached, mode crash")[1] - t_panic
    except AssertionError:
        return None
    finally:
        os.unlink(disk)


def restart_bench(build):
    rounds = int(os.environ.get("BENCH_RESTART_ROUNDS", "3"))
    sides = ("kdump", "shim-restart", "shim-reset")
    res = {s: [] for s in sides}
    for i in range(rounds):
        for side in sides:
            t = back_in_service(build, side, i)
            if t:
                res[side].append(t)
        print(f"restart round {i + 1}/{rounds}: " +
              ", ".join(f"{s} {res[s][-1:]}" for s in sides), flush=True)
    med = {s: statistics.median(v) for s, v in res.items() if v}
    for s, t in med.items():
        print(f"panic -> guest userspace again, {s}: {t:.2f}s (median of {len(res[s])})")
    for s in ("shim-restart", "shim-reset"):
        if s in med and "kdump" in med:
            print(f"ratio {s}/kdump: {med[s] / med['kdump']:.3f}")


def kvm_run(build, gib, armed, fill=0):
    """One libvirt domain of gib GiB crashed by sysrq-c: (s from the panic to the
    vmcore file on the host, its bytes, host MiB the arming used, and armed the
    parts: the host's hand-over, panic to the capture kernel's userspace,
    makedumpfile in it, in s)."""
    from libvirt import virsh
    from virtkdump import arm, domain, fresh_state, go, tool, watched, watcher
    name = f"bench-kvm-{gib}g{'-full' if fill else ''}-{'vk' if armed else 'virsh'}"
    state = fresh_state(build, name)
    out = f"{build}/logs/{name}.kdump"
    if os.path.exists(out):
        os.unlink(out)
    r, disk = domain(build, name, "console=ttyS0 quiet pc.test=crash pc.notifier=0 pc.go=disk "
                     f"pc.fill={fill}", mem_mib=gib << 10, disk_size="2G")
    staged, parts = 0, None
    with r:
        r.wait_for(r"PCG: waiting for the host's go on vda", 600)
        if armed:
            arm(build, name, state, "--append",
                "console=ttyS0 quiet reset_devices pc.test=capture pc.dump=compressed pc.level=31")
            staged = int(subprocess.run(["du", "-m", f"{state}/{name}.img"], capture_output=True,
                                        text=True, check=True).stdout.split()[0])
            watch, log = watcher(build, name, state)
        go(disk)
        r.wait_for(r"Kernel panic - not syncing", 120)
        t_panic = r.time_of(r"Kernel panic - not syncing")
        if armed:
            try:
                saved = r.wait_for(r"PCG: dump saved .* in ([0-9.]+)s", 900)
                r.wait_exit(120)
            finally:
                _, text = watched(watch, log, 60)
            extract(disk, out)
            done = time.monotonic() - r.started
            parts = (float(re.search(r"capture kernel started in ([0-9.]+) s", text).group(1)),
                     r.time_of(r"PCG: capture kernel up") - t_panic, float(saved.group(1)))
        else:
            while virsh("domstate", name).strip() != "crashed":
                time.sleep(0.2)
            virsh("dump", "--memory-only", "--format", "kdump-zlib", name, out)
            done = time.monotonic() - r.started
    if armed:
        tool(build, state, "unload", name)
    os.unlink(disk)
    size = os.path.getsize(out)
    os.unlink(out)
    return done - t_panic, size, staged, parts


def kvm_bench(build):
    """virt-kdump versus virsh dump on the same guest, side by side per size."""
    from libvirt import Libvirtd
    build = os.path.abspath(build)
    sizes = [int(x) for x in os.environ.get("BENCH_KVM_SIZES", "1,4").split(",")]
    with Libvirtd(build):
        fills = [int(x) for x in os.environ.get("BENCH_KVM_FILLS", "0,75").split(",")]
        for gib, fill in [(g, (g << 10) * f // 100) for g in sizes for f in fills]:
            vk = kvm_run(build, gib, True, fill)
            vd = kvm_run(build, gib, False, fill)
            what = f"{gib} GiB, {fill} MiB of tmpfs filled" if fill else f"{gib} GiB, idle"
            print(f"kvm {what}: virt-kdump crash -> vmcore file {vk[0]:.1f}s, "
                  f"{vk[1] >> 20} MiB (-c -d 31), {vk[2]} MiB staged on the host per armed "
                  f"domain; virsh dump kdump-zlib {vd[0]:.1f}s, {vd[1] >> 20} MiB, nothing "
                  f"before the crash; ratio time {vk[0] / vd[0]:.2f}, size {vk[1] / vd[1]:.3f}",
                  flush=True)
            print(f"kvm {what}: virt-kdump's parts: hand-over on the host {vk[3][0]:.2f}s, "
                  f"panic to the capture kernel's userspace {vk[3][1]:.1f}s, makedumpfile in "
                  f"it {vk[3][2]:.1f}s", flush=True)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    only = os.environ.get("BENCH_ONLY")
    if only == "capture":
        capture_bench(build)
        return 0
    if only == "handover":
        handover_bench(build, int(os.environ.get("BENCH_CRASH_ROUNDS", "3")))
        return 0
    if only == "smp":
        smp_bench(build)
        return 0
    if only == "dma":
        dma_bench(build)
        return 0
    if only == "vmx":
        vmx_bench(build)
        return 0
    if only == "nmi":
        nmi_bench(build)
        return 0
    if only == "uefi":
        uefi_bench(build)
        return 0
    if only == "xen":
        xen_bench(build)
        return 0
    if only == "scale":
        scale_bench(build)
        return 0
    if only == "restart":
        restart_bench(build)
        return 0
    if only == "watchdog":
        watchdog_bench(build)
        return 0
    if only == "kvm":
        kvm_bench(build)
        return 0
    if only == "cpus":
        cpus_bench(build)
        return 0
    shim, direct = [], []
    for i in range(ROUNDS):
        # Alternate so drift on the machine affects both sides alike.
        direct.append(boot_time(build, True, i))
        shim.append(boot_time(build, False, i))
        print(f"round {i + 1}/{ROUNDS}: direct {direct[-1]:.2f}s  shim {shim[-1]:.2f}s", flush=True)
    md, ms = statistics.median(direct), statistics.median(shim)
    print(f"boot to userspace: direct median {md:.2f}s, shim median {ms:.2f}s, "
          f"ratio shim/direct {ms / md:.3f}")

    # -smp 2: the hv holds CPU 1; the xAPIC trap ends once the guest has started it.
    for smp in (1, 2):
        exits, secs, counters = idle_exits(build, smp)
        print(f"idle guest, -smp {smp}: {exits} exits in {secs:.1f}s = {exits / secs:.2f} "
              f"exits/s on the one vCPU (goal: under 5)")
        for c in counters:
            print("  " + c.replace("[hv] ", "").strip())
    watchdog_bench(build)
    capture_bench(build)
    smp_bench(build)
    dma_bench(build)
    vmx_bench(build)
    nmi_bench(build)
    uefi_bench(build)
    scale_bench(build)
    restart_bench(build)
    kvm_bench(build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
