# SPDX-License-Identifier: GPL-2.0-only
"""Crash capture end to end; every test checks the vmcore itself."""
import os
import secrets

import debuggers
from capture import (CAPTURE_ARGS, check_patterns, compress, crash_and_capture, dmesg, extract,
                     kaslr_offset,
                     kdump_capture, modules, nmi_when_spinning, rebuild, rip_in, spinner_regs,
                     start)
from harness import ABI, Run
from vmcore import Vmcore


# x86-64 kernel text before KASLR: __START_KERNEL_map + 16 MiB, at most 1 GiB.
KERNEL_TEXT = (0xffffffff81000000, 0xffffffffc0000000)


def check_unrandomised(vm):
    """RIP less VMCOREINFO's KERNELOFFSET lands in the kernel's link-time text."""
    rip = vm.prstatus[0]["rip"] - kaslr_offset(vm)
    assert KERNEL_TEXT[0] <= rip < KERNEL_TEXT[1], f"rip - KERNELOFFSET = {rip:#x}"


def test_sysrq_panic_captured(build):
    # pvpanic=off: the parachute module's panic notifier (CRASH hypercall) reports
    # the panic; test_pvpanic_captured covers a stock kernel.
    r, vm, token, info = crash_and_capture(build, "cap-sysrq", "sysrq", hv_args="pvpanic=off")
    assert not r.all(r"pvpanic device QEMU0001"), "pvpanic=off still added the device"
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    # One NT_PRSTATUS, taken from the VMCB: the CRASH hypercall in the panic notifier.
    assert len(vm.prstatus) == 1
    ok, why = rip_in(vm, info["syms"], "pc_panic")
    assert ok, why
    assert vm.prstatus[0]["cs"] == 0x10 and vm.prstatus[0]["rsp"] >> 47 == 0x1ffff
    assert vm.vmcoreinfo["OSRELEASE"] == open(f"{build}/debian/kernel-version").read().strip()
    assert "KERNELOFFSET" in vm.vmcoreinfo
    check_patterns(vm, info["pages"])
    # makedumpfile -c -d 31 works from the VMCOREINFO inside the vmcore alone.
    out = compress(info["path"])
    assert os.path.getsize(out) < os.path.getsize(info["path"])
    r.wait_for(r"\[hv\] capture armed: SHA-256", 1)
    # The capture kernel's vmlinux, laid out at boot, entered without decompressing.
    r.wait_for(r"\[hv\] capture kernel: its vmlinux laid out at 0x[0-9a-f]+\+0x[0-9a-f]+, "
               r"entered in 64-bit mode", 1)
    r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel at 0x[0-9a-f]+ "
               r"\(its vmlinux, 64-bit entry\)", 1)
    # The module registered VMCOREINFO (paddr_vmcoreinfo_note()): no scan at the crash.
    m = r.wait_for(r"\[hv\] cpu0: guest kernel info: .*, VMCOREINFO at (0x[0-9a-f]+)$", 1)
    r.wait_for(rf"\[hv\] crash: ELF core header .* VMCOREINFO at {int(m.group(1), 16) + 24:#x} "
               r"\(registered\)", 1)
    # drgn and crash read it as they read kexec's: tasks, the crashed thread, its stack, the log.
    shim, shim_crash = debuggers.check(build, info["path"], token, info["pid"], "panic")
    # Stock kdump, same kernel and initrd: the debuggers see the same crash.
    path, ktoken, kpid = kdump_capture(build, "cap-sysrq-kdump", "sysrq")
    kdump, kdump_crash = debuggers.check(build, path, ktoken, kpid, "panic")
    for name, a, b in (("drgn", shim, kdump), ("crash", shim_crash, kdump_crash)):
        assert abs(a["tasks"] - b["tasks"]) <= 4, \
            f"{name}: {a['tasks']} tasks in the shim's vmcore, {b['tasks']} in kdump's"
    assert shim["crashed_comm"] == kdump["crashed_comm"] == "sh"
    assert shim_crash["comm"] == kdump_crash["comm"] == "sh"
    # The kernel's own crash path ran only under kdump: its frames lead from panic to the
    # kexec; the shim's record panic itself, calling the hv.
    assert shim["frames"][shim["frames"].index("panic"):] == \
        kdump["frames"][kdump["frames"].index("panic"):], (shim["frames"], kdump["frames"])


