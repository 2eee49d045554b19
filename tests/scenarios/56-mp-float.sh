#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Float in multi-peer mode: clients c1 c2 c3 (sockets bound to 0.0.0.0);
# c1's underlay address changes from 192.168.101.2 to 192.168.101.12 while
# it keeps pinging the server. The server's peer 1 follows it (FLOAT_PEER
# ifindex <s> peer_id 1 remote 192.168.101.12:1194 on listen_mcast, GET_PEER
# shows the new remote), the server reaches c1 at its new address, and the
# other peers keep their addresses and work.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

require_module
require_cli
MP_NO_IPV6=1
MP_CLI_ANY=1
C1_NEW=192.168.101.12
mp_underlay 1 2 3
mp_keys 1 2 3
ns c1 /usr/sbin/sysctl -qw net.ipv4.conf.vc.promote_secondaries=1 ||
	fail "promote_secondaries on c1's vc"
mcast_start mc "$MP_S"
mp_server 1 2 3
for i in 1 2 3; do
	mp_client "$i" --quiet
done
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")
for i in 1 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
done
if grep -q FLOAT_PEER "$(bg_log mc)"; then
	fail "FLOAT_PEER before any move: $(cat "$(bg_log mc)")"
fi

# c1 moves while pinging.
bg pinger c1 /usr/bin/ping -i 0.2 -W 1 -w 25 -c 100 "$MP_SRV_VPN"
sleep 1
ns c1 "$IP_BIN" addr add "$C1_NEW/24" dev vc || fail "addr add $C1_NEW in c1"
ns c1 "$IP_BIN" addr del "$(mp_cli_ip 1)/24" dev vc || fail "addr del $(mp_cli_ip 1) in c1"
ns c1 "$IP_BIN" -4 -br addr show dev vc | sed 's/^/  c1: /'

wait_log mc "^FLOAT_PEER ifindex $ifidx peer_id 1 remote $C1_NEW:$MP_PORT\$" 10
assert_eq "$(mp_srv_peer 1 remote)" "$C1_NEW:$MP_PORT" "server peer 1 remote after the move"
for i in 2 3; do
	assert_eq "$(mp_srv_peer "$i" remote)" "$(mp_cli_ip "$i"):$MP_PORT" "server peer $i remote"
done

# Both directions work at the new address; the others are unaffected.
mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"
bg_stop pinger INT 5
echo "c1's pinger during the move: $(grep 'packets transmitted' "$(bg_log pinger)")"
for i in 2 3; do
	mp_ping_ok "c$i" "$MP_SRV_VPN"
	mp_ping_ok "$MP_S" "$(mp_vpn4 "$i")"
done

sleep 1
echo "listen_mcast in s:"
sed 's/^/  /' "$(bg_log mc)"
assert_eq "$(grep -c '^FLOAT_PEER' "$(bg_log mc)")" 1 "FLOAT_PEER notifications on the server"
if grep -q '^DEL_PEER' "$(bg_log mc)"; then
	fail "a peer was deleted: $(cat "$(bg_log mc)")"
fi
mp_show_peers

for i in 1 2 3; do
	bg_stop "tun-c$i" TERM 10
	assert_eq "$?" 0 "one-shot exit status on SIGTERM (c$i)"
done
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: multi-peer float"
