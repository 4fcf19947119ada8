#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: the real shim, real Debian kernel, real QEMU (TCG, SVM + NPT),
# run by pytest (tests/integration/pytest.ini, conftest.py). Everything they boot
# must be built already: make integration builds it first, once.
# Usage: tests/integration/run.sh BUILD_DIR [pytest arguments...]
#   e.g. -n 2 --dist loadgroup (two workers), -k capture, -m vmx
# The JUnit report is BUILD_DIR/logs/integration.xml.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
shift || true
mkdir -p "$build/logs"
# Debian's python3, where ci/deps.sh installs pytest (not whatever python3 is
# first on PATH). No bytecode caches in the source tree; output unbuffered.
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BUILD="$build"
exec /usr/bin/python3 -m pytest -c "$here/pytest.ini" --rootdir "$here" \
	--junitxml="$build/logs/integration.xml" "$@" "$here"
