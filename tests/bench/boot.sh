#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: side-by-side boot time and idle exit rate. See bench.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 -u "$here/bench.py" "${1:-build}"
