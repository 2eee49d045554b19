#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The one-shot tunnel on devices of kind ovpn, driven through the upstream
# ovpn family (a asks with --kind ovpn, b with the global --family ovpn, or
# --family among its options over TCP):
# - UDP: handshake, ready, the link up without START_VPN, `ip -d link`
#   shows kind ovpn (MTU 1416), pings both ways, get_peer through the ovpn
#   family (tx_id, no mss; a v2 request at the device is refused), the
#   per-second lines count the traffic, --mss is skipped with a warning;
#   a restarts: b re-keys (KEY_NEW secondary, KEY_SWAP, KEY_DEL of the old
#   key 5 s later); SIGTERM of a deletes its device (its peer goes as
#   TEARDOWN, before the socket closes) and releases the port, b's peer
#   expires (EXPIRED, exit 3) and b deletes its device;
# - TCP (a listens, b connects): the same bring-up and pings; SIGTERM of b
#   deletes its device, a sees its peer removed (TRANSPORT_DISCONNECT, exit
#   3) and deletes its own.
# timeout: 180
. "${OVPN_LIB:-$(dirname "$0")/../lib.sh}"
. "$(dirname "$0")/lib/control.sh"
. "$(dirname "$0")/lib/tcp.sh"

require_module
require_cli
require_key sample.key
dmesg_mark
setup_two_hosts

udp_bound() { # NS PORT
	ns "$1" /usr/bin/ss -Huln "sport = :$2" | grepq .
}

# kind_ovpn NS: the one-shot's device is of kind ovpn, up, MTU 1416
kind_ovpn() {
	local n=$1 d
	d=$(ns "$n" "$IP_BIN" -d link show "$OVPN_DEV") || fail "no $OVPN_DEV in $n"
	printf '%s\n' "$d" | grepq '^ *ovpn ' || fail "$OVPN_DEV in $n is not of kind ovpn: $d"
	assert_eq "$(ns "$n" cat "/sys/class/net/$OVPN_DEV/mtu")" 1416 "MTU of a kind ovpn device in $n"
	wait_link_up "$n" "$OVPN_DEV"
	cli_refused "$n" 22 --family ovpn-dco-v2 "$OVPN_DEV" get_peer 0
}

# no_start_vpn NAME: the one-shot NAME went through no START_VPN
no_start_vpn() {
	grepq -i 'start_vpn' "$(bg_log "$1")" && fail "'$1' mentions START_VPN: $(grep -i start_vpn "$(bg_log "$1")")"
	return 0
}

# both_up WHAT: neither one-shot (tun-a, tun-b) went through START_VPN,
# both devices are of kind ovpn and up, pings cross both ways, and a's
# get_peer 0 (in PA) is the ovpn family's
PA=
both_up() {
	no_start_vpn tun-a
	no_start_vpn tun-b
	kind_ovpn "$A"
	kind_ovpn "$B"
	ping_ok "$A" "$B_VPN"
	ping_ok "$B" "$A_VPN"
	cli_ok "$A" "$OVPN_DEV" get_peer 0
	PA=$CLI_OUT
	printf '%s\n' "$PA" | sed "s/^/  get_peer a ($1): /"
	assert_eq "$(kv_field "$PA" peer_id)" 0 "peer_id ($1)"
	assert_eq "$(kv_field "$PA" tx_id)" 0 "tx_id ($1; only the ovpn family has one)"
	assert_eq "$(kv_field "$PA" local_port)" "$PORT" "local_port ($1)"
	assert_eq "$(kv_field "$PA" mss)" "?" "mss ($1; not in the ovpn family)"
}

# ---- UDP
mcast_start mc-a "$A" --family ovpn
oneshot_start tun-a "$A" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
	"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --kind ovpn --keepalive 1,10 --mss 1300
oneshot_start tun-b "$B" --family ovpn udp i4 "$B_IP" "$PORT" "$A_IP" "$PORT" \
	"$B_VPN" "$VPN_MASK" "$A_VPN" "$KEYS/sample.key" 1 --keepalive 1,10
wait_log tun-a '^ready ovpn0 ifindex ' 5
wait_log tun-b '^ready ovpn0 ifindex ' 5
grep -E '^(ready|session key|ovpn0: )' "$(bg_log tun-a)" "$(bg_log tun-b)"
grepq -F 'ovpn-cli: warning: --mss 1300 skipped: the ovpn family has no MSS clamp' "$(bg_log tun-a)" ||
	fail "no --mss warning from a: $(cat "$(bg_log tun-a)")"
both_up udp
ifa=$(ifindex_of "$A" "$OVPN_DEV")
assert_eq "$(kv_field "$PA" remote)" "$B_IP:$PORT" "remote"
assert_eq "$(kv_field "$PA" keepalive_interval)" 1 "keepalive_interval"
assert_eq "$(kv_field "$PA" keepalive_timeout)" 10 "keepalive_timeout"
for k in vpn_tx_packets vpn_rx_packets link_tx_packets link_rx_packets; do
	assert_ge "$(kv_field "$PA" $k)" 3 "a peer $k"
