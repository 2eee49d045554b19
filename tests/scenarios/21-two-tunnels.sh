#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Two tunnels at once between a and b, same key: ovpn0 (port 1194,
# 10.8.0.0/24) and ovpn1 (port 1195, 10.9.0.0/24). Both carry pings; traffic
# on one does not show on the other's counters; stopping tunnel 0 (SIGTERM to
# its CLIs) deletes ovpn0 and leaves ovpn1 working, on its own port.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

A_VPN1=10.9.0.1
B_VPN1=10.9.0.2
PORT1=1195
DEV1=ovpn1

require_module
require_cli
require_key sample.key
setup_two_hosts
oneshot_pair --quiet --keepalive 0,0
oneshot_start tun1-a "$A" udp i4 "$A_IP" "$PORT1" "$B_IP" "$PORT1" \
	"$A_VPN1" "$VPN_MASK" "$B_VPN1" "$KEYS/sample.key" 0 --dev "$DEV1" --quiet --keepalive 0,0
oneshot_start tun1-b "$B" udp i4 "$B_IP" "$PORT1" "$A_IP" "$PORT1" \
	"$B_VPN1" "$VPN_MASK" "$A_VPN1" "$KEYS/sample.key" 1 --dev "$DEV1" --quiet --keepalive 0,0
for n in "$A" "$B"; do
	dev_exists "$n" "$OVPN_DEV" || fail "$OVPN_DEV missing in $n"
	dev_exists "$n" "$DEV1" || fail "$DEV1 missing in $n"
done
assert_eq "$(peer_field "$A" "$DEV1" remote)" "$B_IP:$PORT1" "a's $DEV1 peer remote"

# traffic on tunnel X must not move tunnel Y's receive counters (a few
# 48-byte IPv6 router solicitations of Y itself may)
only_on() { # DEV DST OTHER_DEV
	local dev=$1 dst=$2 other=$3 r0 o0 r1 o1
	r0=$(dev_stat "$B" "$dev" rx_bytes)
	o0=$(dev_stat "$B" "$other" rx_bytes)
	ping_ok "$A" "$dst" 10 -s 1000
	r1=$(dev_stat "$B" "$dev" rx_bytes)
	o1=$(dev_stat "$B" "$other" rx_bytes)
	echo "  pings to $dst: b $dev rx_bytes +$((r1 - r0)), b $other rx_bytes +$((o1 - o0))"
	assert_ge $((r1 - r0)) 10280 "b $dev rx_bytes after 10 pings of 1028 bytes"
	assert_ge 1000 $((o1 - o0)) "b $other rx_bytes while only $dev had traffic"
}
only_on "$OVPN_DEV" "$B_VPN" "$DEV1"
only_on "$DEV1" "$B_VPN1" "$OVPN_DEV"

# each tunnel on its own port on the wire
cap_start wire "$B" "$B_DEV" -c 20 udp
ping_ok "$A" "$B_VPN1" 2
ping_ok "$A" "$B_VPN" 2
cap_stop wire
ports=$(pcap_pkts "$(cap_file wire)" | awk '{ print $5 ">" $6 }' | sort | uniq -c | sed 's/^ */    /')
echo "$ports"
assert_match "$ports" "$A_IP.$PORT1>$B_IP.$PORT1" "tunnel 1 packets between ports $PORT1"
assert_match "$ports" "$A_IP.$PORT>$B_IP.$PORT" "tunnel 0 packets between ports $PORT"

echo "== stop tunnel 0"
bg_stop tun-a TERM 10 || fail "one-shot CLI (tunnel 0) in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI (tunnel 0) in b: exit status $? on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV && ! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV not deleted after SIGTERM"
bg_alive tun1-a || fail "tunnel 1's CLI in a exited with tunnel 0"
bg_alive tun1-b || fail "tunnel 1's CLI in b exited with tunnel 0"
ping_ok "$A" "$B_VPN1" 5
ping_ok "$B" "$A_VPN1" 3
pa=$(get_peer "$A" "$DEV1") || fail "get_peer on $DEV1 failed after tunnel 0 went: $pa"
assert_ge "$(kv_field "$pa" vpn_rx_packets)" 20 "a's $DEV1 peer vpn_rx_packets"
out=$(nst 5 "$A" /usr/bin/ping -c 1 -W 1 "$B_VPN" 2>&1) && fail "$B_VPN still answers after tunnel 0 was stopped: $out"

bg_stop tun1-a TERM 10 || fail "one-shot CLI (tunnel 1) in a: exit status $? on SIGTERM"
bg_stop tun1-b TERM 10 || fail "one-shot CLI (tunnel 1) in b: exit status $? on SIGTERM"
echo "ok: two tunnels"
