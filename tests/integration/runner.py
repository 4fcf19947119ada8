# SPDX-License-Identifier: GPL-2.0-only
"""Run test functions (name starts with test_) from the given modules, one at a
time, and close with the line 'N passed, N failed'."""
import importlib.util
import os
import sys
import time
import traceback


def main():
    build = os.environ.get("BUILD", "build")
    only = os.environ.get("TESTS", "")
    passed = failed = 0
    failures = []
    for path in sys.argv[1:]:
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in sorted(n for n in dir(mod) if n.startswith("test_")):
            if only and not any(o in name for o in only.split(",")):
                continue
            t0 = time.monotonic()
            try:
                getattr(mod, name)(build)
                passed += 1
                print(f"PASS {name} ({time.monotonic() - t0:.1f}s)", flush=True)
            except Exception as e:  # a failed assertion or a broken run
                failed += 1
                failures.append(name)
                print(f"FAIL {name} ({time.monotonic() - t0:.1f}s): {e}", flush=True)
                if not isinstance(e, AssertionError):
                    traceback.print_exc()
    if failures:
        print("failed: " + " ".join(failures))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
