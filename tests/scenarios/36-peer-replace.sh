#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# P2P peer replacement (what OpenVPN does when it reconnects): a second
# new_peer with another id (5) and another socket on a device that has peer 0
# succeeds; listen_mcast shows "DEL_PEER ifindex <a's> peer_id 0 reason
# USERSPACE"; get_peer lists only peer 5; the old peer's socket is
# released; and the new peer carries traffic to a one-shot b using peer id 5.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
mcast_start mc-a "$A"
P2=1195

port_bound() { # NS PORT
	ns "$1" /usr/bin/ss -Huln "sport = :$2" | grepq .
}

cli_ok "$A" new_iface "$OVPN_DEV"
ifa=$(ifindex_of "$A" "$OVPN_DEV")
cli_ok "$A" "$OVPN_DEV" new_peer 0 "$PORT" "$B_IP" "$PORT"
cli_ok "$A" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm 0 "$KEYS/sample.key" --raw-key
assert_eq "$(peer_field "$A" "$OVPN_DEV" peer_id)" 0 "first peer"
port_bound "$A" "$PORT" || fail "port $PORT not bound after the first new_peer"

# Replace it: another id, another socket.
cli_ok "$A" "$OVPN_DEV" new_peer 5 "$P2" "$B_IP" "$P2"
log "second new_peer (id 5) on the P2P device: exit 0"
wait_log mc-a "^DEL_PEER ifindex $ifa peer_id 0 reason USERSPACE\$" 3
grep "^DEL_PEER" "$(bg_log mc-a)" | sed 's/^/  listen_mcast: /'
assert_eq "$(grep -c '^DEL_PEER' "$(bg_log mc-a)")" 1 "DEL_PEER notifications"

cli_ok "$A" "$OVPN_DEV" get_peer
d=$CLI_OUT
printf '%s\n' "$d" | sed 's/^/  get_peer (dump): /'
assert_eq "$(printf '%s\n' "$d" | grep -c '^peer_id ')" 1 "peers in the dump"
assert_eq "$(kv_field "$d" peer_id)" 5 "the remaining peer"
assert_eq "$(kv_field "$d" local_port)" "$P2" "the remaining peer's local port"
cli_refused "$A" 2 "$OVPN_DEV" get_peer 0
wait_for "! port_bound $A $PORT" 3 || fail "the replaced peer's socket (port $PORT) was not released"

# The new peer works: key it, bring the device up, talk to b as peer 5.
cli_ok "$A" "$OVPN_DEV" new_key 5 primary 0 aes-256-gcm 0 "$KEYS/sample.key" --raw-key
ip -n "$A" addr add "$A_VPN/24" dev "$OVPN_DEV" || fail "ip addr add"
ip -n "$A" link set "$OVPN_DEV" up || fail "ip link set up"
oneshot_start tun-b "$B" udp i4 "$B_IP" "$P2" "$A_IP" "$P2" \
	"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --peer-id 5 --raw-key
ping_ok "$A" "$B_VPN"
assert_ge "$(peer_field "$A" "$OVPN_DEV" vpn_rx_packets 5)" 3 "peer 5 vpn_rx_packets"
echo "ok: a second NEW_PEER replaces the P2P peer"
