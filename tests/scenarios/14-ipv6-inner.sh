#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# IPv6 inside the tunnel (--vpn-ip6 fd00:8::1/64 and fd00:8::2/64 over the
# IPv4 underlay): ping -6 (0% loss) and iperf3 TCP over IPv6 both ways; the
# IPv6 packets really cross ovpn0 (captured on b's ovpn0, counted by its
# peer).
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

A_VPN6=fd00:8::1
B_VPN6=fd00:8::2

require_module
require_cli
require_key sample.key
setup_two_hosts
tun_start tun-a a "$KEYS/sample.key" 0 --quiet --vpn-ip6 "$A_VPN6/64"
tun_start tun-b b "$KEYS/sample.key" 1 --quiet --vpn-ip6 "$B_VPN6/64"
ns "$A" "$IP_BIN" -6 addr show dev "$OVPN_DEV" | grepq "$A_VPN6/64" ||
	fail "$A_VPN6/64 not on a's $OVPN_DEV: $(ns "$A" "$IP_BIN" -6 addr show dev "$OVPN_DEV")"

v0=$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)
cap_start inner "$B" "$OVPN_DEV" -c 50 icmp6 and host "$A_VPN6"
ping_ok "$A" "$B_VPN6" 5 -6 -s 1000
cap_stop inner
n=$(pcap_pkts "$(cap_file inner)" | awk '$1 == 6 && $4 == 58' | grep -c .)
assert_ge "$n" 10 "ICMPv6 packets between $A_VPN6 and $B_VPN6 seen on b's $OVPN_DEV"
assert_ge "$(peer_field "$B" "$OVPN_DEV" vpn_rx_packets)" $((v0 + 5)) "b peer vpn_rx_packets after 5 pings"

iperf_server srv "$B"
b0=$(dev_stat "$B" "$OVPN_DEV" rx_bytes)
iperf_both "$A" "$B_VPN6" 2
assert_gt "$(dev_stat "$B" "$OVPN_DEV" rx_bytes)" $((b0 + 1000000)) "b $OVPN_DEV rx_bytes grew by iperf3 over IPv6"
grep -q "$B_VPN6" "$LOGDIR"/iperf-client-1.log ||
	fail "iperf3 did not connect to $B_VPN6: $(head -n 3 "$LOGDIR"/iperf-client-1.log)"

bg_stop tun-a TERM 10 || fail "one-shot CLI in a: exit status $? on SIGTERM"
bg_stop tun-b TERM 10 || fail "one-shot CLI in b: exit status $? on SIGTERM"
echo "ok: IPv6 inside the tunnel"