def test_pvpanic_captured(build):
    # A stock kernel: no parachute module, only Debian's pvpanic driver bound to
    # the QEMU0001 device the hv added to the ACPI tables.
    # The capture kernel as a bzImage alone: its 32-bit entry, and it decompresses itself.
    r, vm, token, info = crash_and_capture(build, "cap-pvpanic", "sysrq",
                                           guest_extra="pc.notifier=0", vmlinux=False)
    assert not r.all(r"capture kernel: its vmlinux")
    r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel at 0x[0-9a-f]+; it may start 0 "
               r"parked vCPU\(s\)$", 1)
    r.wait_for(r"\[hv\] ACPI: pvpanic device QEMU0001 at port 0x505 added", 1)
    r.wait_for(r"PCG: pvpanic device bound", 1)
    r.wait_for(r"\[hv\] ERROR: crash: pvpanic \(the guest kernel panicked\) on cpu0", 1)
    # Nobody told the hv where VMCOREINFO is: it found the note by a scan from
    # the guest's first user-mode CPUID on, and the crash read that page alone.
    m = r.wait_for(r"\[hv\] cpu\d+: VMCOREINFO: the guest's note found at (0x[0-9a-f]+), from "
                   r"its first user-mode CPUID on: \d+ exits, \d+ us", 1)
    r.wait_for(rf"\[hv\] crash: ELF core header .* VMCOREINFO at {int(m.group(1), 16) + 24:#x} "
               r"\(probed\)", 1)
    ok, why = rip_in(vm, info["syms"], "iowrite8")
    assert ok, why
    check_unrandomised(vm)
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    check_patterns(vm, info["pages"])


def test_crash_hypercall_captured(build):
    # The capture initramfs asks for a restart, which restart=off (the default)
    # refuses before anything happens: the machine resets as before.
    r, vm, token, info = crash_and_capture(build, "cap-hypercall", "hypercall",
                                           capture_args=f"{CAPTURE_ARGS} pc.restart=1")
    r.wait_for(r"parachute: the hv would not restart the guest \(hv option restart=off", 1)
    r.wait_for(r"PCG: restart refused \(exit 3\), rebooting", 1)
    assert not r.all(r"\[hv\] restart"), "the hv restarted or was asked to"
    ok, why = rip_in(vm, info["syms"], "crash_set")
    assert ok, why
    assert f"parachute-token: {token}" in dmesg(info["path"])
    check_patterns(vm, info["pages"])


def test_oops_captured(build):
    # A NULL write in a module, with oops=panic: oops, then panic, then the notifier.
    r, vm, token, info = crash_and_capture(build, "cap-oops", "oops", guest_extra="oops=panic")
    log = dmesg(info["path"])
    assert "BUG: kernel NULL pointer dereference" in log
    assert "Kernel panic - not syncing: Fatal exception" in log
    d, c = debuggers.check(build, info["path"], token, info["pid"], "panic")
    assert "oops_set" in d["frames"] and "oops_set" in c["text"], (d["frames"], c["frames"])


def test_triple_fault_captured(build):
    r, vm, token, info = crash_and_capture(build, "cap-triple", "triplefault",
                                           guest_extra="reboot=t")
    r.wait_for(r"\[hv\] ERROR: crash: triple fault on cpu0", 1)
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "reboot: machine restart" in log
    ok, why = rip_in(vm, info["syms"], "native_machine_emergency_restart")
    assert ok, why
    check_unrandomised(vm)
    # No panic: the reboot syscall's task, caught mid-reset (stock kdump never sees this).
    debuggers.check(build, info["path"], token, info["pid"], "native_machine_emergency_restart",
                    crash_frame="__do_sys_reboot")


def test_compressed_dump_option(build):
    # pc.dump=compressed: the capture initrd writes kdump-compressed (-c) output.
    r, disk = start(build, "cap-compressed", "pc.test=crash pc.token=c0ffee pc.trigger=hypercall",
                    capture_args=CAPTURE_ARGS + " pc.dump=compressed")
    with r:
        r.wait_for(r"PCG: dump saved \(compressed, makedumpfile -c -d 17\)", 300)
        r.wait_exit(60)
    path = extract(disk, f"{build}/logs/cap-compressed.kdump")
    os.unlink(disk)
    with open(path, "rb") as f:
        assert f.read(8) == b"KDUMP   ", "not kdump-compressed"
    assert "parachute-token: c0ffee" in dmesg(path)


