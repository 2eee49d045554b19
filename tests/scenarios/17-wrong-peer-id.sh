#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A peer id that does not match delivers nothing: a runs with --peer-id 1, b
# with --peer-id 0 (same key). a's packets carry peer id 000001 on the wire
# (0x48 000001); b has no peer 1 and drops each one (rx_dropped, nothing
# authenticated, nothing delivered); a drops b's packets for peer 0 the same
# way.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

N=5

require_module
require_cli
require_key sample.key
setup_two_hosts
quiet_new_devices "$A" "$B"
tun_start tun-a a "$KEYS/sample.key" 0 --quiet --keepalive 0,0 --peer-id 1
tun_start tun-b b "$KEYS/sample.key" 1 --quiet --keepalive 0,0 --peer-id 0
assert_eq "$(peer_field "$A" "$OVPN_DEV" peer_id)" 1 "a's peer id"
assert_eq "$(peer_field "$B" "$OVPN_DEV" peer_id)" 0 "b's peer id"

cap_start wire "$B" "$B_DEV" udp port "$PORT"
for d in "$A $B $B_VPN" "$B $A $A_VPN"; do
	set -- $d
	from=$1 to=$2 dst=$3
	d0=$(dev_stat "$to" "$OVPN_DEV" rx_dropped)
	ping_none "$from" "$dst" $N
	wait_stat "$to" "$OVPN_DEV" rx_dropped $((d0 + N)) ||
		fail "$to: rx_dropped $d0 -> $(dev_stat "$to" "$OVPN_DEV" rx_dropped), expected +$N"
	sleep 0.3
	all=$(dev_stats "$to" "$OVPN_DEV")
	peer_snap "$to" "$OVPN_DEV" p
	echo "    $to $OVPN_DEV: $all"
	echo "    $to peer: $(peer_line "$p")"
	assert_eq "$(st "$all" rx_dropped)" $((d0 + N)) "$to $OVPN_DEV rx_dropped: one per ping"
	assert_eq "$(st "$all" rx_packets)" 0 "$to $OVPN_DEV rx_packets"
	assert_eq "$(kv_field "$p" vpn_rx_packets)" 0 "$to peer vpn_rx_packets"
	assert_eq "$(kv_field "$p" link_rx_packets)" 0 "$to peer link_rx_packets"
done
cap_stop wire

pkts=$(pcap_pkts "$(cap_file wire)")
dv2_check "$(printf '%s\n' "$pkts" | awk -v s="$A_IP.$PORT" '$5 == s { print $7 }')" 48000001 "a -> b (peer id 1)"
assert_eq "$DV2_N" $N "a -> b data packets on the wire"
dv2_check "$(printf '%s\n' "$pkts" | awk -v s="$B_IP.$PORT" '$5 == s { print $7 }')" 48000000 "b -> a (peer id 0)"
assert_eq "$DV2_N" $N "b -> a data packets on the wire"
echo "ok: wrong peer id delivers nothing"
