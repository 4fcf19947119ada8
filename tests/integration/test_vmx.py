# SPDX-License-Identifier: GPL-2.0-only
"""Intel VMX with EPT, under Bochs, booted the way real machines boot the shim:
GRUB (Multiboot2) from an ISO. The vmcore gets the same checks as on SVM.
One Bochs run (shared.py) serves the boot's checks and the capture's: the
guest shows what it sees, takes its own NMIs, crashes, is captured and
restarted; test_vmx_boot and test_vmx_sysrq_captured_and_restarted each read
their part of it."""
import secrets

import pytest

import shared
from bochs import BochsRun
from capture import back_in_service, compress, dmesg, dump_disk, evidence, rebuild, rip_in
from grub import grub_iso
from harness import ABI
from test_capture import check_patterns, check_unrandomised
from vmcore import Vmcore

# Bochs's CPUID leaf 0x15 says 3.5 GHz while its TSC counts instructions
# (ips=100000000, bochs.py): the kernel is told the TSC's real rate, else
# its clock runs 35 times slow and every sleep costs that much Bochs time.
TSC = "tsc_early_khz=100000"
GUEST = f"console=ttyS0 quiet {TSC} pc.drain=2"
CAPTURE = f"console=ttyS0 quiet {TSC} nr_cpus=1 reset_devices pc.test=capture pc.disk=ata pc.drain=2"

# A Bochs run of several minutes: time enough for it and its checks.
pytestmark = pytest.mark.timeout(1500)


def modules(build, guest_args, capture=True, capture_args=""):
    mods = [(f"{build}/debian/vmlinuz", f"guest {GUEST} {guest_args}"),
            (f"{build}/initrd.cpio.gz", "guest-initrd")]
    if capture:
        mods += [(f"{build}/debian/vmlinuz", f"capture {CAPTURE} {capture_args}".rstrip()),
                 (f"{build}/initrd.cpio.gz", "capture-initrd"),
                 (f"{build}/debian/vmlinux-capture", "capture-vmlinux")]
    return mods


def vmx_capture(build):
    """The VMX run, once: boot (the guest's view, a write to the hv image at
    0x100000, 5 NMIs to itself), sysrq-c, the capture to an IDE disk, then
    (restart=on) the guest back in service. Returns (run, token, evidence,
    vmcore path)."""
    def run():
        token = secrets.token_hex(8)
        name = "vmx-capture"
        iso = grub_iso(build, name, "loglevel=info pvpanic=off restart=on",
                       modules(build, f"pc.test=crash pc.token={token} pc.trigger=sysrq "
                                      "pc.hvinfo=1 pc.probeaddr=0x100000 pc.nmis=5 pc.selftest=1",
                               capture_args="pc.restart=1"))
        disk = dump_disk(build, name, "256M")
        with BochsRun(build, name, iso, disk=disk) as r:
            r.wait_for(r"\[hv\] capture armed: SHA-256", 180)
            r.wait_for(r"PCG: crashing via sysrq", 400)
            found = evidence(r)
            # VMX's IA-32e mode entry into the vmlinux's startup_64.
            r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel at 0x[0-9a-f]+ "
                       r"\(its vmlinux, 64-bit entry\)", 120)
            r.wait_for(r"PCG: capture kernel up, vmcore \d+ bytes", 400)
            r.wait_for(r"PCG: dump saved", 400)
            # Back in service: EPT back to the guest's, the guest kernel entered again,
            # capture re-armed, and the guest's userspace reached a second time.
            back_in_service(r, r"PCG: userspace reached, mode crash", 400)
        return r, token, found, rebuild(build, disk, name)
    return shared.once(("vmx-capture", build), run)


def before_crash(r):
    """The console lines before the crash trigger."""
    lines = r.lines[:]
    end = next(i for i, line in enumerate(lines) if "PCG: crashing via" in line)
    return lines[:end]


