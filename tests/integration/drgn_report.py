# SPDX-License-Identifier: GPL-2.0-only
"""Run by drgn itself (drgn -c VMCORE -s VMLINUX drgn_report.py): what drgn
reads from a vmcore, as one line of JSON on stdout."""
import json

from drgn import FaultError
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg

out = {"tasks": 0, "pids": [], "error": None}
try:
    for task in for_each_task(prog):  # noqa: F821 (prog: drgn's global)
        out["tasks"] += 1
        out["pids"].append(int(task.pid))
    thread = prog.crashed_thread()  # noqa: F821
    out["crashed_pid"] = thread.tid
    out["crashed_comm"] = thread.object.comm.string_().decode(errors="replace")
    frames = []
    for frame in thread.stack_trace():
        # The function (inlined ones too) from DWARF, else the ELF symbol, else the pc.
        name = frame.name
        if name is None:
            try:
                name = frame.symbol().name
            except LookupError:
                try:
                    name = hex(frame.pc)
                except LookupError:  # the unwinder's last frame past an NMI: no pc
                    name = "?"
        frames.append(name)
    out["frames"] = frames
    out["dmesg"] = get_dmesg(prog).decode(errors="replace")  # noqa: F821
except (FaultError, LookupError, ValueError) as e:
    out["error"] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
