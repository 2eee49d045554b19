#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Keepalive on an idle tunnel (one-shot pair, --keepalive 1,4): after 7 s of
# silence, longer than the 4 s timeout, both CLIs still run (no peer
# deletion), both peers still exist, each side received keepalives (link
# RX packets grew) that were not delivered as data (VPN RX packets did not
# grow), and ping still crosses the tunnel.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
setup_two_hosts
# No IPv6 chatter (RS, MLD) on the tunnel: only keepalives may cross it.
no_ipv6_on_new_devices "$A" "$B"
# The timeout must cover starting the second CLI after the first: a slower
# kernel (debug: seconds per CLI) gets a proportionally longer one.
TMO=$(slow_secs 4)
IDLE=$((TMO + 3))
oneshot_pair --keepalive 1,"$TMO"

pa=$(get_peer "$A" "$OVPN_DEV" 0) || fail "get_peer in a: $pa"
pb=$(get_peer "$B" "$OVPN_DEV" 0) || fail "get_peer in b: $pb"
assert_eq "$(kv_field "$pa" keepalive_interval)" 1 "a keepalive_interval"
assert_eq "$(kv_field "$pa" keepalive_timeout)" "$TMO" "a keepalive_timeout"
la0=$(kv_field "$pa" link_rx_packets) va0=$(kv_field "$pa" vpn_rx_packets)
lb0=$(kv_field "$pb" link_rx_packets) vb0=$(kv_field "$pb" vpn_rx_packets)
log "start: a link_rx $la0 vpn_rx $va0, b link_rx $lb0 vpn_rx $vb0; idle for $IDLE s"

sleep "$IDLE"

for s in tun-a tun-b; do
	bg_alive "$s" || { bg_wait "$s" 1; fail "one-shot $s exited (status $?) on an idle tunnel with keepalives"; }
	if grep -E 'deleted' "$(bg_log "$s")"; then
		fail "one-shot $s reported its peer deleted on an idle tunnel with keepalives"
	fi
done

pa=$(get_peer "$A" "$OVPN_DEV" 0) || fail "peer gone in a after $IDLE s idle: $pa"
pb=$(get_peer "$B" "$OVPN_DEV" 0) || fail "peer gone in b after $IDLE s idle: $pb"
la1=$(kv_field "$pa" link_rx_packets) va1=$(kv_field "$pa" vpn_rx_packets)
lb1=$(kv_field "$pb" link_rx_packets) vb1=$(kv_field "$pb" vpn_rx_packets)
log "after $IDLE s: a link_rx $la1 vpn_rx $va1, b link_rx $lb1 vpn_rx $vb1"
# One keepalive a second each way: at least 4 in $IDLE s.
assert_ge "$la1" $((la0 + 4)) "a link_rx_packets (keepalives from b)"
assert_ge "$lb1" $((lb0 + 4)) "b link_rx_packets (keepalives from a)"
# Keepalives are consumed by the kernel, never delivered as data.
assert_eq "$va1" "$va0" "a vpn_rx_packets during idle"
assert_eq "$vb1" "$vb0" "b vpn_rx_packets during idle"

ping_ok "$A" "$B_VPN"
pa=$(get_peer "$A" "$OVPN_DEV" 0) || fail "get_peer in a: $pa"
assert_ge "$(kv_field "$pa" vpn_rx_packets)" $((va1 + 3)) "a vpn_rx_packets after ping"
echo "ok: keepalives keep an idle tunnel alive"