@pytest.mark.xdist_group("vmx-capture")
def test_vmx_boot(build):
    r = vmx_capture(build)[0]
    r.wait_for(r"\[hv\] loader multiboot2", 1)
    r.wait_for(r"\[hv\] Intel VMX with EPT and unrestricted guest; VMCS revision 0x[0-9a-f]+", 1)
    r.wait_for(r"\[hv\] entering the guest on cpu0 \(Intel VMX\)", 1)
    r.wait_for(r'PCG: hvinfo: cpuid 0x40000000 max=0x40000001 signature="ParachuteHV"', 1)
    r.wait_for(r"PCG: hvinfo: vmx visible no", 1)
    r.wait_for(r"PCG: hvinfo: hypercall from CPL 3: -1 \(refused\)", 1)
    r.wait_for(r"\[hv\] WARNING: cpu0: hypercall 0 from CPL 3 refused", 1)
    # The module's hypercalls (VMCALL, CPL 0) are served: vendor 2 is VMX, capture armed.
    m = r.wait_for(rf"PCG: hv status: abi {ABI} vendor 2 cpus 1 vcpus 1 flags (0x[0-9a-f]+) "
                   r"capture 0x[0-9a-f]+\+0x[0-9a-f]+ exits (\d+)", 1)
    assert int(m.group(1), 16) & 1, f"the status says capture is not armed: {m.group(0)}"
    assert int(m.group(2)) > 0
    # A write to hidden memory: EPT violation, stepped over on the scratch page.
    r.wait_for(r"\[hv\] hidden: 0x000100000-0x[0-9a-f]+ hv image", 1)
    r.wait_for(r"PCG: memprobe: 0x100000: read all-ones; write dropped", 1)
    r.wait_for(r"\[hv\] WARNING: cpu0: guest write to hidden memory at 0x100000 ", 1)
    # The guest's self-NMIs come in where the platform's NMI would: watched
    # (NMI-window injection, the reason port in the I/O bitmap), taken by its handler.
    r.wait_for(r"PCG: parachute: NMIs to cpu0 from cpu0: 5 sent, 5 taken by our handler", 1)
    assert not [line for line in before_crash(r)
                if "NMI received for unknown reason" in line or "crash:" in line], \
        "a guest NMI was taken for a crash"


def test_vmx_smp_boot(build):
    # Two vCPUs: the AP is held in the park guest, then started by the guest's
    # own INIT/SIPI (virtualised: APIC trap, mailbox, NMI kick) into guest mode.
    iso = grub_iso(build, "vmx-smp", "loglevel=info",
                   modules(build, "pc.test=demo pc.nmis=5 pc.cpu=1 pc.nmitarget=0",
                           False))
    with BochsRun(build, "vmx-smp", iso, cpus=2) as r:
        r.wait_for(r"\[hv\] cpu1 \(APIC 1\): held in the park guest", 120)
        r.wait_for(r"\[hv\] 2 CPUs: cpu0 runs the guest, 1 held by the hv")
        r.wait_for(r"\[hv\] cpu1: vCPU started by the guest \(SIPI vector 0x[0-9a-f]+\), "
                   r"in guest mode", 400)
        # Then the EPT stops trapping the APIC page (each vCPU flushes: INVEPT).
        r.wait_for(r"\[hv\] all 2 vCPUs run the guest: xAPIC writes no longer trapped", 60)
        r.wait_for(r"PCG: userspace reached, mode demo, 2 cpu\(s\) online", 400)
        r.wait_for(rf"PCG: hv status: abi {ABI} vendor 2 cpus 2 vcpus 2 ", 120)
        # NMIs from CPU 1 to CPU 0 with the trap lifted: the guest's, not an operator's.
        r.wait_for(r"PCG: parachute: NMIs to cpu0 from cpu1: 5 sent, 5 taken by our handler", 120)
        r.wait_for(r"PCG: done", 60)
        assert not r.all(r"do_boot_cpu failed|\[hv\] (ERROR|PANIC)|NMI received for unknown")
        # The guest powers off (ACPI soft-off), which ends Bochs: it ran to its end.
        r.wait_exit(120)
    with open(f"{build}/logs/vmx-smp.bochs.log", errors="replace") as f:
        assert "ACPI control: soft power off" in f.read(), "Bochs ended without the guest's power-off"


