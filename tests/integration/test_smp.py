# SPDX-License-Identifier: GPL-2.0-only
"""SMP guests: every CPU under the hv, INIT/SIPI virtualised, the other vCPUs
parked on a crash with one NT_PRSTATUS each (checked in the vmcore)."""
import pytest

import debuggers
import shared
from capture import crash_and_capture, dmesg, nmi_when_spinning, rip_in, spinner_regs
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
