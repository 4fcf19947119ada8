# SPDX-License-Identifier: GPL-2.0-only
"""A 16 GiB guest captured end to end. QEMU's TCG backs only the pages the
guest touches, so the guest fits a machine with less free memory than that;
the vmcore passes the checks the 1 GiB capture tests make. Its capture kernel
runs in memory lent at the crash (docs/capture.md): the standing region holds
what is staged and about 4 MiB more, as on a guest that sets capture_lend=."""
import os

import debuggers
from capture import compress, crash_and_capture, dmesg, rip_in
from test_capture import check_patterns

GIB = 1 << 30
MEM = 16 * GIB
# QEMU's pc machine puts 3 GiB of a guest this large below 4 GiB and the rest
# from 4 GiB up, so its RAM ends at 4 GiB + (16 - 3) GiB.
RAM_END = 4 * GIB + MEM - 3 * GIB
LEND_MIB = 512


def test_scale_16g_captured(build):
    # As test_sysrq_panic_captured: the module's panic notifier reports the panic
    # and registered VMCOREINFO, which the 16 GiB guest keeps above 4 GiB. A 70 MiB
    # region (the staged vmlinux, initrd and boot data, and about 4 MiB more), 512 MiB
    # lent at the crash from the free memory dump_level=17 drops.
    r, vm, token, info = crash_and_capture(
        build, "cap-scale-16g", "sysrq",
        hv_args=f"pvpanic=off capture_mem=70M capture_lend={LEND_MIB}M dump_level=17",
        mem=f"{MEM // GIB}G", disk_size="4G")
    m = r.wait_for(r"\[hv\] guest RAM: (\d+) MiB of (\d+) MiB", 1)
    assert int(m.group(2)) > (MEM >> 20) - 64, m.group(0)  # all of it, less the firmware's
    r.wait_for(r"\[hv\] crash: ELF core header 0x[0-9a-f]+\+\d+: .* \(registered\)", 1)
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    assert len(vm.prstatus) == 1
    ok, why = rip_in(vm, info["syms"], "pc_panic")
    assert ok, why
    assert vm.vmcoreinfo["OSRELEASE"] == open(f"{build}/debian/kernel-version").read().strip()
    m = r.wait_for(r"\[hv\] capture kernel: boot protocol .* (\d+) MiB to run in", 1)
    assert int(m.group(1)) <= 5, m.group(0)
    m = r.wait_for(r"\[hv\] crash: lent (\d+) MiB of (\d+) to the capture kernel in (\d+) "
                   r"run\(s\): \1 MiB of the crashed kernel's free blocks", 1)
    assert int(m.group(2)) == LEND_MIB and int(m.group(1)) == LEND_MIB, m.group(0)
    runs = [(int(x.group(1), 16), int(x.group(2), 16) + 1) for x in
            r.all(r"\[hv\] crash: lent 0x([0-9a-f]+)-0x([0-9a-f]+) \(\d+ MiB\)")]
    assert runs and all(a >= 4 * GIB for a, _ in runs), [(hex(a), hex(b)) for a, b in runs]
    m = r.wait_for(r"PCG: capture kernel: 1 cpu\(s\) online, (\d+) KiB of memory", 1)
    assert int(m.group(1)) > LEND_MIB * 1024, m.group(0)
    # The PT_LOADs and the lent runs (which no PT_LOAD covers) reach the end of
    # guest RAM, and the pages the guest filled read back at their physical
    # addresses, those above 4 GiB included.
    loads = [(pa, pa + memsz) for _, _, _, _, pa, _, memsz, _ in vm.loads]
    for pa, end in loads:
        for a, b in runs:
            assert end <= a or pa >= b, (hex(pa), hex(end), hex(a), hex(b))
    top = max(end for _, end in loads + runs)
    assert top == RAM_END, f"the vmcore's RAM ends at {top:#x}, the guest's at {RAM_END:#x}"
    check_patterns(vm, info["pages"])
    high = [pa for pa, _ in info["pages"] if pa >= 4 * GIB]
    assert high, f"no pattern page above 4 GiB: {[hex(pa) for pa, _ in info['pages']]}"
    # makedumpfile -d 31 from the vmcore alone, and the debuggers read it.
    out = compress(info["path"])
    assert os.path.getsize(out) < os.path.getsize(info["path"])
    debuggers.check(build, info["path"], token, info["pid"], "panic")
    os.unlink(out)
