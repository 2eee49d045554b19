#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Exact accounting. A tunnel with no other traffic (keepalive 0,0, no IPv6 on
# ovpn0) starts with every counter at 0; after N pings of L-byte IP packets:
# on both ends the device (ip -s link) counts N packets and N*L bytes each
# way, the peer's vpn_* counters the same, its link_* counters N packets and
# N*(L+24) bytes (header and tag: 24 bytes per packet), nothing dropped; the
# wire carries exactly 2N UDP datagrams of L+24 bytes, with packet ids 1..N
# in each direction.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

N=10
S=100			# ICMP data bytes
L=$((S + 8 + 20))	# the IP packet inside the tunnel
H=24			# P_DATA_V2 header + AEAD tag

require_module
require_cli
setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0

check_all() { # PACKETS: every counter of both ends after PACKETS pings
	local c=$1 n p k all
	for n in "$A" "$B"; do
		all=$(dev_stats "$n" "$OVPN_DEV")
		peer_snap "$n" "$OVPN_DEV" p
		echo "    $n $OVPN_DEV: $all"
		echo "    $n peer: $(printf '%s\n' "$p" | awk '/_packets|_bytes/ { printf "%s=%s ", $1, $2 }')"
		for k in tx_packets rx_packets; do
			assert_eq "$(st "$all" $k)" "$c" "$n $OVPN_DEV $k"
		done
		for k in tx_bytes rx_bytes; do
			assert_eq "$(st "$all" $k)" $((c * L)) "$n $OVPN_DEV $k"
		done
		for k in rx_dropped rx_missed_errors tx_dropped rx_errors tx_errors; do
			assert_eq "$(st "$all" $k)" 0 "$n $OVPN_DEV $k"
		done
		for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
			assert_eq "$(kv_field "$p" $k)" "$c" "$n peer $k"
		done
		for k in vpn_tx_bytes vpn_rx_bytes; do
			assert_eq "$(kv_field "$p" $k)" $((c * L)) "$n peer $k"
		done
		for k in link_tx_bytes link_rx_bytes; do
			assert_eq "$(kv_field "$p" $k)" $((c * (L + H))) "$n peer $k"
		done
	done
}

echo "== before any traffic"
sleep 1
check_all 0

echo "== after $N pings of $L bytes"
cap_start wire "$B" "$B_DEV" udp port "$PORT"
ping_ok "$A" "$B_VPN" $N -s $S
cap_stop wire
# the last reply may still be on its way into a's counters
wait_stat "$A" "$OVPN_DEV" rx_packets $N 2
check_all $N

pkts=$(pcap_pkts "$(cap_file wire)")
assert_eq "$(printf '%s\n' "$pkts" | grep -c .)" $((2 * N)) "UDP datagrams on the wire"
for d in "$A_IP.$PORT $B_IP.$PORT" "$B_IP.$PORT $A_IP.$PORT"; do
	set -- $d
	sel=$(printf '%s\n' "$pkts" | awk -v s="$1" -v t="$2" '$5 == s && $6 == t')
	assert_eq "$(printf '%s\n' "$sel" | awk -v w=$((L + H + 28)) '$2 == w' | grep -c .)" $N "$1 -> $2: datagrams of $((L + H)) bytes (IP $((L + H + 28)))"
	pl=$(printf '%s\n' "$sel" | awk '{ print $7 }')
	dv2_check "$pl" 48000000 "$1 -> $2"
	assert_eq "$(pktids "$pl" | tr '\n' ' ')" "$(seq 1 $N | tr '\n' ' ')" "$1 -> $2: packet ids"
done
echo "ok: exact counters"
