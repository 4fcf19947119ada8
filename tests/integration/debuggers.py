# SPDX-License-Identifier: GPL-2.0-only
"""What the debuggers operators use read from a vmcore: drgn (Debian's
python3-drgn) and crash, each with the guest kernel's debug vmlinux from
Debian's linux-image-*-dbg package (ci/fetch-debug-vmlinux.sh)."""
import glob
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
DRGN = "/usr/bin/drgn"  # Debian's drgn runs under Debian's python3, not whatever is first on PATH


def vmlinux(build):
    path = f"{build}/debian/vmlinux-dbg"
    assert os.path.exists(path), f"{path} missing: make {path}"
    return path


def drgn(build, vmcore):
    """drgn's view: tasks and pids, the crashed thread (pid, comm, frames), dmesg.
    The debug info of the modules a capture stops in goes with the kernel's, as
    an operator would give it: the parachute module (its panic notifier issues
    CRASH) and Debian's pvpanic driver (its notifier writes the port)."""
    mods = [f"{build}/module/parachute.ko"] + sorted(glob.glob(f"{build}/debian/modules-dbg/*.ko"))
    p = subprocess.run([DRGN, "-q", "-c", vmcore, "-s", vmlinux(build)] +
                       [a for m in mods for a in ("-s", m)] + [f"{HERE}/drgn_report.py"],
                       capture_output=True, text=True, timeout=300)
    lines = [line for line in p.stdout.splitlines() if line.startswith("{")]
    assert p.returncode == 0 and lines, f"drgn failed on {vmcore}: {p.stderr[-2000:]}"
    out = json.loads(lines[-1])
    assert not out["error"], f"drgn on {vmcore}: {out['error']}"
    return out


def crash(build, vmcore, cpu=0):
    """crash's view: the task list walked from init_task, the task running on
    the crashing cpu and its backtrace, the log. (crash 8.0.2's own task table,
    from the PID hash, finds only the active tasks of Linux 6.1, in kdump's
    vmcores as in the shim's; without a panic its 'panic task' is then the
    idle task, so the crashing CPU is named.)"""
    cmds = f"{vmcore}.crash-cmds"
    with open(cmds, "w") as f:
        f.write(f"sys\nlist task_struct.tasks -s task_struct.pid -h init_task\nbt -c {cpu}\n"
                "log\nquit\n")
    p = subprocess.run(["crash", "-s", "-i", cmds, vmlinux(build), vmcore],
                       capture_output=True, text=True, timeout=300)
    text = p.stdout
    with open(f"{vmcore}.crash", "w") as f:
        f.write(text + p.stderr)
    assert p.returncode == 0, f"crash failed on {vmcore}: {p.stderr[-2000:]}"
    ps = re.findall(r"^\s+pid = (\d+),$", text, re.M)
    bt = re.search(r'^PID: (\d+)\s+TASK: [0-9a-f]+\s+CPU: (\d+)\s+COMMAND: "([^"]*)"', text, re.M)
    assert bt, f"crash printed no backtrace for {vmcore} (see {vmcore}.crash)"
    return {"tasks": len(ps), "pids": sorted(int(x) for x in ps), "pid": int(bt.group(1)),
            "comm": bt.group(3),
            "frames": re.findall(r"^\s*#\d+ \[[0-9a-f]+\] (\S+) at [0-9a-f]+", text, re.M),
            "text": text}


def check(build, vmcore, token, pid, frame=None, cpu=0, crash_frame=None):
    """drgn and crash both read the vmcore: more than a handful of tasks, init
    among them; the crashed thread is the task with the pid the guest logged,
    its stack holds frame (e.g. 'panic'; crash_frame for crash, where its
    backtrace heuristics start elsewhere: without a panic on the stack crash
    does not start from the NT_PRSTATUS registers); the log holds the run's
    token. Returns (drgn's view, crash's view)."""
    d, c = drgn(build, vmcore), crash(build, vmcore, cpu)
    for name, v in (("drgn", d), ("crash", c)):
        assert v["tasks"] > 20 and 1 in v["pids"], f"{name}: {v['tasks']} tasks, pids {v['pids']}"
    assert d["crashed_pid"] == pid, f"drgn: crashed thread {d['crashed_pid']}, the guest logged {pid}"
    assert c["pid"] == pid, f"crash: task on cpu{cpu} {c['pid']}, the guest logged {pid}"
    if frame:
        assert frame in d["frames"], f"drgn: {frame} not in the crashed stack {d['frames']}"
    crash_frame = crash_frame or frame
    if crash_frame:
        assert crash_frame in c["frames"], f"crash: {crash_frame} not in the backtrace {c['frames']}"
    assert f"parachute-token: {token}" in d["dmesg"], "drgn: the token is not in the log"
    assert f"parachute-token: {token}" in c["text"], "crash: the token is not in the log"
    return d, c
