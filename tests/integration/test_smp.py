# SPDX-License-Identifier: GPL-2.0-only
"""SMP guests: every CPU under the hv, INIT/SIPI virtualised, the other vCPUs
parked on a crash with one NT_PRSTATUS each (checked in the vmcore)."""
import os
import secrets

import pytest

import debuggers
import shared
from capture import (CAPTURE_ARGS, crash_and_capture, crashing_pid, dmesg, extract,
                     nmi_when_spinning, rip_in, spinner_regs, start)
from harness import Run

USER_TOP = 0x0000800000000000
KERNEL_BASE = 0xffff800000000000


def valid_rip(rip):
    return rip < USER_TOP or rip >= KERNEL_BASE


def suffix(hv_args):
    """A run name's part for its hv options: "" or "-apic_trap-always"."""
    return "-" + hv_args.replace("=", "-") if hv_args else ""


def check_all_started(r, n, timeout=120):
    for c in range(1, n):
        r.wait_for(rf"\[hv\] cpu{c}: vCPU started by the guest \(SIPI vector 0x[0-9a-f]+\), "
                   r"in guest mode", timeout)


LIFTED = r"\[hv\] all {} vCPUs run the guest: xAPIC writes no longer trapped \(apic_trap=boot\)"
# QEMU's TCG performs an INIT whatever GIF says (no VM_CR.R_INIT): the hv never
# lifts the trap there, so that no guest INIT reaches a CPU (docs/security.md).
PINNED = r"\[hv\] WARNING: cpu0: VM_CR.R_INIT does not stick: .* the xAPIC stays trapped"
REARMED = (r"\[hv\] cpu\d+: the guest wrote the CMOS warm-reset code \(a CPU start-up follows\): "
           r"xAPIC writes trapped again")

# One 2-vCPU boot per hv option set serves the short 2-vCPU checks here and
# in test_nmi.py (the guest's own NMIs, its NMI IPIs, CPU hotplug): what each
# boot does, in order (tests/initrd/init, pc.test=smp).
SMP2_STEPS = {"": "nmiself,nmi10,ipi0,ipi1,hotplug",
              "apic_trap=always": "nmi10,ipi0,hotplug",
              "pvpanic=off": "hotplug"}
NMI_COUNT = 20
SMP2 = pytest.mark.xdist_group("smp2")


def smp2_boot(build, hv_args):
    """The 2-vCPU guest with these hv options, booted once (shared.py)."""
    def boot():
        with Run(build, f"smp2{suffix(hv_args)}", smp=2, hv_args=hv_args, monitor=True,
                 guest_args=f"quiet pc.test=smp pc.steps={SMP2_STEPS[hv_args]} "
                            f"pc.count={NMI_COUNT}") as r:
            r.wait_for(r"PCG: done", 300)
            r.wait_exit(60)
        return r
    return shared.once(("smp2", build, hv_args), boot)


def check_boot(r, n, mode):
    r.wait_for(rf"\[hv\] {n} CPUs: cpu0 runs the guest, {n - 1} held by the hv", 1)
    check_all_started(r, n, 1)
    # The trap stays: this CPU cannot contain an INIT (under VMX it is lifted, test_vmx).
    r.wait_for(PINNED, 1)
    assert not r.all(LIFTED.format(n)), "the trap was lifted on a CPU that cannot contain INIT"
    r.wait_for(rf"PCG: userspace reached, mode {mode}, {n} cpu\(s\) online", 1)
    r.wait_for(r"PCG: done", 1)
    assert not r.all(r"do_boot_cpu failed|\[hv\] (ERROR|PANIC)|PCG: unknown step")


@SMP2
def test_smp_all_cpus_online(build):
    check_boot(smp2_boot(build, ""), 2, "smp")
    with Run(build, "smp4-boot", smp=4, guest_args="quiet pc.test=boot") as r:
        r.wait_for(r"PCG: done", 300)
    check_boot(r, 4, "boot")


def check_notes(vm, n, crashed, syms, func):
    assert len(vm.prstatus) == n, f"{len(vm.prstatus)} NT_PRSTATUS notes for {n} vCPUs"
    # Notes are in CPU order: the crashing vCPU's is the one in its CPU's place.
    ok, why = rip_in(vm, syms, func, note=crashed)
    assert ok, why
    for i, regs in enumerate(vm.prstatus):
        assert valid_rip(regs["rip"]), f"vCPU {i}: rip {regs['rip']:#x}"