done
assert_gt "$(kv_field "$PA" link_tx_bytes)" "$(kv_field "$PA" vpn_tx_bytes)" "link_tx_bytes > vpn_tx_bytes"
cli_ok "$B" "$OVPN_DEV" get_peer
assert_ge "$(kv_field "$CLI_OUT" vpn_rx_packets)" 3 "b peer vpn_rx_packets (dump)"
# the per-second lines read the ovpn family's counters
wait_log tun-a '^ovpn0 t=[0-9]+s rx [1-9][0-9]* pkts [1-9][0-9]* B [0-9]+ kbit/s tx [1-9]' 10

# a restarts: b re-keys over its running device
bg_stop tun-a TERM 10
assert_eq "$?" 0 "a's exit status on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in a after SIGTERM"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 0 reason TEARDOWN\$" 5
oneshot_start tun-a "$A" udp i4 "$A_IP" "$PORT" "$B_IP" "$PORT" \
	"$A_VPN" "$VPN_MASK" "$B_VPN" "$KEYS/sample.key" 0 --kind ovpn --keepalive 1,10
oneshot_wait_ready tun-a || fail "a printed no ready line after its restart: $(cat "$(bg_log tun-a)")"
wait_log tun-b '^session key [0-9a-f]+ installed, key-id [0-9]+ \(role [AB], re-key\)$' 10
kid=$(sed -nE 's/^session key [0-9a-f]+ installed, key-id ([0-9]+) \(role [AB], re-key\)$/\1/p' "$(bg_log tun-b)" | tail -n 1)
ping_ok "$A" "$B_VPN"
ping_ok "$B" "$A_VPN"
cli_ok "$B" "$OVPN_DEV" get_key 0 primary
assert_eq "$(kv_field "$CLI_OUT" key_id)" "$kid" "b's primary key id after the re-key"
wait_for "! cli $B $OVPN_DEV get_key 0 secondary" 10 ||
	fail "b's old key still in the secondary slot: $(cli "$B" "$OVPN_DEV" get_key 0 secondary 2>&1)"
grepq -E '^ovpn-cli: (del_key|swap_keys|new_key)' "$(bg_log tun-b)" && fail "b reported a key error: $(cat "$(bg_log tun-b)")"
ifa=$(ifindex_of "$A" "$OVPN_DEV")

# SIGTERM: a's device goes first (TEARDOWN), then its socket; b expires
bg_stop tun-a TERM 10
assert_eq "$?" 0 "a's exit status on SIGTERM"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in a after SIGTERM"
wait_log mc-a "^PEER_DEL_NTF ifindex $ifa peer_id 0 reason TEARDOWN\$" 5
wait_for "! udp_bound $A $PORT" 5 || fail "UDP port $PORT still bound in a after its one-shot exited"
wait_log tun-b '^peer 0 deleted reason EXPIRED$' 20
bg_wait tun-b 10
assert_eq "$?" 3 "b's exit status once its peer expired"
wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in b after its peer expired"
bg_stop mc-a

# ---- TCP: a listens (--kind ovpn), b connects (--family ovpn among its options)
mcast_start mc-b "$B" --family ovpn
TCP_A_OPTS=(--kind ovpn)
TCP_B_OPTS=(--family ovpn)
tcp_pair
grep -E '^(ready|ovpn0: tcp)' "$(bg_log tun-a)" "$(bg_log tun-b)"
both_up tcp
ifb=$(ifindex_of "$B" "$OVPN_DEV")
assert_eq "$(kv_field "$PA" remote)" "?" "remote (a TCP peer's is its socket's: none sent)"
assert_ge "$(kv_field "$PA" vpn_rx_packets)" 3 "a peer vpn_rx_packets"
cat "$(bg_log tun-a)" "$(bg_log tun-b)" | grepq '^control packet' &&
	fail "data traffic reached the CLI as control packets"

# SIGTERM of b: its device goes (TEARDOWN), the connection closes, a's peer
# is removed (TRANSPORT_DISCONNECT) and a deletes its device
bg_stop tun-b TERM 10
assert_eq "$?" 0 "b's exit status on SIGTERM"
wait_for "! dev_exists $B $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in b after SIGTERM"
wait_log mc-b "^PEER_DEL_NTF ifindex $ifb peer_id 0 reason TEARDOWN\$" 5
wait_log tun-a '^peer 0 deleted reason TRANSPORT_DISCONNECT$' 10
bg_wait tun-a 10
assert_eq "$?" 3 "a's exit status once its peer was removed"
wait_for "! dev_exists $A $OVPN_DEV" 5 || fail "$OVPN_DEV still exists in a after its peer was removed"
dmesg_check_since
echo "ok: the one-shot tunnel on kind ovpn devices, UDP and TCP"
