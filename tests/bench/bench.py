# SPDX-License-Identifier: GPL-2.0-only
"""make bench: figures for the foundation issue, taken side by side in one run.

1. Boot time to guest userspace, shim vs. the same kernel and initrd booted
   directly by QEMU (same QEMU settings), alternating runs, median ratio.
2. VM exits per second per vCPU on an idle guest, from the hv's own counters
   read twice through the status hypercall (CPL 0, test module).
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import Run  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
IDLE_SECONDS = int(os.environ.get("BENCH_IDLE", "20"))


def boot_time(build, direct, i):
    name = f"bench-boot-{'direct' if direct else 'shim'}-{i}"
    with Run(build, name, guest_args="quiet pc.test=boot", direct=direct) as r:
        r.wait_for(r"PCG: userspace reached", 300)
        t = r.time_of(r"PCG: userspace reached")
        r.wait_exit(60)
        return t


def idle_exits(build, smp):
    with Run(build, f"bench-idle-smp{smp}", smp=smp,
             guest_args=f"quiet pc.test=idle pc.idle={IDLE_SECONDS}") as r:
        pat = r"PCG: idle-{} .* exits (\d+) tsc_khz (\d+) uptime_tsc (\d+)"
        a = r.wait_for(pat.format("start"), 120)
        b = r.wait_for(pat.format("end"), 120 + IDLE_SECONDS)
        r.wait_for(r"PCG: done", 60)
        counters = [m.group(0) for m in r.all(r"\[hv\]   \S+ +\(0x[0-9a-f]+\) \d+")]
        # The second status hypercall counts itself; the window holds nothing else of ours.
        exits = int(b.group(1)) - int(a.group(1)) - 1
        secs = (int(b.group(3)) - int(a.group(3))) / (int(a.group(2)) * 1000.0)
        return exits, secs, counters


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    shim, direct = [], []
    for i in range(ROUNDS):
        # Alternate so drift on the machine affects both sides alike.
        direct.append(boot_time(build, True, i))
        shim.append(boot_time(build, False, i))
        print(f"round {i + 1}/{ROUNDS}: direct {direct[-1]:.2f}s  shim {shim[-1]:.2f}s", flush=True)
    md, ms = statistics.median(direct), statistics.median(shim)
    print(f"boot to userspace: direct median {md:.2f}s, shim median {ms:.2f}s, "
          f"ratio shim/direct {ms / md:.3f}")

    # -smp 2: the hv holds CPU 1 and traps the guest's APIC writes (INIT/SIPI policy).
    for smp in (1, 2):
        exits, secs, counters = idle_exits(build, smp)
        print(f"idle guest, -smp {smp}: {exits} exits in {secs:.1f}s = {exits / secs:.2f} "
              f"exits/s on the one vCPU (goal: under 5)")
        for c in counters:
            print("  " + c.replace("[hv] ", "").strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
