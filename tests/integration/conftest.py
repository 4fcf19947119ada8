# SPDX-License-Identifier: GPL-2.0-only
"""pytest's view of the integration tests (tests/integration/run.sh runs them).

- Every `def test_NAME(build)` in a test_*.py file here is a test; build is
  the build directory (BUILD in the environment, as make passes it).
- Each file is a marker of its own (test_capture.py: `capture`), so
  `-m capture` or `-k capture` (make integration TESTS=capture) runs one
  group; pytest.ini registers the others and gives every test a timeout.
- Under pytest-xdist, schedule.py hands out the work units (a test, or the
  tests of one xdist_group) longest first, and waits on a running guest are
  longer (harness.TIMEOUT_SCALE), since two guests share the two CPUs.
- The run closes with `N passed, N failed` (`, N skipped` when any were),
  after the names of the tests that failed or were skipped.
"""
import ctypes
import glob
import os
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

# Two guests on two CPUs each run slower than one alone: read before harness is
# imported. PYTEST_XDIST_WORKER_COUNT is set in each worker's environment.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("PARACHUTE_TIMEOUT_SCALE", "1.5")


def file_marker(path):
    """The marker of a test file: test_capture.py -> capture."""
    return os.path.basename(path)[len("test_"):-len(".py")]


def pytest_configure(config):
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        config.addinivalue_line("markers", f"{file_marker(path)}: the tests of {os.path.basename(path)}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(file_marker(str(item.fspath)))


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    from schedule import CostScheduling
    return CostScheduling(config, log)


@pytest.fixture(scope="session")
def build():
    """The build directory the tests boot from and write their logs to."""
    return os.environ.get("BUILD", "build")


def pytest_unconfigure(config):
    """The closing line, in the unit and fuzz runners' style, after the
    names of the tests that did not pass (only in the process that reports,
    not in xdist's workers)."""
    if hasattr(config, "workerinput"):
        return
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is None:
        return
    failed, skipped, passed = {}, {}, set()
    for key in ("failed", "error"):
        for rep in tr.stats.get(key, []):
            failed.setdefault(rep.nodeid, rep.when)
    for rep in tr.stats.get("skipped", []):
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        skipped.setdefault(rep.nodeid, reason)
    for rep in tr.stats.get("passed", []):
        if rep.when == "call":
            passed.add(rep.nodeid)
    passed -= set(failed) | set(skipped)
    for nodeid, when in failed.items():
        where = {"call": "", "setup": " (in its setup)", "teardown": " (in its teardown)",
                 "collect": " (collecting it)"}.get(when, " (its worker crashed)")
        tr.write_line(f"failed: {nodeid}{where}")
    for nodeid, reason in skipped.items():
        tr.write_line(f"skipped: {nodeid}: {reason}")
    line = f"{len(passed)} passed, {len(failed)} failed"
    if skipped:
        line += f", {len(skipped)} skipped"
    tr.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_timeout_set_timer(item, settings):
    """A test that runs out of time fails with a Timeout exception raised in
    its own thread, so that its `with` blocks close the guests it started
    and the worker goes on with the next test. In pytest's main thread
    (no xdist) pytest-timeout's SIGALRM does that; xdist 3.1 runs tests in
    another thread, where pytest-timeout would kill the whole worker. If the
    test is stuck where Python cannot raise (a blocking call), pytest-timeout's
    own handler ends the worker two minutes later."""
    if threading.current_thread() is threading.main_thread():
        return None
    import pytest_timeout

    target, done = threading.get_ident(), threading.Event()
    message = f"Timeout >{settings.timeout:g}s (pytest-timeout, the test's timeout mark or pytest.ini)"
    timeout_exc = type("Timeout", (AssertionError,), {"__str__": lambda self: message})

    def expire():
        if done.is_set():
            return
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target),
                                                   ctypes.py_object(timeout_exc))
        if not done.wait(120):
            pytest_timeout.timeout_timer(item, settings.timeout)

    timer = threading.Timer(settings.timeout, expire)
    timer.daemon = True
    timer.name = f"timeout {item.nodeid}"

    def cancel():
        done.set()
        timer.cancel()

    item.cancel_timeout = cancel
    timer.start()
    return True
