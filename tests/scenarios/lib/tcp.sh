# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers of the TCP, MSS and packet-id scenarios (70-79). Source it after
# tests/lib.sh:
#
#   . "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
#   . "$(dirname "$0")/lib/tcp.sh"
#
# Topology: the two hosts of setup_two_hosts; the one-shot CLI over TCP,
# a (10.8.0.1, key direction 0) listens on 192.168.100.1:1194, b (10.8.0.2,
# direction 1) connects from 192.168.100.2:1194. Background names: tun-a,
# tun-b.

# extra one-shot options of each side
TCP_A_OPTS=()
TCP_B_OPTS=()

# tcp_pair: start a (listening) then b (connecting), wait until both are ready.
tcp_pair() {
	require_cli
	require_key sample.key
	bg tun-a "$A" "$OVPN_CLI" tcp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
		"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 "${TCP_A_OPTS[@]}"
	wait_log tun-a 'tcp listening on port' 20
	bg tun-b "$B" "$OVPN_CLI" tcp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
		"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 "${TCP_B_OPTS[@]}"
	wait_log tun-b '^ready ' 30
	wait_log tun-a '^ready ' 30
}

# tcp_payload_heads FILE: from `tcpdump -n -x` output of IPv4 TCP packets,
# print "<payload length> <first 3 payload bytes in hex>" for every packet
# carrying payload.
tcp_payload_heads() {
	awk '
	function h2d(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function flush(   ihl, tot, doff, off, plen) {
		if (hex == "") return
		ihl = h2d(substr(hex, 2, 1)) * 4
		tot = h2d(substr(hex, 5, 4))
		doff = int(h2d(substr(hex, (ihl + 12) * 2 + 1, 2)) / 16) * 4
		off = ihl + doff
		plen = tot - off
		if (plen > 0)
			printf "%d %s\n", plen, substr(hex, off * 2 + 1, 6)
		hex = ""
	}
	/^[ \t]*0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) hex = hex $i; next }
	{ flush() }
	END { flush() }' "$1"
}

# raw_remote NAME NS HOST PORT: a plain TCP connection from NS to HOST:PORT
# owned by a bash process (never given to a kernel): once the file
# $LOGDIR/NAME.go exists it writes the bytes of $LOGDIR/NAME.bytes (printf
# escapes), then holds the connection open until killed. `bg_stop NAME`
# closes the connection (FIN).
raw_remote() {
	local name=$1 n=$2 host=$3 port=$4
	rm -f "$LOGDIR/$name.go"
	bg "$name" "$n" /bin/bash -c "
		exec 3<>/dev/tcp/$host/$port || exit 1
		echo connected
		while [ ! -e '$LOGDIR/$name.go' ]; do sleep 0.1; done
		printf \"\$(cat '$LOGDIR/$name.bytes')\" >&3 && echo written
		exec sleep 1000"
}

# tcp_a_with_raw_remote NAME BYTES: a's one-shot listening, a raw remote in b
# connected to it; once a is ready, the remote writes BYTES (printf escapes).
# The raw remote runs no session-key handshake: a uses --raw-key.
tcp_a_with_raw_remote() {
	local name=$1
	printf '%s' "$2" >"$LOGDIR/$name.bytes"
	bg tun-a "$A" "$OVPN_CLI" tcp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
		"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 "${TCP_A_OPTS[@]}" --raw-key
	wait_log tun-a 'tcp listening on port' 20
	raw_remote "$name" "$B" "$A_IP" "$PORT"
	wait_log tun-a '^ready ' 30
	touch "$LOGDIR/$name.go"
	wait_log "$name" '^written' 10
}
