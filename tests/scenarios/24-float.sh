#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Float (Documentation/wire-format.md, "Which packets the module takes", 5):
# an authentic data packet from a new source address moves the peer there.
# An authentic packet a -> b that b never saw (held back with tc) is sent to
# b from a's address but port 5555: b accepts it, GET_PEER's remote becomes
# 192.168.100.1:5555 and b's answer goes to port 5555. A packet from the
# original address floats it back: pings work again and remote is
# 192.168.100.1:1194.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

NEWPORT=5555

require_module
require_cli
[ -x "$UDPSEND" ] || fail "$UDPSEND missing (make -C tests/tools)"
setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0
ping_ok "$A" "$B_VPN" 2
assert_eq "$(peer_field "$B" "$OVPN_DEV" remote)" "$A_IP:$PORT" "b's peer remote before"

held_packets "$A" "$B_VPN" 1
orig=$(printf '%s\n' "$HELD" | head -n 1)
dv2_check "$orig" 48000000 "held packet"

cap_start back "$B" "$B_DEV" udp and src host "$B_IP" and src port "$PORT"
v0=$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)
t0=$(peer_field "$B" "$OVPN_DEV" vpn_tx_packets)
assert_ok ns "$A" "$UDPSEND" -s "$A_IP" -p "$NEWPORT" "$B_IP" "$PORT" "$orig"
wait_for "[ \"\$(peer_field $B $OVPN_DEV vpn_rx_packets)\" -gt $v0 ]" 3 ||
	fail "b did not accept the authentic packet from port $NEWPORT (vpn_rx_packets $v0, rx_dropped $(dev_stat "$B" "$OVPN_DEV" rx_dropped))"
# b answers the echo request it carried
wait_for "[ \"\$(peer_field $B $OVPN_DEV vpn_tx_packets)\" -gt $t0 ]" 3 ||
	fail "b did not answer the echo request (vpn_tx_packets $t0)"
cap_stop back
remote=$(peer_field "$B" "$OVPN_DEV" remote)
echo "b's peer remote after the packet from port $NEWPORT: $remote"
dsts=$(pcap_pkts "$(cap_file back)" | awk '{ print $6 }' | sort | uniq -c | sed 's/^ */    /')
echo "b's tunnel packets went to:"
echo "$dsts"
assert_eq "$remote" "$A_IP:$NEWPORT" "b's peer remote after an authentic packet from a new port"
assert_match "$dsts" "$A_IP\\.$NEWPORT\$" "b's answer sent to the new port"

echo "== back to port $PORT"
out=$(ping_run "$A" "$B_VPN" 3)
echo "$out" | tail -n 2
assert_eq "$(peer_field "$B" "$OVPN_DEV" remote)" "$A_IP:$PORT" "b's peer remote after a's packets from port $PORT"
ping_ok "$A" "$B_VPN" 3
echo "ok: float"
