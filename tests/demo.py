# SPDX-License-Identifier: GPL-2.0-only
"""make demo: boot Debian's kernel under parachute in QEMU (TCG, AMD SVM + NPT)
and show the guest confirming that it runs on ParachuteHV. One line per stage,
with its duration; the whole console log is in BUILD/logs/demo.log."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "integration"))
from harness import Run  # noqa: E402


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    t0 = time.monotonic()
    last = t0

    def stage(text):
        nonlocal last
        now = time.monotonic()
        print(f"[demo] {text:<58} {now - last:6.2f}s", flush=True)
        last = now

    with Run(build, "demo", guest_args="quiet pc.test=demo") as r:
        r.wait_for(r"\[hv\] parachute .* starting")
        stage("QEMU started parachute.elf (Multiboot)")
        r.wait_for(r"\[hv\] entering the guest")
        stage("hv ready: SVM + NPT on, guest kernel loaded")
        for m in r.all(r"\[hv\] (hidden: .*)"):
            print(f"         {m.group(1)}")
        r.wait_for(r"PCG: userspace reached")
        stage("Debian guest reached userspace")
        sig = r.wait_for(r'PCG: hvinfo: cpuid 0x40000000 .*signature="([^"]*)"')
        refused = r.wait_for(r"PCG: hvinfo: hypercall from CPL 3: .*")
        status = r.wait_for(r"PCG: hv status: (.*)")
        stage(f'guest confirms it runs on "{sig.group(1)}"')
        print(f"         {refused.group(0)[5:]}")
        print(f"         hv status via CPL 0 hypercall: {status.group(1)}")
        r.wait_for(r"PCG: done")
        r.wait_exit(60)
        stage("guest powered off")
    print(f"[demo] total {time.monotonic() - t0:.2f}s; console log: {build}/logs/demo.log")
    return 0 if sig.group(1) == "ParachuteHV" else 1


if __name__ == "__main__":
    sys.exit(main())
