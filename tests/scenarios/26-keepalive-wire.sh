#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Keepalive on the data path (--keepalive 1,10, no other traffic): an idle
# tunnel carries 40-byte P_DATA_V2 packets (24-byte header + the 16-byte
# keepalive message) both ways, about one per second; they are consumed by
# the receiving module: they count as link_rx on the peer but never as
# vpn_rx, and nothing reaches ovpn0's stack. While pings flow every 200 ms no
# keepalive is sent.
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/datapath.sh"

require_module
require_cli
setup_two_hosts
quiet_new_devices "$A" "$B"
oneshot_pair --quiet --keepalive 1,10

echo "== idle"
cap_start idle "$B" "$B_DEV" udp port "$PORT"
sleep 4
cap_stop idle
pkts=$(pcap_pkts "$(cap_file idle)")
for d in "$A_IP.$PORT $B_IP.$PORT" "$B_IP.$PORT $A_IP.$PORT"; do
	set -- $d
	sel=$(printf '%s\n' "$pkts" | awk -v s="$1" -v t="$2" '$5 == s && $6 == t')
	n=$(printf '%s\n' "$sel" | grep -c .)
	echo "  $1 -> $2: $n packets in 4 s idle, sizes: $(printf '%s\n' "$sel" | awk '{ print $2 }' | sort -u | tr '\n' ' ')"
	assert_ge "$n" 2 "$1 -> $2: keepalives in 4 s idle (interval 1 s)"
	assert_ge 6 "$n" "$1 -> $2: keepalives in 4 s idle (interval 1 s)"
	assert_eq "$(printf '%s\n' "$sel" | awk '$2 != 68' | grep -c .)" 0 "$1 -> $2: packets other than 68-byte IP (40-byte keepalive datagrams)"
	dv2_check "$(printf '%s\n' "$sel" | awk '{ print $7 }')" 48000000 "$1 -> $2 keepalive"
done
for n in "$A" "$B"; do
	all=$(dev_stats "$n" "$OVPN_DEV")
	peer_snap "$n" "$OVPN_DEV" p
	echo "    $n $OVPN_DEV: $all"
	echo "    $n peer: $(peer_line "$p")"
	assert_ge "$(kv_field "$p" link_rx_packets)" 2 "$n peer link_rx_packets (keepalives received)"
	assert_eq "$(kv_field "$p" link_rx_bytes)" $(( $(kv_field "$p" link_rx_packets) * 40 )) "$n peer link_rx_bytes (40 per keepalive)"
	assert_eq "$(kv_field "$p" vpn_rx_packets)" 0 "$n peer vpn_rx_packets (keepalives are not VPN traffic)"
	assert_eq "$(kv_field "$p" vpn_tx_packets)" 0 "$n peer vpn_tx_packets"
	assert_eq "$(st "$all" rx_packets)" 0 "$n $OVPN_DEV rx_packets (keepalives are consumed)"
	assert_eq "$(st "$all" rx_dropped)" 0 "$n $OVPN_DEV rx_dropped"
done

echo "== busy"
bg pinger "$A" /usr/bin/ping -c 25 -i 0.2 -W 1 "$B_VPN"
sleep 1.2
cap_start busy "$B" "$B_DEV" udp port "$PORT"
sleep 2.5
cap_stop busy
bg_wait pinger 20 >/dev/null
out=$(cat "$(bg_log pinger)")
assert_match "$out" " 0% packet loss" "pings while keepalive is on"
pkts=$(pcap_pkts "$(cap_file busy)")
n=$(printf '%s\n' "$pkts" | grep -c .)
ka=$(printf '%s\n' "$pkts" | awk '$2 == 68' | grep -c .)
echo "  2.5 s of pings: $n packets, $ka keepalive-sized"
assert_ge "$n" 20 "tunnel packets while pinging"
assert_eq "$ka" 0 "keepalives sent while traffic flows"
echo "ok: keepalive on the wire"
