#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the cmocka unit-test binaries and close with "N passed, N failed".
# Usage: tests/unit/run.sh DIR TEST...
set -uo pipefail
dir=$1
shift
passed=0
failed=0
for t in "$@"; do
	# Page tables are never freed, in the hv as in these tests.
	out=$(ASAN_OPTIONS=detect_leaks=0 "$dir/$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	f=$(printf '%s\n' "$out" | grep '^\[  FAILED  \] test_' | sort -u | wc -l)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report
	fi
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR)|ERROR|Sanitizer|runtime error' || true
	echo "unit $t: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
