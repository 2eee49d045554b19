#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One-shot CLI tunnel a <-> b over UDP/IPv4 (AES-256-GCM, sample.key): ping
# through it, check the device and peer counters moved, that the underlay
# carries P_DATA_V2 (opcode 9, key 0, peer 0) and not the plaintext, and that
# SIGTERM removes the device.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"

require_module
require_cli
setup_two_hosts
oneshot_pair

dev_exists "$A" "$OVPN_DEV" || fail "$OVPN_DEV missing in $A after ready"
dev_exists "$B" "$OVPN_DEV" || fail "$OVPN_DEV missing in $B after ready"
grep '^ready' "$(bg_log tun-a)"

tx0=$(dev_stat "$A" "$OVPN_DEV" tx_packets)
rx0=$(dev_stat "$A" "$OVPN_DEV" rx_packets)
btx0=$(dev_stat "$B" "$OVPN_DEV" tx_packets)
brx0=$(dev_stat "$B" "$OVPN_DEV" rx_packets)

# Capture what the underlay carries towards b while pinging.
bg cap "$B" /usr/bin/tcpdump -n -l -U -x -c 5 -i "$B_DEV" "udp and dst port $PORT"
wait_log cap 'listening on' 10

out=$(nst 20 "$A" /usr/bin/ping -c 5 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping $B_VPN through the tunnel failed: $out"
echo "$out" | tail -n 2
assert_match "$out" ' 0% packet loss' "ping loss through the tunnel"

# Device counters (ip -s link) moved on both ends.
assert_ge "$(dev_stat "$A" "$OVPN_DEV" tx_packets)" $((tx0 + 5)) "a $OVPN_DEV tx_packets"
assert_ge "$(dev_stat "$A" "$OVPN_DEV" rx_packets)" $((rx0 + 5)) "a $OVPN_DEV rx_packets"
assert_ge "$(dev_stat "$B" "$OVPN_DEV" tx_packets)" $((btx0 + 5)) "b $OVPN_DEV tx_packets"
assert_ge "$(dev_stat "$B" "$OVPN_DEV" rx_packets)" $((brx0 + 5)) "b $OVPN_DEV rx_packets"

# Peer counters (GET_PEER) moved.
pa=$(get_peer "$A" "$OVPN_DEV") || fail "get_peer in a failed: $pa"
echo "get_peer a:"
echo "$pa" | sed 's/^/  /'
assert_eq "$(kv_field "$pa" peer_id)" 0 "peer_id"
assert_eq "$(kv_field "$pa" remote)" "$B_IP:$PORT" "remote"
for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
	assert_ge "$(kv_field "$pa" $k)" 5 "a peer $k"
done
for k in vpn_tx_bytes vpn_rx_bytes link_tx_bytes link_rx_bytes; do
	assert_gt "$(kv_field "$pa" $k)" 0 "a peer $k"
done
# Transport side carries the 24-byte header + tag on top of the VPN side.
assert_gt "$(kv_field "$pa" link_tx_bytes)" "$(kv_field "$pa" vpn_tx_bytes)" "link_tx_bytes > vpn_tx_bytes"
pb=$(get_peer "$B" "$OVPN_DEV") || fail "get_peer in b failed: $pb"
for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
	assert_ge "$(kv_field "$pb" $k)" 5 "b peer $k"
done

# The wire: UDP payload byte 0 = 0x48 (P_DATA_V2, key id 0), peer id 0.
bg_wait cap 10 || true
caplog=$(cat "$(bg_log cap)")
# tcpdump -x prints from the IP header: the UDP payload starts at byte 28,
# the 7th 16-bit group of line 0x0010.
heads=$(printf '%s\n' "$caplog" | awk '$1 == "0x0010:" { print $8 $9 }')
echo "underlay payload heads: $(echo $heads)"
[ -n "$heads" ] || fail "no UDP packets captured on the underlay: $caplog"
for h in $heads; do
	assert_eq "$h" 48000000 "P_DATA_V2 header (opcode 9, key 0, peer id 0)"
done

# SIGTERM tears the tunnel down and deletes the device.
bg_stop tun-a TERM 10
assert_eq "$?" 0 "one-shot CLI exit status on SIGTERM (a)"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in a after SIGTERM"
bg_stop tun-b TERM 10
assert_eq "$?" 0 "one-shot CLI exit status on SIGTERM (b)"
wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in b after SIGTERM"
echo "ok: one-shot ping"
