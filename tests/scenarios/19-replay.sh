#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Replay protection: data packets a -> b captured on the underlay and sent
# again byte for byte (tests/tools/udpsend from a's address) are refused by
# b: each one counts in b's rx_dropped, none is authenticated or delivered
# (vpn_rx_packets, link_rx_packets, rx_packets unchanged, no echo reply goes
# back); a fresh ping still works afterwards.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
[ -x "$UDPSEND" ] || fail "$UDPSEND missing (make -C tests/tools)"
setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0

cap_start wire "$B" "$B_DEV" udp and src host "$A_IP" and dst port "$PORT"
ping_ok "$A" "$B_VPN" 3
cap_stop wire
pl=$(pcap_pkts "$(cap_file wire)" | awk '$7 != "-" { print $7 }')
dv2_check "$pl" 48000000 "captured a -> b"
assert_eq "$DV2_N" 3 "data packets a -> b captured"
first=$(printf '%s\n' "$pl" | head -n 1)
last=$(printf '%s\n' "$pl" | tail -n 1)
echo "replaying packet ids $(pktids "$first") and $(pktids "$last"): ${first:0:48}..."

# replay SPEC COUNT HEX: send HEX COUNT times from a to b's tunnel port; b
# must drop every one and authenticate none.
replay() {
	local what=$1 c=$2 hex=$3 s0 s1 d0 p0 p k
	s0=$(dev_stats "$B" "$OVPN_DEV")
	d0=$(st "$s0" rx_dropped)
	peer_snap "$B" "$OVPN_DEV" p0
	assert_ok ns "$A" "$UDPSEND" -s "$A_IP" -n "$c" "$B_IP" "$PORT" "$hex"
	wait_stat "$B" "$OVPN_DEV" rx_dropped $((d0 + c)) ||
		fail "$what: b's rx_dropped $d0 -> $(dev_stat "$B" "$OVPN_DEV" rx_dropped), expected +$c (replays not refused?)"
	sleep 0.3
	s1=$(dev_stats "$B" "$OVPN_DEV")
	peer_snap "$B" "$OVPN_DEV" p
	assert_eq "$(st "$s1" rx_dropped)" $((d0 + c)) "$what: b rx_dropped"
	assert_eq "$(st "$s1" rx_packets)" "$(st "$s0" rx_packets)" "$what: b $OVPN_DEV rx_packets (replay delivered)"
	assert_eq "$(st "$s1" tx_packets)" "$(st "$s0" tx_packets)" "$what: b $OVPN_DEV tx_packets (b answered a replayed echo request)"
	for k in vpn_rx_packets link_rx_packets vpn_rx_bytes; do
		assert_eq "$(kv_field "$p" $k)" "$(kv_field "$p0" $k)" "$what: b peer $k"
	done
	echo "  $what: b rx_dropped +$c, nothing delivered"
}
replay "oldest packet once" 1 "$first"
replay "newest packet once" 1 "$last"
replay "oldest packet 5 times more" 5 "$first"

show_stats "$B" "$OVPN_DEV"
ping_ok "$A" "$B_VPN" 3
echo "ok: replayed packets refused"
