#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Float with the upstream "ovpn" family: a multi-peer server of kind ovpn in
# a, one client of kind ovpn in b whose UDP socket is bound to any address
# (ovpn-cli new_peer without --local-ip), so its source follows routing.
# While b pings a through the tunnel, b's underlay address changes from
# 192.168.100.2 to 192.168.100.12: a's kernel follows, a daemon listening
# to "peers" gets "PEER_FLOAT_NTF ifindex <srv> peer_id 7 remote
# 192.168.100.12:<port>" (what OpenVPN 2.7's server acts on), PEER_GET shows
# the new remote, and the pings resume. Then the same in P2P from a's side
# (upstream sends PEER_FLOAT_NTF in P2P too).
# timeout: 90
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts

SRV=srv0 CLI=cli0
B_NEW=192.168.100.12
FPORT=1400
ns "$B" /usr/sbin/sysctl -qw "net.ipv4.conf.$B_DEV.promote_secondaries=1" ||
	fail "promote_secondaries on $B_DEV"
mcast_start mc-a "$A" --family ovpn

cli_ok "$A" new_iface "$SRV" mp --kind ovpn
link_end "$A" "$SRV" 10.88.0.1/24
cli_ok "$A" "$SRV" new_peer 7 "$FPORT" "$B_IP" "$FPORT" 10.88.0.7
cli_ok "$A" "$SRV" new_key 7 primary 2 chacha20-poly1305 0 "$KEYS/sample.key" --raw-key
ifa=$(ifindex_of "$A" "$SRV")

cli_ok "$B" new_iface "$CLI" p2p --kind ovpn
cli_ok "$B" "$CLI" new_peer 7 "$FPORT" "$A_IP" "$FPORT"
cli_ok "$B" "$CLI" new_key 7 primary 2 chacha20-poly1305 1 "$KEYS/sample.key" --raw-key
link_end "$B" "$CLI" 10.88.0.7/24
wait_link_up "$A" "$SRV"
wait_link_up "$B" "$CLI"

ping_ok "$B" 10.88.0.1
assert_eq "$(peer_field "$A" "$SRV" remote)" "$B_IP:$FPORT" "a's peer remote before the move"
grepq FLOAT "$(bg_log mc-a)" && fail "a float notification before any move: $(cat "$(bg_log mc-a)")"

bg pinger "$B" /usr/bin/ping -i 0.2 -W 1 -w 20 -c 60 10.88.0.1
sleep 1
ns "$B" "$IP_BIN" addr add "$B_NEW/24" dev "$B_DEV" || fail "addr add $B_NEW"
ns "$B" "$IP_BIN" addr del "$B_IP/24" dev "$B_DEV" || fail "addr del $B_IP"
wait_log mc-a "^PEER_FLOAT_NTF ifindex $ifa peer_id 7 remote $B_NEW:$FPORT\$" 10
assert_eq "$(peer_field "$A" "$SRV" remote)" "$B_NEW:$FPORT" "a's peer remote after the move"
ping_ok "$A" 10.88.0.7
ping_ok "$B" 10.88.0.1
bg_stop pinger

# P2P: a's end of a second tunnel follows b back to its first address
cli_ok "$A" del_iface "$SRV"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 7 reason TEARDOWN\$" 5
# the socket's holder exits once its peer is gone, closing the socket
wait_for "! ns $A /usr/bin/ss -Huln 'sport = :$FPORT' | grepq ." 10 ||
	fail "a's first socket still bound after its device was deleted"
cli_ok "$A" new_iface "$SRV" p2p --kind ovpn
cli_ok "$A" "$SRV" new_peer 7 "$FPORT" "$B_NEW" "$FPORT"
cli_ok "$A" "$SRV" new_key 7 primary 2 chacha20-poly1305 0 "$KEYS/sample.key" --raw-key
link_end "$A" "$SRV" 10.88.0.1/24
wait_link_up "$A" "$SRV"
ifa=$(ifindex_of "$A" "$SRV")
# a's new key starts its packet ids again: b needs a fresh replay window
cli_ok "$B" "$CLI" new_key 7 primary 2 chacha20-poly1305 1 "$KEYS/sample.key" --raw-key
ping_ok "$B" 10.88.0.1
ns "$B" "$IP_BIN" addr add "$B_IP/24" dev "$B_DEV" || fail "addr add $B_IP"
ns "$B" "$IP_BIN" addr del "$B_NEW/24" dev "$B_DEV" || fail "addr del $B_NEW"
ping_ok "$B" 10.88.0.1
wait_log mc-a "^PEER_FLOAT_NTF ifindex $ifa peer_id 7 remote $B_IP:$FPORT\$" 10
assert_eq "$(peer_field "$A" "$SRV" remote)" "$B_IP:$FPORT" "a's P2P peer remote after the move back"
cli_ok "$A" del_iface "$SRV"
cli_ok "$B" del_iface "$CLI"
echo "ok: float with the ovpn family, MP and P2P"
