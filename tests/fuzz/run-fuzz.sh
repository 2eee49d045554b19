#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run-fuzz.sh HARNESS...: run each libFuzzer harness of $BUILD for
# $FUZZ_SECONDS seconds on one core, from corpus/<harness>/ (seeds, never
# written) plus $BUILD/corpus/<harness>/ (what it found, kept between runs).
# Prints "<harness>: N executions in S s (N/s), corpus N, coverage N" per
# harness and a closing "N passed, N failed"; a crash fails (the reproducer
# is left in $BUILD/ as crash-*).
set -euo pipefail
cd "$(dirname "$0")"
BUILD=${BUILD:-build}
SECS=${FUZZ_SECONDS:-60}
pass=0 failn=0
for h in "$@"; do
	mkdir -p "$BUILD/corpus/$h"
	log=$BUILD/$h.log
	rc=0
	"$BUILD/$h" -max_total_time="$SECS" -print_final_stats=1 -artifact_prefix="$BUILD/" \
		-seed=1 -rss_limit_mb=2048 "$BUILD/corpus/$h" "corpus/$h" >"$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	secs=${secs:-$SECS}
	echo "$h: ${runs:-0} executions in ${secs} s ($(( ${runs:-0} / (secs > 0 ? secs : 1) ))/s), corpus ${corp:-?}, coverage ${cov:-?}"
	if [ "$rc" != 0 ] || [ -z "$runs" ]; then
		echo "$h: FAILED (exit $rc); the last lines of $log:"
		tail -n 30 "$log" | sed 's/^/    /'
		failn=$((failn + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
