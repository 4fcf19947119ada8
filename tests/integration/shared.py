# SPDX-License-Identifier: GPL-2.0-only
"""Runs that several tests read: one Xen boot, one VMX capture run, one
2-vCPU guest per hv option set. Each is made once per test process (under
pytest-xdist the tests sharing it carry one xdist_group mark, so one worker
runs them all), the first time a test asks for it, and kept. A run that
failed is kept as failed: the tests after the first one fail at once with
its reason, instead of each booting again and waiting out the same timeout.
"""

_runs = {}


class SharedRunFailed(AssertionError):
    """The shared run this test reads failed in an earlier test."""


def once(key, make):
    """make() the first time key is asked for, its result every time after;
    if make() failed (a failed check, a timeout), that failure every time
    after, without running make() again."""
    if key in _runs:
        ok, value = _runs[key]
        if ok:
            return value
        raise SharedRunFailed(f"the shared run {key!r} failed before, in an earlier test: {value}")
    try:
        value = make()
    except BaseException as e:  # pytest's outcomes (a timeout too) are BaseExceptions
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        first = str(e).strip().splitlines()
        _runs[key] = (False, f"{type(e).__name__}: {first[0] if first else ''}")
        raise
    _runs[key] = (True, value)
    return value
