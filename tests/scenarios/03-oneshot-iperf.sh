#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One-shot CLI tunnel a <-> b: iperf3 TCP through it in both directions
# (2 s each), non-zero throughput, counters consistent.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"

require_module
require_cli
setup_two_hosts
oneshot_pair --quiet

out=$(nst 20 "$A" /usr/bin/ping -c 2 -i 0.2 -W 2 "$B_VPN" 2>&1) || fail "ping through the tunnel failed: $out"

iperf_server srv "$B"
up=$(iperf_mbps "$A" "$B_VPN" 2) || fail "iperf3 a -> b through the tunnel failed"
down=$(iperf_mbps "$A" "$B_VPN" 2 -R) || fail "iperf3 b -> a (reverse) through the tunnel failed"
echo "tunnel a -> b: $up Mbit/s, b -> a: $down Mbit/s"
assert_gt "$up" 0 "a -> b throughput (Mbit/s)"
assert_gt "$down" 0 "b -> a throughput (Mbit/s)"

# At least a few MB went each way, on the device and on the peer.
assert_gt "$(dev_stat "$A" "$OVPN_DEV" tx_bytes)" 1000000 "a $OVPN_DEV tx_bytes"
assert_gt "$(dev_stat "$A" "$OVPN_DEV" rx_bytes)" 1000000 "a $OVPN_DEV rx_bytes"
pa=$(get_peer "$A" "$OVPN_DEV") || fail "get_peer failed: $pa"
assert_gt "$(kv_field "$pa" vpn_tx_bytes)" 1000000 "a peer vpn_tx_bytes"
assert_gt "$(kv_field "$pa" vpn_rx_bytes)" 1000000 "a peer vpn_rx_bytes"
assert_eq "$(dev_stat "$A" "$OVPN_DEV" rx_errors)" 0 "a $OVPN_DEV rx_errors"
assert_eq "$(dev_stat "$B" "$OVPN_DEV" rx_errors)" 0 "b $OVPN_DEV rx_errors"

bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
echo "ok: one-shot iperf"
