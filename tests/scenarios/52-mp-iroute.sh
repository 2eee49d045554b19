#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A LAN behind a client (OpenVPN's iroute): c1 has 10.20.0.1/24 on a local
# device, the server routes 10.20.0.0/24 via 10.8.0.2 (c1's VPN address) on
# its multi-peer device. The server reaches 10.20.0.1 (TX picks c1 by the
# route's nexthop; RX accepts c1's packets from 10.20.0.1 because that
# network is routed via c1). Packets that c2 sends from addresses that are
# not its own (10.20.0.5 of c1's LAN, c1's VPN address 10.8.0.2, an unused
# 10.8.0.99) are authentic but spoofed: the server drops them (rx_dropped
# grows by one per packet, peer 2's vpn_rx counters do not move, no reply),
# while c2's own address still works.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

# no IPv6: only our packets reach the server's drop counter
MP_NO_IPV6=1
mp_setup 1 2

LAN_NET=10.20.0.0/24
LAN_IP=10.20.0.1
lan_dev c1 lan0 "$LAN_IP/24"
ns "$MP_S" "$IP_BIN" route add "$LAN_NET" via "$(mp_vpn4 1)" dev "$MP_DEV" ||
	fail "route $LAN_NET via $(mp_vpn4 1) on the server"
ns "$MP_S" "$IP_BIN" route show | sed 's/^/  s route: /'

# c2 can still talk from its own address; the drop counter stays still.
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
mp_ping_ok c2 "$MP_SRV_VPN"
assert_eq "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" "$d0" "server rx_dropped after c2's genuine pings"

# c2 spoofs sources: each echo request arrives, decrypts and is dropped.
spoof() { # SRC WHAT
	local src=$1 what=$2 d r l
	ns c2 "$IP_BIN" addr add "$src/32" dev lo || fail "addr $src on c2's lo"
	d=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
	r=$(mp_srv_peer 2 vpn_rx_packets)
	l=$(mp_srv_peer 2 link_rx_packets)
	mp_ping_fails c2 "$MP_SRV_VPN" -I "$src"
	assert_ge "$(mp_srv_peer 2 link_rx_packets)" $((l + 3)) "peer 2 link_rx_packets: the spoofed ($what) packets reached the server"
	assert_eq "$(mp_srv_peer 2 vpn_rx_packets)" "$r" "peer 2 vpn_rx_packets: spoofed source $src ($what) delivered"
	assert_ge "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" $((d + 3)) "server rx_dropped after 3 packets from $src ($what)"
	ns c2 "$IP_BIN" addr del "$src/32" dev lo
	log "spoofed source $src ($what) from c2: dropped"
}
spoof 10.20.0.5 "an address of c1's LAN"
spoof "$(mp_vpn4 1)" "c1's VPN address"
spoof 10.8.0.99 "a VPN address of no peer"

# RX: c1's packets from its LAN are accepted, since that network is routed
# via c1 (whether they are answered depends on TX, checked next).
r1=$(mp_srv_peer 1 vpn_rx_packets)
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
nst 15 c1 /usr/bin/ping -c 3 -i 0.3 -W 1 -I "$LAN_IP" "$MP_SRV_VPN" >/dev/null 2>&1
assert_ge "$(mp_srv_peer 1 vpn_rx_packets)" $((r1 + 3)) "peer 1 vpn_rx_packets: packets from $LAN_IP (c1's LAN) accepted"
assert_eq "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" "$d0" "server rx_dropped after c1's packets from its LAN"
log "c1's packets from $LAN_IP accepted"

# The server reaches the LAN behind c1, through peer 1 only (checked last:
# the source checks above do not depend on it).
tx1=$(mp_srv_peer 1 vpn_tx_packets)
tx2=$(mp_srv_peer 2 vpn_tx_packets)
rx1=$(mp_srv_peer 1 vpn_rx_packets)
td0=$(dev_stat "$MP_S" "$MP_DEV" tx_dropped)
if ! out=$(nst 15 "$MP_S" /usr/bin/ping -c 3 -i 0.3 -w 8 "$LAN_IP" 2>&1); then
	fail "ping $LAN_IP (route via $(mp_vpn4 1)) from s failed: $(printf '%s\n' "$out" | grep 'packets transmitted');" \
		"server $MP_DEV tx_dropped +$(( $(dev_stat "$MP_S" "$MP_DEV" tx_dropped) - td0 )), peer 1 vpn_tx_packets +$(( $(mp_srv_peer 1 vpn_tx_packets) - tx1 ))," \
		"peer 2 vpn_tx_packets +$(( $(mp_srv_peer 2 vpn_tx_packets) - tx2 )): TX did not pick the route's nexthop"
fi
log "ping $LAN_IP from s: $(printf '%s\n' "$out" | grep 'packets transmitted')"
assert_ge "$(mp_srv_peer 1 vpn_tx_packets)" $((tx1 + 3)) "peer 1 vpn_tx_packets while pinging $LAN_IP"
assert_ge "$(mp_srv_peer 1 vpn_rx_packets)" $((rx1 + 3)) "peer 1 vpn_rx_packets (replies from $LAN_IP accepted)"
assert_eq "$(mp_srv_peer 2 vpn_tx_packets)" "$tx2" "peer 2 vpn_tx_packets while pinging $LAN_IP"
# and c1 can talk from its LAN address too
mp_ping_ok c1 "$MP_SRV_VPN" -I "$LAN_IP"

# Nothing of it disturbed the genuine traffic.
mp_ping_ok c2 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$LAN_IP"
mp_ping_ok "$MP_S" "$(mp_vpn4 2)"

mp_show_peers
for i in 1 2; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: iroute and inner source check"
