# SPDX-License-Identifier: GPL-2.0-only
"""virt-kdump (tools/virt-kdump/, docs/kvm.md) with a real libvirtd and QEMU
(TCG): the domain docs/kvm.md gives boots a stock Debian kernel (no parachute
module, Debian's pvpanic driver) on 2 vCPUs; virt-kdump arms it from the host
while the guest waits; bad input to every verb is refused with the documented
exit code and leaves the domain as it was; a sysrq-c is captured through
`virt-kdump watch`, and the vmcore on the guest's dump disk holds the token,
the panic, both vCPUs' notes and the pattern pages, and drgn reads it. A hung
guest is captured with `virt-kdump trigger`, and --then destroy ends it."""
import os
import re
import secrets
import subprocess

import pytest

from capture import crashing_pid, dmesg, dump_disk, evidence, rebuild
from debuggers import drgn
from libvirt import Libvirtd, virsh
from test_capture import check_patterns
from virtkdump import GUEST, arm, domain, fresh_state, go, tool, watched, watcher
from vmcore import Vmcore

pytestmark = [pytest.mark.xdist_group("libvirt"), pytest.mark.timeout(900)]

def untouched(name, state):
    """The domain runs, has no memory device, and nothing of it is staged
    (neither the state file nor the directory QEMU would use)."""
    assert virsh("domstate", name).strip() == "running"
    devs = virsh("qemu-monitor-command", name, '{"execute":"query-memory-devices"}')
    assert '"return":[]' in devs.replace(" ", ""), f"a memory device was plugged: {devs}"
    assert not [f for f in os.listdir(state) if f.startswith(name)], os.listdir(state)


def bad_inputs(build, name, state):
    kernel = f"{build}/debian/vmlinuz"
    cases = [
        (["load", "no-such-domain", "--kernel", kernel], 1, "no domain 'no-such-domain'"),
        (["load", name], 2, "load: --kernel is required"),
        (["load", name, "--kernel", kernel, "--mem", "lots"], 2, "--mem: 'lots' is not a size"),
        (["load", name, "--kernel", "/etc/hostname"], 1, "kernel /etc/hostname:"),
        (["load", name, "--kernel", kernel, "--initrd", "/no/such"], 1, "initrd /no/such:"),
        (["load", name, "--kernel", kernel, "--mem", "64G"], 1,
         "do not fit the free device memory"),
        (["load", name, "--kernel", kernel, "--base", "0x1000"], 2,
         "--base must be a multiple of 2 MiB"),
        (["load", name, "--kernel", kernel, "--dump-area", "8M"], 2, "xl-kdump's"),
        (["status", name], 3, f"domain {name} is not loaded"),
        (["trigger", name], 3, f"domain {name} is not loaded"),
        (["unload", name], 3, f"domain {name} is not loaded"),
        (["frobnicate"], 2, "unknown command 'frobnicate'"),
        (["watch", "--kernel", kernel], 2, "--kernel, --initrd, --append"),
        (["capture", name], 3, f"domain {name} is not loaded"),
    ]
    for args, code, text in cases:
        rc, out = tool(build, state, *args)
        assert rc == code and text in out, f"virt-kdump {' '.join(args)}: exit {rc}: {out}"
        untouched(name, state)


def check_vmcore(build, path, token, pages, pid, kernel_rips=True):
    vm = Vmcore(path)
    try:
        # One NT_PRSTATUS per vCPU, read through the gdbstub; the guest's VMCOREINFO.
        assert len(vm.prstatus) == 2, f"{len(vm.prstatus)} NT_PRSTATUS notes"
        assert vm.vmcoreinfo.get("OSRELEASE"), "no VMCOREINFO in the vmcore"
        for regs in vm.prstatus if kernel_rips else []:
            assert regs["rip"] >= 0xffffffff80000000, f"rip {regs['rip']:#x} is not kernel text"
        check_patterns(vm, pages)
    finally:
        vm.close()
    log = dmesg(path)
    assert f"parachute-token: {token}" in log, "this run's token is not in the vmcore's dmesg"
    d = drgn(build, path)
    assert d["tasks"] > 20 and 1 in d["pids"], f"drgn: {d['tasks']} tasks, pids {d['pids']}"
    assert pid in d["pids"], f"drgn: the crashing task {pid} is not in the task list"
    return log, d


