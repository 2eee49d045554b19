# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The benchmark's contenders and tests, and how the BENCH_CONTENDERS and
# BENCH_TESTS knobs select them. Sourced by tests/guest/run.sh --bench (on the
# host, to check the knobs before booting) and by tests/bench/bench.sh (in the
# guest).

# shellcheck disable=SC2034 # used by the scripts that source this file
# Contenders in the order they run: everything that needs our module first,
# the reference module last (it replaces ours in the same boot, and its
# use-after-free on peer deletion can still take the guest down now and then:
# then only the last contenders are lost). *-tcp-* run the same OpenVPN P2P
# TLS setup over TCP transport (proto tcp-server/tcp-client).
BENCH_ALL_CONTENDERS="veth ours-cli-aes ours-cli-chacha ours-ovpn-aes ours-ovpn-chacha ours-tmpl-chacha ours-ovpn-tcp-aes ours-ovpn-tcp-chacha user-aes user-chacha user-tcp-aes user-tcp-chacha wireguard ref-ovpn-aes ref-ovpn-chacha ref-ovpn-tcp-aes ref-ovpn-tcp-chacha"
# Selected only when a word names them (exactly or as a prefix other than
# "all"), to keep the default run's length: the ChaCha20-Poly1305 variants
# over TCP transport.
BENCH_NAMED_ONLY="ours-ovpn-tcp-chacha user-tcp-chacha ref-ovpn-tcp-chacha"
# up: the iperf3 client (namespace b, the OpenVPN client) sends to the server
# (namespace a); down: iperf3 -R. lat: ping b -> a's tunnel address while a
# single-stream TCP upload runs (measured during tcp1-up when both are chosen).
BENCH_ALL_TESTS="tcp1-up tcp1-down tcp4-up tcp4-down udp-up lat"

# bench_select "WORDS" "ALL": the names of ALL (in ALL's order) that a word of
# WORDS names, exactly or as a prefix ("ours" = every ours-*, "tcp1" = both
# directions, "all" = everything but $BENCH_NAMED_ONLY). Prints them on one line; returns 1 and
# names the culprit on stderr when a word matches nothing.
bench_select() {
	local words=$1 all=$2 w n ok=0 out=
	local -A want=()
	for w in $words; do
		ok=0
		for n in $all; do
			if { [ "$w" = all ] && [[ " $BENCH_NAMED_ONLY " != *" $n "* ]]; } || [[ "$n" == "$w"* ]]; then
				want[$n]=1
				ok=1
			fi
		done
		[ "$ok" = 1 ] || { echo "'$w' names nothing (known: $all)" >&2; return 1; }
	done
	for n in $all; do
		[ -n "${want[$n]:-}" ] && out+="$n "
	done
	[ -n "$out" ] || { echo "nothing selected from '$words' (known: $all)" >&2; return 1; }
	echo "${out% }"
}
