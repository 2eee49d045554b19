#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# IPv6 inside a multi-peer tunnel: server fd00:8::1/64, clients c1 and c2
# with --vpn-ip6 on the one-shot and vpn-ipv6 in the server's peers file.
# ping -6 both ways works, and traffic for one client's IPv6 address never
# reaches the other (the out-of-tree reference looks IPv6 peers up by hash
# only and can hand a packet to the wrong peer). The two client addresses,
# fd00:8::2 and fd00:8::2:0:0, have the same ipv6_addr_hash() (the XOR of
# the four 32-bit words), so they share a hash bucket whatever its size:
# only comparing the addresses tells them apart.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

MP_WITH_V6=1
MP_VPN6[1]=fd00:8::2
MP_VPN6[2]=fd00:8::2:0:0
mp_setup 1 2
mp_show_peers

for i in 1 2; do
	assert_eq "$(mp_srv_peer "$i" vpn_ipv6)" "$(mp_vpn6 "$i")" "peer $i vpn_ipv6"
	assert_eq "$(mp_srv_peer "$i" vpn_ipv4)" "$(mp_vpn4 "$i")" "peer $i vpn_ipv4"
done

# Clients reach the server over IPv6 (and IPv4 still works).
for i in 1 2; do
	mp_ping_ok "c$i" "$MP_SRV_VPN6" -6
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done

# The server reaches each client over IPv6; only that client sees it.
# Repeat in both orders: whichever peer sits first in the shared bucket,
# the other one must still get its own packets.
for round in 1 2; do
	for i in 1 2; do
		declare -A tx0=() crx0=()
		for j in 1 2; do
			tx0[$j]=$(mp_srv_peer "$j" vpn_tx_packets)
			crx0[$j]=$(dev_stat "c$j" "$OVPN_DEV" rx_packets)
		done
		mp_ping_ok "$MP_S" "$(mp_vpn6 "$i")" -6
		for j in 1 2; do
			tx=$(mp_srv_peer "$j" vpn_tx_packets)
			crx=$(dev_stat "c$j" "$OVPN_DEV" rx_packets)
			if [ "$j" = "$i" ]; then
				assert_ge "$tx" $((tx0[$j] + 3)) "server peer $j vpn_tx_packets while pinging $(mp_vpn6 "$i")"
				assert_ge "$crx" $((crx0[$j] + 3)) "c$j $OVPN_DEV rx_packets while the server pings it"
			else
				# the reference's defect: client $i's packets at client $j
				assert_eq "$tx" "${tx0[$j]}" "server peer $j vpn_tx_packets while pinging $(mp_vpn6 "$i") (IPv6 peer lookup picked the wrong peer)"
				assert_eq "$crx" "${crx0[$j]}" "c$j $OVPN_DEV rx_packets while the server pings $(mp_vpn6 "$i") (traffic for client $i reached client $j)"
			fi
		done
		log "round $round: server -> $(mp_vpn6 "$i"): only peer $i moved"
	done
done

# An address of the subnet that no peer has: the server cannot send it
# anywhere (no peer), and no client sees anything.
crx1=$(dev_stat c1 "$OVPN_DEV" rx_packets)
crx2=$(dev_stat c2 "$OVPN_DEV" rx_packets)
mp_ping_fails "$MP_S" fd00:8::99 -6
assert_eq "$(dev_stat c1 "$OVPN_DEV" rx_packets)" "$crx1" "c1 rx_packets after pinging an address of no peer"
assert_eq "$(dev_stat c2 "$OVPN_DEV" rx_packets)" "$crx2" "c2 rx_packets after pinging an address of no peer"

mp_show_peers
for i in 1 2; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: IPv6 inside a multi-peer tunnel"
