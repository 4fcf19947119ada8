#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the libFuzzer targets built in DIR (make fuzz, fuzz-check, fuzz-regress).
# Usage: tests/fuzz/run.sh fuzz DIR SECONDS TARGET...
#        tests/fuzz/run.sh regress DIR 0 TARGET...
# fuzz: each target runs SECONDS from DIR/corpus/NAME (the seed corpus
# tests/fuzz/corpus/NAME copied there first; new inputs stay in DIR), new
# crash reproducers go to DIR/crashes/NAME/, the log to DIR/logs/NAME.log.
# regress: each target runs once over its seeds and tests/fuzz/regressions/NAME.
# They close with "N targets, N crashes" (regress: "N reproducers failing") and
# fail if there was any. While fuzzing, FUZZ_KNOWN_BUGS=skip makes the targets
# pass over inputs that hit a bug already reported (fuzz.h); regress does not.
set -uo pipefail
mode=$1
dir=$2
seconds=$3
shift 3
src=$(dirname "$0")
crashes=0
for t in "$@"; do
	bin=$dir/fuzz_$t
	opts=(-print_final_stats=1 -timeout=5)
	[ -f "$src/$t.dict" ] && opts+=(-dict="$src/$t.dict")
	mkdir -p "$dir/logs"
	log=$dir/logs/$t.log
	if [ "$mode" = regress ]; then
		# The seeds in one run, then each reproducer on its own (a crash ends a run).
		runs=()
		[ -d "$src/corpus/$t" ] && runs+=("$src/corpus/$t")
		if [ -d "$src/regressions/$t" ]; then
			while IFS= read -r f; do runs+=("$f"); done < <(find "$src/regressions/$t" -type f | sort)
		fi
		bad=0
		: >"$log"
		for r in "${runs[@]}"; do
			if [ -d "$r" ]; then
				mapfile -t inputs < <(find "$r" -type f | sort)
			else
				inputs=("$r")
			fi
			ASAN_OPTIONS=detect_leaks=0 "$bin" "${opts[@]}" "${inputs[@]}" >>"$log" 2>&1 && continue
			echo "regress $t: $r FAILED"
			bad=$((bad + 1))
		done
		if [ $bad -ne 0 ]; then
			grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: )|runtime error' "$log" | head -12
		fi
		echo "regress $t: ${#runs[@]} runs (seeds, then each reproducer), $bad failed"
		crashes=$((crashes + bad))
		continue
	fi
	corpus=$dir/corpus/$t
	out=$dir/crashes/$t
	mkdir -p "$corpus" "$out"
	[ -d "$src/corpus/$t" ] && cp -n "$src/corpus/$t"/* "$corpus"/ 2>/dev/null
	before=$(find "$out" -type f | wc -l)
	start=$SECONDS
	# Page tables and staged copies are never freed, in the hv as here: no leak checks.
	FUZZ_KNOWN_BUGS=skip ASAN_OPTIONS=detect_leaks=0 "$bin" "${opts[@]}" -max_total_time="$seconds" \
		-artifact_prefix="$out/" "$corpus" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	new=$(($(find "$out" -type f | wc -l) - before))
	if [ $rc -ne 0 ] && [ $new -eq 0 ]; then
		new=1 # died without an artifact
	fi
	stats=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
	corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$stats")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ $new -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: )|runtime error|^artifact_prefix|Test unit written' \
			"$log" | tail -6
	fi
	echo "fuzz $t: ${took}s, ${execs:-?} runs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, $new crashes"
	crashes=$((crashes + new))
done
if [ "$mode" = regress ]; then
	echo "$# targets, $crashes reproducers failing"
else
	echo "$# targets, $crashes crashes"
fi
[ "$crashes" -eq 0 ]
