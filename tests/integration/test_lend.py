# SPDX-License-Identifier: GPL-2.0-only
"""Memory lent to the capture kernel at the crash (hv option capture_lend=):
the crashed kernel's free blocks, which the dump level drops, become the
capture kernel's RAM, and the vmcore leaves them out (docs/capture.md)."""
import debuggers
from capture import CAPTURE_ARGS, check_patterns, crash_and_capture, dmesg

LENT = r"\[hv\] crash: lent (\d+) MiB of (\d+) to the capture kernel in (\d+) run\(s\)"


def test_lend_free_memory_to_a_small_region(build):
    # The standing region holds the staged vmlinux (58 MiB), initrd and boot data and
    # about 4 MiB more: alone it could not run the capture kernel. A 4 GiB guest (1 GiB
    # of it above 4 GiB, searched first); 1 and 16 GiB: test_dma.py, test_scale.py.
    r, vm, token, info = crash_and_capture(
        build, "lend-small", "sysrq", mem="4G",
        hv_args="capture_mem=70M capture_lend=256M dump_level=17")
    m = r.wait_for(r"\[hv\] capture kernel: boot protocol .* (\d+) MiB to run in", 1)
    assert int(m.group(1)) <= 5, m.group(0)
    m = r.wait_for(LENT, 1)
    assert int(m.group(1)) == 256 and int(m.group(2)) == 256, m.group(0)
    runs = [(int(x.group(1), 16), int(x.group(2), 16) + 1) for x in
            r.all(r"\[hv\] crash: lent 0x([0-9a-f]+)-0x([0-9a-f]+) \(\d+ MiB\)")]
    assert runs and len(runs) == min(int(m.group(3)), 8), runs
    for a, b in runs:
        assert a % (2 << 20) == 0 and b % (2 << 20) == 0 and a >= 4 << 30, (a, b)
    # The capture kernel ran in it: more memory than its region holds.
    m = r.wait_for(r"PCG: capture kernel: 1 cpu\(s\) online, (\d+) KiB of memory", 1)
    assert int(m.group(1)) > 256 * 1024, m.group(0)
    # The vmcore: no PT_LOAD covers a lent run; every pattern page is intact.
    for p in vm.loads:
        paddr, memsz = p[4], p[6]
        for a, b in runs:
            assert paddr + memsz <= a or paddr >= b, (hex(paddr), hex(memsz), hex(a), hex(b))
    check_patterns(vm, info["pages"])
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    debuggers.check(build, info["path"], token, info["pid"], "panic")


def test_lend_nothing_when_the_dump_keeps_free_pages(build):
    # dump_level=1 keeps free pages: nothing is lent, the capture runs in its region.
    r, vm, token, info = crash_and_capture(build, "lend-level", "sysrq",
                                           hv_args="capture_lend=256M dump_level=1")
    r.wait_for(r"\[hv\] WARNING: crash: nothing lent to the capture kernel \(capture_lend=256M\): "
               r"the dump level keeps free pages; it runs in the capture region alone", 1)
    assert not r.all(LENT)
    assert f"parachute-token: {token}" in dmesg(info["path"])


def test_lend_search_finds_nothing(build):
    # A guest that overwrote its own struct pages (tests/hostile/, crash=2): every
    # free block of 2 MiB or more reads as one free page. The search finds nothing
    # to lend; the capture runs in the region alone, on one CPU of the two.
    r, vm, token, info = crash_and_capture(
        build, "lend-none", "memmap", smp=2, hv_args="capture_lend=256M dump_level=17",
        capture_args=CAPTURE_ARGS.replace(" nr_cpus=1", ""))
    m = r.wait_for(r"hostile: (\d+) free block\(s\) of 2 MiB or more below pfn", 1)
    assert int(m.group(1)) > 0, m.group(0)
    r.wait_for(r"\[hv\] WARNING: crash: nothing lent to the capture kernel \(capture_lend=256M\): "
               r"no free block of 2 MiB or more; it runs in the capture region alone", 1)
    r.wait_for(r"\[hv\] WARNING: crash: nothing lent: the capture kernel runs on one CPU in the "
               r"region alone \(nr_cpus=1 added to its command line\)", 1)
    r.wait_for(r"\[hv\] crash: cpu\d enters the capture kernel .*; it may start 0 parked vCPU", 1)
    r.wait_for(r"PCG: capture kernel command line: .* nr_cpus=1$", 1)
    r.wait_for(r"PCG: capture kernel: 1 cpu\(s\) online", 1)
    assert not r.all(LENT) and not r.all(r"vCPU started by the capture kernel")
    check_patterns(vm, info["pages"])
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "Kernel panic - not syncing: hostile: struct pages overwritten" in log
    debuggers.check(build, info["path"], token, info["pid"], "panic")


def test_lend_out_of_memory_guest(build):
    # panic_on_oom with a tmpfs filled to the brim: the crashed kernel has next to no
    # free blocks to lend. Whatever the search finds (less than asked, or nothing),
    # the capture runs, in the region if need be, and the dump holds the OOM report.
    # dump_level=17, the capture initrd's own -d: free pages only (page cache is kept).
    r, vm, token, info = crash_and_capture(build, "lend-oom", "oom",
                                           hv_args="capture_lend=256M dump_level=17")
    m = r.wait_for(r"\[hv\] (?:WARNING: )?crash: (?:lent (\d+) MiB of 256|nothing lent to the "
                   r"capture kernel \(capture_lend=256M\): (.*); it runs in the capture region "
                   r"alone)", 1)
    assert m.group(2) or int(m.group(1)) < 256, m.group(0)
    check_patterns(vm, info["pages"])
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "invoked oom-killer" in log and "Out of memory" in log, log[-2000:]
    assert "Kernel panic - not syncing: Out of memory" in log


def test_lend_page_cache_at_level_31(build):
    # The same out-of-memory guest dumped at -d 31, which drops page cache too: the
    # tmpfs that filled RAM is lent in 2 MiB chunks, as much as asked. The dump keeps
    # the kernel's log; the user pages (the pattern pages among them) it drops.
    r, vm, token, info = crash_and_capture(build, "lend-oom-31", "oom",
                                           hv_args="capture_lend=256M dump_level=31",
                                           capture_args="console=ttyS0 quiet nr_cpus=1 "
                                                        "reset_devices pc.test=capture pc.level=31")
    m = r.wait_for(r"\[hv\] crash: lent (\d+) MiB of 256 to the capture kernel in \d+ run\(s\): "
                   r"(\d+) MiB of the crashed kernel's free blocks, (\d+) MiB of 2 MiB chunks "
                   r"of pages dump_level=31 drops", 1)
    assert int(m.group(1)) == 256 and int(m.group(3)) >= 128, m.group(0)
    r.wait_for(r"PCG: dump saved \(elf, makedumpfile -E -d 31\)", 1)
    log = dmesg(info["path"])
    assert f"parachute-token: {token}" in log
    assert "invoked oom-killer" in log and "Kernel panic - not syncing: Out of memory" in log
