#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Tunnel over an IPv6 underlay (`ovpn-cli udp i6 fd00:100::1 ...`): ping and
# iperf3 TCP both ways through it; the peer's remote is the IPv6 address; the
# underlay carries the tunnel as IPv6 UDP (P_DATA_V2 headers) and never as
# IPv4 UDP. A full-size inner packet (default MTU 1428, ping -M do -s 1400)
# is exactly 1500 bytes on the IPv6 underlay (1428 + 24 + 8 + 40), not
# fragmented.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
oneshot_start tun-a "$A" udp i6 "$A_IP6" "$PORT" "$B_IP6" "$PORT" \
	"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --quiet
oneshot_start tun-b "$B" udp i6 "$B_IP6" "$PORT" "$A_IP6" "$PORT" \
	"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --quiet
head -n 1 "$(bg_log tun-a)"

pa=$(get_peer "$A" "$OVPN_DEV") || fail "get_peer in a failed: $pa"
assert_eq "$(kv_field "$pa" remote)" "[$B_IP6]:$PORT" "a's peer remote"
pb=$(get_peer "$B" "$OVPN_DEV") || fail "get_peer in b failed: $pb"
assert_eq "$(kv_field "$pb" remote)" "[$A_IP6]:$PORT" "b's peer remote"

# Whole packets while pinging (bounded count), and any IPv4 tunnel packet at
# all during the whole test.
cap_start wire6 "$B" "$B_DEV" -c 200 ip6 and udp port "$PORT"
cap_start wire4 "$B" "$B_DEV" ip and udp port "$PORT"

ping_ok "$A" "$B_VPN" 5 -s 1000
ping_ok "$A" "$B_VPN" 2 -M "do" -s 1400
cap_stop wire6

iperf_server srv "$B"
iperf_both "$A" "$B_VPN" 2
cap_stop wire4

pkts=$(pcap_pkts "$(cap_file wire6)")
n6=$(printf '%s\n' "$pkts" | grep -c '^6 ')
echo "IPv6 UDP tunnel packets captured while pinging: $n6"
assert_ge "$n6" 14 "IPv6 UDP packets on the underlay (7 pings, 7 replies)"
# Every one is IPv6, UDP, not a fragment, a P_DATA_V2 packet for peer 0.
bad=$(printf '%s\n' "$pkts" | awk '$1 != 6 || $3 != 0 || $4 != 17' | head -n 3)
[ -z "$bad" ] || fail "underlay packets that are not unfragmented IPv6 UDP: $bad"
dv2_check "$(printf '%s\n' "$pkts" | awk '{ print $7 }')" 48000000 "IPv6 underlay"
# the 1000-byte pings went as 1028 + 24 + 8 + 40 = 1100-byte IPv6 packets
big=$(printf '%s\n' "$pkts" | awk '$2 == 1100' | grep -c .)
assert_ge "$big" 10 "IPv6 underlay packets of 1100 bytes (the 1028-byte pings)"
full=$(printf '%s\n' "$pkts" | awk '$2 == 1500' | grep -c .)
assert_ge "$full" 4 "IPv6 underlay packets of 1500 bytes (the 1428-byte pings, both ways)"
max=$(printf '%s\n' "$pkts" | awk '$2 > m { m = $2 } END { print m + 0 }')
assert_eq "$max" 1500 "largest IPv6 underlay packet"

n4=$(pcap_count "$(cap_file wire4)")
assert_eq "$n4" 0 "IPv4 UDP packets on port $PORT (the tunnel must use IPv6)"

assert_gt "$(dev_stat "$B" "$OVPN_DEV" rx_bytes)" 1000000 "b $OVPN_DEV rx_bytes after iperf3"
assert_gt "$(dev_stat "$A" "$OVPN_DEV" rx_bytes)" 1000000 "a $OVPN_DEV rx_bytes after iperf3"
assert_gt "$(dev_stat "$B" "$B_DEV" rx_bytes)" 1000000 "b $B_DEV rx_bytes (the underlay carried it)"

bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
echo "ok: IPv6 transport"
