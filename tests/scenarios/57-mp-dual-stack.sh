#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# One dual-stack socket for IPv4 and IPv6 peers: the server's new_multi_peer
# --ipv6 binds [::]:1194 (IPV6_V6ONLY off) and hands that one socket over for
# c1, reached over IPv4 (192.168.101.2), and c2, reached over IPv6
# (fd00:102::2). Both tunnels carry traffic both ways, GET_PEER shows each
# remote in its family, and the server holds exactly one UDP socket.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

MP_UNDERLAY6[2]=1
MP_SRV_OPTS=--ipv6
mp_setup 1 2
mp_show_peers

assert_eq "$(mp_srv_peer 1 remote)" "192.168.101.2:$MP_PORT" "peer 1 remote (IPv4)"
assert_eq "$(mp_srv_peer 2 remote)" "[fd00:102::2]:$MP_PORT" "peer 2 remote (IPv6)"
for i in 1 2; do
	assert_eq "$(mp_srv_peer "$i" local_port)" "$MP_PORT" "peer $i local_port"
done
socks=$(ns "$MP_S" /usr/bin/ss -Huan "sport = :$MP_PORT")
echo "$socks" | sed 's/^/  s socket: /'
assert_eq "$(printf '%s\n' "$socks" | grep -c .)" 1 "UDP sockets bound to port $MP_PORT in s"
assert_match "$socks" "(\[::\]|\*):$MP_PORT" "the server's socket is bound to [::]"

for i in 1 2; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done
for i in 1 2; do
	for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
		assert_ge "$(mp_srv_peer "$i" $k)" 6 "peer $i $k"
	done
done

for i in 1 2; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: one dual-stack socket for IPv4 and IPv6 peers"
