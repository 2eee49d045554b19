#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The upstream "ovpn" family on a multi-peer server device of kind ovpn,
# with three clients of kind ovpn (P2P) in the other host: one over UDP and
# IPv4, one over TCP, one over UDP and IPv6. What a server daemon sees:
# - the server picks each client by its VPN address (ping to each);
# - PEER_GET dump lists the three, a TCP peer without remote address (its
#   socket's), PEER_NEW refuses a duplicate id (EEXIST) and a peer without
#   a VPN address (EINVAL);
# - closing the server's TCP socket (its holder killed) removes that peer
#   with TRANSPORT_DISCONNECT, and the client's end is removed too (its
#   stream ended);
# - a client that goes silent expires on the server (EXPIRED);
# - KEY_SWAP on the server with an empty secondary slot stops that client's
#   traffic, a second swap brings it back.
# timeout: 150
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts

SRV=srv0
SRV_VPN=10.86.0.1
P_UDP=1300 P_TCP=1301 P_UDP6=1302

mcast_start mc-a "$A" --family ovpn
mcast_start mc-b "$B" --family ovpn

cli_ok "$A" new_iface "$SRV" mp --kind ovpn
ip -n "$A" addr add "$SRV_VPN/24" dev "$SRV" || fail "ip addr add on $SRV"
ip -n "$A" link set "$SRV" up || fail "link set $SRV up"
wait_link_up "$A" "$SRV"
ifa=$(ifindex_of "$A" "$SRV")

# client DEV ID VPN_IP: a P2P device of kind ovpn in b whose replies to the
# server go back through it (one routing table per client)
client_dev() {
	local dev=$1 id=$2 vpn=$3 table=$((100 + $2))
	cli_ok "$B" new_iface "$dev" p2p --kind ovpn
	"$IP_BIN" -n "$B" -batch - <<-EOF || fail "cannot set up $dev in b"
		addr add $vpn/32 dev $dev
		link set $dev up
		route add $SRV_VPN dev $dev table $table
		rule add from $vpn table $table
	EOF
}
keys() { # NS DEV ID DIRECTION
	cli_ok "$1" "$2" new_key "$3" primary 0 aes-256-gcm "$4" "$KEYS/sample.key" --raw-key
}

# client 10: UDP over IPv4
client_dev c10 10 10.86.0.10
cli_ok "$A" "$SRV" new_peer 10 "$P_UDP" "$B_IP" "$P_UDP" 10.86.0.10
cli_ok "$B" c10 new_peer 10 "$P_UDP" "$A_IP" "$P_UDP"
keys "$A" "$SRV" 10 0
keys "$B" c10 10 1

# client 11: TCP (the server listens, the client connects)
client_dev c11 11 10.86.0.11
bg srv-tcp "$A" "$OVPN_CLI" "$SRV" new_peer 11 "$P_TCP" "$B_IP" 0 10.86.0.11 --tcp listen \
	--pid-file "$LOGDIR/srv-tcp-holder.pid"
wait_for "ns $A /usr/bin/ss -Htln 'sport = :$P_TCP' | grepq ." 10 || fail "the server does not listen on $P_TCP"
cli_ok "$B" c11 new_peer 11 0 "$A_IP" "$P_TCP" --tcp connect
bg_wait srv-tcp 15 || fail "the server's TCP new_peer failed: $(cat "$(bg_log srv-tcp)")"
keys "$A" "$SRV" 11 0
keys "$B" c11 11 1

# client 12: UDP over IPv6
client_dev c12 12 10.86.0.12
cli_ok "$A" "$SRV" new_peer 12 "$P_UDP6" "$B_IP6" "$P_UDP6" 10.86.0.12
cli_ok "$B" c12 new_peer 12 "$P_UDP6" "$A_IP6" "$P_UDP6"
keys "$A" "$SRV" 12 0
keys "$B" c12 12 1

for id in 10 11 12; do
	ping_ok "$A" "10.86.0.$id"
done
ns "$B" /usr/bin/ping -c 3 -i 0.3 -w 8 -I 10.86.0.11 "$SRV_VPN" >/dev/null ||
	fail "ping from client 11 to the server"

# the dump, and what a TCP peer says of its addresses
cli_ok "$A" "$SRV" get_peer
d=$CLI_OUT
assert_eq "$(printf '%s\n' "$d" | grep -c '^peer_id ')" 3 "peers in the server's dump"
for id in 10 11 12; do
	printf '%s\n' "$d" | grepq -x "peer_id $id" || fail "peer $id missing from the dump: $d"
done
cli_ok "$A" "$SRV" get_peer 11
printf '%s\n' "$CLI_OUT" | sed 's/^/  get_peer 11: /'
printf '%s\n' "$CLI_OUT" | grepq '^remote ' && fail "a TCP peer's reply names a remote: $CLI_OUT"
assert_eq "$(kv_field "$CLI_OUT" vpn_ipv4)" 10.86.0.11 "TCP peer's VPN address"
assert_eq "$(kv_field "$CLI_OUT" local_port)" "$P_TCP" "TCP peer's local port"
assert_ge "$(kv_field "$CLI_OUT" vpn_rx_packets)" 3 "TCP peer's vpn_rx_packets"
cli_ok "$A" "$SRV" get_peer 12
assert_eq "$(kv_field "$CLI_OUT" remote)" "[$B_IP6]:$P_UDP6" "IPv6 peer's remote"

# MP refusals
cli_refused "$A" 17 "$SRV" new_peer 10 $((P_UDP + 10)) "$B_IP" $((P_UDP + 10)) 10.86.0.99
cli_refused "$A" 22 "$SRV" new_peer 13 $((P_UDP + 11)) "$B_IP" $((P_UDP + 11))

# KEY_SWAP with an empty secondary slot: client 10's traffic stops, comes back
cli_ok "$A" "$SRV" swap_keys 10
ping_fails "$A" 10.86.0.10
cli_ok "$A" "$SRV" swap_keys 10
ping_ok "$A" 10.86.0.10

# the server closes the TCP socket: both ends lose the peer
holder=$(cat "$LOGDIR/srv-tcp-holder.pid") || fail "no pid file of the server's TCP holder"
kill "$holder" || fail "cannot kill the server's TCP holder $holder"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 11 reason TRANSPORT_DISCONNECT\$" 5
ifc11=$(ifindex_of "$B" c11)
wait_log mc-b "^PEER_DEL_NTF ifindex $ifc11 peer_id 11 reason TRANSPORT_DISCONNECT\$" 5
cli_refused "$A" 2 "$SRV" get_peer 11
ping_ok "$A" 10.86.0.10

# a silent client expires on the server
cli_ok "$A" "$SRV" set_peer 12 1 3
cli_ok "$B" del_iface c12
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 12 reason EXPIRED\$" "$(slow_secs 10)"
cli_refused "$A" 2 "$SRV" get_peer 12

ping_ok "$A" 10.86.0.10
cli_ok "$A" del_iface "$SRV"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 10 reason TEARDOWN\$" 5
for d in c10 c11; do
	cli_ok "$B" del_iface "$d"
done
echo "ok: the ovpn family on a multi-peer server, over UDP, TCP and IPv6"
