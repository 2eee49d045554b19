#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A data packet is only taken on its peer's own socket (review B1): an MP
# device in s holds three UDP sockets, 0.0.0.0:1194 (c1's peer 1, the
# others' peers are placeholders), [::]:1195 and 0.0.0.0:1196. Authentic
# data packets of peer 1 (dataforge, c1's key) are sent from c1
#   1. from [fd00:101::2]:5555 to the IPv6 socket [fd00:101::1]:1195: taken,
#      peer 1 would float to an IPv6 address its IPv4 socket cannot send to,
#      and the echo reply would crash in the IPv6 route lookup (an IPv4
#      socket has no IPv6 state);
#   2. from 192.168.101.2:5556 to the other IPv4 socket, port 1196: taken,
#      peer 1 would float to a source port only that socket talks to, while
#      its packets keep leaving from port 1194.
# Each must be dropped and counted (rx_dropped + 1), with no FLOAT_PEER, no
# change of peer 1's remote or vpn_rx_packets, and c1's tunnel must work
# both ways afterwards. Control: the same kind of packet sent to peer 1's
# own socket from a new port is taken (dataforge gets the echo reply) and
# floats the peer there, so the packets above were refused for the socket,
# not for their contents.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

DATAFORGE=$TOOLS/dataforge
[ -x "$DATAFORGE" ] || fail "$DATAFORGE missing (make -C tests/tools)"
require_module
require_cli
mp_underlay 1
# no IPv6 on the tunnel devices: no router solicitation through the
# tunnel may move the drop counter
mp_no_ipv6 "$MP_S" c1
mp_keys 1
mcast_start mc "$MP_S"
mp_server 1
mp_client 1 --quiet
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")

# two more sockets on the same device, each with a placeholder peer
printf '9 fd00:101::99 1194 10.8.0.99\n' >"$LOGDIR/peers6"
out=$(cli "$MP_S" "$MP_DEV" new_multi_peer 1195 "$LOGDIR/peers6" --ipv6 2>&1) ||
	fail "new_multi_peer on [::]:1195: $out"
printf '8 192.168.101.98 1194 10.8.0.98\n' >"$LOGDIR/peers4"
out=$(cli "$MP_S" "$MP_DEV" new_multi_peer 1196 "$LOGDIR/peers4" 2>&1) ||
	fail "new_multi_peer on 0.0.0.0:1196: $out"
ns "$MP_S" /usr/bin/ss -Huan | sed 's/^/  s socket: /'
mp_show_peers

mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"
remote=$(mp_cli_remote 1)
assert_eq "$(mp_srv_peer 1 remote)" "$remote" "peer 1 remote before"

# forge PORT_FROM SRC DST DST_PORT PKTID [dataforge options]: an authentic
# echo request of c1 (peer 1) to the server
forge() {
	local sport=$1 src=$2 dst=$3 dport=$4 id=$5
	shift 5
	nst 15 c1 "$DATAFORGE" "$(mp_key 1)" 1 "$src" "$sport" "$dst" "$dport" \
		1 "$id" "$(mp_vpn4 1)" "$MP_SRV_VPN" "$@" 2>&1
}

# wrong_socket WHAT OUTPUT: the forged packet was dropped and counted,
# nothing about peer 1 changed
wrong_socket() {
	local what=$1
	echo "  $2"
	wait_for "[ \"\$(dev_stat $MP_S $MP_DEV rx_dropped)\" -gt $d0 ]" 3 0.1 ||
		fail "$what: not counted in rx_dropped (still $d0)"
	sleep 0.5
	assert_eq "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" $((d0 + 1)) "$what: rx_dropped"
	assert_eq "$(mp_srv_peer 1 vpn_rx_packets)" "$v0" "$what: peer 1 vpn_rx_packets"
	assert_eq "$(mp_srv_peer 1 remote)" "$remote" "$what: peer 1 remote"
	if grep -q '^FLOAT_PEER' "$(bg_log mc)"; then
		fail "$what: peer 1 floated: $(cat "$(bg_log mc)")"
	fi
}

echo "== 1. peer 1's packet (IPv4 socket) to the IPv6 socket, from IPv6"
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
v0=$(mp_srv_peer 1 vpn_rx_packets)
out=$(forge 5555 fd00:101::2 fd00:101::1 1195 100000 --wait 2)
wrong_socket "a packet on the IPv6 socket" "$out"
assert_match "$out" "no reply" "no answer to the packet on the IPv6 socket"
mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"

echo "== 2. peer 1's packet to the other IPv4 socket (port 1196), from port 5556"
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
v0=$(mp_srv_peer 1 vpn_rx_packets)
out=$(forge 5556 "$(mp_cli_ip 1)" "$(mp_srv_ip 1)" 1196 100001 --wait 2)
wrong_socket "a packet on the other IPv4 socket" "$out"
assert_match "$out" "no reply" "no answer to the packet on the other IPv4 socket"
mp_ping_ok c1 "$MP_SRV_VPN"
mp_ping_ok "$MP_S" "$(mp_vpn4 1)"

echo "== control: the same kind of packet to peer 1's own socket, from port 5557"
out=$(forge 5557 "$(mp_cli_ip 1)" "$(mp_srv_ip 1)" "$MP_PORT" 100002 --wait 5) ||
	fail "no answer to an authentic packet on peer 1's own socket: $out"
echo "$out" | sed 's/^/  /'
assert_match "$out" "reply from $(mp_srv_ip 1):$MP_PORT peer-id 1 " "the echo reply, from peer 1's socket"
# (c1's next keepalive, from port 1194, floats it back)
wait_log mc "^FLOAT_PEER ifindex $ifidx peer_id 1 remote $(mp_cli_ip 1):5557\$" 5

bg_stop tun-c1 TERM 10
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: data packets are taken only on their peer's socket"
