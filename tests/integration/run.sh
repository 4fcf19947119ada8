#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Integration tests: the real shim, real Debian kernel, real QEMU (TCG, SVM + NPT).
# Usage: tests/integration/run.sh BUILD_DIR   (TESTS=substr,... to select)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build} exec python3 -u "$here/runner.py" "$here"/test_*.py
