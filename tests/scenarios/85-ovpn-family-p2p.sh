#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The upstream "ovpn" family (OpenVPN 2.7's) on P2P devices of kind ovpn,
# driven by ovpn-cli one request at a time as OpenVPN 2.7 sends them, with
# an ovpn-dco (v2) tunnel running beside it in the same hosts:
# - kind ovpn: MTU 1416, carrier off until a peer exists;
# - PEER_NEW/KEY_NEW/PEER_SET, traffic, PEER_GET (do and dump: TX_ID, the
#   keepalive, counters), KEY_GET (never the key), KEY_SWAP, KEY_DEL;
# - both families at once, each refusing the other's device (EINVAL);
# - PEER_DEL_NTF with each reason a daemon sees here: TRANSPORT_DISCONNECT
#   when the socket's holder is killed (the peer follows its socket: the
#   port is released, the carrier drops), TEARDOWN when a new PEER_NEW
#   replaces the P2P peer, USERSPACE for PEER_DEL, TEARDOWN for the peers
#   of a deleted device; the v2 tunnel carries traffic throughout;
# - a peer added without a local address learns it from received packets.
# timeout: 240
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts

UP=ovpn0	# kind ovpn, the upstream family
V2=dco0		# kind ovpn-dco, ovpn-dco-v2
UP_PORT=1195
A_UP=10.85.0.1 B_UP=10.85.0.2

port_bound() { # NS PORT
	ns "$1" /usr/bin/ss -Huln "sport = :$2" | grepq .
}
carrier() { # NS DEV
	ns "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null
}

mcast_start mc-a "$A" --family ovpn
mcast_start mc-b "$B" --family ovpn
mcast_start mc-v2-a "$A"

# ---- the v2 tunnel (ovpn-dco-v2), kept running through the whole scenario
v2_side() { # NS LOCAL_VPN REMOTE_IP DIRECTION
	cli_ok "$1" new_iface "$V2"
	cli_ok "$1" "$V2" new_peer 0 "$PORT" "$3" "$PORT"
	cli_ok "$1" "$V2" new_key 0 primary 0 aes-256-gcm "$4" "$KEYS/sample.key" --raw-key
	cli_ok "$1" "$V2" start_vpn
	ip -n "$1" addr add "$2/24" dev "$V2" || fail "ip addr add $2 in $1"
	wait_link_up "$1" "$V2"
}
v2_side "$A" "$A_VPN" "$B_IP" 0
v2_side "$B" "$B_VPN" "$A_IP" 1
ping_ok "$A" "$B_VPN"

# ---- the ovpn family's P2P tunnel
up_side() { # NS LOCAL_VPN REMOTE_IP DIRECTION
	local n=$1
	cli_ok "$n" new_iface "$UP" p2p --kind ovpn
	ns "$n" "$IP_BIN" -d link show "$UP" | grepq '^ *ovpn ' ||
		fail "$UP in $n is not of kind ovpn: $(ns "$n" "$IP_BIN" -d link show "$UP")"
	assert_eq "$(ns "$n" cat "/sys/class/net/$UP/mtu")" 1416 "default MTU of a kind ovpn device in $n"
	ip -n "$n" link set "$UP" up || fail "link set up in $n"
	assert_eq "$(carrier "$n" "$UP")" 0 "carrier of $UP in $n before any peer"
	cli_ok "$n" "$UP" new_peer 1 "$UP_PORT" "$3" "$UP_PORT" --pid-file "$LOGDIR/holder-$n.pid"
	assert_eq "$(carrier "$n" "$UP")" 1 "carrier of $UP in $n with a peer"
	cli_ok "$n" "$UP" new_key 1 primary 3 aes-256-gcm "$4" "$KEYS/sample.key" --raw-key
	cli_ok "$n" "$UP" set_peer 1 7 70
	ip -n "$n" addr add "$2/24" dev "$UP" || fail "ip addr add $2 in $n"
	wait_link_up "$n" "$UP"
}
up_side "$A" "$A_UP" "$B_IP" 0
up_side "$B" "$B_UP" "$A_IP" 1
ifa=$(ifindex_of "$A" "$UP")
ifb=$(ifindex_of "$B" "$UP")

