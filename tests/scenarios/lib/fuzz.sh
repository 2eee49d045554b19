# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the fuzzing scenarios (80-89). Source it after tests/lib.sh.
#
# OVPN_FUZZ_COUNT (set by `make fuzz` through tests/guest/run.sh) scales every
# count: fuzz_count DEFAULT prints DEFAULT, or OVPN_FUZZ_COUNT if set. The
# seed is fixed (OVPN_FUZZ_SEED, default 1): a failure reproduces with the
# same seed and count.

FUZZ_SEED=${OVPN_FUZZ_SEED:-1}

fuzz_count() { echo "${OVPN_FUZZ_COUNT:-$1}"; }

# fuzz_field OUT KEY...: from tool output OUT, the number after the words
# KEY... on the line starting with them ("0" if absent), e.g.
# fuzz_field "$out" cmd NEW_PEER ok
fuzz_field() {
	local out=$1
	shift
	printf '%s\n' "$out" | awk -v want="$*" '
		{ n = split(want, w, " ")
		  # the first words name the line, the last one the field
		  for (i = 1; i < n; i++) if ($i != w[i]) next
		  for (j = n; j < NF; j++) if ($j == w[n]) { print $(j + 1); found = 1; exit } }
		END { if (!found) print 0 }'
}

# nlfuzz_check OUT MIN_ERRNOS: the netlink fuzzer reached the module: every
# message got an answer, every request command ran, the main ones also
# succeeded at least once, and the refusals carry several distinct errnos.
nlfuzz_check() {
	local out=$1 min_errnos=$2 c
	assert_eq "$(fuzz_field "$out" total timeouts)" 0 "nlfuzz messages without an answer"
	for c in NEW_PEER SET_PEER DEL_PEER NEW_KEY SWAP_KEYS DEL_KEY GET_PEER START_VPN; do
		assert_gt "$(fuzz_field "$out" cmd "$c" sent)" 0 "nlfuzz $c messages sent"
	done
	for c in NEW_PEER SET_PEER DEL_PEER NEW_KEY SWAP_KEYS DEL_KEY GET_PEER; do
		assert_gt "$(fuzz_field "$out" cmd "$c" ok)" 0 "nlfuzz $c accepted at least once"
	done
	assert_ge "$(fuzz_field "$out" total errnos)" "$min_errnos" "distinct errnos of nlfuzz refusals"
	for c in EINVAL ENOENT ENODEV; do
		assert_gt "$(fuzz_field "$out" errno "$c")" 0 "nlfuzz refusals with $c"
	done
}

# fuzz_del_dev NS DEV: delete DEV, which must go within 3 s, plus 1 s per
# 20000 messages fuzzed for the peers they may have added (a leaked
# reference keeps it "waiting to become free"), times the timeout factor.
fuzz_del_dev() {
	local t0 t1 max
	max=$(slow_secs $((3000 + $(fuzz_count 20000) / 20)))
	t0=$(date +%s%N)
	"$TIMEOUT_BIN" $((max / 1000 + 5)) "$IP_BIN" -n "$1" link del "$2" || fail "ip link del $2 in $1 failed or hung"
	t1=$(date +%s%N)
	log "$2 in $1 deleted in $(( (t1 - t0) / 1000000 )) ms"
	assert_eq "$(dev_exists "$1" "$2" && echo yes || echo no)" no "$2 in $1 gone"
	[ $(( (t1 - t0) / 1000000 )) -lt "$max" ] || fail "deleting $2 in $1 took $(( (t1 - t0) / 1000000 )) ms (limit $max)"
}