def check_vmx_selftest(r):
    """parachutectl selftest under VMX (one vCPU, before the crash), where the
    hv sees what SVM leaves to the CPU: MOV to CR0 and CR4 with the bits VMX
    pins, EFER and APIC-base values and XSETBV, each through the gate and
    refused with #GP; 16 seal/write/unseal rounds leave the hv's heap flat.
    The INIT probe needs a second CPU (docs/vmx.md: why not the SMP run)."""
    m = r.wait_for(r"PCG: ctl selftest: selftest: (\d+) probes, (\d+) failed", 600)
    assert m.group(2) == "0", [l for l in r.all(r"PCG: ctl selftest: .*FAILED")]
    r.wait_for(r"PCG: ctl selftest: exit 0$", 1)
    for probe in (r"cr: CR0\.PG off in 64-bit code: #GP", r"cr: CR4\.PAE off in long mode: #GP",
                  r"cr: CR0 bit 32: #GP", r"cr: CR4\.VMXE: #GP", r"msr: EFER\.LMSLE: #GP",
                  r"msr: APIC base moved: #GP", r"msr: x2APIC ICR in xAPIC mode: WRMSR 0x830 <- 0 #GP",
                  r"heap: seal/write/unseal cycles: 16 cycles, 16 writes dropped"):
        r.wait_for(rf"PCG: ctl selftest: selftest: {probe}.*: ok$", 1)
    # Each refusal the hv's own: its gate logged it.
    r.wait_for(r"\[hv\] WARNING: cpu0: guest MOV to CR4 <- 0x[0-9a-f]+ refused \(#GP\)", 1)
    r.wait_for(r"\[hv\] WARNING: cpu0: guest WRMSR APIC base <- 0x[0-9a-f]+ .*refused \(#GP\)", 1)
    # XSETBV exits on VMX: where the guest enabled XSAVE, the XCR0 rules ran.
    if not r.all(r"PCG: ctl selftest: selftest: xcr0: XSETBV: no XSAVE on this CPU"):
        r.wait_for(r"PCG: ctl selftest: selftest: xcr0: AVX without SSE: #GP: ok$", 1)


@pytest.mark.xdist_group("vmx-capture")
def test_vmx_selftest(build):
    check_vmx_selftest(vmx_capture(build)[0])


@pytest.mark.xdist_group("vmx-capture")
def test_vmx_sysrq_captured_and_restarted(build):
    r, token, (pages, syms), path = vmx_capture(build)
    vm = Vmcore(path)
    log = dmesg(path)
    assert f"parachute-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    # One NT_PRSTATUS, from the VMCS: the CRASH hypercall (VMCALL) in the panic notifier.
    assert len(vm.prstatus) == 1
    ok, why = rip_in(vm, syms, "pc_panic")
    assert ok, why
    check_unrandomised(vm)
    assert vm.prstatus[0]["cs"] == 0x10 and vm.prstatus[0]["rsp"] >> 47 == 0x1ffff
    check_patterns(vm, pages)
    compress(path)


def test_vmx_watchdog_preemption_timer(build):
    # The guest's only vCPU spins with interrupts off and no NMI comes: the
    # VMX-preemption timer makes it exit, and the watchdog's deadline passes.
    # The capture's start is the check here; test_vmx_sysrq_captured saves a dump.
    name = "vmx-watchdog"
    iso = grub_iso(build, name, "loglevel=info",
                   modules(build, "pc.test=crash pc.trigger=watchdog pc.notifier=1"))
    with BochsRun(build, name, iso, disk=dump_disk(build, name, "256M")) as r:
        r.wait_for(r"\[hv\] Intel VMX: the watchdog uses the VMX-preemption timer", 120)
        r.wait_for(r"\[hv\] cpu0: watchdog started: the guest has 5000 ms between pets", 600)
        r.wait_for(r"PCG: every CPU spins with interrupts off from now", 120)
        r.wait_for(r"\[hv\] ERROR: crash: watchdog \(the guest stopped petting it\) on cpu0", 300)
        m = r.wait_for(r"\[hv\] crash: NT_PRSTATUS 0: cpu0 \(APIC 0\) pid \d+ rip (0x[0-9a-f]+)", 60)
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 60)
        syms = evidence(r)[1]
    start, end = syms["pc_spin_irqs_off"]
    assert start <= int(m.group(1), 16) < end, f"rip {m.group(1)} not in pc_spin_irqs_off"
    assert not r.all(r"operator NMI")


def test_vmx_refuses_cpu_without_ept_or_unrestricted_guest(build):
    # Penryn has VMX without EPT; Lynnfield (Nehalem) has EPT without unrestricted guest.
    iso = grub_iso(build, "vmx-refuse", "loglevel=info", modules(build, "pc.test=demo", False))
    for cpu, missing in (("core2_penryn_t9600", r"Intel VMX without EPT \(IA32_VMX_PROCBASED_CTLS2 bit 33 clear\)"),
                         ("corei5_lynnfield_750", r"Intel VMX without unrestricted guest \(IA32_VMX_PROCBASED_CTLS2 bit 39 clear\)")):
        with BochsRun(build, f"vmx-refuse-{cpu}", iso, cpu=cpu) as r:
            r.wait_for(rf"\[hv\] ERROR: {missing}", 120)
            r.wait_for(r"\[hv\] ERROR: this CPU has no usable hardware virtualisation")
            r.wait_for(r"\[hv\] ERROR: parachute halted\.")
            # Halted cleanly: no reset, no guest.
            assert len(r.all(r"parachute .* starting")) == 1
            assert not r.all(r"entering the guest")