ping_ok "$A" "$B_UP"
ping_ok "$B" "$A_UP"
ping_ok "$A" "$B_VPN"

# PEER_GET, do and dump
cli_ok "$A" "$UP" get_peer 1
p=$CLI_OUT
printf '%s\n' "$p" | sed 's/^/  get_peer 1: /'
assert_eq "$(kv_field "$p" peer_id)" 1 "peer_id"
assert_eq "$(kv_field "$p" tx_id)" 1 "tx_id (the id unless TX_ID was given)"
assert_eq "$(kv_field "$p" remote)" "$B_IP:$UP_PORT" "remote"
assert_eq "$(kv_field "$p" local_port)" "$UP_PORT" "local_port"
# added without a local address: learnt from what b's packets were sent to
assert_eq "$(kv_field "$p" local_ip)" "$A_IP" "local_ip learnt from received packets"
assert_eq "$(kv_field "$p" keepalive_interval)" 7 "keepalive_interval"
assert_eq "$(kv_field "$p" keepalive_timeout)" 70 "keepalive_timeout"
assert_ge "$(kv_field "$p" vpn_tx_packets)" 3 "vpn_tx_packets"
assert_ge "$(kv_field "$p" vpn_rx_packets)" 3 "vpn_rx_packets"
assert_ge "$(kv_field "$p" link_rx_packets)" 3 "link_rx_packets"
assert_gt "$(kv_field "$p" link_tx_bytes)" "$(kv_field "$p" vpn_tx_bytes)" "link bytes above VPN bytes"
cli_ok "$A" "$UP" get_peer
assert_eq "$(printf '%s\n' "$CLI_OUT" | grep -c '^peer_id ')" 1 "peers in a P2P dump"

# KEY_GET shows the slot, never the key; KEY_SWAP and KEY_DEL
cli_ok "$A" "$UP" get_key 1 primary
printf '%s\n' "$CLI_OUT" | sed 's/^/  get_key: /'
assert_eq "$(kv_field "$CLI_OUT" key_id)" 3 "primary key id"
assert_eq "$(kv_field "$CLI_OUT" cipher)" aes-gcm "primary cipher"
printf '%s\n' "$CLI_OUT" | grepq -iE 'key [0-9a-f]{16}|nonce' && fail "get_key printed key material: $CLI_OUT"
cli_refused "$A" 2 "$UP" get_key 1 secondary
cli_ok "$A" "$UP" swap_keys 1
cli_ok "$A" "$UP" get_key 1 secondary
assert_eq "$(kv_field "$CLI_OUT" key_id)" 3 "secondary key id after the swap"
cli_refused "$A" 2 "$UP" get_key 1 primary
ping_fails "$A" "$B_UP"
cli_ok "$A" "$UP" swap_keys 1
ping_ok "$A" "$B_UP"
cli_ok "$A" "$UP" del_key 1 secondary
cli_ok "$A" "$UP" get_key 1 primary

# each family refuses the other's device
cli_refused "$A" 22 --family ovpn-dco-v2 "$UP" get_peer 1
assert_match "$CLI_MSG" "ovpn" "extack of a v2 request at a kind ovpn device"
cli_refused "$A" 22 --family ovpn "$V2" get_peer 0
assert_match "$CLI_MSG" "ovpn-dco" "extack of an ovpn request at a kind ovpn-dco device"
cli_refused "$A" 2 "$UP" get_peer 9
cli_refused "$A" 2 "$UP" del_peer 9

