#!/usr/bin/env bash
# make bench: side-by-side boot time and idle exit rate. See bench.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 -u "$here/bench.py" "${1:-build}"
