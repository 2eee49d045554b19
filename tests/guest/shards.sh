#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make guest / make check: the scenario suite in GUEST_SHARDS guests side by
# side. A guest under TCG keeps about one host core busy, and many scenarios
# spend their time waiting (timeouts, keepalives, renegotiations), so on a
# 2-core machine two guests finish the suite in about 0.65 of the time of one
# (6.12: 25 min against 38). Default: 2 guests when the host has 2 cores or
# more, else 1. The timing assertions of the suite hold under that load
# (lib.sh reads a process's state rather than trusting kill -0, which a
# zombie answers). Each shard is a tests/guest/run.sh of its own, with
# its artifacts in $OVPN_GUEST_OUT/shardN/ (default build/guest/shardN/) and
# its output in $OVPN_GUEST_OUT/shardN.log; scenarios are dealt round robin in
# name order, so the long OpenVPN and fuzz scenarios spread over the shards.
# GUEST_SHARDS=1 (or a single scenario) runs one guest, as run.sh alone does.
#
# usage: tests/guest/shards.sh [scenario-name-glob ...]
# Prints each shard's output, then `N passed, N failed[, N skipped]` over all;
# exit status 0 only if every shard's run.sh succeeded.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
RUN=$TOP/tests/guest/run.sh
if [ -z "${GUEST_SHARDS:-}" ]; then
	GUEST_SHARDS=1
	[ "$(nproc 2>/dev/null || echo 1)" -ge 2 ] && GUEST_SHARDS=2
fi
N=$GUEST_SHARDS
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "shards.sh: GUEST_SHARDS must be a positive integer, not '$N'" >&2; exit 2; }

# the scenarios the globs name (every one without globs), in name order
SEL=()
for f in "$TOP"/tests/scenarios/*.sh; do
	name=$(basename "$f" .sh)
	if [ $# = 0 ]; then
		SEL+=("$name")
		continue
	fi
	for g in "$@"; do
		# shellcheck disable=SC2053
		if [[ $name == $g ]]; then
			SEL+=("$name")
			break
		fi
	done
done
[ "${#SEL[@]}" -lt "$N" ] && N=${#SEL[@]}
if [ "$N" -le 1 ]; then
	exec "$RUN" "$@"
fi

OUT=${OVPN_GUEST_OUT:-$TOP/build/guest}
mkdir -p "$OUT"
PIDS=()
for ((i = 1; i <= N; i++)); do
	LIST=()
	for ((j = i - 1; j < ${#SEL[@]}; j += N)); do
		LIST+=("${SEL[j]}")
	done
	echo "shards.sh: shard $i of $N: ${#LIST[@]} scenarios, artifacts in $OUT/shard$i"
	rm -f "$OUT/shard$i/results.log"	# the live view below follows the new one
	OVPN_GUEST_OUT=$OUT/shard$i "$RUN" "${LIST[@]}" >"$OUT/shard$i.log" 2>&1 &
	PIDS+=($!)
done

# each scenario's result as it comes (the whole logs follow at the end)
TAILS=()
for ((i = 1; i <= N; i++)); do
	tail -n +1 -F "$OUT/shard$i/results.log" 2>/dev/null |
		sed -un "s/^@@OVPNT@@ RESULT \([^ ]*\) \([A-Z]*\) .*/[shard $i] \2 \1/p" &
	TAILS+=($!)
done

rc=0
for ((i = 1; i <= N; i++)); do
	wait "${PIDS[i - 1]}" || rc=1
done
sleep 1
pkill -P $$ tail 2>/dev/null
for p in "${TAILS[@]}"; do
	wait "$p" 2>/dev/null
done
passed=0 failed=0 skipped=0
for ((i = 1; i <= N; i++)); do
	echo "=== shard $i of $N ($OUT/shard$i.log)"
	cat "$OUT/shard$i.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$OUT/shard$i.log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "shards.sh: shard $i printed no summary" >&2
		rc=1
		continue
	fi
	passed=$((passed + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
	failed=$((failed + $(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
	if [[ $line =~ ([0-9]+)\ skipped ]]; then
		skipped=$((skipped + BASH_REMATCH[1]))
	fi
done
summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary+=", $skipped skipped"
echo "$summary"
exit $rc
