#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make guest / make check: the scenario suite in GUEST_SHARDS guests side by
# side (default 1: one guest, run.sh alone). A guest under TCG keeps about one
# host core busy, so on a 2-core machine GUEST_SHARDS=2 finishes the suite in
# about 0.65 of the time (6.12: 25 min; 6.1 in one guest: 39). Not the default yet: in
# its first full run, scenario 69 (OpenVPN over TCP renegotiating every 4 s)
# timed out waiting for its bulk transfer, which it never does alone. Each shard is a tests/guest/run.sh of its own, with
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
N=${GUEST_SHARDS:-1}
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
	OVPN_GUEST_OUT=$OUT/shard$i "$RUN" "${LIST[@]}" >"$OUT/shard$i.log" 2>&1 &
	PIDS+=($!)
done

rc=0
for ((i = 1; i <= N; i++)); do
	wait "${PIDS[i - 1]}" || rc=1
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
