#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""docs/code-map.md stays true: every file it names in backquotes exists, and
every function it names (`name()`) is defined in the sources, as a C
function, a function-like macro, an assembly label or a struct vcpu_vendor
hook. Prints what is missing and exits 1; else "code-map: N names, all found".
Usage: tests/lint/code_map.py [REPO_ROOT]"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
doc = open(os.path.join(root, "docs", "code-map.md")).read()
quoted = re.findall(r"`([^`]+)`", doc)
paths = {q for q in quoted if "/" in q and not q.startswith("/") and " " not in q
         and re.search(r"\.(c|h|S|py|md)$|^guest/(parachute-mkinitrd|capture/init)$", q)}
funcs = {m.group(1) for q in quoted for m in [re.fullmatch(r"([A-Za-z_]\w*)\(\)", q)] if m}

sources = []
for top in ("hv", "arch", "guest", "tools", "tests"):
    for d, _, files in os.walk(os.path.join(root, top)):
        sources += [os.path.join(d, f) for f in files if f.endswith((".c", ".h", ".S"))]
text = "\n".join(open(f, errors="replace").read() for f in sources)


def defined(name):
    n = re.escape(name)
    return bool(re.search(rf"^[A-Za-z_][^;\n]*\b{n}\((?![^)\n]*\);)", text, re.M) or  # C definition
                re.search(rf"^#define {n}\(", text, re.M) or                         # macro
                re.search(rf"^{n}:", text, re.M))                                    # assembly label


missing = sorted(p for p in paths if not os.path.exists(os.path.join(root, p)))
missing += sorted(f + "()" for f in funcs if not defined(f))
for m in missing:
    print(f"code-map: docs/code-map.md names {m}, which does not exist")
if missing:
    sys.exit(1)
print(f"code-map: {len(paths) + len(funcs)} names, all found")