def test_operator_nmi_captured(build):
    spin = {}

    def nmi_while_spinning(r):
        spin["range"] = nmi_when_spinning(r)

    r, vm, token, info = crash_and_capture(build, "cap-nmi", "spin", operator=nmi_while_spinning)
    r.wait_for(r"\[hv\] ERROR: crash: operator NMI on cpu0", 1)
    regs = vm.prstatus[0]
    lo, hi = spin["range"]
    assert spinner_regs(regs, spin["range"]), \
        f"rip {regs['rip']:#x} cs {regs['cs']:#x}: neither the spinning loop [{lo:#x}, {hi:#x}) nor kernel text"
    assert f"parachute-token: {token}" in dmesg(info["path"])
    # The crashed thread is the spinner, whose pid the capture took from the vCPU's state.
    debuggers.check(build, info["path"], token, info["pid"])


def test_cpl3_crash_refused(build):
    with Run(build, "cap-cpl3", modules=modules(build, "pc.test=cpl3crash")) as r:
        r.wait_for(r"PCG: hvinfo: CRASH from CPL 3: -1 \(refused\)", 120)
        r.wait_for(r"\[hv\] WARNING: cpu0: hypercall 3 from CPL 3 refused")
        r.wait_for(r"PCG: guest still running")
        r.wait_for(r"PCG: done")
        assert not r.all(r"\[hv\] ERROR: crash:")


def test_corrupted_region_reboots(build):
    with Run(build, "cap-corrupt", hv_args="capture_test=corrupt",
             modules=modules(build, "pc.test=crash pc.token=0 pc.trigger=sysrq")) as r:
        r.wait_for(r"\[hv\] WARNING: capture_test=corrupt: a page of the staged capture kernel overwritten")
        r.wait_for(r"\[hv\] ERROR: capture region corrupted: SHA-256 [0-9a-f]{16}\.\.\. at boot, "
                   r"[0-9a-f]{16}\.\.\. now", 180)
        r.wait_for(r"\[hv\] ERROR: capture failed: the staged capture kernel was modified")
        r.wait_for(r"\[hv\] ERROR: cpu0 guest state: rip ")     # the registers of the crash
        r.wait_for(r"\[hv\] ERROR: rebooting the machine \(capture_failure=reboot\)")
        # QEMU runs with -no-reboot: the reset ends it. No hang.
        r.wait_exit(30)
        assert not r.all(r"enters the capture kernel")


def test_corrupted_region_halts_by_policy(build):
    with Run(build, "cap-corrupt-halt", hv_args="capture_test=corrupt capture_failure=halt",
             modules=modules(build, "pc.test=crash pc.token=0 pc.trigger=sysrq"),
             monitor=True) as r:
        r.wait_for(r"\[hv\] ERROR: capture failed: the staged capture kernel was modified", 180)
        r.wait_for(r"\[hv\] ERROR: parachute halted\.")
        r.assert_halted()
        assert not r.all(r"enters the capture kernel")


def test_write_to_capture_region_dropped(build):
    name = "cap-scribble"
    token = secrets.token_hex(8)
    r, disk = start(build, name, f"pc.test=crash pc.token={token} pc.trigger=sysrq pc.probe=1")
    with r:
        m = r.wait_for(r"\[hv\] hidden: 0x([0-9a-f]+)-0x([0-9a-f]+) capture region")
        end_pa = int(m.group(2), 16) + 1
        initrd = int(r.wait_for(r"\[hv\] capture kernel: .* initrd (0x[0-9a-f]+)\+").group(1), 16)
        # Hashed contents: the staged initrd's first page and the capture
        # kernel's boot_params (first page of the 1 MiB tail). The region's
        # first pages sit in what Linux fences as "RAM buffer" after RAM.
        pages = [initrd, end_pa - (1 << 20)]
        r.wait_for(r"PCG: probe\?", 180)
        r.send(" ".join(hex(p) for p in pages) + "\n")
        for p in pages:
            r.wait_for(rf"PCG: memprobe: {p:#x}: read all-ones; write dropped")
            r.wait_for(rf"\[hv\] WARNING: cpu0: guest write to hidden memory at {p:#x} ")
        # The hash still matches: the capture goes ahead.
        r.wait_for(r"\[hv\] crash: cpu0 enters the capture kernel", 120)
        r.wait_for(r"PCG: dump saved", 300)
        r.wait_for(r"PCG: capture done", 60)
        r.wait_exit(60)
        assert not r.all(r"corrupted|capture failed")
    # And the capture kernel the guest wrote at is the one that saved this crash.
    path = rebuild(build, disk, name)
    vm = Vmcore(path)
    assert len(vm.prstatus) == 1, f"{len(vm.prstatus)} NT_PRSTATUS notes"
    log = dmesg(path)
    assert f"parachute-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log