def test_smp_crash_on_cpu0_and_last(build):
    n = 4
    for cpu in (0, n - 1):
        r, vm, token, info = crash_and_capture(
            build, f"smp{n}-crash-cpu{cpu}", "sysrq", smp=n, hv_args="pvpanic=off",
            guest_extra=f"pc.cpu={cpu} pc.busy=1")
        # Guest CPU n has APIC ID n; the hv numbers CPUs in the order they came up.
        m = r.wait_for(rf"\[hv\] ERROR: crash: guest CRASH hypercall on cpu(\d+) \(APIC {cpu}\)", 1)
        r.wait_for(rf"\[hv\] crash: {n - 1} other vCPU\(s\) parked in \d+ us$", 1)
        r.wait_for(rf"\[hv\] crash: cpu{m.group(1)} enters the capture kernel", 1)
        check_notes(vm, n, cpu, info["syms"], "pc_panic")
        assert f"parachute-token: {token}" in dmesg(info["path"])
        # crashing_cpu recorded as the kernel's kexec path would: drgn's crashed
        # thread is the one on the crashing CPU; crash's active task there too.
        r.wait_for(rf"\[hv\] crash: crashing_cpu = {cpu}, as the kernel's crash path records it", 1)
        debuggers.check(build, info["path"], token, info["pid"], "panic", cpu=cpu)


# The capture kernel as installs now run it: every CPU (no nr_cpus=1).
ALL_CPUS = CAPTURE_ARGS.replace(" nr_cpus=1", "")


def check_capture_cpus(r, n):
    """The capture kernel started the n - 1 parked vCPUs with INIT/SIPI, which
    the hv took, and ran on all n."""
    m = r.wait_for(rf"\[hv\] crash: cpu(\d+) enters the capture kernel at .*; "
                   rf"it may start {n - 1} parked vCPU\(s\)", 1)
    started = {int(x.group(1)) for x in
               r.all(r"\[hv\] cpu(\d+): vCPU started by the capture kernel "
                     r"\(SIPI vector 0x[0-9a-f]+\), in capture mode")}
    assert started == set(range(n)) - {int(m.group(1))}, started
    r.wait_for(rf"PCG: capture kernel: {n} cpu\(s\) online", 1)
    assert not r.all(r"do_boot_cpu failed|dropped|\[hv\] (ERROR: capture|PANIC)")


def test_smp_capture_kernel_gets_every_cpu(build):
    # 2 vCPUs, crashed on the AP: the capture kernel boots on cpu1 and starts cpu0.
    r, vm, token, info = crash_and_capture(build, "smp2-capture-cpus", "sysrq", smp=2,
                                           guest_extra="pc.cpu=1", capture_args=ALL_CPUS)
    check_capture_cpus(r, 2)
    # The crashed guest's state, taken before the capture kernel ran a CPU.
    check_notes(vm, 2, 1, info["syms"], "iowrite8")
    assert f"parachute-token: {token}" in dmesg(info["path"])
    debuggers.check(build, info["path"], token, info["pid"], "panic", cpu=1)


def test_smp_capture_kernel_four_cpus_threads(build):
    # 4 vCPUs, a kdump-compressed dump written by one makedumpfile thread per CPU,
    # in 256 MiB lent at the crash (four CPUs and threads need more than the region).
    token = secrets.token_hex(8)
    r, disk = start(build, "smp4-capture-cpus", f"pc.test=crash pc.token={token} "
                    "pc.trigger=sysrq pc.busy=1", smp=4, hv_args="capture_lend=256M",
                    capture_args=ALL_CPUS + " pc.dump=compressed pc.level=31 pc.threads=auto")
    with r:
        r.wait_for(r"PCG: dump saved \(compressed, makedumpfile -c -d 31 --num-threads 4\)",
                   300)
        r.wait_exit(60)
    check_capture_cpus(r, 4)
    r.wait_for(r"\[hv\] crash: lent 256 MiB of 256 to the capture kernel", 1)
    assert not r.all(r"makedumpfile with threads failed")
    path = extract(disk, f"{build}/logs/smp4-capture-cpus.kdump")
    os.unlink(disk)
    with open(path, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not kdump-compressed"
    assert f"parachute-token: {token}" in dmesg(path)
    debuggers.check(build, path, token, crashing_pid(r), "panic")


def test_smp_capture_cpu_that_never_parked(build):
    # capture_test=nopark: the last vCPU ignores the park request and stays in the
    # crashed guest. It is left out of the notes, the capture kernel's INIT and
    # start-up IPIs to it are dropped and said, and it captures on the CPU it has.
    r, vm, token, info = crash_and_capture(build, "smp2-nopark", "sysrq", smp=2,
                                           hv_args="capture_test=nopark",
                                           guest_extra="pc.cpu=0", capture_args=ALL_CPUS)
    r.wait_for(r"\[hv\] crash: 0 other vCPU\(s\) parked in \d+ us; the others did not answer "
               r"the NMI within 1 s", 1)
    r.wait_for(r"\[hv\] WARNING: crash: cpu1 did not park: its vCPU stays out of the vmcore's "
               r"notes and of the capture kernel's CPUs", 1)
    r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel at .*; it may start 0 parked "
               r"vCPU\(s\)", 1)
    r.wait_for(r"\[hv\] WARNING: cpu0: the capture kernel's INIT to cpu1 dropped: that vCPU "
               r"did not park at the crash, it stays out of the capture", 1)
    assert not r.all(r"started by the capture kernel")
    r.wait_for(r"PCG: capture kernel: 1 cpu\(s\) online", 1)
    assert len(vm.prstatus) == 1
    ok, why = rip_in(vm, info["syms"], "iowrite8")
    assert ok, why
    assert f"parachute-token: {token}" in dmesg(info["path"])


