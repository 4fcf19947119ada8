#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the cmocka unit-test binaries and close with "N passed, N failed" (and
# ", N skipped" after the skipped tests' names, when a test skipped itself).
# Usage: tests/unit/run.sh DIR TEST...
set -uo pipefail
dir=$1
shift
passed=0
failed=0
skipped=()
for t in "$@"; do
	# Page tables are never freed, in the hv as in these tests. Each binary
	# takes well under a second: a hang is a failure, not a stalled CI.
	out=$(ASAN_OPTIONS=detect_leaks=0 timeout 120 "$dir/$t" 2>&1)
	rc=$?
	[ "$rc" -eq 124 ] && echo "unit $t: ERROR timed out after 120 s"
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	f=$(printf '%s\n' "$out" | grep '^\[  FAILED  \] test_' | sort -u | wc -l)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report
	fi
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR)|ERROR|Sanitizer|runtime error' || true
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \(test_[A-Za-z0-9_]*\)$/\1/p' | sort -u)
	for name in $s; do skipped+=("$t:$name"); done
	echo "unit $t: $p passed, $f failed$([ -n "$s" ] && echo ", $(wc -w <<<"$s") skipped")"
	passed=$((passed + p))
	failed=$((failed + f))
done
if [ ${#skipped[@]} -ne 0 ]; then
	echo "skipped: ${skipped[*]}"
	echo "$passed passed, $failed failed, ${#skipped[@]} skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
