#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# MTU and fragments. Default MTU 1428: a 1428-byte inner packet with DF
# (ping -M do -s 1400) passes and is 1480 bytes on the IPv4 underlay, one
# byte more (-s 1401 -M do) is refused locally; a 3028-byte ping is
# fragmented inside the tunnel (fragments seen on b's ovpn0) and passes. With
# ovpn0 at MTU 1300: -s 1272 -M do passes, -s 1400 -M do is refused locally
# (mtu=1300) and nothing is sent. With ovpn0 at MTU 1500 (more than the
# underlay can carry) a 1500-byte packet still passes: the module fragments
# the outer UDP/IPv4 packet. Until then no underlay packet is a fragment and
# the largest is 1428 + 24 + 8 + 20 = 1480 bytes.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
setup_two_hosts
# no IPv6 on ovpn0: its router solicitations would move the tx counters
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 0,0
assert_eq "$(ns "$A" cat /sys/class/net/$OVPN_DEV/mtu)" 1428 "default $OVPN_DEV MTU"

# must_not_send S MTU: ping -M do -s S is refused by a's stack (EMSGSIZE),
# nothing leaves ovpn0.
must_not_send() {
	local s=$1 mtu=$2 t0 out
	t0=$(dev_stat "$A" "$OVPN_DEV" tx_packets)
	out=$(nst 20 "$A" /usr/bin/ping -c 2 -i 0.2 -W 1 -M "do" -s "$s" "$B_VPN" 2>&1) &&
		fail "ping -M do -s $s passed with MTU $mtu: $out"
	printf '%s\n' "$out" | grep -m 1 -iE 'too long|mtu' | sed 's/^/    /'
	assert_match "$out" "mtu=$mtu|[Mm]essage too long" "ping -M do -s $s with MTU $mtu: local error"
	assert_eq "$(ping_received "$out")" 0 "replies to -M do -s $s"
	assert_eq "$(dev_stat "$A" "$OVPN_DEV" tx_packets)" "$t0" "a $OVPN_DEV tx_packets after the refused -s $s"
}

cap_start wire "$B" "$B_DEV" udp port "$PORT" or '(ip[6:2] & 0x3fff != 0)'
cap_start inner "$B" "$OVPN_DEV" -c 200 icmp

echo "== MTU 1428"
ping_ok "$A" "$B_VPN" 3 -M "do" -s 1400
must_not_send 1401 1428
ping_ok "$A" "$B_VPN" 3 -s 3000

echo "== MTU 1300"
ns "$A" "$IP_BIN" link set "$OVPN_DEV" mtu 1300 || fail "cannot set $OVPN_DEV mtu 1300"
ping_ok "$A" "$B_VPN" 3 -M "do" -s 1272
must_not_send 1400 1300
cap_stop wire
cap_stop inner

pkts=$(pcap_pkts "$(cap_file wire)")
n=$(printf '%s\n' "$pkts" | grep -c .)
max=$(printf '%s\n' "$pkts" | awk '$2 > m { m = $2 } END { print m + 0 }')
frags=$(printf '%s\n' "$pkts" | awk '$3 == 1' | grep -c .)
echo "underlay: $n packets, largest $max bytes, $frags fragments"
assert_eq "$frags" 0 "underlay IP fragments"
assert_eq "$max" 1480 "largest underlay packet (1428 + 24 + 8 + 20)"
dv2_check "$(printf '%s\n' "$pkts" | awk '{ print $7 }')" 48000000 "underlay"
ifr=$(pcap_pkts "$(cap_file inner)" | awk '$1 == 4 && $3 == 1' | grep -c .)
echo "inner IPv4 fragments seen on b's $OVPN_DEV: $ifr"
assert_ge "$ifr" 12 "inner fragments of the 3028-byte pings (3 pings, 3 replies, 2+ fragments each)"

echo "== MTU 1500 over a 1500-byte underlay"
ns "$A" "$IP_BIN" link set "$OVPN_DEV" mtu 1500 || fail "cannot set $OVPN_DEV mtu 1500"
cap_start wire2 "$B" "$B_DEV" udp port "$PORT" or '(ip[6:2] & 0x3fff != 0)'
ping_ok "$A" "$B_VPN" 3 -M "do" -s 1472
cap_stop wire2
pkts=$(pcap_pkts "$(cap_file wire2)")
ofr=$(printf '%s\n' "$pkts" | awk -v s="$A_IP" '$3 == 1 && index($5, s) == 1' | grep -c .)
max=$(printf '%s\n' "$pkts" | awk '$2 > m { m = $2 } END { print m + 0 }')
echo "outer fragments a -> b: $ofr, largest underlay packet $max"
assert_ge "$ofr" 6 "outer IPv4 fragments a -> b (3 pings of 1500 + 52 bytes, 2 fragments each)"
assert_ge 1500 "$max" "largest underlay packet"
echo "ok: MTU and fragments"
