#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The undefined peer id (0xFFFFFF): a data packet that carries it is matched
# to a peer by its transport source address. The clients here are
# tests/tools/dataforge, which sends one hand-made data packet (an ICMP echo
# request to the server, AES-256-GCM with the client's key) and waits for the
# encrypted echo reply. On a multi-peer server with peers 1 and 2:
# - peer id 1 from c1's address (the tool's sanity check): answered;
# - 0xFFFFFF from c1's address, and from c2's with c2's key: answered, each
#   by its own peer;
# - 0xFFFFFF from an address of no peer (c1, another port): dropped;
# - 0xFFFFFF from c2's address with c1's key: matched to peer 2, fails
#   authentication, dropped, and peer 2 does not float;
# - after peer 1 floats to a new port (an authentic packet with id 1 from
#   there), 0xFFFFFF from the new port is answered and from the old one
#   dropped; a replayed packet id is dropped.
# timeout: 120
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/mp.sh"

require_module
require_cli
FORGE=$TOOLS/dataforge
[ -x "$FORGE" ] || fail "$FORGE missing (make -C tests/tools)"
MP_NO_IPV6=1
mp_underlay 1 2
mp_keys 1 2
mcast_start mc "$MP_S"
mp_server 1 2
ifidx=$(mp_ifindex "$MP_S" "$MP_DEV")

# forge N KEY_OF PORT PEER_ID PKTID [INNER_SRC]: from client N's address and
# PORT, with client KEY_OF's key (direction 1), to the server; waits 2 s for
# the reply. Output in FORGE_OUT, status returned.
FORGE_OUT=""
forge() {
	local n=$1 k=$2 port=$3 id=$4 pktid=$5 src=${6:-$(mp_vpn4 "$1")} rc
	FORGE_OUT=$(nst 15 "c$n" "$FORGE" "$(mp_key "$k")" 1 "$(mp_cli_ip "$n")" "$port" \
		"$(mp_srv_ip "$n")" "$MP_PORT" "$id" "$pktid" "$src" "$MP_SRV_VPN" --wait 2 2>&1)
	rc=$?
	printf '%s\n' "$FORGE_OUT" | sed "s/^/  c$n dataforge: /"
	return $rc
}
answered() { # WHAT N PORT ...forge args
	local what=$1 n=$2
	shift 2
	forge "$n" "$@" || fail "$what: no echo reply: $FORGE_OUT"
	assert_match "$FORGE_OUT" "reply from $(mp_srv_ip "$n"):$MP_PORT peer-id $1 key-id 0 packet-id [0-9]+ inner $MP_SRV_VPN -> $(mp_vpn4 "$n") proto 1 icmp-type 0" \
		"$what: the echo reply"
	log "$what: answered"
}
dropped() { # WHAT ...forge args
	local what=$1
	shift
	if forge "$@"; then
		fail "$what: answered although it must be dropped: $FORGE_OUT"
	fi
	assert_match "$FORGE_OUT" "no reply" "$what"
	if printf '%s\n' "$FORGE_OUT" | grepq '^reply'; then
		fail "$what: got a reply: $FORGE_OUT"
	fi
	log "$what: dropped"
}
rx() { mp_srv_peer "$1" vpn_rx_packets; }
lrx() { mp_srv_peer "$1" link_rx_packets; }

# Explicit peer id: the tool speaks the wire format.
answered "peer id 1 from c1" 1 1 "$MP_PORT" 1 1
assert_eq "$(rx 1)" 1 "peer 1 vpn_rx_packets"

# Undefined peer id from c1's address: peer 1.
answered "0xFFFFFF from c1 (peer 1's address)" 1 1 "$MP_PORT" undef 2
assert_eq "$(rx 1)" 2 "peer 1 vpn_rx_packets after the 0xFFFFFF packet"
assert_eq "$(rx 2)" 0 "peer 2 vpn_rx_packets after c1's 0xFFFFFF packet"

# Undefined peer id from c2's address with c2's key: peer 2.
answered "0xFFFFFF from c2 (peer 2's address)" 2 2 "$MP_PORT" undef 1
assert_eq "$(rx 2)" 1 "peer 2 vpn_rx_packets after its 0xFFFFFF packet"

# Undefined peer id from an address of no peer: dropped.
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
l1=$(lrx 1)
l2=$(lrx 2)
dropped "0xFFFFFF from c1 port 1195 (no peer there)" 1 1 1195 undef 3
assert_eq "$(lrx 1)" "$l1" "peer 1 link_rx_packets after 0xFFFFFF from an unknown address"
assert_eq "$(lrx 2)" "$l2" "peer 2 link_rx_packets after 0xFFFFFF from an unknown address"
assert_ge "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" $((d0 + 1)) "server rx_dropped after 0xFFFFFF from an unknown address"

# From c2's address but with c1's key: peer 2's key refuses it.
d0=$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)
dropped "0xFFFFFF from c2's address with c1's key" 2 1 "$MP_PORT" undef 7 "$(mp_vpn4 2)"
assert_eq "$(lrx 2)" "$l2" "peer 2 link_rx_packets after an inauthentic packet"
assert_ge "$(dev_stat "$MP_S" "$MP_DEV" rx_dropped)" $((d0 + 1)) "server rx_dropped after an inauthentic packet"
assert_eq "$(mp_srv_peer 2 remote)" "$(mp_cli_ip 2):$MP_PORT" "peer 2 remote after an inauthentic packet"

# Peer 1 floats to port 1197; the transport lookup follows it.
answered "peer id 1 from c1 port 1197 (float)" 1 1 1197 1 4
wait_log mc "^FLOAT_PEER ifindex $ifidx peer_id 1 remote $(mp_cli_ip 1):1197\$" 5
assert_eq "$(mp_srv_peer 1 remote)" "$(mp_cli_ip 1):1197" "peer 1 remote after the float"
answered "0xFFFFFF from c1 port 1197 (peer 1's new address)" 1 1 1197 undef 5
dropped "0xFFFFFF from c1 port $MP_PORT (peer 1's old address)" 1 1 "$MP_PORT" undef 6
dropped "0xFFFFFF replaying packet id 5 from port 1197" 1 1 1197 undef 5
assert_eq "$(mp_srv_peer 1 remote)" "$(mp_cli_ip 1):1197" "peer 1 remote at the end"
assert_eq "$(rx 1)" 4 "peer 1 vpn_rx_packets at the end (ids 1, 2, 4, 5)"
assert_eq "$(rx 2)" 1 "peer 2 vpn_rx_packets at the end"

sleep 0.5
echo "listen_mcast in s:"
sed 's/^/  /' "$(bg_log mc)"
assert_eq "$(grep -c '^FLOAT_PEER' "$(bg_log mc)")" 1 "FLOAT_PEER notifications"
mp_show_peers
out=$(nst 15 "$MP_S" "$IP_BIN" link del "$MP_DEV" 2>&1) || fail "ip link del $MP_DEV in s: $out"
echo "ok: undefined peer id matched by transport address"
