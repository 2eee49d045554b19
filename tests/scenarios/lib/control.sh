# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers shared by the control-plane scenarios (30-49). Source it after
# tests/lib.sh:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#   . "$(dirname "$0")/lib/control.sh"
#
# It lives in a subdirectory because every tests/scenarios/*.sh runs as a
# scenario.

# cli_refused NS ERRNO ARGS...: `ovpn-cli ARGS` in NS must fail with exit
# status 1 and print "(errno ERRNO): <message>" with a real extack message.
# Sets CLI_MSG to that message and CLI_OUT to the whole output.
CLI_MSG="" CLI_OUT=""
cli_refused() {
	local n=$1 want=$2 rc line
	shift 2
	CLI_OUT=$(cli "$n" "$@" 2>&1)
	rc=$?
	echo "  \$ ovpn-cli $* -> exit $rc: $CLI_OUT"
	[ "$rc" = 1 ] || fail "ovpn-cli $*: exit status $rc, expected 1 (output: $CLI_OUT)"
	line=$(printf '%s\n' "$CLI_OUT" | grep -m1 -E '\(errno [0-9]+\): ') ||
		fail "ovpn-cli $*: no '(errno N): message' line in: $CLI_OUT"
	[[ "$line" =~ \(errno\ ([0-9]+)\):\ (.*)$ ]] || fail "cannot parse: $line"
	[ "${BASH_REMATCH[1]}" = "$want" ] ||
		fail "ovpn-cli $*: errno ${BASH_REMATCH[1]}, expected $want: $line"
	CLI_MSG=${BASH_REMATCH[2]}
	[ -n "$CLI_MSG" ] && [ "$CLI_MSG" != "no extack message" ] ||
		fail "ovpn-cli $*: the kernel gave no extack message: $line"
}

# cli_ok NS ARGS...: `ovpn-cli ARGS` in NS must exit 0; its output is kept
# in CLI_OUT.
cli_ok() {
	local n=$1 rc
	shift
	CLI_OUT=$(cli "$n" "$@" 2>&1)
	rc=$?
	[ "$rc" = 0 ] || fail "ovpn-cli $* (in $n): exit status $rc: $CLI_OUT"
}

# ping_ok NS DST: 3 echo replies within 8 s.
ping_ok() {
	local out
	out=$(nst 15 "$1" /usr/bin/ping -c 3 -i 0.3 -w 8 "$2" 2>&1) ||
		fail "ping $2 from $1 failed: $(printf '%s\n' "$out" | tail -n 2)"
	log "ping $2 from $1: $(printf '%s\n' "$out" | grep 'packets transmitted')"
}

# ping_fails NS DST: no echo reply at all to 3 requests.
ping_fails() {
	local out
	if out=$(nst 15 "$1" /usr/bin/ping -c 3 -i 0.3 -W 1 "$2" 2>&1); then
		fail "ping $2 from $1 unexpectedly got replies: $(printf '%s\n' "$out" | tail -n 2)"
	fi
	[[ "$out" =~ \ 0\ received ]] || fail "ping $2 from $1: expected no reply at all: $(printf '%s\n' "$out" | tail -n 2)"
	log "ping $2 from $1 fails as expected: $(printf '%s\n' "$out" | grep 'packets transmitted')"
}

# traffic_start NAME NS SERVER_IP SECS: iperf3 client (TCP) in the background;
# returns once the tunnel device in NS has sent 1 MB more than before.
traffic_start() {
	local name=$1 n=$2 srv=$3 secs=$4 t0
	t0=$(dev_stat "$n" "$OVPN_DEV" tx_bytes)
	bg "$name" "$n" /usr/bin/iperf3 -c "$srv" -t "$secs" -i 1 --forceflush
	wait_for "[ \$(dev_stat $n $OVPN_DEV tx_bytes) -gt $((t0 + 1000000)) ]" 15 ||
		fail "no traffic through $OVPN_DEV in $n: tx_bytes $t0 -> $(dev_stat "$n" "$OVPN_DEV" tx_bytes)"
	log "traffic flowing: $OVPN_DEV in $n tx_bytes $t0 -> $(dev_stat "$n" "$OVPN_DEV" tx_bytes)"
}

# elapsed_ms T0_NS: milliseconds since T0_NS (a `date +%s%N` value).
elapsed_ms() {
	echo $(( ($(date +%s%N) - $1) / 1000000 ))
}

# no_ipv6_on_new_devices NS...: devices created from now on in NS get no
# IPv6 (no link-local address, router solicitations or MLD reports in the
# tunnel), so a test can tell that nothing but keepalives crossed it.
no_ipv6_on_new_devices() {
	local n
	for n in "$@"; do
		ns "$n" /usr/sbin/sysctl -qw net.ipv6.conf.default.disable_ipv6=1 ||
			fail "cannot set net.ipv6.conf.default.disable_ipv6 in $n"
	done
}

# udp_send NS DST_IP DST_PORT FMT...: from one unbound UDP socket in NS, send
# each FMT (a printf format: \xNN escapes, never \x0a, which would split the
# datagram) as one datagram to DST_IP:DST_PORT. Prints the socket's local port.
udp_send() {
	local n=$1 dst=$2 dport=$3
	shift 3
	# shellcheck disable=SC2016
	ns "$n" /bin/bash -c '
		exec 3>"/dev/udp/$1/$2" || exit 1
		/usr/bin/ss -Hun "dst $1:$2" |
			/usr/bin/awk "{ for (i = 1; i <= NF; i++) if (\$i ~ /:[0-9]+\$/) { n = split(\$i, p, \":\"); print p[n]; exit } }"
		shift 2
		for f in "$@"; do
			printf "$f" >&3 || exit 1
		done' udp_send "$dst" "$dport" "$@"
}

# peer_exists NS DEV ID: GET_PEER (do, with the id) finds the peer. Note that
# `get_peer NS DEV` without an id is a dump, which succeeds with no output
# on a device without peers.
peer_exists() {
	get_peer "$1" "$2" "$3" 2>/dev/null | grepq -x "peer_id $3"
}

# peer_still_there NS DEV ID: like peer_exists, but a failed GET_PEER is
# printed in full and asked again once after 1 s, so that a peer that is
# really gone (both answers) is told apart from a request that failed; the
# failed answer stays in the log either way.
peer_still_there() {
	local out rc
	out=$(get_peer "$1" "$2" "$3" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grepq -x "peer_id $3" && return 0
	echo "NOTE: GET_PEER $3 on $2 in $1: exit $rc: $(printf '%s' "$out" | tail -n 5 | tr '\n' '|')"
	"$IP_BIN" netns exec "$1" "$IP_BIN" -d link show "$2" 2>&1 | sed 's/^/    /'
	sleep 1
	peer_exists "$1" "$2" "$3"
}
