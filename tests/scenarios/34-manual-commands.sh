#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The by-hand flow, one CLI command per netlink request, without the
# one-shot: new_iface, new_peer (the CLI opens the UDP socket, hands it over
# and exits: the kernel keeps the socket bound), new_key, set_peer,
# start_vpn, ip addr, then ping across. get_peer with an id and as a dump
# show the peer; del_peer is notified to listen_mcast as USERSPACE with the
# device's ifindex and peer id, the socket is released, get_peer then fails
# with errno 2 and an extack message, traffic stops; del_iface removes the
# device without a second notification.
# timeout: 60
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"

require_module
require_cli
require_key sample.key
setup_two_hosts
mcast_start mc-a "$A"

port_bound() { # NS PORT
	ns "$1" /usr/bin/ss -Huln "sport = :$2" | grepq .
}

# manual_side NS LOCAL_VPN REMOTE_IP DIRECTION
manual_side() {
	local n=$1 vpn=$2 remote=$3 dir=$4
	cli_ok "$n" new_iface "$OVPN_DEV"
	[ -z "$CLI_OUT" ] || fail "new_iface printed something: $CLI_OUT"
	dev_exists "$n" "$OVPN_DEV" || fail "new_iface did not create $OVPN_DEV in $n"
	cli_ok "$n" "$OVPN_DEV" new_peer 0 "$PORT" "$remote" "$PORT"
	[ -z "$CLI_OUT" ] || fail "new_peer printed something: $CLI_OUT"
	# The CLI has exited: only the kernel's reference keeps the socket.
	port_bound "$n" "$PORT" || fail "UDP port $PORT not bound in $n after new_peer exited"
	cli_ok "$n" "$OVPN_DEV" new_key 0 primary 0 aes-256-gcm "$dir" "$KEYS/sample.key" --raw-key
	cli_ok "$n" "$OVPN_DEV" set_peer 0 5 60
	cli_ok "$n" "$OVPN_DEV" start_vpn
	ip -n "$n" addr add "$vpn/24" dev "$OVPN_DEV" || fail "ip addr add $vpn in $n"
	wait_link_up "$n" "$OVPN_DEV"
}
manual_side "$A" "$A_VPN" "$B_IP" 0
manual_side "$B" "$B_VPN" "$A_IP" 1
ifa=$(ifindex_of "$A" "$OVPN_DEV")

ping_ok "$A" "$B_VPN"
ping_ok "$B" "$A_VPN"

# get_peer with an id (do) and without (dump)
cli_ok "$A" "$OVPN_DEV" get_peer 0
p=$CLI_OUT
printf '%s\n' "$p" | sed 's/^/  get_peer 0: /'
assert_eq "$(kv_field "$p" peer_id)" 0 "peer_id"
assert_eq "$(kv_field "$p" remote)" "$B_IP:$PORT" "remote"
assert_eq "$(kv_field "$p" local_port)" "$PORT" "local_port"
assert_eq "$(kv_field "$p" keepalive_interval)" 5 "keepalive_interval"
assert_eq "$(kv_field "$p" keepalive_timeout)" 60 "keepalive_timeout"
assert_ge "$(kv_field "$p" vpn_tx_packets)" 6 "vpn_tx_packets"
assert_ge "$(kv_field "$p" vpn_rx_packets)" 6 "vpn_rx_packets"
cli_ok "$A" "$OVPN_DEV" get_peer
d=$CLI_OUT
printf '%s\n' "$d" | sed 's/^/  get_peer (dump): /'
assert_eq "$(printf '%s\n' "$d" | grep -c '^peer_id ')" 1 "peers in the dump"
assert_eq "$(kv_field "$d" peer_id)" 0 "dumped peer_id"
assert_eq "$(kv_field "$d" remote)" "$B_IP:$PORT" "dumped remote"

# del_peer
cli_ok "$A" "$OVPN_DEV" del_peer 0
[ -z "$CLI_OUT" ] || fail "del_peer printed something: $CLI_OUT"
wait_log mc-a "^DEL_PEER ifindex $ifa peer_id 0 reason USERSPACE\$" 3
cli_refused "$A" 2 "$OVPN_DEV" get_peer 0
out=$(get_peer "$A" "$OVPN_DEV" 2>&1)
printf '%s\n' "$out" | grepq '^peer_id' && fail "the dump still lists a peer after del_peer: $out"
cli_refused "$A" 2 "$OVPN_DEV" del_peer 0
wait_for "! port_bound $A $PORT" 3 || fail "UDP port $PORT still bound in a after del_peer (socket not released)"
ping_fails "$A" "$B_VPN"

# del_iface: no peer left, so no further notification
cli_ok "$A" del_iface "$OVPN_DEV"
dev_exists "$A" "$OVPN_DEV" && fail "$OVPN_DEV still exists in a after del_iface"
assert_fails cli "$A" del_iface "$OVPN_DEV"
sleep 0.5
mc=$(grep "ifindex $ifa " "$(bg_log mc-a)")
printf '%s\n' "$mc" | sed 's/^/  listen_mcast: /'
assert_eq "$(printf '%s\n' "$mc" | grep -c '^DEL_PEER')" 1 "DEL_PEER notifications for a's device"

# b's device still has its peer (deleting a's peer is local)
if ! wait_for "peer_exists $B $OVPN_DEV 0" 5; then
	echo "  netns list: $(ip netns list 2>&1 | tr '\n' ' ')"
	echo "  b links: $(ip -n "$B" -br link 2>&1 | tr '\n' ' ')"
	echo "  b get_peer: $(get_peer "$B" "$OVPN_DEV" 0 2>&1 | tr '\n' ' ')"
	echo "  dmesg: $(dmesg | tail -n 5 | tr '\n' ' ')"
	fail "b's peer disappeared"
fi
cli_ok "$B" del_iface "$OVPN_DEV"
echo "ok: the by-hand command flow"
