# SPDX-License-Identifier: GPL-2.0-only
"""NMIs belong to the guest first: the NMIs it sends itself (to itself, or to
the CPU that listens on LINT1 for the platform's NMI) reach its handlers and
start no capture; a panic in its NMI handler is captured through the panic;
two CPUs panicking at once are captured once; an NMI no handler in the guest
takes (the operator's) is captured, also when every vCPU spins with
interrupts off."""
import os

import debuggers
from capture import crash_and_capture, dmesg, evidence, rip_in
from harness import Run
from test_smp import NMI_COUNT, SMP2, smp2_boot


def check_guest_nmis(r, cpu, dest, count):
    """The parachute module on cpu sent count NMIs to dest, its handler took them all."""
    m = r.wait_for(rf"PCG: parachute: NMIs to cpu{dest} from cpu{cpu}: {count} sent, "
                   r"(\d+) taken by our handler", 1)
    assert int(m.group(1)) == count, m.group(0)
    assert not r.all(r"NMI received for unknown reason"), "the guest saw an unknown NMI"
    assert not r.all(r"\[hv\] (ERROR|PANIC)|crash:"), "a guest NMI was taken for a crash"


def test_guest_self_nmis_one_vcpu(build):
    # One vCPU: every NMI comes in where the platform's NMI would (LINT1 unmasked).
    with Run(build, "nmi-self-1cpu", monitor=True,
             guest_args=f"quiet pc.test=nmi pc.cpu=0 pc.nmitarget=-1 pc.count={NMI_COUNT}") as r:
        r.wait_for(r"PCG: done", 240)
    check_guest_nmis(r, 0, 0, NMI_COUNT)


@SMP2
def test_guest_nmis_two_vcpus(build):
    # To CPU 0 from CPU 1 with the xAPIC trap lifted (nothing saw the IPI), and kept;
    # and CPU 0 to itself (test_smp.py's 2-vCPU boots).
    check_guest_nmis(smp2_boot(build, ""), 1, 0, NMI_COUNT)
    check_guest_nmis(smp2_boot(build, "apic_trap=always"), 1, 0, NMI_COUNT)
    check_guest_nmis(smp2_boot(build, ""), 0, 0, NMI_COUNT)


def test_panic_in_guest_nmi_handler(build):
    r, vm, token, info = crash_and_capture(build, "nmi-panic", "nmipanic")
    assert not r.all(r"operator NMI"), "the guest's NMI was taken for the operator's"
    r.wait_for(r"\[hv\] ERROR: crash: (pvpanic|guest CRASH hypercall)", 1)
    log = dmesg(info["path"])
    assert "Kernel panic - not syncing: parachute: panic in the NMI handler" in log
    d, _ = debuggers.check(build, info["path"], token, info["pid"], "panic")
    assert "pc_nmi_panic" in d["frames"], d["frames"]


def test_smp_simultaneous_panics_captured_once(build):
    # Two CPUs panic together; the one that loses stops the other with NMIs
    # ("Shutting down cpus with NMI"): the guest's, however they arrive.
    rounds = int(os.environ.get("PANIC2_ROUNDS", "3"))
    for i in range(rounds):
        r, vm, token, info = crash_and_capture(build, f"smp2-panic2-{i}", "panic2", smp=2)
        triggers = [m.group(1) for m in r.all(r"\[hv\] ERROR: crash: (.+) on cpu\d")]
        assert len(triggers) == 1 and "operator" not in triggers[0], triggers
        assert len(r.all(r"enters the capture kernel")) == 1
        assert len(vm.prstatus) == 2
        log = dmesg(info["path"])
        assert f"parachute-token: {token}" in log
        assert "Kernel panic - not syncing: sysrq triggered crash" in log


def test_smp_operator_nmi_hard_lockup(build):
    # Every vCPU spins with interrupts off: the operator's NMI still gets in, no
    # handler of the guest's takes it, it reads the NMI reason port: captured.
    def nmi(r):
        # Once both vCPUs run the spinning threads with interrupts off.
        lo, hi = evidence(r)[1]["pc_spin_irqs_off"]
        r.wait_cpus(lambda cpus: all(lo <= c["rip"] < hi and not c["rflags"] & 0x200
                                     for c in cpus),
                    "every vCPU in pc_spin_irqs_off with interrupts off")
        r.hmp("nmi")

    r, vm, token, info = crash_and_capture(build, "smp2-hardlockup", "hardlockup", smp=2,
                                           operator=nmi)
    r.wait_for(r"\[hv\] cpu\d+: the guest's NMI handlers declined an NMI", 1)
    assert len(r.all(r"\[hv\] ERROR: crash: operator NMI on cpu\d")) == 1
    assert len(vm.prstatus) == 2
    # CPU 0 stopped in the guest's NMI handler reading the reason port; CPU 1 in
    # the spinning thread with interrupts off.
    ok, why = rip_in(vm, info["syms"], "default_get_nmi_reason", note=0)
    assert ok, why
    ok, why = rip_in(vm, info["syms"], "pc_spin_irqs_off", note=1)
    assert ok, why
    assert not vm.prstatus[1]["eflags"] & 0x200, f"IF set on vCPU 1: {vm.prstatus[1]['eflags']:#x}"
    assert f"parachute-token: {token}" in dmesg(info["path"])