# both tunnels at once
v2_tx=$(dev_stat "$A" "$V2" tx_packets)
up_tx=$(dev_stat "$A" "$UP" tx_packets)
bg pv2 "$A" /usr/bin/ping -c 40 -i 0.05 -w 15 "$B_VPN"
bg pup "$A" /usr/bin/ping -c 40 -i 0.05 -w 15 "$B_UP"
bg_wait pv2 20 || fail "pings through $V2 during pings through $UP: $(tail -n 2 "$(bg_log pv2)")"
bg_wait pup 20 || fail "pings through $UP during pings through $V2: $(tail -n 2 "$(bg_log pup)")"
assert_ge "$(dev_stat "$A" "$V2" tx_packets)" $((v2_tx + 40)) "$V2 tx_packets"
assert_ge "$(dev_stat "$A" "$UP" tx_packets)" $((up_tx + 40)) "$UP tx_packets"

# the peer follows its socket: killing the holder closes it
holder=$(cat "$LOGDIR/holder-$A.pid") || fail "no holder pid file for a"
kill -0 "$holder" 2>/dev/null || fail "a's socket holder ($holder) is not running"
port_bound "$A" "$UP_PORT" || fail "UDP port $UP_PORT not bound in a"
kill "$holder"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 1 reason TRANSPORT_DISCONNECT\$" 5
wait_for "! port_bound $A $UP_PORT" 5 || fail "UDP port $UP_PORT still bound in a after its socket was closed"
assert_eq "$(carrier "$A" "$UP")" 0 "carrier of a's $UP once its peer is gone"
cli_refused "$A" 2 "$UP" get_peer 1
ping_fails "$A" "$B_UP"
ping_ok "$A" "$B_VPN"

# P2P replacement: reported as TEARDOWN (v2 says USERSPACE)
cli_ok "$B" "$UP" new_peer 2 $((UP_PORT + 1)) "$A_IP" "$UP_PORT"
wait_log mc-b "^PEER_DEL_NTF ifindex $ifb peer_id 1 reason TEARDOWN\$" 5
peer_exists "$B" "$UP" 2 || fail "b's replacing peer 2 is missing"
cli_refused "$B" 2 "$UP" get_peer 1
wait_for "! port_bound $B $UP_PORT" 5 || fail "b's first socket still bound after its peer was replaced (holder did not exit)"

# PEER_DEL: USERSPACE; the holder then exits by itself
cli_ok "$B" "$UP" new_key 2 primary 1 chacha20-poly1305 1 "$KEYS/sample.key" --raw-key
cli_ok "$B" "$UP" get_key 2
assert_eq "$(kv_field "$CLI_OUT" cipher)" chacha20-poly1305 "cipher of b's second peer"
cli_ok "$B" "$UP" del_peer 2
wait_log mc-b "^PEER_DEL_NTF ifindex $ifb peer_id 2 reason USERSPACE\$" 5
wait_for "! port_bound $B $((UP_PORT + 1))" 8 || fail "b's second socket still bound after PEER_DEL"

# a device deleted with a peer: TEARDOWN
cli_ok "$A" "$UP" new_peer 5 "$UP_PORT" "$B_IP" "$UP_PORT"
cli_ok "$A" del_iface "$UP"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 5 reason TEARDOWN\$" 5
wait_for "! port_bound $A $UP_PORT" 8 || fail "a's socket still bound after its device was deleted"

# no v2 notification came from any of it, and the v2 tunnel still runs
grepq . "$(bg_log mc-v2-a)" && fail "listen_mcast (ovpn-dco-v2) saw: $(cat "$(bg_log mc-v2-a)")"
ping_ok "$A" "$B_VPN"
peer_still_there "$A" "$V2" 0 || fail "a's v2 peer is gone"
cli_ok "$A" del_iface "$V2"
cli_ok "$B" del_iface "$V2"
cli_ok "$B" del_iface "$UP"
echo "ok: the ovpn family on P2P devices, beside ovpn-dco-v2"