def test_bad_capture_input_disarms(build):
    # A bzImage that is not relocatable runs at its pref_address only (kexec refuses
    # such a crash kernel too): the setup header's relocatable_kernel byte cleared.
    fixed = f"{build}/bad/bad-fixed-vmlinuz"
    os.makedirs(os.path.dirname(fixed), exist_ok=True)
    with open(f"{build}/debian/vmlinuz", "rb") as f:
        data = bytearray(f.read())
    data[0x234] = 0
    with open(fixed, "wb") as f:
        f.write(data)
    cases = [
        ("cap-bad-fixed", fixed, "",
         r"\[hv\] ERROR: capture kernel is not relocatable \(relocatable_kernel 0 in its setup "
         r"header\): it runs at 0x1000000 only, outside the capture region at 0x[0-9a-f]+"),
        ("cap-bad-missing", None, "", r"\[hv\] no capture module: capture disarmed"),
        ("cap-bad-notbz", f"{build}/initrd.cpio.gz", "",
         r"\[hv\] ERROR: capture kernel: not a Linux bzImage"),
        ("cap-bad-big", None, "capture_mem=64M",
         r"\[hv\] ERROR: capture kernel needs \d+ MiB and its initrd \d+ MiB: more than "
         r"capture_mem=64M holds"),
    ]
    for name, kernel, hv_args, message in cases:
        mods = modules(build, "pc.test=basic", CAPTURE_ARGS, capture_kernel=kernel)
        if name == "cap-bad-missing":
            mods = mods[:2]
        with Run(build, name, hv_args=hv_args, modules=mods) as r:
            r.wait_for(message, 60)
            if name != "cap-bad-missing":
                r.wait_for(r"\[hv\] ERROR: capture disarmed: the guest boots")
            if name == "cap-bad-fixed":
                continue  # the guest's boot disarmed is the other cases' to show
            # The guest boots, and the status hypercall says disarmed (flags 0).
            r.wait_for(rf"PCG: status abi {ABI} vendor 1 cpus 1 vcpus 1 flags 0x0 ", 120)
            r.wait_for(r"PCG: probe\?")
            r.send("\n")
            r.wait_for(r"PCG: done")


def test_bad_capture_vmlinux_falls_back(build):
    """A capture-vmlinux that is malformed or not the capture bzImage's kernel is
    refused by name, and capture stays armed with the bzImage's own entry."""
    vml = f"{build}/debian/vmlinux-capture"
    with open(vml, "rb") as f:
        data = f.read()
    truncated = f"{build}/logs/cap-vml-truncated.vmlinux"
    with open(truncated, "wb") as f:
        f.write(data[:1 << 20])
    # Another build of the same release: the banners' dates differ.
    other = bytearray(data)
    at = other.find(b"Linux version ")
    assert at >= 0
    while at >= 0:
        eol = other.index(b"\n", at)
        other[eol - 2] = ord("9") if other[eol - 2] != ord("9") else ord("8")
        at = other.find(b"Linux version ", eol)
    mismatched = f"{build}/logs/cap-vml-other.vmlinux"
    with open(mismatched, "wb") as f:
        f.write(other)
    cases = [
        ("cap-vml-truncated", truncated,
         r"\[hv\] ERROR: capture vmlinux: segment \d+ \(0x[0-9a-f]+ bytes at file offset "
         r"0x[0-9a-f]+\) runs past the end of the file"),
        ("cap-vml-other", mismatched,
         r"\[hv\] ERROR: capture vmlinux: not the kernel the capture bzImage carries"),
        ("cap-vml-bzimage", f"{build}/debian/vmlinuz",
         r"\[hv\] ERROR: capture vmlinux: not a 64-bit little-endian ELF file"),
    ]
    for name, path, message in cases:
        mods = modules(build, "pc.test=basic", vmlinux=False) + [f"{path} capture-vmlinux"]
        with Run(build, name, modules=mods) as r:
            r.wait_for(message, 60)
            r.wait_for(r"\[hv\] WARNING: capture vmlinux not used: the capture kernel will "
                       r"decompress itself at the crash")
            r.wait_for(r"\[hv\] capture armed: SHA-256")
            assert not r.all(r"its vmlinux laid out")
    for p in (truncated, mismatched):
        os.unlink(p)