def test_smp_two_crashes_one_capture(build):
    r, vm, token, info = crash_and_capture(build, "smp2-two-crashes", "hypercall2", smp=2)
    wins = r.all(r"\[hv\] ERROR: crash: guest CRASH hypercall on cpu(\d)")
    assert len(wins) == 1, [w.group(0) for w in wins]
    assert len(r.all(r"enters the capture kernel")) == 1
    assert len(vm.prstatus) == 2
    assert len(r.all(r"PCG: dump saved")) == 1


def test_smp_operator_nmi_all_busy(build):
    spin = {}

    def nmi(r):
        spin["range"] = nmi_when_spinning(r, cpu=1)

    r, vm, token, info = crash_and_capture(build, "smp2-nmi", "spin", smp=2,
                                           guest_extra="pc.cpu=1 pc.busy=1", operator=nmi)
    assert len(r.all(r"\[hv\] ERROR: crash: operator NMI on cpu\d")) == 1
    assert len(vm.prstatus) == 2
    for regs in vm.prstatus:
        assert valid_rip(regs["rip"])
    # CPU 1 runs the SCHED_FIFO spinner: its note is in the spinner's loop, or in
    # kernel code on top of it (a tick or an IPI being handled when the NMI came).
    assert spinner_regs(vm.prstatus[1], spin["range"]), \
        f"vCPU 1: rip {vm.prstatus[1]['rip']:#x} cs {vm.prstatus[1]['cs']:#x}"


@SMP2
def test_smp_cpu_hotplug(build):
    # pvpanic=off: the CMOS ports are intercepted for the trap's sake alone.
    for mode in ("", "pvpanic=off", "apic_trap=always"):
        r = smp2_boot(build, mode)
        r.wait_for(r"PCG: online 0-1", 1)
        r.wait_for(r"PCG: cpu1 offline, online now 0$", 1)
        r.wait_for(r"PCG: cpu1 back, online now 0-1$", 1)
        r.wait_for(r"PCG: cpu1 runs tasks again", 1)
        # Started twice by the guest, both times through the hv's INIT/SIPI path.
        assert len(r.all(r"\[hv\] cpu1: vCPU started by the guest")) == 2, mode
        events = [m.group(0) for m in r.all(rf"{LIFTED.format(2)}|{REARMED}|"
                                            r"\[hv\] cpu1: vCPU started by the guest")]
        # Trapped throughout: under TCG the trap is never lifted (PINNED), so there is
        # nothing to arm again; with apic_trap=always no CMOS intercept either.
        assert len(events) == 2 and all("started by the guest" in e for e in events), events
        r.wait_for(PINNED, 1)
        assert not r.all(r"\[hv\] (ERROR|PANIC)|crash:|PCG: unknown step"), mode


@SMP2
def test_smp_guest_nmi_ipis_reach_the_guest(build):
    """sysrq-l: the guest's NMI IPIs to the other CPUs are the guest's, not an
    operator NMI: from CPU 0 and from CPU 1 to CPU 0, which listens on LINT1
    for the platform's NMI, taken by the guest's backtrace handler. Under TCG
    the xAPIC trap stays on (no VM_CR.R_INIT), so the trap sees each IPI; the
    lifted trap's path (LINT1 masked on the APs) runs under VMX (test_vmx)."""
    for mode, cpu in (("", 0), ("apic_trap=always", 0), ("", 1)):
        other = 1 - cpu
        r = smp2_boot(build, mode)
        sent = r.time_of(rf"PCG: Sending NMI from CPU {cpu} to CPUs {other}:")
        # The other CPU's backtrace, after this send (each step prints its own).
        assert [t for t in r.times_of(rf"PCG: NMI backtrace for cpu {other}\b") if t >= sent], \
            f"{mode or 'apic_trap=boot'}: no backtrace from cpu{other} after cpu{cpu}'s sysrq-l"
        assert not r.all(r"\[hv\] (ERROR|PANIC)|crash:"), "an NMI IPI was taken for a crash"
        # Under TCG the trap stays on: the guest's NMI IPIs are seen by it (docs/smp.md).
        assert not r.all(LIFTED.format(2)), "the trap was lifted on a CPU that cannot contain INIT"