def test_virt_kdump_watch_captures_sysrq(build):
    build = os.path.abspath(build)
    name = "parachute-test-vk"
    state = fresh_state(build, name)
    token = secrets.token_hex(8)
    with Libvirtd(build):
        r, disk = domain(build, name, f"{GUEST} pc.token={token}")
        with r:
            r.wait_for(r"PCG: waiting for the host's go on vda", 240)
            bad_inputs(build, name, state)
            out = arm(build, name, state)
            assert "vmcoreinfo 0x0\n" not in out, "load did not find the running kernel's note"
            rc, again = tool(build, state, "load", name, "--kernel", f"{build}/debian/vmlinuz")
            assert rc == 1 and f"domain {name} is already loaded (armed)" in again, again
            assert tool(build, state, "status", name)[1] == out, "a refused load changed it"
            rc, out = tool(build, state, "capture", name)
            assert rc == 1 and f"domain {name} has not crashed" in out, out
            assert virsh("domstate", name).strip() == "running"
            watch, out = watcher(build, name, state)
            try:
                go(disk)
                r.wait_for(r"PCG: crashing via sysrq on cpu 0", 60)
                pages, _ = evidence(r)
                r.wait_for(r"PCG: capture kernel up, vmcore \d+ bytes", 240)
                r.wait_for(r"PCG: dump saved", 300)
                r.wait_for(r"PCG: capture done", 60)
                assert r.wait_exit(60) == "shut off"
            finally:
                rc, log = watched(watch, out, 60)
            assert rc == 0, log
            for line in (rf"domain {name} crashed: vCPU 0 at rip 0x[0-9a-f]+, 2 vCPUs",
                         rf"domain {name}: VMCOREINFO at 0x[0-9a-f]+",
                         rf"domain {name}: core header: 2 vCPU notes",
                         rf"domain {name}: capture kernel started in",
                         rf"domain {name}: capture kernel done; then preserve"):
                assert re.search(line, log), f"watch: no '{line}' in {log}"
            # The capture kernel's command line: the user's, then what virt-kdump adds.
            r.wait_for(r"PCG: capture kernel command line: .*pc.test=capture elfcorehdr=0x[0-9a-f]+ "
                       r"nr_cpus=1", 1)
        rc, out = tool(build, state, "status", name)
        assert rc == 0 and f"{name}: captured" in out, out
        assert tool(build, state, "unload", name)[0] == 0
    path = rebuild(build, disk, name)
    log, d = check_vmcore(build, path, token, pages, crashing_pid(r))
    assert "Kernel panic - not syncing: sysrq triggered crash" in log
    # vCPU 0 stopped where QEMU paused it: in the pvpanic driver's port write, in panic().
    for frame in ("pvpanic_send_event", "panic", "sysrq_handle_crash"):
        assert frame in d["frames"], f"drgn: {frame} not in the crashed stack {d['frames']}"


def test_virt_kdump_trigger_hung_guest_then_restart(build):
    """A guest that hangs (a SCHED_FIFO task spins on vCPU 0, no panic) is
    captured by `virt-kdump trigger`; watch then does what --then restart
    says: the domain starts again and is armed again."""
    build = os.path.abspath(build)
    name = "parachute-test-vk-trigger"
    state = fresh_state(build, name)
    token = secrets.token_hex(8)
    with Libvirtd(build):
        r, disk = domain(build, name, f"{GUEST} pc.token={token} pc.trigger=spin")
        with r:
            r.wait_for(r"PCG: waiting for the host's go on vda", 240)
            arm(build, name, state, "--then", "restart")
            watch, out = watcher(build, name, state)
            try:
                go(disk)
                r.wait_for(r"PCG: crashing via spin", 60)
                pages, _ = evidence(r)
                m = r.wait_for(r"^spin: loop (0x[0-9a-f]+) (0x[0-9a-f]+) pid (\d+)", 60)
                lo, hi = int(m.group(1), 16), int(m.group(2), 16)
                r.wait_cpus(lambda cpus: lo <= cpus[0]["rip"] < hi, "vCPU 0 in the spin loop")
                # Paused first, as an operator may have, to read vCPU 0 from QEMU's monitor:
                # where the hung guest stopped is what its note must say.
                virsh("suspend", name)
                stopped = r.cpus()[0]["rip"]
                rc, text = tool(build, state, "trigger", name)
                assert rc == 0 and f"domain {name} was paused already" in text and \
                    f"domain {name}: capture kernel started" in text, text
                r.wait_for(r"PCG: dump saved", 300)
                r.wait_for(r"PCG: capture done", 60)
            finally:
                rc, log = watched(watch, out, 120)
            assert rc == 0, log
            assert f"domain {name}: capture kernel done; then restart" in log, log
            # Started again and armed again before anything else can crash it.
            assert f"domain {name} armed" in log, log
            assert virsh("domstate", name).strip() == "running"
            rc, out = tool(build, state, "status", name)
            assert rc == 0 and f"{name}: armed" in out and "then restart" in out, out
            virsh("destroy", name)
        assert tool(build, state, "unload", name)[0] == 0
        assert not os.listdir(state), os.listdir(state)
    path = rebuild(build, disk, name)
    vm = Vmcore(path)
    try:
        regs = vm.prstatus[0]
        assert regs["rip"] == stopped, \
            f"vCPU 0's note: rip {regs['rip']:#x}, the monitor showed {stopped:#x}"
        # In the spinner's loop, or in the kernel if an interrupt had just come in.
        assert lo <= stopped < hi or stopped >= 0xffffffff80000000, f"rip {stopped:#x}"
    finally:
        vm.close()
    # vCPU 0 was stopped in the spinning task (pid in the guest's "spin:" line), in user mode.
    check_vmcore(build, path, token, pages, int(m.group(3)), kernel_rips=False)
